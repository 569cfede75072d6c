"""The influence analysis: each measure on hand-made networks with known values, the weighting,
slices on a fixture with dated memberships, edge cases, determinism, the RDF output and the CLI."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph, URIRef
from typer.testing import CliRunner

from mpdkg.errors import UsageError
from mpdkg.influence.analysis import InfluenceConfig, analyse, compare
from mpdkg.influence.measures import (
    adjacency,
    betweenness,
    burt,
    competition_rank,
    eigenvector,
    eigenvector_spectral,
    personalized_pagerank,
    personalized_pagerank_rx,
    weighted_degree,
)
from mpdkg.influence.network import channel_network, load_facts
from mpdkg.rdf.build import build_dataset
from mpdkg.sources.load import load_sources
from tests.helpers import write_mini_graph

REPO = Path(__file__).resolve().parents[2]


def close(a: dict, b: dict, tol: float = 1e-9) -> bool:
    return set(a) == set(b) and all(abs(a[k] - b[k]) <= tol for k in a)


# --- hand-made networks ------------------------------------------------------------------------


@pytest.fixture
def star() -> nx.Graph:
    return nx.star_graph(["c", "l1", "l2", "l3", "l4"])  # c is the centre


@pytest.fixture
def path() -> nx.Graph:
    return nx.path_graph(["a", "b", "c", "d"])


@pytest.fixture
def bridge() -> nx.Graph:
    """Two triangles a-b-c and d-e-f joined by the bridge c-d."""
    return nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])


def test_star_by_hand(star):
    # every one of the C(4,2) = 6 pairs of leaves goes through the centre: 6 / C(4,2) = 1
    assert close(betweenness(star), {"c": 1.0, "l1": 0, "l2": 0, "l3": 0, "l4": 0})
    assert weighted_degree(star) == {"c": 4.0, "l1": 1.0, "l2": 1.0, "l3": 1.0, "l4": 1.0}
    # leading eigenvalue 2, eigenvector (2, 1, 1, 1, 1) / sqrt(8)
    expected = {"c": 2 / math.sqrt(8), **{f"l{i}": 1 / math.sqrt(8) for i in range(1, 5)}}
    assert close(eigenvector(star), expected)
    # PageRank seeded on the centre: x = 0.15 + 0.85 * (4y), y = 0.85 * x / 4, x + 4y = 1
    x = 0.15 / (1 - 0.85 * 0.85)
    y = 0.85 * x / 4
    ppr = personalized_pagerank(star, "c", alpha=0.85)
    assert close(ppr, {"c": x, **{f"l{i}": y for i in range(1, 5)}})


def test_path_by_hand(path):
    # b lies on a-c and a-d: 2 of the C(4,2) = 6 pairs, but normalised by C(3,2) = 3 pairs not
    # involving b -> 2/3
    assert close(betweenness(path), {"a": 0, "b": 2 / 3, "c": 2 / 3, "d": 0})
    phi = (1 + math.sqrt(5)) / 2  # leading eigenvalue of the path on 4 nodes
    norm = math.sqrt(2 + 2 * phi**2)
    assert close(eigenvector(path), {"a": 1 / norm, "b": phi / norm, "c": phi / norm, "d": 1 / norm})


def test_two_triangles_and_a_bridge_by_hand(bridge):
    # c lies on the 2 x 3 = 6 paths from {a, b} to {d, e, f}, out of C(5,2) = 10 pairs -> 0.6
    assert close(betweenness(bridge), {"a": 0, "b": 0, "c": 0.6, "d": 0.6, "e": 0, "f": 0})
    assert weighted_degree(bridge)["c"] == 3.0
    e = eigenvector(bridge)
    assert e["c"] == pytest.approx(e["d"]) and e["a"] == pytest.approx(e["f"]) and e["c"] > e["a"]


def test_weights_are_read_as_distances():
    # a-c is a weak tie (weight 0.1 -> distance 10): the shortest a-c path goes through b
    G = nx.Graph()
    G.add_edge("a", "b", weight=1.0)
    G.add_edge("b", "c", weight=1.0)
    G.add_edge("a", "c", weight=0.1)
    assert betweenness(G)["b"] == pytest.approx(1.0)
    G["a"]["c"]["weight"] = 2.0  # now the direct tie is the shorter
    assert betweenness(G)["b"] == pytest.approx(0.0)


def test_paths_of_equal_length_are_ties_despite_rounding():
    # s-a-b-t and s-c-d-t have the same length 0.1 + 0.2 + 0.3, but in floating point
    # (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1: both paths must still count, half each
    G = nx.Graph()
    for u, v, d in [
        ("s", "a", 0.1),
        ("a", "b", 0.2),
        ("b", "t", 0.3),
        ("s", "c", 0.3),
        ("c", "d", 0.2),
        ("d", "t", 0.1),
    ]:
        G.add_edge(u, v, weight=1 / d)
    b = betweenness(G)
    assert b["a"] == pytest.approx(b["c"]) and b["b"] == pytest.approx(b["d"])


def test_burt_by_hand():
    star = nx.star_graph(["i", "a", "b", "c"])
    size, constraint = burt(star, "i")
    assert size == pytest.approx(3.0)  # three partners, none tied to another
    assert constraint == pytest.approx(3 * (1 / 3) ** 2)
    star.add_edge("a", "b")
    size, constraint = burt(star, "i")
    # a and b are redundant with each other: 3 - 2 * 1/3; constraint (1/3 + 1/3 * 1/2)^2 twice + (1/3)^2
    assert size == pytest.approx(3 - 2 / 3)
    assert constraint == pytest.approx(2 * (1 / 3 + 1 / 6) ** 2 + (1 / 3) ** 2)
    assert burt(star, "i", A=adjacency(star)) == pytest.approx((size, constraint))
    star.add_edge("a", "a", weight=5.0)  # a self-loop is no tie to anyone: nothing changes
    assert burt(star, "i", A=adjacency(star)) == pytest.approx((size, constraint))
    assert adjacency(star)[[0], [0]] == 5.0  # "a" sorts first; the loop sits once on the diagonal
    assert burt(nx.Graph([("x", "y")]), "z") == (None, None)
    lonely = nx.Graph()
    lonely.add_node("i")
    assert burt(lonely, "i") == (None, None)


def random_weighted(seed: int, n: int = 35, m: int = 90) -> nx.Graph:
    rng = random.Random(seed)
    G = nx.gnm_random_graph(n, m, seed=seed)
    G.add_nodes_from([n, n + 1])  # isolated
    G.add_edge(n + 2, n + 3)  # a separate component
    for u, v in G.edges:
        G[u][v]["weight"] = rng.choice([0.25, 0.5, 1.0, 2.0])  # few values: many tied shortest paths
    return G


@pytest.mark.parametrize("seed", range(4))
def test_measures_agree_with_networkx(seed):
    G = random_weighted(seed)
    D = G.copy()
    for u, v in D.edges:
        D[u][v]["distance"] = 1 / D[u][v]["weight"]
    assert close(betweenness(G), nx.betweenness_centrality(D, weight="distance"))
    assert close(betweenness(G, weight=None), nx.betweenness_centrality(G))
    reference = nx.eigenvector_centrality(G, weight="weight", max_iter=10_000, tol=1e-13)
    assert close(eigenvector(G), reference, 1e-8)
    assert close(eigenvector_spectral(G), reference, 1e-8)  # the independent method
    pr = nx.pagerank(G, alpha=0.85, personalization={0: 1}, weight="weight", tol=1e-13, max_iter=10_000)
    assert close(personalized_pagerank(G, 0), pr, 1e-9)
    assert close(personalized_pagerank_rx(G, 0), pr, 1e-9)
    A = adjacency(G)  # read from the edges in one pass; NetworkX's conversion is the reference
    reference_A = nx.to_scipy_sparse_array(G, nodelist=sorted(G), weight="weight", dtype=float)
    assert (abs(A - reference_A)).max() == 0 and A.shape == reference_A.shape
    assert close(eigenvector(G, A=A), reference, 1e-8)
    for node in (0, 1, 2):
        if G.degree(node):
            size = nx.effective_size(G, nodes=[node], weight="weight")[node]
            constraint = nx.constraint(G, nodes=[node], weight="weight")[node]
            assert burt(G, node) == pytest.approx((size, constraint))
            assert burt(G, node, A=A) == pytest.approx((size, constraint))


def test_betweenness_in_batches_is_bitwise_that_of_one_source_at_a_time():
    """The sources of a batch are one disjoint union and the ties on no shortest path are left out
    (the maps score hundreds of slices this way): the sums must still be exactly those of the
    sources taken one by one over every tie, or builds would differ in the last digit."""
    import numpy as np

    from mpdkg.influence import measures as M

    G = random_weighted(3, n=70, m=400)
    D = adjacency(G)
    D.data = 1.0 / D.data
    everyone = np.arange(D.shape[0])
    one_by_one = np.zeros(D.shape[0])
    for s in everyone:  # one source: no batch, and no tie left out (that needs every source)
        one_by_one += M._brandes_sources(D, np.array([s]), batch=1)
    assert np.array_equal(M._brandes_sources(D, everyone, batch=32), one_by_one)
    assert np.array_equal(M._brandes_sources(D, everyone, batch=5), one_by_one)
    pruned = M._shortest_ties(D, M.dijkstra(D, directed=True))
    assert 0 < pruned.nnz < D.nnz  # some ties are longer than a path around them


def test_sampled_betweenness_is_seeded_and_exact_with_all_pivots():
    G = random_weighted(7, n=60, m=200)
    exact = betweenness(G)
    assert close(betweenness(G, k=len(G) + 5), exact)
    a = betweenness(G, k=20, seed=1)
    assert a == betweenness(G, k=20, seed=1)
    assert a != betweenness(G, k=20, seed=2)
    top_exact = max(exact, key=exact.get)
    assert a[top_exact] > 0


def test_disconnected_eigenvector_and_unreachable_pagerank():
    G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("g", "h")])
    G.add_node("i")
    e = eigenvector(G)
    # the two triangles share the leading eigenvalue 2; the pair (1) and the isolated node vanish
    assert close(e, {**dict.fromkeys("abcdef", 1 / math.sqrt(6)), "g": 0, "h": 0, "i": 0}, 1e-9)
    assert close(eigenvector_spectral(G), e, 1e-9)
    ppr = personalized_pagerank(G, "a")
    assert ppr["d"] == 0.0 and ppr["i"] == 0.0 and sum(ppr.values()) == pytest.approx(1.0)
    lonely = personalized_pagerank(G, "i")
    assert lonely["i"] == pytest.approx(1.0) and lonely["a"] == 0.0


def test_competition_rank():
    values = {"a": 3.0, "b": 2.0, "c": 2.0, "d": 1.0}
    assert [competition_rank(values, k) for k in "abcd"] == [1, 2, 2, 4]


# --- weights ------------------------------------------------------------------------------------


def test_weights_file_is_the_one_source(tmp_path):
    config = InfluenceConfig.load()
    assert config.size_factor(2) == 1.0 and config.size_factor(146) == pytest.approx(1 / 145)
    assert config.role_weight("voted-yes") is None  # votes are not channels
    assert config.engagement_weight("chair") > config.role_weight("observer")
    assert set(config.score) == {
        "personalized_pagerank", "tie_to_canada", "eigenvector", "weighted_degree", "betweenness"
    }  # fmt: skip
    text = (REPO / "src/mpdkg/influence/influence_weights.toml").read_text()
    (tmp_path / "w.toml").write_text(text.replace('scaling = "pairs"', 'scaling = "log"'))
    log = InfluenceConfig.load(tmp_path / "w.toml")
    assert log.size_factor(4) == pytest.approx(0.5)
    (tmp_path / "bad.toml").write_text(text.replace('scaling = "pairs"', 'scaling = "cube"'))
    from mpdkg.influence.config import ConfigError

    with pytest.raises(ConfigError, match="size.scaling"):
        InfluenceConfig.load(tmp_path / "bad.toml")


# --- the fixture with dated memberships --------------------------------------------------------

EXTRA_FORA = """\
dated,Dated Initiative,,initiative,5,2000,,,,no,,,,t-forum,,
eu,European Union,EU,regional-organisation,1,1958,,,,no,,,,t-forum,,
"""
EXTRA_MEMBERSHIPS = {
    "dated": """\
