"""What the endpoint answers, independent of the web framework: plain functions from the
request's parameters and Accept header to an :class:`Answer` (or :class:`Refused`).

They block (the query check, the wait for a worker), so the application runs them in threads.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from mpdkg.serve.pages import render_entity_page, render_text_page, service_description
from mpdkg.serve.protocol import (
    FORMAT_PARAM,
    GRAPH_TYPES,
    MAX_BODY,
    MEDIA,
    RESULT_TYPES,
    Refused,
    check_query,
    negotiate,
)
from mpdkg.serve.service import Service

__all__ = ["MAX_BODY", "Answer", "add_posted", "entity", "sparql", "void"]

Params = dict[str, list[str]]
READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"


@dataclass
class Answer:
    status: int
    body: bytes
    media: str
    headers: dict[str, str] = field(default_factory=dict)


def _cors(service: Service) -> dict[str, str]:
    """CORS only when asked for (--cors), and then for anonymous reads only: no credentials."""
    return {"Access-Control-Allow-Origin": "*"} if service.cors else {}


def add_posted(params: Params, content_type: str, body: bytes) -> None:
    """Add a POSTed query (a form, or the text as application/sparql-query) to ``params``."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/sparql-update":
        raise Refused(403, READ_ONLY)
    text = body.decode("utf-8", "replace")
    if kind == "application/sparql-query":
        params.setdefault("query", []).append(text)
    elif kind in ("application/x-www-form-urlencoded", ""):
        for key, values in urllib.parse.parse_qs(text, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    else:
        raise Refused(415, f"unsupported Content-Type {kind!r}: send a form or application/sparql-query")


def void(service: Service, endpoint: str, params: Params, accept: str | None) -> Answer:
    wanted = FORMAT_PARAM.get((params.get("format") or [""])[0])
    body = service.void_graph(endpoint)
    media = wanted and MEDIA.get(wanted) or negotiate(accept, ["text/turtle", "text/html"])
    headers = {"Vary": "Accept", **_cors(service)}
    if media and media.startswith("text/html"):
        page = render_text_page("Dataset description (VoID, DCAT)", body.decode())
        return Answer(200, page, MEDIA["html"], headers)
    return Answer(200, body, MEDIA["turtle"], headers)


def _result_format(form: str, params: Params, accept: str | None) -> str:
    wanted = (params.get("format") or [""])[0].lower()
    allowed = GRAPH_TYPES if form in ("construct", "describe") else RESULT_TYPES
    offered = ", ".join(sorted(set(allowed.values())))
    if wanted:
        fmt = FORMAT_PARAM.get(wanted)
        if fmt is None or fmt not in allowed.values():
            raise Refused(406, f"format={wanted} is not offered for {form.upper()}; use one of {offered}")
        return fmt
    media = negotiate(accept, list(allowed))
    if media is None:
        raise Refused(
            406, f"none of the requested types is offered for {form.upper()}; offered: {', '.join(allowed)}"
        )
    return allowed[media]


def sparql(service: Service, endpoint: str, params: Params, accept: str | None) -> Answer:
    """The SPARQL 1.1 Protocol: a query's answer, or the service description without one."""
    if "update" in params:
        raise Refused(403, READ_ONLY)
    queries = params.get("query") or []
    if not queries:
        if negotiate(accept, ["text/turtle", "text/html"]) == "text/html" and "text/html" in (accept or ""):
            return Answer(303, b"", "text/plain", {"Location": "/"})
        return Answer(200, service_description(endpoint), MEDIA["turtle"], _cors(service))
    if len(queries) > 1:
        raise Refused(400, "give one query= parameter, not several")
    text = queries[0]
    form = check_query(text)
    fmt = _result_format(form, params, accept)
    task = (
        "query",
        text,
        fmt,
        service.max_rows,
        params.get("default-graph-uri", []),
        params.get("named-graph-uri", []),
    )
    answer = service.pool.run(task, service.timeout)
    if answer[0] == "error":
        raise Refused(answer[1], answer[2])
    _, media, body, _count = answer
    return Answer(200, body, media, {**_cors(service), "Vary": "Accept"})


ENTITY_OFFERS = {
    "text/turtle": "turtle",
    "text/html": "html",
    "application/xhtml+xml": "html",
    **GRAPH_TYPES,
}


def _entity_format(params: Params, accept: str | None) -> str:
    wanted = (params.get("format") or [""])[0].lower()
    if wanted:
        fmt = FORMAT_PARAM.get(wanted)
        if fmt is None or fmt not in ("html", "turtle", "ntriples", "jsonld", "rdfxml"):
            raise Refused(406, f"format={wanted}: use html, ttl, jsonld, nt or rdf")
        return fmt
    media = negotiate(accept, list(ENTITY_OFFERS))
    if media is None:
        raise Refused(406, "offered: text/html, text/turtle, application/ld+json, application/n-triples")
    return ENTITY_OFFERS[media]


def _valid_iri(iri: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def entity(service: Service, path: str, params: Params, accept: str | None) -> Answer:
    """The page of one resource of the graph (``/country/CAN``) in the negotiated form."""
    iri = service.base_iri + path.strip("/")
    if not _valid_iri(iri):
        raise Refused(404, "nothing here: the path does not make a valid IRI")
    fmt = _entity_format(params, accept)
    answer = service.pool.run(("describe", iri, fmt), service.timeout)
    headers = {"Vary": "Accept", **_cors(service)}
    if answer[0] == "missing":
        if fmt == "html":
            page = render_text_page("Not found", f"The graph has nothing about {iri}.")
            return Answer(404, page, MEDIA["html"], headers)
        raise Refused(404, f"the graph has nothing about {iri}")
    if answer[0] == "error":
        raise Refused(answer[1], answer[2])
    _, media, body, _count = answer
    if media == "html":
        iso3 = path.strip("/").removeprefix("country/")
        report = f"/report/countries/{iso3}.html" if service.country_report(iso3) else None
        page = render_entity_page(iri, body, service.base_iri, report)
        return Answer(200, page, MEDIA["html"], headers)
    return Answer(200, body, media, headers)
