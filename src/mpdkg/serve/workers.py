"""Query worker processes: each holds the graph in an Oxigraph store, has no network at all,
parses and runs queries under the time limit, and is killed and replaced when a query outlives it."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mpdkg.query import package_query
from mpdkg.serve.protocol import (
    DEFAULT_WORKERS,
    GRAPH_TYPES,
    MEDIA,
    WORKER_START_TIMEOUT,
    Refused,
    ServeError,
    default_prefixes,
    log,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# --- the worker processes -----------------------------------------------------------------------


def _term_info(term) -> tuple:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    return ("literal", term.value, term.language or "", term.datatype.value if term.datatype else "")


MAX_ANSWER_BYTES = 64 * 1024 * 1024  # a SELECT answer is written up to this size, then refused

#: The SPARQL result formats, as Oxigraph's writers name them.
_RESULT_FORMATS = ("json", "xml", "csv", "tsv")


class _AnswerTooLarge(Exception):
    pass


class _CappedSink:
    """Where Oxigraph's result writer writes (in chunks of about 8 KiB): kept in memory up to
    ``cap`` bytes; one byte more stops the writer (and the query) at once."""

    def __init__(self, cap: int):
        self.parts: list[bytes] = []
        self.size = 0
        self.cap = cap

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise _AnswerTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _write_solutions(solutions, fmt: str, max_rows: int, cap: int = MAX_ANSWER_BYTES) -> tuple:
    """A SELECT answer written by Oxigraph's own result writer, straight from the running query
    (no row is turned into a Python object); then our row limit, counted in what was written, and
    for CSV and TSV the ``'`` prefix on cells a spreadsheet would run as a formula (JSON and XML
    keep the literal). An answer over ``cap`` bytes stops the query as soon as it gets there."""
    import pyoxigraph as ox

    from mpdkg.query import results as R

    sink = _CappedSink(cap)
    try:
        solutions.serialize(sink, format=getattr(ox.QueryResultsFormat, fmt.upper()))
    except _AnswerTooLarge:
        return (
            "error",
            422,
            f"the answer is larger than {cap / 1048576:g} MiB (this server's limit); "
            "add LIMIT and OFFSET to page through it",
        )
    body = b"".join(sink.parts)
    if R.more_rows_than(body, fmt, max_rows):
        return ("error", *_too_many(max_rows))
    if fmt == "csv":
        body = R.spreadsheet_safe_csv(body)
    elif fmt == "tsv":
        body = R.spreadsheet_safe_tsv(body)
    return ("ok", MEDIA[fmt], body, None)


def _write_boolean(answer, fmt: str) -> bytes:
    """An ASK answer: Oxigraph's writer for JSON and XML; ours for CSV and TSV, which Oxigraph
    writes as a bare ``true`` with no ``_askResult`` header."""
    import pyoxigraph as ox

    from mpdkg.query import results as R

    if fmt in ("csv", "tsv"):
        return R.serialize(R.QueryResult("ask", boolean=bool(answer)), fmt)
    written = answer.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper()))
    assert written is not None  # no output given: the bytes are returned
    return written


def _too_many(max_rows: int) -> tuple[int, str]:
    return (
        422,
        f"the answer has more than {max_rows:,} rows (this server's limit); "
        "add LIMIT and OFFSET to page through it",
    )


def _serialize_triples(triples: list, fmt: str) -> bytes:
    import pyoxigraph as ox

    from mpdkg.namespaces import PREFIXES

    triples = sorted(triples, key=str)
    if fmt == "jsonld":
        from rdflib import Graph

        from mpdkg.rdf.dumps import jsonld_context
        from mpdkg.rdf.engine import from_ox

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
        written = ox.serialize(triples, format=formats[fmt], prefixes=prefixes)
    else:
        written = ox.serialize(triples, format=formats[fmt])
    assert written is not None  # no output given: the bytes are returned
    return written


def _query_options(default_graphs: list, named_graphs: list) -> dict:
    import pyoxigraph as ox

    options: dict = {"prefixes": default_prefixes()}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return options


AMBIGUOUS = (400, "the query's form (SELECT, ASK, CONSTRUCT, DESCRIBE) is ambiguous")


def _run_query(store, text: str, fmt: str, max_rows: int, default_graphs: list, named_graphs: list):
    """Parse and run one query (here, in the worker, under the time limit) and write its answer:
    ``("ok", media type, body, count)`` or ``("error", status, message)``."""
    import pyoxigraph as ox

    try:
        answer = store.query(text, **_query_options(default_graphs, named_graphs))
        if isinstance(answer, ox.QueryBoolean):
            if fmt not in _RESULT_FORMATS:  # the text read as one form, Oxigraph ran another
                return ("error", *AMBIGUOUS)
            return ("ok", MEDIA[fmt], _write_boolean(answer, fmt), 1)
        if isinstance(answer, ox.QuerySolutions):
            if fmt not in _RESULT_FORMATS:
                return ("error", *AMBIGUOUS)
            return _write_solutions(answer, fmt, max_rows)
        if fmt not in GRAPH_TYPES.values():
            return ("error", *AMBIGUOUS)
        triples: list[ox.Triple] = []
        for triple in answer:
            if len(triples) >= max_rows:
                return ("error", *_too_many(max_rows))
            triples.append(triple)
        return ("ok", MEDIA[fmt], _serialize_triples(triples, fmt), len(triples))
    except SyntaxError as exc:
        from mpdkg.query.parse import oxigraph_syntax_message

        return ("error", 400, oxigraph_syntax_message(text, exc))
    except OSError as exc:
        if "SERVICE" in str(exc).upper() or "network" in str(exc).lower():
            return ("error", 403, "SERVICE is not allowed: this endpoint never calls other endpoints")
        return ("error", 500, "the query could not be evaluated; see the server log")


def _describe(store, iri: str, fmt: str, max_links: int = 1000):
    """The triples of a resource and of its parts (IRIs below it, blank nodes), and for HTML the
    links into it and the labels of everything shown."""
    import pyoxigraph as ox

    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    node = ox.NamedNode(iri)
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [node]
    triples: set[ox.Triple] = set()
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
        text = serve_query("ontology-terms").replace("WHERE {", f"WHERE {{ VALUES ?prefix {{ {prefix} }}", 1)
        for solution in store.query(text, use_default_graph_as_union=True):
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


_TASKS: dict[str, Callable[..., tuple[Any, ...]]] = {"query": _run_query, "describe": _describe}


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


def _load(conn, data_file: str, parent: int, warm: bool = False):
    """Cut this process off the network, load the graph (and warm up, if asked) and tell the
    server: the store, or None when loading failed (the server is told why)."""
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
        if warm:
            _warm_up(store)
    except Exception as exc:  # report any failure to the server rather than dying silently
        conn.send(("failed", f"{exc.__class__.__name__}: {exc}"))
        return None
    conn.send(("ready", (len(store), isolated)))
    return store


def _answer_tasks(conn, store) -> None:
    """Answer tasks until told to stop (None) or the server goes away."""
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


def _worker_main(conn, data_file: str, parent: int) -> None:
    """One query worker started on its own: load the graph, then answer tasks."""
    store = _load(conn, data_file, parent)
    if store is not None:
        _answer_tasks(conn, store)


#: The queries a zygote runs once before forking workers (src/mpdkg/serve/queries/warm-up-*.rq).
WARM_UP = ("warm-up-select", "warm-up-ask", "warm-up-construct", "warm-up-syntax-error")


@functools.cache
def serve_query(name: str) -> str:
    """The text of ``src/mpdkg/serve/queries/<name>.rq``, read once per process (the zygote reads
    them all while warming up, so its workers inherit them)."""
    return package_query("serve", name)


def _warm_up(store) -> list[tuple]:
    """Import and run once what the tasks use (the result writers, the serialisers, the
    syntax-error reader), so that a worker forked from here answers its first query as fast as
    its hundredth: importing rdflib alone costs a forked worker about 0.2 s of CPU. Returns the
    answers (all "ok" but the syntax error's, a 400)."""
    select, ask, construct, broken = (serve_query(name) for name in WARM_UP)
    serve_query("ontology-terms")
    answers = [_run_query(store, select, fmt, 10, [], []) for fmt in _RESULT_FORMATS]
    answers.append(_run_query(store, ask, "csv", 10, [], []))
    answers += [_run_query(store, construct, fmt, 10, [], []) for fmt in sorted(set(GRAPH_TYPES.values()))]
    answers.append(_run_query(store, broken, "json", 10, [], []))
    with contextlib.suppress(ValueError):
        _describe(store, "https://w3id.org/mpdkg/", "html")
    return answers


def _zygote_main(conn, data_file: str, parent: int) -> None:
    """The process that loads the graph once and forks query workers from itself on request
    (milliseconds, memory shared copy-on-write, instead of a new process loading the graph
    again). Each request is the word "fork" followed by the server's end of a new pipe, passed
    as a file descriptor; the answer is the new worker's process id."""
    import signal
    from multiprocessing.connection import Connection
    from multiprocessing.reduction import recv_handle

    store = _load(conn, data_file, parent, warm=True)
    if store is None:
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the workers are reaped by the kernel
    zygote = os.getpid()
    while True:
        try:
            if conn.recv() != "fork":
                return
            fd = recv_handle(conn)
        except (EOFError, OSError):
            return
        pid = os.fork()
        if pid == 0:  # the new worker: only this thread exists here
            code = 0
            try:
                conn.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                threading.Thread(target=_watch_parent, args=(zygote,), daemon=True).start()
                _answer_tasks(Connection(fd), store)
            except BaseException:
                code = 1
            finally:
                with contextlib.suppress(Exception):
                    import sys

                    sys.stderr.flush()
                os._exit(code)
        os.close(fd)
        conn.send(("forked", pid))


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc (Linux); None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


LOW_PRIORITY = 19  # the nice value of a long query's worker: a nice-0 process gets ~98 % of a core
WAITING_SHARE = 5  # while requests wait for a worker, a query is long after 1/5 of the CPU budget
#: ... but never before this much CPU: the heaviest catalogue query takes 36 ms of CPU on an idle
#: machine (weak-sources; the others at most 25 ms) and up to ~50 ms on a busy one, so a cheap
#: query is never taken for a runaway (and refused 503 while the long ones' places are taken).
SHORT_BUDGET_FLOOR = 0.08


def short_budget(preempt_after: float) -> float:
    """The CPU seconds after which a query counts as long while other requests wait."""
    return min(preempt_after, max(preempt_after / WAITING_SHARE, SHORT_BUDGET_FLOOR))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_max_long(size: int, cores: int | None = None) -> int:
    """How many long queries may run at once by default: no more than the workers, and no more
    than the cores less one (at least one), so that however many runaways arrive, at least one
    core never runs one and the cheap queries keep it (nice 19 yields the processor, not the
    memory bandwidth and caches a runaway thrashes)."""
    cores = usable_cores() if cores is None else cores
    return max(1, min(size, cores - 1))


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection
    process: BaseProcess | None = None  # None for a worker forked by the zygote
    long: bool = False  # running a long query at low priority; retired when it ends

    def kill(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, 9)
        with contextlib.suppress(OSError):
            self.conn.close()


class WorkerPool:
    """Worker processes holding the graph, forked from one process that loaded it.

    ``size`` workers at normal priority answer queries. A query that has used more than
    ``preempt_after`` seconds of CPU (while requests wait for a worker, its :func:`short_budget`:
    a fifth of that, at least 80 ms) becomes a *long* query: its worker is set to the lowest
    priority (nice 19), so the cheap queries of everyone else keep the cores, and a fresh worker
    takes its place among the ``size`` at once. At most ``max_long`` long queries run at once
    (default: the cores less one, at most ``size``; see :func:`default_max_long`); a query that
    would be one more is stopped and answered 503 with Retry-After. A long query still stops at
    the time limit (its worker killed, 504); when it ends its worker is retired (a process cannot
    get its priority back without privileges). ``spares`` workers stand by, forked ahead of time,
    so that a replacement is ready at once; with ``preempt_after`` 0 every query runs to the time
    limit at normal priority.

    So however many runaways arrive, they run on at most ``max_long`` workers at nice 19, and
    each holds one of the ``size`` normal workers only for its CPU budget: a cheap query waits at
    most for that, never for a runaway to end."""

    def __init__(
        self,
        data_file: Path,
        size: int = DEFAULT_WORKERS,
        spares: int = 1,
        preempt_after: float = 0.25,
        max_long: int | None = None,
    ):
        if size < 1:
            raise ServeError("--workers must be at least 1")
        if spares < 0 or preempt_after < 0 or (max_long is not None and max_long < 0):
            raise ServeError("spares, preempt_after and max_long must not be negative")
        self.data_file = str(data_file)
        self.size = size
        self.spares = spares
        self.preempt_after = preempt_after
        self.max_long = default_max_long(size) if max_long is None else max_long
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._standby: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._zygote_lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._long = 0
        self._waiting = 0  # requests waiting for a worker
        self.triples = 0
        self.network_isolated = False
        self.restarts = 0
        self.preempted = 0
        self.demoted = 0
        self._zygote: _Worker | None = self._spawn(_zygote_main)
        for _ in range(size):
            self._idle.put(self._new())
        for _ in range(spares):
            self._standby.put(self._new())

    def _spawn(self, target: Callable[..., None] = _worker_main) -> _Worker:
        """A new process that loads the graph itself (the zygote, or a worker if it is gone)."""
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=target,
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
        assert process.pid is not None
        worker = _Worker(process.pid, parent_end, process)
        with self._lock:
            self.triples = triples
            self.network_isolated = isolated
        return worker

    def _fork(self) -> _Worker:
        from multiprocessing.reduction import send_handle

        with self._zygote_lock:
            zygote = self._zygote
            if zygote is None:
                raise ServeError("no zygote")
            parent_end, child_end = self._context.Pipe()
            try:
                zygote.conn.send("fork")
                send_handle(zygote.conn, child_end.fileno(), zygote.pid)
            finally:
                child_end.close()
            if not zygote.conn.poll(WORKER_START_TIMEOUT):
                raise ServeError("the zygote did not fork a worker")
            _status, pid = zygote.conn.recv()
        return _Worker(pid, parent_end)

    def _new(self) -> _Worker:
        """A new worker at normal priority: forked from the zygote, or spawned if that fails."""
        try:
            worker = self._fork()
        except (EOFError, OSError, ServeError) as exc:
            if self._zygote is not None:
                log.warning("could not fork a query worker (%s); starting them on their own", exc)
                with self._zygote_lock:
                    if self._zygote is not None:
                        self._zygote.kill()
                        self._zygote = None
            worker = self._spawn()
        with self._lock:
            self._live.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
            if worker.long:
                worker.long = False
                self._long -= 1
        worker.kill()

    def _replace(self) -> None:
        """Put a standby worker to work at once (if one is ready) and start a new one behind it."""
        try:
            self._idle.put(self._standby.get_nowait())
            target = self._standby
        except queue.Empty:
            target = self._idle

        def start() -> None:
            try:
                worker = self._new()
            except ServeError as exc:
                log.error("could not start a replacement query worker: %s", exc)
                return
            if self._closed:
                self._discard(worker)
            else:
                target.put(worker)

        self.restarts += 1
        threading.Thread(target=start, name="mpdkg-respawn", daemon=True).start()

    def _is_long(self, worker: _Worker, began: float, cpu_began: float | None) -> bool:
        """Whether the task has used ``preempt_after`` seconds of CPU, or a fifth of that while
        other requests wait for a worker (the heaviest go on at low priority first, so the short
        ones behind them are not held up). CPU time, not time on the clock: on a machine busy with
        other work (or with many clients) a cheap query may take long to finish without taking
        much from anyone (where /proc cannot tell the CPU time, the clock is used)."""
        if not self.preempt_after:
            return False
        budget = short_budget(self.preempt_after) if self._waiting else self.preempt_after
        if time.monotonic() - began < budget:
            return False
        used = cpu_seconds(worker.pid)
        if used is None or cpu_began is None:
            return True
        return used - cpu_began >= budget

    def _demote(self, worker: _Worker, began: float) -> None:
        """Make the task on ``worker`` a long query at low priority, its place taken by a fresh
        worker; or stop it (503) when ``max_long`` long queries already run."""
        with self._lock:
            allowed = self._long < self.max_long
            if allowed:
                self._long += 1
                worker.long = True
        log.info(
            "long query after %.2f s (%s): %s",
            time.monotonic() - began,
            "lowered to nice 19" if allowed else f"stopped, {self.max_long} long ones run already",
            "others waiting" if self._waiting else "none waiting",
        )
        if not allowed:
            self.preempted += 1
            self._discard(worker)
            self._replace()
            raise Refused(
                503,
                f"the query was stopped after {time.monotonic() - began:.2f} s: {self.max_long} long "
                "queries are running already, and long queries run a few at a time; try again "
                "shortly, or narrow the query (LIMIT, a smaller pattern)",
                {"Retry-After": "5"},
            )
        self.demoted += 1
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, worker.pid, LOW_PRIORITY)
        self._replace()

    def _take(self, timeout: float) -> _Worker:
        with self._lock:
            self._waiting += 1
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Refused(
                503, "all query workers are busy; try again shortly", {"Retry-After": "2"}
            ) from None
        finally:
            with self._lock:
                self._waiting -= 1

    def run(self, task: tuple, timeout: float):
        """Run one task on a free worker; raises Refused (503 busy or too many long queries,
        504 too slow)."""
        worker = self._take(timeout)
        began = time.monotonic()
        cpu_began = cpu_seconds(worker.pid)
        try:
            worker.conn.send(task)
            deadline = began + timeout
            while (left := deadline - time.monotonic()) > 0:
                if worker.conn.poll(min(left, 0.02)):
                    answer = worker.conn.recv()
                    if worker.long:
                        self._discard(worker)  # its place was taken when it went long
                    else:
                        self._idle.put(worker)
                    return answer
                if not worker.long and self._is_long(worker, began, cpu_began):
                    self._demote(worker, began)
        except (EOFError, BrokenPipeError, OSError):
            was_long = worker.long
            self._discard(worker)
            if not was_long:
                self._replace()
            raise Refused(
                500, "the query worker stopped unexpectedly (out of memory?); it was restarted"
            ) from None
        was_long = worker.long
        self._discard(worker)
        if not was_long:
            self._replace()
        raise Refused(504, f"the query was stopped after {timeout:g} s (this server's time limit)")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._live)
        if self._zygote is not None:
            workers.append(self._zygote)
        for worker in workers:
            with contextlib.suppress(BrokenPipeError, OSError):
                worker.conn.send(None)
        for worker in workers:
            if worker.process is not None:
                worker.process.join(2)
            worker.kill()
