"""Serialise the dataset to files, byte-identical for identical input.

N-Triples lines are sorted; Turtle and TriG come from rdflib's sorted serialisers; JSON-LD is
compacted against our published context. No blank nodes appear in the data (the ontology's are
canonicalised), so nothing depends on the run.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from mpdkg.namespaces import PREFIXES
from mpdkg.rdf.engine import sorted_quads, sorted_triples

DUMP_NAMES = {
    "turtle": "mpdkg.ttl",
    "nt": "mpdkg.nt",
    "json-ld": "mpdkg.jsonld",
    "trig": "mpdkg.trig",
}
CONTEXT_NAME = "context.jsonld"


def union_graph(ds: Dataset) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def sorted_ntriples(graph: Graph | Dataset) -> bytes:
    """Every distinct triple as an N-Triples line (rdflib's own line writer), sorted."""
    from rdflib.plugins.serializers.nt import _nt_row

    if isinstance(graph, Dataset):
        triples = {(s, p, o) for s, p, o, _g in graph.quads((None, None, None, None))}
    else:
        triples = set(graph)
    lines = {_nt_row(t).rstrip("\n").encode("utf-8") for t in triples}
    return b"\n".join(sorted(line for line in lines if line.strip())) + b"\n"


def jsonld_context() -> dict:
    """The @context that gives readable keys: our prefixes, and the common properties by name."""
    ctx: dict = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    ctx.update(
        {
            "label": {"@id": "rdfs:label", "@container": "@language"},
            "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
            "derivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
            "member": {"@id": "org:member", "@type": "@id"},
            "organization": {"@id": "org:organization", "@type": "@id"},
            "role": {"@id": "org:role", "@type": "@id"},
            "memberDuring": {"@id": "org:memberDuring", "@type": "@id"},
            "party": {"@id": "mpd:party", "@type": "@id"},
            "servesPillar": {"@id": "mpd:servesPillar", "@type": "@id"},
            "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
            "startYear": {"@id": "mpd:startYear", "@type": "xsd:integer"},
            "endYear": {"@id": "mpd:endYear", "@type": "xsd:integer"},
            "iso3166Alpha3": "mpd:iso3166Alpha3",
            "iso3166Alpha2": "mpd:iso3166Alpha2",
            "url": {"@id": "schema:url", "@type": "@id"},
            "title": "dcterms:title",
            "publisher": "dcterms:publisher",
        }
    )
    return {"@context": ctx}


def _canonical_order(value):
    """Sort every JSON array (values of a property are a set in RDF), recursively."""
    if isinstance(value, dict):
        return {key: (item if key == "@list" else _canonical_order(item)) for key, item in value.items()}
    if isinstance(value, list):
        items = [_canonical_order(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(graph: Graph) -> bytes:
    context = jsonld_context()["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True, sort_keys=True, indent=1)
    data = _canonical_order(json.loads(text))
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def render_dumps(ds: Dataset) -> dict[str, bytes]:
    """File name -> bytes for every dump of the dataset."""
    union = union_graph(ds)
    quads = sorted_quads(ds)
    triples = sorted_triples(union)
    out = {
        DUMP_NAMES["nt"]: sorted_ntriples(union),
        DUMP_NAMES["turtle"]: _serialized(triples, ox.RdfFormat.TURTLE),
        DUMP_NAMES["trig"]: _serialized(quads, ox.RdfFormat.TRIG),
        DUMP_NAMES["json-ld"]: _jsonld(union),
        CONTEXT_NAME: (json.dumps(jsonld_context(), indent=1, sort_keys=True) + "\n").encode(),
    }
    for name in list(DUMP_NAMES.values()):
        out[name + ".gz"] = gzip.compress(out[name], mtime=0)
    return out


def _serialized(terms: list, fmt: ox.RdfFormat) -> bytes:
    written = ox.serialize(terms, format=fmt, prefixes=_prefixes())
    assert written is not None  # no output given: the bytes are returned
    return written


def write_dumps(ds: Dataset, folder: Path) -> list[Path]:
    written = []
    for name, data in render_dumps(ds).items():
        path = Path(folder) / name
        path.write_bytes(data)
        written.append(path)
    return written


def load_dump(path: Path) -> Dataset:
    """Read a dump back (any of our formats, gzipped or not) into a Dataset."""
    path = Path(path)
    data = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        data = gzip.decompress(data)
        name = name[:-3]
    fmt = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".trig": "trig", ".nq": "nquads"}
    suffix = Path(name).suffix
    if suffix not in fmt:
        raise ValueError(f"{path}: unknown dump format {suffix!r}; expected one of {', '.join(fmt)}")
    ds = Dataset()
    from mpdkg import netguard

    try:
        with netguard.no_network():  # a remote JSON-LD @context or an XML entity is never fetched
            if fmt[suffix] in ("trig", "nquads"):
                ds.parse(data=data, format=fmt[suffix])
            else:
                ds.default_graph.parse(data=data, format=fmt[suffix])
    except netguard.NetworkRefused as exc:
        raise ValueError(f"{path}: refers to a remote resource, which is not fetched ({exc})") from None
    except Exception as exc:
        raise ValueError(f"{path}: not valid {fmt[suffix]}: {exc}") from None
    return ds
