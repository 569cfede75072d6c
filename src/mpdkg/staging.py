"""Write into dist/ all at once or not at all.

Work is written into a fresh sibling folder; only when everything succeeded is it swapped with
dist/ (an atomic exchange on Linux, two renames elsewhere). A failed or killed run leaves dist/
exactly as it was. Folders listed in KEEP (earlier releases) are carried over.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KEEP = ("releases",)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


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
def staged(dist: Path, *, carry: bool = False) -> Iterator[Path]:
    """Yield a staging folder that replaces ``dist`` when the block ends without error.

    With ``carry=True`` the staging folder starts as a copy of the current dist/ (for steps that
    add to an existing build); otherwise it starts empty but for the KEEP folders.
    """
    dist = Path(dist).resolve()
    dist.parent.mkdir(parents=True, exist_ok=True)
    for leftover in dist.parent.glob(f".{dist.name}.stage-*"):  # from a run that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in dist.parent.glob(f".{dist.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dist.name}.stage-", dir=dist.parent))
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
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; a published file is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
