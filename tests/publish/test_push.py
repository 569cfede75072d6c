"""mpdkg push: into real stores (Oxigraph server, Virtuoso) on 127.0.0.1, idempotently, and the
catalogue gives the same answers there as embedded."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from mpdkg.publish.push import MANIFEST, STAGING_PREFIX, PushError, choose_method, companion_endpoints, push
from mpdkg.query.catalogue import catalogue
from mpdkg.query.engines import RemoteEngine, load_store, open_engine, run_query
from tests.servers import oxigraph_server, virtuoso_missing_reason, virtuoso_server

OURS = "https://w3id.org/mpdkg/"
# Catalogue queries whose current wording meets a bug of Virtuoso 7.2.5 (checked by hand: the
# embedded Oxigraph and rdflib agree with each other, Virtuoso does not). Portable rewordings,
# checked on all three engines, are given in docs/scaling-out.md; a query whose text carries
# such a rewording (it mentions Virtuoso) must agree like every other.
VIRTUOSO_BUGS = {
    "agreements-by-kind-and-pillar": "Virtuoso returns no rows for subClassOf+ with OPTIONAL and BIND in one group",
    "forum-members-in-year": "Virtuoso cannot compile a FILTER on a VALUES-bound variable (ssg_print_rvr_fixed_val)",
    "partners-per-pillar": "Virtuoso miscounts a sub-query with UNION inside OPTIONAL",
}


@pytest.fixture(scope="module")
def trig(real_build):
    return real_build.out / "mpdkg.trig"


@pytest.fixture(scope="module")
def embedded(trig):
    return open_engine([trig])


def select(query_url: str, text: str, timeout: float = 60) -> list[dict]:
    url = query_url + "?" + urllib.parse.urlencode({"query": text})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)["results"]["bindings"]


def quads_in_our_graphs(query_url: str, timeout: float = 60) -> dict[str, int]:
    """Triples per published graph of ours (the push manifest and staging graphs left out)."""
    text = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER (STRSTARTS(STR(?g), '{OURS}') && ?g != <{MANIFEST}>) }} GROUP BY ?g"
    )
    return {b["g"]["value"]: int(b["n"]["value"]) for b in select(query_url, text, timeout)}


def staging_graphs(query_url: str) -> list[str]:
    text = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), '{STAGING_PREFIX}')) }}"
    return sorted(b["g"]["value"] for b in select(query_url, text))


def manifest(query_url: str) -> dict[str, list[str]]:
    """The push manifest's statements about itself: property local name -> values."""
    text = f"SELECT ?p ?o WHERE {{ GRAPH <{MANIFEST}> {{ <{MANIFEST}> ?p ?o }} }}"
    out: dict[str, list[str]] = {}
    for b in select(query_url, text):
        out.setdefault(b["p"]["value"].rsplit("#", 1)[-1], []).append(b["o"]["value"])
    return out


def expected_graphs(trig) -> dict[str, int]:
    store = load_store([trig])
    return {g.value: len(list(store.quads_for_pattern(None, None, None, g))) for g in store.named_graphs()}


def same_answers(embedded, remote, skip: dict[str, str] | None = None) -> list[str]:
    """Names of catalogue queries whose rows differ (known bugs of the store excepted)."""
    differ = []
    for query in catalogue():
        if skip and query.name in skip and "Virtuoso" not in query.text:
            continue
        if run_query(embedded, query).normalised_rows() != run_query(remote, query).normalised_rows():
            differ.append(query.name)
    return differ


def test_method_from_address():
    assert choose_method("http://127.0.0.1:7878/store") == "gsp"
    assert choose_method("http://h:8890/sparql-graph-crud-auth") == "gsp"
    assert choose_method("http://127.0.0.1:7878/update") == "update"
    assert choose_method("http://h:8890/sparql-auth/") == "update"
    assert choose_method("http://h/some/thing") == "auto"
    assert companion_endpoints("http://h:7878/store") == ("http://h:7878/update", "http://h:7878/query")
    assert companion_endpoints("http://h:8890/sparql-graph-crud") == (
        "http://h:8890/sparql",
        "http://h:8890/sparql",
    )
    assert companion_endpoints("http://h/repositories/x/statements") == (
        "http://h/repositories/x/statements",
        "http://h/repositories/x",
    )
    assert companion_endpoints("http://h/rdf?x=1") == ("http://h/rdf?x=1", "http://h/rdf?x=1")


