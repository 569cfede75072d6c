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

Refusals, each with a plain-text reason: SPARQL Update and ``SERVICE`` (checked in the parsed
algebra, not the text) answer 403; a syntax error 400; an answer longer than the row limit 422;
a query still running at the time limit is stopped and answers 504; no free worker within the
time limit 503.

Queries run in worker processes, each holding the graph in an in-memory Oxigraph store. A
running Oxigraph query cannot be interrupted from Python, so a query that outlives the time
limit has its worker killed and replaced; the other workers keep serving meanwhile.

>>> negotiate("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", ["text/turtle", "text/html"])
'text/html'
>>> negotiate("*/*", ["text/turtle", "text/html"])
'text/turtle'
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import multiprocessing
import os
import queue
import re
import shutil
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from mpdkg import paths
from mpdkg.errors import MpdkgError

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
BASE_IRI = "https://w3id.org/mpdkg/"

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
_ENTITY_PATH = re.compile(r"^/[a-z][a-z0-9-]*(?:/[A-Za-z0-9._~%:+-]+)*/?$")


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


def _default_prefixes() -> dict[str, str]:
    """Prefixes a query may use without declaring them (the CLI's: mpd:, rdfs:, country:, ...)."""
    from mpdkg.sparqltext import query_prefixes

    return query_prefixes()


def check_query(text: str) -> str:
    """The query form (select, ask, construct, describe); raises Refused for updates, SERVICE,
    parser-hostile texts and unknown prefixes.

    The check is ``mpdkg.sparqltext.check``, the same front door as the CLI's: it reads the text
    as Oxigraph (which runs the query) does and as rdflib does, and refuses what either reading
    shows. It takes no lock and no parser: the syntax is judged by Oxigraph in the worker,
    inside the time limit."""
    from mpdkg.sparqltext import QueryRefused, UpdateRefused, check

    if not text.strip():
        raise Refused(400, "empty query: pass the SPARQL text as query=...")
    try:
        return check(text).form
    except UpdateRefused:
        raise Refused(403, "SPARQL Update is not allowed: this endpoint is read-only") from None
    except QueryRefused as exc:
        raise Refused(exc.status, str(exc)) from None


# --- the worker processes -----------------------------------------------------------------------


def _term_info(term) -> tuple:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    return ("literal", term.value, term.language or "", term.datatype.value if term.datatype else "")