member,role,start,end,as_of,source,quote,note
CAN,member,2000,,,t-forum,,
JPN,member,2010,2015,,t-forum,,
FRA,member,2016,,,t-forum,,
""",
    "eu": """\
member,role,start,end,as_of,source,quote,note
FRA,member,1958,,,t-forum,,
""",
}
EXTRA_AGREEMENTS = """\
ceta-mini,CETA (test),,trade-agreement,2,CAN;eu,2016,2017,,,,,t-agr,,
undated-mou,An undated MOU (test),,memorandum-of-understanding,1,CAN;JPN,,,,,,,t-agr,,
"""
# A vote is not a channel: Kenya and Canada voting alike must not tie them.
EXTRA_VOTES = """\
compact,A compact,,compact-or-declaration,4,2018,,,,no,,,,t-forum,,
"""
VOTES = """\
member,role,start,end,as_of,source,quote,note
CAN,voted-yes,2018,2018,,t-forum,,
KEN,voted-yes,2018,2018,,t-forum,,
"""


def write_influence_graph(root: Path) -> Path:
    graph = write_mini_graph(root)
    with (graph / "fora" / "test.csv").open("a", encoding="utf-8") as f:
        f.write(EXTRA_FORA + EXTRA_VOTES)
    for forum, text in {**EXTRA_MEMBERSHIPS, "compact": VOTES}.items():
        (graph / "memberships" / f"{forum}.csv").write_text(text, encoding="utf-8")
    with (graph / "agreements" / "test.csv").open("a", encoding="utf-8") as f:
        f.write(EXTRA_AGREEMENTS)
    return graph


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Dataset:
    graph = write_influence_graph(tmp_path_factory.mktemp("influence"))
    return build_dataset(load_sources(graph)).dataset


@pytest.fixture(scope="module")
def facts(dataset):
    return load_facts(dataset)


def tie(result, iso3: str) -> float:
    return result.row(iso3).measures["tie_to_canada"]


def channels(result, iso3: str) -> set[str]:
    return {u.id for u in result.row(iso3).channels}


def test_channel_network_keeps_kinds_pillars_dates_and_sources(facts):
    B = channel_network(facts, InfluenceConfig.load())
    base = "https://w3id.org/mpdkg/"
    jpn = B[base + "country/JPN"][base + "forum/dated"]
    (edge,) = jpn.values()
    assert edge["relation"] == "membership" and edge["role"] == "member" and edge["pillars"] == (5,)
    assert edge["periods"][0] == (2010, 2015, None)
    assert edge["sources"] == (base + "source/t-forum",)
    assert B.nodes[base + "agreement/stca"]["kind"] == "safe-third-country-agreement"
    chair = B[base + "country/CAN"][base + "forum/rcm"][base + "engagement/chair-rcm-2006"]
    assert chair["relation"] == "engagement" and chair["kind"] == "chair"
    # votes are not channels
    assert not B.has_edge(base + "country/KEN", base + "forum/compact")
    # a forum that is party to an agreement stands for its members
    (via,) = B[base + "country/FRA"][base + "agreement/ceta-mini"].values()
    assert via["via"] == base + "forum/eu"


def test_as_of_counts_only_relationships_in_force(facts):
    config = InfluenceConfig.load()
    r2012 = analyse(facts, config, as_of=2012)
    r2020 = analyse(facts, config, as_of=2020)
    assert "dated" in channels(r2012, "JPN") and "dated" not in channels(r2020, "JPN")
    assert "dated" in channels(r2020, "FRA") and "dated" not in channels(r2012, "FRA")
    assert "ceta-mini" in channels(r2020, "FRA") and "ceta-mini" not in channels(r2012, "FRA")
    assert r2020.row("JPN").measures["weighted_degree"] == 0.0  # Japan has no channel in 2020
    # Canada's FCM membership is only attested (2024): it is never backdated, so the FCM ties
    # Canada to nobody in 2012, and to the USA in no year (the USA left in 2022)
    assert "five" not in channels(r2012, "USA") and "five" not in channels(analyse(facts, as_of=2023), "USA")
    assert "stca-protocol" in channels(analyse(facts, as_of=2023), "USA")
    assert "stca" not in channels(analyse(facts, as_of=2003), "USA")
    # 2012 by hand: rcm has CAN, MEX and USA (Kenya, an observer attested only in 2020, is not
    # counted before 2020) -> 1/2 a pair; SAWP is bilateral (1.0) -> Mexico's tie is 1/2 + 1
    assert tie(r2012, "MEX") == pytest.approx(1 / 2 + 1.0)


def test_undated_facts_count_in_no_year(facts):
    """Regression: 21 agreements and 11 fora without a date counted in every year, so that
    --as-of 1900 gave Canada 23 channels."""
    for year in (1900, 2012, 2024):
        result = analyse(facts, as_of=year)
        assert "undated-mou" not in channels(result, "JPN"), year
        assert result.network["undated_facts"] >= 2  # the MOU's two parties
    early = analyse(facts, as_of=1900)
    assert early.canada.channels == 0 and early.canada.partners == 0
    assert all(not r.channels for r in early.rows)
    legacy = InfluenceConfig.from_dict({**_toml(), "time": {"unknown_start": "open"}})
    assert "undated-mou" in channels(analyse(facts, legacy, as_of=1900), "JPN")  # the old rule, to compare


def test_since_is_a_start_and_attested_is_an_attestation(facts):
    result = analyse(facts, as_of=2024)
    (kenya_rcm,) = [u for u in result.row("KEN").channels if u.id == "rcm"]
    assert kenya_rcm.since is None and kenya_rcm.attested == 2020
    (mexico_rcm,) = [u for u in result.row("MEX").channels if u.id == "rcm"]
    assert mexico_rcm.since == 1996 and mexico_rcm.attested is None


def test_chairing_raises_canadas_ties_while_it_lasts(facts):
    # the chair of the RCM in 2006 doubles (1 + 1.0) Canada's ties through the RCM that year
    # (three members then: 1/2 a pair)
    assert tie(analyse(facts, as_of=2006), "MEX") == pytest.approx(2 / 2 + 1.0)
    assert tie(analyse(facts, as_of=2007), "MEX") == pytest.approx(1 / 2 + 1.0)
    (use,) = [u for u in analyse(facts, as_of=2006).row("USA").channels if u.id == "rcm"]
    assert use.engagements == ("https://w3id.org/mpdkg/engagement/chair-rcm-2006",)


def test_unknown_starts_follow_the_configured_policy(facts):
    default = analyse(facts, as_of=2010)
    assert "rcm" not in channels(default, "KEN")  # observer attested in 2020: not before
    assert "rcm" in channels(analyse(facts, as_of=2021), "KEN")
    legacy = InfluenceConfig.from_dict({**_toml(), "time": {"unknown_start": "open"}})
    assert "rcm" in channels(analyse(facts, legacy, as_of=2010), "KEN")  # the old rule: backdated


def _toml() -> dict:
    import tomllib

    return tomllib.loads((REPO / "src/mpdkg/influence/influence_weights.toml").read_text())


def test_pillar_slice(facts):
    r = analyse(facts, pillar=2, as_of=2020)
    assert channels(r, "MEX") == {"sawp-mex"}
    assert tie(r, "MEX") == pytest.approx(1.0)
    assert channels(r, "FRA") == {"iec-fra", "ceta-mini"}
    assert tie(r, "USA") == 0.0
    assert all(g.pillar in (2, None) for g in r.gaps)
    from mpdkg.errors import UsageError

    with pytest.raises(UsageError, match="pillar 9"):
        analyse(facts, pillar=9)


def test_region_slice(facts):
    r = analyse(facts, region="europe", as_of=2020)
    assert [row.iso3 for row in r.rows] == ["CAN", "FRA"]
    assert r.params["region"] == "Europe" and r.slice == "2020-europe"
    assert analyse(facts, region="Northern America").canada.countries == 2
    from mpdkg.errors import UsageError

    with pytest.raises(UsageError, match="no such region"):
        analyse(facts, region="Atlantis")


def test_canada_without_channels_and_isolated_countries(facts):
    r = analyse(facts, as_of=1970)  # before every relationship in the fixture
    assert r.graph.number_of_edges() == 0
    assert r.canada.effective_size is None and r.canada.constraint is None
    assert r.canada.measures["personalized_pagerank"] == pytest.approx(1.0)
    assert all(row.score == 0.0 and row.rank == 1 for row in r.ranked())
    # France is in a forum (the EU) but shares nothing with Canada; the others are in no channel
    europe = next(g for g in r.gaps if g.region == "Europe" and g.pillar is None)
    assert [c["iso3"] for c in europe.countries] == ["FRA"] and europe.without_channels == 1
    asia = next(g for g in r.gaps if g.region == "Asia" and g.pillar is None)
    assert asia.total == 0 and asia.outside_network == ["JPN"]
    json.loads(r.to_json())
    r2020 = analyse(facts, as_of=2020)
    jpn = r2020.row("JPN")
    assert jpn.measures["personalized_pagerank"] == 0.0 and jpn.channels == []
    asia = next(g for g in r2020.gaps if g.region == "Asia" and g.pillar is None)
    assert asia.outside_network == ["JPN"] and asia.countries == []


def test_scores_ranks_and_explanations(facts):
    r = analyse(facts, as_of=2020)
    assert r.rows[0].iso3 == "CAN" and r.rows[0].score is None
    ranked = r.ranked()
    assert [x.rank for x in ranked] == sorted(x.rank for x in ranked)
    assert ranked[0].iso3 == "FRA"  # in 2020: the dated initiative, CETA through the EU, youth mobility
    top = ranked[0]
    assert top.score == pytest.approx(sum(top.components.values()), abs=1e-6)
    explained = r.explain(top.iso3)
    assert explained["channels"] and all(u["sources"] for u in explained["channels"])
    assert explained["channels"][0]["sources"][0]["url"].startswith("https://example.org/")
    assert r.canada.ranks["weighted_degree"] == 1


def test_gaps_name_the_countries_with_fewest_channels(facts):
    r = analyse(facts, as_of=2020)
    americas = next(g for g in r.gaps if g.region == "Americas" and g.pillar is None)
    assert [c["iso3"] for c in americas.countries] == ["MEX", "USA"]  # MEX: rcm + sawp; USA: more
    p5 = next(g for g in r.gaps if g.region is None and g.pillar == 5)
    assert p5.countries[0]["channels"] <= p5.countries[-1]["channels"]
    assert {g.group for g in r.gaps} >= {"region=Europe", "pillar=5", "region=Europe;pillar=5"}


def test_gap_entries_say_how_many_countries_share_their_channel_count(facts):
    """A cut through a tie must show: five states listed of many with one channel are tie-breaks."""
    r = analyse(facts, replace(InfluenceConfig.load(), gaps_per_group=1), as_of=2020)
    for g in r.gaps:
        group = [
            row
            for row in r.rows
            if row.channels_total and g.region in (None, row.region) and row.iso3 != "CAN"
        ]
        counts = Counter(
            len({u.iri for u in row.channels if g.pillar is None or g.pillar in u.pillars}) for row in group
        )
        assert [c["tied"] for c in g.countries] == [counts[c["channels"]] for c in g.countries], g.group
    cut = [g for g in r.gaps if g.countries and g.countries[0]["tied"] > 1]
    assert cut, "the fixture has a group whose fewest-channel tie is larger than the one listed"


def test_compare_two_years(facts):
    c = compare(analyse(facts, as_of=2012), analyse(facts, as_of=2020))
    fra = next(row for row in c.rows if row["iso3"] == "FRA")
    assert set(fra["gained"]) == {"forum/dated", "agreement/ceta-mini"} and fra["lost"] == []
    jpn = next(row for row in c.rows if row["iso3"] == "JPN")
    assert jpn["lost"] == ["forum/dated"]
    assert {row["measure"] for row in c.canada} >= {"weighted_degree", "effective_size"}
    assert json.loads(c.to_json())["before"] == "2012"
    assert c.to_csv().splitlines()[0].startswith("iso3,label,score_before")


def test_output_is_deterministic(dataset):
    a = analyse(dataset, InfluenceConfig.load(), as_of=2020)
    b = analyse(dataset, InfluenceConfig.load(), as_of=2020)
    assert a.to_json() == b.to_json() and a.to_csv() == b.to_csv()
    ga, gb = Graph(), Graph()
    a.add_to(ga)
    b.add_to(gb)
    assert sorted(ga) == sorted(gb)
    data = json.loads(a.to_json())
    assert data["analysis"]["software"].startswith("mpdkg ")
    assert all(len(str(v).split(".")[-1]) <= 6 for v in data["rows"][1]["measures"].values())


def test_analysis_rdf_answers_sparql_with_the_csv_values(dataset):
    result = analyse(dataset, InfluenceConfig.load())
    target = dataset.graph(URIRef("https://w3id.org/mpdkg/graph/analysis"))
    result.add_to(target)
    assert not any(isinstance(t, type(None)) for t in target)
    from rdflib import BNode

    assert not [t for triple in target for t in triple if isinstance(t, BNode)]
    rows = {r["iso3"]: r for r in csv.DictReader(io.StringIO(result.to_csv()))}
    from mpdkg.influence.network import as_engine
    from mpdkg.query.engines import run_query

    answer = run_query(
        as_engine(dataset),
        """
        PREFIX mpd: <https://w3id.org/mpdkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX schema: <https://schema.org/>
        SELECT ?iso ?score ?rank ?version WHERE {
          ?a a mpd:InfluenceAssessment ; mpd:assessedCountry ?c ; mpd:influenceScore ?score ;
             mpd:influenceRank ?rank ; prov:wasGeneratedBy ?act .
          ?c mpd:iso3166Alpha3 ?iso .
          ?act a prov:Activity ; mpd:sliceName "current" ; prov:wasAssociatedWith/schema:softwareVersion ?version .
        }""",
    )
    assert len(answer.rows) == len(rows) - 1  # every country but Canada has a score
    for iso, score, rank, _version in answer.rows:
        assert float(score) == float(rows[str(iso)]["score"])
        assert int(rank) == int(rows[str(iso)]["rank"])
    from mpdkg import __version__

    assert {str(v) for *_, v in answer.rows} == {__version__}
    assert (URIRef("https://w3id.org/mpdkg/analysis/influence/current/CAN"), None, None) in target


def test_analysis_terms_are_defined_in_the_analysis_ontology(dataset):
    onto = Graph().parse(REPO / "ontology" / "analysis.ttl")
    defined = {str(s) for s in onto.subjects()}
    g = Graph()
    analyse(dataset, as_of=2006, region="Americas", pillar=1).add_to(g)
    used = {str(p) for _, p, _ in g} | {str(o) for _, _, o in g}
    ours = {t for t in used if t.startswith("https://w3id.org/mpdkg/ontology#")}
    assert ours <= defined | {"https://w3id.org/mpdkg/ontology#Country"}
    assert any(str(s).endswith("/2006-pillar-1-americas/activity") for s in g.subjects())


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dump(dataset, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dump") / "mini.trig"
    path.write_text(dataset.serialize(format="trig"), encoding="utf-8")
    return path


def run_cli(*args: str):
    from mpdkg.cli.core import app

    return CliRunner().invoke(app, ["influence", *args])


def test_cli_formats(dump):
    res = run_cli("--data", str(dump), "--as-of", "2020", "--format", "csv", "--top", "2")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["iso3"] for r in rows][0] == "CAN" and len(rows) == 3
    res = run_cli("--data", str(dump), "--format", "json", "--pillar", "2")
    assert res.exit_code == 0 and json.loads(res.stdout)["analysis"]["pillar"] == 2
    res = run_cli("--data", str(dump), "--top", "3")
    assert res.exit_code == 0 and "Canada's position" in res.stdout
    assert "not ranked" not in res.output


def test_cli_says_when_a_year_is_not_ranked(dump):
    res = run_cli("--data", str(dump), "--as-of", "1900", "--top", "3")
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "not ranked: CAN takes part in only 0 channels in force in 1900" in said
    assert "[ranking] min_channels" in said  # not eaten as rich markup
    assert "no table, nothing to rank" in said and "Canada's position" not in said  # no states tied 1st at 0


def test_cli_ego_table_names_the_ego_not_canada(dump):
    res = run_cli("--data", str(dump), "--ego", "MEX", "--top", "3")
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "MEX's position" in said and "channels MEX takes part in" in said
    assert "Canada's position" not in said and "tied to Canada" not in said
    # what cannot be compared is said, since Canada's own agreements and engagements favour it
    assert "curated from Canada's side" in said and "MEX's ties to Canada are counted in full" in said
    assert "curated from Canada's side" not in " ".join(
        run_cli("--data", str(dump), "--top", "3").output.split()
    )


def test_cli_layers_table_keeps_whole_headers(dump):
    res = run_cli("--data", str(dump), "--layers", "--as-of", "2020", "--top", "3")
    assert res.exit_code == 0, res.output
    assert "composite" in res.output and "channels" in res.output
    assert "…" not in res.output  # headers wrap or columns go; never "compos…"


def test_cli_json_says_when_a_year_is_not_ranked(dump):
    """The JSON carries the table's 'not ranked' note: ranked false and why (issue #16)."""
    res = run_cli("--data", str(dump), "--as-of", "1900", "--format", "json", "--top", "3")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["ranked"] is False
    assert data["rank_note"].startswith("not ranked: CAN takes part in only 0 channels in force in 1900")
    res = run_cli("--data", str(dump), "--as-of", "1900", "--explain", "MEX", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["ranked"] is False
    data = json.loads(run_cli("--data", str(dump), "--format", "json", "--top", "3").stdout)
    assert data["ranked"] is True and data["rank_note"] is None


def test_cli_explain_gaps_compare_and_errors(dump):
    res = run_cli("--data", str(dump), "--explain", "mex", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["iso3"] == "MEX"
    res = run_cli("--data", str(dump), "--gaps", "--format", "csv")
    assert res.exit_code == 0 and res.stdout.startswith("region,pillar,position,iso3")
    res = run_cli("--data", str(dump), "--compare", "2012", "2020", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["after"] == "2020"
    assert run_cli("--data", str(dump), "--compare", "2012", "2020").exit_code == 0
    res = run_cli("--data", str(dump), "--format", "xml")
    assert res.exit_code == 2 and "--format" in res.output
    res = run_cli("--data", str(dump), "--explain", "ZZZ")
    assert res.exit_code == 2 and "ZZZ" in res.output
    assert "ISO alpha-3" in " ".join(res.output.split())  # says what is expected, as --ego does


# --- the real graph ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_real_graph_as_the_run_writes_it(real_build):

    built = real_build.built
    result = analyse(built.dataset, InfluenceConfig.load())
    g = Graph()
    result.add_to(g)
    assert len(g) > 1000
    ranked = [r.iso3 for r in result.ranked(10)]
    assert "USA" in ranked[:3] and "MEX" in ranked
    assert result.canada.ranks["weighted_degree"] == 1
    assert result.network["betweenness"] == "exact"
    info = json.loads(result.to_json())
    assert info["canada"]["partners"] > 100
    # the figures docs/influence.md discusses are the ones the build computes (`make docs` writes them)
    from mpdkg.influence.figures_doc import render_influence_figures

    committed = (REPO / "docs" / "influence-figures.md").read_text(encoding="utf-8")
    assert committed == render_influence_figures(info), "docs/influence-figures.md is stale: run `make docs`"


def test_competition_ranks_match_one_by_one():
    rng = random.Random(5)
    values = {i: rng.choice([0.1, 0.2, 0.3, 0.1234567, 0.1234568]) for i in range(50)}
    from mpdkg.influence.measures import competition_ranks

    assert competition_ranks(values) == {k: competition_rank(values, k) for k in values}


def test_channel_network_is_built_once_per_facts_and_weights(facts):
    config = InfluenceConfig.load()
    B = channel_network(facts, config)
    assert channel_network(facts, config) is B
    assert channel_network(facts, replace(config, scaling="members")) is not B
    facts.engagements.append(facts.engagements[0])  # new facts: a new network
    try:
        assert channel_network(facts, config) is not B
    finally:
        facts.engagements.pop()


def test_projection_reads_the_multigraph_itself_when_no_edge_list(facts):
    from mpdkg.influence.network import build_channel_network, project

    config = InfluenceConfig.load()
    B = build_channel_network(facts, config)  # a copy of its own: the test changes it
    fast = project(B, config, year=2020)
    del B.graph["edges"]
    slow = project(B, config, year=2020)
    assert nx.utils.edges_equal(fast.graph.edges(data=True), slow.graph.edges(data=True))
    assert fast.uses == slow.uses and fast.channel_counts == slow.channel_counts


@pytest.mark.parametrize("pillar, year", [(None, 2020), (None, 2012), (1, 2015), (5, 2020), (None, 1990)])
def test_the_measures_of_a_projection_matrix_are_those_of_its_graph(facts, pillar, year):
    """The analysis reads the projection's matrix, never its graph: the same numbers, bit for bit."""
    from mpdkg.influence.measures import (
        betweenness_matrix,
        burt_matrix,
        eigenvector_matrix,
        personalized_pagerank_matrix,
        ties_of,
        weighted_degree_matrix,
    )
    from mpdkg.influence.network import project

    config = InfluenceConfig.load()
    proj = project(channel_network(facts, config), config, pillar=pillar, year=year)
    G, A, nodes = proj.graph, proj.matrix, proj.nodes
    expected = adjacency(G)
    for part in ("data", "indices", "indptr"):
        assert getattr(A, part).tolist() == getattr(expected, part).tolist()
    assert nodes == sorted(G) and len(proj.ties) == G.number_of_edges()
    i = nodes.index("CAN")
    assert weighted_degree_matrix(A, nodes) == weighted_degree(G)
    assert betweenness_matrix(A, nodes) == betweenness(G, A=expected)
    assert eigenvector_matrix(A, nodes) == eigenvector(G, A=expected)
    assert personalized_pagerank_matrix(A, nodes, i) == personalized_pagerank(G, "CAN")
    assert ties_of(A, nodes, i) == {n: (G["CAN"][n]["weight"] if G.has_edge("CAN", n) else 0.0) for n in G}
    assert burt_matrix(A, i) == burt(G, "CAN", A=expected)


def test_the_rustworkx_graph_of_a_matrix_has_its_upper_triangle_edges_in_row_order():
    import scipy.sparse as sp

    from mpdkg.influence.measures import _rx_from_matrix

    rng = random.Random(4)
    n = 30
    pairs = {tuple(sorted(rng.sample(range(n), 2))) for _ in range(120)}
    weights = {p: rng.random() + 0.1 for p in pairs}
    rows = [a for a, b in pairs] + [b for a, b in pairs]
    cols = [b for a, b in pairs] + [a for a, b in pairs]
    A = sp.csr_array(([weights[p] for p in pairs] * 2, (rows, cols)), shape=(n, n))
    assert list(_rx_from_matrix(A).weighted_edge_list()) == [
        (a, b, weights[(a, b)]) for a, b in sorted(pairs)
    ]


def test_weighted_degree_matrix_sums_as_networkx_does():
    rng = random.Random(3)
    G = nx.Graph()
    G.add_nodes_from(range(40))
    pairs = sorted({tuple(sorted(rng.sample(range(40), 2))) for _ in range(300)})
    G.add_weighted_edges_from((a, b, rng.random() * 10 ** rng.randint(-6, 6)) for a, b in pairs)
    from mpdkg.influence.measures import weighted_degree_matrix

    assert weighted_degree_matrix(adjacency(G), sorted(G)) == weighted_degree(G)


def test_rankings_and_gaps_count_states_and_list_territories_apart(tmp_path):
    """Regression: 'where to diversify' in Africa listed Mayotte, Réunion and St Helena."""
    graph = write_influence_graph(tmp_path)
    with (graph / "fora" / "test.csv").open("a", encoding="utf-8") as f:
        f.write("un,United Nations,UN,multilateral-organisation,1,1945,,,,no,,,,t-forum,,\n")
    (graph / "memberships" / "un.csv").write_text(
        "member,role,start,end,as_of,source,quote,note\n"
        + "".join(f"{c},member,1945,,,t-forum,,\n" for c in ("CAN", "MEX", "USA", "FRA", "KEN"))
    )  # Japan stands in for a territory here: not a UN member in this fixture
    facts = load_facts(build_dataset(load_sources(graph)).dataset)
    result = analyse(facts, as_of=2012)
    assert "JPN" not in {r.iso3 for r in result.ranked()}
    assert [r.iso3 for r in result.territories] == ["JPN"] and result.territories[0].rank is None
    assert all("JPN" not in {c["iso3"] for c in g.countries} for g in result.gaps)
    assert result.explain("JPN")["iso3"] == "JPN"  # still explained
    assert result.params["states_only"] and json.loads(result.to_json())["territories"][0]["iso3"] == "JPN"
    everything = analyse(facts, as_of=2012, states_only=False)
    assert "JPN" in {r.iso3 for r in everything.ranked()}


# --- layers (issue 16) -------------------------------------------------------------------------


def test_layers_use_flows_on_a_log_scale_and_leave_no_data_out(facts):
    from mpdkg.influence.layers import OpenFigures, layer_scores

    figures = OpenFigures(resettled={("JPN", 2016): 10.0, ("FRA", 2016): 1000.0})
    ls = layer_scores(facts, InfluenceConfig.load(), years=[2016], figures=figures)
    # log(1 + 10) / log(1 + 1000) of the protection flow, averaged with the fora tie
    jpn = ls.raw[2016]["protection"]["JPN"]
    assert jpn["resettled_to_canada"] == 10.0
    assert ls.score("FRA", 2016, "protection") >= ls.score("JPN", 2016, "protection")
    # no UN votes and no visa snapshot: the layers say "no data", never zero
    assert ls.score("FRA", 2016, "alignment") is None
    assert ls.raw[2016]["mobility"]["FRA"]["visa_openness"] is None
    # the composite is the weighted mean of the layers that have data (weights renormalised)
    w = {k: d.weight for k, d in ls.definitions.items()}
    used = [k for k in w if ls.score("FRA", 2016, k) is not None]
    expected = sum(w[k] * ls.score("FRA", 2016, k) for k in used) / sum(w[k] for k in used)
    assert ls.score("FRA", 2016) == pytest.approx(expected, abs=1e-6)
    assert "FRA" not in ls.states or ls.rank("FRA", 2016) is not None
    assert "CAN" not in ls.scores[2016]["composite"]
    assert "resettled to Canada" in ls.explain("JPN", 2016)


def test_ego_centres_the_analysis_on_another_state(facts):
    result = analyse(facts, InfluenceConfig.load(), as_of=2016, ego="FRA")
    assert result.rows[0].iso3 == "FRA"
    assert "FRA" not in {r.iso3 for r in result.ranked()}
    assert "CAN" in {r.iso3 for r in result.ranked()}
    with pytest.raises(UsageError, match="--ego"):
        analyse(facts, InfluenceConfig.load(), ego="XYZ")


def test_validity_card_bootstrap_null_model_and_sensitivity(facts):
    from mpdkg.influence.layers import OpenFigures
    from mpdkg.influence.validity import _curveball, null_model, spearman_ci, validity_card

    rho, lo, hi = spearman_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], draws=200, seed=3)
    assert rho == pytest.approx(0.8286, abs=1e-3) and lo <= rho <= hi
    assert spearman_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], draws=200, seed=3) == (rho, lo, hi)  # seeded
    # curveball keeps every row's degree and every column's size
    import random

    sets = [{0, 1}, {1, 2}, {0, 2, 3}, {3}]
    out = _curveball(sets, random.Random(1), 50)
    assert [len(s) for s in out] == [len(s) for s in sets]
    cols = lambda ss: sorted(sum((sorted(s) for s in ss), []))  # noqa: E731
    assert cols(out) == cols(sets)
    states = {c.iso3 for c in facts.countries.values()} - {"CAN"}
    null = null_model(facts, InfluenceConfig.load(), 2016, "CAN", states, 100, 7)
    assert null["draws"] == 100 and null["countries"]
    card = validity_card(facts, InfluenceConfig.load(), OpenFigures(), states, draws=100)
    json.dumps(card, allow_nan=False)  # no NaN in the JSON
    assert card["sensitivity"]["weights"]["tau_min"] <= 1.0
    assert card["limits"]


