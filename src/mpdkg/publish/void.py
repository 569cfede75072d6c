"""Describe the published dataset with VoID and DCAT: what it is, under which licence, how big,
which classes and properties it uses, and where its dumps and SPARQL endpoint are.

The description is computed from the dataset itself (counts are never typed by hand) and from
the dump files in the output folder (names and sizes), and is written deterministically: no
timestamps unless the caller passes ``issued``, the version string comes from the caller.

>>> from mpdkg.rdf.build import build_dataset
>>> from mpdkg.sources.load import load_sources
>>> g = void_graph(build_dataset(load_sources()).dataset, version="0.1.0")
>>> g.value(DATASET, DCTERMS.license)
rdflib.term.URIRef('https://creativecommons.org/licenses/by/4.0/')
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from mpdkg.namespaces import BASE, DATASET, GRAPHS, ONTOLOGY, PREFIXES
from mpdkg.rdf.dumps import CONTEXT_NAME, DUMP_NAMES
from mpdkg.rdf.engine import sorted_triples

VOID_NAME = "void.ttl"
DEFAULT_BASE_URL = BASE + "dist/"
# Where `mpdkg serve` is meant to be deployed; a local run answers at http://127.0.0.1:8000/sparql.
DEFAULT_ENDPOINT = BASE + "sparql"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
TITLE = "Migration and Protection Diplomacy Knowledge Graph"
DESCRIPTION = (
    "Which countries, fora and agreements Canada works through to advance its migration and "
    "refugee-protection objectives: the four objectives, six pillars and lines of effort of IRCC's "
    "migration and protection diplomacy, every ISO 3166-1 country, the fora and their memberships "
    "over time, agreements and their parties, Canada's engagements, and the public source behind "
    "every fact (with its address and access date)."
)
RIGHTS = (
    "The data are published under CC BY 4.0. They record facts (memberships, dates, parties) and "
    "cite the public documents that state them; short supporting quotes remain the words of those "
    "documents. Wikidata identifiers are CC0."
)
KEYWORDS = ("migration", "refugees", "diplomacy", "Canada", "international organisations", "agreements")
PUBLISHER = URIRef(BASE + "contributors")
SERVICE = URIRef(BASE + "dataset/sparql-service")
IANA = Namespace("http://www.iana.org/assignments/media-types/")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it

# name suffix -> (title, media type, W3C format IRI)
_DUMP_KINDS = {
    ".ttl": ("Turtle", "text/turtle", FORMATS.Turtle),
    ".nt": ("N-Triples (sorted lines)", "application/n-triples", FORMATS["N-Triples"]),
    ".jsonld": ("JSON-LD (compacted with context.jsonld)", "application/ld+json", FORMATS["JSON-LD"]),
    ".trig": ("TriG (with the named graphs)", "application/trig", FORMATS.TriG),
    ".nq": ("N-Quads", "application/n-quads", FORMATS["N-Quads"]),
}
_GRAPH_TITLES = {
    GRAPHS.ontology: "The mpdkg ontology (OWL)",
    GRAPHS.curated: "Curated facts, each cited to its source",
    GRAPHS.inferred: "Facts inferred by OWL reasoning",
    GRAPHS.analysis: "Influence analysis (scores and their reasons)",
}
_EXAMPLES = (
    BASE + "country/CAN",
    BASE + "forum/rcm",
    BASE + "forum/iom",
    BASE + "agreement/cusma",
    BASE + "agreement/stca",
    BASE + "pillar/1",
)
# Namespaces counted as vocabularies (instance namespaces such as country/ are not).
_VOCABULARIES = tuple(
    str(ns)
    for ns in (
        PREFIXES["mpd"],
        RDF,
        RDFS,
        OWL,
        SKOS,
        DCTERMS,
        PREFIXES["org"],
        PREFIXES["time"],
        PREFIXES["prov"],
        PREFIXES["schema"],
        FOAF,
        Namespace("http://purl.org/vocab/vann/"),
    )
)


def _rdf_files(out_dir: Path | None) -> list[Path]:
    """The dump files present in ``out_dir`` (ours, by name), sorted."""
    if out_dir is None or not Path(out_dir).is_dir():
        return []
    names = set(DUMP_NAMES.values())
    return sorted(
        p
        for p in Path(out_dir).iterdir()
        if p.is_file() and (p.name in names or (p.name.endswith(".gz") and p.name[:-3] in names))
    )


def _partition_iri(kind: str, term: URIRef) -> URIRef:
    """A stable, readable IRI for a class or property partition (mpd:Country -> .../mpd-Country)."""
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if text.startswith(str(ns)) and len(text) > len(str(ns)):
            local = text[len(str(ns)) :]
            if local.replace("-", "").replace("_", "").isalnum():
                return URIRef(f"{BASE}dataset/{kind}/{prefix}-{local}")
    return URIRef(f"{BASE}dataset/{kind}/{hashlib.sha1(text.encode()).hexdigest()[:12]}")


def dataset_statistics(ds: Dataset | ox.Store) -> dict:
    """Counts over the union of the named graphs (distinct triples), and per named graph; a
    pyoxigraph store is counted by SPARQL (``void_stats``: a large graph, never held in rdflib)."""
    if isinstance(ds, ox.Store):
        from mpdkg.publish.void_stats import store_statistics

        return store_statistics(ds, _VOCABULARIES, _EXAMPLES)
    triples = set()
    per_graph: Counter = Counter()
    for s, p, o, g in ds.quads((None, None, None, None)):
        triples.add((s, p, o))
        name = g.identifier if isinstance(g, Graph) else g
        per_graph[name] += 1
    classes: dict[URIRef, set] = {}
    properties: Counter = Counter()
    subjects, objects = set(), set()
    for s, p, o in triples:
        properties[p] += 1
        subjects.add(s)
        objects.add(o)
        if p == RDF.type and isinstance(o, URIRef):
            classes.setdefault(o, set()).add(s)
    entities = {s for members in classes.values() for s in members if isinstance(s, URIRef)}
    used = set(properties) | set(classes)
    vocabularies = sorted(ns for ns in _VOCABULARIES if any(str(t).startswith(ns) for t in used))
    return {
        "triples": len(triples),
        "entities": len(entities),
        "distinct_subjects": len(subjects),
        "distinct_objects": len(objects),
        "classes": {c: len({s for s in members if isinstance(s, URIRef)}) for c, members in classes.items()},
        "properties": dict(properties),
        "graphs": {g: n for g, n in per_graph.items() if isinstance(g, URIRef) and n},
        "vocabularies": vocabularies,
        "examples": [iri for iri in _EXAMPLES if URIRef(iri) in subjects],
    }


def void_graph(
    ds: Dataset | ox.Store,
    version: str,
    base_url: str = DEFAULT_BASE_URL,
    out_dir: Path | None = None,
    endpoint: str = DEFAULT_ENDPOINT,
    issued: dt.date | str | None = None,
) -> Graph:
    """The VoID + DCAT description of ``ds`` as an rdflib Graph (no blank nodes)."""
    if not base_url.endswith("/"):
        base_url += "/"
    stats = dataset_statistics(ds)
    g = Graph()
    for prefix, ns in {
        "void": VOID,
        "dcat": DCAT,
        "dcterms": DCTERMS,
        "foaf": FOAF,
        "owl": OWL,
        "xsd": XSD,
        "sd": SD,
        **PREFIXES,
    }.items():
        g.bind(prefix, ns, override=True, replace=True)
    _describe(g, version, issued)
    _size(g, stats)
    _access(g, endpoint)
    _dumps(g, base_url, out_dir)
    return g


def _describe(g: Graph, version: str, issued: dt.date | str | None) -> None:
    """Title, licence, publisher, version, keywords and the open-data subsets of the dataset."""
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((d, RDFS.label, Literal(TITLE, lang="en")))
    g.add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    g.add((d, DCTERMS.publisher, PUBLISHER))
    g.add((d, DCTERMS.creator, PUBLISHER))
    g.add((d, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    g.add((d, DCTERMS.conformsTo, ONTOLOGY))
    g.add((d, OWL.versionInfo, Literal(version)))
    g.add((d, DCAT_VERSION, Literal(version)))
    if issued is not None:
        text = issued.isoformat() if isinstance(issued, dt.date) else str(issued)
        g.add((d, DCTERMS.issued, Literal(text, datatype=XSD.date)))
    g.add((d, DCAT.landingPage, URIRef(BASE)))
    g.add((d, FOAF.homepage, URIRef(BASE)))
    for word in KEYWORDS:
        g.add((d, DCAT.keyword, Literal(word, lang="en")))
    g.add((PUBLISHER, RDF.type, FOAF.Organization))
    g.add((PUBLISHER, FOAF.name, Literal("mpdkg contributors")))
    _open_data_subsets(g, d)
    g.add((PUBLISHER, FOAF.homepage, URIRef(BASE)))


def _size(g: Graph, stats: dict[str, Any]) -> None:
    """Triples, entities, vocabularies, class and property partitions, named graphs."""
    d = DATASET
    g.add((d, VOID.triples, Literal(stats["triples"])))
    g.add((d, VOID.entities, Literal(stats["entities"])))
    g.add((d, VOID.distinctSubjects, Literal(stats["distinct_subjects"])))
    g.add((d, VOID.distinctObjects, Literal(stats["distinct_objects"])))
    g.add((d, VOID.classes, Literal(len(stats["classes"]))))
    g.add((d, VOID.properties, Literal(len(stats["properties"]))))
    g.add((d, VOID.uriSpace, Literal(BASE)))
    for ns in stats["vocabularies"]:
        g.add((d, VOID.vocabulary, URIRef(ns)))
    for iri in stats["examples"]:
        g.add((d, VOID.exampleResource, URIRef(iri)))
    for cls, n in stats["classes"].items():
        part = _partition_iri("class", cls)
        g.add((d, VOID.classPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(n)))
    for prop, n in stats["properties"].items():
        part = _partition_iri("property", prop)
        g.add((d, VOID.propertyPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(n)))
    for graph_name, n in stats["graphs"].items():
        g.add((d, VOID.subset, graph_name))
        g.add((graph_name, RDF.type, VOID.Dataset))
        g.add((graph_name, RDF.type, SD.NamedGraph))
        g.add((graph_name, SD.name, graph_name))
        g.add((graph_name, VOID.triples, Literal(n)))
        title = _GRAPH_TITLES.get(graph_name)
        if title:
            g.add((graph_name, DCTERMS.title, Literal(title, lang="en")))


def _access(g: Graph, endpoint: str) -> None:
    """The SPARQL endpoint as a DCAT data service and distribution."""
    d = DATASET
    g.add((d, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((SERVICE, RDF.type, DCAT.DataService))
    g.add((SERVICE, RDF.type, SD.Service))
    g.add((SERVICE, DCTERMS.title, Literal(f"{TITLE}: SPARQL 1.1 endpoint (read-only)", lang="en")))
    g.add((SERVICE, DCAT.endpointURL, URIRef(endpoint)))
    g.add((SERVICE, SD.endpoint, URIRef(endpoint)))
    g.add((SERVICE, DCAT.servesDataset, d))
    g.add((SERVICE, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((d, DCAT.distribution, URIRef(BASE + "dataset/distribution/sparql")))
    sparql_dist = URIRef(BASE + "dataset/distribution/sparql")
    g.add((sparql_dist, RDF.type, DCAT.Distribution))
    g.add((sparql_dist, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    g.add((sparql_dist, DCAT.accessURL, URIRef(endpoint)))
    g.add((sparql_dist, DCAT.accessService, SERVICE))
    g.add((sparql_dist, DCTERMS.license, LICENSE))


def _dumps(g: Graph, base_url: str, out_dir: Path | None) -> None:
    """One void:dataDump and DCAT distribution per RDF file written in ``out_dir``."""
    d = DATASET
    for path in _rdf_files(out_dir):
        name = path.name
        plain = name[:-3] if name.endswith(".gz") else name
        title, media, fmt = _DUMP_KINDS[Path(plain).suffix]
        url = URIRef(base_url + name)
        dist = URIRef(f"{BASE}dataset/distribution/{name}")
        g.add((d, VOID.dataDump, url))
        g.add((d, VOID.feature, fmt))
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title + (", gzip" if name != plain else ""), lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, IANA[media]))
        g.add((dist, DCTERMS["format"], IANA[media]))
        if name != plain:
            g.add((dist, DCAT.compressFormat, IANA["application/gzip"]))
        g.add((dist, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, LICENSE))
        if plain.endswith(".jsonld"):
            g.add((dist, DCTERMS.conformsTo, URIRef(base_url + CONTEXT_NAME)))


def _open_data_subsets(g: Graph, d: URIRef) -> None:
    """One void:subset per vendored open dataset (graph/open-data/), with the licence and the
    citation its authors ask for, the upstream repository and commit, and its named graph."""
    from mpdkg.rdf.opendata import GRAPHS
    from mpdkg.sources import opendata

    try:
        found = opendata.datasets()
    except opendata.OpenDataError:
        return
    for ds in found:
        node = URIRef(f"{BASE}dataset/open-data/{ds.name}")
        upstream = ds.manifest["upstream"]
        g.add((d, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, DCTERMS.title, Literal(ds.title, lang="en")))
        g.add((node, DCTERMS.license, URIRef(ds.licence["url"])))
        g.add((node, DCTERMS.rights, Literal(ds.licence["name"], lang="en")))
        g.add((node, DCTERMS.bibliographicCitation, Literal(ds.citation)))
        g.add((node, DCTERMS.source, URIRef(upstream.get("url") or f"https://github.com/{ds.repository}")))
        g.add((node, OWL.versionInfo, Literal(ds.commit)))
        if ds.name in GRAPHS:
            g.add((node, SD.name, URIRef(GRAPHS[ds.name])))


def void_turtle(graph: Graph) -> bytes:
    """Sorted, prefixed Turtle (byte-identical for the same graph)."""
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespace_manager.namespaces() if prefix}
    used = {
        prefix: ns
        for prefix, ns in prefixes.items()
        if any(str(t).startswith(ns) for triple in graph for t in triple if isinstance(t, URIRef))
    }
    turtle = ox.serialize(
        sorted_triples(graph), format=ox.RdfFormat.TURTLE, prefixes=dict(sorted(used.items()))
    )
    return cast(bytes, turtle)  # bytes: no output file given


def write_void(
    dataset: Dataset,
    out_dir: Path,
    version: str,
    base_url: str = DEFAULT_BASE_URL,
    endpoint: str = DEFAULT_ENDPOINT,
    issued: dt.date | str | None = None,
) -> Path:
    """Write ``out_dir/void.ttl`` describing ``dataset`` and the dumps found in ``out_dir``.

    Call it after the dumps are written: their names and sizes go into the description, with
    download addresses under ``base_url`` (default https://w3id.org/mpdkg/dist/).
    """
    out_dir = Path(out_dir)
    graph = void_graph(dataset, version, base_url, out_dir, endpoint, issued)
    path = out_dir / VOID_NAME
    path.write_bytes(void_turtle(graph))
    return path
