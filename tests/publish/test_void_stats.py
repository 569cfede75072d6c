"""The VoID counts of a pyoxigraph store (what `mpdkg serve` describes) are those rdflib gives."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF

from mpdkg.publish.void import dataset_statistics, void_graph, void_turtle
from mpdkg.rdf.engine import from_ox, sorted_quads


def _both(ds: Dataset) -> tuple[dict, dict]:
    """The counts of rdflib and of the store over the same quads: those the store holds (it reads
    a derived integer type such as xsd:nonNegativeInteger as xsd:integer, so "1" of each is one
    term there; the endpoint serves the store, and its description counts what it serves)."""
    store = ox.Store()
    store.extend(sorted_quads(ds))
    held = Dataset()
    for quad in store:
        held.graph(from_ox(quad.graph_name)).add(
            (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
        )
    return dataset_statistics(held), dataset_statistics(store)


def test_the_store_is_counted_as_rdflib_counts_the_curated_graph(real_dataset):
    python, rust = _both(real_dataset)
    assert python["triples"] > 40_000 and len(python["examples"]) == 6  # a real graph
    assert rust == python
    store = ox.Store()
    store.extend(sorted_quads(real_dataset))
    ours, theirs = void_turtle(void_graph(store, "1")), void_turtle(void_graph(real_dataset, "1"))
    assert ours.count(b"\n") == theirs.count(b"\n") and b"void:exampleResource" in ours


def test_a_triple_in_two_graphs_counts_once_and_blank_members_are_no_entities():
    ex = "http://example.org/"
    ds = Dataset()
    for name in ("g1", "g2"):
        ds.graph(URIRef(ex + name)).add((URIRef(ex + "a"), RDF.type, URIRef(ex + "C")))
    ds.graph(URIRef(ex + "g2")).add((BNode("b"), RDF.type, URIRef(ex + "D")))
    ds.graph(URIRef(ex + "g2")).add((URIRef(ex + "a"), URIRef(ex + "p"), Literal("x")))
    python, rust = _both(ds)
    assert rust == python
    assert rust["triples"] == 3 and rust["entities"] == 1
    assert rust["classes"] == {URIRef(ex + "C"): 1, URIRef(ex + "D"): 0}
    assert rust["graphs"] == {URIRef(ex + "g1"): 1, URIRef(ex + "g2"): 3}
