"""Load the dumps into a remote triple store so that readers see the old build or the new one,
never a part or a mix, and so that an interrupted push is noticed and repaired.

A push goes in four steps:

1. **Read the manifest**, a small graph (``https://w3id.org/mpdkg/graph/push-manifest``) that the
   last push left in the store: which graphs it published, from which build, and whether a push
   is under way. A push that finds one "in progress" was interrupted: it drops that push's staging
   graphs, or keeps those that are complete when the build is the same, and says so.
2. **Mark the push in progress**: the manifest names this push and its staging graphs
   (``urn:x-mpdkg:staging:PUSH-ID:N``), so that a push killed from here on is repaired by the next.
3. **Stage**: each graph of the dumps goes into its fresh staging graph, with the SPARQL 1.1 Graph
   Store HTTP Protocol (one ``PUT ?graph=IRI`` per graph: Oxigraph ``/store``, Virtuoso
   ``/sparql-graph-crud-auth``, Fuseki ``/data``) or with SPARQL 1.1 Update (batched
   ``INSERT DATA``: Oxigraph ``/update``, Virtuoso ``/sparql-auth``). The published graphs are
   not touched, and the staging graphs are counted before going on.
4. **Switch** in one SPARQL Update request: ``MOVE`` each staging graph onto its graph, ``DROP``
   the graphs that the previous push published and this build no longer has, and rewrite the
   manifest as complete. Oxigraph runs one request as one transaction and reads from snapshots;
   Virtuoso runs it as one transaction too (see docs/scaling-out.md for what its readers see while
   it commits).

The switch and the manifest need SPARQL Update and a query endpoint; both are found from the
address (Oxigraph ``/store`` → ``/update`` and ``/query``; Virtuoso ``/sparql-graph-crud-auth``
→ ``/sparql-auth``) or given. Credentials go through HTTP Digest or Basic authentication,
whichever the store asks for.

>>> choose_method("http://127.0.0.1:7878/store"), choose_method("http://127.0.0.1:8890/sparql-auth")
('gsp', 'update')
>>> companion_endpoints("http://127.0.0.1:7878/store")
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/query')
>>> companion_endpoints("http://127.0.0.1:8890/sparql-graph-crud-auth")
('http://127.0.0.1:8890/sparql-auth', 'http://127.0.0.1:8890/sparql-auth')
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
import socket
import time
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
# The update and query addresses that go with a store's address: last path segment -> (update,
# query); "" means the parent path (RDF4J: /repositories/ID/statements is queried at /repositories/ID).
_COMPANIONS = {
    "store": ("update", "query"),  # Oxigraph
    "update": ("update", "query"),  # Oxigraph, Fuseki
    "query": ("update", "query"),
    "data": ("update", "query"),  # Fuseki
    "sparql-graph-crud-auth": ("sparql-auth", "sparql-auth"),  # Virtuoso
    "sparql-graph-crud": ("sparql", "sparql"),
    "sparql-auth": ("sparql-auth", "sparql-auth"),
    "sparql": ("sparql", "sparql"),
    "statements": ("statements", ""),  # RDF4J, GraphDB
}

MANIFEST = "https://w3id.org/mpdkg/graph/push-manifest"
OUR_GRAPHS = "https://w3id.org/mpdkg/graph/"
STAGING_PREFIX = "urn:x-mpdkg:staging:"
P = "https://w3id.org/mpdkg/push#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IN_PROGRESS, COMPLETE = "in-progress", "complete"


def _sparql(name: str, **values: str) -> str:
    """The SPARQL of ``publish/queries/push-<name>.rq`` with its ``$parameters`` filled in (its
    header comments left out).

    >>> _sparql("drop-graph", graph="urn:x:g")
    'DROP SILENT GRAPH <urn:x:g>'
    """
    from string import Template

    from mpdkg.query.packaged import package_query

    lines = package_query("publish", f"push-{name}").splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return Template("".join(lines).rstrip("\n")).substitute(values)


class PushError(MpdkgError):
    exit_code = 3

    def report(self) -> str:
        return str(self)


class NoAnswer(PushError):
    """The store did not answer within the timeout: it may still be running the request."""


@dataclass
class PushReport:
    endpoint: str
    method: str
    graphs: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples published
    requests: int = 0
    push_id: str = ""
    build: str = ""
    removed: list[str] = field(default_factory=list)  # graphs of the previous push, dropped
    repairs: list[str] = field(default_factory=list)  # what was found and repaired, in words
    reused: list[str] = field(default_factory=list)  # graphs whose staging an interrupted push left

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


@dataclass
class Manifest:
    """What the store's manifest graph says (``exists`` False: there is none)."""

    exists: bool = False
    state: str = ""
    push_id: str = ""
    build: str = ""
    pushed_at: str = ""
    graphs: dict[str, int] = field(default_factory=dict)  # published graph -> triples
    pending_id: str = ""
    pending_build: str = ""
    pending_since: str = ""
    staging: dict[str, str] = field(default_factory=dict)  # staging graph -> the graph it becomes
    staging_triples: dict[str, int] = field(default_factory=dict)  # staging graph -> triples it needs
    leftover: list[str] = field(default_factory=list)  # staging graphs of a finished push, to drop


