"""``mpdkg serve``: a read-only SPARQL 1.1 Protocol endpoint, a query page that works offline,
and a page for every IRI of the graph (HTML to a browser, Turtle or JSON-LD to a program).

Routes (everything read-only):

* ``/`` — the query page: YASGUI served from the package (no CDN), with the query catalogue
  preloaded as tabs.
* ``/sparql`` — SPARQL 1.1 Protocol, GET and POST; results as JSON, XML, CSV or TSV (SELECT,
  ASK) and Turtle, N-Triples, JSON-LD or RDF/XML (CONSTRUCT, DESCRIBE), chosen by the Accept
  header (or ``format=json|xml|csv|tsv|ttl|nt|jsonld|rdf``). Without a query it answers a
  service description.
* ``/.well-known/void`` (also ``/void.ttl``) — the VoID/DCAT description of the served data.
* ``/country/CAN``, ``/forum/rcm``, ... — the resource ``https://w3id.org/mpdkg/country/CAN``:
  its triples (and those of its parts, such as a membership's interval), as HTML, Turtle,
  JSON-LD or N-Triples by Accept header or ``?format=``.

Refusals, each with a plain-text reason: SPARQL Update and ``SERVICE`` (the text read as Oxigraph
reads it, by ``mpdkg.query.parse.check``; the workers have no network besides) answer 403; a
syntax error (Oxigraph's parser, in the worker, under the time limit) 400; an answer longer than
the row limit, or larger than 64 MiB, 422;
a query still running at the time limit is stopped and answers 504; no free worker within the
time limit 503.

HTTP is a Starlette application (``app``) on uvicorn (``server``), with connection limits uvicorn
lacks (time to send a request, open connections at once) in ``connection``; what each route
answers is in ``handlers``, independent of the framework.

Queries run in worker processes, each holding the graph in an in-memory Oxigraph store, and
answers are written there by Oxigraph's own result writers (``workers``). A
running Oxigraph query cannot be interrupted from Python, so a query that outlives the time
limit has its worker killed and replaced; the other workers keep serving meanwhile.

>>> negotiate("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", ["text/turtle", "text/html"])
'text/html'
>>> negotiate("*/*", ["text/turtle", "text/html"])
'text/turtle'
"""

from mpdkg.serve.protocol import (
    DEFAULT_HOST,
    DEFAULT_MAX_ROWS,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    Refused,
    ServeError,
    check_query,
    default_prefixes,
    negotiate,
)
from mpdkg.serve.server import Server, close, make_server
from mpdkg.serve.service import Service
from mpdkg.serve.workers import WorkerPool, isolate_network

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WORKERS",
    "Refused",
    "ServeError",
    "Server",
    "Service",
    "WorkerPool",
    "check_query",
    "close",
    "default_prefixes",
    "isolate_network",
    "make_server",
    "negotiate",
]
