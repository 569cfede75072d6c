"""One spec per kind of curated file: where the files are, each column (in the header or not,
value required or not, its type and closed list) and how the checked values become a record.
The loader, scripts/synth.py (``COLUMNS``) and the tests read these specs.

>>> [spec.name for spec in SPECS][:3]
['sources', 'objectives', 'pillars']
>>> COLUMNS["visa_policy"].required
('id', 'nationality', 'destination', 'category', 'start', 'source')
>>> [c.vocab for c in SPEC["visa_policy"].cols if c.type == "choice"]
['visa_categories']
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpdkg.errors import Origin, Problem
from mpdkg.sources.checks import (
    ALPHA2,
    ALPHA3,
    COUNT,
    ID,
    ID_EXPECTED,
    MAX_LABEL,
    MAX_TEXT,
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

Values = dict[str, Any]


@dataclass(frozen=True)
class Col:
    """One column: ``header`` (must be in the header), ``value`` (must not be empty), its type
    (a key of ``READERS``), the Vocabulary list of a ``choice``, a length limit for text, and the
    expected form for pattern types when it differs from the type's."""

    name: str
    type: str = "text"
    header: bool = False
    value: bool = False
    vocab: str = ""
    limit: int = MAX_TEXT
    expected: str = ""


def _pattern(regex: re.Pattern[str], expected: str) -> Callable[[Context, Row, Col], str]:
    def read(ctx: Context, row: Row, col: Col) -> str:
        return ctx.check.pattern(row, col.name, regex, col.expected or expected, required=col.value)

    return read


def _choice(ctx: Context, row: Row, col: Col) -> str:
    if not col.value and not row.get(col.name):
        return ""
    return ctx.check.choice(row, col.name, getattr(ctx.vocab, col.vocab))


def _day(ctx: Context, row: Row, col: Col) -> dt.date | None:
    value = row.get(col.name)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        ctx.check.fail(row, f"{col.name} {value!r} is not a date; expected YYYY-MM-DD")
        return None


def _counts(ctx: Context, row: Row, col: Col) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in ctx.check.listing(row, col.name):
        m = COUNT.match(part)
        if not m or m.group(1) not in ctx.vocab.roles:
            ctx.check.fail(
                row,
                f"{col.name} {part!r} is not valid; expected role=N with a role from: {', '.join(ctx.vocab.roles)}",
            )
        else:
            counts[m.group(1)] = int(m.group(2))
    return counts


#: How each type of column is read and checked.
READERS: dict[str, Callable[[Context, Row, Col], Any]] = {
    "raw": lambda ctx, row, col: row.get(col.name),
    "text": lambda ctx, row, col: ctx.check.text(row, col.name, required=col.value, limit=col.limit),
    "id": _pattern(ID, ID_EXPECTED),
    "source-id": _pattern(SOURCE_ID, "lowercase letters, digits, '.', '_' or '-'"),
    "url": _pattern(URL, URL_EXPECTED),
    "web": _pattern(URL, "a web address"),
    "alpha3": _pattern(ALPHA3, "an ISO 3166-1 alpha-3 code such as CAN"),
    "alpha2": _pattern(ALPHA2, "an ISO 3166-1 alpha-2 code such as CA"),
    "numeric": _pattern(NUMERIC, "three digits"),
    "qid": _pattern(QID, QID_EXPECTED),
    "number": lambda ctx, row, col: ctx.check.integer(row, col.name, 1, 99),
    "date": lambda ctx, row, col: ctx.check.date(row, col.name),
    "day": _day,
    "list": lambda ctx, row, col: ctx.check.listing(row, col.name),
    "pillars": lambda ctx, row, col: ctx.check.pillars(row, col.name),
    "yes-no": lambda ctx, row, col: ctx.check.boolean(row, col.name),
    "choice": _choice,
    "sources": lambda ctx, row, col: ctx.cite(row, col.name),
    "counts": _counts,
}


