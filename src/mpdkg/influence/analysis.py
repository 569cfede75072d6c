"""Where Canada has influence: network measures over the channels (fora, agreements,
engagements) that the graph records, an influence score per country with the channels behind it,
slices by pillar, region and year, gaps, and the results as RDF.

The network is read from the published RDF through SPARQL (:mod:`mpdkg.influence.network`), the
measures are in :mod:`mpdkg.influence.measures`, the weights in ``influence_weights.toml``
(:mod:`mpdkg.influence.config`); docs/influence.md explains all of it.

>>> from mpdkg.query.engines import open_engine
>>> result = analyse(open_engine(), InfluenceConfig.load())
>>> result.canada.iso3, result.rows[0].iso3
('CAN', 'CAN')
>>> result.rows[1].rank
1
"""

from __future__ import annotations

import heapq
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from mpdkg import __version__
from mpdkg.errors import UsageError
from mpdkg.influence.config import MEASURES, InfluenceConfig
from mpdkg.influence.measures import (
    betweenness_matrix,
    burt_matrix,
    competition_rank,
    competition_ranks,
    eigenvector_matrix,
    personalized_pagerank_matrix,
    ties_of,
    weighted_degree_matrix,
)
from mpdkg.influence.network import (
    BASE,
    CANADA,
    ChannelUse,
    Facts,
    Projection,
    Source,
    channel_network,
    edge_count,
    load_facts,
    project,
)
from mpdkg.namespaces import DATASET, ONTOLOGY_NS, SCHEMA, country_iri, pillar_iri, region_iri, slug
from mpdkg.query.results import csv_writer

if TYPE_CHECKING:
    from mpdkg.influence.layers import OpenFigures

DIGITS = 6
ANALYSIS_BASE = BASE + "analysis/influence/"
MPDA = ONTOLOGY_NS  # terms defined in ontology/analysis.ttl
SOFTWARE = URIRef(f"{BASE}software/mpdkg/{__version__}")
CENTRALITIES = ("weighted_degree", "betweenness", "eigenvector", "personalized_pagerank")
WHAT_IF_PILLARS = (5,)  # the what-ifs of dist/influence.json: all pillars, and protection (pillar 5)

__all__ = ["InfluenceConfig", "InfluenceResult", "Comparison", "analyse", "compare"]


def rounded(x: float | None) -> float | None:
    if x is None:
        return None
    v = round(float(x), DIGITS)
    return 0.0 if v == 0 else v


def fmt(x: float | None) -> str:
    return "" if x is None else f"{rounded(x):.{DIGITS}f}"


def short(iri: str) -> str:
    """``https://w3id.org/mpdkg/forum/rcm`` -> ``forum/rcm``."""
    return iri[len(BASE) :] if iri.startswith(BASE) else iri


# --- results ---------------------------------------------------------------------------------


@dataclass
class CountryRow:
    iso3: str
    label: str
    region: str
    subregion: str
    #: weighted_degree, betweenness, eigenvector, personalized_pagerank, tie_to_canada (None for the ego)
    measures: dict[str, float | None]
    channels: list[ChannelUse]  # the channels it shares with Canada
    channels_total: int  # the channels it takes part in (in the slice)
    score: float | None = None
    rank: int | None = None
    components: dict[str, float] = field(default_factory=dict)

    @property
    def channels_with_canada(self) -> int:
        return len({u.iri for u in self.channels})

    @property
    def channel_kinds(self) -> dict[str, int]:
        seen = {(u.iri, f"{u.type}:{u.kind}") for u in self.channels}
        return dict(sorted(Counter(kind for _, kind in seen).items()))


@dataclass
class CanadaPosition:
    iso3: str
    measures: dict[str, float]
    ranks: dict[str, int | None]
    effective_size: float | None
    constraint: float | None
    partners: int  # countries with a tie to Canada
    channels: int  # channels Canada takes part in
    countries: int  # countries in the slice (Canada included)


@dataclass
class Gap:
    region: str | None
    pillar: int | None
    countries: list[dict]
    without_channels: int  # countries in the network that share no channel with Canada
    total: int  # countries in the network (with at least one channel of any kind)
    outside_network: list[str]  # countries the graph records no channel for at all

    @property
    def group(self) -> str:
        parts = []
        if self.region is not None:
            parts.append(f"region={self.region}")
        if self.pillar is not None:
            parts.append(f"pillar={self.pillar}")
        return ";".join(parts)