def test_peers_compare_fora_only_and_keep_canadas_agreements_apart(facts):
    from mpdkg.influence.peers import peer_view

    view = peer_view(facts, InfluenceConfig.load(), peers=("CAN", "FRA", "JPN"), year=2016)
    fra, jpn = view["pillars"]["all"]["FRA"], view["pillars"]["all"]["JPN"]
    # Japan is in the dated initiative 2010-2015 only, France from 2016: time counts for peers too
    before = peer_view(facts, InfluenceConfig.load(), peers=("CAN", "FRA", "JPN"), year=2012)["pillars"][
        "all"
    ]
    assert before["JPN"]["fora"] == jpn["fora"] + 1
    assert before["FRA"]["fora"] == fra["fora"] - 1
    # CETA (via the EU) and the undated MOU are agreements: never counted for a peer
    assert view["canada_specific"]["agreements"] >= 2
    assert set(view["pillars"]) == {"all", "1", "2", "3", "4", "5", "6"}


def test_what_if_ranks_fora_outside_and_states_without_agreement(facts):
    from mpdkg.influence.whatif import what_if

    result = what_if(facts, InfluenceConfig.load(), year=2016)
    ids = {r["id"] for r in result["fora"]}
    assert "forum/eu" in ids  # Canada is not a member of the EU
    assert not ids & {"forum/dated"}  # ... and is a member of the dated initiative
    eu = next(r for r in result["fora"] if r["id"] == "forum/eu")
    assert "kind weight 0.8" in eu["computation"] and eu["delta_weighted_degree"] > 0
    # CETA makes France a party in 2016 (through the EU): no bilateral candidate
    assert "FRA" not in {r["iso3"] for r in result["agreements"]}


