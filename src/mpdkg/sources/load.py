"""Read and check the curated sources in graph/ into typed records.

Each kind of file is read as its spec in ``mpdkg.sources.schema`` says; every problem in every file
is collected (file, line, offending value, what was expected) and raised together as one
SourceErrors, so a curator fixes a whole batch per run.

>>> records = load_sources()
>>> records.countries["CAN"].name
'Canada'
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from mpdkg import paths
from mpdkg.errors import Origin, Problem, SourceErrors
from mpdkg.sources.checks import Context
from mpdkg.sources.csvtable import read_table
from mpdkg.sources.dates import PartialDate
from mpdkg.sources.records import Forum, Records, VisaPolicy
from mpdkg.sources.schema import COLUMNS, SPECS, FileKind
from mpdkg.sources.vocab import Vocabulary, vocabulary

__all__ = ["COLUMNS", "current_member_counts", "load_sources"]


def _files(root: Path, spec: FileKind, problems: list[Problem]) -> list[Path]:
    if spec.required_file:
        path = root / spec.pattern
        if not path.is_file():
            problems.append(
                Problem(Origin(f"{root.name}/{spec.pattern}", 0), "required file is missing", root=True)
            )
            return []
        return [path]
    return sorted(p for p in root.glob(spec.pattern) if p.is_file())


def _read_kind(ctx: Context, root: Path, spec: FileKind) -> None:
    base = root.parent
    for path in _files(root, spec, ctx.problems):
        display = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        if spec.per_file is not None:
            spec.per_file(ctx, path, Origin(display, 1))
        for row in read_table(path, spec.columns, display, ctx.problems):
            spec.read(ctx, row)


def load_sources(root: Path | None = None, vocab: Vocabulary | None = None) -> Records:
    """Read every curated file under ``root`` (default: the project's graph/)."""
    root = Path(root) if root else paths.graph_dir()
    ctx = Context(vocab or vocabulary())
    for spec in SPECS:
        _read_kind(ctx, root, spec)
    _framework_checks(ctx.records, ctx.problems)
    _cross_check(ctx.records, ctx.cited, ctx.problems)
    if ctx.problems:
        raise SourceErrors(ctx.problems)
    return ctx.records


def _no_duplicates(
    items: Iterable[Any], key: Callable[[Any], Hashable], what: str, problems: list[Problem]
) -> None:
    first: dict[Hashable, Origin] = {}
    for item in items:
        k = key(item)
        if k in first:
            problems.append(Problem(item.origin, f"duplicate {what} {k!r} (first at {first[k]})"))
        else:
            first[k] = item.origin


def _framework_checks(records: Records, problems: list[Problem]) -> None:
    _no_duplicates(records.objectives, lambda o: o.number, "objective number", problems)
    _no_duplicates(records.pillars, lambda p: p.number, "pillar number", problems)
    _no_duplicates(records.lines_of_effort, lambda x: (x.pillar, x.number), "line of effort", problems)
    objective_numbers = {o.number for o in records.objectives}
    for p in records.pillars:
        for n in p.objectives:
            if n not in objective_numbers:
                problems.append(Problem(p.origin, f"objective {n} does not exist"))


class _References:
    """Checks of references from one fact to others (countries, fora, pillars)."""

    def __init__(self, records: Records, problems: list[Problem]):
        self.records = records
        self.problems = problems
        self.pillar_numbers = sorted({p.number for p in records.pillars})

    def pillars(self, origin: Origin, numbers: Iterable[int]) -> None:
        for n in numbers:
            if n not in self.pillar_numbers:
                self.problems.append(
                    Problem(origin, f"pillar {n} does not exist; expected one of {self.pillar_numbers}")
                )

    def actor(self, origin: Origin, ref: str, what: str) -> None:
        if ref.isupper():
            if ref not in self.records.countries:
                self.problems.append(
                    Problem(
                        origin, f"{what} {ref!r} is not an ISO 3166-1 alpha-3 code in graph/countries.csv"
                    )
                )
        elif ref not in self.records.fora:
            self.problems.append(Problem(origin, f"{what} {ref!r} is neither a country code nor a forum id"))


def _cross_check(records: Records, cited: list[tuple[Origin, str]], problems: list[Problem]) -> None:
    """References between files: sources, countries, fora, agreements, counts."""
    for origin, sid in cited:
        if sid not in records.sources:
            problems.append(Problem(origin, f"unknown source id {sid!r}; add it to graph/sources/"))
    refs = _References(records, problems)
    for loe in records.lines_of_effort:
        refs.pillars(loe.origin, (loe.pillar,))
    for forum in records.fora.values():
        refs.pillars(forum.origin, forum.pillars)
    _memberships_check(records, refs)
    _member_counts_check(records, problems)
    for a in records.agreements.values():
        refs.pillars(a.origin, a.pillars)
        for party in a.parties:
            refs.actor(a.origin, party, "party")
        if a.amends and a.amends not in records.agreements:
            problems.append(Problem(a.origin, f"amends {a.amends!r} is not an agreement id"))
    _amends_without_cycles(records, problems)
    for e in records.engagements.values():
        refs.pillars(e.origin, e.pillars)
        refs.actor(e.origin, e.actor, "actor")
        if e.channel not in records.fora and e.channel not in records.agreements:
            problems.append(Problem(e.origin, f"channel {e.channel!r} is not a forum or agreement id"))
        for p in e.partners:
            refs.actor(e.origin, p, "partner")
    _visa_policies_consistent(records, problems)


def _memberships_check(records: Records, refs: _References) -> None:
    seen: dict[tuple[str, str, str, str], Origin] = {}
    for m in records.memberships:
        if m.member:
            refs.actor(m.origin, m.member, "member")
        if m.member == m.forum:
            refs.problems.append(Problem(m.origin, f"forum {m.forum!r} cannot be its own member"))
        key = (m.forum, m.member, m.role, str(m.start or m.as_of))
        if key in seen:
            refs.problems.append(
                Problem(m.origin, f"duplicate membership of {m.member} as {m.role} (first at {seen[key]})")
            )
        seen[key] = m.origin


def _member_counts_check(records: Records, problems: list[Problem]) -> None:
    for forum in records.fora.values():
        if not forum.members_complete:
            continue
        found = current_member_counts(records, forum)
        for role, stated in forum.member_counts.items():
            if found[role] != stated:
                problems.append(
                    Problem(
                        forum.origin,
                        f"member_counts says {role}={stated} but memberships/{forum.id}.csv has "
                        f"{found[role]} {role}(s) current on {forum.members_as_of or 'today'}",
                    )
                )


def _start(policy: VisaPolicy) -> PartialDate:
    """The start of a policy that has one (only those are compared for overlaps)."""
    return cast(PartialDate, policy.start)


def _visa_policies_consistent(records: Records, problems: list[Problem]) -> None:
    """Countries exist, a country does not set a policy for itself, and two policies for the same
    nationality, destination and scope do not certainly hold at the same time."""
    by_pair: dict[tuple[str, str, str], list[VisaPolicy]] = defaultdict(list)
    for v in records.visa_policies.values():
        for col, code in (("nationality", v.nationality), ("destination", v.destination)):
            if code and code not in records.countries:
                problems.append(
                    Problem(
                        v.origin, f"{col} {code!r} is not an ISO 3166-1 alpha-3 code in graph/countries.csv"
                    )
                )
        if v.nationality and v.nationality == v.destination:
            problems.append(Problem(v.origin, f"nationality and destination are both {v.nationality!r}"))
        if v.start is not None:
            by_pair[(v.nationality, v.destination, v.scope)].append(v)
    for group in by_pair.values():
        group.sort(key=lambda v: (_start(v).earliest(), v.origin))
        for earlier, later in pairwise(group):
            if earlier.end is None or _start(later).latest() < earlier.end.earliest():
                problems.append(
                    Problem(
                        later.origin,
                        f"overlaps {earlier.id!r} ({earlier.origin}: {earlier.category} from {earlier.start}"
                        f"{' to ' + str(earlier.end) if earlier.end else ', no end'}) for the same nationality, "
                        "destination and scope; give the earlier policy an end no later than this start",
                    )
                )


def _amends_without_cycles(records: Records, problems: list[Problem]) -> None:
    """An agreement cannot amend itself, nor an agreement that (through others) amends it."""
    reported: set[str] = set()
    for start in records.agreements.values():
        if start.id in reported:
            continue
        if start.amends == start.id:
            problems.append(Problem(start.origin, f"amends {start.id!r}: an agreement cannot amend itself"))
            reported.add(start.id)
            continue
        chain = [start.id]
        following = start.amends
        while following in records.agreements and following not in chain:
            chain.append(following)
            following = records.agreements[following].amends
        if following != start.id:
            continue  # the chain ends, or runs into a cycle found from one of its own members
        cycle = " → ".join([*chain, start.id])
        for aid in chain:
            reported.add(aid)
            a = records.agreements[aid]
            problems.append(
                Problem(a.origin, f"amends {a.amends!r} makes a cycle ({cycle}); an agreement cannot "
                        "amend itself, directly or through others")
            )  # fmt: skip


def current_member_counts(records: Records, forum: Forum) -> Counter:
    """Distinct members per role whose membership held on the member list's date.

    A row counts when it started on or before that date (or has no start) and had not ended
    before it; without a list date, when it has no end.
    """
    day = forum.members_as_of
    members: dict[str, set[str]] = defaultdict(set)
    for m in records.memberships:
        if m.forum != forum.id:
            continue
        if day is None:
            current = m.end is None
        else:
            started = m.start is None or m.start.earliest() <= day.latest()
            current = started and (m.end is None or m.end.latest() >= day.earliest())
        if current:
            members[m.role].add(m.member)
    return Counter({role: len(ids) for role, ids in members.items()})
