"""Load the dumps into a remote triple store, idempotently: pushing twice leaves one copy.

Two ways in, chosen from the address (or forced with ``method``):

* SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT ?graph=IRI`` per named graph, which replaces
  the graph (Oxigraph ``/store``, Virtuoso ``/sparql-graph-crud-auth``, Fuseki ``/data``).
* SPARQL 1.1 Update, for stores without the protocol: ``DROP SILENT GRAPH`` then batched
  ``INSERT DATA`` (Oxigraph ``/update``, Virtuoso ``/sparql-auth``).

Either way a graph is replaced as a whole, so an interrupted push is repaired by running it
again. Credentials go through HTTP Digest or Basic authentication, whichever the store asks for.

>>> choose_method("http://127.0.0.1:7878/store"), choose_method("http://127.0.0.1:8890/sparql-auth")
('gsp', 'update')
"""

from __future__ import annotations

import base64
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from mpdkg.errors import MpdkgError, UsageError

DEFAULT_BATCH = 500  # Virtuoso refuses updates whose SQL exceeds 10,000 lines (about 1,500 triples)
DEFAULT_TIMEOUT = 300.0
_GSP_PATHS = ("/store", "/data", "/sparql-graph-crud", "/sparql-graph-crud-auth", "/rdf-graph-store")
_UPDATE_PATHS = ("/update", "/sparql", "/sparql-auth", "/statements")
# Answers that mean "this address does not speak the Graph Store Protocol".
_NOT_GSP = {400, 404, 405, 406, 415, 501}


class PushError(MpdkgError):
    exit_code = 3

    def report(self) -> str:
        return str(self)


@dataclass
class PushReport:
    endpoint: str
    method: str
    graphs: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples sent
    requests: int = 0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def choose_method(endpoint: str) -> str:
    """'gsp' or 'update' from the endpoint's path; 'auto' when the path does not tell."""
    path = urllib.parse.urlsplit(endpoint).path.rstrip("/")
    if path.endswith(_GSP_PATHS):
        return "gsp"
    if path.endswith(_UPDATE_PATHS):
        return "update"
    return "auto"


def _default_data() -> list[Path]:
    path = Path("dist") / "mpdkg.trig"
    if not path.exists():
        raise UsageError("no dumps to push: run `mpdkg run` first or pass --data PATH")
    return [path]


def graphs_to_push(data: list[Path] | None, graph: str | None = None) -> dict[str, list[ox.Triple]]:
    """Graph IRI -> triples, from the dumps: the TriG graph names, or everything into ``graph``.

    Triples in a dump's default graph (Turtle, N-Triples, JSON-LD) need ``graph``.
    """
    from mpdkg.query import load_store

    store = load_store(list(data or _default_data()))
    if graph is not None:
        if not urllib.parse.urlsplit(graph).scheme:
            raise UsageError(f"--graph {graph!r}: expected an absolute IRI such as https://w3id.org/mpdkg/")
        triples = {q.triple for q in store}
        return {graph: sorted(triples, key=str)}
    out: dict[str, list[ox.Triple]] = {}
    for name in sorted(store.named_graphs(), key=lambda n: n.value):
        out[name.value] = sorted((q.triple for q in store.quads_for_pattern(None, None, None, name)), key=str)
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        raise UsageError(
            "the dump has triples outside named graphs (Turtle, N-Triples or JSON-LD); "
            "pass --graph IRI to put them into one graph, or push the TriG dump"
        )
    return out


