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
    from mpdkg.publish.coverage import project_open_data_coverage, render_coverage_markdown

    engine = OxigraphEngine(store_from_dataset(real_build.built.dataset))
    committed = (REPO / "docs" / "coverage.md").read_text(encoding="utf-8")
    page = render_coverage_markdown(engine, open_data=project_open_data_coverage())
    assert committed == page, "docs/coverage.md is stale: run `make docs`"
    # the open data per country and per year (#15): Canada's UN votes, the 1990s, every dataset
    assert "| Canada (CAN) |" in page and "## Open data per year" in page
    canada = next(line for line in page.splitlines() if "| Canada (CAN) |" in line)
    assert canada.rstrip(" |").split("|")[-1].strip() not in ("", "·")  # COW membership-years
    assert "| 1995 |" in page
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
