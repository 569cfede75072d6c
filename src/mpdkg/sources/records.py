"""Typed records of the curated facts, as read from graph/; each remembers its file and line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from mpdkg.errors import Origin
from mpdkg.sources.dates import PartialDate


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    title: str
    publisher: str
    accessed: dt.date
    note: str
    origin: Origin
    #: What the source is: a notation of mpd:SourceKindScheme, or "" when not yet stated.
    kind: str = ""
    #: The address of the copy actually read, when ``url`` names the original.
    read_from: str = ""


@dataclass(frozen=True)
class Objective:
    number: int
    label: str
    sources: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class Pillar:
    number: int
    label: str
    objectives: tuple[int, ...]
    sources: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class LineOfEffort:
    pillar: int
    number: int
    label: str
    sources: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class Country:
    alpha3: str
    alpha2: str
    numeric: str
    name: str
    official_name: str
    region: str
    subregion: str
    intermediate_region: str
    wikidata: str
    sources: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class Forum:
    id: str
    label: str
    alt_labels: tuple[str, ...]
    kind: str
    pillars: tuple[int, ...]
    established: PartialDate | None
    ended: PartialDate | None
    homepage: str
    wikidata: str
    members_complete: bool
    member_counts: dict[str, int]
    members_source: tuple[str, ...]
    members_as_of: PartialDate | None
    sources: tuple[str, ...]
    quote: str
    description: str
    origin: Origin


@dataclass(frozen=True)
class Membership:
    forum: str
    member: str
    role: str
    start: PartialDate | None
    end: PartialDate | None
    as_of: PartialDate | None
    sources: tuple[str, ...]
    quote: str
    note: str
    origin: Origin


@dataclass(frozen=True)
class Agreement:
    id: str
    label: str
    alt_labels: tuple[str, ...]
    kind: str
    pillars: tuple[int, ...]
    parties: tuple[str, ...]
    signed: PartialDate | None
    in_force: PartialDate | None
    ended: PartialDate | None
    amends: str
    homepage: str
    wikidata: str
    sources: tuple[str, ...]
    quote: str
    description: str
    origin: Origin


@dataclass(frozen=True)
class Engagement:
    id: str
    kind: str
    actor: str
    channel: str
    partners: tuple[str, ...]
    start: PartialDate | None
    end: PartialDate | None
    pillars: tuple[int, ...]
    label: str
    sources: tuple[str, ...]
    quote: str
    origin: Origin


@dataclass(frozen=True)
class VisaPolicy:
    """An entry rule of ``destination`` for holders of ``nationality``'s passports, over a period."""

    id: str
    nationality: str
    destination: str
    category: str
    start: PartialDate | None
    end: PartialDate | None
    scope: str
    label: str
    sources: tuple[str, ...]
    quote: str
    note: str
    origin: Origin


@dataclass
class Records:
    """Everything read from graph/, checked and cross-referenced."""

    sources: dict[str, Source] = field(default_factory=dict)
    objectives: list[Objective] = field(default_factory=list)
    pillars: list[Pillar] = field(default_factory=list)
    lines_of_effort: list[LineOfEffort] = field(default_factory=list)
    countries: dict[str, Country] = field(default_factory=dict)
    fora: dict[str, Forum] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    engagements: dict[str, Engagement] = field(default_factory=dict)
    visa_policies: dict[str, VisaPolicy] = field(default_factory=dict)