class _Client:
    """HTTP with credentials sent up front: a store that asks for Digest auth closes the
    connection on an unauthenticated request with a large body, so the challenge is fetched first
    with a request that changes nothing, and every later request carries the answer."""

    def __init__(self, endpoint: str, user: str | None, password: str | None, timeout: float):
        if not endpoint.startswith(("http://", "https://")):
            raise UsageError(f"--endpoint {endpoint!r}: expected an http:// or https:// address")
        self.endpoint = endpoint
        self.timeout = timeout
        self.user = user
        self.password = password or ""
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, endpoint, user or "", self.password)
        self.digest = urllib.request.HTTPDigestAuthHandler(manager)
        self.challenge: tuple[str, dict] | None = None  # ("digest", {...}), ("basic", {}), ("none", {})
        self.opener = urllib.request.build_opener()
        self.requests = 0
        self.last_error = ""

    def _authorize(self, request: urllib.request.Request) -> None:
        if self.challenge is None or self.challenge[0] == "none":
            return
        kind, params = self.challenge
        if kind == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")
        else:
            answer = self.digest.get_authorization(request, params)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")

    def _learn(self, headers) -> bool:
        """Read a 401 answer's challenge; False when it offers nothing we can answer."""
        for value in headers.get_all("WWW-Authenticate") or []:
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() == "digest":
                params = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
                self.challenge = ("digest", params)
                return True
        for value in headers.get_all("WWW-Authenticate") or []:
            if value.strip().lower().startswith("basic"):
                self.challenge = ("basic", {})
                return True
        return False

    def _open(self, method: str, url: str, body: bytes, content_type: str):
        request = urllib.request.Request(
            url, data=body, method=method, headers={"Content-Type": content_type}
        )
        self._authorize(request)
        self.requests += 1
        return self.opener.open(request, timeout=self.timeout)

    def _probe(self, method: str) -> None:
        """Learn how the store wants us to authenticate, and check the credentials, with a
        request that changes nothing: GET of a graph that does not exist (Graph Store Protocol)
        or an empty SPARQL Update."""
        if method == "PUT":
            probe = ("GET", _gsp_url(self.endpoint, "urn:x-mpdkg:credentials-check"), None, "text/plain")
        else:
            probe = ("POST", self.endpoint, b"update=", "application/x-www-form-urlencoded")
        self.challenge = ("none", {})
        for attempt in range(2):
            try:
                with self._open(*probe) as response:
                    response.read()
                return
            except urllib.error.HTTPError as exc:
                exc.read()
                if exc.code != 401:
                    return  # whatever else it says, it did not ask for credentials
                if attempt == 0 and self._learn(exc.headers):
                    continue
                raise PushError(
                    f"{self.endpoint} refused the credentials (HTTP 401); check --user and --password"
                ) from None

    def send(self, method: str, url: str, body: bytes, content_type: str) -> int:
        """Send one request; the HTTP status (errors other than 401/403 are returned, not raised)."""
        try:
            if self.user and self.challenge is None:
                self._probe(method)
            for attempt in range(2):
                try:
                    with self._open(method, url, body, content_type) as response:
                        response.read()
                        return response.status
                except urllib.error.HTTPError as exc:
                    detail = exc.read()[:300].decode("utf-8", "replace").strip()
                    if exc.code == 401 and self.user and attempt == 0 and self._learn(exc.headers):
                        continue  # a stale nonce: answer the fresh challenge once
                    if exc.code == 401:
                        hint = "check --user and --password" if self.user else "pass --user and --password"
                        raise PushError(
                            f"{self.endpoint} refused the credentials (HTTP 401); {hint}"
                        ) from None
                    if exc.code == 403:
                        raise PushError(
                            f"{self.endpoint} does not allow writing (HTTP 403): {detail}"
                        ) from None
                    self.last_error = f"HTTP {exc.code} {exc.reason}: {detail}"
                    return exc.code
            raise PushError(f"{self.endpoint} refused the credentials (HTTP 401)")
        except (BrokenPipeError, ConnectionResetError):
            hint = "" if self.user else " (does it need --user and --password?)"
            raise PushError(
                f"{self.endpoint} closed the connection before reading the request{hint}"
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise PushError(f"{self.endpoint} did not answer within {self.timeout:g} s") from None
            raise PushError(f"cannot reach {self.endpoint}: {exc.reason}") from None
        except TimeoutError:
            raise PushError(f"{self.endpoint} did not answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise PushError(f"cannot reach {self.endpoint}: {exc}") from None


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _gsp_url(endpoint: str, graph: str) -> str:
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


def _push_gsp(client: _Client, graph: str, triples: list[ox.Triple]) -> int:
    # N-Triples is Turtle, and every store that speaks the protocol reads Turtle.
    return client.send("PUT", _gsp_url(client.endpoint, graph), _ntriples(triples), "text/turtle")


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _batches(triples: list[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """Batches of at most ``size`` triples; all triples with a blank node go together in the first
    batch, because a blank node label means a new node in every separate INSERT DATA."""
    blank = [t for t in triples if _has_blank(t)]
    plain = [t for t in triples if not _has_blank(t)]
    out = [blank] if blank else []
    out += [plain[i : i + size] for i in range(0, len(plain), size)]
    return out


def _update(client: _Client, text: str) -> None:
    body = urllib.parse.urlencode({"update": text}).encode("utf-8")
    status = client.send("POST", client.endpoint, body, "application/x-www-form-urlencoded")
    if status >= 300:
        raise PushError(f"{client.endpoint} refused a SPARQL update: {client.last_error or status}")


def _push_update(client: _Client, graph: str, triples: list[ox.Triple], batch: int) -> None:
    _update(client, f"DROP SILENT GRAPH <{graph}>")
    for chunk in _batches(triples, batch):
        data = _ntriples(chunk).decode("utf-8")
        if any(_has_blank(t) for t in chunk):
            # INSERT DATA may not hold blank nodes on some stores (Virtuoso); a template with an
            # empty WHERE gives one fresh node per label, shared within this request.
            _update(client, f"INSERT {{ GRAPH <{graph}> {{\n{data}}} }} WHERE {{}}")
        else:
            _update(client, f"INSERT DATA {{ GRAPH <{graph}> {{\n{data}}} }}")


def push(
    endpoint: str,
    data: list[Path] | None = None,
    graph: str | None = None,
    user: str | None = None,
    password: str | None = None,
    method: str = "auto",
    batch: int = DEFAULT_BATCH,
    timeout: float = DEFAULT_TIMEOUT,
    step: Callable[[str], None] = lambda _: None,
) -> PushReport:
    """Replace each graph of the dumps in the store at ``endpoint``; see the module docstring."""
    if method not in ("auto", "gsp", "update"):
        raise UsageError(f"--method {method!r}: expected auto, gsp or update")
    if batch < 1:
        raise UsageError("--batch must be at least 1")
    client = _Client(endpoint, user, password, timeout)
    graphs = graphs_to_push(data, graph)
    if method == "auto":
        method = choose_method(endpoint)
    report = PushReport(endpoint, method)
    for name, triples in graphs.items():
        step(f"{name} ({len(triples)} triples)")
        if method in ("gsp", "auto"):
            status = _push_gsp(client, name, triples)
            if status < 300:
                report.method = "gsp"
                report.graphs[name] = len(triples)
                continue
            if method == "gsp" or status not in _NOT_GSP:
                raise PushError(
                    f"{endpoint} refused the Graph Store Protocol PUT for <{name}>: "
                    f"{client.last_error or status}"
                )
            method = "update"  # this address does not speak the protocol: fall back for good
            report.method = "update"
        _push_update(client, name, triples, batch)
        report.graphs[name] = len(triples)
    report.requests = client.requests
    return report