def unranked_note(ego: str, channels: int, states: int, year: object, minimum: int) -> str | None:
    """Why a year's ranks say nothing, or None: the ego takes part in fewer channels in force than
    ``minimum`` (``[ranking] min_channels``). In 1945 the United Nations alone tied 48 states
    "1st"; in 1950 six states tied first through the UN and the Commonwealth.

    >>> unranked_note("CAN", 2, 58, 1950, 5)
    'not ranked: CAN takes part in only 2 channels in force in 1950, shared by 58 states (ranks need at least 5: [ranking] min_channels in influence_weights.toml)'
    >>> unranked_note("CAN", 5, 118, 1965, 5) is None
    True
    """
    if channels >= minimum:
        return None
    return (
        f"not ranked: {ego} takes part in only {channels} channel{'s' if channels != 1 else ''} in force "
        f"in {year}, shared by {states} states (ranks need at least {minimum}: [ranking] min_channels "
        "in influence_weights.toml)"
    )


@dataclass
class InfluenceResult:
    rows: list[CountryRow]  # Canada first, then by rank
    canada: CanadaPosition
    gaps: list[Gap]
    params: dict
    network: dict
    sources: dict[str, Source]
    projection: Projection = field(repr=False)
    #: countries that are not UN member or observer states (territories), unranked, with their channels
    territories: list[CountryRow] = field(default_factory=list)
    #: the facts and weights behind the result, for the layers (computed on demand)
    facts: Facts | None = field(default=None, repr=False)
    config: InfluenceConfig | None = field(default=None, repr=False)
    _layers: dict | None = field(default=None, repr=False)
    _validity: dict | None = field(default=None, repr=False)
    _peers: dict | None = field(default=None, repr=False)
    _what_if: list[dict] | None = field(default=None, repr=False)
    _figures: OpenFigures | None = field(default=None, repr=False)

    @property
    def graph(self) -> nx.Graph:
        """The country network of the slice (built from the projection on first use)."""
        return self.projection.graph

    def layers(self) -> dict | None:
        """The layer scores of :mod:`mpdkg.influence.layers` for this result's ego (the
        ``layers`` key of dist/influence.json); None for a result without its facts."""
        if self._layers is None and self.facts is not None:
            from mpdkg.influence.layers import layer_scores

            as_of = self.params.get("as_of")
            years = None if as_of is None else [as_of]
            figures = self._open_figures()
            self._layers = layer_scores(
                self.facts, self.config, ego=self.ego, years=years, figures=figures
            ).as_dict()
        return self._layers

    def _open_figures(self) -> OpenFigures:
        """The open-data figures for the layers and the validity card, read once (reading the UN
        votes takes seconds)."""
        from mpdkg.influence.layers import read_open_figures

        if self._figures is None:
            self._figures = read_open_figures(ego=self.ego)
        return self._figures

    def validity(self) -> dict | None:
        """The validity card (:mod:`mpdkg.influence.validity`): the ``validity`` key of
        dist/influence.json; None for a result without its facts."""
        if self._validity is None and self.facts is not None and self.config is not None:
            from mpdkg.influence.validity import validity_card

            states = (sovereign_states(self.facts) or set(self.facts.by_iso)) - {self.ego}
            self._validity = validity_card(
                self.facts, self.config, self._open_figures(), states, ego=self.ego, layers=self.layers()
            )
        return self._validity

    @property
    def ego(self) -> str:
        return str(self.params.get("ego", CANADA))

    def rank_note(self) -> str | None:
        """Why this slice's ranks say nothing, or None (see :func:`unranked_note`)."""
        minimum = self.config.min_ranked_channels if self.config is not None else 0
        year = self.params.get("as_of") or self.params.get("reference_year")
        states = sum(1 for r in self.ranked() if r.channels_with_canada)
        return unranked_note(self.ego, self.canada.channels, states, year, minimum)

    @property
    def slice(self) -> str:
        return self.params["slice"]

    def row(self, iso3: str) -> CountryRow:
        for r in [*self.rows, *self.territories]:
            if r.iso3 == iso3.upper():
                return r
        raise UsageError(
            f"{iso3!r}: not a country of this slice (expected an ISO alpha-3 code such as IND; "
            "a --region slice holds only that region's countries and the --ego state)"
        )

    def ranked(self, top: int | None = None) -> list[CountryRow]:
        rows = [r for r in self.rows if r.iso3 != self.ego]
        return rows if top is None else rows[:top]

    def _rows_for(self, top: int | None) -> list[CountryRow]:
        canada = [r for r in self.rows if r.iso3 == self.ego]
        return canada + self.ranked(top)

    # --- explanations ---

    def _source(self, iri: str) -> dict:
        s = self.sources.get(iri)
        return {"iri": iri, "title": s.title if s else "", "url": s.url if s else ""}

    def _use(self, u: ChannelUse, full_sources: bool = True) -> dict:
        return {
            "type": u.type,
            "id": short(u.iri),
            "label": u.label,
            "kind": u.kind,
            "pillars": list(u.pillars),
            "weight": rounded(u.weight),
            "role": u.role,
            "canada_role": u.canada_role,
            "since": u.since,
            "attested": u.attested,
            "until": u.until,
            "until_assumed": u.until_assumed,
            "via": short(u.via) if u.via else "",
            "through": short(u.through) if u.through else "",
            "engagements": [short(e) for e in u.engagements],
            "sources": [self._source(s) if full_sources else s for s in u.sources],
        }

    def _row_json(self, r: CountryRow, full_sources: bool = True) -> dict:
        return {
            "rank": r.rank,
            "iso3": r.iso3,
            "label": r.label,
            "region": r.region,
            "subregion": r.subregion,
            "score": rounded(r.score),
            "components": {k: rounded(v) for k, v in r.components.items()},
            "measures": {k: rounded(v) for k, v in r.measures.items()},
            "channels_with_canada": r.channels_with_canada,
            "channel_kinds": r.channel_kinds,
            "channels_total": r.channels_total,
            "channels": [self._use(u, full_sources) for u in r.channels],
        }

    def explain(self, iso3: str) -> dict:
        """Everything behind one country's numbers: measures, score components, channels, sources;
        ``ranked`` and ``rank_note`` as in :meth:`as_dict`."""
        note = self.rank_note()
        out = {**self._row_json(self.row(iso3)), "ranked": note is None, "rank_note": note,
               "rank_of": "channel network (fora, agreements, engagements) only"}  # fmt: skip
        composite = self._composite_of(iso3)
        if composite is not None:
            out["composite"] = composite
        return out

    def _composite_of(self, iso3: str) -> dict | None:
        """The country's composite rank of all layers in the slice's year (the rank the report
        and --layers give), with its layer-by-layer explanation; None for a pillar or region
        slice, or without the facts. ``rank`` above is the channel network's alone: India was
        "86th" there and 33rd on all layers, and --explain said only the first."""
        if self.facts is None or self.config is None or not self._whole_slice():
            return None
        from mpdkg.influence.layers import layer_scores

        year = self.params.get("reference_year")
        if year is None:
            return None
        if self._layers is not None and str(year) in self._layers.get("by_year", {}):
            row = self._layers["by_year"][str(year)].get(iso3)
            if row is None:
                return None
            score, rank, text = row["composite"]["score"], row["composite"]["rank"], row["explanation"]
            total = sum(1 for v in self._layers["by_year"][str(year)].values() if v["composite"]["rank"])
            if text:
                return {"year": year, "score": score, "rank": rank, "of": total, "explanation": text}
        ls = layer_scores(self.facts, self.config, ego=self.ego, years=[year], figures=self._open_figures())
        if iso3 not in ls.states:
            return None
        total = sum(1 for _ in ls.ranked(year))
        return {"year": year, "score": ls.score(iso3, year), "rank": ls.rank(iso3, year), "of": total,
                "explanation": ls.explain(iso3, year)}  # fmt: skip

    # --- outputs ---

    def as_dict(self, top: int | None = None) -> dict:
        """Everything, JSON-ready; channels name their sources by IRI, described once in
        ``sources``."""
        c = self.canada
        rows = self._rows_for(top)
        cited = sorted({s for r in rows for u in r.channels for s in u.sources})
        note = self.rank_note()
        return {
            "analysis": self.params,
            # False when the ego takes part in fewer than [ranking] min_channels channels in force:
            # the ranks are still written, but say nothing (rank_note says why)
            "ranked": note is None,
            "rank_note": note,
            "network": self.network,
            "canada": {
                "measures": {k: rounded(v) for k, v in c.measures.items()},
                "ranks": c.ranks,
                "effective_size": rounded(c.effective_size),
                "constraint": rounded(c.constraint),
                "partners": c.partners,
                "channels": c.channels,
                "countries": c.countries,
            },
            "rows": [self._row_json(r, full_sources=False) for r in rows],
            "gaps": [
                {
                    "region": g.region,
                    "pillar": g.pillar,
                    "total": g.total,
                    "without_channels": g.without_channels,
                    "countries": g.countries,
                    "outside_network": g.outside_network,
                }
                for g in self.gaps
            ],
            "territories": [
                {"iso3": r.iso3, "label": r.label, "channels_with_canada": r.channels_with_canada}
                for r in self.territories
            ],
            "sources": {s: {"title": d["title"], "url": d["url"]} for s in cited for d in [self._source(s)]},
            **(self._briefing() if top is None and self._whole_slice() else {}),
        }

    def _briefing(self) -> dict:
        """Layers, validity card and peers (computed once, on demand)."""
        from mpdkg.influence.peers import peer_view

        if self.facts is None:
            return {}
        if self._peers is None:
            self._peers = peer_view(self.facts, self.config, year=self.params.get("reference_year"))
        return {"layers": self.layers(), "validity": self.validity(), "peers": self._peers,
                "what_if": self.what_if()}  # fmt: skip

    def what_if(self) -> list[dict]:
        """What joining a forum or signing an MOU would add (:mod:`mpdkg.influence.whatif`), in
        the reference year: for all pillars and for each pillar of :data:`WHAT_IF_PILLARS` the
        graph has. The ``what_if`` key of dist/influence.json, shown in the report."""
        from mpdkg.influence.whatif import what_if

        if self._what_if is None and self.facts is not None:
            year = self.params.get("reference_year")
            known = {p for ch in self.facts.channels.values() for p in ch.pillars}
            self._what_if = [
                what_if(self.facts, self.config, pillar=p, year=year, ego=self.ego)
                for p in (None, *WHAT_IF_PILLARS)
                if p is None or p in known
            ]
        return self._what_if or []

    def _whole_slice(self) -> bool:
        """Layers go with the whole graph's result (no pillar or region slice): dist/influence.json."""
        p = self.params
        return p.get("pillar") is None and p.get("region") is None

    def to_json(self, top: int | None = None) -> str:
        return json.dumps(self.as_dict(top), indent=2, ensure_ascii=False) + "\n"

    CSV_COLUMNS = (
        "rank", "iso3", "label", "region", "subregion", "score", "personalized_pagerank", "tie_to_canada",
        "weighted_degree", "betweenness", "eigenvector", "channels_with_canada", "channels_total",
        "channel_kinds", "channels",
    )  # fmt: skip

    def to_csv(self, top: int | None = None) -> str:
        buf = io.StringIO()
        w = csv_writer(buf, lineterminator="\n")  # formula-like cells neutralised
        w.writerow(self.CSV_COLUMNS)
        for r in self._rows_for(top):
            m = r.measures
            w.writerow(
                [
                    "" if r.rank is None else r.rank, r.iso3, r.label, r.region, r.subregion, fmt(r.score),
                    fmt(m["personalized_pagerank"]), fmt(m["tie_to_canada"]), fmt(m["weighted_degree"]),
                    fmt(m["betweenness"]), fmt(m["eigenvector"]), r.channels_with_canada, r.channels_total,
                    ";".join(f"{k}={v}" for k, v in r.channel_kinds.items()),
                    ";".join(sorted({short(u.iri) for u in r.channels})),
                ]
            )  # fmt: skip
        return buf.getvalue()

    def gaps_csv(self) -> str:
        buf = io.StringIO()
        w = csv_writer(buf, lineterminator="\n")  # formula-like cells neutralised
        w.writerow(
            ("region", "pillar", "position", "iso3", "label", "channels", "tied", "tie_to_canada",
             "weighted_degree")
        )  # fmt: skip
        for g in self.gaps:
            for i, c in enumerate(g.countries, 1):
                w.writerow(
                    (g.region or "", g.pillar or "", i, c["iso3"], c["label"], c["channels"], c["tied"],
                     fmt(c["tie_to_canada"]), fmt(c["weighted_degree"]))
                )  # fmt: skip
        return buf.getvalue()

    # --- RDF ---

    def iri(self, iso3: str | None = None) -> URIRef:
        base = f"{ANALYSIS_BASE}{self.slice}"
        return URIRef(f"{base}/{iso3}" if iso3 else f"{base}/activity")

    def add_to(self, graph: Graph) -> Graph:
        """Write the results into ``graph`` (the build's analysis named graph): one
        mpd:InfluenceAssessment per country and a prov:Activity with the parameters."""
        activity = self.iri()
        p = self.params
        graph.add((activity, RDF.type, PROV.Activity))
        graph.add((activity, RDFS.label, Literal(f"Influence analysis ({self.slice})", lang="en")))
        graph.add((activity, PROV.used, DATASET))
        graph.add((activity, PROV.wasAssociatedWith, SOFTWARE))
        graph.add((SOFTWARE, RDF.type, PROV.SoftwareAgent))
        graph.add((SOFTWARE, RDFS.label, Literal(f"mpdkg {__version__}")))
        graph.add((SOFTWARE, SCHEMA.softwareVersion, Literal(__version__)))
        graph.add((activity, MPDA.sliceName, Literal(self.slice)))
        if p["as_of"] is not None:
            graph.add((activity, MPDA.asOfYear, Literal(p["as_of"])))
        if p["reference_year"] is not None:
            graph.add((activity, MPDA.referenceYear, Literal(p["reference_year"])))
        if p["pillar"] is not None:
            graph.add((activity, MPDA.slicePillar, pillar_iri(p["pillar"])))
        if p["region"] is not None:
            graph.add((activity, MPDA.sliceRegion, region_iri(p["region"])))
        graph.add((activity, MPDA.parameters, Literal(json.dumps(p["weights"], sort_keys=True))))
        graph.add((activity, MPDA.betweennessMethod, Literal(self.network["betweenness"])))
        for r in self.rows:
            node = self.iri(r.iso3)
            graph.add((node, RDF.type, MPDA.InfluenceAssessment))
            graph.add(
                (node, RDFS.label, Literal(f"Influence assessment of {r.label} ({self.slice})", lang="en"))
            )
            graph.add((node, MPDA.assessedCountry, country_iri(r.iso3)))
            graph.add((node, PROV.wasGeneratedBy, activity))
            for name, prop in _MEASURE_PROPS.items():
                value = r.measures.get(name)
                if value is not None:
                    graph.add((node, prop, _decimal(value)))
            if r.score is not None:
                graph.add((node, MPDA.influenceScore, _decimal(r.score)))
                graph.add((node, MPDA.influenceRank, Literal(r.rank)))
            graph.add((node, MPDA.channelsWithCanada, Literal(r.channels_with_canada)))
            for iri in sorted({u.iri for u in r.channels} | {u.through for u in r.channels if u.through}):
                graph.add((node, MPDA.basedOnChannel, URIRef(iri)))
            for s in sorted({s for u in r.channels for s in u.sources}):
                graph.add((node, PROV.wasDerivedFrom, URIRef(s)))
        c = self.canada
        node = self.iri(c.iso3)
        for name, prop in _RANK_PROPS.items():
            if c.ranks.get(name) is not None:
                graph.add((node, prop, Literal(c.ranks[name])))
        if c.effective_size is not None and c.constraint is not None:
            graph.add((node, MPDA.effectiveSize, _decimal(c.effective_size)))
            graph.add((node, MPDA.constraint, _decimal(c.constraint)))
        return graph


