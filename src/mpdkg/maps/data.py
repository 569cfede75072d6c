"""The data behind the maps and the report: the influence analysis (:mod:`mpdkg.influence`) of
every slice (pillar x year), with the channels tying each country to Canada, the facts behind each
channel and their sources — so the network, the world map, the figures and the report agree.

The analysis reads the facts; this module adds what a picture needs besides: ISO numeric codes
(to join the country shapes), short names of fora, sources' publishers and access dates, and the
facts (memberships) behind each channel.

>>> from mpdkg.sources.load import load_sources
>>> from mpdkg.rdf.build import build_dataset
>>> data = load_map_data(build_dataset(load_sources()).dataset)
>>> data.countries["MEX"].label, data.countries["MEX"].numeric
('Mexico', '484')
>>> s = data.slice(pillar=None, year=data.latest)
>>> s.rows["MEX"].rank <= 10 and len(s.rows["MEX"].links) > 3
True
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mpdkg.influence.analysis import InfluenceConfig, analyse
from mpdkg.influence.network import CANADA_IRI, Facts, bounds, channel_network, in_force, load_facts
from mpdkg.namespaces import BASE
from mpdkg.query.packaged import package_query

# No year slider starts before this (a stray date would otherwise stretch it over centuries).
FIRST_YEAR = 1900
NO_REGION = "Unassigned"


def query_text(name: str) -> str:
    """The SPARQL text of ``src/mpdkg/maps/queries/<name>.rq``, read once from the package."""
    return package_query("maps", name)


def short_id(iri: str) -> str:
    """``https://w3id.org/mpdkg/forum/rcm`` -> ``forum/rcm`` (IRIs outside mpdkg unchanged).

    >>> short_id("https://w3id.org/mpdkg/forum/rcm")
    'forum/rcm'
    """
    return iri[len(BASE) :] if iri.startswith(BASE) else iri


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    id: str  # short id, e.g. "source/rcp-iom-igc"
    title: str
    publisher: str
    url: str
    accessed: str


@dataclass(frozen=True)
class Country:
    iso3: str
    label: str
    numeric: str
    region: str
    subregion: str


@dataclass(frozen=True)
class Channel:
    id: str  # short id: "forum/rcm", "agreement/stca"
    type: str  # "forum" or "agreement"
    label: str
    short: str  # an acronym when the curated alt labels give one, else the label
    kind: str  # the kind slug: "regional-consultative-process", "youth-mobility-arrangement" ...
    pillars: tuple[int, ...]
    sources: tuple[str, ...]
    canada_roles: tuple[str, ...] = ()
    bilateral_partner: str = ""  # for an agreement between Canada and exactly one country


@dataclass(frozen=True)
class VisaDecision:
    """A curated visa policy of Canada on one nationality, with its effective dates as the source
    gives them (a year, a month or a day): what the Passport Index snapshots cannot date."""

    id: str  # short id: "visa-policy/mex-visa-2009"
    category: str  # a visa-category notation: "visa-required", "eta", "visa-free"
    start: str
    end: str
    scope: str
    label: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """One channel tying one country to Canada in a slice, with the facts and sources behind it."""

    country: str
    channel: str  # the forum or agreement (for an engagement: the one it went through)
    relation: str  # the country's role, "party", or an engagement kind
    begin: int | None
    end: int | None
    pillars: tuple[int, ...]
    facts: tuple[str, ...]  # short ids: memberships, the agreement, engagements
    sources: tuple[str, ...]
    weight: float  # what the channel adds to the country's tie with Canada
    end_assumed: bool = False  # ``end`` is the term of [open_end]: no source gives the end


@dataclass(frozen=True)
class Row:
    """One country in a slice: its score and rank (from the analysis) and its links to Canada."""

    iso3: str
    score: float
    rank: int
    links: tuple[int, ...]  # indexes into MapData.links


@dataclass
class Slice:
    pillar: int | None
    year: int
    region: str | None
    rows: dict[str, Row]  # every country the analysis scores (Canada excluded)
    canada: dict[str, Any]
    gaps: dict[str, dict[str, Any]]  # region -> {"countries", "linked", "unlinked", "candidates"}

    def ranked(self) -> list[Row]:
        return sorted(self.rows.values(), key=lambda r: (r.rank, r.iso3))

    def partners(self) -> list[Row]:
        """The countries with at least one channel to Canada, strongest first."""
        return [r for r in self.ranked() if r.links]

    def link_ids(self) -> list[int]:
        return sorted({i for r in self.rows.values() for i in r.links})


@dataclass
class MapData:
    countries: dict[str, Country]
    channels: dict[str, Channel]
    sources: dict[str, Source]
    pillars: dict[int, str]
    latest: int
    facts: Facts
    config: InfluenceConfig
    # channel -> Canada's facts in it: (periods, fact, sources); periods as mpdkg.influence reads them
    canada_facts: dict[str, list[tuple[tuple, str, tuple[str, ...]]]] = field(default_factory=dict)
    # (iso3, channel) -> the country's membership facts in that forum
    member_facts: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    shorts: dict[str, str] = field(default_factory=dict)  # channel -> short name for labels
    visa_decisions: dict[str, tuple[VisaDecision, ...]] = field(default_factory=dict)  # iso3 -> oldest first
    links: list[Link] = field(default_factory=list)
    _link_index: dict[Link, int] = field(default_factory=dict, repr=False)
    _link_of_use: dict[tuple, Link] = field(default_factory=dict, repr=False)

    def slice(self, pillar: int | None = None, year: int | None = None, region: str | None = None) -> Slice:
        return score_slice(self, pillar, self.latest if year is None else year, region)

    def served_pillars(self) -> list[int]:
        """The pillars some forum or agreement serves (the analysis refuses the others)."""
        return sorted({p for ch in self.facts.channels.values() for p in ch.pillars})

    def region_of(self, iso3: str) -> str:
        c = self.countries.get(iso3)
        return (c.region if c else "") or NO_REGION

    def first_year(self) -> int:
        """The first year one of Canada's channels is in force (dated facts only)."""
        lows = [
            lo
            for held in self.canada_facts.values()
            for periods, _f, _s in held
            if (lo := bounds(periods, self.config)[0]) is not None and lo >= FIRST_YEAR
        ]
        return min(lows, default=self.latest)

    def years(self, as_of: int | None = None) -> list[int]:
        """The years the year slider offers: every year from the first of Canada's channels to
        ``as_of`` (default: the latest year the data speaks of)."""
        last = as_of or self.latest
        return list(range(min(self.first_year(), last), last + 1))

    def canada_channels(self, pillar: int | None, year: int) -> list[str]:
        """The channels Canada takes part in, in that pillar and year (with partners or not)."""
        return sorted(
            cid
            for cid, held in self.canada_facts.items()
            if (pillar is None or pillar in self.channels[cid].pillars)
            and any(in_force(periods, year, self.config) for periods, _f, _s in held)
        )

    def add_link(self, link: Link) -> int:
        if link not in self._link_index:
            self._link_index[link] = len(self.links)
            self.links.append(link)
        return self._link_index[link]


