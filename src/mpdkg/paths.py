"""Which data a command reads: the project the way git finds a repository.

A curator edits ``graph/`` in a working tree, which may be any copy of the project, not the one
the virtual environment was installed from. So every command looks for the nearest folder,
from the current one upwards, that holds ``graph/`` and ``ontology/mpdkg.ttl``, and reads that.
Outside any project it falls back to the data packaged in the wheel (``mpdkg/_data``), or, for
an editable install, to the checkout it was installed from. ``--project DIR`` (or the
``MPDKG_PROJECT`` variable) says which folder to read, and every command says once, on
stderr, which data it read.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "graph").mkdir(); (root / "ontology").mkdir(); (root / "ontology" / "mpdkg.ttl").touch()
>>> (root / "graph" / "memberships").mkdir()
>>> find_project(root / "graph" / "memberships") == root.resolve()
True
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mpdkg.errors import UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_data"
_CHECKOUT = PACKAGE_DIR.parent.parent
ENV = "MPDKG_PROJECT"


@dataclass(frozen=True)
class DataRoot:
    """The folder holding ontology/, graph/, shapes/ and queries/, and what kind of copy it is."""

    path: Path
    kind: str  # "working tree" or "installed package"

    @property
    def is_working_tree(self) -> bool:
        return self.kind == "working tree"

    def describe(self) -> str:
        from mpdkg import __version__

        if self.is_working_tree:
            return f"data: {self.path} (working tree)"
        return f"data: {self.path} (installed package {__version__})"


_chosen: Path | None = None
_resolved: DataRoot | None = None
_announce: Callable[[str], None] | None = None
_announced = False


def is_project(folder: Path) -> bool:
    return (folder / "graph").is_dir() and (folder / "ontology" / "mpdkg.ttl").is_file()


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (default: the current one) upwards that is a project."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return None


def use_project(folder: Path | None) -> None:
    """Read this project from now on (the CLI's ``--project``); None: find it again."""
    global _chosen, _resolved, _announced
    if folder is not None:
        folder = Path(folder).resolve()
        if not is_project(folder):
            raise UsageError(
                f"--project {folder}: not an mpdkg project (expected graph/ and ontology/mpdkg.ttl in it)"
            )
    _chosen, _resolved, _announced = folder, None, False


def on_first_use(announce: Callable[[str], None] | None) -> None:
    """Call ``announce`` with the ``data: ...`` line the first time a command reads data."""
    global _announce, _announced
    _announce, _announced = announce, False


def resolve() -> DataRoot:
    global _resolved, _announced
    if _resolved is None:
        _resolved = _resolve()
    if _announce is not None and not _announced:
        _announced = True
        _announce(_resolved.describe())
    return _resolved


def _resolve() -> DataRoot:
    if _chosen is not None:
        return DataRoot(_chosen, "working tree")
    env = os.environ.get(ENV)
    if env:
        folder = Path(env).resolve()
        if not is_project(folder):
            raise UsageError(
                f"{ENV}={env}: not an mpdkg project (expected graph/ and ontology/mpdkg.ttl in it)"
            )
        return DataRoot(folder, "working tree")
    found = find_project()
    if found is not None:
        return DataRoot(found, "working tree")
    if (_BUNDLED / "ontology").is_dir():
        return DataRoot(_BUNDLED, "installed package")
    return DataRoot(_CHECKOUT, "installed package")


def data_root() -> Path:
    """The folder holding ontology/, graph/, shapes/ and queries/."""
    return resolve().path


def default_dist() -> Path:
    """Where outputs go and are read from by default: the project's dist/ in a working tree
    (wherever in it the command runs), else dist/ in the current folder."""
    root = resolve()
    return root.path / "dist" if root.is_working_tree else Path("dist")


def ontology_file() -> Path:
    return data_root() / "ontology" / "mpdkg.ttl"


_graph_override: Path | None = None


def graph_dir() -> Path:
    """The curated graph/ folder: the project's, or the one :func:`using_graph_dir` names."""
    return _graph_override if _graph_override is not None else data_root() / "graph"


@contextmanager
def using_graph_dir(folder: Path | None) -> Iterator[None]:
    """Within the block, every reader of graph/ (and of graph/open-data/) reads ``folder``
    (``mpdkg run --graph-dir``): the analysis, maps and report must read the graph that was
    built, not the project's. None: no change."""
    global _graph_override
    before = _graph_override
    if folder is not None:
        _graph_override = Path(folder).resolve()
    try:
        yield
    finally:
        _graph_override = before


def shapes_dir() -> Path:
    return data_root() / "shapes"


def queries_dir() -> Path:
    return data_root() / "queries"


def static_dir() -> Path:
    return PACKAGE_DIR / "static"