@pytest.mark.parametrize("seed", range(3))
def test_what_if_effective_size_is_burt_of_the_graph_with_the_ties_added(seed):
    from mpdkg.influence.whatif import _EgoMatrix

    G = nx.relabel_nodes(random_weighted(seed), str)
    ego = "0"
    ties = {"1": 0.5, "7": 5.0, "30": 0.25, ego: 9.0}  # 5.0: above every weight; a tie to itself: none
    H = G.copy()
    for c, w in ties.items():
        if c != ego:
            H.add_edge(ego, c, weight=(H[ego][c]["weight"] if H.has_edge(ego, c) else 0.0) + w)
    T = _EgoMatrix.of(G, ego)
    assert T.effective_size() == pytest.approx(burt(G, ego)[0])
    assert T.effective_size(ties) == pytest.approx(burt(H, ego)[0])
    assert T.effective_size(ties) != pytest.approx(burt(G, ego)[0])


def test_the_whole_graph_json_carries_layers_validity_and_peers(facts):
    result = analyse(facts, InfluenceConfig.load())
    data = json.loads(result.to_json())
    assert {"layers", "validity", "peers", "what_if"} <= set(data)
    # what-ifs for all pillars and for protection (pillar 5), in the reference year, for the report
    assert [w["pillar"] for w in data["what_if"]] == [None, 5]
    assert {w["year"] for w in data["what_if"]} == {data["analysis"]["reference_year"]}
    assert "layers" not in json.loads(analyse(facts, InfluenceConfig.load(), pillar=5).to_json())


