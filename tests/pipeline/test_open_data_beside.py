"""mpdkg run builds the open data in a second process beside the other stages
(mpdkg.pipeline.beside): its file reaches the staging folder only when it succeeded, its
errors reach the parent as they are, and a run that fails elsewhere stops it and leaves nothing."""

from __future__ import annotations

import shutil
import time

import pytest

from mpdkg import paths
from mpdkg.pipeline.beside import OpenDataBeside
from mpdkg.sources.opendata import OpenDataError
from tests.helpers import REPO, write_mini_graph


@pytest.fixture
def project(tmp_path):
    """A project chosen with paths.use_project (a setting in the parent's memory, which the
    child is told), whose graph/ the child must read instead of the repository's."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "shapes", root / "shapes")
    write_mini_graph(root)
    paths.use_project(root)
    yield root
    paths.use_project(None)


def _leftovers(stage):
    return sorted(p.name for p in stage.parent.iterdir() if p.name.startswith(".open-data-"))


def test_an_error_in_the_child_is_raised_as_it_is_and_nothing_is_left(project, tmp_path):
    shutil.copytree(REPO / "graph" / "open-data" / "manytrade", project / "graph" / "open-data" / "manytrade")
    stage = tmp_path / "stage"
    stage.mkdir()
    said = []
    beside = OpenDataBeside(stage, project / "graph", said.append)
    assert _leftovers(stage)  # the child's own folder, beside the stage
    with pytest.raises(OpenDataError, match="no open-data dataset 'unhcr'"):
        beside.wait()  # the extract of this project, not the repository's (which has unhcr)
    assert list(stage.iterdir()) == [] and _leftovers(stage) == []
    assert said[0] == "building the open data in a second process, beside the other stages"
    assert said[1].startswith("building the open-data graphs")  # the child's progress, passed on


def test_a_run_that_fails_elsewhere_stops_the_child(tmp_path):
    stage = tmp_path / "stage"
    stage.mkdir()
    beside = OpenDataBeside(stage, REPO / "graph", lambda _: None)
    time.sleep(0.5)
    assert beside._process.is_alive()  # the real open data take tens of seconds
    beside.abandon()
    assert not beside._process.is_alive() and beside._process.exitcode != 0
    assert list(stage.iterdir()) == [] and _leftovers(stage) == []
