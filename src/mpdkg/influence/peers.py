"""Canada beside its peers, per pillar, on what the graph records alike for every state:
memberships of multilateral fora. Agreements and engagements are curated from Canada's side
(Canada's bilateral agreements, what Canada chairs or funds), so they are counted for Canada
only and listed apart as Canada-specific: comparing them would measure curation, not diplomacy.

>>> PEERS
('CAN', 'AUS', 'GBR', 'DEU', 'USA', 'MEX')
"""

from __future__ import annotations

from collections import defaultdict

from mpdkg.influence.config import InfluenceConfig
from mpdkg.influence.measures import competition_ranks
from mpdkg.influence.network import CANADA, Facts, channel_network, in_force

PEERS = ("CAN", "AUS", "GBR", "DEU", "USA", "MEX")
COMPARABLE = (
    "Memberships (member, party, associate, participant, observer ... as weighted in the weights file) "
    "of the multilateral fora in force in the year; agreements and engagements left out because the "
    "graph records them from Canada's side only. Caution: the fora themselves were curated because "
    "Canada takes part in them, so Canada leads partly by selection; a forum Canada is not in "
    "(the Bali Process, the Pacific Islands Forum, the Budapest Process) is missing for its peers."
)


def _fora_members(facts: Facts, config: InfluenceConfig, year: int, pillar: int | None):
    B = channel_network(facts, config)
    members: dict[str, dict[str, float]] = defaultdict(dict)
    for u, v, _k, d in B.graph["edges"]:
        if d["relation"] != "membership" or not in_force(d["periods"], year, config):
            continue
        if pillar is not None and pillar not in d["pillars"]:
            continue
        members[v][B.nodes[u]["iso3"]] = config.role_weight(d["role"]) or 0.0
    return B, members


def peer_figures(facts, config, year: int, pillar: int | None, peers, states: set[str]) -> dict:
    B, members = _fora_members(facts, config, year, pillar)
    out = {}
    for ego in peers:
        fora = [f for f, m in members.items() if ego in m]
        partners = {c for f in fora for c in members[f] if c != ego and (not states or c in states)}
        degree = 0.0
        for f in fora:
            base = config.forum_weight(B.nodes[f]["kind"]) * config.size_factor(len(members[f]))
            degree += base * members[f][ego] * sum(r for c, r in members[f].items() if c != ego)
        out[ego] = {"fora": len(fora), "partners": len(partners), "weighted_degree": round(degree, 6)}
    ranks = competition_ranks({e: v["weighted_degree"] for e, v in out.items()}, 6)
    for e in out:
        out[e]["rank"] = ranks[e]
    return out


def canada_specific(facts: Facts, ego: str = CANADA) -> dict:
    by_iri = facts.countries
    agreements = sum(
        1 for parties in facts.parties.values() if any(by_iri[p].iso3 == ego for p in parties if p in by_iri)
    )
    return {
        "agreements": agreements,
        "engagements": len(facts.engagements),
        "note": "Agreements and engagements are curated from Canada's side: Canada's own bilateral and "
        "plurilateral agreements and what Canada chairs, funds or hosts. Other states' agreements "
        "(Australia's with the Pacific, the UK's returns agreements) are not in the graph, so these "
        "figures cannot be compared and are shown for Canada only.",
    }


def peer_view(
    facts: Facts, config: InfluenceConfig | None = None, peers=PEERS, year: int | None = None
) -> dict:
    """The ``peers`` key of dist/influence.json."""
    from mpdkg.influence.analysis import sovereign_states

    config = config or InfluenceConfig.load()
    year = year or facts.reference_year() or 2025
    states = sovereign_states(facts)
    peers = tuple(p for p in peers if p in facts.by_iso)
    pillars = {"all": peer_figures(facts, config, year, None, peers, states)}
    for p in range(1, 7):
        pillars[str(p)] = peer_figures(facts, config, year, p, peers, states)
    return {"egos": list(peers), "year": year, "comparable": COMPARABLE, "pillars": pillars,
            "canada_specific": canada_specific(facts)}  # fmt: skip


__all__ = ["PEERS", "peer_view"]
