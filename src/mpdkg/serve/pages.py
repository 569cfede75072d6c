"""The HTML and Turtle pages of ``mpdkg serve``: the offline query page, entity pages, text pages
and the SPARQL service description."""

from __future__ import annotations

import html
import json
import re

from mpdkg.errors import MpdkgError

# --- pages --------------------------------------------------------------------------------------


_PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; }
header { padding: .6rem 1rem; background: #20344c; color: #fff; }
header a { color: #cfe3ff; }
header h1 { font-size: 1.15rem; margin: 0 0 .2rem 0; }
header p { margin: .1rem 0; font-size: .9rem; }
header code { color: #e8f0ff; }
main { padding: .5rem 1rem 2rem 1rem; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { width: 22%; font-weight: 600; }
code, .iri { font-family: ui-monospace, monospace; font-size: .85rem; color: #555; }
.lang, .dt { color: #777; font-size: .8rem; }
"""


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
    body = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mpdkg — SPARQL query</title>
<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">
<style>{_PAGE_STYLE} #yasgui {{ margin-top: .5rem; }}</style>
</head>
<body>
<header>
<h1>Migration and Protection Diplomacy Knowledge Graph — SPARQL</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code>; queries stop after {timeout:g} s and
answers are limited to {max_rows:,} rows; the prefixes of the dumps (mpd:, rdfs:, org:, ...) need
no declaration. The tabs hold the query catalogue.
Browse: <a href="/country/CAN">Canada</a> · <a href="/forum/rcm">Regional Conference on Migration</a> ·
<a href="/ontology">ontology</a> · <a href="/.well-known/void">dataset description (VoID)</a></p>
</header>
<main><div id="yasgui"></div></main>
<script type="application/json" id="mpdkg-examples">{examples}</script>
<script src="/static/yasgui/yasgui.min.js"></script>
<script>
(function () {{
  var examples = JSON.parse(document.getElementById("mpdkg-examples").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;
  // Only completers that work offline (prefix.cc and LOV lookups would reach the network).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: endpoint, method: "POST" }},
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: {{ getData: function () {{ return [{{ endpoint: endpoint }}]; }} }},
    yasqe: {{ autocompleters: ["prefixes", "variables"] }}
  }});
  var first = yasgui.getTab();
  examples.forEach(function (example, i) {{
    if (i === 0) {{
      first.setName(example.name);
      first.setEndpoint(endpoint);
      first.setQuery(example.query);
    }} else {{
      // a tab that is not shown yet has no editor: give it its query in its configuration
      yasgui.addTab(false, {{ name: example.name, yasqe: {{ value: example.query }} }});
    }}
  }});
  if (first) {{ yasgui.selectTabId(first.getId()); }}
  window.mpdkgYasgui = yasgui;
}})();
</script>
</body>
</html>
"""
    return body.encode("utf-8")


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


def _html_term(term: tuple, labels: dict, base: str) -> str:
    kind = term[0]
    if kind == "iri":
        iri = term[1]
        label = labels.get(iri)
        href = _local_href(iri, base) or iri
        shown = html.escape(label) if label else f'<span class="iri">{html.escape(_curie(iri))}</span>'
        return f'<a href="{html.escape(href, quote=True)}" title="{html.escape(iri, quote=True)}">{shown}</a>'
    if kind == "bnode":
        return f'<span class="iri">_:{html.escape(term[1])}</span>'
    value, lang, datatype = term[1], term[2], term[3]
    extra = ""
    if lang:
        extra = f' <span class="lang">@{html.escape(lang)}</span>'
    elif datatype and not datatype.endswith("#string"):
        extra = f' <span class="dt">{html.escape(datatype.rsplit("#", 1)[-1])}</span>'
    if re.match(r"^https?://\S+$", value):
        return f'<a href="{html.escape(value, quote=True)}">{html.escape(value)}</a>{extra}'
    return html.escape(value) + extra


def render_entity_page(iri: str, data: dict, base: str) -> bytes:
    labels = data["labels"]
    title = labels.get(iri) or iri
    rows: dict[tuple, list[str]] = {}
    parts: dict[str, dict[tuple, list[str]]] = {}
    for s, p, o in data["triples"]:
        target = rows if s == ("iri", iri) else parts.setdefault(s[1], {})
        target.setdefault(p, []).append(_html_term(o, labels, base))

    def table(grouped: dict) -> str:
        lines = ["<table>"]
        for p in sorted(
            grouped, key=lambda t: (_FIRST.get(t[1], 2), labels.get(t[1], _curie(t[1])).lower(), t[1])
        ):
            values = "<br>".join(sorted(grouped[p]))
            lines.append(f"<tr><th>{_html_term(p, labels, base)}</th><td>{values}</td></tr>")
        lines.append("</table>")
        return "\n".join(lines)

    sections = [table(rows)]
    for subject in sorted(parts):
        sections.append(f"<h3><span class='iri'>{html.escape(subject)}</span></h3>")
        sections.append(table(parts[subject]))
    if data["incoming"]:
        items = sorted(
            f"<li>{_html_term(s, labels, base)} — {_html_term(p, labels, base)}</li>"
            for s, p in data["incoming"]
        )
        more = "<p>(the first 1,000 shown)</p>" if data["truncated"] else ""
        sections.append(f"<h2>Referenced by</h2>{more}<ul>{''.join(items)}</ul>")
    path = _local_href(iri, base) or "/"
    body = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} — mpdkg</title>
<link rel="alternate" type="text/turtle" href="{html.escape(path)}?format=ttl">
<link rel="alternate" type="application/ld+json" href="{html.escape(path)}?format=jsonld">
<style>{_PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<p><code>{html.escape(iri)}</code></p>
<p><a href="{html.escape(path)}?format=ttl">Turtle</a> · <a href="{html.escape(path)}?format=jsonld">JSON-LD</a> ·
<a href="{html.escape(path)}?format=nt">N-Triples</a> · <a href="/">SPARQL query page</a></p>
</header>
<main>
{chr(10).join(sections)}
</main>
</body>
</html>
"""
    return body.encode("utf-8")


def render_text_page(title: str, text: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_PAGE_STYLE}</style></head><body><header><h1>{html.escape(title)}</h1>"
        f'<p><a href="/">SPARQL query page</a></p></header><main><pre>{html.escape(text)}</pre></main></body></html>'
    ).encode()


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
