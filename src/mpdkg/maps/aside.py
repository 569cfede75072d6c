"""Work done beside the main process: a forked child runs it while the parent goes on.

The maps stage draws its figures (matplotlib, CPU-bound, independent of the pages) in a child
while it writes the pages, which uses a second core. Where ``fork`` is not available, only one
core is, or this process is a daemon (which may not have children), the work runs in this
process when its result is asked for, with the same result.

>>> with Aside(lambda: [1, 2]) as job:
...     job.result()
[1, 2]
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any


class AsideError(RuntimeError):
    """The work failed in the child (its traceback is the message)."""


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _can_fork() -> bool:
    """Fork where it is available, pays (two cores) and is allowed (a daemon has no children)."""
    can = "fork" in multiprocessing.get_all_start_methods() and _cores() > 1
    return can and not multiprocessing.current_process().daemon


def _child(work: Callable[[], Any], send) -> None:
    try:
        send.send(("ok", work()))
    except BaseException:  # everything is reported to the parent
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


class Aside:
    """Run ``work()`` (its result must pickle) in a forked child from entering the ``with``
    block; :meth:`result` waits for it. Leaving the block stops a child still running (after an
    error in the parent) and reaps it."""

    def __init__(self, work: Callable[[], Any], *, fork: bool | None = None):
        self._work = work
        self._fork = _can_fork() if fork is None else fork
        self._process: Any = None  # a ForkProcess once entered with fork
        self._receive: Any = None  # its Connection
        self._done = False
        self._value: Any = None

    def __enter__(self) -> Aside:
        if self._fork:
            ctx = multiprocessing.get_context("fork")
            self._receive, send = ctx.Pipe(duplex=False)
            self._process = ctx.Process(target=_child, args=(self._work, send), name="mpdkg-aside")
            self._process.start()
            send.close()  # the child holds the only sending end: EOF if it dies
        return self

    def result(self) -> Any:
        if not self._done:
            self._value = self._wait() if self._process is not None else self._work()
            self._done = True
        return self._value

    def _wait(self) -> Any:
        assert self._process is not None and self._receive is not None
        try:
            kind, value = self._receive.recv()
        except EOFError:  # it died without a word (killed, or a crash in C)
            self._process.join()
            kind, value = "error", f"the child process ended with exit code {self._process.exitcode}"
        finally:
            self._receive.close()
        self._process.join()
        if kind == "error":
            raise AsideError(value)
        return value

    def __exit__(self, *exc_info: object) -> None:
        if self._process is None:
            return
        if self._process.is_alive() and not self._done:
            self._process.terminate()
        self._process.join()
        if self._receive is not None:
            self._receive.close()
