"""Serialise the dataset to files, byte-identical for identical input.

Every dump is written by pyoxigraph from the build's quads (no rdflib graph in between, which
took most of a build's time): N-Triples with its lines sorted, Turtle and TriG from the quads in
a fixed order, and JSON-LD, which pyoxigraph writes in expanded form, one subject at a time, and
``mpdkg.rdf.jsonld`` shortens with our published context (readable keys such as ``label`` and ``member``). No blank
nodes appear in the data (the ontology's are canonicalised), so nothing depends on the run.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from mpdkg.namespaces import PREFIXES
from mpdkg.rdf.build import Built
from mpdkg.rdf.engine import distinct_triples, sorted_quads
from mpdkg.rdf.jsonld import compact_triples

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


def _ntriples(triples: list[ox.Triple]) -> bytes:
    """The N-Triples dump: one line per distinct triple, the lines sorted as bytes. Triples in
    the dumps' order (``distinct_triples``: by their N-Triples text) are written in that order."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


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


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _quads(data: Built | Dataset | list[ox.Quad]) -> list[ox.Quad]:
    if isinstance(data, Built):
        return data.quads()
    if isinstance(data, Dataset):
        return sorted_quads(data)
    return data


def render_dumps(data: Built | Dataset | list[ox.Quad]) -> dict[str, bytes]:
    """File name -> bytes for every dump of a build (or a Dataset, or quads in the dumps' order)."""
    return dict(iter_dumps(data))


def iter_dumps(data: Built | Dataset | list[ox.Quad]) -> Iterator[tuple[str, bytes]]:
    """Each dump, then its gzip, made when asked for: a caller that writes each and lets it go
    holds one dump at a time (all of them at once were 1.4 GiB above the graph's own memory at a
    million synthetic triples)."""
    quads = _quads(data)
    triples = data.triples() if isinstance(data, Built) else distinct_triples(quads)
    makers: tuple[tuple[str, Callable[[], bytes]], ...] = (
        (DUMP_NAMES["nt"], lambda: _ntriples(triples)),
        (DUMP_NAMES["turtle"], lambda: _serialized(triples, ox.RdfFormat.TURTLE)),
        (DUMP_NAMES["trig"], lambda: _serialized(quads, ox.RdfFormat.TRIG)),
        (DUMP_NAMES["json-ld"], lambda: compact_triples(triples, jsonld_context()["@context"])),
    )
    for name, make in makers:
        content = make()
        yield name, content
        yield name + ".gz", gzip.compress(content, compresslevel=6, mtime=0)  # 9: 2 % smaller, 2× slower
        del content
    yield CONTEXT_NAME, (json.dumps(jsonld_context(), indent=1, sort_keys=True) + "\n").encode()


def _serialized(terms: list, fmt: ox.RdfFormat) -> bytes:
    written = ox.serialize(terms, format=fmt, prefixes=_prefixes())
    assert written is not None  # no output given: the bytes are returned
    return written


def write_dumps(data: Built | Dataset, folder: Path) -> list[Path]:
    written = []
    for name, content in iter_dumps(data):
        path = Path(folder) / name
        path.write_bytes(content)
        written.append(path)
    return written


#: A dump's suffix (before any ``.gz``) -> the Oxigraph format it is read with.
OX_FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


def read_dump(path: Path) -> tuple[bytes, ox.RdfFormat]:
    """A dump's content (gunzipped) and the Oxigraph format its name says, for every reader of
    dumps into Oxigraph. ValueError for a name with no known format; OSError if unreadable."""
    path = Path(path)
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    fmt = OX_FORMATS.get(Path(name).suffix)
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF format; expected one of {', '.join(OX_FORMATS)}")
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data), fmt


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