# --- reading the dataset ---------------------------------------------------------------------


def as_engine(source):
    """An engine for mpdkg.query.run_query from a Dataset, an Oxigraph store or an engine."""
    from mpdkg.influence.network import as_engine as influence_engine

    return influence_engine(source)


def _select(engine, text: str) -> list[dict[str, str]]:
    from mpdkg.query.engines import run_query

    result = run_query(engine, text)
    return [{k: str(v) for k, v in row.items() if v is not None} for row in result.dicts()]


def _short_name(label: str, alts: list[str]) -> str:
    """A short name for figures: the acronym made of the label's capitals, else the shortest
    all-capital alternative label, else the shortest alternative label of up to 16 characters.

    >>> _short_name("International Organization for Migration", ["ICM", "IOM", "OIM"])
    'IOM'
    >>> _short_name("Group of Seven", ["G-7", "G7", "G8"])
    'G7'
    """
    initials = "".join(ch for ch in label if ch.isupper())
    acronyms = [a for a in alts if a.replace("-", "").replace(" ", "").isupper() and len(a) <= 8]
    if initials in acronyms:
        return initials
    if acronyms:
        return sorted(acronyms, key=lambda a: (not a.isascii(), "-" in a, len(a), a))[0]
    short = sorted((a for a in alts if len(a) <= 16), key=lambda a: (len(a), a))
    return short[0] if short else label


def _sources_of(facts: Facts) -> Callable[[str], tuple[str, ...]]:
    def src(iri: str) -> tuple[str, ...]:
        return tuple(sorted(short_id(s) for s in facts.derived_from.get(iri, ())))

    return src