def choose_method(endpoint: str) -> str:
    """'gsp' or 'update' from the endpoint's path; 'auto' when the path does not tell."""
    path = urllib.parse.urlsplit(endpoint).path.rstrip("/")
    if path.endswith(_GSP_PATHS):
        return "gsp"
    if path.endswith(_UPDATE_PATHS):
        return "update"
    return "auto"


def companion_endpoints(endpoint: str) -> tuple[str, str]:
    """The SPARQL Update and query addresses of the store at ``endpoint`` (the address itself
    when its path does not tell)."""
    split = urllib.parse.urlsplit(endpoint)
    parent, _, last = split.path.rstrip("/").rpartition("/")
    if last not in _COMPANIONS:
        return endpoint, endpoint

    def at(segment: str) -> str:
        path = f"{parent}/{segment}" if segment else parent or "/"
        return urllib.parse.urlunsplit((split.scheme, split.netloc, path, "", ""))

    update, query = _COMPANIONS[last]
    return at(update), at(query)


def _default_data() -> list[Path]:
    from mpdkg.query.engines import default_data

    path = default_data()  # dist/ here, else the project's dist/ (wherever in it we are)
    if path is None:
        raise UsageError("no dumps to push: run `mpdkg run` first or pass --data PATH")
    return [path]


def graphs_to_push(data: list[Path] | None, graph: str | None = None) -> dict[str, list[ox.Triple]]:
    """Graph IRI -> triples, from the dumps: the TriG graph names, or everything into ``graph``.

    Triples in a dump's default graph (Turtle, N-Triples, JSON-LD) need ``graph``.
    """
    from mpdkg.query.engines import load_store

    store = load_store(list(data or _default_data()))
    if graph is not None:
        if not urllib.parse.urlsplit(graph).scheme:
            raise UsageError(f"--graph {graph!r}: expected an absolute IRI such as https://w3id.org/mpdkg/")
        triples = {q.triple for q in store}
        out = {graph: sorted(triples, key=str)}
    else:
        out = {}
        for node in sorted(store.named_graphs(), key=lambda n: n.value):
            out[node.value] = sorted(
                (q.triple for q in store.quads_for_pattern(None, None, None, node)), key=str
            )
        if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
            raise UsageError(
                "the dump has triples outside named graphs (Turtle, N-Triples or JSON-LD); "
                "pass --graph IRI to put them into one graph, or push the TriG dump"
            )
    for name in out:
        if name == MANIFEST or name.startswith(STAGING_PREFIX):
            raise UsageError(f"<{name}> is the name of mpdkg push's own bookkeeping; use another graph name")
    return out


def build_id(data: list[Path] | None, graph: str | None = None) -> str:
    """A fingerprint of what is pushed: the dumps' bytes (and --graph), so the same files give
    the same id whatever blank node labels a parser picks."""
    digest = hashlib.sha256(f"graph={graph or ''}\n".encode())
    for path in data or _default_data():
        digest.update(f"{Path(path).name}\n".encode())
        digest.update(Path(path).read_bytes())
    return "sha256:" + digest.hexdigest()


