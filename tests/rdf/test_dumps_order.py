"""The dumps' order: quads grouped by graph (default graph first), distinct, sorted by their
N-Quads text; the N-Triples dump one distinct triple per line, the lines sorted as bytes."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from mpdkg.rdf.build import Built
from mpdkg.rdf.dumps import render_dumps

A, B, AB = (URIRef(f"https://example.org/{n}") for n in ("a", "b", "ab"))
G1, G2 = URIRef("https://example.org/graph/1"), URIRef("https://example.org/graph/2")
TRICKY = [
    (A, RDFS.label, Literal("ab")),
    (A, RDFS.label, Literal("ab", lang="en")),
    (A, RDFS.label, Literal("ab", datatype=XSD.token)),
    (A, RDFS.label, Literal("a")),
    (A, RDFS.seeAlso, AB),
    (AB, RDFS.seeAlso, A),
    (B, RDFS.label, Literal('quote " and é')),
]


def _built() -> Built:
    built = Built()
    built.add_graph(G2, TRICKY[3:])
    built.add_graph(G1, TRICKY[:4])
    built.add_graph(G2, TRICKY[:2])  # the same graph twice, and triples in both graphs
    return built


def test_quads_are_grouped_by_graph_distinct_and_sorted():
    quads = _built().quads()
    graphs = [q.graph_name.value for q in quads]
    assert graphs == sorted(graphs)
    assert len(quads) == len(set(quads)) == 4 + 6
    for graph in (G1, G2):
        texts = [str(q) for q in quads if q.graph_name.value == str(graph)]
        assert texts == sorted(texts)


def test_the_ntriples_dump_is_every_distinct_triple_once_sorted_as_bytes():
    written = render_dumps(_built())["mpdkg.nt"]
    lines = written.splitlines()
    assert lines == sorted(set(lines))
    expected = Graph()
    for triple in TRICKY:
        expected.add(triple)
    reference = {line for line in expected.serialize(format="nt", encoding="utf-8").splitlines() if line}
    assert set(lines) == reference
    assert written.endswith(b" .\n")


def test_shacl_reads_each_distinct_triple_once_in_written_order_and_the_dumps_theirs_sorted():
    built = Built()
    built.add_graph(G2, [TRICKY[6], TRICKY[0], TRICKY[5]])  # not in sorted order
    built.add_graph(G1, [TRICKY[5], TRICKY[1], TRICKY[6]])  # two of them again, in another graph
    written = built.shacl_triples()
    expected = [TRICKY[6], TRICKY[0], TRICKY[5], TRICKY[1]]  # each the first time it is written
    assert [(t.subject.value, t.predicate.value, t.object.value) for t in written] == [
        (str(s), str(p), str(o)) for s, p, o in expected
    ]
    assert built.triples() == sorted(written, key=str) != written
    assert built.ntriples().splitlines() == [f"{t} ." for t in written]
