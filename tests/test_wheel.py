"""The installed wheel, not the source tree, carries the data and can build the graph."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.helpers import REPO


@pytest.mark.slow
def test_installed_wheel_builds_outside_the_repo(tmp_path):
    wheels = tmp_path / "wheels"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wheel,) = wheels.glob("mpdkg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mpdkg/_data/ontology/mpdkg.ttl" in names
    assert "mpdkg/_data/graph/countries.csv" in names
    assert any(n.startswith("mpdkg/_data/shapes/") for n in names)
    target = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target))
    probe = subprocess.run(
        [sys.executable, "-c", "import mpdkg, mpdkg.paths as p; print(mpdkg.__file__); print(p.data_root())"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=120,
    )
    assert str(target) in probe.stdout.splitlines()[0], probe.stdout + probe.stderr
    assert "_data" in probe.stdout.splitlines()[1]
    proc = subprocess.run(
        [sys.executable, "-m", "mpdkg", "build", "--out", str(elsewhere / "dist")],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (elsewhere / "dist" / "mpdkg.trig").stat().st_size > 100_000