class _Client:
    """HTTP with credentials sent up front: a store that asks for Digest auth closes the
    connection on an unauthenticated request with a large body, so before the first large request
    the challenge is fetched with a request that changes nothing, and every later request carries
    the answer."""

    def __init__(self, endpoint: str, user: str | None, password: str | None, timeout: float):
        if not endpoint.startswith(("http://", "https://")):
            raise UsageError(f"--endpoint {endpoint!r}: expected an http:// or https:// address")
        self.endpoint = endpoint
        self.timeout = timeout
        self.user = user
        self.password = password or ""
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        split = urllib.parse.urlsplit(endpoint)
        # the whole server: the update and query addresses sit beside the endpoint
        manager.add_password(None, f"{split.scheme}://{split.netloc}/", user or "", self.password)
        self.digest = urllib.request.HTTPDigestAuthHandler(manager)
        self.challenge: tuple[str, dict] | None = None  # ("digest", {...}), ("basic", {}), ("none", {})
        self.opener = urllib.request.build_opener()
        self.requests = 0
        self.last_error = ""
        self.server = ""  # the Server header of the last answer ("Oxigraph/0.5.13", "Virtuoso/07.20...")

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

    def _open(self, method: str, url: str, body: bytes | None, content_type: str, accept: str = "*/*"):
        request = urllib.request.Request(
            url, data=body, method=method, headers={"Content-Type": content_type, "Accept": accept}
        )
        self._authorize(request)
        self.requests += 1
        return self.opener.open(request, timeout=self.timeout)

    def _probe(self, method: str, url: str) -> None:
        """Learn how the store wants us to authenticate, and check the credentials, with a
        request that changes nothing: GET of a graph that does not exist (Graph Store Protocol)
        or an empty SPARQL Update."""
        if method == "PUT":
            probe: tuple[str, str, bytes | None, str] = (
                "GET",
                _gsp_url(url, "urn:x-mpdkg:credentials-check"),
                None,
                "text/plain",
            )
        else:
            probe = ("POST", url, b"update=", "application/x-www-form-urlencoded")
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

    def exchange(
        self, method: str, url: str, body: bytes | None, content_type: str, accept: str = "*/*"
    ) -> tuple[int, bytes]:
        """Send one request; the HTTP status and body (errors other than 401/403 are returned,
        with their text in ``last_error``, not raised)."""
        try:
            if self.user and self.challenge is None and len(body or b"") > 4096:
                self._probe(method, url)
            for attempt in range(2):
                try:
                    with self._open(method, url, body, content_type, accept) as response:
                        self.server = response.headers.get("Server", "") or self.server
                        return response.status, response.read()
                except urllib.error.HTTPError as exc:
                    text = exc.read()
                    detail = text[:300].decode("utf-8", "replace").strip()
                    if exc.code == 401 and self.user and attempt == 0 and self._learn(exc.headers):
                        continue  # the first challenge, or a stale nonce: answer it once
                    if exc.code == 401:
                        hint = "check --user and --password" if self.user else "pass --user and --password"
                        raise PushError(
                            f"{self.endpoint} refused the credentials (HTTP 401); {hint}"
                        ) from None
                    if exc.code == 403:
                        raise PushError(f"{url} does not allow writing (HTTP 403): {detail}") from None
                    self.last_error = f"HTTP {exc.code} {exc.reason}: {detail}"
                    return exc.code, text
            raise PushError(f"{self.endpoint} refused the credentials (HTTP 401)")
        except (BrokenPipeError, ConnectionResetError):
            hint = "" if self.user else " (does it need --user and --password?)"
            raise PushError(f"{url} closed the connection before reading the request{hint}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise NoAnswer(f"{url} did not answer within {self.timeout:g} s") from None
            raise PushError(f"cannot reach {url}: {exc.reason}") from None
        except TimeoutError:
            raise NoAnswer(f"{url} did not answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise PushError(f"cannot reach {url}: {exc}") from None

    def send(self, method: str, url: str, body: bytes, content_type: str) -> int:
        return self.exchange(method, url, body, content_type)[0]


def _ntriples(triples: list[ox.Triple]) -> bytes:
    out = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert out is not None  # no output file given: the bytes are returned
    return out


def _gsp_url(endpoint: str, graph: str) -> str:
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


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


class _Store:
    """The three addresses of one store (Graph Store Protocol, SPARQL Update, query) behind one
    authenticated client."""

    def __init__(self, client: _Client, update_url: str, query_url: str):
        self.client = client
        self.update_url = update_url
        self.query_url = query_url

    def update(self, text: str, what: str = "a SPARQL update") -> None:
        status = self.try_update(text)
        if status >= 300:
            raise PushError(f"{self.update_url} refused {what}: {self.client.last_error or status}")

    def try_update(self, text: str) -> int:
        body = urllib.parse.urlencode({"update": text}).encode("utf-8")
        return self.client.send("POST", self.update_url, body, "application/x-www-form-urlencoded")

    def select(self, text: str) -> list[dict[str, dict]]:
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        status, answer = self.client.exchange(
            "POST",
            self.query_url,
            body,
            "application/x-www-form-urlencoded",
            accept="application/sparql-results+json",
        )
        if status >= 300:
            raise PushError(
                f"{self.query_url} refused a query ({self.client.last_error or status}); "
                "pass --query-endpoint with the store's SPARQL query address"
            )
        try:
            return json.loads(answer)["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise PushError(
                f"{self.query_url} did not answer a query with SPARQL JSON results; "
                "pass --query-endpoint with the store's SPARQL query address"
            ) from None

    def count(self, graph: str) -> int:
        rows = self.select(_sparql("count-graph", graph=graph))
        return int(rows[0]["n"]["value"]) if rows and "n" in rows[0] else 0

    def graphs_starting(self, prefixes: tuple[str, ...]) -> list[str]:
        test = " || ".join(f'STRSTARTS(STR(?g), "{p}")' for p in prefixes)
        rows = self.select(_sparql("graphs-starting", test=test))
        return sorted(r["g"]["value"] for r in rows if "g" in r)

    def manifest(self) -> Manifest:
        rows = self.select(_sparql("manifest", manifest=MANIFEST))
        found = Manifest(exists=bool(rows))
        for row in rows:
            s, p, o = (row.get(k, {}).get("value", "") for k in ("s", "p", "o"))
            if not p.startswith(P):
                continue
            key = p[len(P) :]
            if s == MANIFEST:
                if key == "graph":
                    found.graphs.setdefault(o, 0)
                elif key == "staging":
                    found.staging.setdefault(o, "")
                elif key == "leftover":
                    found.leftover.append(o)
                elif key in (
                    "state",
                    "pushId",
                    "build",
                    "pushedAt",
                    "pendingPush",
                    "pendingBuild",
                    "pendingSince",
                ):
                    attribute = {
                        "pushId": "push_id",
                        "pushedAt": "pushed_at",
                        "pendingPush": "pending_id",
                        "pendingBuild": "pending_build",
                        "pendingSince": "pending_since",
                    }.get(key, key)
                    setattr(found, attribute, o)
            elif key == "stagingFor":
                found.staging[s] = o
            elif key == "triples" and o.lstrip("-").isdigit():
                (found.staging_triples if s.startswith(STAGING_PREFIX) else found.graphs)[s] = int(o)
        found.graphs = {g: n for g, n in found.graphs.items() if not g.startswith(STAGING_PREFIX)}
        return found


def _manifest_triples(
    push_id: str,
    build: str,
    state: str,
    published: dict[str, int],
    staging: dict[str, tuple[str, int]] | None = None,
    previous: Manifest | None = None,
    leftover: list[str] | None = None,
) -> list[ox.Triple]:
    """The manifest graph: the published graphs and their build; while a push is under way, that
    push and its staging graphs too. A marker keeps the published part of ``previous``."""
    from mpdkg import __version__

    m = ox.NamedNode(MANIFEST)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    def lit(value: str) -> ox.Literal:
        return ox.Literal(value)

    def term(name: str) -> ox.NamedNode:
        return ox.NamedNode(P + name)

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode(_XSD + "integer"))

    def when(value: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + "dateTime"))

    out = [
        ox.Triple(m, ox.NamedNode(_RDF_TYPE), term("Manifest")),
        ox.Triple(m, term("state"), lit(state)),
        ox.Triple(m, term("tool"), lit(f"mpdkg {__version__}")),
    ]
    if state == COMPLETE:
        out += [
            ox.Triple(m, term("pushId"), lit(push_id)),
            ox.Triple(m, term("build"), lit(build)),
            ox.Triple(m, term("pushedAt"), when(now)),
        ]
        out += [ox.Triple(m, term("leftover"), ox.NamedNode(g)) for g in sorted(leftover or [])]
    else:
        if previous is not None and previous.push_id:
            out += [
                ox.Triple(m, term("pushId"), lit(previous.push_id)),
                ox.Triple(m, term("build"), lit(previous.build)),
            ]
            if previous.pushed_at:
                out.append(ox.Triple(m, term("pushedAt"), when(previous.pushed_at)))
        out += [
            ox.Triple(m, term("pendingPush"), lit(push_id)),
            ox.Triple(m, term("pendingBuild"), lit(build)),
            ox.Triple(m, term("pendingSince"), when(now)),
        ]
        for name, (target, n) in sorted((staging or {}).items()):
            node = ox.NamedNode(name)
            out += [
                ox.Triple(m, term("staging"), node),
                ox.Triple(node, term("stagingFor"), ox.NamedNode(target)),
                ox.Triple(node, term("triples"), integer(n)),
            ]
    for name, n in sorted(published.items()):
        out.append(ox.Triple(m, term("graph"), ox.NamedNode(name)))
        if n:  # 0: not known (a graph found without a manifest)
            out.append(ox.Triple(ox.NamedNode(name), term("triples"), integer(n)))
    return out


