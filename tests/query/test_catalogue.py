"""Every catalogue query has a test of its answer; every query gives the same rows on Oxigraph
and on plain rdflib."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mpdkg.query.catalogue import catalogue, get_query
from mpdkg.query.engines import OxigraphEngine, RdflibEngine, run_query
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.engine import store_from_dataset
from mpdkg.sources.load import load_sources

CAN = "https://w3id.org/mpdkg/country/"
FORUM = "https://w3id.org/mpdkg/forum/"
AGR = "https://w3id.org/mpdkg/agreement/"


@pytest.fixture(scope="session")
def real(real_dataset):
    return OxigraphEngine(store_from_dataset(real_dataset))


@pytest.fixture
def mini(mini_graph):
    return OxigraphEngine(store_from_dataset(build_dataset(load_sources(mini_graph)).dataset))


def rows(engine, name, **params):
    return run_query(engine, get_query(name), {k: str(v) for k, v in params.items()}).dicts()


def col(result_rows, key):
    return [str(r[key]) if r[key] is not None else None for r in result_rows]


def test_catalogue_is_large_and_documented():
    queries = catalogue()
    assert len(queries) >= 25
    for q in queries:
        assert q.title and q.question and q.pillar, q.name


def test_forum_members(real):
    got = rows(real, "forum-members", forum="rcm")
    members = {str(r["member"]).rsplit("/", 1)[1] for r in got if str(r["role"]) == "member"}
    assert len(members) == 11
    assert {"CAN", "MEX", "USA", "GTM", "HND", "SLV"} <= members


def test_shared_with_country(real):
    got = rows(real, "shared-with-country", country="MEX")
    channels = {str(r["channel"]) for r in got}
    assert {FORUM + "rcm", AGR + "sawp-mex", AGR + "iec-mex"} <= channels
    assert any(c.startswith(AGR + "cusma") for c in channels)


def test_countries_by_shared_fora(real):
    got = rows(real, "countries-by-shared-fora")
    top = {str(r["country"]).rsplit("/", 1)[1] for r in got[:5]}
    assert "USA" in top
    counts = [int(r["sharedFora"]) for r in got]
    assert counts == sorted(counts, reverse=True)
    assert CAN + "CAN" not in {str(r["country"]) for r in got}


def test_agreements_by_kind_and_pillar(real):
    got = rows(real, "agreements-by-kind-and-pillar")
    table = {(str(r["kind"]), str(r["pillar"])): int(r["agreements"]) for r in got}
    assert table[("youth-mobility-arrangement", "2")] >= 35
    assert table[("safe-third-country-agreement", "5")] == 1
    assert table[("seasonal-worker-arrangement", "2")] == 12


def test_canada_timeline(real, real_records):
    got = rows(real, "canada-timeline")
    years = [int(r["year"]) for r in got]
    assert years == sorted(years)
    events = {(int(r["year"]), str(r["what"])) for r in got}
    assert (1969, FORUM + "refugee-convention-1951") in events
    assert (2004, AGR + "stca") in events
    visas = {
        (int(r["year"]), str(r["what"]).rsplit("/", 1)[1], str(r["detail"]))
        for r in got
        if str(r["event"]) == "visa policy"
    }
    assert (2009, "mex-visa-2009", "visa-required") in visas and (2016, "chl-eta-2016", "eta") in visas
    assert len(visas) == len([v for v in real_records.visa_policies.values() if v.destination == "CAN"])


def test_labour_mobility_without_youth_mobility(real):
    got = {str(r["country"]).rsplit("/", 1)[1] for r in rows(real, "labour-mobility-without-youth-mobility")}
    assert "JAM" in got  # SAWP partner without an IEC arrangement
    assert "MEX" not in got  # has an IEC arrangement
    assert "KOR" not in got


def test_region_without_relationship(mini):
    # JPN shares nothing with Canada; KEN observes the RCM (a shared forum); FRA has an agreement
    got = rows(mini, "region-without-relationship", region="Asia")
    assert col(got, "country") == [CAN + "JPN"]
    got = rows(mini, "region-without-relationship", region="Eastern Asia")
    assert col(got, "country") == [CAN + "JPN"]
    assert rows(mini, "region-without-relationship", region="Africa") == []
    assert rows(mini, "region-without-relationship", region="Europe") == []
    got = rows(mini, "region-without-relationship", region="Americas")
    assert got == []


def test_partners_per_pillar(mini):
    got = rows(mini, "partners-per-pillar")
    table = {int(r["pillar"]): int(r["partners"]) for r in got}
    # pillar 1: rcm (MEX, USA, KEN) and five (USA); pillar 2: iec-fra, sawp-mex; pillar 5: rcm + stca
    assert table == {1: 3, 2: 2, 3: 0, 4: 0, 5: 3, 6: 0}
    assert [int(r["partners"]) for r in got] == sorted(table.values())


def test_sources_of_entity(real):
    got = rows(real, "sources-of-entity", entity="forum/rcm")
    assert got
    assert all(str(r["url"]).startswith("http") and r["accessed"] is not None for r in got)
    assert any(str(r["fact"]) == FORUM + "rcm" for r in got)
    assert any("/membership/rcm/" in str(r["fact"]) for r in got)


def test_sources_of_a_country_include_the_visa_policies_on_its_nationals(real, real_records):
    got = rows(real, "sources-of-entity", entity="country/MEX")
    sources: dict[str, set[str]] = {}
    for r in got:
        if str(r["factType"]).endswith("#VisaPolicy"):
            sources.setdefault(str(r["fact"]).rsplit("/", 1)[1], set()).add(
                str(r["source"]).rsplit("/", 1)[1]
            )
    expected = {v.id for v in real_records.visa_policies.values() if "MEX" in (v.nationality, v.destination)}
    assert expected and set(sources) == expected
    assert sources["mex-visa-2009"] == set(real_records.visa_policies["mex-visa-2009"].sources)


def test_changes_between_years(mini):
    got = rows(mini, "changes-between-years", **{"from": 2003, "to": 2022})
    changes = {(int(r["year"]), str(r["change"]), str(r["subject"]).rsplit("/", 1)[1]) for r in got}
    assert changes == {(2004, "agreement began", "stca"), (2010, "joined", "USA"), (2022, "left", "USA")}


def test_policy_framework(real):
    got = rows(real, "policy-framework")
    assert len(got) == 14
    assert str(got[0]["line"]) == "1.1"
    assert str(got[-1]["lineLabel"]).startswith("Providing information")


def test_fora_by_kind(real):
    got = {str(r["kind"]): int(r["fora"]) for r in rows(real, "fora-by-kind")}
    assert got["treaty"] >= 2
    assert got["regional-consultative-process"] >= 2
    assert sum(got.values()) >= 30


def test_compact_vote_summary(real):
    got = {str(r["vote"]): int(r["states"]) for r in rows(real, "compact-vote-summary")}
    assert got == {"voted-yes": 152, "voted-no": 5, "abstained": 12, "non-voting": 24}
    gcr = {str(r["vote"]): int(r["states"]) for r in rows(real, "compact-vote-summary", compact="gcr")}
    assert gcr["voted-yes"] == 181 and gcr["voted-no"] == 2


def test_compact_vote_differences(real):
    got = rows(real, "compact-vote-differences")
    assert all(str(r["gcmVote"]) != str(r["gcrVote"]) for r in got)
    states = {str(r["state"]).rsplit("/", 1)[1]: (str(r["gcmVote"]), str(r["gcrVote"])) for r in got}
    assert states["AUS"] == ("abstained", "voted-yes")
    assert "USA" not in states  # voted against both


def test_gcm_alignment_gaps(real):
    got = {str(r["state"]).rsplit("/", 1)[1]: str(r["vote"]) for r in rows(real, "gcm-alignment-gaps")}
    assert got["USA"] == "voted-no"
    assert got["AUS"] == "abstained"


def test_refugee_treaty_non_parties(real):
    got = {str(r["country"]).rsplit("/", 1)[1] for r in rows(real, "refugee-treaty-non-parties")}
    assert {"IND", "LBN", "JOR"} <= got
    assert "CAN" not in got and "USA" not in got  # the US is party to the 1967 Protocol


def test_engagements_by_kind(real):
    got = {(str(r["kind"]), str(r["pillar"])) for r in rows(real, "engagements-by-kind")}
    assert any(kind == "chair" for kind, _ in got)


def test_canada_leadership_roles(real):
    got = {
        (str(r["kind"]), str(r["channel"]), int(r["start"])) for r in rows(real, "canada-leadership-roles")
    }
    assert ("chair", FORUM + "igc", 2019) in got
    assert ("chair", FORUM + "igc", 2004) in got


def test_youth_mobility_partners(real):
    got = {str(r["partner"]).rsplit("/", 1)[1] for r in rows(real, "youth-mobility-partners")}
    assert {"AUS", "FRA", "JPN", "GBR", "KOR", "TWN", "HKG"} <= got
    assert len(got) >= 35


def test_labour_mobility_partners(real):
    got = {str(r["partner"]).rsplit("/", 1)[1]: r["since"] for r in rows(real, "labour-mobility-partners")}
    assert int(got["JAM"]) == 1966
    assert int(got["MEX"]) == 1974 or "MEX" in got


def test_trade_agreements_with_mobility(real):
    got = {str(r["agreement"]): int(r["parties"]) for r in rows(real, "trade-agreements-with-mobility")}
    assert got[AGR + "cusma"] == 3
    assert got[AGR + "ceta"] >= 2


def test_member_list_completeness(real):
    got = rows(real, "member-list-completeness")
    complete = [r for r in got if str(r["complete"]) == "true" and r["stated"] is not None]
    assert complete
    for r in complete:
        assert int(r["stated"]) == int(r["inGraph"]), r


def test_forum_overlap(real):
    got = {str(r["country"]).rsplit("/", 1)[1] for r in rows(real, "forum-overlap", forum="rcm", other="oas")}
    assert {"CAN", "USA", "MEX"} <= got


def test_country_profile(real):
    got = rows(real, "country-profile", country="MEX")
    kinds = {(str(r["what"]), str(r["item"])) for r in got}
    assert ("region", "https://w3id.org/mpdkg/region/americas") in kinds
    assert ("forum", FORUM + "rcm") in kinds
    assert ("agreement with Canada", AGR + "iec-mex") in kinds
    visas = {
        (str(r["item"]).rsplit("/", 1)[1], str(r["detail"]), int(r["since"]))
        for r in got
        if str(r["what"]) == "Canada's visa policy"
    }
    assert ("mex-visa-2009", "visa-required", 2009) in visas and ("mex-eta-2016", "eta", 2016) in visas
    assert len(visas) == 4  # 2009 visa, 2016 eTA, and the 2024 split between visa and eTA
    years = [int(r["since"]) for r in got if str(r["what"]) == "Canada's visa policy"]
    assert years == sorted(years)  # oldest first, not by label


def test_region_coverage(real):
    got = {
        str(r["regionLabel"]): (int(r["countries"]), int(r["linkedToCanada"]))
        for r in rows(real, "region-coverage")
    }
    assert set(got) == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    assert all(linked <= total for total, linked in got.values())


def test_sources_by_age(real):
    got = rows(real, "sources-by-age")
    dates = [str(r["accessed"]) for r in got]
    assert dates == sorted(dates)
    assert any(str(r["source"]).endswith("/ircc-dm-binder-2022-mpd") and int(r["facts"]) >= 24 for r in got)


def test_agreements_in_force(real):
    got = {str(r["agreement"]).rsplit("/", 1)[1] for r in rows(real, "agreements-in-force", year=2010)}
    assert {"nafta", "stca"} <= got
    assert "cusma" not in got and "stca-additional-protocol" not in got


def test_forum_members_in_year(real):
    y2019 = {
        str(r["member"]).rsplit("/", 1)[1] for r in rows(real, "forum-members-in-year", forum="eu", year=2019)
    }
    y2021 = {
        str(r["member"]).rsplit("/", 1)[1] for r in rows(real, "forum-members-in-year", forum="eu", year=2021)
    }
    assert len(y2019) == 28 and "GBR" in y2019
    assert len(y2021) == 27 and "GBR" not in y2021


def test_forum_members_in_year_counts_memberships_known_only_from_a_dated_source(real):
    """Most Bali Process rows have no start, only the date a source shows them on: the forum had
    no members in any year before they were counted from that date (as the influence analysis does).
    Bangladesh took part in the 2002 conference; Australia, a co-chair since then, has a start."""

    def members(year: int) -> dict[tuple[str, str], dict]:
        got = rows(real, "forum-members-in-year", forum="bali-process", year=year)
        return {(str(r["member"]).rsplit("/", 1)[1], str(r["role"])): r for r in got}

    y2002, y2013 = members(2002), members(2013)
    assert int(y2002[("BGD", "participant")]["attestedYear"]) == 2002
    assert y2002[("BGD", "participant")].get("startYear") is None
    assert int(y2002[("AUS", "participant")]["startYear"]) == 2002
    assert ("USA", "member") in y2013 and ("USA", "member") not in y2002
    assert not members(2001)


def test_channels_per_pillar(real):
    got = rows(real, "channels-per-pillar")
    assert [int(r["pillar"]) for r in got] == [1, 2, 3, 4, 5, 6]
    assert all(int(r["fora"]) >= 1 and int(r["agreements"]) >= 0 for r in got)


def test_weak_sources(real, real_records):
    # the same facts as mpdkg.sources.source_quality counts on the records (tests/test_sources_kinds.py
    # checks the kinds on a planted graph; here the real graph's figures)
    from mpdkg.sources import source_quality

    quality = source_quality(real_records)
    got = rows(real, "weak-sources")
    single = [r for r in got if int(r["sources"]) == 1]
    secondary = [r for r in got if int(r["secondaryCopies"]) == int(r["sources"])]
    assert len(single) == quality.single_source > 0
    assert len(secondary) == quality.secondary_only > 0
    assert {str(r["weakness"]) for r in secondary} <= {"single secondary copy", "secondary copies only"}
    assert all(str(r["weakness"]) == "single source" for r in got if r not in secondary)
    assert len(got) == len({str(r["fact"]) for r in got})  # one row per fact
    assert not any("/region/" in str(r["fact"]) for r in got)


def test_every_catalogue_query_has_a_test():
    # the open-data queries are tested on curated + open data in test_opendata_rdf.py
    tests = Path(__file__).resolve().parents[1]

    def text(name: str) -> str:
        return next(tests.rglob(name)).read_text(encoding="utf-8")

    source = text("test_catalogue.py") + text("test_opendata_rdf.py")
    exercised = set(re.findall(r'rows\((?:real|mini|opendata), "([a-z0-9-]+)"', source))
    # the UN-vote, COW and DESTA queries are run on their own graphs, against the extracts
    for name in ("test_opendata_unvotes.py", "test_opendata_cow.py", "test_opendata_trade.py"):
        exercised |= set(re.findall(r'get_query\("([a-z0-9-]+)"\)', text(name)))
    assert {q.name for q in catalogue()} <= exercised


@pytest.mark.slow
@pytest.mark.parametrize("name", [q.name for q in catalogue()])
def test_same_rows_on_oxigraph_and_rdflib(name, real_dataset, real):
    reference = RdflibEngine(real_dataset)
    query = get_query(name)
    assert run_query(real, query).normalised_rows() == run_query(reference, query).normalised_rows()
