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


# --- Virtuoso Open Source: a private instance on free 127.0.0.1 ports ----------------------------

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def virtuoso_missing_reason() -> str | None:
    """Why the Virtuoso tests cannot run here (None when they can)."""
    if virtuoso_binary() is None:
        return "virtuoso-t is missing (Debian package virtuoso-opensource; .ci/run installs it)"
    if not VIRTUOSO_INI.exists():
        return f"{VIRTUOSO_INI} is missing (Debian package virtuoso-opensource)"
    return None


def _virtuoso_ini(template: str, work: Path, sql_port: int, http_port: int) -> str:
    """The packaged virtuoso.ini with every file in ``work`` and both ports on 127.0.0.1 only."""
    settings = {
        "Database": {
            "DatabaseFile": work / "virtuoso.db",
            "ErrorLogFile": work / "virtuoso.log",
            "LockFile": work / "virtuoso.lck",
            "TransactionFile": work / "virtuoso.trx",
            "xa_persistent_file": work / "virtuoso.pxa",
        },
        "TempDatabase": {
            "DatabaseFile": work / "virtuoso-temp.db",
            "TransactionFile": work / "virtuoso-temp.trx",
        },
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            "DirsAllowed": f"., /usr/share/virtuoso-opensource-7/vad, {work}",
            "CheckpointInterval": 0,
        },
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
        "URIQA": {"DefaultHost": f"127.0.0.1:{http_port}"},
    }
    section = ""
    out = []
    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        elif "=" in stripped and not stripped.startswith(";"):
            key = stripped.split("=", 1)[0].strip()
            if key in settings.get(section, {}):
                line = f"{key} = {settings[section][key]}"
        out.append(line)
    return "\n".join(out) + "\n"


@contextmanager
def virtuoso_server(workdir: Path, password: str = "dba", isolation: int | None = None):
    """A private Virtuoso on 127.0.0.1 (SQL and HTTP on free ports, files in ``workdir``).

    ``isolation`` sets ``[Parameters] DefaultIsolation`` (2 read committed, Virtuoso's default;
    4 repeatable read; 8 serializable).

    Yields a dict: ``base`` (HTTP base URL), ``sparql`` (anonymous query endpoint),
    ``gsp`` (Graph Store Protocol with Digest auth), ``update`` (SPARQL with Digest auth),
    ``user``, ``password``, ``sql_port``, ``pid`` (of the running server) and ``restart()``.
    """
    reason = virtuoso_missing_reason()
    if reason:
        raise RuntimeError(reason)
    work = Path(workdir) / "virtuoso"
    work.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = work / "virtuoso.ini"
    text = _virtuoso_ini(VIRTUOSO_INI.read_text(encoding="utf-8"), work, sql_port, http_port)
    if isolation is not None:
        text = text.replace("[Parameters]\n", f"[Parameters]\nDefaultIsolation = {int(isolation)}\n", 1)
    ini.write_text(text)
    log = (work / "stdout.log").open("ab")
    base = f"http://127.0.0.1:{http_port}"
    procs: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(
            [virtuoso_binary(), "+foreground", "+configfile", str(ini)],
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        try:
            wait_http(base + "/sparql?query=ASK%7B%7D", seconds=60)
        except Exception:
            tail = (
                (work / "virtuoso.log").read_text(errors="replace")[-2000:]
                if (work / "virtuoso.log").exists()
                else ""
            )
            raise RuntimeError(f"Virtuoso did not start: {tail}") from None
        return proc

    def stop(proc: subprocess.Popen) -> None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def restart() -> None:
        """Stop the server and start it again on the same files and ports, as an operator would
        restart a hung store: it rolls back what was not committed."""
        stop(procs[-1])
        server["pid"] = start().pid

    try:
        proc = start()
        # SPARQL UPDATE over HTTP needs the SPARQL_UPDATE role for the authenticated user;
        # dba has every role. Change the password if asked for another one.
        if password != "dba":
            subprocess.run(
                # the checkpoint keeps the password across a restart
                [
                    "isql-vt",
                    f"127.0.0.1:{sql_port}",
                    "dba",
                    "dba",
                    f"exec=SET PASSWORD dba {password}; checkpoint;",
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
        server = {
            "base": base,
            "sparql": base + "/sparql",
            "gsp": base + "/sparql-graph-crud-auth",
            "update": base + "/sparql-auth",
            "user": "dba",
            "password": password,
            "sql_port": sql_port,
            "pid": proc.pid,
            "restart": restart,
        }
        yield server
    finally:
        for proc in procs:
            if proc.poll() is None:
                stop(proc)
        log.close()


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections: proof that nothing reached out."""

    def __init__(self):
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()
