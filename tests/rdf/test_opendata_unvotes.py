"""UN General Assembly votes as RDF (mpdkg.rdf.opendata_unvotes): every roll call and vote of the
vendored extract, the link to the curated compact votes (which must agree), and the yearly
agreement functions, each checked against the extract read directly."""

from __future__ import annotations

import shutil
from collections import Counter

import pyoxigraph as ox
import pytest

from mpdkg import paths
from mpdkg.rdf import opendata as od
from mpdkg.rdf import opendata_unvotes as uv
from mpdkg.sources import opendata as src

C = "https://w3id.org/mpdkg/country/"
MPD = "https://w3id.org/mpdkg/ontology#"


@pytest.fixture(scope="module")
def quads():
    return uv.unvotes_quads()


@pytest.fixture(scope="module")
def extract_votes():
    return list(src.read_rows("unvotes", "votes.csv.gz"))


def test_every_roll_call_and_vote_is_a_triple(quads, extract_votes):
    rolls = {q.subject.value for q in quads if q.object == ox.NamedNode(MPD + "RollCall")}
    assert len(rolls) == sum(1 for _ in src.read_rows("unvotes", "roll_calls.csv"))
    counted = Counter(q.predicate.value.rsplit("#", 1)[1] for q in quads if q.predicate in od._VOTES)
    upstream = Counter(uv.VOTE_PROPERTIES[r["vote"]] for r in extract_votes)
    absences = sum(1 for _ in src.read_rows("unvotes", "absences_sessions_1_70.csv"))
    assert {k: counted[k] for k in upstream} == dict(upstream)
    assert counted["absence"] == absences


def test_canada_on_the_migration_compact(quads):
    gcm = ox.NamedNode(uv.ROLL_CALL + "6140")
    canada = ox.NamedNode(C + "CAN")
    assert ox.Quad(gcm, ox.NamedNode(MPD + "yesVote"), canada, ox.NamedNode(uv.GRAPH_UNVOTES)) in set(quads)
    usa = [q.predicate.value for q in quads if q.subject == gcm and q.object == ox.NamedNode(C + "USA")]
    assert usa == [MPD + "noVote"]
    assert ox.NamedNode("https://w3id.org/mpdkg/forum/gcm") in {
        q.object for q in quads if q.subject == gcm and q.predicate == ox.NamedNode(MPD + "votesOn")
    }


def test_curated_compact_votes_agree():
    assert uv.compact_vote_differences() == []


def test_a_planted_difference_is_reported(tmp_path):
    graph = tmp_path / "graph"
    (graph / "memberships").mkdir(parents=True)
    shutil.copy(paths.graph_dir() / "countries.csv", graph / "countries.csv")
    shutil.copy(paths.graph_dir() / "memberships" / "gcr.csv", graph / "memberships" / "gcr.csv")
    text = (paths.graph_dir() / "memberships" / "gcm.csv").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("CAN,"))
    assert line.startswith("CAN,voted-yes,")
    (graph / "memberships" / "gcm.csv").write_text(
        text.replace(line, line.replace("voted-yes", "abstained", 1)), encoding="utf-8"
    )
    diffs = uv.compact_vote_differences(graph)
    assert [(d.forum, d.member, d.curated_role, d.upstream_vote) for d in diffs] == [
        ("gcm", "CAN", "abstained", "yes")
    ]
    with pytest.raises(src.OpenDataError, match=r"gcm\.csv:\d+: CAN curated as abstained on gcm"):
        uv.unvotes_quads(graph_dir=graph)


def test_agreement_with_canada_matches_the_extract(extract_votes):
    years = {r["rcid"]: r["date"].year for r in src.read_rows("unvotes", "roll_calls.csv")}
    by_rc: dict[int, dict[str, str]] = {}
    for r in extract_votes:
        by_rc.setdefault(r["rcid"], {})[r["country_code"]] = r["vote"]
    both = [v for rc, v in by_rc.items() if years[rc] == 2019 and "CA" in v and "US" in v]
    same = sum(v["CA"] == v["US"] for v in both)
    year = next(y for y in uv.un_vote_agreement("USA") if y.year == 2019)
    assert (year.roll_calls, year.same) == (len(both), same)
    assert year.agreement == pytest.approx(same / len(both))


def test_topic_and_issue_filters_select_fewer_roll_calls():
    overall = {y.year: y.roll_calls for y in uv.un_vote_agreement("GBR")}
    refugees = {y.year: y.roll_calls for y in uv.un_vote_agreement("GBR", topic="refugees")}
    human_rights = {y.year: y.roll_calls for y in uv.un_vote_agreement("GBR", issue="hr")}
    assert refugees and human_rights
    assert all(n <= overall[y] for y, n in refugees.items())
    assert sum(refugees.values()) < sum(human_rights.values()) < sum(overall.values())


