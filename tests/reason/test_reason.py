"""OWL reasoning: contradictions caught with a readable explanation, defined classes filled."""

from __future__ import annotations

import shutil

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from typer.testing import CliRunner

from mpdkg.cli.core import app
from mpdkg.namespaces import GRAPHS, MPD, agreement_iri, country_iri, forum_iri
from mpdkg.query.engines import OxigraphEngine, run_query
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.engine import store_from_dataset
from mpdkg.reason import hermit as R
from mpdkg.reason.hermit import ReasoningFailed, quickxplain, reason_into
from mpdkg.sources.load import load_sources

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")
runner = CliRunner()
MPD_NS = R.MPD_NS


@pytest.fixture(autouse=True)
def private_tbox_cache(tmp_path_factory, monkeypatch):
    """The ontology's classification is cached in the session's folder, never the user's."""
    from mpdkg.staging import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path_factory.getbasetemp() / "tbox-cache"))


def members(built, cls):
    inferred = built.dataset.graph(GRAPHS.inferred)
    return {str(s).rsplit("/", 1)[1] for s in inferred.subjects(RDF.type, cls)}


@needs_java
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
    assert report.members["mpd:MobilityPartner"] == 2 and report.members["mpd:MultiChannelPartner"] == 1


@needs_java
def test_a_vote_is_not_taking_part(mini_graph):
    # JPN only voted on a protection compact: a membership, but not a participation
    with (mini_graph / "fora" / "test.csv").open("a", encoding="utf-8") as fh:
        fh.write("gcr,Global Compact on Refugees,,compact-or-declaration,5,2018,,,,no,,,,t-forum,,\n")
    (mini_graph / "memberships" / "gcr.csv").write_text(
        "member,role,start,end,as_of,source,quote,note\nCAN,voted-yes,2018,,,t-forum,,\nJPN,voted-yes,2018,,,t-forum,,\n",
        encoding="utf-8",
    )
    built = build_dataset(load_sources(mini_graph))
    reason_into(built)
    assert "JPN" not in members(built, MPD.ProtectionPartner)
    assert "gcr" not in members(built, MPD_NS.CanadaForum)
    assert {"rcm", "five"} == members(built, MPD_NS.CanadaForum)