_MEASURE_PROPS = {
    "weighted_degree": MPDA.weightedDegree,
    "betweenness": MPDA.betweennessCentrality,
    "eigenvector": MPDA.eigenvectorCentrality,
    "personalized_pagerank": MPDA.personalizedPageRank,
    "tie_to_canada": MPDA.tieToCanada,
}
_RANK_PROPS = {
    "weighted_degree": MPDA.weightedDegreeRank,
    "betweenness": MPDA.betweennessRank,
    "eigenvector": MPDA.eigenvectorRank,
}


def _decimal(x: float) -> Literal:
    return Literal(fmt(x), datatype=XSD.decimal)


# --- the analysis ----------------------------------------------------------------------------


def _region_members(facts: Facts, region: str) -> tuple[str, set[str]]:
    wanted = region.strip().casefold()
    names = sorted({c.region for c in facts.countries.values() if c.region})
    names += sorted({c.subregion for c in facts.countries.values() if c.subregion} - set(names))
    for name in names:
        if wanted in (name.casefold(), slug(name)):
            members = {c.iso3 for c in facts.countries.values() if name in (c.region, c.subregion)}
            return name, members
    raise UsageError(f"--region {region!r}: no such region; known regions: {', '.join(names)}")


def slice_name(as_of: int | None, pillar: int | None, region: str | None) -> str:
    parts = [str(as_of) if as_of is not None else "current"]
    if pillar is not None:
        parts.append(f"pillar-{pillar}")
    if region is not None:
        parts.append(slug(region))
    return "-".join(parts)


