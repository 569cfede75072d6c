"""The VoID counts of a pyoxigraph store, by SPARQL in Rust.

``void.dataset_statistics`` counts an rdflib Dataset in Python: right for the curated graph,
but with the open data (1.7M quads) it held 3 GB and took 37 s of CPU at every start of
``mpdkg serve``. These queries give the same dictionary from a store
(``tests/publish/test_void_stats.py`` compares the two on the curated graph).
"""

from __future__ import annotations

from typing import cast

import pyoxigraph as ox
from rdflib import URIRef

_ALL = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
_TRIPLES = f"{{ SELECT DISTINCT ?s ?p ?o WHERE {{ {_ALL} }} }}"
_TYPED = "{ ?s a ?c } UNION { GRAPH ?g { ?s a ?c } }"
_QUERIES = {
    "triples": f"SELECT (COUNT(*) AS ?n) WHERE {_TRIPLES}",
    "distinct_subjects": f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_ALL} }}",
    "distinct_objects": f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {_ALL} }}",
    "entities": f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_TYPED} FILTER (isIRI(?c) && isIRI(?s)) }}",
}
_GROUPED = {
    "properties": f"SELECT ?k (COUNT(*) AS ?n) WHERE {{ {_TRIPLES} BIND (?p AS ?k) }} GROUP BY ?k",
    # a class whose members are all blank nodes is kept, with 0 entities, as in the Python count
    "classes": (
        f"SELECT ?k (COUNT(DISTINCT ?iri) AS ?n) WHERE {{ {_TYPED} FILTER isIRI(?c) "
        "BIND (?c AS ?k) BIND (IF(isIRI(?s), ?s, 1/0) AS ?iri) } GROUP BY ?k"
    ),
    "graphs": "SELECT ?k (COUNT(*) AS ?n) WHERE { GRAPH ?k { ?s ?p ?o } FILTER isIRI(?k) } GROUP BY ?k",
}


def _rows(store: ox.Store, query: str) -> ox.QuerySolutions:
    return cast(ox.QuerySolutions, store.query(query))


def _number(store: ox.Store, query: str) -> int:
    row = next(iter(_rows(store, query)))
    return int(row["n"].value)


def _counts(store: ox.Store, query: str) -> dict[URIRef, int]:
    return {URIRef(row["k"].value): int(row["n"].value) for row in _rows(store, query)}


def store_statistics(store: ox.Store, vocabularies: tuple[str, ...], examples: tuple[str, ...]) -> dict:
    """``void.dataset_statistics`` of the store's quads: counts over the distinct triples of all
    its graphs, per named graph, the ``vocabularies`` (namespaces) its classes and properties
    use, and which of the ``examples`` are subjects."""
    stats: dict = {name: _number(store, query) for name, query in _QUERIES.items()}
    stats.update({name: _counts(store, query) for name, query in _GROUPED.items()})
    used = [str(t) for t in (*stats["properties"], *stats["classes"])]
    stats["vocabularies"] = sorted(ns for ns in vocabularies if any(t.startswith(ns) for t in used))
    stats["examples"] = [
        iri
        for iri in examples
        if store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} }}")
    ]
    return stats
