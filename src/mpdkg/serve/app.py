"""HTTP for ``mpdkg serve``: a Starlette application run by uvicorn.

The application (:func:`build_app`) routes and answers; a thin ASGI layer around it
(:class:`_Guard`) applies what every request must pass whatever its route: the Host allow-list,
strict decoding of the path, the read-only method policy, one log line per request, and a plain
answer with no internal detail when something fails. Connection limits (time to send a request,
open connections at once) are in :mod:`mpdkg.serve.connection`, below the application.

Blocking work (the query check and the wait for a worker) runs in threads bounded by the
connection limit, never in the event loop.
"""

from __future__ import annotations

import socket
import time
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from mpdkg import paths
from mpdkg.serve.handlers import MAX_BODY, Answer, add_posted, entity, sparql, void
from mpdkg.serve.protocol import ENTITY_PATH, MEDIA, STATIC_TYPES, Refused, log
from mpdkg.serve.service import Service

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SPARQL_PATHS = ("/sparql", "/sparql/", "/query")
WRITE_PATHS = ("/update", "/store", "/sparql-auth")
READ_METHODS = ("GET", "HEAD")


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response((message.rstrip() + "\n").encode("utf-8"), status, headers, "text/plain; charset=utf-8")


class _Guard:
    """What every request passes before any route: Host, path, method, logging, errors."""

    def __init__(self, app: ASGIApp, service: Service, bound: tuple[str, int]):
        self.app = app
        self.service = service
        self.bound = bound

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = [0]

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]
            await send(message)

        try:
            await self._checked(scope, receive, send_logged)
        except Refused as exc:
            await self._answer(
                scope, receive, send_logged, status, plain(exc.status, exc.message, exc.headers)
            )
        except ClientDisconnect:
            status[0] = status[0] or 499
        except Exception:
            log.exception("error answering %s %s", scope["method"], scope.get("path"))
            await self._answer(
                scope, receive, send_logged, status, plain(500, "internal error; see the server log")
            )
        finally:
            self._log(scope, status[0], started)

    @staticmethod
    async def _answer(
        scope: Scope, receive: Receive, send: Send, status: list[int], response: Response
    ) -> None:
        if not status[0]:
            response.headers["connection"] = "close"  # the body may be unread
            await response(scope, receive, send)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        raw = scope.get("raw_path") or scope["path"].encode()
        shown = raw.decode("ascii", "replace") + (
            "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
        )
        shown = shown if len(shown) <= 200 else shown[:200] + "…"
        client = (scope.get("client") or ("-",))[0]
        log.info(
            "%s %s %s %d %.1f ms", client, scope["method"], shown, status, (time.monotonic() - started) * 1000
        )

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        host = headers.get(b"host")
        if host is not None and not self.service.allowed_host(host.decode("latin-1"), self.bound):
            raise Refused(
                400, "unknown Host: this server answers for its own address only (see --public-base)"
            )
        raw = scope.get("raw_path") or scope["path"].encode()
        try:
            path = urllib.parse.unquote(raw.decode("ascii"), errors="strict")
        except UnicodeDecodeError:
            raise Refused(400, "the path has %-escapes that are not UTF-8") from None
        scope = {**scope, "path": path}
        method = scope["method"]
        if method == "OPTIONS":
            await self._options()(scope, receive, send)
            return
        if path in WRITE_PATHS or method in ("PUT", "DELETE", "PATCH"):
            raise Refused(403, "this endpoint is read-only: no SPARQL Update, no Graph Store writes")
        if path in SPARQL_PATHS:
            if method not in (*READ_METHODS, "POST"):
                raise Refused(405, f"{method} is not allowed on /sparql", {"Allow": "GET, HEAD, POST"})
        elif method == "POST":
            raise Refused(405, "POST is only for /sparql", {"Allow": "GET, HEAD"})
        elif method not in READ_METHODS:
            raise Refused(405, f"{method} is not allowed", {"Allow": "GET, HEAD"})
        await self.app(scope, receive, send)

    def _options(self) -> Response:
        headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self.service.cors:
            headers |= {
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "GET",
                "Access-Control-Allow-Headers": "Accept",
            }
        return Response(b"", 204, headers)


@lru_cache(maxsize=64)
def _static_file(name: str) -> tuple[bytes, str] | None:
    root = paths.static_dir().resolve()
    target = (root / name).resolve()
    if root not in target.parents or not target.is_file():
        return None
    return target.read_bytes(), STATIC_TYPES.get(target.suffix, STATIC_TYPES[""])