def _canada_ties(
    facts: Facts, config: InfluenceConfig, iso_of: dict[str, str], src: Callable[[str], tuple[str, ...]]
) -> tuple[dict[str, list], dict[str, set[str]], dict[tuple[str, str], set[str]], dict[str, str]]:
    """Canada's facts per channel, its roles, the members' facts per (country, forum) and the
    bilateral partner of each agreement between Canada and exactly one country."""
    canada: dict[str, list] = defaultdict(list)
    roles: dict[str, set[str]] = defaultdict(set)
    member_facts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in facts.memberships:
        forum = facts.channels.get(m.forum)
        if forum is None or forum.type != "forum" or config.role_weight(m.role) is None:
            continue  # votes are not channels (see influence_weights.toml)
        if m.actor == CANADA_IRI:
            periods = ((m.start, m.end, m.attested), (forum.start, forum.end, None))
            canada[m.forum].append((periods, short_id(m.iri), src(m.iri)))
            roles[m.forum].add(m.role)
        elif m.actor in iso_of:
            member_facts[(iso_of[m.actor], short_id(m.forum))].add(short_id(m.iri))
    bilateral: dict[str, str] = {}
    for a, parties in facts.parties.items():
        if CANADA_IRI in parties and a in facts.channels:
            ch = facts.channels[a]
            canada[a].append((((ch.start, ch.end, None),), short_id(a), src(a)))
            roles[a].add("party")
            others = [p for p in parties if p != CANADA_IRI]
            if len(others) == 1 and others[0] in iso_of:
                bilateral[a] = iso_of[others[0]]
    return canada, roles, member_facts, bilateral


def _visa_decisions(
    engine, iso_of: dict[str, str], src: Callable[[str], tuple[str, ...]]
) -> dict[str, tuple[VisaDecision, ...]]:
    """Canada's curated visa policies per nationality, oldest first (a year sorts before its days)."""
    by_country: dict[str, list[VisaDecision]] = defaultdict(list)
    for r in _select(engine, query_text("visa-policies")):
        iso3 = iso_of.get(r["nationality"])
        if iso3 is None:
            continue
        by_country[iso3].append(
            VisaDecision(
                short_id(r["policy"]), r["category"], r.get("start", ""), r.get("end", ""),
                r.get("scope", ""), r["label"], src(r["policy"]),
            )
        )  # fmt: skip
    return {c: tuple(sorted(v, key=lambda d: (d.start, d.id))) for c, v in sorted(by_country.items())}


def load_map_data(source, config: InfluenceConfig | None = None) -> MapData:
    """Read the facts of the analysis, and what the pictures need besides, from a dataset."""
    engine = as_engine(source)
    config = config or InfluenceConfig.load()
    facts = load_facts(engine)
    sources = {
        short_id(r["s"]): Source(
            short_id(r["s"]),
            r.get("title", ""),
            r.get("publisher", ""),
            r.get("url", ""),
            r.get("accessed", ""),
        )
        for r in _select(engine, query_text("sources"))
    }
    pillars = {int(r["n"]): r["label"] for r in _select(engine, query_text("pillars"))}
    numeric = {r["iso3"]: r["num"] for r in _select(engine, query_text("numeric"))}
    countries = {
        c.iso3: Country(c.iso3, c.label, numeric.get(c.iso3, ""), c.region, c.subregion)
        for c in facts.countries.values()
    }
    iso_of = {iri: c.iso3 for iri, c in facts.countries.items()}
    alts: dict[str, list[str]] = defaultdict(list)
    for r in _select(engine, query_text("alt-labels")):
        alts[r["ch"]].append(r["alt"])

    src = _sources_of(facts)
    canada, roles, member_facts, bilateral = _canada_ties(facts, config, iso_of, src)
    shorts = {
        short_id(iri): _short_name(ch.label, sorted(alts.get(iri, []))) for iri, ch in facts.channels.items()
    }
    channels = {}
    for iri in sorted(canada):
        ch = facts.channels[iri]
        channels[short_id(iri)] = Channel(
            short_id(iri),
            ch.type,
            ch.label,
            shorts[short_id(iri)],
            ch.kind,
            ch.pillars,
            src(iri),
            tuple(sorted(roles[iri])),
            bilateral.get(iri, ""),
        )
    return MapData(
        countries=dict(sorted(countries.items())),
        channels=channels,
        sources=sources,
        pillars=pillars,
        latest=facts.reference_year() or 2000,
        facts=facts,
        config=config,
        canada_facts={short_id(k): sorted(v, key=lambda t: t[1]) for k, v in sorted(canada.items())},
        member_facts={k: tuple(sorted(v)) for k, v in sorted(member_facts.items())},
        shorts=dict(sorted(shorts.items())),
        visa_decisions=_visa_decisions(engine, iso_of, src),
    )


