"""Start `mpdkg serve` in a subprocess for a test, and talk to it without raising on HTTP errors."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.dumps import write_dumps
from mpdkg.sources.load import load_sources
from tests.helpers import write_mini_graph
from tests.servers import free_port


@contextmanager
def mpdkg_serve(folder: Path, *args: str):
    """`mpdkg serve` over the mini graph's dumps; yields (base URL, log path)."""
    if not (folder / "mpdkg.trig").exists():  # a second server over the same folder reuses it
        write_dumps(build_dataset(load_sources(write_mini_graph(folder))).dataset, folder)
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mpdkg",
                "serve",
                "--port",
                str(port),
                "--data",
                str(folder / "mpdkg.trig"),
                *args,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=5).read()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text(errors="replace")) from None
                time.sleep(0.2)
        yield base, log
    finally:
        proc.terminate()  # SIGTERM: the server stops its workers and exits cleanly
        try:
            assert proc.wait(timeout=20) == 0, log.read_text(errors="replace")
        finally:
            if proc.poll() is None:
                proc.kill()


def call(url, data=None, headers=None, method=None, timeout=30):
    """(status, content type, body) without raising on HTTP errors."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def sparql(base, query, accept=None, method="GET", **params):
    headers = {"Accept": accept} if accept else {}
    fields = {"query": query, **params}
    if method == "GET":
        return call(base + "/sparql?" + urllib.parse.urlencode(fields), headers=headers)
    if method == "POST-direct":
        headers["Content-Type"] = "application/sparql-query"
        return call(base + "/sparql", data=query.encode(), headers=headers)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return call(base + "/sparql", data=urllib.parse.urlencode(fields).encode(), headers=headers)