def test_serbia_continues_yugoslavia_from_2006():
    gcm = uv.votes_on(6140)
    assert gcm["SRB"] == "yes" and "YUG" not in gcm
    assert uv.votes_on(3).get("YUG") in {"yes", "no", "abstain", "absent"}


def test_catalogue_un_vote_agreement_with_canada(quads):
    from mpdkg.query.catalogue import get_query
    from mpdkg.query.engines import OxigraphEngine, run_query

    store = ox.Store()
    store.bulk_extend(quads)
    got = run_query(
        OxigraphEngine(store), get_query("un-vote-agreement-with-canada"), {"country": "USA"}
    ).dicts()
    by_year = {int(str(r["year"])): r for r in got}
    for year in (1950, 1990, 2019):
        expected = next(y for y in uv.un_vote_agreement("USA") if y.year == year)
        row = by_year[year]
        assert (int(str(row["rollCalls"])), int(str(row["sameVotes"]))) == (
            expected.roll_calls,
            expected.same,
        )
    refugees = next(y for y in uv.un_vote_agreement("USA", topic="refugees") if y.year == 2019)
    assert (int(str(by_year[2019]["refugeeRollCalls"])), int(str(by_year[2019]["refugeeSame"]))) == (
        refugees.roll_calls,
        refugees.same,
    )
    hr = next(y for y in uv.un_vote_agreement("USA", issue="hr") if y.year == 2019)
    assert int(str(by_year[2019]["humanRightsSame"])) == hr.same


def _agreement_one_vote_at_a_time(data: uv.UnVotes, b: str, issue=None, topic=None) -> dict:
    """The definition, vote by vote: the array version must give exactly this."""
    value = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
    tally: dict = {}
    for rcid, call in data.roll_calls.items():
        votes = data.votes.get(rcid, {})
        theirs = votes.get(b)
        if theirs not in value or not uv._selected(call, issue, topic):
            continue
        for state, vote in votes.items():
            if state != b and vote in value:
                cell = tally.setdefault(state, {}).setdefault(call.date.year, [0, 0, 0.0])
                cell[0] += 1
                cell[1] += vote == theirs
                cell[2] += 1.0 - abs(value[vote] - value[theirs])
    return {
        state: [uv.YearAgreement(y, n, s, s / n, sc / n) for y, (n, s, sc) in sorted(years.items())]
        for state, years in sorted(tally.items())
    }


def test_vote_agreement_arrays_give_exactly_the_vote_by_vote_sums(monkeypatch):
    import datetime as dt

    def call(rcid, year, topics=()):
        return uv.RollCall(rcid, 1, dt.date(year, 1, 1), None, "", "", None, None, None, ("hr",), topics)

    # rcid order is not date order; AAA is absent once, CCC only abstains, DDD never meets CAN
    calls = {
        1: call(1, 2001),
        2: call(2, 1999, ("refugees",)),
        3: call(3, 2001),
        4: call(4, 1999),
        5: call(5, 2000),
    }
    votes = {
        1: {"CAN": "yes", "AAA": "yes", "BBB": "no", "CCC": "abstain"},
        2: {"CAN": "no", "AAA": "absent", "BBB": "no", "CCC": "abstain"},
        3: {"CAN": "abstain", "AAA": "no", "BBB": "abstain"},
        4: {"CAN": "absent", "AAA": "yes", "DDD": "yes"},
        5: {"AAA": "yes", "BBB": "yes", "DDD": "no"},
    }
    data = uv.UnVotes(calls, votes)
    monkeypatch.setattr(uv, "load_unvotes", lambda root=None: data)
    for b, kw in [("CAN", {}), ("CAN", {"topic": "refugees"}), ("BBB", {}), ("DDD", {}), ("ZZZ", {})]:
        got = uv.un_vote_agreement_all(b, **kw)
        assert repr(got) == repr(_agreement_one_vote_at_a_time(data, b, **kw)), (b, kw)
    assert uv.un_vote_agreement_all("CAN")["AAA"] == [
        uv.YearAgreement(2001, 2, 1, 0.5, 0.75)  # yes = yes (1), no against abstain (0.5)
    ]
    assert [y.year for y in uv.un_vote_agreement_all("CAN")["BBB"]] == [1999, 2001]
    assert "DDD" not in uv.un_vote_agreement_all("CAN")


def test_vote_agreement_on_the_extract_equals_the_vote_by_vote_sums():
    data = uv.load_unvotes()
    for b, kw in [("CAN", {}), ("CAN", {"topic": ("refugees", "migration")}), ("USA", {"issue": "hr"})]:
        assert repr(uv.un_vote_agreement_all(b, **kw)) == repr(_agreement_one_vote_at_a_time(data, b, **kw))