UN = "https://w3id.org/mpdkg/forum/un"


def sovereign_states(facts: Facts) -> set[str]:
    """ISO codes of the UN member and observer states (the curated forum ``un``); empty when
    the graph does not have it, and then every country counts (small test graphs)."""
    by_iri = facts.countries
    return {
        by_iri[m.actor].iso3
        for m in facts.memberships
        if m.forum == UN and m.role in ("member", "observer") and m.actor in by_iri
    }


def analyse(
    data,
    config: InfluenceConfig | None = None,
    pillar: int | None = None,
    region: str | None = None,
    as_of: int | None = None,
    states_only: bool = True,
    ego: str = CANADA,
) -> InfluenceResult:
    """The influence analysis of one slice of the graph.

    ``data``: an rdflib Dataset, a pyoxigraph Store, an mpdkg query engine, or :class:`Facts`
    already loaded. ``pillar``: only channels that serve that pillar. ``region``: only the
    countries of that UN M49 region or sub-region (and Canada). ``as_of``: only relationships in
    force that year (default: those in force in the latest year the data mentions).
    ``states_only``: rank and list gaps among UN member and observer states only (territories
    are kept in the network, which they are part of, but listed apart in ``territories``).
    """
    config = config or InfluenceConfig.load()
    facts = data if isinstance(data, Facts) else load_facts(data)
    known_pillars = _known_pillars(facts, pillar)
    members = None
    if region is not None:
        region, members = _region_members(facts, region)
    year = as_of if as_of is not None else facts.reference_year()
    B = channel_network(facts, config)
    ego = ego.upper()
    if ego not in facts.by_iso:
        raise UsageError(
            f"--ego {ego!r}: not a country of the graph (expected an ISO alpha-3 code such as AUS)"
        )
    proj = project(B, config, pillar=pillar, year=year, countries=members, ego=ego)
    n = len(proj.nodes)
    sampled = n > config.exact_max_nodes and config.pivots < n
    measures = _measures(proj, ego, config, sampled)
    rows = _country_rows(facts, proj, measures)
    states = sovereign_states(facts) if states_only else None
    canada_row, others, territories = _score(rows, ego, states, config)
    params = {
        "slice": slice_name(as_of, pillar, region),
        "as_of": as_of,
        "reference_year": year,
        "pillar": pillar,
        "region": region,
        "software": f"mpdkg {__version__}",
        "weights_file": config.source,
        "states_only": bool(states),
        "states": len(states) if states else None,
        "weights": config.as_dict(),
        "ego": ego,
    }
    network = {
        "countries": n,
        "ties": len(proj.ties),
        "channels": proj.channels_in_slice,
        "undated_facts": len(proj.undated),
        "channel_network": {"nodes": B.number_of_nodes(), "edges": edge_count(B)},
        "betweenness": f"sampled (k={config.pivots}, seed={config.seed})" if sampled else "exact",
    }
    return InfluenceResult(
        rows=[canada_row, *others],
        canada=_position(proj, ego, measures),
        gaps=find_gaps(others, [pillar] if pillar is not None else known_pillars, config.gaps_per_group),
        params=params,
        network=network,
        sources=facts.sources,
        projection=proj,
        territories=territories,
        facts=facts,
        config=config,
    )