@dataclass(frozen=True)
class FileKind:
    """A kind of curated file: ``pattern`` under graph/ (a glob, or one required file), its
    columns, and ``make``, which turns a row's checked values into a record (and checks the row
    as a whole)."""

    name: str
    pattern: str
    cols: tuple[Col, ...]
    make: Callable[[Context, Row, Values], None]
    required_file: bool = False
    #: a check of the file as a whole (its name), before its rows
    per_file: Callable[[Context, Path, Origin], None] | None = None

    @property
    def columns(self) -> Columns:
        return Columns(
            tuple(c.name for c in self.cols if c.header), tuple(c.name for c in self.cols if not c.header)
        )

    def read(self, ctx: Context, row: Row) -> None:
        values = {c.name: READERS[c.type](ctx, row, c) for c in self.cols}
        self.make(ctx, row, values)


def _fields(record_type: type[Any], v: Values, row: Row, **extra: Any) -> Any:
    """The record of ``record_type`` from the values of its fields (column ``source`` fills
    ``sources``), the row's origin and ``extra``."""
    values = {**v, "sources": v.get("source", ())}
    names = record_type.__dataclass_fields__
    return record_type(**{k: values[k] for k in names if k in values}, **extra, origin=row.origin)


#: Sites that host copies of other publishers' documents (reprints, uploads, web archives): an
#: address there is not the original's, so it belongs in ``read_from``, unless the original is not
#: known and the source is filed as a secondary copy. GitHub is left out: datasets live there.
COPY_HOSTS = re.compile(
    r"(?:^|\.)(?:docslib\.org|(?:v|f)documents\.\w+|documents\.pub|studylib\.\w+|scribd\.com|"
    r"docplayer\.\w+|pdfcoffee\.com|yumpu\.com|dokumen\.pub|issuu\.com|slideshare\.net|"
    r"coursehero\.com|docsbay\.net|123dok\.\w+|readkong\.com|pdfslide\.\w+|idoc\.pub|kupdf\.\w+|"
    r"dokumen\.tips|web\.archive\.org|archive-it\.org|archive\.(?:ph|today|is))$"
)


def copy_host(url: str) -> str | None:
    """The host of ``url`` when it is a site of copies (COPY_HOSTS), else None.

    >>> copy_host("https://docslib.org/download/3365230/mc-2097-rev-1")
    'docslib.org'
    >>> copy_host("https://bac-lac.wayback.archive-it.org/web/2007/x"), copy_host("https://www.unhcr.org/x")
    ('bac-lac.wayback.archive-it.org', None)
    """
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host if COPY_HOSTS.search(host) else None


def make_source(ctx: Context, row: Row, v: Values) -> None:
    if v["read_from"] and v["read_from"] == v["url"]:
        ctx.check.fail(
            row, "read_from is the same address as url; leave read_from empty when the original was read"
        )
    host = copy_host(v["url"] or "")
    if host and v["kind"] and v["kind"] != "secondary-copy":
        ctx.check.fail(
            row,
            f"url {v['url']!r} is a copy on {host}, not the original: put the original's address in url "
            f"and this one in read_from, or, when the original is not known, set kind to secondary-copy "
            f"(not {v['kind']!r})",
        )
    sid = v["id"]
    if sid and ctx.first(row, ctx.records.sources, sid, "source id") and v["url"] and v["accessed"]:
        ctx.records.sources[sid] = _fields(Source, v, row)


def make_objective(ctx: Context, row: Row, v: Values) -> None:
    if v["number"] is not None:
        ctx.records.objectives.append(_fields(Objective, v, row))


def make_pillar(ctx: Context, row: Row, v: Values) -> None:
    if v["number"] is not None:
        ctx.records.pillars.append(_fields(Pillar, v, row))


def make_line_of_effort(ctx: Context, row: Row, v: Values) -> None:
    if v["pillar"] is not None and v["number"] is not None:
        ctx.records.lines_of_effort.append(_fields(LineOfEffort, v, row))


def make_country(ctx: Context, row: Row, v: Values) -> None:
    a3 = v["alpha3"]
    if a3 and a3 in ctx.records.countries:
        ctx.check.fail(row, f"duplicate country {a3} (first at {ctx.records.countries[a3].origin})")
    elif a3:
        ctx.records.countries[a3] = _fields(Country, v, row)


