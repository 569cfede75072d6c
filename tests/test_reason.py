"""OWL reasoning: contradictions caught with a readable explanation, defined classes filled."""

from __future__ import annotations

import shutil
import time

import pytest
from rdflib.namespace import RDF

from mpdkg.build import build_dataset
from mpdkg.namespaces import GRAPHS, MPD, country_iri
from mpdkg.reason import ReasoningFailed, reason_into
from mpdkg.sources import load_sources

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")


def members(built, cls):
    inferred = built.dataset.graph(GRAPHS.inferred)
    return {str(s).rsplit("/", 1)[1] for s in inferred.subjects(RDF.type, cls)}


def test_defined_classes_get_the_expected_members(mini_graph):
    with (mini_graph / "fora" / "test.csv").open("a", encoding="utf-8") as fh:
        fh.write("work,Labour forum,,initiative,2;3,,,,,no,,,,t-forum,,\n")
    (mini_graph / "memberships" / "work.csv").write_text(
        "member,role,start,end,as_of,source,quote,note\nCAN,member,2001,,,t-forum,,\nUSA,member,2001,,,t-forum,,\n",
        encoding="utf-8",
    )
    built = build_dataset(load_sources(mini_graph))
    report = reason_into(built)
    assert report.status == "ok" and report.inferred > 0
    assert members(built, MPD.MobilityPartner) == {"FRA", "MEX"}  # youth mobility, SAWP
    assert {"USA", "KEN"} <= members(built, MPD.ProtectionPartner)  # STCA; RCM (pillar 5) observer
    assert "JPN" not in members(built, MPD.ProtectionPartner)
    assert members(built, MPD.MultiChannelPartner) == {"USA"}  # fora under pillars 1, 2, 3 and 5
    assert "CAN" not in members(built, MPD.MobilityPartner) | members(built, MPD.MultiChannelPartner)


def test_inferred_triples_were_not_asserted(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    reason_into(built)
    asserted = set(built.curated) | set(built.ontology)
    inferred = set(built.dataset.graph(GRAPHS.inferred))
    assert inferred and not (inferred & asserted)


def test_a_country_that_is_a_forum_is_caught_with_its_source_row(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    built.curated.add((country_iri("MEX"), RDF.type, MPD.Forum))
    with pytest.raises(ReasoningFailed) as info:
        reason_into(built)
    text = info.value.report()
    assert info.value.exit_code == 1
    assert "MEX" in text or "Mexico" in text
    assert "graph/countries.csv:3" in text  # the row that makes MEX a country
    assert "Traceback" not in text


@pytest.mark.slow
def test_reasoning_on_the_curated_graph_within_60_seconds():
    built = build_dataset(load_sources())
    start = time.monotonic()
    report = reason_into(built)
    assert report.status == "ok"
    assert time.monotonic() - start < 60
    assert members(built, MPD.MobilityPartner) >= {"MEX", "JAM", "AUS", "FRA"}