def _write_manifest(triples: list[ox.Triple]) -> list[str]:
    """The update operation that replaces the manifest graph with ``triples``: one operation, so
    that no store can run half of it (see push-replace-manifest.rq)."""
    return [_sparql("replace-manifest", manifest=MANIFEST, data=_ntriples(triples).decode("utf-8"))]


def _stage_gsp(client: _Client, gsp_url: str, staging: str, triples: list[ox.Triple]) -> int:
    # N-Triples is Turtle, and every store that speaks the protocol reads Turtle.
    return client.send("PUT", _gsp_url(gsp_url, staging), _ntriples(triples), "text/turtle")


def _stage_update(store: _Store, staging: str, triples: list[ox.Triple], batch: int) -> None:
    store.update(_sparql("drop-graph", graph=staging))
    for chunk in _batches(triples, batch):
        data = _ntriples(chunk).decode("utf-8")
        blank = any(_has_blank(t) for t in chunk)  # INSERT DATA may not hold blank nodes (Virtuoso)
        store.update(_sparql("insert-blank-nodes" if blank else "insert-data", graph=staging, data=data))


def _new_push_id() -> str:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def _drop(store: _Store, names) -> None:
    names = sorted(set(names))
    if names:
        store.update(" ;\n".join(_sparql("drop-graph", graph=g) for g in names), "dropping staging graphs")


