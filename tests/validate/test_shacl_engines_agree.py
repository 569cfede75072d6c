"""rudof (the default SHACL engine) and pySHACL (the reference) give the SAME findings: the same
focus nodes, messages, paths, values and file:line origins, on the curated graph and on a small
graph holding a planted violation of every property shape and node-level constraint of
``shapes/mpdkg.shapes.ttl``. A test below fails when a shape or constraint kind is added that no
planted case violates.

Where the engines differ, ``mpdkg.validate.shacl`` reconciles them and these tests hold it to it:

- rudof drops a shape's ``sh:message`` for ``sh:or``, ``sh:lessThanOrEquals``, ``sh:uniqueLang``
  and qualified counts and writes its own text (``OR not satisfied``); the shapes are given IRIs
  so that rudof's ``source_shape`` names them and the shape's message is used, as SHACL says;
- the engines write values and paths differently (``"x"@fr`` or ``x``, ``(a | b)`` or a copied
  blank-node path): both are rendered as a literal's lexical form, a prefixed name or bare IRI,
  and ``a|b``; a value equal to the focus node is left out.
"""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDFS, SH, SKOS, TIME, XSD

from mpdkg import paths
from mpdkg.namespaces import BASE, MPD
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.dumps import union_graph
from mpdkg.sources.load import load_sources
from mpdkg.validate.shacl import _path_text, validate_built, validate_graph, validate_graph_rudof

SCHEMA_URL = URIRef("https://schema.org/url")


def ONT(name: str) -> URIRef:  # noqa: N802 - a class IRI, read like MPD.Treaty
    return URIRef(BASE + "ontology#" + name)


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


ASIA = iri("region/asia")  # an existing node of the wrong class, for every sh:class case
OUTSIDER = iri("region/europe")


def _replace(g: Graph, s, p, o) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))


