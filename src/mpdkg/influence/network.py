"""From the published RDF (through SPARQL) to the networks of the influence analysis.

1. :func:`load_facts` reads countries, fora, agreements, memberships, parties, Canada's
   engagements and their sources with a few SPARQL SELECTs, on any engine mpdkg can query (an
   rdflib Dataset, a pyoxigraph Store, ``mpdkg.query`` engines, a remote endpoint).
2. :func:`channel_network` makes the two-mode *channel network*: countries, fora and agreements
   are nodes; memberships, parties and Canada's engagements are edges (a ``networkx.MultiGraph``
   whose edges keep their role or kind, pillars, dates and sources).
3. :func:`project` keeps the edges of a slice (a pillar, a year) and projects the channel network
   onto countries: a weighted country-country graph whose ties say how closely two countries are
   bound by the channels they share (weights from :mod:`mpdkg.influence.config`), together with
   the channels behind every tie with Canada.

>>> from mpdkg.influence.config import InfluenceConfig
>>> config = InfluenceConfig.load()
>>> in_force(((2000, 2010, None),), 2005, config), in_force(((2000, 2010, None),), 2011, config)
(True, False)
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import pyoxigraph as ox
import scipy.sparse as sp

from mpdkg.influence.config import InfluenceConfig
from mpdkg.namespaces import BASE
from mpdkg.query.packaged import package_query

CANADA = "CAN"
CANADA_IRI = BASE + "country/CAN"


def query_text(name: str) -> str:
    """The SPARQL text of ``src/mpdkg/influence/queries/<name>.rq``, read once from the package."""
    return package_query("influence", name)


# --- facts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    iri: str
    title: str
    url: str


@dataclass(frozen=True)
class Country:
    iri: str
    iso3: str
    label: str
    region: str
    subregion: str


@dataclass(frozen=True)
class Channel:
    """A forum or an agreement."""

    iri: str
    type: str  # "forum" or "agreement"
    label: str
    kind: str
    pillars: tuple[int, ...]
    start: int | None
    end: int | None

    @property
    def id(self) -> str:
        return local_name(self.iri)


@dataclass(frozen=True)
class Membership:
    iri: str
    actor: str
    forum: str
    role: str
    start: int | None
    end: int | None
    attested: int | None


@dataclass(frozen=True)
class Engagement:
    iri: str
    actor: str
    through: str
    kind: str
    label: str
    start: int | None
    end: int | None
    pillars: tuple[int, ...]
    partners: tuple[str, ...]


@dataclass
class Facts:
    """Everything the analysis reads from the graph, keyed by IRI."""

    countries: dict[str, Country] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    parties: dict[str, tuple[str, ...]] = field(default_factory=dict)
    engagements: list[Engagement] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    derived_from: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def by_iso(self) -> dict[str, Country]:
        return {c.iso3: c for c in self.countries.values()}

    def reference_year(self) -> int | None:
        """The latest year the data mentions: the year of the "current" slice."""
        years = [y for m in self.memberships for y in (m.start, m.end, m.attested) if y is not None]
        years += [y for c in self.channels.values() for y in (c.start, c.end) if y is not None]
        years += [y for e in self.engagements for y in (e.start, e.end) if y is not None]
        return max(years) if years else None


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


_YEAR = re.compile(r"^-?\d{1,4}")


def _year(value: str | None) -> int | None:
    if value is None:
        return None
    m = _YEAR.match(value.strip())
    return int(m.group()) if m else None


#: One solution of a SELECT: plain strings, None where unbound or empty. Typed ``Any`` because
#: the queries bind their key columns (IRIs) always and the others optionally, per query.
Row = tuple[Any, ...]


def _rows(engine, text: str) -> list[Row]:
    """Run a SELECT and return the values as plain strings (None where unbound or empty).

    On Oxigraph the results are serialised as SPARQL CSV (plain values) in Rust and read back
    with the csv module: twice as fast as visiting each solution from Python.
    """
    store = engine if isinstance(engine, ox.Store) else getattr(engine, "store", None)
    if isinstance(store, ox.Store):
        answer = store.query(text, use_default_graph_as_union=True)
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError("the influence queries are SELECTs")
        data = (answer.serialize(format=ox.QueryResultsFormat.CSV) or b"").decode("utf-8")
        reader = csv.reader(io.StringIO(data))
        next(reader, None)
        return [tuple(v if v != "" else None for v in row) for row in reader]
    from mpdkg.query.engines import run_query

    result = run_query(engine, text)
    return [tuple(None if t is None or str(t) == "" else str(t) for t in row) for row in result.rows]


def as_engine(data):
    """An engine for ``data``: an rdflib Dataset or Graph, a pyoxigraph Store or an mpdkg engine."""
    from rdflib import Dataset, Graph

    from mpdkg.query.engines import OxigraphEngine
    from mpdkg.rdf.engine import store_from_dataset

    if isinstance(data, ox.Store):
        return OxigraphEngine(data)
    if isinstance(data, Dataset):
        return OxigraphEngine(store_from_dataset(data))
    if isinstance(data, Graph):
        ds = Dataset()
        for triple in data:
            ds.add(triple)
        return OxigraphEngine(store_from_dataset(ds))
    if hasattr(data, "run"):
        return data
    raise TypeError(f"cannot analyse {type(data).__name__}: give a Dataset, a Store or an engine")


def load_facts(data) -> Facts:
    """Read the facts of the analysis from the graph with SPARQL."""
    engine = as_engine(data)
    facts = Facts()
    pillars: dict[str, set[int]] = defaultdict(set)
    for x, p in _rows(engine, query_text("pillars")):
        n = local_name(p)
        if n.isdigit():
            pillars[x].add(int(n))
    for iri, iso, label, region, subregion in _rows(engine, query_text("countries")):
        facts.countries[iri] = Country(iri, iso, label or iso, region or "", subregion or "")
    for iri, label, kind, est, ended in _rows(engine, query_text("fora")):
        facts.channels[iri] = Channel(
            iri, "forum", label or local_name(iri), kind or "other", tuple(sorted(pillars.get(iri, ()))),
            _year(est), _year(ended),
        )  # fmt: skip
    for iri, label, kind, start, end in _rows(engine, query_text("agreements")):
        facts.channels[iri] = Channel(
            iri, "agreement", label or local_name(iri), kind or "other",
            tuple(sorted(pillars.get(iri, ()))), _year(start), _year(end),
        )  # fmt: skip
    parties: dict[str, set[str]] = defaultdict(set)
    for a, party in _rows(engine, query_text("parties")):
        parties[a].add(party)
    facts.parties = {a: tuple(sorted(p)) for a, p in sorted(parties.items())}
    for iri, actor, forum, role, start, end, attested in _rows(engine, query_text("memberships")):
        facts.memberships.append(
            Membership(iri, actor, forum, local_name(role), _year(start), _year(end), _year(attested))
        )
    facts.memberships.sort(key=lambda m: m.iri)
    partners: dict[str, set[str]] = defaultdict(set)
    for e, partner in _rows(engine, query_text("partners")):
        partners[e].add(partner)
    for iri, actor, through, kind, label, start, end in _rows(engine, query_text("engagements")):
        facts.engagements.append(
            Engagement(
                iri, actor, through, local_name(kind), label or local_name(iri), _year(start), _year(end),
                tuple(sorted(pillars.get(iri, ()))), tuple(sorted(partners.get(iri, ()))),
            )
        )  # fmt: skip
    facts.engagements.sort(key=lambda e: e.iri)
    derived: dict[str, set[str]] = defaultdict(set)
    for x, source in _rows(engine, query_text("derived")):
        derived[x].add(source)
    for source, title, url in _rows(engine, query_text("sources")):
        facts.sources[source] = Source(source, title or local_name(source), url or "")
    facts.derived_from = {x: tuple(sorted(s)) for x, s in derived.items()}
    return facts


# --- the channel network ----------------------------------------------------------------------

Period = tuple[int | None, int | None, int | None]  # start, end, attested (when the start is unknown)


def bounds(periods: tuple[Period, ...], config: InfluenceConfig) -> tuple[int | None, int | None]:
    """The first and last year a fact holds: the latest of its periods' starts (an attestation
    stands in for an unknown start under ``unknown_start = "attested"``, never backdated) and the
    earliest of their ends. The first period is the fact's own; when it has neither a start nor
    an attestation the fact is undated, and its lower bound is None whatever the others say
    (a forum's founding year does not date a membership)."""
    own_start, _own_end, own_attested = periods[0]
    attested_counts = config.unknown_start == "attested"
    if own_start is None and (own_attested is None or not attested_counts):
        lower = None
    else:
        lower = None
        for start, _end, attested in periods:
            lo = start if start is not None else (attested if attested_counts else None)
            if lo is not None:
                lower = lo if lower is None else max(lower, lo)
    ends = [end for _start, end, _attested in periods if end is not None]
    return lower, (min(ends) if ends else None)


def is_dated(periods: tuple[Period, ...], config: InfluenceConfig) -> bool:
    return bounds(periods, config)[0] is not None


def in_force(periods: tuple[Period, ...], year: int | None, config: InfluenceConfig) -> bool:
    """Whether a fact holds in ``year`` (None: no time filter). An undated fact holds in no year
    under ``unknown_start = "attested"`` (the default); under ``"open"`` it holds in every year
    up to its end (the behaviour of mpdkg before 2026-12, kept for comparison)."""
    if year is None:
        return True
    return _holds(*bounds(periods, config), year, config)


def _holds(lower: int | None, upper: int | None, year: int, config: InfluenceConfig) -> bool:
    """:func:`in_force` in ``year`` of a fact whose :func:`bounds` are ``lower`` and ``upper``."""
    if lower is None and config.unknown_start == "attested":
        return False
    if lower is not None and year < lower:
        return False
    return upper is None or year <= upper


def _latest_start(periods) -> int | None:
    """The year a channel began for a country: real starts only (an attestation is no start)."""
    starts = [p[0] for p in periods if p[0] is not None]
    return max(starts) if starts else None


def _latest_attested(periods) -> int | None:
    found = [p[2] for p in periods if p[0] is None and p[2] is not None]
    return max(found) if found else None


def _earliest_end(periods) -> int | None:
    ends = [p[1] for p in periods if p[1] is not None]
    return min(ends) if ends else None


def channel_network(facts: Facts, config: InfluenceConfig) -> nx.MultiGraph:
    """:func:`build_channel_network`, built once per facts and configuration: a map draws a slice
    per pillar and year from the same network (hundreds of analyses). Read it, never change it."""
    key = (config, len(facts.countries), len(facts.channels), len(facts.memberships),
           len(facts.parties), len(facts.engagements), len(facts.derived_from))  # fmt: skip
    cached = facts.__dict__.get("_channel_network")
    if cached is not None and cached[0] == key:
        return cached[1]
    B = build_channel_network(facts, config)
    facts.__dict__["_channel_network"] = (key, B)
    return B


def build_channel_network(facts: Facts, config: InfluenceConfig) -> nx.MultiGraph:
    """The two-mode network: countries, fora and agreements as nodes; memberships (in the roles
    that are channels), parties and Canada's engagements as edges, keyed by the fact's IRI.

    Edge attributes: ``relation`` (membership, party, engagement), ``role`` or ``kind``,
    ``pillars``, ``periods`` (start, end, attested), ``sources`` and, for a country that is a
    party through a forum (an EU member state under CETA), ``via`` (the forum's IRI); for an
    engagement, ``end_assumed`` when its end is the term of [open_end], not a source's.
    """
    B = nx.MultiGraph()
    for c in sorted(facts.countries.values(), key=lambda c: c.iri):
        B.add_node(c.iri, type="country", iso3=c.iso3, label=c.label, region=c.region, subregion=c.subregion)
    for ch in sorted(facts.channels.values(), key=lambda c: c.iri):
        B.add_node(
            ch.iri, type=ch.type, kind=ch.kind, label=ch.label, pillars=ch.pillars, start=ch.start, end=ch.end
        )
    channels = facts.channels
    src = facts.derived_from
    edges: list[tuple] = []

    def edge(u: str, v: str, key: str, **attrs) -> None:
        edges.append((u, v, key, attrs))

    members_of: dict[str, list[Membership]] = defaultdict(list)
    for m in facts.memberships:
        forum = channels.get(m.forum)
        if forum is None or forum.type != "forum" or config.role_weight(m.role) is None:
            continue
        members_of[m.forum].append(m)
        if m.actor not in facts.countries:
            continue  # a forum that is a member of a forum (the EU in the G20) ties no countries
        periods = ((m.start, m.end, m.attested), (forum.start, forum.end, None))
        edge(
            m.actor, m.forum, key=m.iri, relation="membership", role=m.role, pillars=forum.pillars,
            periods=periods, sources=src.get(m.iri, ()), via=None,
        )  # fmt: skip
    _party_edges(facts, config, members_of, edge)
    memory = config.engagement_memory_years
    for e in facts.engagements:
        if e.actor not in facts.countries or e.through not in channels:
            continue
        end = e.end if e.end is not None else config.open_end(e.kind, e.start)
        end = None if end is None else end + memory
        edge(
            e.actor, e.through, key=e.iri, iri=e.iri, relation="engagement", kind=e.kind, label=e.label,
            pillars=e.pillars or channels[e.through].pillars, periods=((e.start, end, None),),
            end_assumed=e.end is None and end is not None,
            partners=tuple(p for p in e.partners if p in facts.countries), sources=src.get(e.iri, ()),
            via=None,
        )  # fmt: skip
    B.add_edges_from(edges)
    # The same edges as a list (country, channel, key, attributes): iterating it is several times
    # faster than iterating the MultiGraph, which matters at 350,000 edges (the benchmark).
    B.graph["edges"] = edges
    B.graph["size"] = B.number_of_edges()  # counting a MultiGraph's edges visits them all
    return B


def edge_count(B: nx.MultiGraph) -> int:
    """``B.number_of_edges()``, as counted when :func:`build_channel_network` built it."""
    size = B.graph.get("size")
    return B.number_of_edges() if size is None else size


def _party_edges(
    facts: Facts, config: InfluenceConfig, members_of: dict[str, list[Membership]], edge
) -> None:
    """The parties of each agreement as edges; a forum that is a party (the EU under CETA) makes
    its member states parties through it when ``expand_forum_parties``."""
    channels = facts.channels
    src = facts.derived_from
    for a, parties in facts.parties.items():
        agreement = channels.get(a)
        if agreement is None:
            continue
        base = (agreement.start, agreement.end, None)
        for party in parties:
            if party in facts.countries:
                edge(
                    party, a, key=f"{a}#party/{local_name(party)}", relation="party", role="party",
                    pillars=agreement.pillars, periods=(base,), sources=src.get(a, ()), via=None,
                )  # fmt: skip
            elif config.expand_forum_parties and party in members_of:
                for m in members_of[party]:
                    if m.actor not in facts.countries:
                        continue
                    forum = channels[party]
                    edge(
                        m.actor, a, key=f"{a}#party/{local_name(m.actor)}/via/{m.iri}", relation="party",
                        role="party", pillars=agreement.pillars,
                        periods=(base, (m.start, m.end, m.attested), (forum.start, forum.end, None)),
                        sources=tuple(sorted(set(src.get(a, ())) | set(src.get(m.iri, ())))), via=party,
                    )  # fmt: skip


# --- the projection onto countries --------------------------------------------------------------


@dataclass
class ChannelUse:
    """One channel behind a country's tie with Canada, with what it contributes."""

    type: str  # forum, agreement or engagement
    iri: str
    label: str
    kind: str
    pillars: tuple[int, ...]
    weight: float
    role: str = ""  # the country's role(s)
    canada_role: str = ""
    since: int | None = None  # the year it began (a real start date), if known
    until: int | None = None
    #: ``until`` is not a source's end but the term of [open_end] for an engagement of no known end
    until_assumed: bool = False
    attested: int | None = None  # when only attested: the latest year a source shows it held
    via: str = ""
    through: str = ""  # for an engagement: the forum or agreement it went through
    engagements: tuple[str, ...] = ()  # Canada's engagements that raised this tie
    sources: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return local_name(self.iri)


@dataclass(frozen=True)
class Ties:
    """The ties of a projection (pairs i < j of indexes into its sorted nodes, in row-major
    order), with their weights and the number of channels behind each."""

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    channels: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Projection:
    """The country-country network of a slice: its sorted nodes (ISO alpha-3 codes) and ties,
    as a weighted adjacency matrix for the measures and, when asked for, a NetworkX graph
    (edges with ``weight`` and ``channels``) built from the same ties."""

    nodes: list[str]
    ties: Ties
    uses: dict[str, list[ChannelUse]]  # iso3 -> the channels it shares with Canada
    channel_counts: dict[str, int]  # iso3 -> the number of channels it takes part in
    channels_in_slice: int
    undated: tuple[str, ...] = ()  # facts left out of this year's slice because they carry no date

    @cached_property
    def matrix(self) -> sp.csr_array:
        """The symmetric weighted adjacency over ``nodes``: ``measures.adjacency(self.graph)``."""
        t = self.ties
        n = len(self.nodes)
        if n == 0:
            return sp.csr_array((0, 0))
        A = sp.csr_array(
            (np.concatenate([t.weights, t.weights]),
             (np.concatenate([t.rows, t.cols]), np.concatenate([t.cols, t.rows]))),
            shape=(n, n),
        )  # fmt: skip
        A.sum_duplicates()
        A.sort_indices()
        A.eliminate_zeros()
        return A

    @cached_property
    def graph(self) -> nx.Graph:
        G = nx.Graph()
        G.add_nodes_from(self.nodes)
        t, nodes = self.ties, self.nodes
        for i, j, w, c in zip(
            t.rows.tolist(), t.cols.tolist(), t.weights.tolist(), t.channels.tolist(), strict=True
        ):
            G.add_edge(nodes[i], nodes[j], weight=w, channels=c)
        return G


def _iso_codes(B: nx.MultiGraph) -> dict[str, str]:
    """Country IRI -> ISO code, for the country nodes of ``B`` (read once per network: a map
    projects it hundreds of times)."""
    cached = B.graph.get("iso")
    if cached is not None and cached[0] == B.number_of_nodes():
        return cached[1]
    iso = {n: d["iso3"] for n, d in B.nodes(data=True) if d["type"] == "country"}
    B.graph["iso"] = (B.number_of_nodes(), iso)
    return iso


def _spans(
    B: nx.MultiGraph, listed: list[tuple], config: InfluenceConfig
) -> list[tuple[int | None, int | None]]:
    """The :func:`bounds` of every edge of ``listed``, computed once per network and weights
    when ``listed`` is the network's own edge list."""
    if listed is not B.graph.get("edges"):
        return [bounds(d["periods"], config) for _u, _v, _k, d in listed]
    known = B.graph.setdefault("spans", [])
    for weights, spans in known:
        if weights == config:
            return spans
    spans = [bounds(d["periods"], config) for _u, _v, _k, d in listed]
    known.append((config, spans))
    return spans


def project(
    B: nx.MultiGraph,
    config: InfluenceConfig,
    pillar: int | None = None,
    year: int | None = None,
    countries: set[str] | None = None,
    ego: str = CANADA,
) -> Projection:
    """The weighted country network of the slice (pillar, year), restricted to ``countries``
    (ISO codes; Canada always kept) if given. Channel sizes count all the channel's countries."""
    iso = _iso_codes(B)
    participants, engagements, undated = _select(B, iso, pillar, year, config)
    lead, partner_ties = _ego_engagements(engagements, iso, ego)
    keep = None if countries is None else set(countries) | {ego}
    acc = _Ties(sorted(set(iso.values()) | {ego}))
    nodes = B.nodes
    for channel in sorted(participants):
        leads = lead.get(channel, [])
        _channel_ties(acc, channel, nodes[channel], participants[channel], leads, iso, keep, ego, config)
    for partner, channel, d in partner_ties:
        code = iso[partner]
        if code == ego or (keep is not None and code not in keep):
            continue
        _partner_tie(acc, ego, code, channel, d, config)
    nodes = sorted(c for c in set(iso.values()) if keep is None or c in keep)
    for code in acc.uses:
        acc.uses[code].sort(key=lambda u: (-u.weight, u.type, u.iri))
    return Projection(
        nodes,
        acc.ties(nodes),
        dict(acc.uses),
        dict(acc.counts),
        len(participants) + len({t[2]["iri"] for t in partner_ties}),
        tuple(sorted(undated)),
    )


class _Ties:
    """What :func:`project` accumulates: tie weights and shared channels per pair of countries
    (matrices over the sorted country codes: a channel's pairs are added as one block, which took
    most of an analysis as a loop over pairs), the channels each country shares with the ego, and
    how many channels each takes part in. Each weight is the sum of the same products, added in
    the same order, as the loop made: the same floats bit for bit."""

    def __init__(self, codes: list[str]):
        self.codes = codes
        self.index = {code: i for i, code in enumerate(codes)}
        self.weights = np.zeros((len(codes), len(codes)))
        self.shared = np.zeros((len(codes), len(codes)), dtype=np.int64)
        self.uses: defaultdict[str, list[ChannelUse]] = defaultdict(list)
        self.counts: defaultdict[str, int] = defaultdict(int)

    def add_block(self, codes: list[str], block: np.ndarray) -> None:
        """Add ``block[i, j]`` to the tie of ``codes[i]`` and ``codes[j]`` (codes sorted)."""
        at = np.ix_(*[[self.index[c] for c in codes]] * 2)
        self.weights[at] += block
        self.shared[at] += 1

    def add(self, a: str, b: str, w: float) -> None:
        i, j = sorted((self.index[a], self.index[b]))
        self.weights[i, j] += w
        self.shared[i, j] += 1

    def ties(self, nodes: list[str]) -> Ties:
        """Every pair (a < b) of ``nodes`` (sorted) that some channel tied with a positive weight,
        in row-major order, as indexes into ``nodes``."""
        at = [self.index[c] for c in nodes]
        shared = self.shared[np.ix_(at, at)]
        rows, cols = np.nonzero(np.triu(shared, 1))
        weights = self.weights[np.ix_(at, at)][rows, cols]
        keep = weights > 0
        return Ties(rows[keep], cols[keep], weights[keep], shared[rows, cols][keep])


Participants = dict[str, dict[str, list[dict]]]  # channel -> country IRI -> its edges to the channel


def _select(
    B: nx.MultiGraph, iso: dict[str, str], pillar: int | None, year: int | None, config: InfluenceConfig
) -> tuple[Participants, list[tuple[str, str, dict]], set[str]]:
    """The edges of the slice: participants per channel (memberships and parties), engagements,
    and the keys of the facts left out because they carry no date."""
    participants: Participants = defaultdict(lambda: defaultdict(list))
    engagements: list[tuple[str, str, dict]] = []
    listed = B.graph.get("edges")
    if listed is None or len(listed) != edge_count(B):
        listed = [(u, v, k, d) for u, v, k, d in B.edges(keys=True, data=True)]
    undated: set[str] = set()
    for (u, v, key, d), (lower, upper) in zip(listed, _spans(B, listed, config), strict=True):
        if pillar is not None and pillar not in d["pillars"]:
            continue
        if year is not None and not _holds(lower, upper, year, config):
            if lower is None:
                undated.add(str(key))
            continue
        country, channel = (u, v) if u in iso else (v, u)
        if d["relation"] == "engagement":
            engagements.append((country, channel, d))
        else:
            participants[channel][country].append(d)
    return participants, engagements, undated


def _ego_engagements(
    engagements: list[tuple[str, str, dict]], iso: dict[str, str], ego: str
) -> tuple[dict[str, list[dict]], list[tuple[str, str, dict]]]:
    """The ego's engagements: those that raise its ties through a channel (``lead``, per
    channel) and those with named partners (one tie per partner)."""
    lead: dict[str, list[dict]] = defaultdict(list)
    partner_ties: list[tuple[str, str, dict]] = []
    for country, channel, d in sorted(engagements, key=lambda t: t[2]["iri"]):
        if iso[country] != ego:
            continue
        if d["partners"]:
            for p in d["partners"]:
                partner_ties.append((p, channel, d))
        else:
            lead[channel].append(d)
    return lead, partner_ties


def _channel_ties(
    acc: _Ties,
    channel: str,
    info: dict,
    members: dict[str, list[dict]],
    leads: list[dict],
    iso: dict[str, str],
    keep: set[str] | None,
    ego: str,
    config: InfluenceConfig,
) -> None:
    """The ties one channel makes between its members, and what it gives each with the ego."""
    n = len(members)
    for c in members:
        acc.counts[iso[c]] += 1
    kind_weight = (
        config.forum_weight(info["kind"])
        if info["type"] == "forum"
        else config.agreement_weight(info["kind"])
    )
    base = kind_weight * config.size_factor(n)
    if base <= 0:
        return
    multiplier = min(
        1.0 + sum(config.engagement_weight(k) for k in sorted({d["kind"] for d in leads})),
        max(config.max_multiplier, 1.0),
    )
    codes = sorted(
        (iso[c], max(config.role_weight(d["role"]) or 0.0 for d in ds), ds) for c, ds in members.items()
    )
    if keep is not None:
        codes = [t for t in codes if t[0] in keep]
    roles = np.array([t[1] for t in codes], dtype=float)
    block = np.multiply.outer(base * roles, roles)  # (base * ra) * rb, as the pair loop had it
    names = [t[0] for t in codes]
    if ego in names:
        e = names.index(ego)
        block[e, :] *= multiplier
        block[:, e] *= multiplier
        block[e, e] = 0.0  # the diagonal is never read; this keeps it from being scaled twice
    acc.add_block(names, block)
    canada = next((t for t in codes if t[0] == ego), None)
    if canada is None:
        return
    for code, role, ds in codes:
        if code != ego:
            w = base * role * canada[1] * multiplier
            acc.uses[code].append(_use(channel, info, w, ds, canada[2], leads))


def _use(
    channel: str, info: dict, w: float, ds: list[dict], ego_ds: list[dict], leads: list[dict]
) -> ChannelUse:
    """A channel a country shares with the ego: ``ds`` its edges, ``ego_ds`` the ego's."""
    sources = {s for d in ds + ego_ds for s in d["sources"]}
    sources |= {s for d in leads for s in d["sources"]}
    return ChannelUse(
        type=info["type"], iri=channel, label=info["label"], kind=info["kind"],
        pillars=info["pillars"], weight=w,
        role=";".join(sorted({d["role"] for d in ds})),
        canada_role=";".join(sorted({d["role"] for d in ego_ds})),
        since=_latest_start([p for d in ds for p in d["periods"][:1]]),
        attested=_latest_attested([p for d in ds for p in d["periods"][:1]]),
        until=_earliest_end([p for d in ds for p in d["periods"]]),
        via=";".join(sorted({d["via"] for d in ds if d["via"]})),
        engagements=tuple(sorted({d["iri"] for d in leads})),
        sources=tuple(sorted(sources)),
    )  # fmt: skip


def _partner_tie(acc: _Ties, ego: str, code: str, channel: str, d: dict, config: InfluenceConfig) -> None:
    """The tie one of the ego's engagements with a named partner makes."""
    w = config.engagement_weight(d["kind"])
    if config.share_among_partners:  # one unit of the engagement, shared like a channel's
        w *= config.size_factor(1 + len(d["partners"]))
    acc.add(ego, code, w)
    acc.counts[code] += 1
    start, end, _ = d["periods"][0]
    acc.uses[code].append(
        ChannelUse(
            type="engagement", iri=d["iri"], label=d["label"], kind=d["kind"],
            pillars=d["pillars"], weight=w, since=start, until=end, through=channel,
            until_assumed=d.get("end_assumed", False), sources=tuple(sorted(d["sources"])),
        )
    )  # fmt: skip
