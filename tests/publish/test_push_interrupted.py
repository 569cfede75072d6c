"""A push killed while the store runs part of one request (issue #21): the store always keeps a
push manifest. Virtuoso 7.2.5 does not run the operations of one SPARQL Update request as one
unit when the client goes away (a killed push left a graph copied by MOVE but its staging graph
not dropped), and once the manifest was written as two operations (DROP, then INSERT DATA) a
kill between them left the store with no manifest at all (seen with MPDKG_KILL_SEED=21). Here a
small store on 127.0.0.1 runs each request's operations one by one and "dies" after the k-th,
for every k of a whole push."""

from __future__ import annotations

import io
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from mpdkg.publish.push import MANIFEST, STAGING_PREFIX, PushError, push

P = "https://w3id.org/mpdkg/push#"
A, B, GONE = (
    "https://w3id.org/mpdkg/graph/a",
    "https://w3id.org/mpdkg/graph/b",
    "https://w3id.org/mpdkg/graph/gone",
)


class _DyingStore(BaseHTTPRequestHandler):
    """SPARQL query and update on an in-memory Oxigraph store, one operation at a time; after
    ``allowance`` operations it stops answering (as if the store stopped serving the request of
    a killed client) until ``allowance`` is set again."""

    store = ox.Store()
    allowance: int | None = None
    operations = 0
    requests: list[int] = []  # operations per update request

    def _refuse(self) -> None:
        self.close_connection = True  # no answer at all: the client sees the connection drop

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = urllib.parse.parse_qs(body)
        cls = type(self)
        if cls.allowance == 0:
            return self._refuse()
        answer = b""
        if "query" in form:
            answer = cls.store.query(form["query"][0]).serialize(format=ox.QueryResultsFormat.JSON)
        else:
            cls.requests.append(form.get("update", [""])[0].count(" ;\n") + 1)
            for operation in form.get("update", [""])[0].split(" ;\n"):
                if cls.allowance is not None:
                    if cls.allowance == 0:
                        return self._refuse()
                    cls.allowance -= 1
                cls.operations += 1
                cls.store.update(operation)
        self.send_response(200 if answer else 204)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def dying():
    _DyingStore.store, _DyingStore.allowance, _DyingStore.operations = ox.Store(), None, 0
    _DyingStore.requests = []
    server = HTTPServer(("127.0.0.1", 0), _DyingStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/update"
    server.shutdown()


def _graphs(store: ox.Store) -> dict[str, int]:
    ours = (g.value for g in store.named_graphs())
    return {
        g: len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(g))))
        for g in sorted(ours)
        if g != MANIFEST and not g.startswith(STAGING_PREFIX)
    }


def _state(store: ox.Store) -> list[str]:
    node = ox.NamedNode(MANIFEST)
    return [q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(P + "state"), None, node)]


def test_a_push_killed_after_any_operation_leaves_a_manifest(dying, tmp_path):
    old, new = tmp_path / "old.trig", tmp_path / "new.trig"
    old.write_text(
        f"<{A}> {{ <urn:x> <urn:p> 1 , 2 . }} <{GONE}> {{ <urn:x> <urn:p> 0 . }}\n", encoding="utf-8"
    )
    new.write_text(
        f"<{A}> {{ <urn:x> <urn:p> 1 . _:n <urn:p> 9 . }} <{B}> {{ <urn:y> <urn:p> 4 . }}\n", encoding="utf-8"
    )
    want_old, want_new = {A: 2, GONE: 1}, {A: 2, B: 1}
    push(dying, [old])
    before = _DyingStore.operations
    push(dying, [new], batch=1)
    total = _DyingStore.operations - before  # the operations of one whole push of the new build
    switch = total - _DyingStore.requests[-1]  # the operations before the switch request's
    assert _graphs(_DyingStore.store) == want_new and total > 6
    for k in range(total):
        _DyingStore.store, _DyingStore.allowance = ox.Store(), None
        push(dying, [old])
        _DyingStore.allowance = k
        with pytest.raises(PushError):
            push(dying, [new], batch=1)
        _DyingStore.allowance = None
        store = _DyingStore.store
        assert _state(store) in (["in-progress"], ["complete"]), (k, "no push manifest")
        if k <= switch:  # killed before the switch: the old build, whole
            assert _graphs(store) == want_old, k
        # the next push repairs whatever was left and publishes the new build whole
        push(dying, [new], batch=1)
        assert _graphs(store) == want_new and _state(store) == ["complete"], k
        assert not [g for g in store.named_graphs() if g.value.startswith(STAGING_PREFIX)], k


class _SilentSwitchStore(_DyingStore):
    """Like _DyingStore, but the switch (the request with a MOVE) gets no answer for ``silence``
    seconds and is not run: a store still busy with it, or hung (Virtuoso 7.2.5, docs/scaling-out.md)."""

    silence = 0.0
    switches = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if b"MOVE" in body and type(self).silence:
            type(self).switches += 1
            time.sleep(type(self).silence)
            return self._refuse()
        self.rfile = io.BytesIO(body)
        return super().do_POST()


def test_a_switch_the_store_does_not_answer_is_not_sent_again(tmp_path):
    old, new = tmp_path / "old.trig", tmp_path / "new.trig"
    old.write_text(f"<{A}> {{ <urn:x> <urn:p> 1 , 2 . }}\n", encoding="utf-8")
    new.write_text(f"<{A}> {{ <urn:x> <urn:p> 1 . }} <{B}> {{ <urn:y> <urn:p> 4 . }}\n", encoding="utf-8")
    _SilentSwitchStore.store, _SilentSwitchStore.allowance, _SilentSwitchStore.requests = ox.Store(), None, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SilentSwitchStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_port}/update"
    try:
        push(endpoint, [old])
        _SilentSwitchStore.silence, _SilentSwitchStore.switches = 3.0, 0
        start = time.monotonic()
        with pytest.raises(PushError, match="did not answer within 1 s: the switch may still be running"):
            push(endpoint, [new], timeout=1)
        # one switch sent, one wait: not four switches queued behind a store that is still busy
        assert _SilentSwitchStore.switches == 1 and time.monotonic() - start < 3
        store = _SilentSwitchStore.store
        assert _graphs(store) == {A: 2} and _state(store) == ["in-progress"]
        # once the store answers again, the next push repairs and publishes
        _SilentSwitchStore.silence = 0.0
        push(endpoint, [new])
        assert _graphs(_SilentSwitchStore.store) == {A: 1, B: 1}
    finally:
        server.shutdown()