def _to_xml(result) -> str:
    """SPARQL 1.1 Query Results XML Format."""
    from rdflib import BNode, URIRef

    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    if result.kind == "ask":
        out += ["  </head>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["  </head>", "  <results>"]
    for row in result.rows:
        out.append("    <result>")
        for name, term in zip(result.variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, URIRef):
                value = f"<uri>{xml_escape(str(term))}</uri>"
            elif isinstance(term, BNode):
                value = f"<bnode>{xml_escape(str(term))}</bnode>"
            elif term.language:
                value = f"<literal xml:lang={quoteattr(term.language)}>{xml_escape(str(term))}</literal>"
            elif term.datatype:
                value = f"<literal datatype={quoteattr(str(term.datatype))}>{xml_escape(str(term))}</literal>"
            else:
                value = f"<literal>{xml_escape(str(term))}</literal>"
            out.append(f"      <binding name={quoteattr(name)}>{value}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _serialize_triples(triples: list, fmt: str) -> bytes:
    import pyoxigraph as ox

    from mpdkg.build import PREFIXES

    triples = sorted(triples, key=str)
    if fmt == "jsonld":
        from rdflib import Graph

        from mpdkg.dumps import jsonld_context
        from mpdkg.engine import from_ox

        graph = Graph()
        for t in triples:
            graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        text = graph.serialize(
            format="json-ld", context=jsonld_context()["@context"], auto_compact=True, indent=1
        )
        return text.encode("utf-8")
    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }
    used = {
        t.value for x in triples for t in (x.subject, x.predicate, x.object) if isinstance(t, ox.NamedNode)
    }
    prefixes = {
        p: str(ns)
        for p, ns in PREFIXES.items()
        if fmt in ("turtle", "rdfxml") and any(u.startswith(str(ns)) for u in used)
    }
    if prefixes:
        return ox.serialize(triples, format=formats[fmt], prefixes=prefixes)
    return ox.serialize(triples, format=formats[fmt])


def _run_query(store, text: str, fmt: str, max_rows: int, default_graphs: list, named_graphs: list):
    import pyoxigraph as ox

    from mpdkg import results as R
    from mpdkg.engine import from_ox
    from mpdkg.results import QueryResult

    options: dict = {"prefixes": _default_prefixes()}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    too_many = (
        422,
        f"the answer has more than {max_rows:,} rows (this server's limit); "
        "add LIMIT and OFFSET to page through it",
    )
    try:
        answer = store.query(text, **options)
        if isinstance(answer, ox.QueryBoolean):
            result = QueryResult("ask", boolean=bool(answer))
        elif isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                if len(rows) >= max_rows:
                    return ("error", *too_many)
                rows.append(tuple(from_ox(solution[v]) for v in variables))
            result = QueryResult("select", variables=variables, rows=rows)
        else:
            if fmt not in GRAPH_TYPES.values():
                return ("error", 400, "the query's form (SELECT, ASK, CONSTRUCT, DESCRIBE) is ambiguous")
            triples = []
            for triple in answer:
                if len(triples) >= max_rows:
                    return ("error", *too_many)
                triples.append(triple)
            return ("ok", MEDIA[fmt], _serialize_triples(triples, fmt), len(triples))
    except SyntaxError as exc:
        from mpdkg.sparqltext import oxigraph_syntax_message

        return ("error", 400, oxigraph_syntax_message(text, exc))
    except OSError as exc:
        if "SERVICE" in str(exc).upper() or "network" in str(exc).lower():
            return ("error", 403, "SERVICE is not allowed: this endpoint never calls other endpoints")
        return ("error", 500, "the query could not be evaluated; see the server log")
    writers = {"json": R.to_json, "csv": R.to_csv, "tsv": R.to_tsv, "xml": _to_xml}
    if fmt not in writers:  # the text read as one form, Oxigraph ran another: say so, never guess
        return ("error", 400, "the query's form (SELECT, ASK, CONSTRUCT, DESCRIBE) is ambiguous")
    body = writers[fmt](result).encode("utf-8")
    count = len(result.rows) if result.kind == "select" else 1
    return ("ok", MEDIA[fmt], body, count)


def _describe(store, iri: str, fmt: str, max_links: int = 1000):
    """The triples of a resource and of its parts (IRIs below it, blank nodes), and for HTML the
    links into it and the labels of everything shown."""
    import pyoxigraph as ox

    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    node = ox.NamedNode(iri)
    seen, todo, triples = set(), [node], set()
    while todo and len(triples) < 50_000:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for quad in store.quads_for_pattern(subject, None, None):
            triples.add(quad.triple)
            o = quad.object
            if isinstance(o, ox.BlankNode) or (
                isinstance(o, ox.NamedNode) and o.value.startswith((iri + "/", iri + "#"))
            ):
                todo.append(o)
    if iri.endswith("/ontology"):  # the ontology's terms are its hash IRIs
        prefix = str(ox.Literal(iri + "#"))  # N-Triples form: quoted and escaped
        for solution in store.query(
            f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), {prefix})) }}",
            use_default_graph_as_union=True,
        ):
            for quad in store.quads_for_pattern(solution["s"], rdfs_label, None):
                triples.add(quad.triple)
    incoming = set()
    for quad in store.quads_for_pattern(None, None, node):
        incoming.add(quad.triple)
        if len(incoming) >= max_links:
            break
    if not triples and not incoming:
        return ("missing",)
    if fmt != "html":
        return ("ok", MEDIA[fmt], _serialize_triples(list(triples), fmt), len(triples))
    labels: dict[str, str] = {}
    for term in (
        {t.predicate for t in triples | incoming}
        | {t.object for t in triples}
        | {t.subject for t in triples | incoming}
    ):
        if isinstance(term, ox.NamedNode) and term.value not in labels:
            found = {
                q.object.language or "": q.object.value
                for q in store.quads_for_pattern(term, rdfs_label, None)
            }
            if found:
                labels[term.value] = found.get("en") or found.get("") or sorted(found.values())[0]
    data = {
        "triples": sorted(tuple(_term_info(x) for x in (t.subject, t.predicate, t.object)) for t in triples),
        "incoming": sorted(tuple(_term_info(x) for x in (t.subject, t.predicate)) for t in incoming),
        "truncated": len(incoming) >= max_links,
        "labels": labels,
    }
    return ("ok", "html", data, len(triples))


_TASKS = {"query": _run_query, "describe": _describe}


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1.0)


CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def isolate_network() -> bool:
    """Move this process into a network namespace of its own, with no interface up: any
    connection it opens, from Python or from Oxigraph's Rust code (which Python's audit hooks
    never see), fails at once. Defence in depth behind the SERVICE check. Returns whether the
    isolation took (root may unshare the network; others need unprivileged user namespaces)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return False
    unshare = getattr(libc, "unshare", None)
    if unshare is None:
        return False
    if unshare(CLONE_NEWNET) == 0:
        return True
    return unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0


def _worker_main(conn, data_file: str, parent: int) -> None:
    """One query worker: cut itself off the network, load the graph, then answer tasks until
    told to stop."""
    import signal

    isolated = isolate_network()  # first, while this process has a single thread
    from mpdkg import netguard

    netguard.install()
    netguard.guard_process()  # and Python-level connections refused too, isolated or not
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        import pyoxigraph as ox

        store = ox.Store()
        store.load(path=data_file, format=ox.RdfFormat.N_QUADS)
    except Exception as exc:  # report any failure to the server rather than dying silently
        conn.send(("failed", f"{exc.__class__.__name__}: {exc}"))
        return
    conn.send(("ready", (len(store), isolated)))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            answer = _TASKS[task[0]](store, *task[1:])
        except ValueError:  # an IRI Oxigraph will not take, and the like: the client's mistake
            answer = ("error", 400, "the request names something that is not a valid IRI or term")
        except Exception:
            import traceback

            traceback.print_exc()
            answer = ("error", 500, "internal error; see the server log")
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    conn: object
    triples: int


class WorkerPool:
    """Worker processes holding the graph; a task that runs past its time limit has its worker
    killed and a fresh one started in the background."""

    def __init__(self, data_file: Path, size: int = DEFAULT_WORKERS):
        if size < 1:
            raise ServeError("--workers must be at least 1")
        self.data_file = str(data_file)
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self.triples = 0
        self.network_isolated = False
        self.restarts = 0
        for _ in range(size):
            worker = self._start()
            self._idle.put(worker)

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(child_end, self.data_file, os.getpid()),
            daemon=True,
            name="mpdkg-query",
        )
        process.start()
        child_end.close()
        if not parent_end.poll(WORKER_START_TIMEOUT):
            process.kill()
            raise ServeError(f"a query worker did not start within {WORKER_START_TIMEOUT:g} s")
        try:
            status, detail = parent_end.recv()
        except EOFError:
            raise ServeError("a query worker stopped while loading the graph") from None
        if status != "ready":
            process.join(5)
            raise ServeError(f"a query worker could not load the graph: {detail}")
        triples, isolated = detail
        worker = _Worker(process, parent_end, triples)
        with self._lock:
            self._live.add(worker)
            self.triples = triples
            self.network_isolated = isolated
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        with contextlib.suppress(OSError):
            worker.conn.close()

    def _replace(self) -> None:
        def start() -> None:
            try:
                worker = self._start()
            except ServeError as exc:
                log.error("could not start a replacement query worker: %s", exc)
                return
            if self._closed:
                self._discard(worker)
            else:
                self._idle.put(worker)

        self.restarts += 1
        threading.Thread(target=start, name="mpdkg-respawn", daemon=True).start()

    def run(self, task: tuple, timeout: float):
        """Run one task on a free worker; raises Refused (503 busy, 504 too slow)."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Refused(
                503, "all query workers are busy; try again shortly", {"Retry-After": "2"}
            ) from None
        try:
            worker.conn.send(task)
            if worker.conn.poll(timeout):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, BrokenPipeError, OSError):
            self._discard(worker)
            self._replace()
            raise Refused(
                500, "the query worker stopped unexpectedly (out of memory?); it was restarted"
            ) from None
        self._discard(worker)
        self._replace()
        raise Refused(504, f"the query was stopped after {timeout:g} s (this server's time limit)")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._live)
        for worker in workers:
            with contextlib.suppress(BrokenPipeError, OSError):
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(2)
            self._discard(worker)


# --- the service --------------------------------------------------------------------------------


def _prepare_data(data: list[Path] | None, folder: Path) -> Path:
    """All the data to serve as one N-Quads file the workers load (named graphs kept)."""
    import pyoxigraph as ox

    from mpdkg.query import _built_dataset, default_data, load_store

    paths_ = list(data or [])
    if not paths_ and default_data():
        paths_ = [default_data()]
    if paths_:
        store = load_store(paths_)
    else:
        from mpdkg.engine import store_from_dataset

        store = store_from_dataset(_built_dataset())
    target = folder / "data.nq"
    store.dump(output=str(target), format=ox.RdfFormat.N_QUADS)
    return target


