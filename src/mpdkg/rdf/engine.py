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

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
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


def _sort_key(quad) -> tuple:
    s, p, o, g = quad
    return (
        str(g or ""),
        str(s),
        str(p),
        type(o).__name__,
        str(o),
        str(getattr(o, "datatype", "") or ""),
        str(getattr(o, "language", "") or ""),
    )


def _converter():
    """``to_ox`` with a memory: a build repeats each term many times (a subject in every triple
    about it, a class in every rdf:type), and converting it once is most of the work."""
    memo: dict = {}

    def convert(term):
        found = memo.get(term)
        if found is None:
            found = memo[term] = to_ox(term)
        return found

    return convert


def sorted_quads(ds: Dataset) -> list[ox.Quad]:
    """All quads of an rdflib Dataset as Oxigraph quads, in a run-independent order."""
    convert = _converter()
    quads = []
    for s, p, o, g in sorted(ds.quads((None, None, None, None)), key=_sort_key):
        graph = g.identifier if isinstance(g, Graph) else g
        graph_name = ox.DefaultGraph() if graph in (None, DATASET_DEFAULT_GRAPH_ID) else convert(graph)
        quads.append(ox.Quad(convert(s), convert(p), convert(o), graph_name))
    return quads


def sorted_triples(triples: Iterable) -> list[ox.Triple]:
    convert = _converter()
    return [
        ox.Triple(convert(s), convert(p), convert(o))
        for s, p, o in sorted(set(triples), key=lambda t: _sort_key((*t, None)))
    ]


def store_from_dataset(ds: Dataset) -> ox.Store:
    """An in-memory Oxigraph store holding every quad of ``ds`` in its named graphs."""
    store = ox.Store()
    store.extend(sorted_quads(ds))
    return store
