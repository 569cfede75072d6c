"""Dated releases: self-describing, reproducible byte for byte, refused for an invalid graph."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL
from typer.testing import CliRunner

from mpdkg.cli.core import app
from tests.helpers import write_mini_graph

runner = CliRunner()
needs_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="Java is needed to reason before releasing"
)


def release(graph, dist, version="2026.11.29"):
    return runner.invoke(
        app, ["release", "--version", version, "--out", str(dist), "--graph-dir", str(graph)]
    )


@needs_java
def test_release_is_complete_and_reproducible(tmp_path):
    graph = write_mini_graph(tmp_path / "src")
    first, second = tmp_path / "d1", tmp_path / "d2"
    result = release(graph, first)
    assert result.exit_code == 0, result.output
    assert release(graph, second).exit_code == 0
    folder = first / "releases" / "2026.11.29"
    names = sorted(p.name for p in folder.iterdir())
    for expected in (
        "mpdkg.trig",
        "mpdkg.ttl",
        "mpdkg.nt",
        "mpdkg.jsonld",
        "void.ttl",
        "ontology.ttl",
        "stats.json",
        "SHA256SUMS",
    ):
        assert expected in names
    for name in names:
        assert (folder / name).read_bytes() == (second / "releases" / "2026.11.29" / name).read_bytes(), name
    onto = Graph().parse(folder / "ontology.ttl")
    ontology = URIRef("https://w3id.org/mpdkg/ontology")
    assert onto.value(ontology, OWL.versionIRI) == URIRef("https://w3id.org/mpdkg/ontology/2026.11.29")
    assert str(onto.value(ontology, OWL.versionInfo)) == "2026.11.29"
    assert "2026.11.29" in (folder / "void.ttl").read_text(encoding="utf-8")
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


@needs_java
def test_invalid_graph_is_not_released(tmp_path):
    graph = write_mini_graph(tmp_path / "src")
    with (graph / "memberships" / "rcm.csv").open("a", encoding="utf-8") as fh:
        fh.write("QQQ,member,1996,,,t-forum,,\n")
    dist = tmp_path / "dist"
    result = release(graph, dist)
    assert result.exit_code == 2
    assert "rcm.csv:6" in result.output
    assert not (dist / "releases").exists() or not any((dist / "releases").iterdir())


def test_bad_version_and_existing_release_are_refused(tmp_path):
    graph = write_mini_graph(tmp_path / "src")
    assert "expected YYYY.MM.DD" in release(graph, tmp_path / "d", "v1").output
    assert "not a real date" in release(graph, tmp_path / "d", "2026.02.30").output
    (tmp_path / "d" / "releases" / "2026.11.29").mkdir(parents=True)
    result = release(graph, tmp_path / "d")
    assert result.exit_code == 2 and "exists already" in result.output


@needs_java
def test_run_writes_the_diff_against_the_latest_release(tmp_path):
    from mpdkg.pipeline import run_all

    graph = write_mini_graph(tmp_path / "src")
    dist = tmp_path / "dist"
    assert release(graph, dist, "2026.01.01").exit_code == 0
    with (graph / "memberships" / "five.csv").open("a", encoding="utf-8") as fh:
        fh.write("FRA,member,2015,,,t-forum,,\n")
    run_all(dist, graph)
    diff = (dist / "diff.md").read_text(encoding="utf-8")
    assert "release 2026.01.01" in diff
    assert "added: membership `membership/five/FRA/member`" in diff
    assert (dist / "releases" / "2026.01.01" / "mpdkg.trig").exists()  # earlier releases survive a run
