"""The README's tour, run as written: every command, in a fresh copy of the project, as the
installed `mpdkg` a new user would type it (from a sub-folder of the copy, so the working
tree, not the installed checkout, must be found). Commands that need a server get a real one
on 127.0.0.1 in place of the README's example address."""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import free_port, oxigraph_binary, oxigraph_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_STORE = "http://127.0.0.1:7878"


def tour_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## A short tour", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    block = block.replace("\\\n", " ")
    commands = []
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith(".venv/bin/mpdkg"):
            continue
        words = shlex.split(line, comments=True)
        commands.append(shlex.join(words))
    return commands


def test_the_tour_is_found():
    commands = tour_commands()
    assert len(commands) >= 15
    assert any(" diff " in c for c in commands) and any(" serve" in c for c in commands)


def _copy_project(target: Path) -> Path:
    for name in ("graph", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, target / name)
    return target


def _mpdkg(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mpdkg", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def _tour_phases(commands: list[str]) -> list[list[str]]:
    """The tour in phases whose commands do not depend on each other: everything, then what
    reads a release (``diff latest``), which needs ``release`` to have run."""
    later = [c for c in commands if " diff latest" in c]
    return [[c for c in commands if c not in later], later]


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.skipif(oxigraph_binary() is None, reason="the oxigraph command is missing")
def test_readme_tour_runs_as_written(tmp_path):
    """One prepared project (copied, built once); the commands of a phase run side by side, each
    in its own process, since each is a new user's separate command."""
    from concurrent.futures import ThreadPoolExecutor

    project = _copy_project(tmp_path / "copy")
    here = project / "graph"  # a sub-folder: the project must be found upwards, like git
    built = _mpdkg(["build"], project)
    assert built.returncode == 0, built.stderr
    assert f"data: {project.resolve()} (working tree)" in built.stderr
    with oxigraph_server(tmp_path, load=[project / "dist" / "mpdkg.trig"]) as store:

        def run(command: str) -> None:
            args = [a.replace(EXAMPLE_STORE, store) for a in shlex.split(command)[1:]]
            if args[0] == "serve":
                _serve_once(args, project)
                return
            cwd = project if any(a.startswith("dist") for a in args) else here
            result = _mpdkg(args, cwd)
            assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            assert "Traceback" not in result.stderr, command
            _check_output(args, result)

        phases = _tour_phases(tour_commands())
        assert sum(map(len, phases)) == len(tour_commands()) and phases[1]
        with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
            for phase in phases:
                for future in [pool.submit(run, command) for command in phase]:
                    future.result()  # re-raises the first failing command's assertion


def _check_output(args: list[str], result) -> None:
    if args[:2] == ["query", "forum-members"] and "forum=rcm" in args:
        assert "MEX" in result.stdout and "Mexico" in result.stdout
    if args[:2] == ["query", "forum-members"] and any("Puebla Process" in a for a in args):
        assert "MEX" in result.stdout
    if args[:2] == ["query", "sources-of-entity"]:
        assert (
            "/membership/rcm/MEX/member," in result.stdout and "/visa-policy/mex-visa-2009," in result.stdout
        )
    if args[:2] == ["query", "canada-visa-policy-history"]:
        assert "/visa-policy/mex-visa-2009,Visa imposed on Mexican nationals (2009)" in result.stdout
    if args[:2] == ["query", "-e"]:
        assert "Convention relating to the Status of Refugees" in result.stdout
    if args[:1] == ["ids"]:
        assert re.search(r"\brcm\b", result.stdout)
    if args[:1] == ["diff"]:
        assert result.stdout.strip()


def _serve_once(args: list[str], cwd: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mpdkg", *args, "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/country/CAN", timeout=5) as r:
                    assert r.status == 200
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode(errors="replace")
                assert time.monotonic() < deadline, "mpdkg serve did not answer"
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_planted_bad_row_in_a_copy_is_caught_by_validate_inside_it(tmp_path):
    """Regression: validate in a second copy read the installed checkout's graph/ and said 0
    violations for a row with the country code AUZ."""
    project = _copy_project(tmp_path / "second copy")
    rcm = project / "graph" / "memberships" / "rcm.csv"
    rows = list(csv.reader(io.StringIO(rcm.read_text(encoding="utf-8"))))
    bad = dict(zip(rows[0], next(r for r in rows[1:] if r and not r[0].startswith("#")), strict=True))
    bad["member"] = "AUZ"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([*rows, [bad[h] for h in rows[0]]])
    rcm.write_text(buf.getvalue(), encoding="utf-8")
    lines = buf.getvalue().splitlines()
    result = _mpdkg(["validate"], project / "graph" / "memberships")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "AUZ" in result.stdout + result.stderr
    assert f"graph/memberships/rcm.csv:{len(lines)}" in result.stdout + result.stderr
    assert f"data: {project.resolve()} (working tree)" in result.stderr
    # --project reads the named copy from anywhere
    result = _mpdkg(["--project", str(project), "validate"], tmp_path)
    assert result.returncode == 2 and "AUZ" in result.stdout + result.stderr