def make_forum(ctx: Context, row: Row, v: Values) -> None:
    check = ctx.check
    forum: Forum = _fields(Forum, v, row)
    if not ordered(forum.established, forum.ended):
        check.fail(row, f"ended {forum.ended} is before established {forum.established}")
    if forum.members_complete and not forum.members_source:
        check.fail(row, "members_complete is yes but members_source is empty; cite the full list")
    if forum.members_complete and not forum.member_counts:
        check.fail(
            row, "members_complete is yes but member_counts is empty; give the counts the source states"
        )
    if forum.id and ctx.claim_id(row, forum.id, "forum"):
        ctx.records.fora[forum.id] = forum


def membership_file(ctx: Context, path: Path, origin: Origin) -> None:
    if path.stem not in ctx.records.fora:
        ctx.problems.append(
            Problem(
                origin, f"no forum with id {path.stem!r} in graph/fora/; the file name must be a forum id"
            )
        )


def make_membership(ctx: Context, row: Row, v: Values) -> None:
    membership: Membership = _fields(Membership, v, row, forum=Path(row.origin.file).stem)
    if not ordered(membership.start, membership.end):
        ctx.check.fail(row, f"end {membership.end} is before start {membership.start}")
    if membership.start is None and membership.as_of is None:
        ctx.check.fail(row, "needs start or as_of (the date on which the source shows the membership)")
    ctx.records.memberships.append(membership)


def make_agreement(ctx: Context, row: Row, v: Values) -> None:
    check = ctx.check
    agreement: Agreement = _fields(Agreement, v, row)
    if not ordered(agreement.signed, agreement.in_force):
        check.fail(row, f"in_force {agreement.in_force} is before signed {agreement.signed}")
    if not ordered(agreement.in_force or agreement.signed, agreement.ended):
        check.fail(row, f"ended {agreement.ended} is before the agreement began")
    parties = set(agreement.parties)
    if len(parties) < 2:
        check.fail(row, f"parties {';'.join(agreement.parties)!r} names fewer than two parties")
    elif len(parties) == 2 and "CAN" not in parties:
        check.fail(row, "a bilateral agreement must have CAN among its parties")
    if agreement.id and ctx.claim_id(row, agreement.id, "agreement"):
        ctx.records.agreements[agreement.id] = agreement


def make_engagement(ctx: Context, row: Row, v: Values) -> None:
    engagement: Engagement = _fields(Engagement, {**v, "actor": v["actor"] or "CAN"}, row)
    if not ordered(engagement.start, engagement.end):
        ctx.check.fail(row, f"end {engagement.end} is before start {engagement.start}")
    if engagement.start is None:
        ctx.check.fail(row, "start is empty; say when the engagement began")
    eid = engagement.id
    if eid and ctx.first(row, ctx.records.engagements, eid, "engagement id"):
        ctx.records.engagements[eid] = engagement


def make_visa_policy(ctx: Context, row: Row, v: Values) -> None:
    policy: VisaPolicy = _fields(VisaPolicy, v, row)
    if not ordered(policy.start, policy.end):
        ctx.check.fail(row, f"end {policy.end} is before start {policy.start}")
    if policy.start is None and row.get("start") == "":
        ctx.check.fail(row, "start is empty; say when the policy took effect")
    if policy.id and ctx.first(row, ctx.records.visa_policies, policy.id, "visa policy id"):
        ctx.records.visa_policies[policy.id] = policy


def _sourced(*cols: Col) -> tuple[Col, ...]:
    """The columns, then the required ``source`` column every fact has."""
    return (*cols, Col("source", "sources", header=True))


_LABEL = Col("label", header=True, value=True, limit=MAX_LABEL)
_NUMBER = Col("number", "number", header=True)

