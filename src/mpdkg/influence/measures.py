"""The network measures of the influence analysis, on an undirected weighted NetworkX graph.

Each function returns ``{node: value}`` for every node of the graph and gives the same values as
NetworkX's own function of the same name (the tests check this on hand-made and random graphs):

- :func:`weighted_degree` -- the sum of a node's tie weights (``G.degree(weight=...)``);
- :func:`betweenness` -- weighted betweenness, ties read as distances ``1 / weight``, normalised
  as ``networkx.betweenness_centrality(normalized=True)``; exact, or estimated from ``k`` pivots;
  computed with SciPy's Dijkstra and a vectorised Brandes accumulation (NetworkX takes 7 s for
  our real graph; rustworkx has no weighted betweenness);
- :func:`eigenvector` -- ``networkx.eigenvector_centrality`` (the limit of the power iteration
  from a uniform start), computed by rustworkx, which gives the same values 10-100x faster;
  :func:`eigenvector_spectral` is the independent check (and the fallback);
- :func:`personalized_pagerank` -- ``networkx.pagerank`` with all teleportation to one node
  (rustworkx, which needs a directed copy of the graph, was not faster here);
- :func:`burt` -- Burt's effective size and constraint of one node (NetworkX).

>>> import networkx as nx
>>> G = nx.path_graph(["a", "b", "c"])
>>> betweenness(G)["b"]
1.0
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import rustworkx as rx
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, dijkstra

_REL_TOL = 1e-9


def _nodes(G: nx.Graph) -> list:
    return sorted(G.nodes)


def _adjacency(G: nx.Graph, nodes: list, weight: str | None) -> sp.csr_array:
    """``nx.to_scipy_sparse_array(G, nodes, weight)`` for a simple graph, read in one pass over the
    edges (NetworkX's conversion took a third of an analysis at 17,000 ties)."""
    if not nodes:
        return sp.csr_array((0, 0))
    if G.is_multigraph() or G.is_directed():
        A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=weight, format="csr", dtype=float)
    else:
        index = {node: i for i, node in enumerate(nodes)}
        triples = [
            (index[u], index[v], 1.0 if weight is None else float(d.get(weight, 1.0)))
            for u, v, d in G.edges(data=True)
        ]
        u = np.fromiter((t[0] for t in triples), dtype=np.int64, count=len(triples))
        v = np.fromiter((t[1] for t in triples), dtype=np.int64, count=len(triples))
        w = np.fromiter((t[2] for t in triples), dtype=float, count=len(triples))
        loop = u == v  # a self-loop sits once on the diagonal, as in NetworkX
        rows = np.concatenate([u, v[~loop]])
        cols = np.concatenate([v, u[~loop]])
        vals = np.concatenate([w, w[~loop]])
        A = sp.csr_array((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
        A.sum_duplicates()
        A.sort_indices()
    A.eliminate_zeros()
    return A


def weighted_degree(G: nx.Graph, weight: str = "weight") -> dict:
    return {n: float(d) for n, d in G.degree(weight=weight)}


def weighted_degree_matrix(A: sp.csr_array, nodes: list) -> dict:
    """:func:`weighted_degree` of the graph whose :func:`adjacency` is ``A`` (no self-loops), its
    ties summed one by one in the order of the columns, as NetworkX sums a node's neighbours
    when they were added in that order (as :class:`~mpdkg.influence.network.Projection` adds them)."""
    data, ptr = A.data.tolist(), A.indptr.tolist()
    return {node: float(sum(data[ptr[i] : ptr[i + 1]])) for i, node in enumerate(nodes)}


def ties_of(A: sp.csr_array, nodes: list, i: int) -> dict:
    """The tie weight of every node with node ``i`` (0.0 where there is none, and for ``i`` itself)."""
    row = A[[i], :].toarray().ravel()
    row[i] = 0.0
    return {node: float(w) for node, w in zip(nodes, row.tolist(), strict=True)}


# --- betweenness -----------------------------------------------------------------------------


def _brandes_sources(D: sp.csr_array, sources: np.ndarray, batch: int = 32) -> np.ndarray:
    """Brandes' dependency accumulation from the given sources on a distance matrix D.

    For each source, Dijkstra (SciPy) gives the distances; the edges with d[u] + w = d[v] form the
    shortest-path DAG; the DAG is cut into levels (longest hop count from the source), so that the
    path counts (sigma) and the dependencies (delta) can be accumulated one level at a time with
    vectorised NumPy instead of one node at a time. The DAGs of a batch of sources are handled
    as one graph, the disjoint union of their copies (node ``k * n + v`` is node v seen from the
    k-th source), so that NumPy's per-call cost is paid once per batch, not once per source; a
    node's sums run in the same order as for one source alone, so the values are the same.
    """
    n = D.shape[0]
    tied = np.diff(D.indptr) > 0
    sources = sources[tied[sources]]  # a node without ties starts no path
    everyone = len(sources) == np.count_nonzero(tied)  # the distances of every tie's ends come first
    apart = dijkstra(D, directed=True) if everyone else None
    if apart is not None:
        D = _shortest_ties(D, apart)
    degree = np.diff(D.indptr)
    src = np.repeat(np.arange(n), degree)
    dst = D.indices.astype(np.int64)
    w = D.data
    total = np.zeros(n)
    for start in range(0, len(sources), batch):
        chunk = sources[start : start + batch]
        dist = apart[chunk] if apart is not None else np.atleast_2d(dijkstra(D, directed=True, indices=chunk))
        with np.errstate(invalid="ignore"):  # inf - inf where neither end is reachable
            copy, edge = np.nonzero(_on_path(dist, degree, dst, w))
        if len(edge) == 0:
            continue
        offset = copy * n
        delta = _dependencies(offset + np.take(src, edge), offset + np.take(dst, edge), len(chunk) * n,
                              np.arange(len(chunk)) * n + chunk)  # fmt: skip
        for row in delta.reshape(len(chunk), n):  # one source after the other, as NumPy sums
            total += row
    return total


def _shortest_ties(D: sp.csr_array, apart: np.ndarray) -> sp.csr_array:
    """D without the ties longer than the shortest path between their ends (``apart``: every
    pair's distance): such a tie is on no shortest path from any source, since d[s, u] + w =
    d[s, v] <= d[s, u] + d[u, v] needs w <= d[u, v]. The margin is a hundred times the tolerance
    of :func:`_on_path` at the longest distance, so rounding never drops a tie it would keep."""
    degree = np.diff(D.indptr)
    src = np.repeat(np.arange(D.shape[0]), degree)
    finite = apart[np.isfinite(apart)]
    margin = 100 * _REL_TOL * max(1.0, float(finite.max()) if finite.size else 1.0)
    keep = D.data <= apart[src, D.indices] + margin
    if keep.all():
        return D
    kept = np.concatenate([[0], np.cumsum(keep)])[D.indptr]
    return sp.csr_array((D.data[keep], D.indices[keep], kept), shape=D.shape)


def _on_path(dist: np.ndarray, degree: np.ndarray, dst: np.ndarray, w: np.ndarray) -> np.ndarray:
    """For each row of distances d from one source (``dist``: sources x nodes), the edges (src,
    dst, w) of a CSR matrix (``degree``: its row lengths) with d[src] + w = d[dst] (to a relative
    tolerance). An edge from an unreachable node is never on a path: its gap is inf, or NaN when
    its end is unreachable too, and neither compares true; distances are never negative, so
    d[dst] needs no abs(). (np.repeat and np.take copy the same values as indexing, faster.)"""
    dv = np.take(dist, dst, axis=1)
    gap = np.repeat(dist, degree, axis=1)
    gap += w
    gap -= dv
    np.abs(gap, out=gap)
    np.maximum(dv, 1.0, out=dv)
    dv *= _REL_TOL
    return gap <= dv


def _dependencies(eu: np.ndarray, ev: np.ndarray, n: int, s: np.ndarray) -> np.ndarray:
    """The dependencies of the sources ``s`` on every node, from their shortest-path DAGs (edges
    eu -> ev), which share no node."""
    level = np.full(n, -1, dtype=np.int64)
    level[s] = 0
    while True:  # longest hop distance from s within the DAG
        lu = level[eu]
        cand = np.where(lu >= 0, lu + 1, -1)
        new = level.copy()
        np.maximum.at(new, ev, cand)
        if np.array_equal(new, level):
            break
        level = new
    edge_level = level[ev]
    order = np.argsort(edge_level, kind="stable")
    eu, ev, edge_level = eu[order], ev[order], edge_level[order]
    bounds = np.searchsorted(edge_level, np.arange(1, edge_level[-1] + 2))
    sigma = np.zeros(n)
    sigma[s] = 1.0
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        np.add.at(sigma, ev[a:b], sigma[eu[a:b]])
    delta = np.zeros(n)
    for i in range(len(bounds) - 2, -1, -1):
        a, b = bounds[i], bounds[i + 1]
        u, v = eu[a:b], ev[a:b]
        np.add.at(delta, u, sigma[u] / sigma[v] * (1.0 + delta[v]))
    delta[s] = 0.0
    return delta


def adjacency(G: nx.Graph, weight: str | None = "weight") -> sp.csr_array:
    """The adjacency matrix of ``G`` (nodes sorted), to compute once for :func:`betweenness` and
    :func:`personalized_pagerank` of the same graph and weight."""
    return _adjacency(G, _nodes(G), weight)


def betweenness(
    G: nx.Graph,
    weight: str | None = "weight",
    k: int | None = None,
    seed: int = 0,
    A: sp.csr_array | None = None,
) -> dict:
    """Normalised betweenness, ties weighted as distances 1/weight (None: every tie has length 1).

    With ``k`` (< number of nodes), the sum runs over ``k`` pivot sources drawn with ``seed`` and
    is scaled by n/k, as NetworkX does. ``A``: :func:`adjacency` of ``G`` and ``weight``, if known.
    """
    nodes = _nodes(G)
    if not nodes:
        return {}
    A = A if A is not None else _adjacency(G, nodes, weight)
    return betweenness_matrix(A, nodes, weight is not None, k, seed)


def betweenness_matrix(
    A: sp.csr_array, nodes: list, weighted: bool = True, k: int | None = None, seed: int = 0
) -> dict:
    """:func:`betweenness` of the graph whose :func:`adjacency` is ``A`` (over ``nodes``)."""
    n = len(nodes)
    if n == 0:
        return {}
    D = A.copy()
    D.data = 1.0 / D.data if weighted else np.ones_like(D.data)
    if k is not None and k < n:
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(n, size=k, replace=False))
    else:
        sources = np.arange(n)
        k = None
    values = _brandes_sources(D, sources)
    scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    if k is not None:
        scale *= n / k
    return {node: float(v * scale) for node, v in zip(nodes, values, strict=True)}


# --- eigenvector -----------------------------------------------------------------------------


def eigenvector_spectral(G: nx.Graph, weight: str | None = "weight") -> dict:
    """The limit of NetworkX's power iteration, computed from the eigenvectors of each component.

    Each connected component has one leading (Perron) eigenvector; the power iteration from a
    uniform start keeps the components whose leading eigenvalue is the largest of the graph, each
    in proportion to its projection on the start vector, and sends the others to zero.
    """
    nodes = _nodes(G)
    if not nodes:
        return {}
    return _spectral(_adjacency(G, nodes, weight), nodes)


def _spectral(A: sp.csr_array, nodes: list) -> dict:
    n = len(nodes)
    count, labels = sp.csgraph.connected_components(A, directed=False)
    vectors = []
    for c in range(count):
        members = np.flatnonzero(labels == c)
        sub = A[members][:, members].toarray()
        values, vecs = np.linalg.eigh(sub)
        lam = values[-1]
        v = np.abs(vecs[:, -1])
        vectors.append((lam, members, v))
    top = max(lam for lam, _, _ in vectors)
    x = np.zeros(n)
    if top <= 0:  # no ties, no centrality
        return dict.fromkeys(nodes, 0.0)
    for lam, members, v in vectors:
        if abs(lam - top) <= 1e-9 * max(abs(top), 1.0):
            x[members] = v * v.sum()
    norm = np.linalg.norm(x)
    x = x / norm
    return {node: float(val) for node, val in zip(nodes, x, strict=True)}


def _rx_graph(G: nx.Graph, nodes: list, weight: str | None, directed: bool = False):
    index = {node: i for i, node in enumerate(nodes)}
    R = rx.PyDiGraph() if directed else rx.PyGraph()
    R.add_nodes_from(range(len(nodes)))
    edges = []
    for u, v, d in G.edges(data=True):
        w = float(d.get(weight, 1.0)) if weight is not None else 1.0
        if w <= 0:
            continue
        edges.append((index[u], index[v], w))
        if directed:
            edges.append((index[v], index[u], w))
    R.add_edges_from(edges)
    return R


def _rx_from_matrix(A: sp.csr_array):
    """An undirected rustworkx graph of the positive ties of a symmetric adjacency matrix, its
    edges added row by row from the upper triangle (rustworkx reads the dense matrix itself)."""
    M = A.toarray()
    M[M < 0] = 0.0
    return rx.PyGraph.from_adjacency_matrix(M, null_value=0.0)


def eigenvector(
    G: nx.Graph, weight: str | None = "weight", tol: float = 1e-12, A: sp.csr_array | None = None
) -> dict:
    """NetworkX's eigenvector centrality (unit norm), computed by rustworkx. ``A``:
    :func:`adjacency` of ``G`` and ``weight``, if known (saves reading the edges again)."""
    nodes = _nodes(G)
    if not nodes:
        return {}
    if G.number_of_edges() == 0:  # no ties, no centrality (NetworkX would give 1/sqrt(n) to all)
        return dict.fromkeys(nodes, 0.0)
    if A is not None:
        return eigenvector_matrix(A, nodes, tol)
    try:
        values = rx.eigenvector_centrality(
            _rx_graph(G, nodes, weight), weight_fn=float, max_iter=10_000, tol=tol
        )
    except rx.FailedToConverge:
        return eigenvector_spectral(G, weight)
    return {node: float(values[i]) for i, node in enumerate(nodes)}


def eigenvector_matrix(A: sp.csr_array, nodes: list, tol: float = 1e-12) -> dict:
    """:func:`eigenvector` of the graph whose :func:`adjacency` is ``A`` (over ``nodes``)."""
    if not nodes:
        return {}
    if A.nnz == 0:  # no ties, no centrality (NetworkX would give 1/sqrt(n) to all)
        return dict.fromkeys(nodes, 0.0)
    try:
        values = rx.eigenvector_centrality(_rx_from_matrix(A), weight_fn=float, max_iter=10_000, tol=tol)
    except rx.FailedToConverge:
        return _spectral(A, nodes)
    return {node: float(values[i]) for i, node in enumerate(nodes)}


# --- personalized PageRank -------------------------------------------------------------------


def personalized_pagerank(
    G: nx.Graph,
    seed_node,
    alpha: float = 0.85,
    weight: str | None = "weight",
    tol: float = 1e-12,
    A: sp.csr_array | None = None,
) -> dict:
    """PageRank with every random jump (and every dangling node's mass) going to ``seed_node``:
    ``networkx.pagerank(G, alpha, personalization={seed_node: 1})`` (SciPy power iteration); a
    node that cannot be reached from the seed gets exactly 0.

    NetworkX is used here because rustworkx, with the conversion to a directed graph it needs,
    was not faster at our sizes (scripts/bench_influence.py); :func:`personalized_pagerank_rx`
    gives the same values.
    """
    if len(G) == 0:
        return {}
    if seed_node not in G:
        raise KeyError(seed_node)
    nodes = _nodes(G)
    A = A if A is not None else _adjacency(G, nodes, weight)  # ``A``: adjacency(G, weight), if known
    return personalized_pagerank_matrix(A, nodes, nodes.index(seed_node), alpha, tol)


def personalized_pagerank_matrix(
    A: sp.csr_array, nodes: list, seed: int, alpha: float = 0.85, tol: float = 1e-12
) -> dict:
    """:func:`personalized_pagerank` from node ``seed`` (an index into ``nodes``) of the graph
    whose :func:`adjacency` is ``A``."""
    values = _ppr_power(A, seed, alpha, tol)
    reach = np.zeros(len(nodes), dtype=bool)
    reach[breadth_first_order(A, seed, directed=False, return_predecessors=False)] = True
    return {node: (float(v) if r else 0.0) for node, v, r in zip(nodes, values, reach, strict=True)}


def _ppr_power(A: sp.csr_array, seed: int, alpha: float, tol: float) -> np.ndarray:
    """NetworkX's ``_pagerank_scipy`` power iteration (same start, same stopping rule), without
    the graph conversion that took most of its time: x <- alpha (x P + dangling mass p) + (1 - alpha) p."""
    n = A.shape[0]
    out = np.asarray(A.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros(n), where=out != 0)
    P = sp.csr_array(sp.diags(inv) @ A)
    p = np.zeros(n)
    p[seed] = 1.0
    dangling = out == 0
    x = np.full(n, 1.0 / n)
    for _ in range(10_000):
        last = x
        x = alpha * (x @ P + x[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            break
    return x


def personalized_pagerank_rx(
    G: nx.Graph, seed_node, alpha: float = 0.85, weight: str | None = "weight", tol: float = 1e-12
) -> dict:
    """The same as :func:`personalized_pagerank`, computed by rustworkx (for the benchmark)."""
    nodes = _nodes(G)
    if not nodes:
        return {}
    R = _rx_graph(G, nodes, weight, directed=True)
    seed = nodes.index(seed_node)
    values = rx.pagerank(
        R, alpha=alpha, weight_fn=float, personalization={seed: 1.0}, tol=tol, max_iter=10_000
    )
    reach = nx.node_connected_component(G, seed_node)
    return {node: (float(values[i]) if node in reach else 0.0) for i, node in enumerate(nodes)}


# --- brokerage -------------------------------------------------------------------------------


def burt(
    G: nx.Graph, node, weight: str | None = "weight", A: sp.csr_array | None = None
) -> tuple[float | None, float | None]:
    """Burt's effective size and constraint of ``node`` (None for a node without ties).

    The same formulas as ``networkx.effective_size`` and ``networkx.constraint`` (Burt 1992,
    weighted): with p(u, v) = w(u, v) / (sum of u's weights) and m(j, q) = w(j, q) / (j's largest
    weight), effective size = sum over neighbours j of (1 - sum over neighbours q of p(i, q) m(j, q))
    and constraint = sum over neighbours j of (p(i, j) + sum over neighbours q of p(i, q) p(q, j))^2.
    Computed with matrices on the ego network (NetworkX takes 70 s for Canada in our real graph).
    """
    if node not in G or G.degree(node) == 0:
        return None, None
    if A is not None:  # ``A``: adjacency(G, weight), if known
        return burt_matrix(A, _nodes(G).index(node))
    ego = sorted(v for v in G[node] if v != node)
    if not ego:
        return None, None

    def w(d: dict) -> float:
        return float(d.get(weight, 1.0)) if weight is not None else 1.0

    index = {v: i for i, v in enumerate(ego)}
    k = len(ego)
    W = np.zeros((k, k))
    strength = np.zeros(k)
    largest = np.zeros(k)
    for j, v in enumerate(ego):
        for q, d in G[v].items():
            x = w(d)
            if q == v:
                continue
            strength[j] += x
            largest[j] = max(largest[j], x)
            if q in index:
                W[j, index[q]] = x
    ties = np.array([w(G[node][v]) for v in ego])
    p = ties / ties.sum()
    size = float(np.sum(1.0 - (W @ p) / largest))
    P = W / strength[:, None]
    constraint = float(np.sum((p + p @ P) ** 2))
    return size, constraint


def burt_matrix(A: sp.csr_array, i: int) -> tuple[float | None, float | None]:
    """:func:`burt` of node ``i`` (its row in the adjacency matrix ``A``): the same formulas, no
    Python loop, so a what-if can try many changed matrices."""
    row = A[[i], :].toarray().ravel()
    row[i] = 0.0
    ego = np.flatnonzero(row)
    if len(ego) == 0:
        return None, None
    sub = A[ego, :].toarray()
    sub[np.arange(len(ego)), ego] = 0.0  # a neighbour's self-loop is not one of its ties
    strength = sub.sum(axis=1)
    largest = sub.max(axis=1)
    W = sub[:, ego]
    p = row[ego] / row[ego].sum()
    size = float(np.sum(1.0 - (W @ p) / largest))
    P = W / strength[:, None]
    constraint = float(np.sum((p + p @ P) ** 2))
    return size, constraint


def competition_ranks(values: dict, digits: int = 6) -> dict:
    """:func:`competition_rank` of every node at once (by sorting)."""
    pairs = sorted(((round(v, digits), k) for k, v in values.items() if v is not None), key=lambda t: -t[0])
    ranks = {}
    previous = None
    for position, (value, key) in enumerate(pairs, 1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


def competition_rank(values: dict, node, digits: int = 6) -> int | None:
    """1 + the number of nodes with a strictly larger value (values compared rounded)."""
    if node not in values or values[node] is None:
        return None
    mine = round(values[node], digits)
    return 1 + sum(1 for v in values.values() if v is not None and round(v, digits) > mine)
