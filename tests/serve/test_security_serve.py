"""Attacks on `mpdkg serve`, replayed as regression tests (issue #21): each was reproduced on
127.0.0.1 against an earlier version and must now be refused, bounded or harmless."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import re
import socket
import threading
import time

import pytest

from mpdkg.serve import isolate_network
from tests.serve.serving import call, mpdkg_serve, sparql
from tests.servers import Listener

TIME_LIMIT = 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    with mpdkg_serve(folder, "--timeout", str(TIME_LIMIT), "--workers", "2") as running:
        yield running


def bypasses(port: int) -> list[str]:
    """SERVICE hidden from one reading of the text but seen by another."""
    target = f"http://127.0.0.1:{port}/query"
    return [
        # rdflib expands \u000A and sees a string; Oxigraph sees a comment, then SERVICE
        f'SELECT * WHERE {{ # \\u000A FILTER(STR(?x) != """\nSERVICE <{target}> {{ ?s ?p ?o }}\n# """)\n}}',
        # the same with the escape for '#'
        f'SELECT * WHERE {{ \\u0023 FILTER(STR(?x) != """\nSERVICE <{target}> {{ ?s ?p ?o }}\n# """)\n}}',
        # a quote written as an escape closes rdflib's string early
        f'SELECT * WHERE {{ ?s ?p "a\\u0022 . SERVICE <{target}> {{ ?s ?p ?o }} # \\u0022" }}',
        # a fragment IRI before the keyword on the same line
        f"SELECT * WHERE {{ ?s <http://x#a> ?o . SERVICE <{target}> {{ ?a ?b ?c }} }}",
        # lower case, SILENT, no spaces
        f"SELECT * WHERE {{?s ?p ?o OPTIONAL{{service silent<{target}>{{?s ?p ?o}}}}}}",
        # a prefixed name's escaped quote (PN_LOCAL_ESC, \\') opened a string for the check's
        # tokenizer, which then hid the SERVICE; Oxigraph reads ex:a\\' as one name (found s8)
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s ex:a\\' ?o }} "
        f"SERVICE <{target}> {{ ?a ?b ?c }} FILTER(?o != '') }}",
        # the same with an escaped '#', which the tokenizer took for a comment
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s ex:a\\# ?o }} SERVICE <{target}> {{ ?a ?b ?c }} }}",
        # SERVICE with a variable, in a sub-select, in FILTER EXISTS, in CONSTRUCT WHERE
        f"SELECT * WHERE {{ VALUES ?u {{ <{target}> }} SERVICE ?u {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE SILENT <{target}> {{ ?a ?b ?c }} }} }}",
        f"CONSTRUCT WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }}",
        # a comment ended by a lone carriage return; \\U and escapes inside the keyword and the IRI
        f"SELECT * WHERE {{ # c\rSERVICE <{target}> {{ ?a ?b ?c }} }}",
        f'SELECT * WHERE {{ # \\U0000000A FILTER(STR(?x) != """\nSERVICE <{target}> {{ ?s ?p ?o }}\n# """)\n}}',
        f"SELECT * WHERE {{ SERVIC\\u0045 <{target}> {{ ?a ?b ?c }} }}",
    ]


def test_service_bypasses_are_refused_and_reach_nothing(server):
    base, _log = server
    listener = Listener()
    try:
        for query in bypasses(listener.port):
            for method in ("GET", "POST", "POST-direct"):
                status, _kind, body = sparql(base, query, method=method)
                assert status == 403 and b"SERVICE is not allowed" in body, (query, status, body)
                # refused by the check, before any worker: not by the worker's network failing
                assert b"answer from their own data" in body, (query, body)
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()


def _oxigraph_service(port: int, isolate: bool, answer) -> None:
    import pyoxigraph as ox

    if isolate:
        answer.put(("isolated", isolate_network()))
    try:
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}"))
        answer.put(("ran", None))
    except Exception as exc:
        answer.put(("failed", str(exc)))


