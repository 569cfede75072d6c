"""Both SHACL paths (rudof, the default; pySHACL, the reference) find the same
planted violations, one of each constraint kind the shapes use, mapped back to file and line."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, TIME, XSD

from mpdkg.namespaces import BASE, MPD, agreement_iri, forum_iri, source_iri
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.dumps import union_graph
from mpdkg.sources.load import load_sources
from mpdkg.validate.shacl import validate_graph, validate_graph_rudof

PLANTED = {
    BASE + "source/t-agr",
    BASE + "forum/rcm",
    BASE + "membership/rcm/MEX/member",
    BASE + "membership/five/USA/member/during",
    BASE + "agreement/iec-fra",
    BASE + "engagement/chair-rcm-2006",
    BASE + "country/KEN",
}


@pytest.fixture
def planted(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    g = union_graph(built.dataset)
    g.remove((source_iri("t-agr"), MPD.accessedOn, None))
    g.add((forum_iri("rcm"), RDF.type, URIRef(BASE + "ontology#Treaty")))
    g.remove((URIRef(BASE + "membership/rcm/MEX/member"), ORG.role, None))
    g.set(
        (
            URIRef(BASE + "membership/five/USA/member/during/end"),
            TIME.inXSDgYear,
            Literal("2009", datatype=XSD.gYear),
        )
    )
    g.remove((agreement_iri("iec-fra"), MPD.party, URIRef(BASE + "country/FRA")))
    g.remove((URIRef(BASE + "engagement/chair-rcm-2006"), MPD.during, None))
    g.remove((URIRef(BASE + "country/KEN"), RDFS.label, None))
    return g, built


@pytest.mark.parametrize("validate", [validate_graph, validate_graph_rudof], ids=["pyshacl", "rudof"])
def test_planted_violations_found_and_located(planted, validate):
    graph, built = planted
    report = validate(graph, origin_of=built.origin_of)
    assert {f.focus for f in report.violations} == PLANTED
    where = {f.focus: str(f.origin) for f in report.violations}
    assert where[BASE + "membership/five/USA/member/during"] == "graph/memberships/five.csv:3"
    assert where[BASE + "agreement/iec-fra"] == "graph/agreements/test.csv:4"
    order = next(f for f in report.violations if f.focus.endswith("/during"))
    assert "ends (2009) before it starts (2010)" in order.message


@pytest.mark.parametrize("validate", [validate_graph, validate_graph_rudof], ids=["pyshacl", "rudof"])
def test_clean_graph_conforms(mini_graph, validate):
    built = build_dataset(load_sources(mini_graph))
    assert validate(union_graph(built.dataset), origin_of=built.origin_of).conforms
