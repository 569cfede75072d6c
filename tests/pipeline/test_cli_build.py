"""The build command: exit codes, messages without tracebacks, and dist/ left whole on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from mpdkg.cli.core import app
from tests.helpers import tree_snapshot

runner = CliRunner()


def test_build_writes_all_dumps(mini_graph, tmp_path):
    out = tmp_path / "dist"
    result = runner.invoke(app, ["build", "--out", str(out), "--graph-dir", str(mini_graph)])
    assert result.exit_code == 0, result.output
    for name in ("mpdkg.ttl", "mpdkg.nt", "mpdkg.jsonld", "mpdkg.trig", "mpdkg.nt.gz", "context.jsonld"):
        assert (out / name).stat().st_size > 0, name


def test_bad_row_exits_2_names_line_and_leaves_dist_unchanged(mini_graph, tmp_path):
    out = tmp_path / "dist"
    assert runner.invoke(app, ["build", "--out", str(out), "--graph-dir", str(mini_graph)]).exit_code == 0
    (out / "keep-me.txt").write_text("an earlier output", encoding="utf-8")
    before = tree_snapshot(out)
    with (mini_graph / "memberships" / "rcm.csv").open("a", encoding="utf-8") as fh:
        fh.write("ZZZ,member,1996,,,t-forum,,\n")
    result = runner.invoke(app, ["build", "--out", str(out), "--graph-dir", str(mini_graph)])
    assert result.exit_code == 2
    assert "graph/memberships/rcm.csv:6:" in result.output
    assert "'ZZZ'" in result.output
    assert "Traceback" not in result.output
    assert tree_snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]


def test_validate_reports_ok(mini_graph):
    result = runner.invoke(app, ["validate", "--graph-dir", str(mini_graph)])
    assert result.exit_code == 0, result.output
    assert "0 violation(s)" in result.output


def test_validate_with_extra_shapes_exits_1_with_file_and_line(mini_graph, tmp_path):
    shapes = tmp_path / "extra.ttl"
    shapes.write_text(
        """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix mpd: <https://w3id.org/mpdkg/ontology#> .
        <urn:x:HomepageShape> a sh:NodeShape ; sh:targetClass mpd:Forum ;
          sh:property [ sh:path mpd:homepage ; sh:minCount 1 ; sh:message "A forum needs a homepage." ] .
        """,
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", "--graph-dir", str(mini_graph), "--shapes", str(shapes)])
    assert result.exit_code == 1, result.output
    assert "graph/fora/test.csv:2: violation: A forum needs a homepage." in result.output
    assert "graph/fora/test.csv:3: violation: A forum needs a homepage." in result.output


def test_python_dash_m_works(mini_graph, tmp_path):
    env = dict(os.environ)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mpdkg",
            "build",
            "--out",
            str(tmp_path / "d"),
            "--graph-dir",
            str(mini_graph),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert Path(tmp_path / "d" / "mpdkg.trig").exists()
