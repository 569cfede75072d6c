"""Issue #19 end to end: source kinds, the copy read and dated visa policies go from graph/ into
RDF that joins the open data (same country IRIs, same visa-category concepts), and the shapes of
``shapes/sources.ttl`` catch what the loader cannot (a hand-edited or merged graph): one planted
violation per property shape, the same findings from both SHACL engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from mpdkg import paths
from mpdkg.namespaces import BASE
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.dumps import union_graph
from mpdkg.sources.load import load_sources
from mpdkg.validate.shacl import validate_graph, validate_graph_rudof
from tests.helpers import write_mini_graph

ONT = BASE + "ontology#"


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


def with_issue_19_facts(root: Path) -> Path:
    graph = write_mini_graph(root)
    (graph / "sources" / "kinds.csv").write_text(
        "id,url,title,publisher,accessed,note,kind,read_from\n"
        "k-gov,https://www.canada.ca/x,Visa news,IRCC,2026-12-01,,government,"
        "https://web.archive.org/web/2016/https://www.canada.ca/x\n"
        "k-copy,https://example.org/copy,Reprint,Some site,2026-12-01,,secondary-copy,\n",
        encoding="utf-8",
    )
    (graph / "visa-policy").mkdir()
    (graph / "visa-policy" / "canada.csv").write_text(
        "id,nationality,destination,category,start,end,scope,label,source,quote,note\n"
        "mex-visa-2009,MEX,CAN,visa-required,2009-07-14,2016-12-01,,Visa on Mexican nationals,k-gov,,\n"
        "mex-eta-2016,MEX,CAN,eta,2016-12-01,,,,k-copy,,\n"
        "usa-free-2000,USA,CAN,visa-free,2000,,,,k-gov;k-copy,,\n",
        encoding="utf-8",
    )
    return graph


@pytest.fixture(scope="module")
def built_records(tmp_path_factory):
    return load_sources(with_issue_19_facts(tmp_path_factory.mktemp("kinds")))


@pytest.fixture(scope="module")
def built(built_records):
    return build_dataset(built_records)


def test_source_kind_and_copy_read_in_rdf(built):
    g = built.curated
    source = iri("source/k-gov")
    assert g.value(source, URIRef(ONT + "sourceKind")) == iri("source-kind/government")
    assert g.value(source, URIRef(ONT + "readFrom")) == URIRef(
        "https://web.archive.org/web/2016/https://www.canada.ca/x"
    )
    assert g.value(iri("source/t-iso"), URIRef(ONT + "sourceKind")) == iri("source-kind/other")


def test_visa_policy_joins_the_open_data_categories_and_countries(built):
    g = built.curated
    policy = iri("visa-policy/mex-visa-2009")
    assert (policy, RDF.type, URIRef(ONT + "VisaPolicy")) in g
    assert g.value(policy, URIRef(ONT + "policyNationality")) == iri("country/MEX")
    assert g.value(policy, URIRef(ONT + "policyDestination")) == iri("country/CAN")
    category = g.value(policy, URIRef(ONT + "policyCategory"))
    assert category == iri("visa-category/visa-required")
    # the same concept the open-data visa requirements use (ontology/opendata.ttl)
    assert (category, RDF.type, URIRef(ONT + "VisaCategory")) in built.ontology
    assert g.value(policy, URIRef(ONT + "startYear")) == Literal(2009)
    assert str(built.origin_of(policy)) == "graph/visa-policy/canada.csv:2"


def test_the_issue_19_facts_validate_clean(built):
    graph = union_graph(built.dataset)
    for report in (validate_graph(graph), validate_graph_rudof(graph)):
        assert not report.violations, [str(v) for v in report.violations]


def plant(g: Graph) -> None:
    """One violation per property shape of shapes/sources.ttl."""
    kind, read_from = URIRef(ONT + "sourceKind"), URIRef(ONT + "readFrom")
    g.add((iri("source/k-gov"), kind, iri("source-kind/secondary-copy")))  # two kinds
    g.set((iri("source/k-copy"), read_from, URIRef("ftp://example.org/copy")))
    policy = iri("visa-policy/mex-eta-2016")
    g.set((policy, URIRef(ONT + "policyNationality"), iri("region/asia")))
    g.remove((policy, URIRef(ONT + "policyDestination"), None))
    g.set((policy, URIRef(ONT + "policyCategory"), iri("country/CAN")))
    g.remove((policy, URIRef(ONT + "inEffectDuring"), None))
    old = iri("visa-policy/mex-visa-2009")
    g.set((old, URIRef(ONT + "endYear"), Literal(2000)))


EXPECTED = {
    ("source/k-gov", "A source has at most one kind"),
    ("source/k-copy", "The copy read is a web address"),
    ("visa-policy/mex-eta-2016", "A visa policy applies to exactly one nationality"),
    ("visa-policy/mex-eta-2016", "A visa policy is set by exactly one destination"),
    ("visa-policy/mex-eta-2016", "A visa policy has exactly one visa category"),
    ("visa-policy/mex-eta-2016", "A visa policy says when it took effect"),
    ("visa-policy/mex-visa-2009", "A visa policy cannot end before it takes effect"),
}


def test_every_sources_shape_catches_its_planted_violation_in_both_engines(built):
    graph = union_graph(built.dataset)
    plant(graph)
    reports = {
        "pyshacl": validate_graph(graph, origin_of=built.origin_of),
        "rudof": validate_graph_rudof(graph, origin_of=built.origin_of),
    }
    assert reports["rudof"].findings == reports["pyshacl"].findings
    found = {(f.focus, f.message) for f in reports["rudof"].findings}
    for focus, message in EXPECTED:
        assert any(f == BASE + focus and m.startswith(message) for f, m in found), (focus, message, found)
    # every message of shapes/sources.ttl is among the planted cases
    shapes = Graph().parse(paths.shapes_dir() / "sources.ttl")
    messages = {str(m) for m in shapes.objects(None, SH.message)}
    assert {m for m in messages if any(m.startswith(e) for _, e in EXPECTED)} == messages
    origins = {str(f.origin) for f in reports["rudof"].findings if f.focus.endswith("mex-eta-2016")}
    assert origins == {"graph/visa-policy/canada.csv:3"}


def test_weak_sources_query_lists_single_and_secondary_only_facts(built, built_records):
    from mpdkg.query.catalogue import get_query
    from mpdkg.query.engines import OxigraphEngine, run_query
    from mpdkg.rdf.engine import store_from_dataset

    engine = OxigraphEngine(store_from_dataset(built.dataset))
    rows = run_query(engine, get_query("weak-sources"), {}).dicts()
    weakness = {str(r["fact"]).removeprefix(BASE): str(r["weakness"]) for r in rows}
    # one government source: single source; one secondary copy: the weakest kind
    assert weakness["visa-policy/mex-visa-2009"] == "single source"
    assert weakness["visa-policy/mex-eta-2016"] == "single secondary copy"
    counts = {str(r["fact"]).removeprefix(BASE): (int(r["sources"]), int(r["secondaryCopies"])) for r in rows}
    assert counts["visa-policy/mex-eta-2016"] == (1, 1)
    # every country of the mini graph cites the one ISO source
    assert weakness["country/CAN"] == "single source"
    # two sources, one of them a copy: not weak
    assert "visa-policy/usa-free-2000" not in weakness
    # the same facts that source_quality counts (regions, derived from countries, left out)
    assert not any(k.startswith("region/") for k in weakness)
    from mpdkg.sources import source_quality

    assert len(rows) == source_quality(built_records).single_source  # no multi-source copy-only fact here


def test_source_quality_counts_the_facts_that_quote_their_source(tmp_path):
    from mpdkg.sources import source_quality

    graph = with_issue_19_facts(tmp_path)
    records = load_sources(graph)
    before = source_quality(records)
    rows_with_a_quote_column = (
        *records.fora.values(),
        *records.memberships,
        *records.agreements.values(),
        *records.engagements.values(),
        *records.visa_policies.values(),
    )
    assert before.quotable == len(rows_with_a_quote_column) < before.facts  # countries have no quote
    assert before.quoted == sum(1 for f in rows_with_a_quote_column if f.quote) <= before.quotable - 3
    visas = graph / "visa-policy" / "canada.csv"
    visas.write_text(
        visas.read_text(encoding="utf-8").replace(
            "Visa on Mexican nationals,k-gov,,",
            "Visa on Mexican nationals,k-gov,this visa requirement became effective,",
        ),
        encoding="utf-8",
    )
    after = source_quality(load_sources(graph))
    assert (after.quotable, after.quoted) == (before.quotable, before.quoted + 1)


def test_source_quality_counts_kinds_copies_and_weak_facts(tmp_path):
    from mpdkg.sources import source_quality

    records = load_sources(with_issue_19_facts(tmp_path))
    q = source_quality(records)
    kinds = [s.kind for s in records.sources.values()]  # foundation.csv is the real one
    assert q.sources_by_kind == {k: kinds.count(k) for k in sorted(set(kinds))}
    assert q.sources_by_kind["secondary-copy"] == 1 and "" not in q.sources_by_kind  # kind is required
    assert q.sources_read_from_copy == 1
    assert q.secondary_only == 1  # mex-eta-2016; usa-free-2000 also cites a government source
    assert q.single_source == q.facts - 1  # every other fact cites one source
