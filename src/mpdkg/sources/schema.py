"""One spec per kind of curated file: where the files are, their columns (required, optional) and
how a row becomes a record, with the checks of each column (type, vocabulary, limits) named in
its reader. The loader, scripts/synth.py (``COLUMNS``) and the tests read these specs.

>>> [spec.name for spec in SPECS][:3]
['sources', 'objectives', 'pillars']
>>> COLUMNS["visa_policy"].required
('id', 'nationality', 'destination', 'category', 'start', 'source')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mpdkg.errors import Origin, Problem
from mpdkg.sources.checks import (
    ALPHA2,
    ALPHA3,
    COUNT,
    ID,
    ID_EXPECTED,
    NUMERIC,
    QID,
    QID_EXPECTED,
    SOURCE_ID,
    URL,
    URL_EXPECTED,
    Context,
)
from mpdkg.sources.csvtable import Columns, Row
from mpdkg.sources.dates import ordered
from mpdkg.sources.records import (
    Agreement,
    Country,
    Engagement,
    Forum,
    LineOfEffort,
    Membership,
    Objective,
    Pillar,
    Source,
    VisaPolicy,
)


@dataclass(frozen=True)
class FileKind:
    """A kind of curated file: ``pattern`` under graph/ (a glob, or one required file)."""

    name: str
    pattern: str
    columns: Columns
    read: Callable[[Context, Row], None]
    required_file: bool = False
    #: a check of the file as a whole (its name), before its rows
    per_file: Callable[[Context, Path, Origin], None] | None = None


def read_source(ctx: Context, row: Row) -> None:
    check = ctx.check
    sid = check.pattern(row, "id", SOURCE_ID, "lowercase letters, digits, '.', '_' or '-'")
    url = check.pattern(row, "url", URL, URL_EXPECTED)
    accessed = row.get("accessed")
    try:
        accessed_date: dt.date | None = dt.date.fromisoformat(accessed)
    except ValueError:
        check.fail(row, f"accessed {accessed!r} is not a date; expected YYYY-MM-DD")
        accessed_date = None
    title = check.label(row, "title", required=True)
    publisher = check.label(row, "publisher", required=True)
    note = check.text(row, "note")
    kind = check.choice(row, "kind", ctx.vocab.source_kinds) if row.get("kind") else ""
    read_from = check.pattern(row, "read_from", URL, URL_EXPECTED, required=False)
    if read_from and read_from == url:
        check.fail(
            row, "read_from is the same address as url; leave read_from empty when the original was read"
        )
    if sid and ctx.first(row, ctx.records.sources, sid, "source id") and url and accessed_date:
        ctx.records.sources[sid] = Source(
            sid, url, title, publisher, accessed_date, note, row.origin, kind, read_from
        )


def read_objective(ctx: Context, row: Row) -> None:
    number = ctx.check.integer(row, "number", 1, 99)
    label = ctx.check.text(row, "label", required=True)
    if number is not None:
        ctx.records.objectives.append(Objective(number, label, ctx.cite(row), row.origin))


def read_pillar(ctx: Context, row: Row) -> None:
    number = ctx.check.integer(row, "number", 1, 99)
    label = ctx.check.text(row, "label", required=True)
    objectives = ctx.check.pillars(row, "objectives")
    if number is not None:
        ctx.records.pillars.append(Pillar(number, label, objectives, ctx.cite(row), row.origin))


def read_line_of_effort(ctx: Context, row: Row) -> None:
    pillar = ctx.check.integer(row, "pillar", 1, 99)
    number = ctx.check.integer(row, "number", 1, 99)
    label = ctx.check.text(row, "label", required=True)
    if pillar is not None and number is not None:
        ctx.records.lines_of_effort.append(LineOfEffort(pillar, number, label, ctx.cite(row), row.origin))


def read_country(ctx: Context, row: Row) -> None:
    check = ctx.check
    a3 = check.pattern(row, "alpha3", ALPHA3, "an ISO 3166-1 alpha-3 code such as CAN")
    country = Country(
        a3,
        check.pattern(row, "alpha2", ALPHA2, "an ISO 3166-1 alpha-2 code such as CA"),
        check.pattern(row, "numeric", NUMERIC, "three digits", required=False),
        check.label(row, "name", required=True),
        check.label(row, "official_name"),
        check.label(row, "region"),
        check.label(row, "subregion"),
        check.label(row, "intermediate_region"),
        check.pattern(row, "wikidata", QID, QID_EXPECTED, required=False),
        ctx.cite(row),
        row.origin,
    )
    if a3 and a3 in ctx.records.countries:
        check.fail(row, f"duplicate country {a3} (first at {ctx.records.countries[a3].origin})")
    elif a3:
        ctx.records.countries[a3] = country


def _member_counts(ctx: Context, row: Row) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in ctx.check.listing(row, "member_counts"):
        m = COUNT.match(part)
        if not m or m.group(1) not in ctx.vocab.roles:
            ctx.check.fail(
                row,
                f"member_counts {part!r} is not valid; expected role=N with a role from: {', '.join(ctx.vocab.roles)}",
            )
        else:
            counts[m.group(1)] = int(m.group(2))
    return counts


def read_forum(ctx: Context, row: Row) -> None:
    check = ctx.check
    fid = check.pattern(row, "id", ID, ID_EXPECTED)
    forum = Forum(
        id=fid,
        label=check.label(row, "label", required=True),
        alt_labels=check.listing(row, "alt_labels"),
        kind=check.choice(row, "kind", ctx.vocab.forum_kinds),
        pillars=check.pillars(row),
        established=check.date(row, "established"),
        ended=check.date(row, "ended"),
        homepage=check.pattern(row, "homepage", URL, "a web address", required=False),
        wikidata=check.pattern(row, "wikidata", QID, QID_EXPECTED, required=False),
        members_complete=check.boolean(row, "members_complete"),
        member_counts=_member_counts(ctx, row),
        members_source=ctx.cite(row, "members_source"),
        members_as_of=check.date(row, "members_as_of"),
        sources=ctx.cite(row),
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
            row, "members_complete is yes but member_counts is empty; give the counts the source states"
        )
    if fid and ctx.claim_id(row, fid, "forum"):
        ctx.records.fora[fid] = forum


def membership_file(ctx: Context, path: Path, origin: Origin) -> None:
    if path.stem not in ctx.records.fora:
        ctx.problems.append(
            Problem(
                origin, f"no forum with id {path.stem!r} in graph/fora/; the file name must be a forum id"
            )
        )


def read_membership(ctx: Context, row: Row) -> None:
    check = ctx.check
    membership = Membership(
        forum=Path(row.origin.file).stem,
        member=check.text(row, "member", required=True, limit=40),
        role=check.choice(row, "role", ctx.vocab.roles),
        start=check.date(row, "start"),
        end=check.date(row, "end"),
        as_of=check.date(row, "as_of"),
        sources=ctx.cite(row),
        quote=check.text(row, "quote"),
        note=check.text(row, "note"),
        origin=row.origin,
    )
    if not ordered(membership.start, membership.end):
        check.fail(row, f"end {membership.end} is before start {membership.start}")
    if membership.start is None and membership.as_of is None:
        check.fail(row, "needs start or as_of (the date on which the source shows the membership)")
    ctx.records.memberships.append(membership)


def read_agreement(ctx: Context, row: Row) -> None:
    check = ctx.check
    aid = check.pattern(row, "id", ID, ID_EXPECTED)
    agreement = Agreement(
        id=aid,
        label=check.label(row, "label", required=True),
        alt_labels=check.listing(row, "alt_labels"),
        kind=check.choice(row, "kind", ctx.vocab.agreement_kinds),
        pillars=check.pillars(row),
        parties=check.listing(row, "parties"),
        signed=check.date(row, "signed"),
        in_force=check.date(row, "in_force"),
        ended=check.date(row, "ended"),
        amends=row.get("amends"),
        homepage=check.pattern(row, "homepage", URL, "a web address", required=False),
        wikidata=check.pattern(row, "wikidata", QID, QID_EXPECTED, required=False),
        sources=ctx.cite(row),
        quote=check.text(row, "quote"),
        description=check.text(row, "description"),
        origin=row.origin,
    )
    if not ordered(agreement.signed, agreement.in_force):
        check.fail(row, f"in_force {agreement.in_force} is before signed {agreement.signed}")
    if not ordered(agreement.in_force or agreement.signed, agreement.ended):
        check.fail(row, f"ended {agreement.ended} is before the agreement began")
    parties = set(agreement.parties)
    if len(parties) < 2:
        check.fail(row, f"parties {';'.join(agreement.parties)!r} names fewer than two parties")
    elif len(parties) == 2 and "CAN" not in parties:
        check.fail(row, "a bilateral agreement must have CAN among its parties")
    if aid and ctx.claim_id(row, aid, "agreement"):
        ctx.records.agreements[aid] = agreement


def read_engagement(ctx: Context, row: Row) -> None:
    check = ctx.check
    eid = check.pattern(row, "id", ID, ID_EXPECTED)
    engagement = Engagement(
        id=eid,
        kind=check.choice(row, "kind", ctx.vocab.engagement_kinds),
        actor=row.get("actor") or "CAN",
        channel=row.get("channel"),
        partners=check.listing(row, "partners"),
        start=check.date(row, "start"),
        end=check.date(row, "end"),
        pillars=check.pillars(row),
        label=check.label(row, "label"),
        sources=ctx.cite(row),
        quote=check.text(row, "quote"),
        origin=row.origin,
    )
    if not ordered(engagement.start, engagement.end):
        check.fail(row, f"end {engagement.end} is before start {engagement.start}")
    if engagement.start is None:
        check.fail(row, "start is empty; say when the engagement began")
    if eid and ctx.first(row, ctx.records.engagements, eid, "engagement id"):
        ctx.records.engagements[eid] = engagement


def read_visa_policy(ctx: Context, row: Row) -> None:
    check = ctx.check
    vid = check.pattern(row, "id", ID, ID_EXPECTED)
    policy = VisaPolicy(
        id=vid,
        nationality=check.pattern(row, "nationality", ALPHA3, "an ISO 3166-1 alpha-3 code such as MEX"),
        destination=check.pattern(row, "destination", ALPHA3, "an ISO 3166-1 alpha-3 code such as CAN"),
        category=check.choice(row, "category", ctx.vocab.visa_categories),
        start=check.date(row, "start"),
        end=check.date(row, "end"),
        scope=check.label(row, "scope"),
        label=check.label(row, "label"),
        sources=ctx.cite(row),
        quote=check.text(row, "quote"),
        note=check.text(row, "note"),
        origin=row.origin,
    )
    if not ordered(policy.start, policy.end):
        check.fail(row, f"end {policy.end} is before start {policy.start}")
    if policy.start is None and row.get("start") == "":
        check.fail(row, "start is empty; say when the policy took effect")
    if vid and ctx.first(row, ctx.records.visa_policies, vid, "visa policy id"):
        ctx.records.visa_policies[vid] = policy


SPECS: tuple[FileKind, ...] = (
    FileKind(
        "sources",
        "sources/*.csv",
        Columns(("id", "url", "title", "publisher", "accessed"), ("note", "kind", "read_from")),
        read_source,
    ),
    FileKind(
        "objectives",
        "framework/objectives.csv",
        Columns(("id", "number", "label", "source")),
        read_objective,
        True,
    ),
    FileKind(
        "pillars",
        "framework/pillars.csv",
        Columns(("id", "number", "label", "source"), ("objectives",)),
        read_pillar,
        True,
    ),
    FileKind(
        "lines_of_effort",
        "framework/lines_of_effort.csv",
        Columns(("id", "pillar", "number", "label", "source")),
        read_line_of_effort,
        True,
    ),
    FileKind(
        "countries",
        "countries.csv",
        Columns(
            ("alpha3", "alpha2", "name", "source"),
            ("numeric", "official_name", "region", "subregion", "intermediate_region", "wikidata"),
        ),
        read_country,
        True,
    ),
    FileKind(
        "fora",
        "fora/*.csv",
        Columns(
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
        ),  # fmt: skip
        read_forum,
    ),
    FileKind(
        "memberships",
        "memberships/*.csv",
        Columns(("member", "role", "source"), ("start", "end", "as_of", "quote", "note")),
        read_membership,
        per_file=membership_file,
    ),
    FileKind(
        "agreements",
        "agreements/*.csv",
        Columns(
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
        ),  # fmt: skip
        read_agreement,
    ),
    FileKind(
        "engagements",
        "engagements/*.csv",
        Columns(
            ("id", "kind", "channel", "source"),
            ("actor", "partners", "start", "end", "pillars", "label", "quote"),
        ),
        read_engagement,
    ),
    FileKind(
        "visa_policy",
        "visa-policy/*.csv",
        Columns(
            ("id", "nationality", "destination", "category", "start", "source"),
            ("end", "scope", "label", "quote", "note"),
        ),
        read_visa_policy,
    ),
)

#: The columns of each kind of file, by kind name (scripts/synth.py writes files with them).
COLUMNS: dict[str, Columns] = {spec.name: spec.columns for spec in SPECS}
