"""rdflib <-> pyoxigraph: rdflib stays the programming interface; Oxigraph does the heavy work
(SPARQL evaluation and serialisation), measured to be one to two orders of magnitude faster
on our graph (see docs/benchmarks.md).

>>> from rdflib import Literal, URIRef
>>> to_ox(URIRef("https://w3id.org/mpdkg/country/CAN"))
<NamedNode value=https://w3id.org/mpdkg/country/CAN>
>>> from_ox(to_ox(Literal("Canada", lang="en")))
rdflib.term.Literal('Canada', lang='en')
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID


def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term  # already one (the build writes its facts as Oxigraph terms)
    raise TypeError(f"cannot convert {term!r}")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_ox(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {term!r}")


def memoised(convert_one=to_ox):
    """``convert_one`` (``to_ox`` or ``from_ox``) with a memory: a build or an answer repeats
    each term many times (a subject in every triple about it, a class in every rdf:type), and
    converting each once is most of the work."""
    memo: dict = {}

    def convert(term):
        found = memo.get(term)
        if found is None:
            found = memo[term] = convert_one(term)
        return found

    return convert


def ox_quads(graphs: Iterable[tuple[object, Iterable[tuple]]]) -> list[ox.Quad]:
    """Oxigraph quads, distinct and in the dumps' order, from (graph name, triples) pairs, the
    triples rdflib's or already Oxigraph's (as the build writes them); a graph name of None is
    the default graph.

    The order is run-independent: by graph name (the default graph first), then by the quad's
    N-Quads text (within a graph the same as its triple's N-Triples line), compared in C. A key
    of Python tuples (subject, predicate, object's kind, value, ...) sorted a million quads in
    6.1 s; this one in about half of that."""
    convert = memoised(to_ox)
    by_graph: dict[object, set[ox.Quad]] = {}
    for name, triples in graphs:
        graph = ox.DefaultGraph() if name is None else convert(name)
        bucket = by_graph.setdefault(name, set())
        if _oxigraph_terms(triples):
            bucket.update(ox.Quad(s, p, o, graph) for s, p, o in triples)
        else:
            bucket.update(ox.Quad(convert(s), convert(p), convert(o), graph) for s, p, o in triples)
    quads: list[ox.Quad] = []
    for name in sorted(by_graph, key=lambda n: "" if n is None else str(n)):
        quads += sorted(by_graph[name], key=str)
    return quads


def written_triples(graphs: Iterable[tuple[object, Iterable[tuple]]]) -> list[ox.Triple]:
    """The distinct triples of the union of (graph name, triples) pairs as Oxigraph triples, in
    the order they come: SHACL needs no order, and the same triples written in the same order
    give the same text (what a slice's cached findings are keyed by). Sorting them as the dumps
    do cost half of ``mpdkg validate``'s work beside rudof on the curated graph."""
    convert = memoised(to_ox)
    seen: dict[ox.Triple, None] = {}
    for _name, triples in graphs:
        if _oxigraph_terms(triples):
            seen.update(dict.fromkeys(ox.Triple(s, p, o) for s, p, o in triples))
        else:
            seen.update(dict.fromkeys(ox.Triple(convert(s), convert(p), convert(o)) for s, p, o in triples))
    return list(seen)


def _oxigraph_terms(triples) -> bool:
    """Whether a list of triples is made of Oxigraph terms (one build writes them all alike)."""
    return (
        isinstance(triples, list)
        and bool(triples)
        and isinstance(triples[0][0], (ox.NamedNode, ox.BlankNode))
    )


def rdflib_triples(triples: Iterable[tuple]) -> Iterable[tuple]:
    """Triples as rdflib terms, each distinct Oxigraph term converted once (rdflib ones as given)."""
    if not _oxigraph_terms(triples):
        return triples
    term = memoised(from_ox)
    return [(term(s), term(p), term(o)) for s, p, o in triples]


def dataset_graphs(ds: Dataset) -> list[tuple[object, Iterable[tuple]]]:
    """The (graph name, triples) pairs of an rdflib Dataset, its default graph named None."""
    return [
        (None if g.identifier == DATASET_DEFAULT_GRAPH_ID else g.identifier, g) for g in ds.graphs() if len(g)
    ]


def sorted_quads(ds: Dataset) -> list[ox.Quad]:
    """All quads of an rdflib Dataset as Oxigraph quads, in a run-independent order."""
    return ox_quads(dataset_graphs(ds))


def distinct_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The triples of the union of the graphs, distinct, in the dumps' order."""
    return sorted({q.triple for q in quads}, key=str)


def sorted_triples(triples: Iterable) -> list[ox.Triple]:
    """rdflib triples as distinct Oxigraph triples, in the dumps' order."""
    return distinct_triples(ox_quads([(None, triples)]))


def store_from_dataset(ds: Dataset) -> ox.Store:
    """An in-memory Oxigraph store holding every quad of ``ds`` in its named graphs."""
    store = ox.Store()
    store.extend(sorted_quads(ds))
    return store


#: rudof runs on this many validation slices at once (threads: it lets go of the GIL), each half
#: the size of a slice checked alone, so the memory rudof holds stays that of one slice.
SLICE_WORKERS = max(1, min(2, os.cpu_count() or 1))


def slices_for_validation(
    shared: list[ox.Triple], records: Mapping[Any, list[ox.Triple]], limit: int
) -> list[list[ox.Triple]]:
    """The records' triples (each record whole, in key order) packed into slices of about
    ``limit`` triples, each slice with every ``shared`` triple: for SHACL engines whose memory
    grows with the data, when no shape of a record reads another record."""
    slices: list[list[ox.Triple]] = []
    current: list[ox.Triple] = []
    for key in sorted(records, key=str):
        current += records[key]
        if len(current) >= limit:
            slices.append(shared + current)
            current = []
    if current or not slices:
        slices.append(shared + current)
    return slices
