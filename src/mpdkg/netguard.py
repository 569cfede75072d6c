"""No surprise network access: while a guarded block runs, any attempt of this process to open a
connection or a URL raises, whatever library tries it (rdflib following SERVICE or FROM, a
remote JSON-LD context, an XML entity). An audit hook sees every socket.connect and urllib
request; a context variable says whether the current code is guarded.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from mpdkg.errors import MpdkgError

_guarded: contextvars.ContextVar[bool] = contextvars.ContextVar("mpdkg_no_network", default=False)
_installed = False
_whole_process = False
_EVENTS = {"socket.connect", "socket.getaddrinfo", "urllib.Request", "http.client.connect"}


class NetworkRefused(MpdkgError):
    exit_code = 2

    def report(self) -> str:
        return str(self)


def _hook(event: str, args) -> None:
    if event in _EVENTS and (_whole_process or _guarded.get()):
        target = args[1] if event == "socket.connect" and len(args) > 1 else args[0] if args else ""
        raise NetworkRefused(
            f"refused a network access ({event} {target!r}) during an embedded query; "
            "pass --allow-network if you mean it"
        )


def install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def guard_process() -> None:
    """Refuse every network access of this process from now on (the server's query workers)."""
    global _whole_process
    install()
    _whole_process = True


@contextmanager
def no_network(enabled: bool = True) -> Iterator[None]:
    install()
    token = _guarded.set(enabled)
    try:
        yield
    finally:
        _guarded.reset(token)
