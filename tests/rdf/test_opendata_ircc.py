"""IRCC's admissions and permits by country of citizenship as Data Cube observations of the
open-data graph (issue #16): read back with SPARQL from what `mpdkg query` sees, equal to the
vendored extract cell by cell, and checked by the SHACL shapes (with planted errors)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from mpdkg.query.engines import run_query
from mpdkg.rdf import opendata as od
from mpdkg.rdf import opendata_ircc as ircc
from mpdkg.sources import opendata as src

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

CELLS = """
PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT ?year ?origin ?measure ?value ?reported ?suppressed WHERE {
  ?o a qb:Observation ; qb:dataSet <https://w3id.org/mpdkg/open-data/ircc/admissions-by-citizenship> ;
     mpd:refYear ?year ; mpd:origin ?c ; mpd:asylumCountry country:CAN ; qb:measureType ?m ; ?m ?value ;
     mpd:monthsReported ?reported ; mpd:monthsSuppressed ?suppressed .
  BIND(REPLACE(STR(?c), "^.*/", "") AS ?origin)
  BIND(STRAFTER(STR(?m), "#") AS ?measure)
}
"""

TOP_2023 = """
PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT ?label (SUM(?v) AS ?n) WHERE {
  ?o qb:dataSet <https://w3id.org/mpdkg/open-data/ircc/admissions-by-citizenship> ;
     mpd:refYear 2023 ; mpd:origin ?c ; mpd:permanentResidentAdmissions ?v .
  ?c rdfs:label ?label .
} GROUP BY ?label ORDER BY DESC(?n) LIMIT 3
"""


@pytest.fixture(scope="module")
def cells(opendata):
    return {
        (int(r["year"]), str(r["origin"]), str(r["measure"])): (
            int(r["value"]),
            int(r["reported"]),
            int(r["suppressed"]),
        )
        for r in run_query(opendata, CELLS).dicts()
    }


def test_every_cell_of_the_extract_is_an_observation_and_nothing_else(cells):
    expected = {
        (r["year"], r["citizenship_iso"], ircc.MEASURES[r["measure"]]): (
            r["value"],
            r["months_reported"],
            r["months_suppressed"],
        )
        for r in src.read_rows("ircc", ircc.FILE)
    }
    assert cells == expected
    assert cells[(2023, "IND", "permanentResidentAdmissions")] == (139_780, 12, 0)
    assert cells[(2019, "PHL", "permanentResidentAdmissions")] == (27_810, 12, 0)
    assert cells[(2023, "MEX", "tfwWorkPermitHolders")][0] == 46_855
    assert ("XKX", 2019) in {(c, y) for y, c, _m in cells}  # Kosovo: a statistical area


def test_india_leads_permanent_resident_admissions_in_2023(opendata):
    rows = [(str(r["label"]), int(r["n"])) for r in run_query(opendata, TOP_2023).dicts()]
    assert rows[0] == ("India", 139_780)
    assert {name for name, _n in rows} >= {"India"}


@pytest.fixture(scope="module")
def ircc_quads():
    return ircc.ircc_quads()


def test_ircc_observations_conform_and_planted_errors_are_caught(ircc_quads):
    sample = ircc_quads
    assert od.validate_quads(sample) == []
    g = ox.NamedNode(ircc.GRAPH_IRCC)
    pr = next(q.subject for q in sample if q.predicate == od.mpd("permanentResidentAdmissions"))
    work = next(q.subject for q in sample if q.predicate == od.mpd("tfwWorkPermitHolders"))
    replaced = {(pr, od.mpd("permanentResidentAdmissions")), (work, od.mpd("monthsReported"))}
    broken = [q for q in sample if (q.subject, q.predicate) not in replaced]
    broken.append(
        ox.Quad(pr, od.mpd("permanentResidentAdmissions"), ox.Literal("3", datatype=XSD_INTEGER), g)
    )
    broken.append(ox.Quad(work, od.mpd("monthsReported"), ox.Literal("13", datatype=XSD_INTEGER), g))
    problems = "\n".join(od.validate_quads(broken))
    assert "Permanent residents admitted (IRCC) are one whole number, 5 or more" in problems
    assert "Months reported are one whole number from 1 to 12" in problems
