"""Correlates of War IGO memberships (the vendored ``cow-igo`` extract) as ``org:Membership``
periods, linked to the curated fora by a reviewed mapping table
(``graph/open-data/mappings/cow-igo-forums.csv``), and the list of curated-vs-COW differences.

Yearly cells with the same status (1 full, 2 associate, 3 observer) in consecutive recorded
years merge into one period ``mpd:startYear``–``mpd:endYear``; COW recorded some years only every
five years before 1965, so a gap of up to five years between recorded cells of the same status
does not break a period. States are mapped to curated countries through their UN-vote names; a
COW state without a UN vote (pre-1946 states) is left out and counted.

>>> ROLES[3]
'observer'
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from mpdkg.namespaces import BASE
from mpdkg.rdf.opendata_base import (
    DERIVED,
    LABEL,
    NOTATION,
    OPEN,
    TYPE,
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

GRAPH_COW = BASE + "graph/open-data/cow-igo"
IGO = OPEN + "cow-igo/igo/"
ROLES = {1: "member", 2: "associate-member", 3: "observer"}
LAST_YEAR = 2014
_ORG = "http://www.w3.org/ns/org#"
_OWL_SAME = N("http://www.w3.org/2002/07/owl#sameAs")


@dataclass(frozen=True)
class CowPeriod:
    igo: str
    igo_name: str
    forum: str | None
    member: str
    role: str
    start: int
    end: int


def forum_mapping(graph_dir: Path | None = None) -> dict[str, str]:
    """COW ``ioname`` -> curated forum id, from the reviewed table."""
    from mpdkg import paths

    path = Path(graph_dir or paths.graph_dir()) / "open-data" / "mappings" / "cow-igo-forums.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["ioname"]: row["forum"] for row in csv.DictReader(handle)}


def _state_codes(root: Path, graph_dir: Path) -> dict[int, str]:
    """COW state number -> ISO code, through the state's name in the UN votes (read once there)."""
    from mpdkg.rdf.opendata_unvotes import COW_NAME_TO_VOTES, load_unvotes

    names = load_unvotes(root, graph_dir).by_name
    codes = {}
    for row in opendata.read_rows("cow-igo", "states.csv", root):
        name = COW_NAME_TO_VOTES.get(row["statenme"], row["statenme"])
        if name in names:
            codes[row["ccode"]] = names[name]
    return codes


def cow_periods(root: Path | None = None, graph_dir: Path | None = None) -> tuple[CowPeriod, ...]:
    """Every merged membership period of a COW state mapped to a country code (read once per
    open-data folder, graph folder and manifests)."""
    return _cow_periods(*read_key(root, graph_dir))


@functools.lru_cache(maxsize=2)
def _cow_periods(root: Path, graph_dir: Path, _stamp: tuple) -> tuple[CowPeriod, ...]:
    codes = _state_codes(root, graph_dir)
    forums = forum_mapping(graph_dir)
    names = {r["ioname"]: r["orgname"] for r in opendata.read_rows("cow-igo", "igo_years.csv", root)}
    cells: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for row in opendata.read_rows("cow-igo", "memberships.csv.gz", root):
        code = codes.get(row["ccode"])
        if code and row["status"] in ROLES:
            cells[(row["ioname"], code, row["status"])].append(row["year"])
    periods = []
    for (igo, code, status), years in sorted(cells.items()):
        years.sort()
        start = prev = years[0]
        for year in [*years[1:], None]:
            if year is not None and year - prev <= 5 and (prev >= 1965 and year - prev == 1 or prev < 1965):
                prev = year
                continue
            periods.append(
                CowPeriod(igo, names.get(igo, igo), forums.get(igo), code, ROLES[status], start, prev)
            )
            if year is not None:
                start = prev = year
    return tuple(periods)


def cow_memberships(state: str | None = "CAN", root: Path | None = None) -> list[CowPeriod]:
    """The merged COW periods of one state (ISO alpha-3), or of all with ``state=None``."""
    return [p for p in cow_periods(root) if state is None or p.member == state]