def _known_pillars(facts: Facts, pillar: int | None) -> list[int]:
    """The pillars the channels serve; a UsageError when ``pillar`` is not one of them."""
    known = sorted({p for ch in facts.channels.values() for p in ch.pillars})
    if pillar is not None and pillar not in known:
        raise UsageError(
            f"--pillar {pillar}: no forum or agreement serves it; pillars: {', '.join(map(str, known))}"
        )
    return known


def _measures(
    proj: Projection, ego: str, config: InfluenceConfig, sampled: bool
) -> dict[str, dict[str, float]]:
    """Every measure of :data:`MEASURES_ORDER` for every country of the projection, from its
    adjacency matrix (the same values as the functions of :mod:`mpdkg.influence.measures` on its
    graph)."""
    A, nodes = proj.matrix, proj.nodes
    e = nodes.index(ego)
    bc = betweenness_matrix(A, nodes, k=config.pivots if sampled else None, seed=config.seed)
    return {
        "weighted_degree": weighted_degree_matrix(A, nodes),
        "betweenness": bc,
        "eigenvector": eigenvector_matrix(A, nodes),
        "personalized_pagerank": personalized_pagerank_matrix(A, nodes, e, alpha=config.alpha),
        "tie_to_canada": ties_of(A, nodes, e),
    }


