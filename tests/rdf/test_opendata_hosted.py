"""The population hosted by every country of asylum, and UNRWA's Palestine refugees, as Data Cube
observations of the open-data graph (issue #16), read back with SPARQL and checked against the
vendored extracts, and checked by the SHACL shapes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from mpdkg.query.engines import run_query
from mpdkg.rdf import opendata as od
from mpdkg.sources import opendata as src

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

HOSTED = """
PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT ?iso ?year ?measure ?value WHERE {
  ?o a qb:Observation ; qb:dataSet <https://w3id.org/mpdkg/open-data/unhcr/population-by-asylum> ;
     mpd:refYear ?year ; mpd:origin <https://w3id.org/mpdkg/open-data/area/ALL> ;
     mpd:asylumCountry ?c ; qb:measureType ?m ; ?m ?value .
  BIND(REPLACE(STR(?c), "^.*/", "") AS ?iso)
  BIND(STRAFTER(STR(?m), "#") AS ?measure)
}
"""

UNRWA = """
PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT ?year ?asylum ?value WHERE {
  ?o qb:dataSet <https://w3id.org/mpdkg/open-data/unhcr/unrwa> ; mpd:refYear ?year ;
     mpd:origin country:PSE ; mpd:asylumCountry ?asylum ; mpd:unrwaRefugees ?value .
}
"""


@pytest.fixture(scope="module")
def hosted(opendata):
    return {
        (str(r["iso"]), int(r["year"]), str(r["measure"])): int(r["value"])
        for r in run_query(opendata, HOSTED).dicts()
    }


def test_refugees_hosted_are_observations_with_the_extract_s_figures(hosted):
    expected = {
        (r["coa_iso"], r["year"], measure): r[column]
        for r in src.read_rows("unhcr", "population_by_asylum.csv")
        for column, measure in od.HOSTED_MEASURES.items()
        if r[column] is not None
    }
    assert hosted == expected
    assert hosted[("TUR", 2023, "refugeesHosted")] == 3_251_127
    assert hosted[("LBN", 2016, "refugeesHosted")] == 1_012_959
    assert hosted[("COL", 2023, "oipHosted")] == 2_851_160
    assert hosted[("CAN", 2023, "asylumSeekersHosted")] == 197_961
    assert ("UNK", 2023, "refugeesHosted") in hosted  # a statistical area, not a country


def test_canada_s_hosted_refugees_equal_the_sum_of_its_own_rows(hosted):
    by_year: dict[int, int] = {}
    for r in src.read_rows("unhcr", "population_canada.csv"):
        if r["coa_iso"] == "CAN" and r["refugees"] is not None:
            by_year[r["year"]] = by_year.get(r["year"], 0) + r["refugees"]
    assert {y: hosted[("CAN", y, "refugeesHosted")] for y in by_year} == by_year


def test_unrwa_refugees_per_field_of_operation(opendata):
    got = {(int(r["year"]), str(r["asylum"]).rsplit("/", 1)[1]): int(r["value"])
           for r in run_query(opendata, UNRWA).dicts()}  # fmt: skip
    assert got[(2023, "JOR")] == 2_392_531 and got[(2023, "LBN")] == 492_833
    assert got[(2023, "SYR")] == 586_578 and got[(2023, "PSE")] == 2_496_694
    assert len(got) == sum(1 for r in src.read_rows("unhcr", "unrwa.csv") if r["total"] is not None)


@pytest.fixture(scope="module")
def unhcr_sample():
    """The UNHCR graph with every 10th hosted and UNRWA observation (and the others thinned)."""
    return od.sample_quads(od.unhcr_quads(), every=10)


def test_hosted_observations_conform_and_planted_errors_are_caught(unhcr_sample):
    hosted = [q for q in unhcr_sample if q.predicate in (od.mpd("refugeesHosted"), od.mpd("unrwaRefugees"))]
    assert len({q.predicate for q in hosted}) == 2
    assert od.validate_quads(unhcr_sample) == []
    g = ox.NamedNode(od.GRAPH_UNHCR)
    obs = {q.predicate: q.subject for q in hosted}
    broken = [q for q in unhcr_sample if not (q.subject in obs.values() and q.predicate in obs)]
    broken.append(
        ox.Quad(
            obs[od.mpd("refugeesHosted")], od.mpd("refugeesHosted"), ox.Literal("-5", datatype=XSD_INTEGER), g
        )
    )
    broken.append(ox.Quad(obs[od.mpd("unrwaRefugees")], od.mpd("unrwaRefugees"), ox.Literal("many"), g))
    problems = "\n".join(od.validate_quads(broken))
    assert "Refugees hosted are one whole number" in problems
    assert "UNRWA's mandate are one whole number" in problems
