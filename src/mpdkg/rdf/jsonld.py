"""Compact pyoxigraph's expanded JSON-LD with our published context, deterministically.

pyoxigraph writes JSON-LD in expanded form (full IRIs, every value an object). Consumers of the
dump expect readable keys (``label``, ``member``, ``country:CAN``), which is JSON-LD compaction.
General compaction (pyld, rdflib's serialiser) takes seconds on our graph; our context is small
and fixed — prefixes, and terms that are typed as ``@id``, typed by a datatype, plain, or
language maps — so compaction here is a table lookup per property and value. What it writes is
checked by reading it back with rdflib's JSON-LD parser (tests/pipeline/test_real_graph.py).

>>> import pyoxigraph as ox
>>> ctx = {"rdfs": "http://www.w3.org/2000/01/rdf-schema#", "ex": "http://example.org/",
...        "label": {"@id": "rdfs:label", "@container": "@language"}}
>>> a, label = ox.NamedNode("http://example.org/a"), ox.NamedNode(ctx["rdfs"] + "label")
>>> triples = [ox.Triple(a, label, ox.Literal("A", language="en")), ox.Triple(a, label, ox.Literal("plain"))]
>>> json.loads(compact_triples(triples, ctx))["@graph"]
[{'@id': 'ex:a', 'label': {'en': 'A'}, 'rdfs:label': 'plain'}]
"""

from __future__ import annotations

import json
from collections import defaultdict

_GEN_DELIMS = tuple(":/?#[]@")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class _Context:
    """The prefixes and term definitions of a context, indexed for compaction."""

    def __init__(self, context: dict):
        self.prefixes = {
            name: iri
            for name, iri in context.items()
            if isinstance(iri, str) and "://" in iri and iri.endswith(_GEN_DELIMS)
        }
        #: property IRI -> [(term, kind)], kind: "@id", "@language", a datatype IRI, or "" (plain)
        self.terms: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for term, definition in sorted(context.items()):
            if term in self.prefixes:
                continue
            if isinstance(definition, str):
                definition = {"@id": definition}
            iri = self.expand(definition["@id"])
            if definition.get("@container") == "@language":
                kind = "@language"
            else:
                kind = definition.get("@type", "")
                kind = kind if kind in ("", "@id") else self.expand(kind)
            self.terms[iri].append((term, kind))
        self._compact: dict[str, str] = {}

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return value

    def iri(self, iri: str) -> str:
        """The shortest compact IRI (then the first in order), or the IRI itself."""
        found = self._compact.get(iri)
        if found is None:
            found = self._compact[iri] = self._shortest(iri)
        return found

    def _shortest(self, iri: str) -> str:
        candidates = [
            f"{name}:{iri[len(ns) :]}"
            for name, ns in self.prefixes.items()
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns) :].startswith("//")
        ]
        return min(candidates, key=lambda c: (len(c), c)) if candidates else iri


def _value_kind(value: dict) -> str:
    if "@id" in value:
        return "@id"
    if "@language" in value:
        return "@language"
    datatype = value.get("@type", _XSD_STRING)
    return "" if datatype == _XSD_STRING else datatype


def _fallback(ctx: _Context, value: dict):
    """A value under a compact-IRI key: the shortest form JSON-LD reads back as the same term."""
    if "@id" in value:
        return {"@id": ctx.iri(value["@id"])}
    if "@language" in value:
        return {"@value": value["@value"], "@language": value["@language"]}
    if value.get("@type", _XSD_STRING) != _XSD_STRING:
        return {"@value": value["@value"], "@type": ctx.iri(value["@type"])}
    return value["@value"]


def _compact_property(ctx: _Context, prop: str, values: list[dict], node: dict) -> None:
    by_kind = {kind: term for term, kind in ctx.terms.get(prop, [])}
    for value in values:
        kind = _value_kind(value)
        term = by_kind.get(kind)
        if term is None:
            node.setdefault(ctx.iri(prop), []).append(_fallback(ctx, value))
        elif kind == "@language":
            node.setdefault(term, {}).setdefault(value["@language"], []).append(value["@value"])
        elif kind == "@id":
            node.setdefault(term, []).append(ctx.iri(value["@id"]))
        else:
            node.setdefault(term, []).append(value["@value"])


def _compact_node(ctx: _Context, expanded: dict) -> dict:
    node: dict = {"@id": ctx.iri(expanded["@id"])} if "@id" in expanded else {}
    for key, values in expanded.items():
        if key == "@id":
            continue
        if key == "@type":
            node["@type"] = [ctx.iri(t) for t in values]
        else:
            _compact_property(ctx, key, values, node)
    return node


def _order(item) -> tuple:
    return (0, item, "") if isinstance(item, str) else (1, "", json.dumps(item, sort_keys=True))


def _canonical(value):
    """Single values unwrapped, every array sorted (a property's values are a set in RDF)."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        if len(value) == 1:
            return _canonical(value[0])
        return sorted((_canonical(item) for item in value), key=_order)
    return value


def compact_triples(triples: list, context: dict) -> bytes:
    """``{"@context": context, "@graph": [...]}`` for triples sorted by subject: each subject's
    node in expanded form (what pyoxigraph's JSON-LD writer gives, made here from the terms
    without writing and reading JSON), then compacted (the expanded document of the whole graph,
    read back as Python objects, took gigabytes at a million triples)."""
    return _document(context, _nodes(_Context(context), _expanded_nodes(triples)))


def _expanded_nodes(triples: list):
    """One expanded JSON-LD node per run of triples with the same subject."""
    node: dict | None = None
    subject = None
    for triple in triples:
        if triple.subject != subject:
            if node is not None:
                yield node
            subject = triple.subject
            node = {"@id": _node_id(subject)}
        assert node is not None
        node.setdefault(triple.predicate.value, []).append(_expanded_value(triple.object))
    if node is not None:
        yield node


def _node_id(term) -> str:
    import pyoxigraph as ox

    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value


def _expanded_value(term) -> dict:
    import pyoxigraph as ox

    if not isinstance(term, ox.Literal):
        return {"@id": _node_id(term)}
    if term.language:
        return {"@language": term.language, "@value": term.value}
    datatype = term.datatype.value
    return {"@value": term.value} if datatype == _XSD_STRING else {"@type": datatype, "@value": term.value}


def _nodes(ctx: _Context, expanded) -> list[tuple[str, bytes]]:
    """Each node compacted and written on one line by json's C encoder (an indented node goes
    through its pure-Python encoder, several times slower), as UTF-8, with its sort key."""
    out = []
    for item in expanded:
        node = _canonical(_compact_node(ctx, item))
        text = json.dumps(node, ensure_ascii=False, sort_keys=True)
        out.append((node.get("@id", ""), text.encode("utf-8")))
    out.sort()
    return out


def _document(context: dict, nodes: list[tuple[str, bytes]]) -> bytes:
    """``{"@context": ..., "@graph": [...]}`` with sorted keys, the context indented and one node
    per line, so a line diff of two dumps shows the nodes that changed. Joined once from the
    nodes' bytes: at a million triples a string of the body, then the document, then its
    encoding were three more copies of a 71 MB dump."""
    head = json.dumps(context, ensure_ascii=False, sort_keys=True, indent=1).replace("\n", "\n ")
    if not nodes:
        return f'{{\n "@context": {head},\n "@graph": []\n}}\n'.encode()
    pieces = [f'{{\n "@context": {head},\n "@graph": [\n'.encode()]
    for i, (_key, text) in enumerate(nodes):
        pieces += (b",\n  " if i else b"  ", text)
    pieces.append(b"\n ]\n}\n")
    return b"".join(pieces)