class _Routes:
    """The route handlers; blocking work goes to threads, at most ``limit`` at once."""

    def __init__(self, service: Service, bound: tuple[str, int], limit: int):
        self.service = service
        self.bound = bound
        self.limiter = anyio.CapacityLimiter(limit)

    async def _threaded(self, fn: Callable[..., Answer], *args: Any) -> Response:
        answer = await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)
        return Response(answer.body, answer.status, answer.headers, answer.media)

    async def query_page(self, request: Request) -> Response:
        return Response(self.service.query_page, 200, {"Cache-Control": "no-cache"}, MEDIA["html"])

    async def favicon(self, request: Request) -> Response:
        return Response(b"", 204, media_type="image/x-icon")

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        found = _static_file(name)
        if found is None:
            raise Refused(404, f"no static file {name}")
        return Response(found[0], 200, {"Cache-Control": "public, max-age=86400"}, found[1])

    async def country_report(self, request: Request) -> Response:
        name = request.path_params["name"]
        page = self.service.country_report(name.removesuffix(".html")) if name.endswith(".html") else None
        if page is None:
            raise Refused(404, f"no country report {name}")
        return Response(page.read_bytes(), 200, media_type=MEDIA["html"])

    async def void(self, request: Request) -> Response:
        endpoint = self.service.endpoint_url(self.bound)
        return await self._threaded(
            void, self.service, endpoint, _params(request), request.headers.get("accept")
        )

    async def sparql(self, request: Request) -> Response:
        params = _params(request)
        if request.method == "POST":
            body = await _read_body(request)
            add_posted(params, request.headers.get("content-type") or "", body)
        endpoint = self.service.endpoint_url(self.bound)
        return await self._threaded(sparql, self.service, endpoint, params, request.headers.get("accept"))

    async def entity(self, request: Request) -> Response:
        path = request.scope["path"]
        if not ENTITY_PATH.match(path):
            raise Refused(404, f"nothing at {path}")
        return await self._threaded(
            entity, self.service, path, _params(request), request.headers.get("accept")
        )


def _params(request: Request) -> dict[str, list[str]]:
    query = request.scope.get("query_string", b"").decode("latin-1")
    return urllib.parse.parse_qs(query, keep_blank_values=True)


async def _read_body(request: Request) -> bytes:
    """The body, at most MAX_BODY bytes whatever Content-Length says (or does not say)."""
    raw = request.headers.get("content-length")
    if raw is not None:
        raw = raw.strip()
        if not raw.isdigit():  # -1, +5, 1e3 and the like (h11 already refuses most)
            raise Refused(400, f"bad Content-Length {raw[:40]!r}: expected a whole number of bytes")
        if int(raw) > MAX_BODY:
            raise Refused(413, f"the request is larger than {MAX_BODY:,} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"the request is larger than {MAX_BODY:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def build_app(service: Service, bound: tuple[str, int], limit: int) -> ASGIApp:
    """The ASGI application of ``mpdkg serve`` for a server bound to ``bound``."""
    r = _Routes(service, bound, limit)
    read = list(READ_METHODS)
    routes = [
        Route("/", r.query_page, methods=read),
        Route("/index.html", r.query_page, methods=read),
        *(Route(p, r.sparql, methods=[*read, "POST"]) for p in SPARQL_PATHS),
        *(Route(p, r.void, methods=read) for p in ("/.well-known/void", "/void.ttl", "/dataset")),
        Route("/favicon.ico", r.favicon, methods=read),
        Route("/static/{name:path}", r.static, methods=read),
        Route("/report/countries/{name}", r.country_report, methods=read),
        Route("/{path:path}", r.entity, methods=read),
    ]
    handlers = {Refused: _refused, Exception: _internal}
    return _Guard(Starlette(routes=routes, exception_handlers=handlers), service, bound)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return plain(
        exc.status,
        exc.message,
        {**exc.headers, "Connection": "close"} if exc.status in (400, 408, 411, 413) else exc.headers,
    )


async def _internal(request: Request, exc: Exception) -> Response:
    log.error("error answering %s %s", request.method, request.url.path, exc_info=exc)
    return plain(500, "internal error; see the server log")


def listen(host: str, port: int) -> socket.socket:
    """A listening socket (bound here, so that a busy port is reported before any worker starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


__all__ = ["build_app", "listen", "plain"]