def _repair(
    store: _Store, found: Manifest, build: str, graphs: dict[str, list[ox.Triple]], report: PushReport
) -> dict[str, str]:
    """Deal with what earlier pushes left: staging graphs of an interrupted push that are complete
    for this very build are kept (graph -> staging graph, returned); every other staging graph in
    the store is dropped. Without a manifest, graphs in mpdkg's graph namespace are taken as an
    earlier push's (their names say so)."""
    if not found.exists:
        listed = store.graphs_starting((OUR_GRAPHS, STAGING_PREFIX))
        stray = [g for g in listed if g.startswith(STAGING_PREFIX)]
        found.graphs = {g: 0 for g in listed if not g.startswith(STAGING_PREFIX)}
        _drop(store, stray)
        if stray:
            report.repairs.append(f"no push manifest; dropped {len(stray)} staging graph(s) left without one")
        return {}
    present = set(store.graphs_starting((STAGING_PREFIX,)))
    keep: dict[str, str] = {}
    if found.state == IN_PROGRESS:
        for name, target in sorted(found.staging.items()):
            want = found.staging_triples.get(name)
            if (
                found.pending_build == build
                and want
                and want == len(graphs.get(target, ()))
                and target not in keep
                and name in present
                and store.count(name) == want
            ):
                keep[target] = name
        stale = (set(found.staging) & present) - set(keep.values())
        since = f", started {found.pending_since}" if found.pending_since else ""
        what = [f"dropped {len(stale)} staging graph(s)"] if stale else []
        if keep:
            what.append(f"kept {len(keep)} complete staging graph(s) of the same build")
        report.repairs.append(
            f"the push {found.pending_id or '(unnamed)'}{since} was interrupted before its switch "
            f"(the published graphs are still those of the push before it); {' and '.join(what) or 'nothing to drop'}"
        )
    left = set(found.leftover) & present
    if left:
        report.repairs.append(
            f"dropped {len(left)} staging graph(s) that push {found.push_id} left after its switch"
        )
    strays = present - set(found.staging) - set(found.leftover)
    if strays:
        report.repairs.append(
            f"dropped {len(strays)} stray staging graph(s) (a killed push's request the store finished afterwards)"
        )
    _drop(store, (present | set(found.leftover)) - set(keep.values()))
    report.reused = sorted(keep)
    return keep