# --- slices ----------------------------------------------------------------------------------


def _use_key(iso3: str, use) -> tuple:
    """What :func:`_link_from_use` reads of a ChannelUse (the same use recurs in most slices)."""
    return (
        iso3, use.type, use.iri, use.kind, use.role, use.via, use.through, use.since, use.until,
        use.until_assumed, tuple(use.pillars), tuple(use.engagements), tuple(use.sources), use.weight,
    )  # fmt: skip


def _link_of(data: MapData, iso3: str, use) -> Link:
    """:func:`_link_from_use`, computed once per distinct use."""
    key = _use_key(iso3, use)
    link = data._link_of_use.get(key)
    if link is None:
        link = data._link_of_use[key] = _link_from_use(data, iso3, use)
    return link


def _link_from_use(data: MapData, iso3: str, use) -> Link:
    """An mpdkg.influence ChannelUse as a Link, with the facts behind it."""
    if use.type == "engagement":
        channel = short_id(use.through)
        relation = use.kind
        facts: tuple[str, ...] = (short_id(use.iri),)
    else:
        channel = short_id(use.iri)
        relation = use.role + (f" (through {short_id(use.via)})" if use.via else "")
        own = data.member_facts.get((iso3, channel), ())
        if use.type == "agreement":
            own = (channel,) + (tuple(short_id(v) for v in use.via.split(";")) if use.via else ())
        facts = own + tuple(f for _p, f, _s in data.canada_facts.get(channel, ()) if f not in own)
        facts += tuple(short_id(e) for e in use.engagements)
    if channel not in data.channels:  # a channel Canada reaches only through an engagement
        ch = data.facts.channels.get(BASE + channel)
        data.channels[channel] = Channel(
            channel,
            ch.type if ch else channel.split("/")[0],
            ch.label if ch else channel,
            data.shorts.get(channel, channel),
            ch.kind if ch else "other",
            ch.pillars if ch else tuple(use.pillars),
            (),
        )
    return Link(
        iso3,
        channel,
        relation,
        use.since,
        use.until,
        tuple(use.pillars),
        tuple(dict.fromkeys(facts)),
        tuple(sorted(short_id(s) for s in use.sources)),
        round(float(use.weight), 6),
        use.until_assumed,
    )


def score_slice(data: MapData, pillar: int | None, year: int, region: str | None = None) -> Slice:
    """One slice from mpdkg.influence.analyse(): scores, ranks and channels per country, Canada's
    position and, per region, the countries without a channel to Canada."""
    result = analyse(data.facts, data.config, pillar=pillar, region=region, as_of=year)
    rows = {}
    for r in result.ranked():
        links = tuple(sorted({data.add_link(_link_of(data, r.iso3, u)) for u in r.channels}))
        rows[r.iso3] = Row(r.iso3, float(r.score or 0.0), int(r.rank or 0), links)

    held = set(data.canada_channels(pillar, year))
    held |= {data.links[i].channel for row in rows.values() for i in row.links}
    c = result.canada
    canada = {
        "channels": sorted(held),
        "fora": sum(1 for ch in held if data.channels[ch].type == "forum"),
        "agreements": sum(1 for ch in held if data.channels[ch].type == "agreement"),
        "partners": sum(1 for row in rows.values() if row.links),
        "ranks": dict(c.ranks),
        "measures": {k: round(v, 6) for k, v in c.measures.items()},
        "effective_size": None if c.effective_size is None else round(c.effective_size, 3),
        "constraint": None if c.constraint is None else round(c.constraint, 4),
        "countries": c.countries - 1,
        "ego_channels": c.channels,  # channels in force the ego takes part in (the analysis' count)
    }

    gaps: dict[str, dict[str, Any]] = {}
    for iso3 in rows:
        g = gaps.setdefault(
            data.region_of(iso3), {"countries": 0, "linked": 0, "unlinked": [], "candidates": []}
        )
        g["countries"] += 1
        if rows[iso3].links:
            g["linked"] += 1
        else:
            g["unlinked"].append(iso3)
    for gap in result.gaps:
        if gap.pillar != pillar or gap.region is None:
            continue
        name = NO_REGION if gap.region.startswith("(") else gap.region
        if name in gaps:
            gaps[name]["candidates"] = [e["iso3"] for e in gap.countries if e["channels"] == 0]
    return Slice(pillar, year, region, rows, canada, dict(sorted(gaps.items())))


