"""UN General Assembly roll-call votes (the vendored ``unvotes`` extract) as RDF, and the
library functions the influence layer and the country pages call.

Model (terms in ``ontology/opendata.ttl``, shapes in ``shapes/opendata.ttl``), in the named graph
``https://w3id.org/mpdkg/graph/open-data/unvotes``:

- one ``mpd:RollCall`` per ``rcid`` with its session, date, year, resolution symbol (upstream
  ``unres``), title (``short``), description (``descr``), Voeten's issue codes (``mpd:issue``),
  our title-matched topics (``mpd:topic``: refugees, migration) and ``prov:wasDerivedFrom`` the
  release;
- one vote per state as one triple ``rollcall mpd:yesVote|mpd:noVote|mpd:abstention|mpd:absence
  state`` (sub-properties of ``mpd:recordedVote``): 943k votes as 943k triples, not 3M;
- the two curated compact votes (``graph/memberships/gcm.csv``, ``gcr.csv``): the roll call
  ``mpd:votesOn`` the forum and each curated membership ``mpd:recordedIn`` the roll call. The
  build compares them and fails on any difference (:func:`compact_vote_differences`).

>>> VOTE_PROPERTIES["abstain"]
'abstention'
>>> topics_of("Office of the United Nations High Commissioner for Refugees : resolution", "")
['refugees']
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from mpdkg.namespaces import BASE
from mpdkg.rdf.opendata_base import (
    CONCEPT,
    CONCEPT_SCHEME,
    DERIVED,
    IN_SCHEME,
    LABEL,
    NOTATION,
    OPEN,
    TYPE,
    XSD_DATE,
    Emitter,
    N,
    curated_countries,
    en_lit,
    int_lit,
    mpd,
    read_key,
    release_node,
)
from mpdkg.sources import opendata

GRAPH_UNVOTES = BASE + "graph/open-data/unvotes"
ROLL_CALL = OPEN + "unvotes/rollcall/"
ISSUE = OPEN + "unvotes/issue/"
TOPIC = OPEN + "unvotes/topic/"
_DCT = "http://purl.org/dc/terms/"
_XSD_BOOL = N("http://www.w3.org/2001/XMLSchema#boolean")

#: upstream vote -> property (Voeten: 1 yes, 2 abstain, 3 no, 8 absent).
VOTE_PROPERTIES = {"yes": "yesVote", "no": "noVote", "abstain": "abstention", "absent": "absence"}
#: curated compact role -> upstream vote (``non-voting``: no vote row for the state).
CURATED_ROLES = {"voted-yes": "yes", "voted-no": "no", "abstained": "abstain", "non-voting": None}
#: the curated compact forums and the roll call of their General Assembly vote (rcid, symbol).
COMPACT_ROLL_CALLS = {"gcm": (6140, "R/73/195"), "gcr": (6135, "R/73/151")}

#: states of the votes that are not curated countries: upstream ISO alpha-2 (or, where upstream
#: has none, the name) -> a three-letter area code: ISO 3166-3 former codes where they exist
#: (CSK, DDR, YMD, YUG), else the COW state abbreviation (GFR, YAR, ZAN).
HISTORICAL = {"CS": "CSK", "DD": "DDR", "YD": "YMD", "YU": "YUG"}
HISTORICAL_BY_NAME = {"Federal Republic of Germany": "GFR", "Yemen Arab Republic": "YAR", "Zanzibar": "ZAN"}
#: Voeten codes Serbia as Yugoslavia (COW 345) throughout; from Montenegro's independence
#: (3 June 2006) the state is Serbia, the curated SRB.
SERBIA_FROM = dt.date(2006, 6, 3)
HISTORICAL_NAMES = {
    "CSK": "Czechoslovakia",
    "DDR": "German Democratic Republic",
    "YMD": "Yemen People's Republic (South Yemen)",
    "YUG": "Yugoslavia",
    "GFR": "Federal Republic of Germany (to 1990, as Voeten codes it)",
    "YAR": "Yemen Arab Republic (North Yemen)",
    "ZAN": "Zanzibar",
}
#: COW state numbers of the absences file whose COW name differs from the votes' name.
COW_NAME_TO_VOTES = {
    "United States of America": "United States",
    "Trinidad and Tobago": "Trinidad & Tobago",
    "St. Vincent and the Grenadines": "St. Vincent & Grenadines",
    "St. Kitts and Nevis": "St. Kitts & Nevis",
    "German Federal Republic": "Federal Republic of Germany",
    "Czech Republic": "Czechia",
    "Macedonia": "North Macedonia",
    "Bosnia and Herzegovina": "Bosnia & Herzegovina",
    "Sao Tome and Principe": "São Tomé & Príncipe",
    "Ivory Coast": "Côte d’Ivoire",
    "Congo": "Congo - Brazzaville",
    "Democratic Republic of the Congo": "Congo - Kinshasa",
    "Swaziland": "Eswatini",
    "Myanmar": "Myanmar (Burma)",
    "East Timor": "Timor-Leste",
    "Federated States of Micronesia": "Micronesia (Federated States of)",
}
#: our topics, matched (case-insensitive) on the roll call's title and description.
TOPICS = {
    "refugees": (
        "refugees, asylum, displaced and stateless persons",
        r"refugee|asylum|displaced person|stateless|UNHCR",
    ),
    "migration": ("migration and migrants", r"migra(nt|tion)"),
}
ISSUE_NAMES = {
    "me": "Palestinian conflict",
    "nu": "Nuclear weapons and nuclear material",
    "di": "Arms control and disarmament",
    "hr": "Human rights",
    "co": "Colonialism",
    "ec": "Economic development",
}


def topics_of(title: str, description: str) -> list[str]:
    text = f"{title} {description}"
    return [t for t, (_label, pattern) in TOPICS.items() if re.search(pattern, text, re.IGNORECASE)]


@dataclass(frozen=True)
class RollCall:
    rcid: int
    session: int
    date: object
    symbol: str | None
    title: str
    description: str
    important: int | None
    amend: int | None
    para: int | None
    issues: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class UnVotes:
    """The extract read once: roll calls by rcid, and votes as rcid -> state code -> vote."""

    roll_calls: dict[int, RollCall]
    votes: dict[int, dict[str, str]]
    #: the extract's country name -> the state code its votes are filed under
    by_name: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def matrix(self) -> VoteMatrix:
        """The votes as one array, made once: the agreement of every state with one state is then
        a few array operations instead of a loop over every vote (a million of them)."""
        return VoteMatrix.of(self)


#: a vote as a small integer in :class:`VoteMatrix` (0: absent, or no record of the state)
VOTE_CODES = {"yes": 1, "abstain": 2, "no": 3}


@dataclass(frozen=True)
class VoteMatrix:
    """Roll calls (rows, by rcid) x states (columns, sorted) of :data:`VOTE_CODES`."""

    calls: tuple[RollCall, ...]
    years: np.ndarray
    states: tuple[str, ...]
    codes: np.ndarray

    @classmethod
    def of(cls, data: UnVotes) -> VoteMatrix:
        calls = tuple(call for _rcid, call in sorted(data.roll_calls.items()))
        states = tuple(sorted({state for votes in data.votes.values() for state in votes}))
        column = {state: j for j, state in enumerate(states)}
        codes = np.zeros((len(calls), len(states)), dtype=np.int8)
        for i, call in enumerate(calls):
            for state, vote in data.votes.get(call.rcid, {}).items():
                codes[i, column[state]] = VOTE_CODES.get(vote, 0)
        years = np.fromiter((call.date.year for call in calls), dtype=np.int64, count=len(calls))  # type: ignore[attr-defined]
        return cls(calls, years, states, codes)


def _state_code(iso2: str | None, name: str, alpha2: dict[str, str]) -> str:
    if iso2 and iso2 in alpha2:
        return alpha2[iso2]
    if iso2 and iso2 in HISTORICAL:
        return HISTORICAL[iso2]
    if name in HISTORICAL_BY_NAME:
        return HISTORICAL_BY_NAME[name]
    raise opendata.OpenDataError(
        f"unvotes/votes.csv.gz: state {name!r} (code {iso2!r}) is neither a curated country nor in "
        "HISTORICAL of mpdkg.rdf.opendata_unvotes"
    )


def _alpha2(graph_dir: Path | None) -> dict[str, str]:
    from mpdkg import paths

    path = Path(graph_dir or paths.graph_dir()) / "countries.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["alpha2"]: row["alpha3"] for row in csv.DictReader(handle) if row["alpha2"]}


def _roll_calls(root: Path | None) -> dict[int, RollCall]:
    issues: dict[int, list[str]] = defaultdict(list)
    for row in opendata.read_rows("unvotes", "roll_call_issues.csv", root):
        issues[row["rcid"]].append(row["short_name"])
    calls = {}
    for row in opendata.read_rows("unvotes", "roll_calls.csv", root):
        title, descr = row["short"] or "", row["descr"] or ""
        calls[row["rcid"]] = RollCall(
            row["rcid"], row["session"], row["date"], row["unres"], title, descr,
            row["importantvote"], row["amend"], row["para"],
            tuple(sorted(set(issues[row["rcid"]]))), tuple(topics_of(title, descr)),
        )  # fmt: skip
    return calls


def _absences(root: Path | None, by_name: dict[str, str]) -> Iterator[tuple[int, str]]:
    cow = {r["ccode"]: r["statenme"] for r in opendata.read_rows("cow-igo", "states.csv", root)}
    for row in opendata.read_rows("unvotes", "absences_sessions_1_70.csv", root):
        name = cow.get(row["ccode"])
        code = by_name.get(COW_NAME_TO_VOTES.get(name or "", name or ""))
        if code is None:
            raise opendata.OpenDataError(
                f"unvotes/absences_sessions_1_70.csv: COW state {row['ccode']} ({name}) has no votes "
                "under that name; add it to COW_NAME_TO_VOTES"
            )
        yield row["rcid"], code


def load_unvotes(root: Path | None = None, graph_dir: Path | None = None) -> UnVotes:
    """Roll calls and every vote (yes, no, abstain, and absent for sessions 1-70), read once per
    open-data folder, graph folder and manifests (:func:`read_key`)."""
    return _load_unvotes(*read_key(root, graph_dir))


@functools.lru_cache(maxsize=4)
def _load_unvotes(root: Path, graph_dir: Path, _stamp: tuple) -> UnVotes:
    alpha2 = _alpha2(graph_dir)
    calls = _roll_calls(root)
    serbia = {rcid for rcid, call in calls.items() if call.date >= SERBIA_FROM}  # type: ignore[operator]
    votes: dict[int, dict[str, str]] = defaultdict(dict)
    by_name: dict[str, str] = {}
    for row in opendata.read_rows("unvotes", "votes.csv.gz", root):
        code = _state_code(row["country_code"], row["country"], alpha2)
        by_name[row["country"]] = code
        if code == "YUG" and row["rcid"] in serbia:
            code = "SRB"
        votes[row["rcid"]][code] = row["vote"]
    for rcid, code in _absences(root, by_name):
        votes[rcid].setdefault("SRB" if code == "YUG" and rcid in serbia else code, "absent")
    return UnVotes(calls, dict(votes), by_name)


@dataclass(frozen=True)
class VoteDifference:
    forum: str
    member: str
    curated_role: str | None
    upstream_vote: str | None
    rcid: int
    where: str  # file:line of the curated row, or the forum file when the row is missing


def _curated_votes(forum: str, graph_dir: Path | None) -> dict[str, tuple[str, str]]:
    from mpdkg import paths

    path = Path(graph_dir or paths.graph_dir()) / "memberships" / f"{forum}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return {
            row["member"]: (row["role"], f"{path}:{line}")
            for line, row in enumerate(csv.DictReader(handle), start=2)
            if row["role"] in CURATED_ROLES
        }


def compact_vote_differences(graph_dir: Path | None = None, root: Path | None = None) -> list[VoteDifference]:
    """Every state whose curated compact vote differs from the roll call; empty when they agree."""
    data = load_unvotes(root, graph_dir)
    diffs = []
    for forum, (rcid, _symbol) in COMPACT_ROLL_CALLS.items():
        curated = _curated_votes(forum, graph_dir)
        upstream = data.votes.get(rcid, {})
        for member in sorted(set(curated) | set(upstream)):
            role, where = curated.get(member, (None, f"graph/memberships/{forum}.csv (no row)"))
            expected = CURATED_ROLES.get(role) if role else None
            vote = upstream.get(member)
            vote = None if vote == "absent" else vote
            if role is None or expected != vote:
                diffs.append(VoteDifference(forum, member, role, vote, rcid, where))
    return diffs


def _roll_call_quads(em: Emitter, call: RollCall, release: ox.NamedNode) -> ox.NamedNode:
    node = N(f"{ROLL_CALL}{call.rcid}")
    em.add(node, TYPE, mpd("RollCall"))
    em.add(node, mpd("rollCallId"), int_lit(call.rcid))
    em.add(node, mpd("session"), int_lit(call.session))
    em.add(node, N(_DCT + "date"), ox.Literal(call.date.isoformat(), datatype=XSD_DATE))  # type: ignore[attr-defined]
    em.add(node, mpd("refYear"), int_lit(call.date.year))  # type: ignore[attr-defined]
    if call.symbol:
        em.add(node, mpd("resolutionSymbol"), ox.Literal(call.symbol))
    em.add(node, LABEL, en_lit(call.title or f"roll call {call.rcid}"))
    if call.description:
        em.add(node, N(_DCT + "description"), en_lit(call.description))
    for prop, flag in (
        ("importantVote", call.important),
        ("amendmentVote", call.amend),
        ("paragraphVote", call.para),
    ):
        if flag is not None:
            em.add(node, mpd(prop), ox.Literal("true" if flag else "false", datatype=_XSD_BOOL))
    for issue in call.issues:
        em.add(node, mpd("issue"), N(ISSUE + issue))
    for topic in call.topics:
        em.add(node, mpd("topic"), N(TOPIC + topic))
    em.add(node, DERIVED, release)
    return node


def _schemes(em: Emitter) -> None:
    for base, label, names in (
        (ISSUE, "Voeten's UN General Assembly issue codes", {k: v for k, v in ISSUE_NAMES.items()}),
        (TOPIC, "mpdkg topics of UN roll calls (matched on the title)", {k: v[0] for k, v in TOPICS.items()}),
    ):
        scheme = N(base.rstrip("/"))
        em.add(scheme, TYPE, CONCEPT_SCHEME)
        em.add(scheme, LABEL, en_lit(label))
        for code, name in names.items():
            concept = N(base + code)
            em.add(concept, TYPE, CONCEPT)
            em.add(concept, IN_SCHEME, scheme)
            em.add(concept, NOTATION, ox.Literal(code))
            em.add(concept, LABEL, en_lit(name))


def unvotes_quads(
    root: Path | None = None, countries: frozenset[str] | None = None, graph_dir: Path | None = None
) -> list[ox.Quad]:
    """Every roll call and vote; raises :class:`OpenDataError` when a curated compact vote differs."""
    diffs = compact_vote_differences(graph_dir, root)
    if diffs:
        lines = [
            f"{d.where}: {d.member} curated as {d.curated_role or '(no row)'} on {d.forum}, but roll call "
            f"{d.rcid} records {d.upstream_vote or 'no vote'}"
            for d in diffs
        ]
        raise opendata.OpenDataError("curated compact votes differ from the UN votes:\n" + "\n".join(lines))
    ds = opendata.dataset("unvotes", root)
    em = Emitter(N(GRAPH_UNVOTES), countries if countries is not None else curated_countries(graph_dir))
    for code, name in HISTORICAL_NAMES.items():
        em.areas.setdefault(code, name)
    release = release_node(em, ds)
    data = load_unvotes(root, graph_dir)
    props = {vote: mpd(prop) for vote, prop in VOTE_PROPERTIES.items()}
    places: dict[str, ox.NamedNode] = {}
    for rcid, call in sorted(data.roll_calls.items()):
        node = _roll_call_quads(em, call, release)
        for state, vote in sorted(data.votes.get(rcid, {}).items()):
            place = places.get(state) or places.setdefault(state, em.place(state))
            em.add(node, props[vote], place)
    _schemes(em)
    _compact_links(em, graph_dir)
    return em.finish()


def _compact_links(em: Emitter, graph_dir: Path | None) -> None:
    from mpdkg.namespaces import forum_iri, membership_iri

    for forum, (rcid, _symbol) in COMPACT_ROLL_CALLS.items():
        node = N(f"{ROLL_CALL}{rcid}")
        em.add(node, mpd("votesOn"), N(str(forum_iri(forum))))
        for member, (role, _where) in _curated_votes(forum, graph_dir).items():
            em.add(N(str(membership_iri(forum, member, role))), mpd("recordedIn"), node)


# -- agreement between states, for the influence layer and the country pages ------------------


@dataclass(frozen=True)
class YearAgreement:
    year: int
    roll_calls: int  # where both states voted yes, no or abstain
    same: int
    agreement: float  # same / roll_calls
    score: float  # 1 same, 0.5 one abstained, 0 opposite; mean over roll_calls


def _selected(call: RollCall, issue: str | None, topic: str | tuple[str, ...] | None) -> bool:
    topics = (topic,) if isinstance(topic, str) else topic
    return (issue is None or issue in call.issues) and (
        topics is None or any(t in call.topics for t in topics)
    )


def un_vote_agreement_all(
    b: str = "CAN",
    *,
    issue: str | None = None,
    topic: str | tuple[str, ...] | None = None,
    root: Path | None = None,
) -> dict[str, list[YearAgreement]]:
    """Every state -> its yearly agreement with ``b`` (ISO alpha-3), overall or on one Voeten issue
    (``me co di hr nu ec``) or on roll calls with a topic (``refugees``, ``migration``, or any of
    several). Counted on the roll calls where both voted yes, no or abstain; a state appears for
    the years in which there is one. (Scores are sums of 0, 0.5 and 1: exact in any order.)"""
    m = load_unvotes(root).matrix
    if b not in m.states:
        return {}
    ego = m.states.index(b)
    chosen = np.fromiter((_selected(call, issue, topic) for call in m.calls), dtype=bool, count=len(m.calls))
    chosen &= m.codes[:, ego] > 0
    if not chosen.any():
        return {}
    order = np.argsort(m.years[chosen], kind="stable")  # one block of rows per year
    codes, years = m.codes[chosen][order], m.years[chosen][order]
    theirs = codes[:, [ego]]
    voted = codes > 0
    voted[:, ego] = False
    same = voted & (codes == theirs)
    score = np.where(voted, 1.0 - np.abs(_CODE_VALUE[codes] - _CODE_VALUE[theirs]), 0.0)
    year_list, starts = np.unique(years, return_index=True)
    counts, sames, scores = (
        np.add.reduceat(a, starts, axis=0).T.tolist()
        for a in (voted.astype(np.int64), same.astype(np.int64), score)
    )
    out: dict[str, list[YearAgreement]] = {}
    for state, ns, ss, scs in zip(m.states, counts, sames, scores, strict=True):
        rows = [
            YearAgreement(y, n, s, s / n, sc / n)
            for y, n, s, sc in zip(year_list.tolist(), ns, ss, scs, strict=True)
            if n
        ]
        if rows:
            out[state] = rows
    return out


#: the value of a vote code (absent: 0, never used, since such votes are masked out)
_CODE_VALUE = np.array([0.0, 1.0, 0.5, 0.0])


def un_vote_agreement(
    a: str, b: str = "CAN", *, issue: str | None = None, topic: str | None = None, root: Path | None = None
) -> list[YearAgreement]:
    """The yearly agreement of state ``a`` with state ``b`` (see :func:`un_vote_agreement_all`)."""
    return un_vote_agreement_all(b, issue=issue, topic=topic, root=root).get(a, [])


def votes_on(rcid: int, root: Path | None = None) -> dict[str, str]:
    """State -> ``yes``, ``no``, ``abstain`` or ``absent`` on one roll call."""
    return dict(load_unvotes(root).votes.get(rcid, {}))


__all__ = [
    "COMPACT_ROLL_CALLS",
    "GRAPH_UNVOTES",
    "RollCall",
    "UnVotes",
    "VoteDifference",
    "YearAgreement",
    "compact_vote_differences",
    "load_unvotes",
    "un_vote_agreement",
    "un_vote_agreement_all",
    "unvotes_quads",
    "votes_on",
]
