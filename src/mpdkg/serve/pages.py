"""The HTML and Turtle pages of ``mpdkg serve``: the offline query page, entity pages, text pages
and the SPARQL service description."""

from __future__ import annotations

import json
import re

from mpdkg.errors import MpdkgError
from mpdkg.html import render

# --- pages --------------------------------------------------------------------------------------


def _examples() -> list[dict]:
    from mpdkg.query.catalogue import catalogue
    from mpdkg.query.engines import bind

    out = []
    for q in catalogue():
        try:
            text = bind(q, {})
        except MpdkgError:
            text = q.text
        out.append({"name": q.name, "title": q.title, "query": text})
    return out


def render_query_page(timeout: float, max_rows: int) -> bytes:
    examples = json.dumps(_examples(), ensure_ascii=False).replace("</", "<\\/")
    return render(
        "serve/query.html",
        title="Migration and Protection Diplomacy Knowledge Graph — SPARQL",
        timeout=f"{timeout:g}",
        max_rows=f"{max_rows:,}",
        examples_json=examples,
    ).encode("utf-8")


def _local_href(iri: str, base: str) -> str | None:
    if iri.startswith(base):
        rest = iri[len(base) :]
        if "#" in rest:
            return None
        return "/" + rest
    return None


def _curie(iri: str) -> str:
    """rdf:type for http://www.w3.org/1999/02/22-rdf-syntax-ns#type (the dumps' prefixes)."""
    from mpdkg.namespaces import PREFIXES

    best = ""
    for prefix, ns in {**{k: str(v) for k, v in PREFIXES.items()}, "rdf": str(RDF_NS)}.items():
        if iri.startswith(ns) and len(ns) > len(best.partition("|")[2]):
            rest = iri[len(ns) :]
            if rest and re.match(r"^[A-Za-z_][\w.-]*$", rest):
                best = f"{prefix}:{rest}|{ns}"
    return best.partition("|")[0] or iri


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_FIRST = {RDF_NS + "type": 0, "http://www.w3.org/2000/01/rdf-schema#label": 1}


def _term(term: tuple, labels: dict, base: str) -> dict:
    """A term as the templates show it (``serve/_term.html``)."""
    kind = term[0]
    if kind == "iri":
        iri = term[1]
        return {"kind": "iri", "iri": iri, "href": _local_href(iri, base) or iri,
                "label": labels.get(iri), "curie": _curie(iri), "key": (labels.get(iri) or _curie(iri)).lower()}  # fmt: skip
    if kind == "bnode":
        return {"kind": "bnode", "value": term[1], "key": term[1]}
    value, lang, datatype = term[1], term[2], term[3]
    dt = datatype.rsplit("#", 1)[-1] if datatype and not datatype.endswith("#string") else ""
    link = bool(re.match(r"^https?://\S+$", value))
    return {"kind": "literal", "value": value, "lang": lang, "dt": dt, "link": link, "key": value}


def _rows(grouped: dict, labels: dict, base: str) -> list:
    order = sorted(grouped, key=lambda t: (_FIRST.get(t[1], 2), labels.get(t[1], _curie(t[1])).lower(), t[1]))
    return [
        (_term(p, labels, base), sorted((_term(o, labels, base) for o in grouped[p]), key=lambda t: t["key"]))
        for p in order
    ]


def render_entity_page(iri: str, data: dict, base: str, report: str | None = None) -> bytes:
    """The HTML page of a resource: its triples, its parts' triples, the links into it."""
    labels = data["labels"]
    rows: dict[tuple, list[tuple]] = {}
    parts: dict[str, dict[tuple, list[tuple]]] = {}
    for s, p, o in data["triples"]:
        target = rows if s == ("iri", iri) else parts.setdefault(s[1], {})
        target.setdefault(p, []).append(o)
    incoming = sorted(
        ((_term(s, labels, base), _term(p, labels, base)) for s, p in data["incoming"]),
        key=lambda pair: (pair[0]["key"], pair[1]["key"]),
    )
    return render(
        "serve/entity.html",
        title=labels.get(iri) or iri,
        iri=iri,
        path=_local_href(iri, base) or "/",
        rows=_rows(rows, labels, base),
        parts=[(subject, _rows(parts[subject], labels, base)) for subject in sorted(parts)],
        incoming=incoming,
        truncated=data["truncated"],
        report=report,
    ).encode("utf-8")


def render_text_page(title: str, text: str) -> bytes:
    return render("serve/text.html", title=title, text=text).encode("utf-8")


def service_description(endpoint: str) -> bytes:
    """SPARQL 1.1 Service Description of this endpoint (Turtle)."""
    results = "\n".join(
        f"  sd:resultFormat <http://www.w3.org/ns/formats/{f}> ;"
        for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
    )
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .

<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
{results}
  sd:resultFormat <http://www.w3.org/ns/formats/Turtle> , <http://www.w3.org/ns/formats/N-Triples> ,
    <http://www.w3.org/ns/formats/JSON-LD> , <http://www.w3.org/ns/formats/RDF_XML> ;
  sd:defaultDataset [ a sd:Dataset ; void:sparqlEndpoint <{endpoint}> ] .
""".encode()