SPECS: tuple[FileKind, ...] = (
    FileKind("sources", "sources/*.csv", (
        Col("id", "source-id", header=True, value=True), Col("url", "url", header=True, value=True),
        Col("title", header=True, value=True, limit=MAX_LABEL),
        Col("publisher", header=True, value=True, limit=MAX_LABEL), Col("accessed", "day", header=True),
        Col("note"), Col("kind", "choice", value=True, vocab="source_kinds"), Col("read_from", "url"),
    ), make_source),
    FileKind("objectives", "framework/objectives.csv", _sourced(
        Col("id", "raw", header=True), _NUMBER, Col("label", header=True, value=True),
    ), make_objective, True),
    FileKind("pillars", "framework/pillars.csv", _sourced(
        Col("id", "raw", header=True), _NUMBER, Col("label", header=True, value=True), Col("objectives", "pillars"),
    ), make_pillar, True),
    FileKind("lines_of_effort", "framework/lines_of_effort.csv", _sourced(
        Col("id", "raw", header=True), Col("pillar", "number", header=True), _NUMBER,
        Col("label", header=True, value=True),
    ), make_line_of_effort, True),
    FileKind("countries", "countries.csv", _sourced(
        Col("alpha3", "alpha3", header=True, value=True), Col("alpha2", "alpha2", header=True, value=True),
        Col("name", header=True, value=True, limit=MAX_LABEL), Col("numeric", "numeric"),
        Col("official_name", limit=MAX_LABEL), Col("region", limit=MAX_LABEL), Col("subregion", limit=MAX_LABEL),
        Col("intermediate_region", limit=MAX_LABEL), Col("wikidata", "qid"),
    ), make_country, True),
    FileKind("fora", "fora/*.csv", _sourced(
        Col("id", "id", header=True, value=True), _LABEL, Col("kind", "choice", header=True, value=True, vocab="forum_kinds"),
        Col("alt_labels", "list"), Col("pillars", "pillars"), Col("established", "date"), Col("ended", "date"),
        Col("homepage", "web"), Col("wikidata", "qid"), Col("members_complete", "yes-no"),
        Col("member_counts", "counts"), Col("members_source", "sources"), Col("members_as_of", "date"),
        Col("quote"), Col("description"),
    ), make_forum),
    FileKind("memberships", "memberships/*.csv", _sourced(
        Col("member", header=True, value=True, limit=40), Col("role", "choice", header=True, value=True, vocab="roles"),
        Col("start", "date"), Col("end", "date"), Col("as_of", "date"), Col("quote"), Col("note"),
    ), make_membership, per_file=membership_file),
    FileKind("agreements", "agreements/*.csv", _sourced(
        Col("id", "id", header=True, value=True), _LABEL,
        Col("kind", "choice", header=True, value=True, vocab="agreement_kinds"), Col("parties", "list", header=True),
        Col("alt_labels", "list"), Col("pillars", "pillars"), Col("signed", "date"), Col("in_force", "date"),
        Col("ended", "date"), Col("amends", "raw"), Col("homepage", "web"), Col("wikidata", "qid"),
        Col("quote"), Col("description"),
    ), make_agreement),
    FileKind("engagements", "engagements/*.csv", _sourced(
        Col("id", "id", header=True, value=True), Col("kind", "choice", header=True, value=True, vocab="engagement_kinds"),
        Col("channel", "raw", header=True), Col("actor", "raw"), Col("partners", "list"), Col("start", "date"),
        Col("end", "date"), Col("pillars", "pillars"), Col("label", limit=MAX_LABEL), Col("quote"),
    ), make_engagement),
    FileKind("visa_policy", "visa-policy/*.csv", _sourced(
        Col("id", "id", header=True, value=True),
        Col("nationality", "alpha3", header=True, value=True, expected="an ISO 3166-1 alpha-3 code such as MEX"),
        Col("destination", "alpha3", header=True, value=True),
        Col("category", "choice", header=True, value=True, vocab="visa_categories"), Col("start", "date", header=True),
        Col("end", "date"), Col("scope", limit=MAX_LABEL), Col("label", limit=MAX_LABEL), Col("quote"), Col("note"),
    ), make_visa_policy),
)  # fmt: skip

SPEC: dict[str, FileKind] = {spec.name: spec for spec in SPECS}

#: The columns of each kind of file, by kind name (scripts/synth.py writes files with them).
COLUMNS: dict[str, Columns] = {spec.name: spec.columns for spec in SPECS}
