"""HTTP for ``mpdkg serve``: routing, request limits (body, time, concurrency, Host) and responses."""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from mpdkg import paths
from mpdkg.serve.pages import render_entity_page, render_text_page, service_description
from mpdkg.serve.protocol import (
    DEFAULT_HOST,
    DEFAULT_MAX_ROWS,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    ENTITY_PATH,
    FORMAT_PARAM,
    GRAPH_TYPES,
    MAX_BODY,
    MAX_CONNECTIONS,
    MEDIA,
    RESULT_TYPES,
    SOCKET_TIMEOUT,
    STATIC_TYPES,
    Refused,
    ServeError,
    check_query,
    log,
    negotiate,
)
from mpdkg.serve.service import Service

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
        elif ENTITY_PATH.match(path):
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
    spares: int = 1,
    preempt_after: float = 0.25,
) -> Server:
    """The HTTP server with its workers started (call ``serve_forever``, then ``close``)."""
    service = Service(
        data, timeout, max_rows, workers, public_base=public_base, cors=cors, spares=spares,
        preempt_after=preempt_after,
    )  # fmt: skip
    try:
        return Server((host, port), service, max_connections)
    except OSError as exc:
        service.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def close(server: Server) -> None:
    server.server_close()
    server.service.close()