def test_layers_in_1900_rank_nobody(facts):
    from mpdkg.influence.layers import OpenFigures, layer_scores

    figures = OpenFigures(resettled={("JPN", 2016): 10.0})
    ls = layer_scores(facts, InfluenceConfig.load(), years=[1900], figures=figures)
    assert ls.ranked(1900) == []
    assert ls.raw[1900]["protection"]["JPN"]["resettled_to_canada"] is None  # before the series
    assert "not ranked" in ls.explain("JPN", 1900)


def test_alignment_after_the_votes_end_uses_the_latest_window_and_states_the_lag(facts):
    """After the end of the UN-vote data, alignment uses the latest 3-year window ending at or
    before the slice year (the rule of the IRCC admissions, never later data), and the
    explanation and the method say which years and how large the lag is. It was "no data" for
    every state in 2026, which left a tenth of the composite's weight unused."""
    from mpdkg.influence.layers import OpenFigures, latest_window, layer_scores

    votes = {("MEX", 2015): 0.5, ("MEX", 2016): 0.8, ("MEX", 2019): 0.6, ("KEN", 2019): 0.2,
             ("KEN", 2017): 0.4}  # fmt: skip
    assert latest_window(votes, 2026, 3) == [2017, 2019]  # 2018 has no roll call
    assert latest_window(votes, 2016, 3) == [2015, 2016]  # never the later 2017 and 2019
    assert latest_window(votes, 2010, 3) == []  # before the series: no data
    ls = layer_scores(
        facts, InfluenceConfig.load(), years=[2010, 2016, 2026], figures=OpenFigures(votes=votes)
    )
    assert ls.raw[2016]["alignment"]["MEX"]["un_vote_agreement"] == pytest.approx((0.5 + 0.8) / 2)
    assert ls.raw[2026]["alignment"]["MEX"]["un_vote_agreement"] == pytest.approx(0.6)
    assert ls.raw[2026]["alignment"]["KEN"]["un_vote_agreement"] == pytest.approx(0.3)
    assert ls.raw[2010]["alignment"]["MEX"]["un_vote_agreement"] is None
    assert ls.score("MEX", 2026, "alignment") is not None
    assert ls.vote_years[2026] == [2017, 2019]
    assert "UN votes of 2017–2019, the latest available (7-year lag)" in ls.explain("MEX", 2026)
    assert "latest available" not in ls.explain("MEX", 2016)
    data = ls.as_dict()
    assert data["data_years"]["2026"]["alignment"] == [2017, 2019]
    assert (
        "Alignment in 2026 uses the UN votes of 2017–2019, the latest available"
        in data["composite"]["method"]
    )
    from mpdkg.influence.validity import LIMITS  # the validity card's limits no longer say "no data"

    assert not any("'no data'" in limit for limit in LIMITS)