class Service:
    """The state behind the HTTP handler: the worker pool, limits and the prepared pages."""

    def __init__(
        self,
        data: list[Path] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_rows: int = DEFAULT_MAX_ROWS,
        workers: int = DEFAULT_WORKERS,
        base_iri: str = BASE_IRI,
        public_base: str | None = None,
        cors: bool = False,
    ):
        if public_base is not None and not re.match(
            r"^https?://[^\s/<>\"{}|\\^`]+(/[^\s<>\"{}|\\^`]*)?$", public_base
        ):
            raise ServeError(
                f"--public-base {public_base!r}: expected an address such as https://example.org/mpdkg/"
            )
        if timeout <= 0:
            raise ServeError("--timeout must be more than 0 seconds")
        if max_rows < 1:
            raise ServeError("--max-rows must be at least 1")
        self.timeout = timeout
        self.max_rows = max_rows
        self.base_iri = base_iri if base_iri.endswith("/") else base_iri + "/"
        self.public_base = (public_base.rstrip("/") + "/") if public_base else None
        self.cors = cors
        self.folder = Path(tempfile.mkdtemp(prefix="mpdkg-serve-"))
        try:
            self.data_file = _prepare_data(data, self.folder)
            self.pool = WorkerPool(self.data_file, workers)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self._void: bytes | None = None
        self._void_lock = threading.Lock()
        self.query_page = render_query_page(timeout, max_rows)

    def close(self) -> None:
        self.pool.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def allowed_host(self, host: str, bound: tuple) -> bool:
        """Whether a request's Host header names this server: the configured public address,
        the address it listens on, or this machine (127.0.0.1, localhost, ::1)."""
        name = host.strip().lower()
        if name.startswith("["):  # [::1]:8000
            name = name[1 : name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.rsplit(":", 1)[0]
        allowed = {*LOCAL_HOSTS, str(bound[0]).lower()}
        if self.public_base:
            allowed.add((urllib.parse.urlsplit(self.public_base).hostname or "").lower())
        return name in allowed

    def endpoint_url(self, bound: tuple) -> str:
        """The endpoint address this server advertises: the configured public base, else the
        address it listens on. Never taken from a request (a Host header is the client's word)."""
        if self.public_base:
            return self.public_base + "sparql"
        host = bound[0]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{bound[1]}/sparql"

    def void_graph(self, endpoint: str):
        """The VoID/DCAT description of the served data (computed on first use)."""
        with self._void_lock:
            if self._void is None:
                from rdflib import Dataset

                from mpdkg.publish import void_graph, void_turtle

                ds = Dataset()
                ds.parse(str(self.data_file), format="nquads")
                from mpdkg import __version__

                self._void = void_turtle(void_graph(ds, __version__, endpoint=endpoint))
            return self._void


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
    from mpdkg.catalogue import catalogue
    from mpdkg.query import bind

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
    from mpdkg.build import PREFIXES

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


# --- HTTP ---------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server_version = "mpdkg"
    protocol_version = "HTTP/1.0"
    timeout = SOCKET_TIMEOUT  # a request line, header or body slower than this is dropped

    @property
    def service(self) -> Service:
        return self.server.service  # type: ignore[attr-defined]

    # logging: one line per request, through the logging module
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        log.debug("%s - " + format, self.address_string(), *args)

    def _handle(self, method: str) -> None:
        started = time.monotonic()
        self._status = 0
        self._head = method == "HEAD"
        try:
            try:
                self._dispatch(method)
            except Refused as exc:
                self._plain(exc.status, exc.message, exc.headers)
        except (BrokenPipeError, ConnectionResetError):
            self._status = self._status or 499
        except TimeoutError:
            self._status = self._status or 408
            self.close_connection = True
        except Exception:
            log.exception("error answering %s %s", method, self.path)
            if not self._status:
                with contextlib.suppress(OSError):
                    self._plain(500, "internal error; see the server log")
        finally:
            elapsed = (time.monotonic() - started) * 1000
            shown = self.path if len(self.path) <= 200 else self.path[:200] + "…"
            log.info("%s %s %s %d %.1f ms", self.client_address[0], method, shown, self._status, elapsed)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    # responses
    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self._status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not self._head:
            self.wfile.write(body)

    def _plain(self, status: int, message: str, headers: dict | None = None) -> None:
        self._send(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

    def _cors(self) -> dict:
        """CORS only when asked for (--cors), and then for anonymous reads only: no credentials."""
        return {"Access-Control-Allow-Origin": "*"} if self.service.cors else {}

    def _endpoint_url(self) -> str:
        return self.service.endpoint_url(self.server.server_address)

    # routing
    def _dispatch(self, method: str) -> None:
        host = self.headers.get("Host")
        if host is not None and not self.service.allowed_host(host, self.server.server_address):
            raise Refused(
                400, "unknown Host: this server answers for its own address only (see --public-base)"
            )
        url = urllib.parse.urlsplit(self.path)
        try:
            path = urllib.parse.unquote(url.path, errors="strict")
        except UnicodeDecodeError:
            raise Refused(400, "the path has %-escapes that are not UTF-8") from None
        if method == "OPTIONS":
            headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
            if self.service.cors:
                headers |= {
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "GET",
                    "Access-Control-Allow-Headers": "Accept",
                }
            self._send(204, b"", "text/plain", headers)
            return
        if path in ("/sparql", "/sparql/", "/query"):
            self._sparql(method, url)
            return
        if path in ("/update", "/store", "/sparql-auth") or method in ("PUT", "DELETE", "PATCH"):
            raise Refused(403, "this endpoint is read-only: no SPARQL Update, no Graph Store writes")
        if method == "POST":
            raise Refused(405, "POST is only for /sparql", {"Allow": "GET, HEAD"})
        if path in ("/", "/index.html"):
            self._send(200, self.service.query_page, MEDIA["html"], {"Cache-Control": "no-cache"})
        elif path.startswith("/static/"):
            self._static(path[len("/static/") :])
        elif path in ("/.well-known/void", "/void.ttl", "/dataset"):
            self._void(url)
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        elif _ENTITY_PATH.match(path):
            self._entity(path, url)
        else:
            raise Refused(404, f"nothing at {path}")

    def _static(self, name: str) -> None:
        root = (paths.static_dir()).resolve()
        target = (root / name).resolve()
        if root not in target.parents or not target.is_file():
            raise Refused(404, f"no static file {name}")
        kind = STATIC_TYPES.get(target.suffix, STATIC_TYPES[""])
        self._send(200, target.read_bytes(), kind, {"Cache-Control": "public, max-age=86400"})

    def _void(self, url) -> None:
        params = urllib.parse.parse_qs(url.query)
        wanted = FORMAT_PARAM.get((params.get("format") or [""])[0])
        body = self.service.void_graph(self._endpoint_url())
        media = (
            wanted
            and MEDIA.get(wanted)
            or negotiate(self.headers.get("Accept"), ["text/turtle", "text/html"])
        )
        vary = {"Vary": "Accept", **self._cors()}
        if media and media.startswith("text/html"):
            self._send(
                200, render_text_page("Dataset description (VoID, DCAT)", body.decode()), MEDIA["html"], vary
            )
        else:
            self._send(200, body, MEDIA["turtle"], vary)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise Refused(411, "send the body with a Content-Length (no chunked transfer encoding)")
        raw = (self.headers.get("Content-Length") or "0").strip()
        if not raw.isdigit():  # also refuses -1, +5, 1e3 and the like
            raise Refused(400, f"bad Content-Length {raw[:40]!r}: expected a whole number of bytes")
        length = int(raw)
        if length > MAX_BODY:
            raise Refused(413, f"the request is larger than {MAX_BODY:,} bytes")
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise Refused(400, f"the body is shorter than its Content-Length ({len(body)} of {length} bytes)")
        return body

    def _sparql(self, method: str, url) -> None:
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if method == "POST":
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._read_body()
            if kind == "application/sparql-update":
                raise Refused(403, "SPARQL Update is not allowed: this endpoint is read-only")
            if kind == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", "replace"))
            elif kind in ("application/x-www-form-urlencoded", ""):
                for key, values in urllib.parse.parse_qs(
                    body.decode("utf-8", "replace"), keep_blank_values=True
                ).items():
                    params.setdefault(key, []).extend(values)
            else:
                raise Refused(
                    415, f"unsupported Content-Type {kind!r}: send a form or application/sparql-query"
                )
        elif method not in ("GET", "HEAD"):
            raise Refused(405, f"{method} is not allowed on /sparql", {"Allow": "GET, HEAD, POST"})
        if "update" in params:
            raise Refused(403, "SPARQL Update is not allowed: this endpoint is read-only")
        queries = params.get("query") or []
        if not queries:
            accept = self.headers.get("Accept")
            if negotiate(accept, ["text/turtle", "text/html"]) == "text/html" and "text/html" in (
                accept or ""
            ):
                self._send(303, b"", "text/plain", {"Location": "/"})
            else:
                self._send(200, service_description(self._endpoint_url()), MEDIA["turtle"], self._cors())
            return
        if len(queries) > 1:
            raise Refused(400, "give one query= parameter, not several")
        text = queries[0]
        form = check_query(text)
        fmt = self._result_format(form, params)
        task = (
            "query",
            text,
            fmt,
            self.service.max_rows,
            params.get("default-graph-uri", []),
            params.get("named-graph-uri", []),
        )
        answer = self.service.pool.run(task, self.service.timeout)
        if answer[0] == "error":
            raise Refused(answer[1], answer[2])
        _, media, body, _count = answer
        self._send(200, body, media, {**self._cors(), "Vary": "Accept"})

    def _result_format(self, form: str, params: dict) -> str:
        wanted = (params.get("format") or [""])[0].lower()
        graph_form = form in ("construct", "describe")
        allowed = GRAPH_TYPES if graph_form else RESULT_TYPES
        if wanted:
            fmt = FORMAT_PARAM.get(wanted)
            if fmt is None or fmt not in allowed.values():
                raise Refused(
                    406,
                    f"format={wanted} is not offered for {form.upper()}; use one of {', '.join(sorted(set(allowed.values())))}",
                )
            return fmt
        media = negotiate(self.headers.get("Accept"), list(allowed))
        if media is None:
            raise Refused(
                406,
                f"none of the requested types is offered for {form.upper()}; offered: {', '.join(allowed)}",
            )
        return allowed[media]

    def _entity(self, path: str, url) -> None:
        iri = self.service.base_iri + path.strip("/")
        if not _valid_iri(iri):
            raise Refused(404, "nothing here: the path does not make a valid IRI")
        params = urllib.parse.parse_qs(url.query)
        wanted = (params.get("format") or [""])[0].lower()
        offers = {
            "text/turtle": "turtle",
            "text/html": "html",
            "application/xhtml+xml": "html",
            **GRAPH_TYPES,
        }
        if wanted:
            fmt = FORMAT_PARAM.get(wanted)
            if fmt is None or fmt not in ("html", "turtle", "ntriples", "jsonld", "rdfxml"):
                raise Refused(406, f"format={wanted}: use html, ttl, jsonld, nt or rdf")
        else:
            media = negotiate(self.headers.get("Accept"), list(offers))
            if media is None:
                raise Refused(
                    406, "offered: text/html, text/turtle, application/ld+json, application/n-triples"
                )
            fmt = offers[media]
        answer = self.service.pool.run(("describe", iri, fmt), self.service.timeout)
        vary = {"Vary": "Accept", **self._cors()}
        if answer[0] == "missing":
            if fmt == "html":
                page = render_text_page("Not found", f"The graph has nothing about {iri}.")
                self._send(404, page, MEDIA["html"], vary)
                return
            raise Refused(404, f"the graph has nothing about {iri}")
        if answer[0] == "error":
            raise Refused(answer[1], answer[2])
        _, media, body, _count = answer
        if media == "html":
            self._send(200, render_entity_page(iri, body, self.service.base_iri), MEDIA["html"], vary)
        else:
            self._send(200, body, media, vary)


def _valid_iri(iri: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 refused connections under a burst of clients

    def __init__(self, address: tuple[str, int], service: Service, max_connections: int = MAX_CONNECTIONS):
        super().__init__(address, Handler)
        self.service = service
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request, client_address) -> None:
        """One thread per request, at most ``max_connections`` at once; the next ones are told
        503 straight away instead of each holding a thread."""
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(
                    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Retry-After: 2\r\nConnection: close\r\n\r\ntoo many requests at once; try again shortly\n"
                )
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def make_server(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    data: list[Path] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    workers: int = DEFAULT_WORKERS,
    public_base: str | None = None,
    cors: bool = False,
    max_connections: int = MAX_CONNECTIONS,
) -> Server:
    """The HTTP server with its workers started (call ``serve_forever``, then ``close``)."""
    service = Service(data, timeout, max_rows, workers, public_base=public_base, cors=cors)
    try:
        return Server((host, port), service, max_connections)
    except OSError as exc:
        service.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def close(server: Server) -> None:
    server.server_close()
    server.service.close()