# (focus, message start, file:line or None) of each planted violation; ``plant`` below makes them.
EXPECTED = {
    # CuratedFactShape
    ("region/africa", "Every fact must cite a source", "graph/countries.csv:6"),
    ("region/europe", "Every fact must cite a source", "graph/countries.csv:5"),
    # LabelledShape: minCount, uniqueLang, languageIn, minLength
    ("country/KEN", "Needs one English label", "graph/countries.csv:6"),
    ("country/JPN", "Needs one English label", "graph/countries.csv:7"),
    ("country/FRA", "Needs one English label", "graph/countries.csv:5"),
    ("country/MEX", "Needs one English label", "graph/countries.csv:3"),
    # SourceShape: url (nodeKind, pattern), title (datatype), publisher, accessedOn (min, datatype)
    ("source/t-iso", "A source needs exactly one page address", "graph/sources/test.csv:2"),
    ("source/t-forum", "A source needs exactly one page address", "graph/sources/test.csv:3"),
    ("source/t-agr", "A source needs a title", "graph/sources/test.csv:4"),
    ("source/ircc-dm-binder-2022-mpd", "A source needs a publisher", None),
    ("source/t-agr", "A source needs the date it was accessed", "graph/sources/test.csv:4"),
    ("source/t-forum", "A source needs the date it was accessed", "graph/sources/test.csv:3"),
    # NumberedShape (minInclusive, datatype); LineOfEffortShape (class)
    ("pillar/6", "Objectives, pillars and lines of effort need one positive number", None),
    ("objective/1", "Objectives, pillars and lines of effort need one positive number", None),
    ("line-of-effort/1.1", "A line of effort belongs to exactly one existing pillar", None),
    # CountryShape
    ("country/USA", "A country needs one ISO 3166-1 alpha-3 code", "graph/countries.csv:4"),
    ("country/USA", "A country needs one ISO 3166-1 alpha-2 code", "graph/countries.csv:4"),
    ("country/CAN", "The ISO 3166-1 numeric code has three digits", "graph/countries.csv:2"),
    ("country/CAN", "A Wikidata link must be an entity", "graph/countries.csv:2"),
    ("country/JPN", "A country lies in at most one UN M49 region", "graph/countries.csv:7"),
    ("country/FRA", "A country lies in at most one UN M49 sub-region", "graph/countries.csv:5"),
    # ForumShape (qualified min and max), CompleteMemberListShape (sh:or)
    ("forum/rcm", "A forum has exactly one kind", "graph/fora/test.csv:2"),
    ("forum/five", "A forum has exactly one kind", "graph/fora/test.csv:3"),
    ("forum/five", "A forum's pillars must be existing pillars", "graph/fora/test.csv:3"),
    ("forum/five", "A forum states whether its member list is complete", "graph/fora/test.csv:3"),
    ("forum/five", "A forum marked complete must cite its member list", "graph/fora/test.csv:3"),
    ("forum/rcm", "A forum marked complete must cite its member list", "graph/fora/test.csv:2"),
    ("forum/rcm", "A Wikidata link must be an entity", "graph/fora/test.csv:2"),
    # MemberCountShape
    ("forum/rcm/count/member", "A member count is one whole number", "graph/fora/test.csv:2"),
    ("forum/rcm/count/observer", "A member count names one role", "graph/fora/test.csv:2"),
    # MembershipShape
    ("membership/rcm/USA/member", "A membership has exactly one member", "graph/memberships/rcm.csv:4"),
    ("membership/rcm/CAN/member", "A membership is of exactly one forum", "graph/memberships/rcm.csv:2"),
    ("membership/rcm/MEX/member", "A membership has exactly one role", "graph/memberships/rcm.csv:3"),
    ("membership/rcm/KEN/observer", "A membership has exactly one role", "graph/memberships/rcm.csv:5"),
    (
        "membership/five/USA/member",
        "A membership cannot end before it starts",
        "graph/memberships/five.csv:3",
    ),
    ("membership/five/CAN/member", "A membership needs a start date", "graph/memberships/five.csv:2"),
    # MembershipStartShape, InstantShape (alternative path min and max, three datatypes)
    (
        "membership/rcm/CAN/member/during",
        "An interval needs a start or an end date",
        "graph/memberships/rcm.csv:2",
    ),
    ("membership/rcm/USA/member/during/begin", "A date is written once", "graph/memberships/rcm.csv:4"),
    ("membership/rcm/MEX/member/during/begin", "A date is written once", "graph/memberships/rcm.csv:3"),
    ("membership/rcm/CAN/member/during/begin", "A date is written once", "graph/memberships/rcm.csv:2"),
    ("engagement/chair-rcm-2006/during/begin", "A date is written once", "graph/engagements/test.csv:2"),
    ("engagement/chair-rcm-2006/during/end", "A date is written once", "graph/engagements/test.csv:2"),
    # IntervalOrderShape (the SPARQL rule)
    ("membership/five/USA/member/during", "The period", "graph/memberships/five.csv:3"),
    # AgreementShape
    ("agreement/stca", "An agreement has exactly one kind", "graph/agreements/test.csv:2"),
    ("agreement/sawp-mex", "An agreement has exactly one kind", "graph/agreements/test.csv:5"),
    ("agreement/iec-fra", "An agreement has at least two parties", "graph/agreements/test.csv:4"),
    ("agreement/sawp-mex", "An agreement has at least two parties", "graph/agreements/test.csv:5"),
    (
        "agreement/stca-protocol",
        "An agreement's pillars must be existing pillars",
        "graph/agreements/test.csv:3",
    ),
    ("agreement/stca", "An agreement cannot end before it began", "graph/agreements/test.csv:2"),
    ("agreement/stca-protocol", "The signature date is written once", "graph/agreements/test.csv:3"),
    ("agreement/sawp-mex", "The entry-into-force date is written once", "graph/agreements/test.csv:5"),
    ("agreement/stca-protocol", "A protocol amends an existing agreement", "graph/agreements/test.csv:3"),
    # EngagementShape
    ("engagement/chair-rcm-2006", "An engagement has exactly one kind", "graph/engagements/test.csv:2"),
    ("engagement/chair-rcm-2006", "An engagement has one actor", "graph/engagements/test.csv:2"),
    (
        "engagement/chair-rcm-2006",
        "An engagement goes through one forum or agreement",
        "graph/engagements/test.csv:2",
    ),
    ("engagement/chair-rcm-2006", "An engagement says when it took place", "graph/engagements/test.csv:2"),
    (
        "engagement/chair-rcm-2006",
        "An engagement cannot end before it starts",
        "graph/engagements/test.csv:2",
    ),
    ("engagement/chair-rcm-2006", "An engagement's partners are countries", "graph/engagements/test.csv:2"),
}


