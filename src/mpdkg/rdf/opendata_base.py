"""Shared pieces of the open-data RDF builders (:mod:`mpdkg.rdf.opendata` and the per-dataset
modules ``opendata_unvotes``, ``opendata_cow``, ``opendata_trade``): namespaces, the emitter
that collects quads in one named graph and turns non-country codes into statistical areas, and
the dataset release (``prov:Entity``) every fact is derived from."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from mpdkg.namespaces import BASE
from mpdkg.sources import opendata

OPEN = BASE + "open-data/"
AREA = OPEN + "area/"
UNIT = BASE + "unit/"
VISA_CATEGORY = BASE + "visa-category/"

_MPD = BASE + "ontology#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"
_QB = "http://purl.org/linked-data/cube#"
_SDMX_ATTR = "http://purl.org/linked-data/sdmx/2009/attribute#"
_SCHEMA = "https://schema.org/"

N = ox.NamedNode
_N = N
TYPE = _N(_RDF + "type")
LABEL = _N(_RDFS + "label")
NOTATION = _N(_SKOS + "notation")
IN_SCHEME = _N(_SKOS + "inScheme")
CONCEPT = _N(_SKOS + "Concept")
CONCEPT_SCHEME = _N(_SKOS + "ConceptScheme")
DERIVED = _N(_PROV + "wasDerivedFrom")
OBSERVATION = _N(_QB + "Observation")
DATASET = _N(_QB + "DataSet")
DSD = _N(_QB + "DataStructureDefinition")
COMPONENT = _N(_QB + "ComponentSpecification")
IN_DATASET = _N(_QB + "dataSet")
STRUCTURE = _N(_QB + "structure")
MEASURE_TYPE = _N(_QB + "measureType")
UNIT_MEASURE = _N(_SDMX_ATTR + "unitMeasure")


def mpd(local: str) -> ox.NamedNode:
    return _N(_MPD + local)


_XSD_INT = _N(_XSD + "integer")
XSD_DATE = _N(_XSD + "date")


def int_lit(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INT)


def en_lit(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


AREA_NAMES = {
    "UNK": "Unknown country of origin or of asylum (UNHCR)",
    "ALL": "All countries of origin (UNHCR total)",
    "XXA": "Stateless (UNHCR)",
    "TIB": "Tibetan (UNHCR)",
    "XKX": "Kosovo",
}

#: UNHCR's asylum code lists: (dimension, IRI segment, code -> label). Labels say only what the


def unit_iri(slug: str) -> ox.NamedNode:
    return _N(UNIT + slug)


def release_iri(ds: opendata.Dataset) -> ox.NamedNode:
    return _N(f"{OPEN}release/{ds.name}/{ds.commit}")


def read_key(root: Path | None, graph_dir: Path | None) -> tuple[Path, Path, tuple]:
    """What a cached reading of the open data depends on: the open-data folder and the graph
    folder, resolved (``None`` means the project's, which ``mpdkg run --graph-dir`` changes), and
    the size and time of every manifest and of countries.csv (a changed extract must change its
    manifest's checksum, or reading it fails)."""
    from mpdkg import paths

    r = Path(root).resolve() if root is not None else opendata.default_root()
    g = Path(graph_dir).resolve() if graph_dir is not None else paths.graph_dir()
    files = [*sorted(r.glob("*/MANIFEST.json")), g / "countries.csv"]
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())
    return r, g, stamp


def curated_countries(graph_dir: Path | None = None) -> frozenset[str]:
    """The ISO alpha-3 codes of the curated graph (``graph/countries.csv``)."""
    from mpdkg import paths

    path = Path(graph_dir or paths.graph_dir()) / "countries.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return frozenset(row["alpha3"] for row in csv.DictReader(handle))


@dataclass
class Emitter:
    graph: ox.NamedNode
    countries: frozenset[str]
    quads: list[ox.Quad] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)

    def add(self, s, p, o) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph))

    def place(self, code: str, name: str | None = None) -> ox.NamedNode:
        if code in self.countries:
            return _N(f"{BASE}country/{code}")
        if not re.fullmatch(r"[A-Z]{3}", code or ""):
            raise opendata.OpenDataError(f"{self.graph.value}: country code {code!r} is not three letters")
        self.areas.setdefault(code, AREA_NAMES.get(code) or name or code)
        return _N(AREA + code)

    def finish(self) -> list[ox.Quad]:
        for code, name in sorted(self.areas.items()):
            node = _N(AREA + code)
            self.add(node, TYPE, mpd("StatisticalArea"))
            self.add(node, LABEL, en_lit(name))
            self.add(node, NOTATION, ox.Literal(code))
        return self.quads


def release_node(em: Emitter, ds: opendata.Dataset) -> ox.NamedNode:
    """The dataset release as a prov:Entity, everything from its manifest."""
    node = release_iri(ds)
    m = ds.manifest
    em.add(node, TYPE, mpd("OpenDataRelease"))
    em.add(node, TYPE, _N(_PROV + "Entity"))
    em.add(node, LABEL, en_lit(f"{ds.title}, commit {ds.commit[:7]}"))
    em.add(node, _N(_DCT + "title"), ox.Literal(ds.title))
    if m.get("publisher"):
        em.add(node, _N(_DCT + "publisher"), ox.Literal(m["publisher"]))
    em.add(node, _N(_DCT + "license"), _N(ds.licence["url"]))
    em.add(node, mpd("licenceName"), ox.Literal(ds.licence["name"]))
    em.add(node, _N(_DCT + "bibliographicCitation"), ox.Literal(ds.citation))
    upstream = m["upstream"]
    em.add(node, mpd("upstreamRepository"), _N(upstream.get("url") or f"https://github.com/{ds.repository}"))
    em.add(node, mpd("upstreamCommit"), ox.Literal(ds.commit))
    if upstream.get("commit_date"):
        em.add(node, mpd("upstreamCommitDate"), ox.Literal(upstream["commit_date"], datatype=XSD_DATE))
    em.add(node, mpd("retrievedOn"), ox.Literal(ds.extracted, datatype=XSD_DATE))
    return node


def data_set(em, release, ident: str, title: str, dimensions: list[str], measures: list[str]):
    node = _N(f"{OPEN}{ident}")
    dsd = _N(f"{OPEN}{ident}/structure")
    em.add(node, TYPE, DATASET)
    em.add(node, LABEL, en_lit(title))
    em.add(node, STRUCTURE, dsd)
    em.add(node, DERIVED, release)
    em.add(dsd, TYPE, DSD)
    em.add(dsd, LABEL, en_lit(f"structure of {title}"))
    components = [
        ("dimension", _N(_QB + "measureType") if d == "qb:measureType" else mpd(d)) for d in dimensions
    ]
    components += [("measure", mpd(m)) for m in measures]
    components.append(("attribute", UNIT_MEASURE))
    component_class = {"dimension": "DimensionProperty", "measure": "MeasureProperty"}
    for order, (kind, prop) in enumerate(components, start=1):
        if kind in component_class and prop != MEASURE_TYPE:
            em.add(prop, TYPE, _N(_QB + component_class[kind]))
        spec = _N(f"{OPEN}{ident}/structure/{order}")
        em.add(dsd, _N(_QB + "component"), spec)
        em.add(spec, TYPE, COMPONENT)
        em.add(spec, _N(_QB + kind), prop)
        if kind == "dimension":
            em.add(spec, _N(_QB + "order"), int_lit(order))
    return node
