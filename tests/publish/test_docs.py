"""Generated docs are not stale: the committed copies equal a fresh render (run `make docs`)."""

from __future__ import annotations

import shutil

import pytest

from mpdkg.publish.docgen import render_queries_markdown
from mpdkg.query.engines import OxigraphEngine
from mpdkg.rdf.engine import store_from_dataset
from tests.helpers import REPO


def test_query_catalogue_doc_is_current(opendata):
    engine = opendata  # as mpdkg docs: the curated graph and the open data, so those queries answer too
    committed = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")
    assert committed == render_queries_markdown(engine), "docs/queries.md is stale: run `make docs`"


def test_coverage_doc_is_current(real_build):
    from mpdkg.publish.coverage import render_coverage_markdown

    engine = OxigraphEngine(store_from_dataset(real_build.built.dataset))
    committed = (REPO / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert committed == render_coverage_markdown(engine), "docs/coverage.md is stale: run `make docs`"
    assert (REPO / "docs" / "coverage.png").stat().st_size > 10_000


@pytest.mark.skipif(shutil.which("java") is None, reason="the defined classes' members need the reasoner")
def test_ontology_doc_is_current(real_reasoned):
    from mpdkg.publish.ontodoc import render_ontology_markdown

    built, _report = real_reasoned
    committed = (REPO / "docs" / "ontology.md").read_text(encoding="utf-8")
    assert committed == render_ontology_markdown(built.dataset), "docs/ontology.md is stale: run `make docs`"
    for term in (
        "mpd:MobilityPartner",
        "mpd:ProtectionPartner",
        "mpd:MultiChannelPartner",
        "`mpd:Forum`",
        "`mpd:party`",
    ):
        assert term in committed
