"""The generated ontology reference: every term with label, definition, domain, range, examples.

(That the committed docs/ontology.md equals a fresh render of the real graph is checked in
tests/publish/test_docs.py, with the other generated pages.)
"""

from __future__ import annotations

import shutil

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from mpdkg.publish.ontodoc import MPD_NS, render_class_expression, render_ontology_markdown
from mpdkg.rdf.build import build_dataset
from mpdkg.reason.hermit import reason_into
from mpdkg.sources.load import load_sources
from tests.helpers import write_mini_graph

HAVE_JAVA = shutil.which("java") is not None


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    built = build_dataset(load_sources(write_mini_graph(tmp_path_factory.mktemp("onto"))))
    if HAVE_JAVA:
        reason_into(built)
    return built, render_ontology_markdown(built.dataset)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def test_every_class_and_property_has_a_row_with_label_and_definition(mini):
    built, md = mini
    onto = built.ontology
    terms = [
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in onto.subjects(RDF.type, kind)
        if isinstance(t, URIRef) and t.startswith(MPD_NS)
    ]
    assert len(terms) > 60
    for term in terms:
        label = onto.value(term, RDFS.label)
        definition = onto.value(term, SKOS.definition)
        assert label is not None and definition is not None, term
        row = f"| `mpd:{term[len(MPD_NS) :]}` | {_cell(label)} | {_cell(definition)} |"
        assert row in md, row


def test_domain_range_characteristics_and_examples_are_shown(mini):
    _built, md = mini
    party = next(line for line in md.splitlines() if line.startswith("| `mpd:party` |"))
    assert "| `mpd:Agreement` | `mpd:Actor` | inverse of `mpd:partyTo` |" in party
    assert "`agreement:iec-fra` → `country:CAN`" in party  # examples from the graph
    serves = next(line for line in md.splitlines() if line.startswith("| `mpd:servesPillar` |"))
    assert "`mpd:Forum` or `mpd:Agreement` or `mpd:Engagement` | `mpd:Pillar`" in serves
    amends = next(line for line in md.splitlines() if line.startswith("| `mpd:amends` |"))
    assert "asymmetric, irreflexive" in amends
    member_of = next(line for line in md.splitlines() if line.startswith("| `mpd:memberOf` |"))
    assert "chain: `org:hasMembership` then `org:organization`" in member_of
    country = next(line for line in md.splitlines() if line.startswith("| `mpd:Country` |"))
    assert "`country:CAN`" in country and "`mpd:Actor`" in country


def test_defined_classes_are_explained_in_plain_words(mini):
    _built, md = mini
    assert "## Defined classes, in plain words" in md
    for name in ("MobilityPartner", "ProtectionPartner", "MultiChannelPartner"):
        assert f"#### mpd:{name} — " in md
    assert (
        "In OWL: `mpd:MobilityPartner` is exactly `mpd:ForeignCountry` and (`mpd:partyTo` some "
        "(`mpd:MobilityArrangement` and `mpd:AgreementWithCanada`))." in md
    )
    assert "Derived by the rule `ontology/rules/multi-channel-partners.rq`" in md
    assert "### Multi-channel partners" in md and "`ontology/rules/bilateral-partners.rq`" in md
    assert "| `role:voted-yes` | voted in favour |" in md and "| no (a vote) |" in md


@pytest.mark.skipif(not HAVE_JAVA, reason="the defined classes' members need the reasoner")
def test_defined_classes_list_their_members(mini):
    _built, md = mini
    assert "Members in the current graph: 2 (for example `country:FRA`, `country:MEX`)." in md


def test_rendering_is_deterministic(mini):
    built, md = mini
    assert render_ontology_markdown(built.dataset) == md


def test_class_expressions_read_like_manchester_syntax():
    ex = Namespace("https://example.org/")
    g = Graph()
    g.bind("ex", ex)

    def restriction(prop, key, value):
        node = BNode()
        g.add((node, RDF.type, OWL.Restriction))
        g.add((node, OWL.onProperty, prop))
        g.add((node, key, value))
        return node

    inverse = BNode()
    g.add((inverse, OWL.inverseOf, ex.p))
    complement = BNode()
    g.add((complement, OWL.complementOf, ex.C))
    assert render_class_expression(g, restriction(ex.p, OWL.someValuesFrom, ex.C)) == "`ex:p` some `ex:C`"
    assert (
        render_class_expression(g, restriction(ex.p, OWL.allValuesFrom, complement))
        == "`ex:p` only not `ex:C`"
    )
    assert (
        render_class_expression(g, restriction(inverse, OWL.hasValue, ex.a)) == "inverse(`ex:p`) value `ex:a`"
    )
    assert render_class_expression(g, restriction(ex.q, OWL.hasValue, Literal("CAN"))) == '`ex:q` value "CAN"'
    max_one = restriction(ex.p, OWL.maxCardinality, Literal(1))
    assert render_class_expression(g, max_one) == "`ex:p` max 1"