def _country_rows(facts: Facts, proj: Projection, measures: dict[str, dict[str, float]]) -> list[CountryRow]:
    by_iso = facts.by_iso
    rows = []
    for iso3 in proj.nodes:
        c = by_iso.get(iso3)
        rows.append(
            CountryRow(
                iso3=iso3,
                label=c.label if c else iso3,
                region=c.region if c else "",
                subregion=c.subregion if c else "",
                measures={m: measures[m][iso3] for m in MEASURES_ORDER},
                channels=proj.uses.get(iso3, []),
                channels_total=proj.channel_counts.get(iso3, 0),
            )
        )
    return rows


def _value(x: float | None) -> float:
    """A measure of a ranked country (never None: only the ego's tie to itself is)."""
    return 0.0 if x is None else x


def _score(
    rows: list[CountryRow], ego: str, states: set[str] | None, config: InfluenceConfig
) -> tuple[CountryRow, list[CountryRow], list[CountryRow]]:
    """Score and rank the countries (states only when ``states`` is not empty; the territories
    are listed apart, unranked): the ego's row, the ranked rows by rank, the territories."""
    others = [r for r in rows if r.iso3 != ego]
    territories = []
    if states:  # rankings and gaps count states; territories are listed apart, unranked
        territories = [r for r in others if r.iso3 not in states]
        others = [r for r in others if r.iso3 in states]
    top = {m: max((_value(r.measures[m]) for r in others), default=0.0) for m in MEASURES}
    for r in others:
        r.components = {
            m: config.score[m] * (_value(r.measures[m]) / top[m] if top[m] > 0 else 0.0) for m in MEASURES
        }
        r.score = rounded(sum(r.components.values()))
    ranks = competition_ranks({r.iso3: r.score for r in others}, DIGITS)
    for r in others:
        r.rank = ranks[r.iso3]
    canada_row = next(r for r in rows if r.iso3 == ego)
    canada_row.measures["tie_to_canada"] = None
    others.sort(key=lambda r: (r.rank, r.iso3))
    territories.sort(key=lambda r: (-len(r.channels), r.iso3))
    return canada_row, others, territories