def _run_in_process(port: int, isolate: bool) -> list:
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    process = context.Process(target=_oxigraph_service, args=(port, isolate, answer))
    process.start()
    process.join(60)
    out = []
    while not answer.empty():
        out.append(answer.get())
    return out


def test_query_workers_cannot_open_connections_even_if_a_check_is_missed():
    """Defence in depth: the network namespace of a worker has no interface, so Oxigraph's own
    HTTP client (which Python's audit hooks never see) reaches nothing."""
    listener = Listener()
    try:
        _run_in_process(listener.port, isolate=False)  # the control: without isolation it connects
        time.sleep(0.3)
        assert listener.connections >= 1
        before = listener.connections
        out = _run_in_process(listener.port, isolate=True)
        time.sleep(0.3)
        if ("isolated", False) in out:
            pytest.skip("this user may not create network namespaces")
        assert ("isolated", True) in out
        assert listener.connections == before, out
        assert any(kind == "failed" for kind, _ in out), out
    finally:
        listener.close()


def test_parser_hostile_queries_are_answered_400_in_bounded_time(server):
    base, _log = server
    hostile = [
        "SELECT * WHERE { FILTER(" + "+".join(["1"] * 20_000) + ") }",  # crashed Oxigraph's parser
        "SELECT * WHERE " + "{" * 200 + "?s ?p ?o" + "}" * 200,  # RecursionError -> 500 before
        "SELECT * WHERE { FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }",
    ]
    for query in hostile:
        started = time.monotonic()
        status, _kind, body = sparql(base, query, method="POST")
        assert status == 400, (status, body[:200])
        assert time.monotonic() - started < 2.0


def test_cheap_queries_are_answered_while_big_ones_arrive(server):
    base, _log = server
    big = "SELECT * WHERE { FILTER(" + "+".join(["1"] * 1500) + ") }"  # accepted, parsed in a worker
    threads = [threading.Thread(target=sparql, args=(base, big), kwargs={"method": "POST"}) for _ in range(4)]
    for t in threads:
        t.start()
    started = time.monotonic()
    status, _kind, body = sparql(base, "SELECT ?c WHERE { ?c a mpd:Country } LIMIT 1")
    elapsed = time.monotonic() - started
    for t in threads:
        t.join()
    assert status == 200 and json.loads(body)["results"]["bindings"]
    assert elapsed < TIME_LIMIT + 1.0  # not waiting behind a global parser lock


