"""Real servers for integration tests, started on 127.0.0.1 with a free port and stopped after."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def oxigraph_binary() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


@contextmanager
def oxigraph_server(
    workdir: Path, load: list[Path] | None = None, read_only: bool = False, union: bool = True
):
    """An Oxigraph server on 127.0.0.1; yields its base URL (``/query``, ``/store``, ``/update``)."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph command is missing (pip install oxigraph)")
    location = workdir / "oxigraph-db"
    for path in load or []:
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(path)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    port = free_port()
    command = "serve-read-only" if read_only else "serve"
    proc = subprocess.Popen(
        [binary, command, "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        + (["--union-default-graph"] if union else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/query?query=ASK%7B%7D")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
