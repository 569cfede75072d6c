"""The open-data stage of ``mpdkg run`` in a second process, beside the other stages.

It reads only ``graph/open-data/`` (and the countries) and writes one file, so nothing the other
stages do can change it: it starts before the curated graph is loaded and is waited for after
the maps (2026-12-04, curated graph, 2 cores: open data 43 s, the other stages 52 s one after the
other). The child writes into a folder of its own beside the staging folder, and its file is
moved into the staging folder only once it has succeeded, so that no other stage records it as
an output and a failure anywhere leaves nothing behind. A child is started with ``spawn`` (a
fresh interpreter: the parent may hold threads) and told which project and graph/ to read,
since a setting made in the parent's memory (``paths.use_project``) does not cross over.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import cast

from mpdkg import paths
from mpdkg.errors import ValidationFailed

Step = Callable[[str], None]


def has_open_data(graph_dir: Path) -> bool:
    return any((Path(graph_dir) / "open-data").glob("*/MANIFEST.json"))


def _child(folder: str, graph_dir: str, project: str | None, conn: Connection) -> None:
    """In the second process: build, check and write the open data into ``folder``; send back
    the progress lines and the failure, if any, as plain values."""
    from mpdkg.pipeline import write_open_data_step

    said: list[str] = []
    try:
        if project is not None:
            paths.use_project(Path(project))
        with paths.using_graph_dir(Path(graph_dir)):
            write_open_data_step(Path(folder), Path(graph_dir), said.append)
        conn.send((said, None))
    except ValidationFailed as exc:
        conn.send((said, ("invalid", exc.report_text, exc.count)))
    except BaseException as exc:  # raised in the parent as it is, or with its traceback as text
        conn.send((said, ("raise", _portable(exc), 0)))
    finally:
        conn.close()


def _portable(exc: BaseException) -> BaseException | str:
    """The error itself when it survives a trip through pickle, else its traceback as text."""
    try:
        return cast(BaseException, pickle.loads(pickle.dumps(exc)))
    except Exception:
        return "".join(traceback.format_exception(exc))


class OpenDataBeside:
    """A running open-data stage: :meth:`wait` moves its file into ``stage`` (or raises its
    failure); :meth:`abandon` stops it and removes what it wrote."""

    def __init__(self, stage: Path, graph_dir: Path, step: Step):
        self.stage = Path(stage)
        self.step = step
        self.folder = Path(tempfile.mkdtemp(prefix=".open-data-", dir=self.stage.parent))
        root = paths.resolve()
        project = str(root.path) if root.is_working_tree else None
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=_child, args=(str(self.folder), str(graph_dir), project, child_end), daemon=True
        )
        self.started = time.perf_counter()
        self._process.start()
        child_end.close()
        step("building the open data in a second process, beside the other stages")

    def wait(self) -> list[str]:
        """Wait for the child; the names of the files it wrote, now in ``stage``."""
        try:
            said, failure = self._receive()
            for line in said:
                self.step(line)
            if failure is not None:
                kind, text, count = failure
                if kind == "invalid":
                    raise ValidationFailed(str(text), count)
                if isinstance(text, BaseException):  # a missing dataset, a bad extract, ...
                    raise text
                raise RuntimeError(f"the open-data stage failed in its process:\n{text}")
            names = sorted(os.listdir(self.folder))
            for name in names:
                os.replace(self.folder / name, self.stage / name)
            return names
        finally:
            self.abandon()

    def _receive(self) -> tuple[list[str], tuple[str, object, int] | None]:
        try:
            return self._conn.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            self._process.join()
            code = self._process.exitcode
            return [], ("error", f"the process ended with exit code {code} and no report", 0)

    def abandon(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)