def _position(proj: Projection, ego: str, measures: dict[str, dict[str, float]]) -> CanadaPosition:
    A, e = proj.matrix, proj.nodes.index(ego)
    size, constraint = burt_matrix(A, e)
    return CanadaPosition(
        iso3=ego,
        measures={m: measures[m][ego] for m in CENTRALITIES},
        ranks={m: competition_rank(measures[m], ego, DIGITS) for m in CENTRALITIES},
        effective_size=size,
        constraint=constraint,
        partners=int(A.indptr[e + 1] - A.indptr[e]),
        channels=proj.channel_counts.get(ego, 0),
        countries=len(proj.nodes),
    )


MEASURES_ORDER = ("weighted_degree", "betweenness", "eigenvector", "personalized_pagerank", "tie_to_canada")


def find_gaps(rows: list[CountryRow], pillars: list[int], per_group: int) -> list[Gap]:
    """For each region, each pillar, and each region and pillar: the countries with the fewest
    channels to Canada (ties broken by the weakest tie, then the best connected elsewhere first:
    the likeliest partners for diversifying Canada's relationships). Each entry says how many
    countries of the group share its channel count (``tied``): when every state has one pillar-4
    channel (the UN), the five listed are tie-breaks among all of them, and a reader must see that.

    Countries for which the graph records no channel at all in the slice (mostly territories, or
    countries not yet curated) are a gap in the data rather than in Canada's diplomacy: they are
    listed apart, as ``outside_network``, and not ranked.
    """

    keys: dict[int | None, dict[str, tuple]] = {}
    for pillar in [None, *pillars]:
        keys[pillar] = {}
        for r in rows:
            if r.channels_total == 0:
                continue
            uses = [u for u in r.channels if pillar is None or pillar in u.pillars]
            tie = rounded(sum(u.weight for u in uses))
            count = len({u.iri for u in uses})
            keys[pillar][r.iso3] = (count, tie, -_value(rounded(r.measures["weighted_degree"])), r.iso3)
    labels = {r.iso3: r.label for r in rows}
    by_region: dict[str | None, list[CountryRow]] = {None: rows}
    for r in rows:
        by_region.setdefault(r.region or "(no region)", []).append(r)

    def gap(region: str | None, pillar: int | None) -> Gap:
        chosen = by_region[region]
        outside = sorted(r.iso3 for r in chosen if r.channels_total == 0)
        ranked = [keys[pillar][r.iso3] for r in chosen if r.channels_total > 0]
        fewest = heapq.nsmallest(per_group, ranked)
        same = Counter(k[0] for k in ranked)  # a cut through a tie lists tie-breaks, not the fewest
        entries = [
            {
                "iso3": k[3],
                "label": labels[k[3]],
                "channels": k[0],
                "tied": same[k[0]],
                "tie_to_canada": k[1],
                "weighted_degree": -k[2],
            }
            for k in fewest
        ]
        without = sum(1 for k in ranked if k[0] == 0)
        return Gap(region, pillar, entries, without, len(ranked), outside)

    regions = sorted(k for k in by_region if k is not None)
    gaps = [gap(region, None) for region in regions]
    gaps += [gap(None, p) for p in pillars]
    gaps += [gap(region, p) for region in regions for p in pillars]
    return gaps