def _raw(base: str, data: bytes, read_timeout: float = 15.0) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_request_limits_hold_whatever_the_headers_say(server):
    base, _log = server
    query = b"query=ASK%7B%7D"
    negative = (
        b"POST /sparql HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: -1\r\n\r\n"
        + query
    )
    assert re.match(rb"HTTP/1\.[01] 400 ", _raw(base, negative))  # uvicorn (h11) answers HTTP/1.1
    huge = b"POST /sparql HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 20000000\r\n\r\nASK {}"
    assert re.match(rb"HTTP/1\.[01] 413 ", _raw(base, huge))
    # a body shorter than its Content-Length does not hold a thread forever, nor does a
    # half-sent request line (both at once: each waits for the server's 10 s socket timeout)
    short = b"POST /sparql HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK {}"
    took = {}

    def slow(name, data):
        started = time.monotonic()
        _raw(base, data, read_timeout=30)
        took[name] = time.monotonic() - started

    threads = [
        threading.Thread(target=slow, args=a) for a in (("short body", short), ("half line", b"GET /spa"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(40)
    assert set(took) == {"short body", "half line"} and max(took.values()) < 20, took


def test_many_idle_connections_do_not_stop_the_server(server):
    """Slowloris: half-sent requests on every slot once locked everyone else out until their
    request timeout (10 s, renewable by the attacker). Now a burst beyond the slots is answered
    503 at once, and once the held connections have waited a second, the longest-waiting one
    gives way (408) to a new connection, so a whole request is answered while they are held."""
    base, _log = server
    host, port = base.removeprefix("http://").split(":")
    idle = []
    try:
        for _ in range(100):  # more than the server's 64 connections
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n")  # and never finish
            idle.append(s)
        time.sleep(0.3)
        refused = 0
        for s in idle[64:]:
            s.settimeout(5)
            with contextlib.suppress(OSError):
                refused += bool(re.match(rb"HTTP/1\.[01] 503 ", s.recv(100)))
        assert refused >= 30  # a burst younger than a second: the newcomers are refused
        time.sleep(1.2)
        for _ in range(3):  # while the first 64 are still held
            status, _kind, _body = sparql(base, "ASK {}")
            assert status == 200
        idle[0].settimeout(5)
        assert re.match(rb"HTTP/1\.[01] 408 ", idle[0].recv(100))  # the oldest gave way
    finally:
        for s in idle:
            s.close()
    time.sleep(0.5)
    status, _kind, _body = sparql(base, "ASK {}")
    assert status == 200


def test_host_header_never_reaches_the_output(server):
    base, _log = server
    status, _kind, body = call(base + "/.well-known/void", headers={"Host": "evil.example"})
    assert status == 400
    status, _kind, body = call(base + "/.well-known/void")
    assert status == 200 and b"evil.example" not in body
    injected = "a> . <urn:injected> <urn:p> <urn:o"
    status, _kind, body = call(base + "/sparql", headers={"Host": injected, "Accept": "text/turtle"})
    assert status == 400 and b"urn:injected" not in body
    status, _kind, body = call(base + "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and b"<http://127.0.0.1:" in body
    for host in ("localhost", f"127.0.0.1:{base.rsplit(':', 1)[1]}", "[::1]:80"):
        assert call(base + "/sparql?query=ASK%7B%7D", headers={"Host": host})[0] == 200, host


def test_no_cors_by_default_and_no_internal_errors(server):
    base, _log = server
    request_headers = {"Origin": "http://evil.example"}
    for url in (base + "/sparql?query=ASK%7B%7D", base + "/country/FRA", base + "/.well-known/void"):
        import urllib.request

        with urllib.request.urlopen(urllib.request.Request(url, headers=request_headers), timeout=30) as r:
            assert r.headers.get("Access-Control-Allow-Origin") is None
    for path in ("/country/%", "/country/%ZZ", "/country/%FF%FE", "/country/a%20b"):
        status, _kind, body = call(base + path)
        assert 400 <= status < 500, (path, status, body)
        assert b"Error" not in body and b"Traceback" not in body


def test_cors_when_asked_for_is_read_only(tmp_path):
    with mpdkg_serve(tmp_path, "--cors", "--workers", "1") as (base, _log):
        import urllib.request

        with urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=30) as r:
            assert r.headers.get("Access-Control-Allow-Origin") == "*"
            assert r.headers.get("Access-Control-Allow-Credentials") is None
        status, _kind, _body = call(base + "/sparql", method="OPTIONS")
        assert status == 204


def test_cli_refuses_the_bypass_too(tmp_path):
    from typer.testing import CliRunner

    from mpdkg.cli.core import app

    listener = Listener()
    try:
        for query in bypasses(listener.port):
            result = CliRunner().invoke(app, ["query", "-e", query])
            assert result.exit_code == 2 and "SERVICE" in result.output, result.output
        assert listener.connections == 0
    finally:
        listener.close()


def test_a_runaway_gives_way_to_cheap_queries(tmp_path):
    """With the only worker busy on a runaway, a cheap query is answered in well under the time
    limit: the runaway, once it has used its CPU budget, goes on at the lowest priority and a
    fresh worker takes its place; it is still stopped at the time limit (504)."""
    runaway_query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with mpdkg_serve(tmp_path, "--workers", "1", "--timeout", "5", "--preempt-after", "0.2") as (base, log):
        runaway: list = []
        thread = threading.Thread(target=lambda: runaway.append(sparql(base, runaway_query, method="POST")))
        thread.start()
        deadline = time.monotonic() + 30
        while "lowered to nice 19" not in log.read_text(errors="replace"):  # the runaway went long
            assert time.monotonic() < deadline and thread.is_alive(), log.read_text(errors="replace")
            time.sleep(0.05)
        started = time.monotonic()
        status, _kind, body = sparql(base, "ASK { country:CAN ?p ?o }")
        elapsed = time.monotonic() - started
        assert status == 200 and json.loads(body)["boolean"] is True
        assert elapsed < 2.0, elapsed  # not the 5 s time limit
        assert thread.is_alive()  # the runaway is still running, at low priority
        thread.join(30)
        assert runaway and runaway[0][0] == 504 and b"time limit" in runaway[0][2]


def test_chunked_bodies_are_limited_too(server):
    """No Content-Length at all (chunked transfer): the body limit is counted as it arrives."""
    base, _log = server
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    small = b"6\r\nASK {}\r\n0\r\n\r\n"
    answer = _raw(base, head + small)
    assert re.match(rb"HTTP/1\.[01] 200 ", answer) and b"true" in answer, answer[:200]
    chunk = b"x" * 65536
    big = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 15 + b"%x\r\n" % 20_000 + b"y" * 20_000
    # 1,003,040 bytes so far, over the 1 MB limit: answered 413 without waiting for the rest
    assert re.match(rb"HTTP/1\.[01] 413 ", _raw(base, head + big))


def test_the_dataset_description_is_never_computed_by_a_request(tmp_path):
    """The first /.well-known/void once made the server parse the whole graph in rdflib in its
    own process (37 s and 3 GB with the open data; the request timed out with no answer). It is
    now computed at start-up in a process of its own; until it is ready a request gets 503 with
    Retry-After at once, and the server process never holds it."""
    from mpdkg.rdf.build import build_dataset
    from mpdkg.rdf.dumps import write_dumps
    from mpdkg.serve.service import Refused, Service
    from mpdkg.sources.load import load_sources
    from tests.helpers import write_mini_graph

    write_dumps(build_dataset(load_sources(write_mini_graph(tmp_path))).dataset, tmp_path)
    service = Service([tmp_path / "mpdkg.trig"], workers=1, spares=0, open_data=False)
    try:
        child = service._void_job.process  # started with the service
        assert child.pid
        started = time.monotonic()
        with pytest.raises(Refused) as refused:
            service.void_graph("http://127.0.0.1:1/sparql", wait=0)
        assert refused.value.status == 503 and "Retry-After" in refused.value.headers
        assert time.monotonic() - started < 0.5
        body = service.void_graph("http://127.0.0.1:1/sparql", wait=120)
        assert b"<http://127.0.0.1:1/sparql>" in body and b"urn:mpdkg:serve" not in body
        # the child did the work, not this process, and it exits with its answer: no idle process
        # keeps the memory, and none is spawned to replace it
        assert child.exitcode == 0
        assert not [p for p in multiprocessing.active_children() if p.name == "mpdkg-void"]
    finally:
        service.close()


def test_a_failed_dataset_description_is_a_500_naming_the_cause(tmp_path):
    """When the child cannot compute the VoID (here: the data file has gone), the request gets a
    500 that says why, at once and every time, rather than a 503 asking to retry forever."""
    from mpdkg.serve.service import Refused
    from mpdkg.serve.void_job import VoidJob

    job = VoidJob(tmp_path / "gone.nq")
    try:
        with pytest.raises(RuntimeError, match="FileNotFoundError"):
            job.future.result(120)
        assert job.process.exitcode == 0  # it reported the error and exited
    finally:
        job.stop()

    class _Service:  # void_graph needs only the job and its lock
        from mpdkg.serve.service import Service

        void_graph = Service.void_graph
        _void = None
        _void_lock = threading.Lock()
        _void_job = job

    for _ in range(2):
        with pytest.raises(Refused) as refused:
            _Service().void_graph("http://127.0.0.1:1/sparql", wait=0)
        assert refused.value.status == 500 and "gone.nq" in refused.value.message


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_cli_csv_and_tsv_cells_never_run_as_formulas(fmt):
    """`mpdkg query --format csv|tsv` writes the same neutralised cells as the endpoint: a leading
    =, +, -, @, tab or carriage return gets the ' prefix; numbers keep their sign."""
    from typer.testing import CliRunner

    from mpdkg.cli.core import app

    query = 'SELECT ?x WHERE { VALUES ?x { "=1+1" "+A1" "@SUM(A1)" "-A1" "\\t=x" "\\r=x" -1 } }'
    result = CliRunner().invoke(app, ["query", "-e", query, "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.output
    controls = ("'\t=x", "'\r=x") if fmt == "csv" else ("'\\t=x", "'\\r=x")  # TSV escapes them
    for cell in ("'=1+1", "'+A1", "'@SUM(A1)", "'-A1", *controls):
        assert cell in out, (cell, out)
    assert "-1" in out and "'-1" not in out


UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX a: <urn:> INSERT DATA { a:a a:b a:c }",
    "# a comment first\nCREATE GRAPH <urn:g>",
    "CLEAR ALL",
    "ADD DEFAULT TO <urn:x>",
    "SELECT * {} ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
]


def test_every_update_form_is_refused_however_it_is_sent(server):
    """Update forms as query= and update= by GET, as a form and as application/sparql-update by
    POST (replayed at s8: all 403, or 400 for a query followed by an update)."""
    import urllib.parse

    base, _log = server
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for update in UPDATES:
        answers = [
            call(base + "/sparql?" + urllib.parse.urlencode({"update": update})),
            call(base + "/sparql", urllib.parse.urlencode({"update": update}).encode(), form),
            call(base + "/sparql", update.encode(), {"Content-Type": "application/sparql-update"}),
            sparql(base, update),
            sparql(base, update, method="POST"),
        ]
        for status, _kind, body in answers:
            assert status in (400, 403), (update, status, body)
    status, _kind, body = sparql(base, "ASK { <urn:a> <urn:b> <urn:c> }")
    assert json.loads(body)["boolean"] is False


def test_ambiguous_framing_and_forwarded_hosts(server):
    """Conflicting Content-Lengths and two Host headers are refused (400); X-Forwarded-Host and
    Forwarded never reach the output (the server advertises its own address only)."""
    base, _log = server
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/sparql-query\r\n"
    conflicting = head + b"Content-Length: 5\r\nContent-Length: 200\r\n\r\nASK{}"
    assert re.match(rb"HTTP/1\.[01] 400 ", _raw(base, conflicting))
    two_hosts = b"GET /sparql HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    assert re.match(rb"HTTP/1\.[01] 400 ", _raw(base, two_hosts))
    for path in ("/sparql", "/.well-known/void"):
        forwarded = {
            "X-Forwarded-Host": "evil.example",
            "Forwarded": "host=evil.example",
            "Accept": "text/turtle",
        }
        deadline = time.monotonic() + 60
        while True:
            status, _kind, body = call(base + path, headers=forwarded)
            if status != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 200 and b"evil.example" not in body, (path, status)


def test_dataset_clauses_naming_urls_fetch_nothing(server):
    """FROM, FROM NAMED, default-graph-uri and named-graph-uri naming a listener (or a file) are
    graph names to Oxigraph, never fetched (replayed at s8: no connection)."""
    base, _log = server
    listener = Listener()
    try:
        target = f"http://127.0.0.1:{listener.port}/data.ttl"
        for query in (
            f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }} LIMIT 1",
            f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o } LIMIT 1",
        ):
            status, _kind, body = sparql(base, query)
            assert status == 200 and b"root:" not in body, (query, status, body[:200])
        for param in ("default-graph-uri", "named-graph-uri"):
            status, _kind, _body = sparql(base, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", **{param: target})
            assert status == 200
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()