@needs_java
def test_inverse_and_symmetric_relations_are_materialised(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    reason_into(built)
    inferred = built.dataset.graph(GRAPHS.inferred)
    # a forum's members, a country's memberships, the agreements a country is party to
    assert (forum_iri("rcm"), MPD_NS.hasMember, country_iri("KEN")) in inferred
    assert (country_iri("KEN"), MPD.memberOf, forum_iri("rcm")) in inferred
    assert (country_iri("MEX"), MPD.partyTo, agreement_iri("sawp-mex")) in inferred
    assert any(inferred.triples((country_iri("KEN"), URIRef("http://www.w3.org/ns/org#hasMembership"), None)))
    # bilateral partners hold both ways (the rule states one direction, symmetry gives the other)
    partners = {(str(a)[-3:], str(b)[-3:]) for a, b in inferred.subject_objects(MPD_NS.bilateralPartnerOf)}
    assert {("CAN", "USA"), ("USA", "CAN"), ("CAN", "FRA"), ("FRA", "CAN"), ("CAN", "MEX")} <= partners
    assert ("MEX", "CAN") in partners and not any(a == b for a, b in partners)
    assert report_types(inferred, country_iri("MEX")) >= {MPD.Actor, MPD_NS.ForeignCountry}
    assert (country_iri("CAN"), RDF.type, MPD_NS.CanadaCountry) in inferred


def report_types(graph, node):
    return set(graph.objects(node, RDF.type))


@needs_java
def test_inferred_triples_were_not_asserted(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    reason_into(built)
    asserted = set(built.curated) | set(built.ontology)
    inferred = set(built.dataset.graph(GRAPHS.inferred))
    assert inferred and not (inferred & asserted)
    assert not any(isinstance(x, BNode) for t in inferred for x in t)


@needs_java
def test_reasoning_is_deterministic(mini_graph):
    outputs = []
    for _ in range(2):
        built = build_dataset(load_sources(mini_graph))
        reason_into(built)
        outputs.append(R.inferred_turtle(built))
    assert outputs[0] == outputs[1]
    assert b"mpd:MobilityPartner" in outputs[0]


@needs_java
def test_the_inferred_graph_is_queryable(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    reason_into(built)
    engine = OxigraphEngine(store_from_dataset(built.dataset))
    result = run_query(
        engine,
        "PREFIX mpd: <https://w3id.org/mpdkg/ontology#>\n"
        "SELECT ?c WHERE { GRAPH <https://w3id.org/mpdkg/graph/inferred> { ?c a mpd:MobilityPartner } } ORDER BY ?c",
    )
    assert [str(row[0])[-3:] for row in result.rows] == ["FRA", "MEX"]


@needs_java
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
    assert "both a country and a forum" in text
    assert "ontology/mpdkg.ttl:" in text  # the disjointness axiom, with its line
    assert len(built.dataset.graph(GRAPHS.inferred)) == 0  # nothing was added


@needs_java
def test_a_clash_between_defined_classes_names_the_facts_behind_it(mini_graph):
    # Planted: no country may be both a mobility and a protection partner; Mexico is both.
    built = build_dataset(load_sources(mini_graph))
    built.ontology.add((MPD.MobilityPartner, OWL.disjointWith, MPD.ProtectionPartner))
    with pytest.raises(ReasoningFailed) as info:
        reason_into(built)
    text = info.value.report()
    assert (
        "Mexico (country:MEX, graph/countries.csv:3) is both a mobility partner and a protection partner"
        in text
    )
    assert "graph/agreements/test.csv:5" in text  # SAWP Mexico, which makes it a mobility partner
    assert "graph/memberships/rcm.csv:3" in text  # its RCM membership, which makes it a protection partner
    assert "HermiT infers" in text


@needs_java
def test_a_value_of_the_wrong_datatype_is_caught(mini_graph):
    from rdflib.namespace import XSD

    built = build_dataset(load_sources(mini_graph))
    built.ontology.add((MPD.officialName, RDFS.range, XSD.string))  # but names are @en strings
    with pytest.raises(ReasoningFailed) as info:
        reason_into(built)
    text = info.value.report()
    assert "mpd:officialName" in text and "rdf:langString" in text and "xsd:string" in text
    assert "graph/countries.csv:" in text


@needs_java
def test_a_class_that_can_have_no_members_is_reported(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    broken = MPD_NS.Broken
    built.ontology.add((broken, RDF.type, OWL.Class))
    built.ontology.add((broken, RDFS.label, Literal("broken", lang="en")))
    built.ontology.add((broken, RDFS.subClassOf, MPD.Country))
    built.ontology.add((broken, RDFS.subClassOf, MPD.Agreement))
    with pytest.raises(ReasoningFailed) as info:
        reason_into(built)
    text = info.value.report()
    assert info.value.exit_code == 1
    assert "broken (mpd:Broken) can have no members" in text
    assert "a kind of agreement and a kind of country" in text


@needs_java
def test_agreement_amending_itself_is_caught(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    built.curated.add((agreement_iri("stca"), MPD.amends, agreement_iri("stca")))
    with pytest.raises(ReasoningFailed) as info:
        reason_into(built)
    text = info.value.report()
    assert "is its own mpd:amends" in text and "graph/agreements/test.csv:2" in text


def test_a_membership_ending_before_it_starts_is_caught_before_reasoning(mini_graph, tmp_path):
    # OWL cannot compare two dates; the loader does, and `mpdkg reason` reports its row.
    with (mini_graph / "memberships" / "rcm.csv").open("a", encoding="utf-8") as fh:
        fh.write("JPN,observer,2010,2005,,t-forum,,\n")
    result = runner.invoke(app, ["reason", "--graph-dir", str(mini_graph), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "graph/memberships/rcm.csv:6" in result.output and "before start" in result.output
    assert not (tmp_path / "out" / "inferred.ttl").exists()


def test_without_java_reasoning_is_skipped_with_a_plain_message(mini_graph, monkeypatch, tmp_path):
    monkeypatch.setattr(R, "java_executable", lambda: None)
    built = build_dataset(load_sources(mini_graph))
    report = reason_into(built)
    assert report.status == "skipped"
    assert "Java was not found" in report.message and "default-jre-headless" in report.message
    assert len(built.dataset.graph(GRAPHS.inferred)) == 0
    result = runner.invoke(app, ["reason", "--graph-dir", str(mini_graph), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "Java was not found" in result.output


@needs_java
def test_reason_command_writes_inferred_turtle_and_reports(mini_graph, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["reason", "--graph-dir", str(mini_graph), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "reasoning ok" in result.output and "mpd:MobilityPartner: 2 member(s)" in result.output
    first = (out / "inferred.ttl").read_bytes()
    g = Graph().parse(data=first, format="turtle")
    assert (country_iri("MEX"), RDF.type, MPD.MobilityPartner) in g
    assert runner.invoke(app, ["reason", "--graph-dir", str(mini_graph), "--out", str(out)]).exit_code == 0
    assert (out / "inferred.ttl").read_bytes() == first


@needs_java
def test_reason_command_exits_1_on_a_contradiction(mini_graph, tmp_path, monkeypatch):
    # The loader refuses an agreement that amends itself (tests/test_security_build.py), so the
    # contradiction is put into the built graph, as a fact from elsewhere would be.
    import mpdkg.pipeline

    def build_with_a_loop(records):
        built = build_dataset(records)
        built.curated.add((agreement_iri("stca"), MPD.amends, agreement_iri("stca")))
        return built

    monkeypatch.setattr(mpdkg.pipeline, "build_dataset", build_with_a_loop)
    result = runner.invoke(app, ["reason", "--graph-dir", str(mini_graph), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "graph/agreements/test.csv:2" in result.output and "Traceback" not in result.output
    assert "is its own mpd:amends" in result.output
    assert not (tmp_path / "out" / "inferred.ttl").exists()


def test_quickxplain_finds_a_minimal_conflict():
    calls = []

    def consistent(chosen):
        calls.append(list(chosen))
        return not ({3, 17} <= set(chosen) or {40, 41, 42} <= set(chosen))

    found = quickxplain(list(range(60)), consistent)
    assert found in ([3, 17], [40, 41, 42])
    assert not consistent(found) and all(consistent([x for x in found if x != y]) for y in found)
    assert len(calls) < 40
    assert quickxplain([1, 2], lambda chosen: True) is None


def test_rules_have_headers_and_derive_declared_terms():
    onto = Graph().parse(R.paths.ontology_file())
    rules = R.load_rules()
    assert {r.name for r in rules} >= {"bilateral-partners", "foreign-countries", "multi-channel-partners"}
    for rule in rules:
        assert rule.title and rule.description and rule.derives, rule.name
        for curie in rule.derives:
            term = R._expand(curie)
            assert term is not None and (term, RDFS.label, None) in onto, curie


def test_every_new_term_has_label_definition_domain_and_range():
    onto = Graph().parse(R.paths.ontology_file())
    from rdflib.namespace import SKOS

    for term in (
        MPD_NS.hasMember,
        MPD_NS.hasEngagement,
        MPD_NS.bilateralPartnerOf,
    ):
        for prop in (RDFS.label, SKOS.definition, RDFS.domain, RDFS.range):
            assert (term, prop, None) in onto, (term, prop)
    for cls in (MPD.MobilityPartner, MPD.ProtectionPartner, MPD.MultiChannelPartner, MPD_NS.Participation):
        assert (cls, RDFS.label, None) in onto and (cls, SKOS.definition, None) in onto


@pytest.mark.slow
@needs_java
def test_reasoning_on_the_curated_graph(real_reasoned):
    """What reasoning finds on the real graph. How long it takes is measured by
    scripts/bench.py (timings are benchmarks, not tests: a loaded machine is no failure)."""
    built, report = real_reasoned
    assert report.status == "ok"
    assert members(built, MPD.MobilityPartner) >= {"MEX", "JAM", "AUS", "FRA"}
    assert "CAN" not in members(built, MPD.ProtectionPartner)