# --- comparing two years ---------------------------------------------------------------------


@dataclass
class Comparison:
    before: InfluenceResult
    after: InfluenceResult
    canada: list[dict]
    rows: list[dict]

    def as_dict(self, top: int | None = None) -> dict:
        return {
            "before": self.before.params["slice"],
            "after": self.after.params["slice"],
            "canada": self.canada,
            "rows": self.rows if top is None else self.rows[:top],
        }

    def to_json(self, top: int | None = None) -> str:
        return json.dumps(self.as_dict(top), indent=2, ensure_ascii=False) + "\n"

    def to_csv(self, top: int | None = None) -> str:
        buf = io.StringIO()
        w = csv_writer(buf, lineterminator="\n")  # formula-like cells neutralised
        cols = ("iso3", "label", "score_before", "score_after", "score_change", "rank_before", "rank_after",
                "rank_move", "channels_before", "channels_after", "gained", "lost")  # fmt: skip
        w.writerow(cols)
        for r in self.rows if top is None else self.rows[:top]:
            w.writerow(
                [
                    "" if r[c] is None else (fmt(r[c]) if isinstance(r[c], float) else r[c])
                    if not isinstance(r[c], list) else ";".join(r[c])
                    for c in cols
                ]
            )  # fmt: skip
        return buf.getvalue()


def compare(before: InfluenceResult, after: InfluenceResult) -> Comparison:
    """How Canada's position and each country's score moved between two results (two years)."""
    canada = []
    for m in CENTRALITIES:
        a, b = before.canada.measures[m], after.canada.measures[m]
        rank_a, rank_b = before.canada.ranks[m], after.canada.ranks[m]
        canada.append(
            {
                "measure": m,
                "before": rounded(a),
                "after": rounded(b),
                "change": rounded(b - a),
                "rank_before": rank_a,
                "rank_after": rank_b,
                "rank_move": None if rank_a is None or rank_b is None else rank_a - rank_b,
            }
        )
    for name in ("effective_size", "constraint", "partners", "channels"):
        x0, x1 = getattr(before.canada, name), getattr(after.canada, name)
        canada.append(
            {
                "measure": name,
                "before": rounded(x0) if isinstance(x0, float) else x0,
                "after": rounded(x1) if isinstance(x1, float) else x1,
                "change": None if x0 is None or x1 is None else rounded(x1 - x0),
                "rank_before": None,
                "rank_after": None,
                "rank_move": None,
            }
        )
    rb = {r.iso3: r for r in before.ranked()}
    ra = {r.iso3: r for r in after.ranked()}
    rows = [_row_change(iso3, rb.get(iso3), ra.get(iso3)) for iso3 in sorted(set(rb) | set(ra))]
    rows.sort(key=lambda r: (-abs(r["score_change"] or 0.0), r["iso3"]))
    return Comparison(before, after, canada, rows)


def _row_change(iso3: str, x: CountryRow | None, y: CountryRow | None) -> dict[str, Any]:
    """One country's move between two results (``x`` before, ``y`` after; either may be None)."""
    cx = {short(u.iri) for u in x.channels} if x else set()
    cy = {short(u.iri) for u in y.channels} if y else set()
    sx = x.score if x else None
    sy = y.score if y else None
    either = y if y is not None else x
    return {
        "iso3": iso3,
        "label": either.label if either is not None else iso3,
        "score_before": sx,
        "score_after": sy,
        "score_change": None if sx is None or sy is None else rounded(sy - sx),
        "rank_before": x.rank if x else None,
        "rank_after": y.rank if y else None,
        "rank_move": (x.rank - y.rank) if x and y and x.rank is not None and y.rank is not None else None,
        "channels_before": len(cx),
        "channels_after": len(cy),
        "gained": sorted(cy - cx),
        "lost": sorted(cx - cy),
    }