def test_alignment_layer_reads_the_un_votes():
    """The alignment layer has figures from the vendored unvotes extract (it showed 'no data' when
    it looked for the agreement function in the wrong module and swallowed the error)."""
    from mpdkg.influence.layers import read_open_figures

    figures = read_open_figures()
    votes = figures.votes
    assert len(votes) > 5000
    # Canada and the United States agreed on about two thirds of the 2018 recorded votes.
    assert 0.55 < votes[("USA", 2018)] < 0.8
    assert all(0.0 <= v <= 1.0 for v in votes.values())
    # ... and on the topics the issue names: human rights (Voeten's hr), refugees and migration
    hr, rm = figures.votes_hr, figures.votes_refugees_migration
    assert 0 < len(rm) < len(hr) < len(votes)  # fewer roll calls, fewer state-years
    assert all(0.0 <= v <= 1.0 for v in (*hr.values(), *rm.values()))
    assert hr[("USA", 2018)] != votes[("USA", 2018)]


def test_claims_count_new_applications_at_first_instance_in_every_year():
    """Regression: the irregular-migration layer counted type N at every level (appeals added to
    claims) and no claim at all for 2000-2005, when UNHCR's Canada rows are of type V only."""
    from mpdkg.influence.layers import read_open_figures

    figures = read_open_figures()
    per_year: dict[int, float] = {}
    for (_origin, year), n in figures.claims.items():
        per_year[year] = per_year.get(year, 0.0) + n
    assert per_year[2004] == 25_737  # type V, first instance (UNHCR asylum applications, Canada)
    assert per_year[2023] == 146_729  # type N at first instance; 10 N rows at appeal left out


def test_refugees_hosted_is_a_protection_cell_log_scaled_and_averaged_over_the_window(facts):
    """Issue #16: a state hosting many refugees is a key protection partner for Canada; its
    end-year stock is averaged over the window (years the series covers) and log-scaled."""
    from mpdkg.influence.layers import OpenFigures, layer_scores

    hosted = {("FRA", y): 1000.0 for y in range(2012, 2017)} | {("JPN", 2016): 10.0, ("JPN", 2014): 20.0}
    ls = layer_scores(
        facts, InfluenceConfig.load(), years=[1900, 2016, 2026], figures=OpenFigures(hosted=hosted)
    )
    assert ls.raw[2016]["protection"]["FRA"]["refugees_hosted"] == pytest.approx(1000.0)
    assert ls.raw[2016]["protection"]["JPN"]["refugees_hosted"] == pytest.approx(30.0 / 5)
    assert ls.raw[1900]["protection"]["JPN"]["refugees_hosted"] is None  # before the series
    assert ls.raw[2026]["protection"]["JPN"]["refugees_hosted"] is None  # the series ends in 2016
    ls_none = layer_scores(facts, InfluenceConfig.load(), years=[2016], figures=OpenFigures())
    # FRA hosts the most: its protection layer rises by the mean with a 1.0 cell
    before, after = ls_none.score("FRA", 2016, "protection"), ls.score("FRA", 2016, "protection")
    # no flows in these figures and the fora tie is not scored ([layer_cells]): no data before,
    # the hosted cell alone after
    assert before is None and after == pytest.approx(1.0, abs=1e-6)
    label = next(i["label"] for i in ls.definitions["protection"].indicators if i["id"] == "refugees_hosted")
    assert "key protection partner for Canada" in label
    assert "6 a year on average (2012–2016)" in ls.explain("JPN", 2016)


def test_refugees_hosted_reads_the_unhcr_population_by_asylum():
    from mpdkg.influence.layers import read_open_figures

    hosted = read_open_figures().hosted
    assert hosted[("TUR", 2016)] == 2_869_419  # refugees; no oip reported that year
    assert hosted[("LBN", 2023)] == 788_472 + 492_833  # UNHCR's refugees + UNRWA's Palestine refugees
    assert hosted[("COL", 2023)] == 1_382 + 2_851_160  # refugees + other people in need of protection
    assert hosted[("CAN", 2023)] == 169_448  # asylum-seekers (197,961) are not counted as hosted


def test_refugees_hosted_count_palestine_refugees_under_unrwa_s_mandate():
    """Issue #16: Jordan and Lebanon host millions of Palestine refugees registered with UNRWA,
    whom UNHCR counts apart; the hosted cell adds them (graph/open-data/unhcr/unrwa.csv)."""
    from mpdkg.influence.layers import read_open_figures
    from mpdkg.sources import opendata

    hosted = read_open_figures().hosted
    unhcr = {(r["coa_iso"], r["year"]): (r["refugees"] or 0) + (r["oip"] or 0)
             for r in opendata.read_rows("unhcr", "population_by_asylum.csv")}  # fmt: skip
    assert hosted[("JOR", 2023)] - unhcr[("JOR", 2023)] == 2_392_531
    assert hosted[("LBN", 2023)] - unhcr[("LBN", 2023)] == 492_833
    assert hosted[("PSE", 2023)] >= 2_496_694
    assert hosted[("TUR", 2023)] == unhcr[("TUR", 2023)]  # not a field of UNRWA's


def test_an_engagement_with_partners_is_shared_among_them(facts):
    """Issue #16: a project for four partner states is one unit of Canada's work, shared as a
    channel of five countries is ([engagement] share_among_partners), not a full bilateral tie each."""
    from mpdkg.influence.network import Engagement

    base = "https://w3id.org/mpdkg/"
    partners = tuple(base + f"country/{c}" for c in ("FRA", "JPN", "MEX", "KEN"))
    extra = Engagement(base + "engagement/test-shared", base + "country/CAN", base + "forum/rcm",
                       "capacity-building", "test project", 2019, 2021, (5,), partners)  # fmt: skip
    config = InfluenceConfig.load()
    assert config.share_among_partners
    without = analyse(facts, config, as_of=2020)
    facts.engagements.append(extra)
    try:
        shared = analyse(facts, config, as_of=2020)
        full = analyse(facts, replace(config, share_among_partners=False), as_of=2020)
    finally:
        facts.engagements.remove(extra)
    w = config.engagement_weight("capacity-building")
    assert tie(shared, "KEN") - tie(without, "KEN") == pytest.approx(w * config.size_factor(5))
    assert tie(full, "KEN") - tie(without, "KEN") == pytest.approx(w)