@pytest.mark.server
def test_push_to_oxigraph_twice_leaves_one_copy(trig, embedded, tmp_path):
    want = expected_graphs(trig)
    assert set(want) >= {OURS + "graph/ontology", OURS + "graph/curated"}
    with oxigraph_server(tmp_path) as base:
        for _ in range(2):
            report = push(base + "/store", [trig])
            assert report.method == "gsp" and report.graphs == want
            assert quads_in_our_graphs(base + "/query") == want
        # the same through SPARQL Update (DROP + batched INSERT DATA), on top of the first copy
        report = push(base + "/update", [trig], batch=3000)
        assert report.method == "update" and report.requests > len(want)
        assert quads_in_our_graphs(base + "/query") == want
        # the catalogue answers the same there (Oxigraph runs with --union-default-graph)
        remote = RemoteEngine(base + "/query", timeout=60)
        assert same_answers(embedded, remote) == []


@pytest.mark.server
def test_push_command(trig, tmp_path):
    with oxigraph_server(tmp_path) as base:
        done = subprocess.run(
            [sys.executable, "-m", "mpdkg", "push", "--endpoint", base + "/store", "--data", str(trig)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "Graph Store Protocol" in done.stderr and "graph/curated" in done.stderr
        assert quads_in_our_graphs(base + "/query") == expected_graphs(trig)
    bad = subprocess.run(
        [sys.executable, "-m", "mpdkg", "push", "--endpoint", "ftp://x", "--data", str(trig)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and "http://" in bad.stderr


@pytest.mark.server
def test_push_everything_into_one_graph(trig, tmp_path):
    store = load_store([trig])
    distinct = len({q.triple for q in store})
    with oxigraph_server(tmp_path) as base:
        report = push(base + "/store", [trig], graph=OURS + "all")
        assert report.graphs == {OURS + "all": distinct}
        assert quads_in_our_graphs(base + "/query") == {OURS + "all": distinct}


class _Recorder(BaseHTTPRequestHandler):
    """A store that does not speak the Graph Store Protocol, asks for Basic auth, records the
    updates it is sent and runs them (and queries) on an in-memory Oxigraph store."""

    updates: list[str] = []
    store = ox.Store()

    def _authorised(self) -> bool:
        import base64

        expected = "Basic " + base64.b64encode(b"alice:secret").decode()
        if self.headers.get("Authorization") == expected:
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._authorised():
            return
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if not self._authorised():
            return
        form = urllib.parse.parse_qs(body)
        answer = b""
        if "query" in form:
            answer = self.store.query(form["query"][0]).serialize(format=ox.QueryResultsFormat.JSON)
        elif form.get("update", [""])[0]:
            self.updates.append(form["update"][0])
            self.store.update(form["update"][0])
        self.send_response(200 if answer else 204)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    _Recorder.updates = []
    _Recorder.store = ox.Store()
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/rdf"
    server.shutdown()


def test_falls_back_to_update_keeps_blank_nodes_together_and_authenticates(recorder, tmp_path):
    trig = tmp_path / "small.trig"
    trig.write_text(
        "<urn:g1> { <urn:a> <urn:p> <urn:b> . <urn:a> <urn:q> _:x . _:x <urn:r> <urn:c> . "
        "<urn:b> <urn:p> <urn:c> . <urn:c> <urn:p> 'x' . }\n",
        encoding="utf-8",
    )
    with pytest.raises(PushError, match="401"):
        push(recorder, [trig])
    report = push(recorder, [trig], user="alice", password="secret", batch=2)
    assert report.method == "update" and report.graphs == {"urn:g1": 5}
    updates = _Recorder.updates
    # the manifest marks the push in progress before anything is staged
    assert updates[0].startswith(f"DELETE {{ GRAPH <{MANIFEST}>") and "in-progress" in updates[0]
    assert updates[0].count(" ;\n") == 0  # one operation: no store can run half of it
    staging = f"{STAGING_PREFIX}{report.push_id}:0"
    assert updates[1] == f"DROP SILENT GRAPH <{staging}>"
    # both blank-node triples in one request, as a template (INSERT DATA may not hold blank nodes)
    assert updates[2].startswith(f"INSERT {{ GRAPH <{staging}>") and updates[2].count("_:") == 2
    inserts = [u for u in updates[3:] if u.startswith("INSERT DATA")]
    assert inserts and all(u.startswith(f"INSERT DATA {{ GRAPH <{staging}>") for u in inserts)
    # then one request switches: the staging graph onto the graph, the manifest complete
    assert updates[-1].startswith(f"MOVE GRAPH <{staging}> TO GRAPH <urn:g1>") and '"complete"' in updates[-1]
    # every triple sent exactly once, and nothing but the graph and the manifest is left
    store = _Recorder.store
    assert len(store) - len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(MANIFEST)))) == 5
    assert {g.value for g in store.named_graphs()} == {"urn:g1", MANIFEST}


def test_unreachable_store_is_a_clear_error(tmp_path):
    trig = tmp_path / "one.trig"
    trig.write_text("<urn:g> { <urn:a> <urn:p> <urn:b> . }\n", encoding="utf-8")
    with pytest.raises(PushError, match="cannot reach"):
        push("http://127.0.0.1:9/store", [trig], timeout=5)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """One private Virtuoso for the module (it takes seconds to start); each test pushes whole
    builds, so none depends on what the one before left."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), password="mpdkgtest") as v:
        yield v


@pytest.mark.server
@pytest.mark.skipif(virtuoso_missing_reason() is not None, reason=str(virtuoso_missing_reason()))
def test_push_to_virtuoso_twice_and_query_there(trig, embedded, virtuoso):
    want = expected_graphs(trig)
    v = virtuoso
    for _ in range(2):
        report = push(v["gsp"], [trig], user=v["user"], password=v["password"])
        assert report.method == "gsp"
        assert quads_in_our_graphs(v["sparql"]) == want
    with pytest.raises(PushError, match="401"):
        push(v["gsp"], [trig], user=v["user"], password="wrong")
    # SPARQL Update with Digest auth, replacing what the protocol put there
    report = push(v["update"], [trig], user=v["user"], password=v["password"])
    assert report.method == "update"
    assert quads_in_our_graphs(v["sparql"]) == want
    # Virtuoso's default graph is the union of all graphs, like the embedded engine's
    remote = RemoteEngine(v["sparql"], timeout=60)
    assert same_answers(embedded, remote, skip=VIRTUOSO_BUGS) == []


# --- Killed pushes: readers see the old build or the new one, and the next push repairs --------

CURATED, ONTOLOGY, RETIRED = OURS + "graph/curated", OURS + "graph/ontology", OURS + "graph/retired"
# The kill points are drawn anew each session (print the seed; MPDKG_KILL_SEED=N replays one).
KILL_SEED = int(os.environ.get("MPDKG_KILL_SEED") or random.SystemRandom().randrange(1, 1_000_000))
# Where a push is killed: just after it prints one of these steps (plus a seeded delay).
KILL_STEPS = (
    "marking push",
    "staging " + CURATED,
    "staging " + ONTOLOGY,
    "checking the staging graphs",
    "switching",
    "dropping the staging graphs",
)


@pytest.fixture(scope="module")
def two_builds(trig, tmp_path_factory):
    """An old build (fewer triples in both graphs, and a graph the new build no longer has) and
    the new one (the real dump), with the triples per graph that each publishes."""
    folder = tmp_path_factory.mktemp("builds")
    store = load_store([trig])

    def plain(graph: str) -> list[ox.Quad]:
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return sorted(
            (
                q
                for q in quads
                if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
            ),
            key=str,
        )

    for quad in plain(CURATED)[-2000:] + plain(ONTOLOGY)[-33:]:
        store.remove(quad)
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for i in range(50):
        store.add(
            ox.Quad(
                ox.NamedNode(f"{OURS}retired/{i}"), label, ox.Literal(f"retired {i}"), ox.NamedNode(RETIRED)
            )
        )
    old = folder / "old.trig"
    store.dump(old, format=ox.RdfFormat.TRIG)
    builds = {"old": (old, expected_graphs(old)), "new": (trig, expected_graphs(trig))}
    assert builds["old"][1][RETIRED] == 50 and RETIRED not in builds["new"][1]
    assert builds["old"][1][CURATED] == builds["new"][1][CURATED] - 2000
    return builds


class Reader(threading.Thread):
    """Reads the triples per published graph over and over (one query for all graphs, so one
    snapshot) until stopped; every answer is kept."""

    def __init__(self, query_url: str, graphs: list[str]):
        super().__init__(daemon=True)
        parts = " UNION ".join(
            f"{{ SELECT (<{g}> AS ?g) (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} }}"
            for g in graphs
        )
        self.text = f"SELECT ?g ?n WHERE {{ {parts} }}"
        self.query_url = query_url
        self.seen: list[dict[str, int]] = []
        self.errors = 0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set() and len(self.seen) < 20_000:
            try:
                rows = select(self.query_url, self.text, timeout=30)
                self.seen.append(
                    {r["g"]["value"]: int(r["n"]["value"]) for r in rows if int(r["n"]["value"])}
                )
            except Exception:
                self.errors += 1  # a refused or timed-out read is not a wrong read
            self.halt.wait(0.01)

    def stop(self) -> None:
        self.halt.set()
        self.join(60)


class PushTimedOut(Exception):
    """A push that had not finished after the allowed time; it has been killed."""

    def __init__(self, output: str, timeout: float):
        super().__init__(f"push did not finish within {timeout} s: {output}")
        self.output = output


def run_push(
    command: list[str], step: str | None, delay: float, timeout: float = 90
) -> tuple[str, bool, int]:
    """Run `mpdkg push`; with ``step``, kill -9 it ``delay`` s after it prints that step.
    Its stderr, whether it was killed, its exit code; PushTimedOut (after kill -9) if it ran
    past ``timeout``."""
    env = {**os.environ, "COLUMNS": "250"}
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    reached = threading.Event()

    def read():
        for line in proc.stderr:
            lines.append(line)
            if step and line.startswith("· " + step):
                reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    killed = False
    while step and proc.poll() is None and time.monotonic() < deadline:
        if reached.wait(0.02):
            time.sleep(delay)
            if proc.poll() is None:
                proc.kill()
                killed = True
            break
    try:
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        reader.join(10)
        raise PushTimedOut("".join(lines), timeout) from None
    reader.join(10)
    return "".join(lines), killed, proc.returncode


def push_tolerating_a_stall(command: list[str], step: str | None, delay: float, last: bool, describe):
    """`run_push`, plus what ``describe()`` says of the store if the push stalled (else None).
    A push that hangs (a loaded machine, a store still busy with a killed push's request) is
    killed, which is one more kill point for the test; the last push, which must publish, gets
    one second try."""
    try:
        return (*run_push(command, step, delay), None)
    except PushTimedOut as stalled:
        state = describe()
        if not last:
            return stalled.output, True, -9, state
    return (*run_push(command, None, 0), state)


def virtuoso_status(v: dict) -> str:
    """What Virtuoso is doing while a push hangs: its CPU use over 3 s (busy or wedged), whether
    a query and a tiny update still get through, and the end of its ``status()`` report (its
    transactions and lock waits)."""
    from mpdkg.publish.push import _Client, _Store

    def cpu() -> float:
        fields = Path(f"/proc/{v['pid']}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    seen = []
    try:
        before = cpu()
        time.sleep(3)
        seen.append(f"cpu {cpu() - before:.1f} s in 3 s")
    except OSError as exc:
        seen.append(f"cpu unknown: {exc}")
    store = _Store(_Client(v["update"], v["user"], v["password"], 10), v["update"], v["update"])
    for what, probe in (
        ("ASK", lambda: store.select("SELECT (1 AS ?x) WHERE {}")),
        ("INSERT DATA", lambda: store.update("INSERT DATA { GRAPH <urn:x-probe> { <urn:x> <urn:p> 1 } }")),
        ("DROP", lambda: store.update("DROP SILENT GRAPH <urn:x-probe>")),
    ):
        start = time.monotonic()
        try:
            probe()
            seen.append(f"{what} ok in {time.monotonic() - start:.1f} s")
        except Exception as exc:
            seen.append(f"{what} failed after {time.monotonic() - start:.1f} s: {exc}")
    command = ["isql-vt", f"127.0.0.1:{v['sql_port']}", v["user"], v["password"], "exec=status('');"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        seen.append((done.stdout + done.stderr)[-900:])
    except (OSError, subprocess.TimeoutExpired) as exc:
        seen.append(f"status() failed: {exc}")
    return "; ".join(seen)


def wait_until_quiet(query_url: str, settle: float, bound: float = 15.0) -> None:
    """Wait until two looks at the store ``settle`` s apart agree: a killed push's last request,
    sent in full, may still be running there."""
    text = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER (STRSTARTS(STR(?g), '{OURS}') || STRSTARTS(STR(?g), '{STAGING_PREFIX}')) }} GROUP BY ?g"
    )

    def look():
        try:
            return sorted((b["g"]["value"], b["n"]["value"]) for b in select(query_url, text, timeout=30))
        except Exception:
            return None

    deadline = time.monotonic() + bound
    before = look()
    while time.monotonic() < deadline:
        time.sleep(settle)
        now = look()
        if now is not None and now == before:
            return
        before = now


def kill_pushes_at_random_points(
    base_command,
    endpoints,
    query_url,
    builds,
    seed,
    rounds=4,
    settle=0.3,
    partial_reads=0.0,
    describe=lambda: "stalled",
    restart=None,
):
    """Push the builds in turns, killing each push at a seeded random point while a reader
    checks every read; after each kill the store holds one whole build, and the next push
    repairs what the killed one left. Ends with a complete push of the new build.

    With ``restart``, a store in which the last push stalls twice is restarted, as an operator
    would restart a hung store, and the last push tried once more: the restart is one more
    interruption that the push must repair (Virtuoso 7.2.5 sometimes never finishes a MOVE
    after a killed push, see docs/scaling-out.md)."""
    rng = random.Random(seed)
    old, new = builds["old"][1], builds["new"][1]
    push_command = base_command + ["--endpoint", endpoints["gsp"], "--data", str(builds["old"][0])]
    out, _, code = run_push(push_command, None, 0)
    assert code == 0, out
    assert quads_in_our_graphs(query_url) == old
    reader = Reader(query_url, sorted(set(old) | set(new)))
    reader.start()
    log: list[tuple] = [("seed", seed)]  # MPDKG_KILL_SEED=seed replays these kill points
    interrupted = False  # the last push left the manifest "in progress", for sure
    repairs = 0
    try:
        for n in range(rounds + 1):
            last = n == rounds
            which = "new" if last or n % 4 in (0, 1) else "old"  # each build twice in a row
            method = "update" if n == 0 or (not last and rng.random() < 0.3) else "gsp"
            step = None if last else KILL_STEPS[1] if n == 0 else rng.choice(KILL_STEPS)
            delay = 0.2 if n == 0 else round(rng.uniform(0, 0.5), 3)
            command = base_command + ["--endpoint", endpoints[method], "--data", str(builds[which][0])]
            try:
                out, killed, code, stalled = push_tolerating_a_stall(command, step, delay, last, describe)
            except PushTimedOut as twice:  # the last push stalled on its second try too
                if restart is None:
                    raise AssertionError((str(twice), describe(), log)) from None  # log[0] is the seed
                state = describe()
                log.append(("the last push stalled twice; store restarted", twice.output, state))
                warnings.warn(
                    f"seed {seed}: the store was restarted after the last push stalled twice: {state}",
                    stacklevel=2,
                )
                restart()
                out, killed, code = run_push(command, None, 0, timeout=300)
                stalled = "after a restart"
            log.append((which, method, step, delay, killed, code) + (() if stalled is None else (stalled,)))
            assert killed or code == 0, out
            if interrupted and "· marking push" in out:
                # the killed push had not sent its switch, so the next one must have found it
                assert "repair: the push" in out and "was interrupted" in out, (out, log)
            repairs += "repair: the push" in out
            wait_until_quiet(query_url, settle)
            assert quads_in_our_graphs(query_url) in (old, new), log
            state = manifest(query_url).get("state")
            assert state is not None, ("no push manifest after the push", log)
            if state == ["in-progress"]:
                log[-1] += ("left in progress",)
            # killed after sending its switch, a push may still be switching in the store
            interrupted = state == ["in-progress"] and "· switching" not in out
        assert not killed and code == 0
    finally:
        reader.stop()
    # every read saw the whole old build or the whole new one, never a part or a mix (or, where
    # the store cannot promise that, at most the given share of reads)
    partial = [seen for seen in reader.seen if seen not in (old, new)]
    assert reader.seen and len(partial) <= partial_reads * len(reader.seen), (partial[:3], log)
    assert len(reader.seen) >= 20 and old in reader.seen and new in reader.seen, (
        len(reader.seen),
        reader.errors,
    )
    assert any("left in progress" in entry for entry in log) and repairs, log
    # the last push published the new build, removed the graph it no longer has, left no staging
    assert quads_in_our_graphs(query_url) == new and RETIRED not in quads_in_our_graphs(query_url)
    assert staging_graphs(query_url) == []
    found = manifest(query_url)
    assert found["state"] == ["complete"] and sorted(found["graph"]) == sorted(new)
    return log, len(reader.seen), reader.errors, len(partial)


@pytest.mark.slow
@pytest.mark.server
def test_killed_pushes_into_oxigraph(two_builds, tmp_path):
    command = [sys.executable, "-m", "mpdkg", "push", "--batch", "3000"]
    with oxigraph_server(tmp_path) as base:
        endpoints = {"gsp": base + "/store", "update": base + "/update"}
        log, reads, errors, partial = kill_pushes_at_random_points(
            command, endpoints, base + "/query", two_builds, seed=KILL_SEED
        )
    print(f"oxigraph: {reads} reads, {errors} failed, {partial} partial, pushes: {log}")


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.skipif(virtuoso_missing_reason() is not None, reason=str(virtuoso_missing_reason()))
def test_killed_pushes_into_virtuoso(two_builds, virtuoso):
    # Virtuoso 7.2.5 runs the switch as one transaction, but a query that runs while it commits
    # can see part of it, rarely, at every isolation level tried (docs/scaling-out.md): here at
    # most 5 % of the reads may, and every state after a kill must be one whole build.
    v = virtuoso
    command = [sys.executable, "-m", "mpdkg", "push", "--batch", "1400", "--user", v["user"]]
    command += ["--password", v["password"]]
    endpoints = {"gsp": v["gsp"], "update": v["update"]}
    log, reads, errors, partial = kill_pushes_at_random_points(
        command,
        endpoints,
        v["sparql"],
        two_builds,
        seed=KILL_SEED,
        settle=1.0,
        partial_reads=0.05,
        describe=lambda: virtuoso_status(v),
        restart=v["restart"],
    )
    print(f"virtuoso: {reads} reads, {errors} failed, {partial} partial, pushes: {log}")


class _Stop(Exception):
    pass


@pytest.mark.server
def test_interrupted_push_is_finished_or_restarted_and_strays_dropped(tmp_path):
    a, b, legacy = OURS + "graph/a", OURS + "graph/b", OURS + "graph/legacy"
    one, two = tmp_path / "one.trig", tmp_path / "two.trig"
    one.write_text(f"<{a}> {{ <urn:x> <urn:p> 1 , 2 . }} <{b}> {{ <urn:x> <urn:p> 3 . }}\n", encoding="utf-8")
    two.write_text(
        f"<{a}> {{ <urn:x> <urn:p> 1 . _:n <urn:p> 9 . }} <{b}> {{ <urn:y> <urn:p> 4 , 5 . }}\n",
        encoding="utf-8",
    )

    def stop_at(prefix):
        def step(name):
            if name.startswith(prefix):
                raise _Stop(name)

        return step

    with oxigraph_server(tmp_path) as base:
        store, query = base + "/store", base + "/query"
        # a store pushed before manifests: graphs in mpdkg's graph namespace are an earlier push's
        request = urllib.request.Request(
            f"{store}?graph={urllib.parse.quote(legacy)}",
            data=b'<urn:l> <urn:p> "0" .',
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )
        urllib.request.urlopen(request, timeout=30).read()
        report = push(store, [one])
        assert report.removed == [legacy] and quads_in_our_graphs(query) == {a: 2, b: 1}
        # interrupted once staged: the next push of the same build keeps the staging graphs
        with pytest.raises(_Stop):
            push(store, [two], step=stop_at("checking"))
        assert quads_in_our_graphs(query) == {a: 2, b: 1} and manifest(query)["state"] == ["in-progress"]
        assert len(staging_graphs(query)) == 2
        report = push(store, [two])
        assert report.reused == [a, b] and "kept 2 complete staging graph(s)" in report.repairs[0]
        assert quads_in_our_graphs(query) == {a: 2, b: 2} and staging_graphs(query) == []
        # interrupted, then another build pushed: the staging graphs are dropped and sent again
        with pytest.raises(_Stop):
            push(store, [one], step=stop_at("checking"))
        report = push(store, [two])
        assert report.reused == [] and "dropped 2 staging graph(s)" in report.repairs[0]
        assert quads_in_our_graphs(query) == {a: 2, b: 2} and staging_graphs(query) == []
        # a staging graph the manifest does not name (a killed push's late request) is dropped too
        stray = STAGING_PREFIX + "late:0"
        request = urllib.request.Request(
            f"{store}?graph={urllib.parse.quote(stray)}",
            data=b'<urn:l> <urn:p> "0" .',
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )
        urllib.request.urlopen(request, timeout=30).read()
        report = push(store, [one])
        assert any("stray" in line for line in report.repairs) and staging_graphs(query) == []
        assert quads_in_our_graphs(query) == {a: 2, b: 1}
        found = manifest(query)
        assert found["state"] == ["complete"] and found["pushId"] == [report.push_id]
        assert sorted(found["graph"]) == [a, b] and found["build"][0].startswith("sha256:")
