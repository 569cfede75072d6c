"""Write into dist/ all at once or not at all, one writer at a time.

Work is written into a fresh sibling folder; only when everything succeeded is it swapped with
dist/ (an atomic exchange on Linux, two renames elsewhere). A failed or killed run leaves dist/
exactly as it was. Folders listed in KEEP (earlier releases) are carried over.

Every command that writes into an output folder holds that folder's lock (``output_lock``: an
``flock`` on ``.NAME.lock`` beside the folder) while it writes, so two runs into the same folder
take turns: the second waits, saying so, instead of deleting the first one's staging folder. The
kernel releases the lock when its holder exits, however it exits (a killed run leaves the small
lock file, which the next run reuses).

Published folders and files get the usual permissions (``0o777``/``0o666`` less the umask), as
``mkdir`` and ``open`` would give them; the temporary names they are written under are private.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no flock; writers into one folder are then not serialised
    fcntl = None

KEEP = ("releases",)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def current_umask() -> int:
    """The process umask (read from /proc where possible: os.umask can only be read by setting it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def publish_mode(path: Path, *, folder: bool | None = None) -> None:
    """Give ``path`` the permissions mkdir/open would have given it (mkdtemp/mkstemp make it private)."""
    folder = Path(path).is_dir() if folder is None else folder
    os.chmod(path, (0o777 if folder else 0o666) & ~current_umask())


def make_published_dir(prefix: str, parent: Path) -> Path:
    """A fresh, uniquely named folder in ``parent`` with the usual permissions."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    publish_mode(path, folder=True)
    return path


def lock_path(folder: Path) -> Path:
    """The lock file of an output folder: ``.NAME.lock`` beside it (inside, it would be swapped away)."""
    folder = Path(folder).resolve()
    return folder.parent / f".{folder.name}.lock"


@contextmanager
def output_lock(folder: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold the lock of the output folder ``folder`` for the block; wait while another holds it.

    ``on_wait`` is told, once, who holds it (pid and command line). The lock file is removed when
    the block ends; a waiter that then finds it gone or replaced starts again. Not reentrant: a
    process must not take the same folder's lock twice.
    """
    folder = Path(folder).resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield folder
        return
    path = lock_path(folder)
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None and not told:
                    told = True
                    on_wait(
                        f"waiting: another mpdkg ({_read_holder(fd)}) is writing {folder}/; "
                        "this one continues when it has finished (Ctrl-C to stop)"
                    )
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
        except BaseException:
            os.close(fd)
            raise
        if current is not None and current.st_ino == os.fstat(fd).st_ino:
            break
        os.close(fd)  # the holder removed the file as it finished: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {' '.join(sys.argv)}\n".encode("utf-8", "replace"), 0)
        yield folder
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # still ours: nobody else can hold it while we do
        os.close(fd)  # releases the lock


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text.splitlines()[0] if text else "pid unknown"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


@contextmanager
def staged(
    dist: Path,
    *,
    carry: bool = False,
    check: Callable[[Path], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Yield a staging folder that replaces ``dist`` when the block ends without error.

    With ``carry=True`` the staging folder starts as a copy of the current dist/ (for steps that
    add to an existing build); otherwise it starts empty but for the KEEP folders. The folder's
    lock is held throughout (``on_wait`` hears when another process holds it); ``check(dist)``
    runs under the lock before anything is touched, and may raise to leave dist/ as it is.
    """
    dist = Path(dist).resolve()
    with output_lock(dist, on_wait):
        if check is not None:
            check(dist)
        # Leftovers of a killed run. Safe to remove: whoever made them no longer holds the lock.
        for leftover in dist.parent.glob(f".{dist.name}.stage-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in dist.parent.glob(f".{dist.name}.old-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        stage = make_published_dir(f".{dist.name}.stage-", dist.parent)
        try:
            if dist.is_dir():
                for entry in dist.iterdir():
                    if carry or entry.name in KEEP:
                        target = stage / entry.name
                        if entry.is_dir():
                            shutil.copytree(entry, target, copy_function=os.link)
                        else:
                            os.link(entry, target)
            yield stage
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        if dist.exists() and _exchange(stage, dist):
            shutil.rmtree(stage, ignore_errors=True)
            return
        old = None
        if dist.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dist.name}.old-", dir=dist.parent))
            old.rmdir()
            dist.rename(old)
        stage.rename(dist)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file so that readers see the old or the new content, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        publish_mode(Path(tmp), folder=False)  # mkstemp makes the file private; a published file is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


CACHE_ENV = "MPDKG_CACHE_DIR"


def cache_dir() -> Path:
    """The project's cache: ``$MPDKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/mpdkg``, else ``~/.cache/mpdkg``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mpdkg"


def cache_write(path: Path, data: bytes) -> bool:
    """Write a cache file atomically; False (and no cache) when it cannot be written."""
    try:
        write_atomic(path, data)
    except OSError:
        return False
    return True


#: The cache folder of SHACL findings (the curated slices' and the open data's), pruned as one.
SHACL_CACHE = "shacl"


def cache_entry(folder: str, key: str) -> Path:
    """Where the cache entry ``key`` (a hex digest of what decides it) of ``folder`` is kept."""
    return cache_dir() / folder / key[:2] / f"{key}.json"


def read_cached_list(path: Path, format_: int) -> list | None:
    """The list kept in a cache entry, or None (a miss: absent, damaged or of another format);
    a hit is touched, so that pruning the least recently used entries spares it."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        os.utime(path)
    except (OSError, ValueError):
        return None
    if (
        not isinstance(entry, dict)
        or entry.get("format") != format_
        or not isinstance(entry.get("findings"), list)
    ):
        return None
    return entry["findings"]


def write_cached_list(path: Path, items: list, format_: int) -> None:
    cache_write(path, json.dumps({"format": format_, "findings": items}, sort_keys=True).encode("utf-8"))