def test_an_engagement_with_no_known_end_counts_for_the_term_of_its_kind(facts):
    """A grant of 2012 with no recorded end counted in every year to today and made Togo the
    channel network's strongest broker in 2026: [open_end] counts it for its kind's term only."""
    from mpdkg.influence.network import Engagement

    base = "https://w3id.org/mpdkg/"
    grant = Engagement(base + "engagement/test-grant", base + "country/CAN", base + "forum/rcm",
                       "funding", "test grant", 2012, None, (5,), (base + "country/KEN",))  # fmt: skip
    founded = Engagement(base + "engagement/test-founder", base + "country/CAN", base + "forum/rcm",
                         "founder", "test founding", 2012, None, (5,), (base + "country/JPN",))  # fmt: skip
    config = InfluenceConfig.load()
    assert config.open_end_years["funding"] == 3 and "founder" not in config.open_end_years
    facts.engagements.extend((grant, founded))
    try:
        in_2014, in_2015 = analyse(facts, config, as_of=2014), analyse(facts, config, as_of=2015)
        legacy = analyse(facts, replace(config, open_end_years={}), as_of=2030)
        in_2030 = analyse(facts, config, as_of=2030)
    finally:
        facts.engagements.remove(grant)
        facts.engagements.remove(founded)
    (use,) = [u for u in in_2014.row("KEN").channels if u.iri == grant.iri]
    assert (use.since, use.until, use.until_assumed) == (2012, 2014, True)
    assert grant.iri not in {u.iri for u in in_2015.row("KEN").channels}
    assert grant.iri in {u.iri for u in legacy.row("KEN").channels}  # the old rule: open for ever
    # a kind not listed (a standing role) counts until its end is known
    assert founded.iri in {u.iri for u in in_2030.row("JPN").channels}
    (json_use,) = [u for u in in_2014.explain("KEN")["channels"] if u["id"].endswith("test-grant")]
    assert json_use["until_assumed"] is True
    # a source's end is never replaced by the term
    (chair,) = [e for e in facts.engagements if e.iri.endswith("chair-rcm-2006")]
    assert config.open_end(chair.kind, chair.start) == 2007 and chair.end == 2006
    assert chair.iri not in {
        e for u in analyse(facts, config, as_of=2007).row("USA").channels for e in u.engagements
    }


def test_open_end_terms_are_checked_against_the_ontology(tmp_path):
    from mpdkg.influence.config import ConfigError

    text = (REPO / "src/mpdkg/influence/influence_weights.toml").read_text()
    assert "\nfunding = 3\n" in text
    (tmp_path / "typo.toml").write_text(text.replace("\nfunding = 3\n", "\nfundng = 3\n"))
    with pytest.raises(
        ConfigError, match=r"open_end.fundng: not an engagement kind; expected one of .*funding"
    ):
        InfluenceConfig.load(tmp_path / "typo.toml")
    (tmp_path / "zero.toml").write_text(text.replace("\nfunding = 3\n", "\nfunding = 0\n"))
    with pytest.raises(ConfigError, match=r"open_end.funding = 0: expected a whole number of years >= 1"):
        InfluenceConfig.load(tmp_path / "zero.toml")


def test_flow_and_stock_scalings_are_read_from_the_weights_file(tmp_path):
    from mpdkg.influence.config import ConfigError
    from mpdkg.influence.layers import _value_scale

    config = InfluenceConfig.load()
    assert (config.flow_scaling, config.stock_scaling) == ("log", "log")
    text = (REPO / "src/mpdkg/influence/influence_weights.toml").read_text()
    (tmp_path / "w.toml").write_text(text.replace('stock_scaling = "log"', 'stock_scaling = "sqrt"'))
    assert InfluenceConfig.load(tmp_path / "w.toml").stock_scaling == "sqrt"
    (tmp_path / "bad.toml").write_text(text.replace('flow_scaling = "log"', 'flow_scaling = "cube"'))
    with pytest.raises(ConfigError, match="flows.flow_scaling"):
        InfluenceConfig.load(tmp_path / "bad.toml")
    values = {"a": 0.0, "b": 25.0, "c": 100.0}
    assert _value_scale(values, "sqrt") == {"a": 0.0, "b": 0.5, "c": 1.0}
    assert _value_scale(values, "linear") == {"a": 0.0, "b": 0.25, "c": 1.0}
    assert _value_scale(values, "log")["b"] == pytest.approx(math.log(26) / math.log(101))


def test_the_validity_card_has_the_composite_s_prediction(facts):
    from mpdkg.influence.layers import OpenFigures, layer_scores
    from mpdkg.influence.validity import composite_predictive

    figures = OpenFigures(resettled={("MEX", 2012): 10.0, ("JPN", 2013): 1.0})
    layers = layer_scores(facts, InfluenceConfig.load(), years=[2010, 2026], figures=figures).as_dict()
    states = {c for c in layers["by_year"]["2010"]}
    rows = composite_predictive(layers, facts, figures, states, "CAN", 0)
    assert {r["score_year"] for r in rows} == {2010}  # the years the layers hold
    resettlement = next(r for r in rows if r["outcome"] == "resettlement")
    assert resettlement["overlap"] and resettlement["outcome_years"] == [2011, 2015]
    assert "overlap" not in next(r for r in rows if r["outcome"] == "new_agreements")


def test_a_year_with_fewer_channels_than_the_minimum_says_it_is_not_ranked(facts, tmp_path):
    """Issue #16 (India "1st" in 1945-1950): below [ranking] min_channels a slice's ranks carry a
    note; the minimum is read from the weights file."""
    config = InfluenceConfig.load()
    assert config.min_ranked_channels == 5
    note = analyse(facts, config, as_of=1900).rank_note()
    assert note is not None and note.startswith(
        "not ranked: CAN takes part in only 0 channels in force in 1900"
    )
    latest = analyse(facts, config)
    assert latest.canada.channels >= 5 and latest.rank_note() is None
    from mpdkg.influence.config import DEFAULT_WEIGHTS

    text = Path(DEFAULT_WEIGHTS).read_text(encoding="utf-8").replace("min_channels = 5", "min_channels = 999")
    (tmp_path / "w.toml").write_text(text)
    assert "at least 999" in (analyse(facts, InfluenceConfig.load(tmp_path / "w.toml")).rank_note() or "")


def test_people_admitted_to_canada_is_a_mobility_cell_that_never_uses_later_data(facts):
    """Issue #16: IRCC's admissions by citizenship (PR, study and work permits) are a mobility
    cell: for year Y, the mean over the window ending with the latest IRCC year not after Y; no
    data before the series begins; sqrt-scaled by default ([flows] admissions_scaling)."""
    from mpdkg.influence.layers import OpenFigures, layer_scores

    admitted = {("FRA", y): 400.0 for y in range(2015, 2024)} | {("JPN", 2015): 100.0, ("JPN", 2023): 300.0}
    figures = OpenFigures(admitted=admitted)
    config = InfluenceConfig.load()
    assert config.admissions_scaling == "sqrt"
    ls = layer_scores(facts, config, years=[2010, 2015, 2016, 2026], figures=figures)
    cell = {y: ls.raw[y]["mobility"]["JPN"]["admitted_to_canada"] for y in ls.years}
    assert cell[2010] is None  # before 2015: no data, not zero
    assert cell[2015] == pytest.approx(100.0)  # 2015 alone
    assert cell[2016] == pytest.approx(50.0)  # 2015-2016: the 300 of 2023 is later data
    assert cell[2026] == pytest.approx(60.0)  # 2019-2023, the last IRCC years before 2026
    assert ls.admitted_years[2026] == [2019, 2020, 2021, 2022, 2023]
    assert "60 a year on average (2019–2023)" in ls.explain("JPN", 2026)
    ls_none = layer_scores(facts, config, years=[2016], figures=OpenFigures())
    assert ls_none.raw[2016]["mobility"]["FRA"]["admitted_to_canada"] is None
    # FRA admits the most (sqrt: 1.0); JPN sqrt(50/400): the mobility layer adds that cell to its mean
    for iso, share in (("FRA", 1.0), ("JPN", (50 / 400) ** 0.5)):
        cells = ls_none.raw[2016]["mobility"][iso]
        present = [v for k, v in cells.items() if v is not None and k != "admitted_to_canada"]
        assert len(present) == len([v for v in ls.raw[2016]["mobility"][iso].values() if v is not None]) - 1
        before = ls_none.score(iso, 2016, "mobility")
        n = len(present)
        assert ls.score(iso, 2016, "mobility") == pytest.approx((before * n + share) / (n + 1), abs=1e-6)


def test_people_admitted_reads_the_ircc_extract_for_canada_only():
    from mpdkg.influence.layers import read_open_figures

    admitted = read_open_figures().admitted
    # India 2019: 85,595 PR + 140,350 study + 92,975 IMP + 12,240 TFWP (graph/open-data/ircc)
    assert admitted[("IND", 2019)] == 85_595 + 140_350 + 92_975 + 12_240
    assert admitted[("PHL", 2019)] == 27_810 + 6_495 + 7_600 + 10_345
    assert max(y for _c, y in admitted) == 2023 and min(y for _c, y in admitted) == 2015
    assert read_open_figures(ego="AUS").admitted == {}  # IRCC's data are Canada's


