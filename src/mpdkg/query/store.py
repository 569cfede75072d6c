"""A persisted Oxigraph store per set of dumps, so that a query opens the data instead of parsing it.

Parsing ``dist/mpdkg.trig`` and the 1.4 million quads of ``dist/open-data.nq.gz`` costs every
``mpdkg query`` about 8 seconds; opening an Oxigraph store on disk read-only takes a fraction of
a second. ``mpdkg run`` prepares the store of the dumps it wrote (``prepare_store``) and
``open_engine`` opens it when one exists for exactly those dumps (``prepared_store``); otherwise
it loads the dumps into memory as before, so a missing or stale store only costs time.

A store is named by a digest of the dumps' names and contents and lives in the project cache
(``mpdkg.staging.cache_dir() / "stores"``), never in ``dist/``: its files are not byte-identical
across builds and must not be published. The open data changes rarely and the curated graph
often, so the open data is loaded once into a *base* store, and the store of a build is a copy
of that base (its immutable table files hard-linked) with the curated dumps added: seconds
instead of half a minute. A store is built in a temporary folder and renamed into place whole;
only the newest few are kept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from mpdkg.rdf.dumps import read_dump
from mpdkg.staging import cache_dir

#: Below this many bytes of dumps, parsing them is quicker than preparing a store.
MIN_BYTES = 8 << 20
KEEP = 3  # stores of builds kept; bases kept: 1
_DONE = "COMPLETE"
_OPEN_DATA = "open-data.nq.gz"


def _file_digests(paths_: list[Path]) -> dict[Path, str]:
    """Each dump's content digest, read once per preparation (the open data is 50 MB)."""
    digests = {}
    for path in paths_:
        f = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                f.update(block)
        digests[path] = f.hexdigest()
    return digests


def _name(prefix: str, paths_: list[Path], digests: dict[Path, str]) -> Path:
    """The store folder of exactly these dumps (names and contents, and the store's version)."""
    h = hashlib.sha256(f"pyoxigraph {ox.__version__}\n".encode())
    for path in paths_:
        h.update(f"{path.name}\0{digests[path]}\n".encode())
    return _root() / f"{prefix}{h.hexdigest()[:32]}"


def _root() -> Path:
    return cache_dir() / "stores"


def _load(store: ox.Store, path: Path) -> None:
    data, fmt = read_dump(path)
    store.bulk_load(data, format=fmt)


def _big_enough(paths_: list[Path]) -> bool:
    return sum(p.stat().st_size for p in paths_) >= MIN_BYTES


def prepared_store(paths_: list[Path]) -> ox.Store | None:
    """The read-only store prepared for exactly these dumps, or None."""
    paths_ = [Path(p) for p in paths_]
    try:
        if not _big_enough(paths_):
            return None
        folder = _name("build-", paths_, _file_digests(paths_))
        if not (folder / _DONE).is_file():
            return None
        return ox.Store.read_only(str(folder))
    except OSError:
        return None


def _link_or_copy(src: str, dst: str) -> None:
    """Table files (.sst) never change once written: hard-link them; copy the rest (logs and
    manifests are appended to, which must not touch the base)."""
    if src.endswith(".sst"):
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def _build(folder: Path, fill) -> Path:
    """Make a store at ``folder`` with ``fill(tmp_folder)``, atomically; the folder if it exists."""
    if (folder / _DONE).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        fill(tmp)
        (tmp / _DONE).write_text("", encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:  # another process made it first
            if not (folder / _DONE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _prune(prefix: str, keep: int, spare: Path) -> None:
    stores = sorted(_root().glob(prefix + "*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[keep:]:
        if old != spare and "." not in old.name:
            shutil.rmtree(old, ignore_errors=True)


def prepare_store(paths_: list[Path], on_build: Callable[[], None] = lambda: None) -> Path | None:
    """The persisted store of these dumps, made if missing (``on_build`` is called first then);
    None when they are too small to need one."""
    paths_ = [Path(p) for p in paths_]
    if not _big_enough(paths_):
        return None
    digests = _file_digests(paths_)
    folder = _name("build-", paths_, digests)
    if (folder / _DONE).is_file():
        return folder
    on_build()
    open_data = [p for p in paths_ if p.name == _OPEN_DATA]
    rest = [p for p in paths_ if p.name != _OPEN_DATA]
    base = _base(open_data[0], digests) if open_data else None

    def fill(tmp: Path) -> None:
        if base is not None:
            shutil.copytree(base, tmp, copy_function=_link_or_copy, dirs_exist_ok=True)
            (tmp / _DONE).unlink()
        store = ox.Store(str(tmp))
        for path in rest if base is not None else paths_:
            _load(store, path)
        store.flush()
        del store

    _build(folder, fill)
    _prune("build-", KEEP, folder)
    if base is not None:
        _prune("base-", 1, base)
    return folder


def _base(open_data: Path, digests: dict[Path, str]) -> Path:
    """The base store of the open-data dump (made if missing)."""

    def fill_base(tmp: Path) -> None:
        store = ox.Store(str(tmp))
        _load(store, open_data)
        store.optimize()
        store.flush()
        del store

    return _build(_name("base-", [open_data], digests), fill_base)


def prepare_base(open_data: Path) -> Path | None:
    """The base store of an open-data dump just written, made ahead of ``prepare_store``: the run
    makes it in the process that wrote the dump, beside the maps, instead of after every stage
    (14 s of a cold ``mpdkg run``). None when the dump is too small to need a store."""
    open_data = Path(open_data)
    if open_data.name != _OPEN_DATA or not _big_enough([open_data]):
        return None
    return _base(open_data, _file_digests([open_data]))
