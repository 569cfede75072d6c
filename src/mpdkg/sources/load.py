"""Read and check the curated sources in graph/ into typed records.

Every problem in every file is collected (file, line, offending value, what was expected) and
raised together as one SourceErrors, so a curator fixes a whole batch per run.

>>> records = load_sources()
>>> records.countries["CAN"].name
'Canada'
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from mpdkg import paths
from mpdkg.errors import Origin, Problem, SourceErrors
from mpdkg.sources.csvtable import Columns, Row, read_table
from mpdkg.sources.dates import PartialDate, ordered
from mpdkg.sources.records import (
    Agreement,
    Country,
    Engagement,
    Forum,
    LineOfEffort,
    Membership,
    Objective,
    Pillar,
    Records,
    Source,
    VisaPolicy,
)
from mpdkg.sources.vocab import Vocabulary, vocabulary

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
ALPHA3 = re.compile(r"^[A-Z]{3}$")
ALPHA2 = re.compile(r"^[A-Z]{2}$")
NUMERIC = re.compile(r"^\d{3}$")
QID = re.compile(r"^Q[1-9]\d*$")
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
COUNT = re.compile(r"^([a-z-]+)=(\d+)$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LABEL = 500
MAX_TEXT = 5000

COLUMNS = {
    "sources": Columns(("id", "url", "title", "publisher", "accessed"), ("note", "kind", "read_from")),
    "objectives": Columns(("id", "number", "label", "source")),
    "pillars": Columns(("id", "number", "label", "source"), ("objectives",)),
    "lines_of_effort": Columns(("id", "pillar", "number", "label", "source")),
    "countries": Columns(
        ("alpha3", "alpha2", "name", "source"),
        ("numeric", "official_name", "region", "subregion", "intermediate_region", "wikidata"),
    ),
    "fora": Columns(
        ("id", "label", "kind", "source"),
        (
            "alt_labels",
            "pillars",
            "established",
            "ended",
            "homepage",
            "wikidata",
            "members_complete",
            "member_counts",
            "members_source",
            "members_as_of",
            "quote",
            "description",
        ),
    ),
    "memberships": Columns(("member", "role", "source"), ("start", "end", "as_of", "quote", "note")),
    "agreements": Columns(
        ("id", "label", "kind", "parties", "source"),
        (
            "alt_labels",
            "pillars",
            "signed",
            "in_force",
            "ended",
            "amends",
            "homepage",
            "wikidata",
            "quote",
            "description",
        ),
    ),
    "engagements": Columns(
        ("id", "kind", "channel", "source"),
        ("actor", "partners", "start", "end", "pillars", "label", "quote"),
    ),
    "visa_policy": Columns(
        ("id", "nationality", "destination", "category", "start", "source"),
        ("end", "scope", "label", "quote", "note"),
    ),
}


class _Checker:
    """Field readers that record a Problem and return None when a value is wrong."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def fail(self, row: Row, message: str) -> None:
        self.problems.append(Problem(row.origin, message))

    def text(self, row: Row, col: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
        value = row.get(col)
        if required and not value:
            self.fail(row, f"{col} is empty; a value is required")
        if len(value) > limit:
            self.fail(row, f"{col} is {len(value)} characters long; at most {limit} are allowed")
            return value[:limit]
        if CONTROL.search(value):
            self.fail(row, f"{col} contains a control character (U+{ord(CONTROL.search(value).group()):04X})")
        return value

    def pattern(self, row: Row, col: str, regex: re.Pattern, expected: str, *, required=True) -> str:
        value = row.get(col)
        if not value:
            if required:
                self.fail(row, f"{col} is empty; expected {expected}")
            return ""
        if not regex.match(value):
            self.fail(row, f"{col} {value!r} is not valid; expected {expected}")
            return ""
        return value

    def integer(self, row: Row, col: str, low: int, high: int) -> int | None:
        value = row.get(col)
        if not value.isdigit() or not low <= int(value) <= high:
            self.fail(row, f"{col} {value!r} is not valid; expected a whole number {low}-{high}")
            return None
        return int(value)

    def date(self, row: Row, col: str) -> PartialDate | None:
        value = row.get(col)
        if not value:
            return None
        try:
            return PartialDate.parse(value)
        except ValueError as exc:
            self.fail(row, f"{col}: {exc}")
            return None

    def listing(self, row: Row, col: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in row.get(col).split(";") if part.strip())

    def pillars(self, row: Row, col: str = "pillars") -> tuple[int, ...]:
        out = []
        for part in self.listing(row, col):
            if part.isdigit() and 1 <= int(part) <= 99:
                out.append(int(part))
            else:
                self.fail(row, f"{col}: {part!r} is not a pillar number")
        return tuple(sorted(set(out)))

    def choice(self, row: Row, col: str, allowed: dict) -> str:
        value = row.get(col)
        if value not in allowed:
            self.fail(row, f"{col} {value!r} is not allowed; expected one of: {', '.join(allowed)}")
            return ""
        return value

    def boolean(self, row: Row, col: str) -> bool:
        value = row.get(col).lower()
        if value not in ("", "yes", "no"):
            self.fail(row, f"{col} {value!r} is not valid; expected yes or no")
        return value == "yes"

    def source_ids(self, row: Row, col: str = "source") -> tuple[str, ...]:
        ids = self.listing(row, col)
        if not ids and col == "source":
            self.fail(row, "source is empty; every fact must cite a source id from graph/sources/")
        return ids


def _files(root: Path, pattern: str) -> list[Path]:
    return sorted(p for p in root.glob(pattern) if p.is_file())


def load_sources(root: Path | None = None, vocab: Vocabulary | None = None) -> Records:
    """Read every curated file under ``root`` (default: the project's graph/)."""
    root = Path(root) if root else paths.graph_dir()
    vocab = vocab or vocabulary()
    problems: list[Problem] = []
    check = _Checker(problems)
    records = Records()
    base = root.parent

    def rows(path: Path, kind: str):
        display = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        return read_table(path, COLUMNS[kind], display, problems)

    def required_file(rel: str) -> list[Path]:
        path = root / rel
        if not path.is_file():
            problems.append(Problem(Origin(f"{root.name}/{rel}", 0), "required file is missing", root=True))
            return []
        return [path]

    cited: list[tuple[Origin, str]] = []

    def cite(row: Row, col: str = "source") -> tuple[str, ...]:
        ids = check.source_ids(row, col)
        cited.extend((row.origin, i) for i in ids)
        return ids

    # --- sources ------------------------------------------------------------------------
    for path in _files(root / "sources", "*.csv"):
        for row in rows(path, "sources"):
            sid = check.pattern(row, "id", SOURCE_ID, "lowercase letters, digits, '.', '_' or '-'")
            url = check.pattern(row, "url", URL, "a web address starting with http:// or https://")
            accessed = row.get("accessed")
            try:
                accessed_date = dt.date.fromisoformat(accessed)
            except ValueError:
                check.fail(row, f"accessed {accessed!r} is not a date; expected YYYY-MM-DD")
                accessed_date = None
            title = check.text(row, "title", required=True, limit=MAX_LABEL)
            publisher = check.text(row, "publisher", required=True, limit=MAX_LABEL)
            note = check.text(row, "note")
            kind = check.choice(row, "kind", vocab.source_kinds) if row.get("kind") else ""
            read_from = check.pattern(
                row, "read_from", URL, "a web address starting with http:// or https://", required=False
            )
            if read_from and read_from == url:
                check.fail(
                    row,
                    "read_from is the same address as url; leave read_from empty when the original was read",
                )
            if sid and sid in records.sources:
                check.fail(row, f"duplicate source id {sid!r} (first at {records.sources[sid].origin})")
            elif sid and url and accessed_date:
                records.sources[sid] = Source(
                    sid, url, title, publisher, accessed_date, note, row.origin, kind, read_from
                )

    # --- the policy framework -------------------------------------------------------------
    for path in required_file("framework/objectives.csv"):
        for row in rows(path, "objectives"):
            number = check.integer(row, "number", 1, 99)
            label = check.text(row, "label", required=True, limit=MAX_TEXT)
            if number is not None:
                records.objectives.append(Objective(number, label, cite(row), row.origin))
    for path in required_file("framework/pillars.csv"):
        for row in rows(path, "pillars"):
            number = check.integer(row, "number", 1, 99)
            label = check.text(row, "label", required=True, limit=MAX_TEXT)
            objectives = check.pillars(row, "objectives")
            if number is not None:
                records.pillars.append(Pillar(number, label, objectives, cite(row), row.origin))
    for path in required_file("framework/lines_of_effort.csv"):
        for row in rows(path, "lines_of_effort"):
            pillar = check.integer(row, "pillar", 1, 99)
            number = check.integer(row, "number", 1, 99)
            label = check.text(row, "label", required=True, limit=MAX_TEXT)
            if pillar is not None and number is not None:
                records.lines_of_effort.append(LineOfEffort(pillar, number, label, cite(row), row.origin))
    _no_duplicates(records.objectives, lambda o: o.number, "objective number", problems)
    _no_duplicates(records.pillars, lambda p: p.number, "pillar number", problems)
    _no_duplicates(records.lines_of_effort, lambda x: (x.pillar, x.number), "line of effort", problems)
    pillar_numbers = {p.number for p in records.pillars}
    objective_numbers = {o.number for o in records.objectives}

    def known_pillars(row_origin: Origin, numbers: tuple[int, ...]) -> None:
        for n in numbers:
            if n not in pillar_numbers:
                problems.append(
                    Problem(
                        row_origin, f"pillar {n} does not exist; expected one of {sorted(pillar_numbers)}"
                    )
                )

    for p in records.pillars:
        for n in p.objectives:
            if n not in objective_numbers:
                problems.append(Problem(p.origin, f"objective {n} does not exist"))
    for loe in records.lines_of_effort:
        known_pillars(loe.origin, (loe.pillar,))

    # --- countries ----------------------------------------------------------------------------
    for path in required_file("countries.csv"):
        for row in rows(path, "countries"):
            a3 = check.pattern(row, "alpha3", ALPHA3, "an ISO 3166-1 alpha-3 code such as CAN")
            a2 = check.pattern(row, "alpha2", ALPHA2, "an ISO 3166-1 alpha-2 code such as CA")
            numeric = check.pattern(row, "numeric", NUMERIC, "three digits", required=False)
            wikidata = check.pattern(row, "wikidata", QID, "a Wikidata id such as Q16", required=False)
            country = Country(
                a3,
                a2,
                numeric,
                check.text(row, "name", required=True, limit=MAX_LABEL),
                check.text(row, "official_name", limit=MAX_LABEL),
                check.text(row, "region", limit=MAX_LABEL),
                check.text(row, "subregion", limit=MAX_LABEL),
                check.text(row, "intermediate_region", limit=MAX_LABEL),
                wikidata,
                cite(row),
                row.origin,
            )
            if a3 and a3 in records.countries:
                check.fail(row, f"duplicate country {a3} (first at {records.countries[a3].origin})")
            elif a3:
                records.countries[a3] = country

    # --- fora -----------------------------------------------------------------------------------
    ids_seen: dict[str, Origin] = {}

    def claim_id(row: Row, value: str, what: str) -> bool:
        if value in ids_seen:
            check.fail(row, f"duplicate {what} id {value!r} (already used at {ids_seen[value]})")
            return False
        ids_seen[value] = row.origin
        return True

    for path in _files(root / "fora", "*.csv"):
        for row in rows(path, "fora"):
            fid = check.pattern(row, "id", ID, "lowercase letters, digits and '-'")
            counts: dict[str, int] = {}
            for part in check.listing(row, "member_counts"):
                m = COUNT.match(part)
                if not m or m.group(1) not in vocab.roles:
                    check.fail(
                        row,
                        f"member_counts {part!r} is not valid; expected role=N with a role from: {', '.join(vocab.roles)}",
                    )
                else:
                    counts[m.group(1)] = int(m.group(2))
            forum = Forum(
                id=fid,
                label=check.text(row, "label", required=True, limit=MAX_LABEL),
                alt_labels=check.listing(row, "alt_labels"),
                kind=check.choice(row, "kind", vocab.forum_kinds),
                pillars=check.pillars(row),
                established=check.date(row, "established"),
                ended=check.date(row, "ended"),
                homepage=check.pattern(row, "homepage", URL, "a web address", required=False),
                wikidata=check.pattern(row, "wikidata", QID, "a Wikidata id such as Q16", required=False),
                members_complete=check.boolean(row, "members_complete"),
                member_counts=counts,
                members_source=cite(row, "members_source"),
                members_as_of=check.date(row, "members_as_of"),
                sources=cite(row),
                quote=check.text(row, "quote"),
                description=check.text(row, "description"),
                origin=row.origin,
            )
            if not ordered(forum.established, forum.ended):
                check.fail(row, f"ended {forum.ended} is before established {forum.established}")
            if forum.members_complete and not forum.members_source:
                check.fail(row, "members_complete is yes but members_source is empty; cite the full list")
            if forum.members_complete and not forum.member_counts:
                check.fail(
                    row,
                    "members_complete is yes but member_counts is empty; give the counts the source states",
                )
            if fid and claim_id(row, fid, "forum"):
                records.fora[fid] = forum

    # --- memberships ------------------------------------------------------------------------
    for path in _files(root / "memberships", "*.csv"):
        forum_id = path.stem
        file_origin = Origin(path.relative_to(base).as_posix(), 1)
        if forum_id not in records.fora:
            problems.append(
                Problem(
                    file_origin,
                    f"no forum with id {forum_id!r} in graph/fora/; the file name must be a forum id",
                )
            )
        for row in rows(path, "memberships"):
            membership = Membership(
                forum=forum_id,
                member=check.text(row, "member", required=True, limit=40),
                role=check.choice(row, "role", vocab.roles),
                start=check.date(row, "start"),
                end=check.date(row, "end"),
                as_of=check.date(row, "as_of"),
                sources=cite(row),
                quote=check.text(row, "quote"),
                note=check.text(row, "note"),
                origin=row.origin,
            )
            if not ordered(membership.start, membership.end):
                check.fail(row, f"end {membership.end} is before start {membership.start}")
            if membership.start is None and membership.as_of is None:
                check.fail(row, "needs start or as_of (the date on which the source shows the membership)")
            records.memberships.append(membership)

    # --- agreements -----------------------------------------------------------------------
    for path in _files(root / "agreements", "*.csv"):
        for row in rows(path, "agreements"):
            aid = check.pattern(row, "id", ID, "lowercase letters, digits and '-'")
            agreement = Agreement(
                id=aid,
                label=check.text(row, "label", required=True, limit=MAX_LABEL),
                alt_labels=check.listing(row, "alt_labels"),
                kind=check.choice(row, "kind", vocab.agreement_kinds),
                pillars=check.pillars(row),
                parties=check.listing(row, "parties"),
                signed=check.date(row, "signed"),
                in_force=check.date(row, "in_force"),
                ended=check.date(row, "ended"),
                amends=row.get("amends"),
                homepage=check.pattern(row, "homepage", URL, "a web address", required=False),
                wikidata=check.pattern(row, "wikidata", QID, "a Wikidata id such as Q16", required=False),
                sources=cite(row),
                quote=check.text(row, "quote"),
                description=check.text(row, "description"),
                origin=row.origin,
            )
            if not ordered(agreement.signed, agreement.in_force):
                check.fail(row, f"in_force {agreement.in_force} is before signed {agreement.signed}")
            if not ordered(agreement.in_force or agreement.signed, agreement.ended):
                check.fail(row, f"ended {agreement.ended} is before the agreement began")
            if len(set(agreement.parties)) < 2:
                check.fail(row, f"parties {';'.join(agreement.parties)!r} names fewer than two parties")
            elif len(set(agreement.parties)) == 2 and "CAN" not in agreement.parties:
                check.fail(row, "a bilateral agreement must have CAN among its parties")
            if aid and claim_id(row, aid, "agreement"):
                records.agreements[aid] = agreement

    # --- engagements ------------------------------------------------------------------------
    for path in _files(root / "engagements", "*.csv"):
        for row in rows(path, "engagements"):
            eid = check.pattern(row, "id", ID, "lowercase letters, digits and '-'")
            engagement = Engagement(
                id=eid,
                kind=check.choice(row, "kind", vocab.engagement_kinds),
                actor=row.get("actor") or "CAN",
                channel=row.get("channel"),
                partners=check.listing(row, "partners"),
                start=check.date(row, "start"),
                end=check.date(row, "end"),
                pillars=check.pillars(row),
                label=check.text(row, "label", limit=MAX_LABEL),
                sources=cite(row),
                quote=check.text(row, "quote"),
                origin=row.origin,
            )
            if not ordered(engagement.start, engagement.end):
                check.fail(row, f"end {engagement.end} is before start {engagement.start}")
            if engagement.start is None:
                check.fail(row, "start is empty; say when the engagement began")
            if eid and eid in records.engagements:
                check.fail(
                    row, f"duplicate engagement id {eid!r} (first at {records.engagements[eid].origin})"
                )
            elif eid:
                records.engagements[eid] = engagement

    for path in _files(root / "visa-policy", "*.csv"):
        for row in rows(path, "visa_policy"):
            vid = check.pattern(row, "id", ID, "lowercase letters, digits and '-'")
            policy = VisaPolicy(
                id=vid,
                nationality=check.pattern(
                    row, "nationality", ALPHA3, "an ISO 3166-1 alpha-3 code such as MEX"
                ),
                destination=check.pattern(
                    row, "destination", ALPHA3, "an ISO 3166-1 alpha-3 code such as CAN"
                ),
                category=check.choice(row, "category", vocab.visa_categories),
                start=check.date(row, "start"),
                end=check.date(row, "end"),
                scope=check.text(row, "scope", limit=MAX_LABEL),
                label=check.text(row, "label", limit=MAX_LABEL),
                sources=cite(row),
                quote=check.text(row, "quote"),
                note=check.text(row, "note"),
                origin=row.origin,
            )
            if not ordered(policy.start, policy.end):
                check.fail(row, f"end {policy.end} is before start {policy.start}")
            if policy.start is None and row.get("start") == "":
                check.fail(row, "start is empty; say when the policy took effect")
            if vid and vid in records.visa_policies:
                check.fail(
                    row, f"duplicate visa policy id {vid!r} (first at {records.visa_policies[vid].origin})"
                )
            elif vid:
                records.visa_policies[vid] = policy

    _cross_check(records, cited, known_pillars, problems)
    if problems:
        raise SourceErrors(problems)
    return records


def _no_duplicates(items, key: Callable, what: str, problems: list[Problem]) -> None:
    first: dict = {}
    for item in items:
        k = key(item)
        if k in first:
            problems.append(Problem(item.origin, f"duplicate {what} {k!r} (first at {first[k]})"))
        else:
            first[k] = item.origin


def _cross_check(records: Records, cited, known_pillars, problems: list[Problem]) -> None:
    """References between files: sources, countries, fora, agreements, counts."""
    for origin, sid in cited:
        if sid not in records.sources:
            problems.append(Problem(origin, f"unknown source id {sid!r}; add it to graph/sources/"))

    def actor_known(origin: Origin, ref: str, what: str) -> bool:
        if ref.isupper():
            if ref not in records.countries:
                problems.append(
                    Problem(
                        origin, f"{what} {ref!r} is not an ISO 3166-1 alpha-3 code in graph/countries.csv"
                    )
                )
                return False
        elif ref not in records.fora:
            problems.append(Problem(origin, f"{what} {ref!r} is neither a country code nor a forum id"))
            return False
        return True

    for forum in records.fora.values():
        known_pillars(forum.origin, forum.pillars)
    seen: dict[tuple, Origin] = {}
    for m in records.memberships:
        if m.member:
            actor_known(m.origin, m.member, "member")
        if m.member == m.forum:
            problems.append(Problem(m.origin, f"forum {m.forum!r} cannot be its own member"))
        key = (m.forum, m.member, m.role, str(m.start or m.as_of))
        if key in seen:
            problems.append(
                Problem(m.origin, f"duplicate membership of {m.member} as {m.role} (first at {seen[key]})")
            )
        seen[key] = m.origin
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
    for a in records.agreements.values():
        known_pillars(a.origin, a.pillars)
        for party in a.parties:
            actor_known(a.origin, party, "party")
        if a.amends and a.amends not in records.agreements:
            problems.append(Problem(a.origin, f"amends {a.amends!r} is not an agreement id"))
    _amends_without_cycles(records, problems)
    for e in records.engagements.values():
        known_pillars(e.origin, e.pillars)
        actor_known(e.origin, e.actor, "actor")
        if e.channel not in records.fora and e.channel not in records.agreements:
            problems.append(Problem(e.origin, f"channel {e.channel!r} is not a forum or agreement id"))
        for p in e.partners:
            actor_known(e.origin, p, "partner")
    _visa_policies_consistent(records, problems)


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
        group.sort(key=lambda v: (v.start.earliest(), v.origin))
        for earlier, later in pairwise(group):
            if earlier.end is None or later.start.latest() < earlier.end.earliest():
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