def _switch_operations(staged: dict[str, str], diff: bool) -> list[str]:
    """Update operations that make each graph hold exactly its staging graph's triples.

    ``MOVE`` rewrites the whole graph; the difference (delete what the staging graph lacks, insert
    what the graph lacks) touches only what changed and leaves the staging graph for later. Both
    are as safe as the check before them: with the staging graph gone, Virtuoso's MOVE and the
    difference would both empty the graph, hence that check."""
    name = "switch-by-difference" if diff else "move-graph"
    return [_sparql(name, staging=s, graph=g) for g, s in sorted(staged.items())]


def _switch(
    store: _Store,
    push_id: str,
    build: str,
    staged: dict[str, str],
    published: dict[str, int],
    removed: list[str],
    empty: list[str],
    diff: bool,
    expected: dict[str, int],
) -> None:
    """One update request: every graph made to hold its staging graph's triples, the graphs this
    build no longer has dropped, the manifest rewritten as complete. Retried only when the store
    certainly did not run it (a Virtuoso deadlock victim, say): the manifest tells. A switch the
    store did not answer is not sent again, since the store may still be running it."""
    operations = _switch_operations(staged, diff)
    operations += [_sparql("drop-graph", graph=g) for g in sorted(empty + removed)]
    leftover = sorted(staged.values()) if diff else []
    operations += _write_manifest(_manifest_triples(push_id, build, COMPLETE, published, leftover=leftover))
    text = " ;\n".join(operations)
    for attempt in range(4):
        error = ""
        answered = True
        try:
            status = store.try_update(text)
            if status < 300:
                return
            error = store.client.last_error or str(status)
        except NoAnswer as exc:
            error, answered = str(exc), False
        except PushError as exc:
            error = str(exc)
        now = store.manifest()
        if now.state == COMPLETE and now.push_id == push_id:
            return  # it ran; only the answer was lost
        if not answered and now.pending_id == push_id:
            raise PushError(
                f"{error}: the switch may still be running there. Until it ends, the published graphs "
                "are those of the previous push; push again later (it finishes or repairs this one). A "
                "store that never answers needs a restart (seen with Virtuoso 7.2.5 after a killed push: "
                "docs/scaling-out.md)"
            )
        if now.pending_id != push_id or attempt == 3:
            break
        # Virtuoso keeps the operations before a failing one: retry only with every staging graph
        # whole (a MOVE from a missing graph would empty the published one).
        if any(store.count(s) != expected[s] for s in staged.values()):
            raise PushError(f"{store.update_url} ran part of the switch ({error}); push again to finish it")
        time.sleep(0.5 * (attempt + 1))
    raise PushError(
        f"{store.update_url} did not switch to the new graphs ({error}); the published graphs are "
        "unchanged, and the next push cleans up this one's staging graphs"
    )


def _drop_leftovers(store: _Store, staged: dict[str, str]) -> None:
    """After a switch by difference: drop the staging graphs, and strike them from the manifest."""
    names = sorted(staged.values())
    if not names:
        return
    struck = " ".join(f"<{MANIFEST}> <{P}leftover> <{g}> ." for g in names)
    operations = [_sparql("drop-graph", graph=g) for g in names]
    operations.append(_sparql("strike-leftovers", manifest=MANIFEST, struck=struck))
    store.update(" ;\n".join(operations), "dropping the staging graphs")


def _check_options(method: str, batch: int, switch: str, others: tuple[str | None, ...]) -> None:
    if method not in ("auto", "gsp", "update"):
        raise UsageError(f"--method {method!r}: expected auto, gsp or update")
    if batch < 1:
        raise UsageError("--batch must be at least 1")
    if switch not in ("auto", "move", "diff"):
        raise UsageError(f"switch {switch!r}: expected auto, move or diff")
    for other in others:
        if other is not None and not other.startswith(("http://", "https://")):
            raise UsageError(f"{other!r}: expected an http:// or https:// address")