@dataclass(frozen=True)
class MembershipDifference:
    forum: str
    igo: str
    member: str
    kind: str  # start-year, role, only-curated, only-cow
    curated: str
    cow: str


def _curated_memberships(forum: str, graph_dir: Path | None) -> dict[str, tuple[str, str]]:
    from mpdkg import paths

    path = Path(graph_dir or paths.graph_dir()) / "memberships" / f"{forum}.csv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["role"] in ROLES.values() and not r.get("end")]
    return {r["member"]: (r["role"], (r["start"] or r.get("as_of") or "")[:4]) for r in rows}


def cow_curated_differences(
    graph_dir: Path | None = None, root: Path | None = None
) -> list[MembershipDifference]:
    """Where a curated membership of a mapped forum and COW's last period disagree: the start year
    (COW counts the first recorded year), the role, or a member only one of them has (COW's
    period still open in 2014). The curated fact stands; this is the list for stats and report."""
    diffs = []
    latest: dict[tuple[str, str], CowPeriod] = {}
    for p in cow_periods(root, graph_dir):
        if p.forum and p.end == LAST_YEAR:
            latest[(p.forum, p.member)] = p
    for forum, igo in sorted({(p.forum, p.igo) for p in latest.values() if p.forum}):
        curated = _curated_memberships(forum, graph_dir)
        cow = {m: p for (f, m), p in latest.items() if f == forum}
        if not curated:  # the curated forum has no member list to compare with
            continue
        for member in sorted(set(curated) | set(cow)):
            c, period = curated.get(member), cow.get(member)
            if c is None and period is not None:
                diffs.append(
                    MembershipDifference(forum, igo, member, "only-cow", "", f"{period.role} {period.start}-")
                )
            elif period is None and c is not None:
                diffs.append(MembershipDifference(forum, igo, member, "only-curated", f"{c[0]} {c[1]}", ""))
            elif c is not None and period is not None and c[0] != period.role:
                diffs.append(MembershipDifference(forum, igo, member, "role", c[0], period.role))
            elif c is not None and period is not None and c[1] and c[1] != str(period.start):
                diffs.append(MembershipDifference(forum, igo, member, "start-year", c[1], str(period.start)))
    return diffs


def cow_quads(
    root: Path | None = None, countries: frozenset[str] | None = None, graph_dir: Path | None = None
) -> list[ox.Quad]:
    """The merged periods as org:Membership, the IGOs (owl:sameAs the mapped curated forum)."""
    from mpdkg.namespaces import forum_iri, role_iri

    ds = opendata.dataset("cow-igo", root)
    em = Emitter(N(GRAPH_COW), countries if countries is not None else curated_countries(graph_dir))
    release = release_node(em, ds)
    igos: dict[str, CowPeriod] = {}
    for p in cow_periods(root, graph_dir):
        igos.setdefault(p.igo, p)
        node = N(f"{OPEN}cow-igo/membership/{p.igo}/{p.member}/{p.role}/{p.start}")
        em.add(node, TYPE, N(_ORG + "Membership"))
        em.add(node, TYPE, mpd("CowMembership"))
        em.add(node, N(_ORG + "member"), em.place(p.member))
        em.add(node, N(_ORG + "organization"), N(IGO + p.igo))
        em.add(node, N(_ORG + "role"), N(str(role_iri(p.role))))
        em.add(node, mpd("startYear"), int_lit(p.start))
        em.add(node, mpd("endYear"), int_lit(p.end))
        em.add(node, DERIVED, release)
    for igo, p in sorted(igos.items()):
        node = N(IGO + igo)
        em.add(node, TYPE, mpd("CowIgo"))
        em.add(node, LABEL, en_lit(p.igo_name))
        em.add(node, NOTATION, ox.Literal(igo))
        em.add(node, DERIVED, release)
        if p.forum:
            em.add(node, _OWL_SAME, N(str(forum_iri(p.forum))))
    return em.finish()


__all__ = [
    "GRAPH_COW",
    "CowPeriod",
    "MembershipDifference",
    "cow_curated_differences",
    "cow_memberships",
    "cow_periods",
    "cow_quads",
    "forum_mapping",
]
