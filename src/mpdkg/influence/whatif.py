"""What if Canada joined this forum or signed with that state? For a region or a pillar, the
fora Canada is not in and the states it has no agreement with, ranked by what joining or
signing would add to Canada's reach, the computation shown.

Joining forum f (as a member) adds, for every member j, a tie of kind_weight(f) x
size_factor(n + 1) x role(j) to Canada; signing a bilateral memorandum of understanding with a
state adds a tie of agreement_weight("memorandum-of-understanding") x size_factor(2). The change
is measured on Canada's ties (weighted degree), on the states newly tied to Canada, and on
Burt's effective size (brokerage: how many non-redundant partners Canada reaches).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import scipy.sparse as sp

from mpdkg.influence.config import InfluenceConfig
from mpdkg.influence.measures import adjacency, burt_matrix
from mpdkg.influence.network import CANADA, Facts, channel_network, in_force, project

TOP = 10
MOU = "memorandum-of-understanding"


@dataclass
class _EgoMatrix:
    """The slice's country network and its adjacency matrix (nodes sorted): a what-if adds ties to
    the ego's row and column and measures Burt's effective size again."""

    graph: nx.Graph
    matrix: sp.csr_array
    index: dict[str, int]
    ego: str

    @classmethod
    def of(cls, G: nx.Graph, ego: str) -> _EgoMatrix:
        nodes = sorted(G.nodes)
        return cls(G, adjacency(G), {n: i for i, n in enumerate(nodes)}, ego)

    def effective_size(self, ties: dict[str, float] | None = None) -> float:
        """Burt's effective size of the ego, with ``ties`` (country -> weight) added to its own."""
        A = self.matrix
        added = {c: w for c, w in (ties or {}).items() if c != self.ego and w > 0 and c in self.index}
        if added:
            i = self.index[self.ego]
            cols = [self.index[c] for c in added]
            w = list(added.values())
            n = A.shape[0]
            A = A + sp.csr_array((w + w, ([i] * len(w) + cols, cols + [i] * len(w))), shape=(n, n))
        return burt_matrix(A, self.index[self.ego])[0] or 0.0


def _effect(T: _EgoMatrix, ties: dict[str, float], states: set[str], before: float) -> dict:
    G, ego = T.graph, T.ego
    after = T.effective_size(ties)
    new = sorted(c for c in ties if c in states and c != ego and not G.has_edge(ego, c))
    return {"delta_weighted_degree": round(sum(w for c, w in ties.items() if c != ego), 6),
            "new_partners": len(new), "new_partner_list": new[:20],
            "delta_effective_size": round(after - before, 6)}  # fmt: skip


def _fora_outside(facts, config, year: int, pillar: int | None, ego: str) -> dict[str, dict[str, float]]:
    B = channel_network(facts, config)
    members: dict[str, dict[str, float]] = defaultdict(dict)
    for u, v, _k, d in B.graph["edges"]:
        if d["relation"] != "membership" or not in_force(d["periods"], year, config):
            continue
        if pillar is None or pillar in d["pillars"]:
            members[v][B.nodes[u]["iso3"]] = config.role_weight(d["role"]) or 0.0
    return {f: m for f, m in members.items() if ego not in m and len(m) >= 1}


def what_if(
    facts: Facts,
    config: InfluenceConfig | None = None,
    *,
    region: str | None = None,
    pillar: int | None = None,
    year: int | None = None,
    ego: str = CANADA,
) -> dict:
    """The ``what_if`` key of dist/influence.json (and ``mpdkg influence --what-if``)."""
    from mpdkg.influence.analysis import sovereign_states

    config = config or InfluenceConfig.load()
    year = year or facts.reference_year() or 2025
    states = (sovereign_states(facts) or set(facts.by_iso)) - {ego}
    by_iso = facts.by_iso
    in_region = {c for c in states if region is None or region in (by_iso[c].region, by_iso[c].subregion)}
    G = project(channel_network(facts, config), config, pillar=pillar, year=year, ego=ego).graph
    G.add_node(ego)
    T = _EgoMatrix.of(G, ego)
    before = T.effective_size()
    fora = []
    for f, members in sorted(_fora_outside(facts, config, year, pillar, ego).items()):
        if not set(members) & in_region:
            continue
        ch = facts.channels[f]
        base = config.forum_weight(ch.kind) * config.size_factor(len(members) + 1)
        effect = _effect(T, {c: base * r for c, r in members.items()}, states, before)
        fora.append({"id": f.rsplit("/", 2)[-2] + "/" + f.rsplit("/", 1)[-1], "label": ch.label,
                     "pillars": list(ch.pillars), "members": len(members), **effect,
                     "computation": f"{len(members)} members x kind weight {config.forum_weight(ch.kind):g} "
                     f"({ch.kind}) x size factor {config.size_factor(len(members) + 1):.3g} (n = {len(members) + 1}) "
                     f"x each member's role weight = +{effect['delta_weighted_degree']:.3g} tie; effective size "
                     f"{before:.5g} -> {before + effect['delta_effective_size']:.5g}"})  # fmt: skip
    fora.sort(key=lambda r: (-r["delta_effective_size"], -r["new_partners"], r["id"]))
    return {"year": year, "region": region, "pillar": pillar, "ego": ego, "fora": fora[:TOP],
            "agreements": _agreements(facts, config, T, in_region, states, before, year)}  # fmt: skip


def _agreements(
    facts, config, T: _EgoMatrix, candidates: set[str], states, before: float, year: int
) -> list[dict]:
    G, ego = T.graph, T.ego
    by_iri = facts.countries
    signed: set[str] = set()
    for a, parties in facts.parties.items():
        ch = facts.channels.get(a)
        codes = {by_iri[p].iso3 for p in parties if p in by_iri}
        if ch is not None and ego in codes and in_force(((ch.start, ch.end, None),), year, config):
            signed |= codes
    w = config.agreement_weight(MOU) * config.size_factor(2)
    pool = sorted(candidates - signed, key=lambda c: (-G.degree(c, weight="weight") if c in G else 0.0, c))
    rows = []
    for c in pool[: 3 * TOP]:  # the best connected elsewhere first; Burt for those only
        effect = _effect(T, {c: w}, states, before)
        rows.append({"iso3": c, "label": facts.by_iso[c].label, "region": facts.by_iso[c].region, **effect,
                     "computation": f"bilateral MOU: kind weight {config.agreement_weight(MOU):g} x size factor "
                     f"{config.size_factor(2):g} = +{w:.3g} tie; effective size {before:.3g} -> "
                     f"{before + effect['delta_effective_size']:.3g}"})  # fmt: skip
    rows.sort(key=lambda r: (-r["delta_effective_size"], r["iso3"]))
    return rows[:TOP]


__all__ = ["what_if"]
