"""COW IGO memberships (mpdkg.rdf.opendata_cow): yearly cells merged into periods, checked against
the vendored extract; the reviewed forum mapping; the curated-vs-COW differences; the shapes."""

from __future__ import annotations

import pyoxigraph as ox

from mpdkg.rdf import opendata as od
from mpdkg.rdf import opendata_cow as cow
from mpdkg.sources import opendata as src


def _canada_years(igo: str) -> list[int]:
    return sorted(
        r["year"]
        for r in src.read_rows("cow-igo", "memberships.csv.gz")
        if r["ccode"] == 20 and r["ioname"] == igo and r["status"] == 1
    )


def test_canada_un_is_one_period_from_1945_to_2014():
    periods = [p for p in cow.cow_memberships("CAN") if p.igo == "UN"]
    years = _canada_years("UN")
    assert [(p.role, p.start, p.end, p.forum) for p in periods] == [("member", years[0], years[-1], "un")]
    assert (years[0], years[-1]) == (1945, 2014)


def test_periods_cover_exactly_the_recorded_years():
    for p in cow.cow_memberships("CAN"):
        if p.role == "member" and p.start >= 1965:
            years = [y for y in _canada_years(p.igo) if p.start <= y <= p.end]
            assert years == list(range(p.start, p.end + 1)), p
            break


def test_mapping_is_to_curated_fora_and_differences_are_listed():
    mapping = cow.forum_mapping()
    assert mapping["UN"] == "un" and mapping["IOMig"] == "iom"
    diffs = cow.cow_curated_differences()
    assert {"start-year", "only-curated"} <= {d.kind for d in diffs}
    canada = [(d.forum, d.kind, d.curated, d.cow) for d in diffs if d.member == "CAN"]
    assert ("iom", "start-year", "1951", "1990") in canada


def test_cow_quads_conform_and_link_by_same_as():
    quads = cow.cow_quads()
    same = {(q.subject.value, q.object.value) for q in quads if q.predicate.value.endswith("#sameAs")}
    assert (cow.IGO + "UN", "https://w3id.org/mpdkg/forum/un") in same
    sample = [q for q in quads if "/membership/" not in q.subject.value or "/CAN/" in q.subject.value]
    assert od.validate_quads(sample) == []
    member = ox.NamedNode(cow.OPEN + "cow-igo/membership/UN/CAN/member/1945")
    assert {q.predicate.value.rsplit("#", 1)[1]: q.object for q in quads if q.subject == member}[
        "endYear"
    ] == ox.Literal("2014", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def test_catalogue_canada_igo_memberships_20th_century():
    from mpdkg.query.catalogue import get_query
    from mpdkg.query.engines import OxigraphEngine, run_query

    store = ox.Store()
    store.bulk_extend(cow.cow_quads())
    got = run_query(
        OxigraphEngine(store), get_query("canada-igo-memberships-20th-century"), {"country": "CAN"}
    ).dicts()
    expected = sorted(
        (p.start, p.igo, p.role) for p in cow.cow_memberships("CAN") if p.start <= 2000 and p.end >= 1900
    )
    assert [(int(str(r["start"])), str(r["code"]), str(r["role"]).rsplit("/", 1)[1]) for r in got] == expected
    un = next(r for r in got if str(r["code"]) == "UN")
    assert str(un["forum"]) == "https://w3id.org/mpdkg/forum/un" and int(str(un["start"])) == 1945


def test_stats_list_the_open_data_and_the_differences():
    from mpdkg.publish.stats import open_data_stats

    s = open_data_stats()
    assert set(s["datasets"]) == {d.name for d in src.datasets()}
    assert s["datasets"]["unvotes"]["rows"] == sum(f.rows for f in src.dataset("unvotes").files)
    assert s["compact_vote_differences"] == []
    votes = s["coverage"]["unvotes"]
    absences = sum(1 for _ in src.read_rows("unvotes", "absences_sessions_1_70.csv"))
    assert (
        sum(votes["per_year"].values()) == sum(1 for _ in src.read_rows("unvotes", "votes.csv.gz")) + absences
    )
    canada_2018 = sum(1 for r in src.read_rows("unvotes", "votes.csv.gz") if r["country_code"] == "CA")
    assert votes["per_country"]["CAN"] == canada_2018 + sum(
        1 for r in src.read_rows("unvotes", "absences_sessions_1_70.csv") if r["ccode"] == 20
    )
    assert s["coverage"]["cow-igo"]["per_year"][1816] > 0
    assert {
        "forum": "iom",
        "igo": "IOMig",
        "member": "CAN",
        "kind": "start-year",
        "curated": "1951",
        "cow": "1990",
    } in s["cow_differences"]


def test_every_membership_and_igo_derives_from_the_cow_release():
    quads = cow.cow_quads()
    release = od.release_iri(src.dataset("cow-igo"))
    typed = {
        q.subject
        for q in quads
        if q.predicate == od.TYPE and q.object in {od.mpd("CowMembership"), od.mpd("CowIgo")}
    }
    derived = {q.subject for q in quads if q.predicate == od.DERIVED and q.object == release}
    assert len(typed) > 10_000 and typed <= derived
