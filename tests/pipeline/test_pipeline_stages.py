"""mpdkg run redoes only what changed (#18): each kind of input reruns exactly the stages that
depend on it and changes the output; a fresh stage is carried over; --force gives the same bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mpdkg import paths
from mpdkg.influence.config import DEFAULT_WEIGHTS
from mpdkg.pipeline import run_all
from mpdkg.pipeline.stages import MANIFEST, STAGES
from tests.helpers import REPO, tree_snapshot, write_mini_graph

ALL = [s.name for s in STAGES]
pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "shapes", root / "shapes")
    write_mini_graph(root)
    shutil.copy(DEFAULT_WEIGHTS, root / "weights.toml")
    paths.use_project(root)
    yield root
    paths.use_project(None)


def _run(root: Path, **kw):
    result = run_all(root / "dist", root / "graph", weights=root / "weights.toml", **kw)
    return [s.name for s in result.stages if s.status == "ran"]


def _outputs(dist: Path) -> dict[str, bytes]:
    """The published files and products (not the manifest, which names the new digests)."""
    return {k: v for k, v in tree_snapshot(dist).items() if k != MANIFEST}


def _outputs_of(snapshot: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in snapshot.items() if k != MANIFEST}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_input_reruns_exactly_its_stages_and_changes_the_output(project):
    dist = project / "dist"
    assert _run(project) == ALL
    first = tree_snapshot(dist)
    assert _run(project) == []  # nothing changed: every stage fresh, nothing rewritten
    assert tree_snapshot(dist) == first

    # a graph CSV: everything built from the curated facts (open data reads countries.csv only)
    _edit(project / "graph" / "memberships" / "rcm.csv", "KEN,observer,,,2020", "KEN,observer,,,2021")
    assert _run(project) == [n for n in ALL if n != "open data"]
    second = tree_snapshot(dist)
    assert second["mpdkg.nt"] != first["mpdkg.nt"]

    # the shapes: validation and the open data (checked with shapes/opendata.ttl) only
    with (project / "shapes" / "mpdkg.shapes.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment is a change of input too\n")
    assert _run(project) == ["validate", "open data"]
    assert _outputs(dist) == _outputs_of(second)

    # the weights: the analysis and everything drawn from it
    _edit(project / "weights.toml", "ministerial-group = 1.0", "ministerial-group = 0.5")
    assert _run(project) == ["analyse", "dumps", "maps", "report"]
    third = tree_snapshot(dist)
    assert third["influence.json"] != second["influence.json"]
    assert third["mpdkg.trig"] != second["mpdkg.trig"]  # the analysis graph

    # a rule (.rq) of the reasoning: reasoning and what reads the inferred graph
    rule = project / "ontology" / "rules" / "foreign-countries.rq"
    rule.unlink()
    assert _run(project) == ["reason", "analyse", "dumps", "maps", "report"]
    assert tree_snapshot(dist)["inferred.ttl"] != third["inferred.ttl"]

    # the ontology: everything
    with (project / "ontology" / "mpdkg.ttl").open("a", encoding="utf-8") as fh:
        fh.write('\nmpd:Forum rdfs:comment "A changed comment."@en .\n')
    assert _run(project) == ALL
    cached = tree_snapshot(dist)
    assert cached["mpdkg.nt"] != third["mpdkg.nt"]

    # a forced run gives the same bytes as the incremental ones
    assert _run(project, force=True) == ALL
    forced = tree_snapshot(dist)
    assert forced == cached


def test_an_output_changed_by_hand_is_rebuilt_not_carried(project):
    dist = project / "dist"
    _run(project)
    good = (dist / "influence.csv").read_bytes()
    (dist / "influence.csv").unlink()
    (dist / "influence.csv").write_bytes(b"tampered\n")
    assert _run(project) == ["analyse"]
    assert (dist / "influence.csv").read_bytes() == good
    (dist / MANIFEST).write_text("not json", encoding="utf-8")
    assert _run(project) == ALL


def test_a_failing_stage_leaves_dist_and_its_manifest_as_they_were(project):
    from mpdkg.errors import ValidationFailed

    dist = project / "dist"
    _run(project)
    before = tree_snapshot(dist)
    with (project / "shapes" / "mpdkg.shapes.ttl").open("a", encoding="utf-8") as fh:
        fh.write(
            "\n<urn:x:HomepageShape> a sh:NodeShape ; sh:targetClass mpd:Forum ;\n"
            '  sh:property [ sh:path mpd:homepage ; sh:minCount 1 ; sh:message "A forum needs a homepage." ] .\n'
        )
    with pytest.raises(ValidationFailed) as failed:
        _run(project)
    # the origins come from the carried-over build products: still file:line
    assert "graph/fora/test.csv:2: violation: A forum needs a homepage." in failed.value.report()
    assert tree_snapshot(dist) == before


def test_an_open_data_extract_reruns_the_analysis(tmp_path):
    """The influence layers read graph/open-data/ (flows, visas, UN votes): changing an extract
    must change the analysis digest, or a cached ranking would survive new data."""
    from mpdkg.pipeline.stages import Inputs, stage_digests

    graph = tmp_path / "graph"
    (graph / "open-data" / "unvotes").mkdir(parents=True)
    extract = graph / "open-data" / "unvotes" / "votes.csv"
    extract.write_text("rcid,country_code,vote\n1,CA,yes\n", encoding="utf-8")
    weights = tmp_path / "weights.toml"
    weights.write_text("", encoding="utf-8")
    before = stage_digests(Inputs(graph_dir=graph, weights=weights, java=False))
    extract.write_text("rcid,country_code,vote\n1,CA,no\n", encoding="utf-8")
    after = stage_digests(Inputs(graph_dir=graph, weights=weights, java=False))
    changed = {name for name in before if before[name] != after[name]}
    assert {"analyse", "maps", "report", "open data"} <= changed
    assert "build" not in changed and "validate" not in changed