def plant(g: Graph) -> None:
    """One violation per property shape (and per constraint kind), on the mini graph."""
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    g.remove((iri("region/africa"), derived, None))
    _replace(g, OUTSIDER, derived, iri("forum/five"))
    g.remove((iri("country/KEN"), RDFS.label, None))
    g.add((iri("country/JPN"), RDFS.label, Literal("Nippon", lang="en")))
    _replace(g, iri("country/FRA"), RDFS.label, Literal("France", lang="fr"))
    _replace(g, iri("country/MEX"), RDFS.label, Literal("", lang="en"))
    _replace(g, iri("source/t-iso"), SCHEMA_URL, Literal("https://www.iso.org/"))
    _replace(g, iri("source/t-forum"), SCHEMA_URL, URIRef("ftp://example.org/forum"))
    _replace(g, iri("source/t-agr"), DCTERMS.title, Literal("An agreement"))
    g.remove((iri("source/ircc-dm-binder-2022-mpd"), DCTERMS.publisher, None))
    g.remove((iri("source/t-agr"), MPD.accessedOn, None))
    _replace(g, iri("source/t-forum"), MPD.accessedOn, Literal("29 November 2026"))
    _replace(g, iri("pillar/6"), MPD.number, Literal(0))
    _replace(g, iri("objective/1"), MPD.number, Literal("1"))
    _replace(g, iri("line-of-effort/1.1"), MPD.partOfPillar, ASIA)
    _replace(g, iri("country/USA"), MPD.iso3166Alpha3, Literal("usa"))
    g.remove((iri("country/USA"), MPD.iso3166Alpha2, None))
    _replace(g, iri("country/CAN"), MPD.iso3166Numeric, Literal("12"))
    _replace(g, iri("country/CAN"), SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q0"))
    g.add((iri("country/JPN"), MPD.inRegion, OUTSIDER))
    _replace(g, iri("country/FRA"), MPD.inSubregion, iri("pillar/1"))
    g.add((iri("forum/rcm"), RDF.type, ONT("Treaty")))  # two kinds
    g.remove((iri("forum/five"), RDF.type, ONT("MinisterialGroup")))  # no kind
    g.add((iri("forum/five"), MPD.servesPillar, ASIA))
    _replace(g, iri("forum/five"), MPD.membersComplete, Literal("no"))  # and so not `false`
    g.remove((iri("forum/rcm"), MPD.memberListSource, None))
    g.add((iri("forum/rcm"), SKOS.exactMatch, Literal("Q5")))
    _replace(g, iri("forum/rcm/count/member"), MPD.count, Literal(-1))
    g.remove((iri("forum/rcm/count/observer"), MPD.countedRole, None))
    _replace(g, iri("membership/rcm/USA/member"), ORG.member, ASIA)
    g.add((iri("membership/rcm/CAN/member"), ORG.organization, iri("forum/five")))
    g.remove((iri("membership/rcm/MEX/member"), ORG.role, None))
    _replace(g, iri("membership/rcm/KEN/observer"), ORG.role, iri("role/chair"))
    _replace(g, iri("membership/five/USA/member"), MPD.endYear, Literal(2009))
    g.remove((iri("membership/five/CAN/member"), MPD.attestedOn, None))
    g.remove((iri("membership/rcm/CAN/member/during"), TIME.hasBeginning, None))
    g.remove((iri("membership/rcm/USA/member/during/begin"), TIME.inXSDgYear, None))
    g.add(
        (
            iri("membership/rcm/MEX/member/during/begin"),
            TIME.inXSDDate,
            Literal("1996-01-01", datatype=XSD.date),
        )
    )
    begin = iri("membership/rcm/CAN/member/during/begin")
    g.remove((begin, TIME.inXSDgYear, None))
    g.add((begin, TIME.inXSDgYearMonth, Literal("1996-01")))
    _replace(g, iri("engagement/chair-rcm-2006/during/begin"), TIME.inXSDgYear, Literal("2006"))
    end = iri("engagement/chair-rcm-2006/during/end")
    g.remove((end, TIME.inXSDgYear, None))
    g.add((end, TIME.inXSDDate, Literal("2006-12-31")))
    _replace(
        g, iri("membership/five/USA/member/during/end"), TIME.inXSDgYear, Literal("2009", datatype=XSD.gYear)
    )
    g.add((iri("agreement/stca"), RDF.type, ONT("Protocol")))
    g.remove((iri("agreement/sawp-mex"), RDF.type, ONT("SeasonalWorkerArrangement")))
    g.remove((iri("agreement/iec-fra"), MPD.party, iri("country/FRA")))
    g.add((iri("agreement/sawp-mex"), MPD.party, ASIA))
    g.add((iri("agreement/stca-protocol"), MPD.servesPillar, ASIA))
    _replace(g, iri("agreement/stca"), MPD.endYear, Literal(2000))
    _replace(g, iri("agreement/stca-protocol"), MPD.signedOn, Literal("2022-03-29"))
    _replace(g, iri("agreement/sawp-mex"), MPD.inForceFrom, Literal(1974))
    _replace(g, iri("agreement/stca-protocol"), MPD.amends, iri("forum/rcm"))
    engagement = iri("engagement/chair-rcm-2006")
    _replace(g, engagement, MPD.engagementKind, iri("engagement-kind/dancer"))
    _replace(g, engagement, MPD.actor, ASIA)
    _replace(g, engagement, MPD.through, ASIA)
    g.remove((engagement, MPD.during, None))
    _replace(g, engagement, MPD.endYear, Literal(2000))
    g.add((engagement, MPD.partner, ASIA))


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    from tests.helpers import write_mini_graph

    built = build_dataset(load_sources(write_mini_graph(tmp_path_factory.mktemp("planted"))))
    graph = union_graph(built.dataset)
    plant(graph)
    return (
        graph,
        built,
        {
            "pyshacl": validate_graph(graph, origin_of=built.origin_of),
            "rudof": validate_graph_rudof(graph, origin_of=built.origin_of),
        },
    )


def test_engines_give_the_same_findings_on_planted_violations(planted):
    _graph, _built, reports = planted
    assert reports["rudof"].findings == reports["pyshacl"].findings
    assert len(reports["rudof"].violations) >= len(EXPECTED)


def test_every_planted_violation_is_found_where_it_was_planted(planted):
    _graph, _built, reports = planted
    found = {(f.focus, f.message, str(f.origin) if f.origin else None) for f in reports["rudof"].findings}
    for focus, message, where in EXPECTED:
        hits = [f for f in found if f[0] == BASE + focus and f[1].startswith(message)]
        assert hits, f"{focus}: {message!r} not reported"
        if where is not None:  # None: a foundation file, not the mini graph's
            assert {h[2] for h in hits} == {where}, f"{focus}: {message!r} located at {hits}"
    # and nothing else: every finding is one of the planted cases
    for focus, message, _where in found:
        assert any(BASE + f == focus and message.startswith(m) for f, m, _ in EXPECTED), (focus, message)


def _constraint_keys(shapes: Graph) -> set[tuple[str, str]]:
    """(message template, path) of every property shape and of every node shape with a
    constraint of its own (sh:or, sh:sparql): what one planted violation must reach."""
    keys = set()
    for shape in set(shapes.subjects(SH.message, None)):
        message = str(shapes.value(shape, SH.message))
        path = shapes.value(shape, SH.path)
        keys.add((message, _path_text(shapes, shapes, path) if path is not None else ""))
    for sparql in shapes.objects(None, SH.sparql):
        keys.add((str(shapes.value(sparql, SH.message)), ""))
    return keys


def curated_shapes() -> Graph:
    """The shapes of the curated graph. ``shapes/opendata.ttl`` targets classes the curated graph
    does not use; ``tests/test_opendata_rdf.py`` checks it on the open-data graph."""
    return Graph().parse(paths.shapes_dir() / "mpdkg.shapes.ttl")


def test_every_shape_has_a_planted_violation(planted):
    _graph, _built, reports = planted
    shapes = curated_shapes()
    reached = {(f.message, f.path) for f in reports["rudof"].findings}
    for template, path in _constraint_keys(shapes):
        # a SPARQL constraint's message has {?var} placeholders
        pattern = re.compile(".*".join(re.escape(part) for part in re.split(r"\{\?\w+\}", template)))
        assert any(pattern.fullmatch(m) and p == path for m, p in reached), (
            f"no planted violation of {template!r} [{path}]"
        )


#: Constraint parameters that are checked inside another one and never reported on their own.
NESTED = {SH.hasValue}


def test_every_constraint_kind_is_planted(planted):
    """Each constraint component the shapes use (sh:minCount, sh:pattern, sh:qualifiedMinCount ...)
    is among the components rudof reports on the planted graph."""
    import pyrudof

    graph, _built, _reports = planted
    shapes = curated_shapes()
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(graph.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes.serialize(format="turtle"))
    reported = {e.constraint_component.rsplit("#", 1)[-1] for e in rudof.validate_shacl().violations}
    used = {
        p
        for p in set(shapes.predicates())
        if str(p).startswith(str(SH))
        and p
        not in {SH.path, SH.message, SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.property}
        | {SH.declare, SH.prefix, SH.namespace, SH.prefixes, SH.select, SH.alternativePath}
        | {SH.qualifiedValueShape}
        | NESTED
    }
    component = {
        SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
        SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
        SH.sparql: "SPARQLConstraintComponent",
    }
    for parameter in used:
        name = str(parameter).rsplit("#", 1)[-1]
        expected = component.get(parameter, name[0].upper() + name[1:] + "ConstraintComponent")
        assert expected in reported, f"no planted violation of {name}"


@pytest.mark.slow  # pySHACL on the whole curated graph: about 5 s
def test_curated_graph_same_findings(real_build):
    built = real_build.built
    fast = validate_built(built, engine="rudof")
    assert fast.findings == validate_built(built, engine="pyshacl").findings
    assert fast.conforms
    with pytest.raises(ValueError, match="rudof, pyshacl"):
        validate_built(built, engine="jena")
