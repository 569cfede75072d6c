"""A large graph's memberships are validated a slice at a time (mpdkg.validate.chunks): the
findings must be exactly those of one run over everything, for violations inside the slices."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from mpdkg.namespaces import BASE, GRAPHS, MPD, ORG, PROV, TIME, source_iri
from mpdkg.rdf.build import build_dataset
from mpdkg.validate.chunks import membership_slices
from mpdkg.validate.shacl import Report, _validate_rudof, validate_graph_rudof


def _planted(n: int) -> list[tuple]:
    """``n`` memberships of one test forum, each broken in one of eight ways, and a country that is
    not a membership's (no label, no source: found in the slice of everything else)."""
    forum, source = URIRef(BASE + "forum/rcm"), source_iri("agp-rstp-psrlist-2018")
    out = [(URIRef(BASE + "country/ZZT"), RDF.type, MPD.Country)]
    for i in range(n):
        m = URIRef(f"{BASE}membership/zz-test/Z{i:02d}/member")
        during = URIRef(f"{m}/during")
        out += [
            (m, RDF.type, MPD.Membership), (m, ORG.organization, forum), (m, PROV.wasDerivedFrom, source),
            (m, ORG.member, URIRef(BASE + "country/CAN")), (m, ORG.role, URIRef(BASE + "role/member")),
            (m, ORG.memberDuring, during), (during, RDF.type, TIME.Interval),
        ]  # fmt: skip
        kind = i % 8
        if kind == 5:  # a member that is no actor (a source), read from the types of the context
            out.append((m, ORG.member, source))
        elif kind == 6:  # a source that is not in the registry (no type at all)
            out.append((m, PROV.wasDerivedFrom, URIRef(BASE + "source/zz-unregistered")))
        elif kind == 7:  # a forum that is a country
            out.append((m, ORG.organization, URIRef(BASE + "country/MEX")))
        elif kind == 0:  # a second member
            out.append((m, ORG.member, URIRef(BASE + "country/FRA")))
        elif kind == 1:  # a role outside the closed list
            out.append((m, ORG.role, URIRef(BASE + "role/overlord")))
        elif kind == 2:  # a period with neither start nor end
            pass
        elif kind in (3, 4):  # a period that ends before it starts (3), or a date of the wrong type (4)
            for name, link, value in (("begin", TIME.hasBeginning, "2020"), ("end", TIME.hasEnd, "2010")):
                instant = URIRef(f"{during}/{name}")
                out += [(during, link, instant), (instant, RDF.type, TIME.Instant)]
                datatype = XSD.gYear if kind == 3 else XSD.date
                out.append((instant, TIME.inXSDgYear, Literal(value, datatype=datatype)))
    return out


def test_slices_find_what_one_run_finds(real_records):
    built = build_dataset(real_records)
    built.add_graph(GRAPHS.curated, _planted(40))
    triples = list(dict.fromkeys(q.triple for q in built.quads()))
    slices = membership_slices(triples, 3_000)
    assert len(slices.parts) > 5
    # a membership's period and dates travel with it, in one slice (else every slice holds them)
    period = next(t for t in triples if t.subject.value.endswith("/zz-test/Z03/member/during/begin"))
    assert sum(period in set(c) for c in [slices.shared, *slices.parts]) == 1
    # a membership slice holds memberships and their context, not the rest of the graph
    assert max(len(p) for p in slices.parts) < len(slices.shared) / 2
    whole = Report(validate_graph_rudof(built.ntriples(), None, built.origin_of).findings)  # one run
    planted = [f for f in whole.findings if "/zz-test/" in f.focus]
    assert len({f.focus for f in planted}) >= 35, [f.message for f in planted]
    assert {f.message for f in planted} >= {
        "A membership has exactly one member, a country or a forum (column 'member').",
        "A membership has exactly one role from the closed list (column 'role').",
        "An interval needs a start or an end date.",
        "Every fact must cite a source that is in the sources registry (column 'source').",
        "A membership is of exactly one forum (the memberships file's name).",
    }
    assert any(f.focus.endswith("/country/ZZT") for f in whole.findings)
    assert any("ends (2010) before it starts (2020)" in f.message for f in whole.findings)
    assert _validate_rudof(built, None, chunk=3_000).findings == whole.findings
    assert _validate_rudof(built, None).findings == whole.findings  # cached slices (mpdkg.validate.cache)