def _stage_all(
    store: _Store,
    endpoint: str,
    method: str,
    full: dict[str, list[ox.Triple]],
    staged: dict[str, str],
    kept: dict[str, str],
    batch: int,
    report: PushReport,
    step: Callable[[str], None],
) -> None:
    """Fill every staging graph not kept from an interrupted push: by the Graph Store Protocol,
    falling back for good to SPARQL Update where the address does not speak it (``auto``)."""
    client = store.client
    for name, triples in sorted(full.items()):
        if name in kept:
            continue
        target = staged[name]
        step(f"staging {name} ({len(triples)} triples)")
        if method in ("gsp", "auto"):
            status = _stage_gsp(client, endpoint, target, triples)
            if status < 300:
                report.method = "gsp"
                continue
            if method == "gsp" or status not in _NOT_GSP:
                raise PushError(
                    f"{endpoint} refused the Graph Store Protocol PUT for <{name}>: "
                    f"{client.last_error or status}"
                )
            method = "update"  # this address does not speak the protocol: fall back for good
            report.method = "update"
        _stage_update(store, target, triples, batch)
    if report.method == "auto":
        report.method = "update" if choose_method(endpoint) == "update" else "gsp"


def _check_staged(
    store: _Store, push_id: str, staged: dict[str, str], full: dict[str, list[ox.Triple]]
) -> None:
    """Before the switch: this push still owns the store, and every staging graph is whole."""
    now = store.manifest()
    if now.pending_id != push_id:
        raise PushError(
            f"another push ({now.pending_id or now.push_id or 'unknown'}) took over the store while "
            "this one was staging; nothing was switched"
        )
    for name, target in sorted(staged.items()):
        have = store.count(target)
        if have != len(full[name]):
            raise PushError(
                f"the staging graph <{target}> for <{name}> holds {have} of {len(full[name])} "
                "triples; nothing was switched (push again)"
            )


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
    update_endpoint: str | None = None,
    query_endpoint: str | None = None,
    note: Callable[[str], None] = lambda _: None,
    switch: str = "auto",
) -> PushReport:
    """Replace the graphs of the last push with the graphs of the dumps in the store at
    ``endpoint``, switching all at once; see the module docstring."""
    _check_options(method, batch, switch, (update_endpoint, query_endpoint))
    client = _Client(endpoint, user, password, timeout)
    graphs = graphs_to_push(data, graph)
    build = build_id(data, graph)
    if method == "auto":
        method = choose_method(endpoint)
    update_url, query_url = companion_endpoints(endpoint)
    if method == "update":
        update_url = endpoint
    store = _Store(client, update_endpoint or update_url, query_endpoint or query_url)
    report = PushReport(endpoint, method, push_id=_new_push_id(), build=build)

    step("reading the push manifest")
    found = store.manifest()
    kept = _repair(store, found, build, graphs, report)
    for line in report.repairs:
        note(line)

    full = {g: t for g, t in graphs.items() if t}
    empty = [g for g, t in graphs.items() if not t]
    staged = dict(kept)
    for number, name in enumerate(sorted(full)):
        staged.setdefault(name, f"{STAGING_PREFIX}{report.push_id}:{number}")
    plan = {s: (g, len(full[g])) for g, s in staged.items()}
    step(f"marking push {report.push_id} in progress")
    marker = _manifest_triples(report.push_id, build, IN_PROGRESS, found.graphs, plan, found)
    store.update(" ;\n".join(_write_manifest(marker)), "the push manifest")

    _stage_all(store, endpoint, method, full, staged, kept, batch, report, step)
    step("checking the staging graphs")
    _check_staged(store, report.push_id, staged, full)

    report.removed = sorted(g for g in found.graphs if g not in graphs)
    published = {g: len(t) for g, t in graphs.items()}
    diff = switch == "diff" or (switch == "auto" and client.server.lower().startswith("oxigraph"))
    step(f"switching {len(staged)} graph(s) in one update ({'by difference' if diff else 'MOVE'})")
    expected = {s: len(full[g]) for g, s in staged.items()}
    _switch(store, report.push_id, build, staged, published, report.removed, empty, diff, expected)
    if diff:
        step("dropping the staging graphs")
        _drop_leftovers(store, staged)
    report.graphs = published
    report.requests = client.requests
    return report
