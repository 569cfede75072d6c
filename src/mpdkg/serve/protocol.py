"""The SPARQL 1.1 Protocol side of ``mpdkg serve``: limits, media types, content negotiation,
and the check every query passes before a worker runs it."""

from __future__ import annotations

import logging
import re

from mpdkg.errors import MpdkgError
from mpdkg.namespaces import BASE

log = logging.getLogger("mpdkg.serve")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
MAX_BODY = 1_000_000  # bytes of a POSTed query
SOCKET_TIMEOUT = 10.0  # seconds a client may take to send its request (slow or half-sent ones)
MAX_CONNECTIONS = 64  # requests handled at once; more are answered 503 at once, not queued forever
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
WORKER_START_TIMEOUT = 300.0
BASE_IRI = BASE

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "html": "text/html; charset=utf-8",
}
FORMAT_PARAM = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "ttl": "turtle",
    "turtle": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "html": "html",
}
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    "": "text/plain; charset=utf-8",
}
ENTITY_PATH = re.compile(r"^/[a-z][a-z0-9-]*(?:/[A-Za-z0-9._~%:+-]+)*/?$")


class ServeError(MpdkgError):
    exit_code = 2

    def report(self) -> str:
        return str(self)


class Refused(Exception):
    """A request answered with an error status and a plain-text reason."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --- content negotiation ------------------------------------------------------------------------


def _accept_items(accept: str | None) -> list[tuple[str, float]]:
    items = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        items.append((media, q))
    return items


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (ties go to the earlier offer); the first offer when
    the header is missing; None when nothing offered is acceptable."""
    items = _accept_items(accept)
    if not items:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0]
        q, specificity = 0.0, -1
        for media, weight in items:
            level = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if level > specificity:
                q, specificity = weight, level
        if q > best_q:
            best, best_q = offer, q
    return best


# --- query checks (in the server process) -------------------------------------------------------


def default_prefixes() -> dict[str, str]:
    """Prefixes a query may use without declaring them (the CLI's: mpd:, rdfs:, country:, ...)."""
    from mpdkg.query.parse import query_prefixes

    return query_prefixes()


def check_query(text: str) -> str:
    """The query form (select, ask, construct, describe); raises Refused for updates, SERVICE,
    parser-hostile texts and unknown prefixes.

    The check is ``mpdkg.query.parse.check``, the same front door as the CLI's: it reads the text
    as Oxigraph (which runs the query) does and as rdflib does, and refuses what either reading
    shows. It takes no lock and no parser: the syntax is judged by Oxigraph in the worker,
    inside the time limit."""
    from mpdkg.query.parse import QueryRefused, UpdateRefused, check

    if not text.strip():
        raise Refused(400, "empty query: pass the SPARQL text as query=...")
    try:
        return check(text).form
    except UpdateRefused:
        raise Refused(403, "SPARQL Update is not allowed: this endpoint is read-only") from None
    except QueryRefused as exc:
        raise Refused(exc.status, str(exc)) from None