# --- many slices at once ---------------------------------------------------------------------

# A slice per pillar and year is one analysis each (about 0.3 s on the curated graph); with
# several cores they run side by side, in forked workers that inherit the data.
_WORKER_DATA: MapData | None = None
PARALLEL_FROM = 8  # fewer distinct slices than this: one process (a pool costs more than it saves)

PortableRow = tuple[str, float, int, tuple[Link, ...]]


def _portable(key: tuple[int | None, int, str | None]) -> tuple[list[PortableRow], dict, dict, dict]:
    """One slice, computed in a worker, with its links as values (a worker's indexes would mean
    nothing to the parent)."""
    data = _WORKER_DATA
    assert data is not None
    s = score_slice(data, *key)
    rows = [(r.iso3, r.score, r.rank, tuple(data.links[i] for i in r.links)) for r in s.rows.values()]
    new_channels = {c: data.channels[c] for c in s.canada["channels"]}
    new_channels |= {link.channel: data.channels[link.channel] for row in rows for link in row[3]}
    return rows, s.canada, s.gaps, new_channels


def _workers(n: int) -> int:
    import multiprocessing
    import os

    if n < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 4))


def year_changes(data: MapData, pillar: int | None) -> list[int]:
    """The years in which some fact of the pillar's slice (an edge of the analysis, or one of
    Canada's channels) starts or stops holding, sorted. Between two such years every slice of
    the pillar has the same facts in force, hence the same scores, ranks and links."""
    periods = [
        d["periods"]
        for _u, _v, _k, d in channel_network(data.facts, data.config).graph["edges"]
        if pillar is None or pillar in d["pillars"]
    ]
    periods += [
        held_periods
        for cid, held in data.canada_facts.items()
        if pillar is None or pillar in data.channels[cid].pillars
        for held_periods, _f, _s in held
    ]
    changes: set[int] = set()
    for p in periods:
        lower, upper = bounds(p, data.config)
        changes |= {y for y in (lower, None if upper is None else upper + 1) if y is not None}
    return sorted(changes)


def _same_as(
    data: MapData, keys: list[tuple[int | None, int]]
) -> dict[tuple[int | None, int], tuple[int | None, int]]:
    """Each key -> the first key of ``keys`` with the same pillar and the same facts in force."""
    changes = {p: year_changes(data, p) for p in dict.fromkeys(p for p, _y in keys)}
    first: dict[tuple[int | None, int], tuple[int | None, int]] = {}
    out = {}
    for p, y in keys:
        era = (p, bisect_right(changes[p], y))
        out[(p, y)] = first.setdefault(era, (p, y))
    return out


def score_slices(data: MapData, keys: list[tuple[int | None, int]], region: str | None) -> list[Slice]:
    """The slices for ``keys`` ((pillar, year) pairs), in that order, the same whether computed
    in one process or several (links are added to ``data`` in the order of ``keys``). Years with
    the same facts in force (see :func:`year_changes`) are scored once."""
    same = _same_as(data, keys)
    distinct = list(dict.fromkeys(same.values()))
    scored = dict(zip(distinct, _score_distinct(data, distinct, region), strict=True))
    out = []
    for p, y in keys:
        s = scored[same[(p, y)]]
        out.append(s if s.year == y else Slice(p, y, region, s.rows, dict(s.canada), dict(s.gaps)))
    return out


def _score_distinct(data: MapData, keys: list[tuple[int | None, int]], region: str | None) -> list[Slice]:
    global _WORKER_DATA
    workers = _workers(len(keys))
    if workers == 1:
        return [score_slice(data, p, y, region) for p, y in keys]
    import multiprocessing

    _WORKER_DATA = data
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_portable, [(p, y, region) for p, y in keys], chunksize=4)
    finally:
        _WORKER_DATA = None
    out = []
    for (p, y), (rows, canada, gaps, channels) in zip(keys, results, strict=True):
        for cid, ch in channels.items():
            data.channels.setdefault(cid, ch)
        table = {
            iso3: Row(iso3, score, rank, tuple(sorted({data.add_link(link) for link in links})))
            for iso3, score, rank, links in rows
        }
        out.append(Slice(p, y, region, table, canada, gaps))
    return out
