"""The running endpoint: the service (workers, data) behind the ASGI application, on uvicorn."""

from __future__ import annotations

import socket
from pathlib import Path

import uvicorn

from mpdkg.serve.app import build_app, listen
from mpdkg.serve.connection import guarded_protocol
from mpdkg.serve.protocol import (
    DEFAULT_HOST,
    DEFAULT_MAX_ROWS,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    MAX_CONNECTIONS,
    SOCKET_TIMEOUT,
    ServeError,
)
from mpdkg.serve.service import Service

__all__ = ["Server", "close", "make_server"]

HEAD_LIMIT = 64 * 1024  # bytes of a request line and headers (a GET query travels in the line)


class Server:
    """``mpdkg serve``'s HTTP server: call :meth:`serve_forever` (returns on SIGINT or SIGTERM),
    then :func:`close`."""

    def __init__(self, sock: socket.socket, service: Service, max_connections: int = MAX_CONNECTIONS):
        self.socket = sock
        self.service = service
        name = sock.getsockname()
        self.server_address: tuple[str, int] = (str(name[0]), int(name[1]))
        protocol = guarded_protocol(
            max_connections,
            request_timeout=SOCKET_TIMEOUT,
            response_timeout=2 * service.timeout + SOCKET_TIMEOUT + 5,
        )
        config = uvicorn.Config(
            build_app(service, self.server_address, max_connections),
            http=protocol,
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_keep_alive=5,
            timeout_graceful_shutdown=2,
            h11_max_incomplete_event_size=HEAD_LIMIT,
        )
        self.uvicorn = uvicorn.Server(config)

    def serve_forever(self) -> None:
        self.uvicorn.run(sockets=[self.socket])

    def shutdown(self) -> None:
        self.uvicorn.should_exit = True


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
    open_data: bool = True,
    max_long: int | None = None,
) -> Server:
    """The HTTP server with its workers started (call ``serve_forever``, then ``close``)."""
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        service = Service(
            data, timeout, max_rows, workers, public_base=public_base, cors=cors, spares=spares,
            preempt_after=preempt_after, open_data=open_data, max_long=max_long,
        )  # fmt: skip
    except BaseException:
        sock.close()
        raise
    return Server(sock, service, max_connections)


def close(server: Server) -> None:
    server.socket.close()
    server.service.close()