def test_protection_fora_tie_is_shown_but_not_scored_twice(facts, tmp_path):
    """Issue #16: the tie to Canada through pillar-5 channels is part of the tie the channel
    layer scores; counted again as a third of the protection layer it lifted Costa Rica to 6th
    in 2026. By default ([layer_cells] counted_in_channels) it is shown, not scored; an empty
    list restores the double count; an unknown cell id is an error naming the file."""
    from mpdkg.influence.config import DEFAULT_WEIGHTS, ConfigError
    from mpdkg.influence.layers import OpenFigures, layer_scores

    config = InfluenceConfig.load()
    assert config.counted_in_channels == ("protection_fora_tie",)
    figures = OpenFigures(resettled={("MEX", 2020): 50.0, ("USA", 2020): 5.0})
    ls = layer_scores(facts, config, years=[2024], figures=figures)
    tied = {c: cells["protection_fora_tie"] for c, cells in ls.raw[2024]["protection"].items()}
    assert any(v > 0 for v in tied.values())  # the fixture has pillar-5 ties to show
    for c in tied:
        cells = ls.raw[2024]["protection"][c]
        scored = [x for k, x in cells.items() if x is not None and k != "protection_fora_tie"]
        if not scored:
            continue
        # the layer is the mean of the other cells only: resettlement (log-scaled) and no hosted data
        assert ls.score(c, 2024, "protection") == pytest.approx(
            math.log1p(cells["resettled_to_canada"]) / math.log1p(50.0), abs=1e-6
        )
    c = max(tied, key=lambda k: tied[k])
    assert "(not scored here: the channel layer counts it)" in ls.explain(c, 2024)
    cells = {i["id"]: i for i in ls.as_dict()["definitions"]["protection"]["indicators"]}
    assert (
        cells["protection_fora_tie"]["scored"] is False
        and "not scored" in cells["protection_fora_tie"]["label"]
    )
    assert cells["refugees_hosted"]["scored"] is True
    assert ls.definitions["irregular"].label == "Irregular migration: claims and cooperation"
    text = Path(DEFAULT_WEIGHTS).read_text(encoding="utf-8")
    (tmp_path / "twice.toml").write_text(text.replace('counted_in_channels = ["protection_fora_tie"]',
                                                      "counted_in_channels = []"))  # fmt: skip
    twice = layer_scores(facts, InfluenceConfig.load(tmp_path / "twice.toml"), years=[2024], figures=figures)
    assert twice.score(c, 2024, "protection") > ls.score(c, 2024, "protection")
    assert "not scored here" not in twice.explain(c, 2024)
    (tmp_path / "bad.toml").write_text(text.replace('["protection_fora_tie"]', '["fora_tie"]'))
    with pytest.raises(
        ConfigError, match="bad.toml: layer_cells.counted_in_channels: unknown cell 'fora_tie'"
    ):
        layer_scores(facts, InfluenceConfig.load(tmp_path / "bad.toml"), years=[2024], figures=figures)


def test_explain_gives_the_composite_rank_beside_the_channel_rank(facts):
    """Issue #16: --explain IND said "rank 86" (the channel network's) while the report and
    --layers rank India 33rd on all layers; the explanation now names what its rank is of and
    carries the composite rank with its layer-by-layer explanation (whole slices only)."""
    from mpdkg.influence.layers import OpenFigures

    result = analyse(facts, InfluenceConfig.load())
    result._figures = OpenFigures(resettled={("MEX", 2020): 50.0})
    iso = result.ranked()[0].iso3
    e = result.explain(iso)
    assert e["rank_of"].startswith("channel network")
    comp = e["composite"]
    assert comp["year"] == result.params["reference_year"]
    assert comp["rank"] >= 1 and comp["of"] >= comp["rank"] and 0 < comp["score"] <= 1
    assert comp["explanation"].startswith(f"{e['label']} ranks ")
    assert "composite" not in analyse(facts, InfluenceConfig.load(), pillar=5).explain(iso)


def test_flows_after_the_unhcr_data_end_use_the_latest_full_window(facts):
    """Issue #16: in 2026 the 5-year flows summed 2022-2026, four years of UNHCR data (the data
    end in 2025), labelled "2022–2026"; they now sum the latest 5 years available (2021-2025,
    latest_window, the rule of the votes and the IRCC admissions), and say so."""
    from mpdkg.influence.layers import OpenFigures, layer_scores

    resettled = {("MEX", y): 10.0 for y in range(2018, 2026)}
    claims = {("MEX", 2021): 7.0, ("MEX", 2025): 1.0}
    ls = layer_scores(facts, InfluenceConfig.load(), years=[2020, 2026],
                      figures=OpenFigures(resettled=resettled, claims=claims))  # fmt: skip
    assert ls.raw[2026]["protection"]["MEX"]["resettled_to_canada"] == pytest.approx(50.0)
    assert ls.raw[2026]["irregular"]["MEX"]["asylum_claims_in_canada"] == pytest.approx(8.0)
    assert ls.raw[2020]["protection"]["MEX"]["resettled_to_canada"] == pytest.approx(30.0)  # 2018-2020
    assert ls.flow_years[2026]["resettled_to_canada"] == [2021, 2022, 2023, 2024, 2025]
    text = ls.explain("MEX", 2026)
    assert "50 (2021–2025)" in text and "2022–2026" not in text
    assert "UNHCR's of 2021–2025" in ls.as_dict()["composite"]["method"]


def test_cli_explain_table_gives_both_ranks_and_says_what_the_table_ranks(dump):
    """The --explain table printed only the channel rank (India '86th') while the report ranks
    by all layers (33rd); the default table did not say which ranking it is (issue #16)."""
    composite = json.loads(run_cli("--data", str(dump), "--explain", "MEX", "--format", "json").stdout)[
        "composite"
    ]
    res = run_cli("--data", str(dump), "--explain", "MEX")
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "rank on the channel network" in said
    assert f"rank on all layers ({composite['year']}) │ {composite['rank']} of {composite['of']}" in said
    res = run_cli("--data", str(dump), "--top", "3")
    said = " ".join(res.output.split())
    assert "This ranks the channel network" in said and "mpdkg influence --layers" in said


def test_cli_explain_table_numbers_each_source_once_and_shows_channel_ids(dump, monkeypatch):
    """The table's sources cell held every title and address, one ribbon a line wide per
    channel, and rich read each channel's "[forum/rcm]" as markup and dropped it: the cell now
    numbers the sources and one list after the table gives each number its title and address."""
    from mpdkg.cli import common

    monkeypatch.setattr(common.out, "_width", 160)  # wide enough that no channel id is wrapped
    explained = json.loads(run_cli("--data", str(dump), "--explain", "MEX", "--format", "json").stdout)
    res = run_cli("--data", str(dump), "--explain", "MEX")
    assert res.exit_code == 0, res.output
    channels, listing = res.output.split("Sources", 1)
    urls = list(dict.fromkeys(s["url"] for u in explained["channels"] for s in u["sources"]))
    assert len(urls) >= 2
    for n, url in enumerate(urls, start=1):
        assert url not in channels and f"[{n}]" in channels
        assert listing.count(url) == 1 and re.search(rf"\[{n}\]\s+│[^\n]*{re.escape(url)}", listing)
    for u in explained["channels"]:
        assert f"[{u['id']}]" in channels


def test_cli_layers_csv_lists_every_ranked_state_unless_top(dump, monkeypatch):
    """The table shows the first TABLE_TOP states; the CSV is for analysis and lists them all
    (it used to stop at the table's 20)."""
    from mpdkg.cli import influence as cli

    monkeypatch.setattr(cli, "TABLE_TOP", 2)
    every = run_cli("--data", str(dump), "--layers", "--as-of", "2020", "--format", "csv")
    assert every.exit_code == 0, every.output
    ranked = json.loads(
        run_cli("--data", str(dump), "--layers", "--as-of", "2020", "--format", "json").stdout
    )
    states = [c for c, v in ranked["by_year"]["2020"].items() if v["composite"]["rank"]]
    assert len(states) > 2
    assert len(every.stdout.splitlines()) == 1 + len(states)
    top = run_cli("--data", str(dump), "--layers", "--as-of", "2020", "--format", "csv", "--top", "1")
    assert len(top.stdout.splitlines()) == 2


@pytest.mark.parametrize("args", [("--as-of", "20019"), ("--as-of", "3000"), ("--compare", "2015", "2999")])
def test_cli_refuses_a_year_the_graph_cannot_hold(dump, args):
    """--as-of 3000 used to rank today's network under the title 'relationships in force in 3000'."""
    res = run_cli("--data", str(dump), *args)
    assert res.exit_code != 0
    assert "expected a year written YYYY, from 1800 to 2100" in " ".join(res.output.split())
