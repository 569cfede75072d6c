"""``mpdkg build`` validates while it renders the dumps (small graphs) or before (large ones):
either way an invalid graph writes nothing and a valid one writes the same bytes."""

from __future__ import annotations

import pytest

from mpdkg import pipeline
from mpdkg.errors import ValidationFailed
from mpdkg.validate import chunks
from mpdkg.validate.shacl import load_shapes
from tests.helpers import tree_snapshot

HOMEPAGE_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix mpd: <https://w3id.org/mpdkg/ontology#> .
<urn:x:HomepageShape> a sh:NodeShape ; sh:targetClass mpd:Forum ;
  sh:property [ sh:path mpd:homepage ; sh:minCount 1 ; sh:message "A forum needs a homepage." ] .
"""

#: CHUNK_FROM values: the curated size (validation beside the rendering) and 0 (before it)
PATHS = {"beside": chunks.CHUNK_FROM, "before": 0}


@pytest.mark.parametrize("path", PATHS)
def test_a_shape_violation_writes_nothing(path, mini_graph, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    pipeline.build(out, mini_graph)
    before = tree_snapshot(out)
    strict = load_shapes().__class__()
    for triple in load_shapes():
        strict.add(triple)
    strict.parse(data=HOMEPAGE_SHAPE, format="turtle")
    monkeypatch.setattr(pipeline, "load_shapes", lambda: strict)
    monkeypatch.setattr(chunks, "CHUNK_FROM", PATHS[path])
    with pytest.raises(ValidationFailed) as failed:
        pipeline.build(out, mini_graph)
    assert "A forum needs a homepage." in failed.value.report()
    assert tree_snapshot(out) == before


def test_both_paths_write_the_same_dumps(mini_graph, tmp_path, monkeypatch):
    written = {}
    for path, chunk_from in PATHS.items():
        monkeypatch.setattr(chunks, "CHUNK_FROM", chunk_from)
        result = pipeline.build(tmp_path / path, mini_graph)
        assert result.report is not None and result.report.conforms
        written[path] = tree_snapshot(tmp_path / path)
    assert written["beside"] == written["before"]
    assert len(written["beside"]) >= 9
