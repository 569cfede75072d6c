"""Faults: a build killed part-way leaves dist/ whole (the old build or the new one, never a mix)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from mpdkg.pipeline import build
from tests.helpers import tree_snapshot, write_mini_graph


@pytest.mark.slow
def test_killed_build_leaves_dist_whole(tmp_path):
    graph = write_mini_graph(tmp_path / "src")
    out = tmp_path / "dist"
    build(out, graph)
    old = tree_snapshot(out)
    with (graph / "memberships" / "five.csv").open("a", encoding="utf-8") as fh:
        fh.write("FRA,member,2015,,,t-forum,,\n")
    new_dir = tmp_path / "expected"
    build(new_dir, graph)
    new = tree_snapshot(new_dir)
    assert new != old
    command = [sys.executable, "-m", "mpdkg", "build", "--out", str(out), "--graph-dir", str(graph)]
    # The build names each step on stderr ("· loading curated sources", ...) when not on a
    # terminal: kill it as step k begins, for every k, so that each stage is hit whatever the
    # machine's speed (no sleeps to guess).
    probe = subprocess.run(command[:-4] + ["--out", str(tmp_path / "probe"), "--graph-dir", str(graph)],
                           capture_output=True, text=True, check=True)  # fmt: skip
    steps = [line for line in probe.stderr.splitlines() if line.startswith("· ")]
    assert len(steps) >= 3, probe.stderr
    outcomes = set()
    for k in range(len(steps)):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen = 0
        for line in proc.stderr:
            if line.startswith("· "):
                if seen == k:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
                seen += 1
        proc.wait()
        proc.stderr.close()
        state = tree_snapshot(out)
        assert state in (old, new), f"dist/ is neither the old nor the new build after a kill at {steps[k]!r}"
        outcomes.add("new" if state == new else "old")
        if state == new:  # put the old build back for the next round
            for name in list(os.listdir(out)):
                os.remove(out / name)
            for name, data in old.items():
                (out / name).write_bytes(data)
    assert "old" in outcomes  # the kills before the swap left the old build whole


def test_atomically_written_files_are_readable_by_others(tmp_path):
    """Regression: files written through a temporary file came out private (0600)."""
    from mpdkg.staging import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "inferred.ttl", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "inferred.ttl").stat().st_mode & 0o777 == 0o644
