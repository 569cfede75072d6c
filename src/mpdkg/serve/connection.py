"""Connection-level limits uvicorn does not set by itself: how long a client may take to send
its request, how long a response may take to be read, and how many connections are open at once.

uvicorn bounds the idle time between keep-alive requests, but not the time to receive a request
head: a client that sends ``GET /spa`` and nothing more holds its connection forever (slowloris),
and its concurrency limit is checked only once a whole head has arrived, so such clients are
never counted. :func:`guarded_protocol` makes a subclass of uvicorn's h11 protocol that

* when ``max_connections`` are already open, closes the one that has waited longest for its
  request to arrive (a half-sent head, or a kept-alive connection with nothing asked) if it has
  waited at least ``evict_after`` seconds (a real client's request arrives in milliseconds):
  a client holding many half-sent requests (slowloris) can no longer lock everyone else out for
  the request timeout; otherwise (a burst of real clients) the new one is answered ``503`` and
  closed at once;
* gives every request ``request_timeout`` seconds (from the connection, or from the previous
  response on a kept-alive connection) to arrive whole, head and body, else answers ``408`` and
  closes;
* then gives the response ``response_timeout`` seconds to be produced and read (a client that
  never reads its answer does not hold the connection forever).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["guarded_protocol"]


def _plain(status: bytes, text: bytes, extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: " + str(len(text)).encode() + b"\r\nX-Content-Type-Options: nosniff\r\n"
        + extra + b"Connection: close\r\n\r\n" + text
    )  # fmt: skip


BUSY = _plain(
    b"503 Service Unavailable", b"too many requests at once; try again shortly\n", b"Retry-After: 2\r\n"
)
TOO_SLOW = _plain(b"408 Request Timeout", b"the request was not received in time\n")


class _Guarded(H11Protocol):
    max_connections = 64
    request_timeout = 10.0
    response_timeout = 60.0
    evict_after = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = self.loop.time()
        if len(self.connections) > self.max_connections and not self._evict_a_waiting_one():
            transport.write(BUSY)
            transport.close()
            return
        self._arm(self.request_timeout, self._request_due)

    def _waiting(self) -> bool:
        """Open, and no request in hand: its head has not arrived whole (or, kept alive, the
        client has asked nothing since the last answer)."""
        if self.transport is None or self.transport.is_closing():
            return False
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _evict_a_waiting_one(self) -> bool:
        """Close the connection that has waited longest for its request (at least ``evict_after``
        seconds); False if none has."""
        waiting = [c for c in self.connections if c is not self and isinstance(c, _Guarded) and c._waiting()]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c._waiting_since)
        if self.loop.time() - oldest._waiting_since < self.evict_after:
            return False
        oldest.transport.write(TOO_SLOW)
        oldest.transport.close()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():  # kept alive: the next request has its own time
            self._waiting_since = self.loop.time()
            self._arm(self.request_timeout, self._request_due)

    def _arm(self, seconds: float, check: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, check)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _request_due(self) -> None:
        """The request should have arrived whole by now: if not, 408 and close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            cycle = self.cycle
            if cycle is None or not cycle.response_started or cycle.response_complete:
                self.transport.write(TOO_SLOW)
            self.transport.close()
            return
        self._arm(self.response_timeout, self._response_due)

    def _response_due(self) -> None:
        """The response should have been written and read by now."""
        self._deadline = None
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(
    max_connections: int, request_timeout: float, response_timeout: float
) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the limits above (pass it as ``uvicorn.Config(http=...)``)."""
    return type(
        "GuardedH11Protocol",
        (_Guarded,),
        {
            "max_connections": max_connections,
            "request_timeout": request_timeout,
            "response_timeout": response_timeout,
        },
    )
