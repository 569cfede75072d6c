"""Publishing: the VoID/DCAT description matches the dataset, the JSON-LD dump reads with
readable keys, and the Wikidata links are the verified ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, VOID

from mpdkg.namespaces import BASE, DATASET, GRAPHS, MPD, WD, country_iri, forum_iri
from mpdkg.publish.void import DEFAULT_BASE_URL, LICENSE, write_void
from mpdkg.rdf.dumps import CONTEXT_NAME, DUMP_NAMES, jsonld_context, union_graph

# Verified against two independent public tables each (the Wikidata codes in OpenSanctions'
# registry of international bodies, zavod/.../positions; confirmordeny/supraverden
# dist/ALL_BODIES.md; SpocWiki/_Standards; SPARQL queries using the same codes).
VERIFIED_FORA = {
    "g7": "Q1764511",
    "g20": "Q19771",
    "oas": "Q123759",
    "au": "Q7159",
    "commonwealth": "Q7785",
    "world-bank-group": "Q320863",
    "idb": "Q1153087",
    "eclac": "Q32874",
    "ecowas": "Q193272",
    "oecd": "Q41550",
    "eu": "Q458",
}
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # a plain namespace: DCAT 3 terms such as dcat:version
VERIFIED_COUNTRIES = {"CAN": "Q16", "USA": "Q30", "MEX": "Q96", "FRA": "Q142", "JPN": "Q17"}


@pytest.fixture(scope="module")
def published(real_build, tmp_path_factory):
    """The real dumps copied to a fresh folder, with void.ttl written beside them."""
    folder = tmp_path_factory.mktemp("published")
    for path in real_build.out.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    write_void(real_build.built.dataset, folder, "1.2.3")
    void = Graph().parse(folder / "void.ttl", format="turtle")
    return folder, void, real_build.built.dataset


def one(graph, s, p):
    values = list(graph.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


def test_void_describes_the_dataset(published):
    _folder, void, _ds = published
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert "Migration and Protection Diplomacy" in str(one(void, DATASET, DCTERMS.title))
    assert len(str(one(void, DATASET, DCTERMS.description))) > 100
    assert (
        one(void, DATASET, DCTERMS.license)
        == LICENSE
        == URIRef("https://creativecommons.org/licenses/by/4.0/")
    )
    assert str(one(void, DATASET, OWL.versionInfo)) == "1.2.3"
    assert str(one(void, DATASET, DCAT.version)) == "1.2.3"
    publisher = one(void, DATASET, DCTERMS.publisher)
    assert str(void.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name")))
    assert str(one(void, DATASET, VOID.uriSpace)) == BASE
    assert list(void.subjects(None, None)) and not any(
        isinstance(t, type(None)) or t.__class__.__name__ == "BNode" for triple in void for t in triple
    )


def test_void_counts_match_the_dataset(published):
    folder, void, ds = published
    union = union_graph(ds)
    assert int(one(void, DATASET, VOID.triples)) == len(union)
    nt_lines = (folder / DUMP_NAMES["nt"]).read_text(encoding="utf-8").count("\n")
    assert int(one(void, DATASET, VOID.triples)) == nt_lines
    typed = {s for s in union.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert int(one(void, DATASET, VOID.entities)) == len(typed)
    assert int(one(void, DATASET, VOID.properties)) == len(set(union.predicates()))
    # class partitions: one per class, each with the number of its instances
    partitions = {
        one(void, p, VOID["class"]): int(one(void, p, VOID.entities))
        for p in void.objects(DATASET, VOID.classPartition)
    }
    assert partitions[MPD.Country] == 249
    assert partitions[MPD.Forum] == len(set(union.subjects(RDF.type, MPD.Forum)))
    assert partitions[MPD.Agreement] == len(set(union.subjects(RDF.type, MPD.Agreement)))
    assert set(partitions) == set(union.objects(None, RDF.type)) - {
        o for o in union.objects(None, RDF.type) if not isinstance(o, URIRef)
    }
    props = {
        one(void, p, VOID.property): int(one(void, p, VOID.triples))
        for p in void.objects(DATASET, VOID.propertyPartition)
    }
    assert props[RDF.type] == len(list(union.triples((None, RDF.type, None))))
    # the named graphs are subsets with their own sizes
    # (the open datasets are subsets too, described by licence and citation: tested below)
    named = [s for s in void.objects(DATASET, VOID.subset) if "/dataset/open-data/" not in str(s)]
    subsets = {s: int(one(void, s, VOID.triples)) for s in named}
    assert subsets[GRAPHS.curated] == len(ds.graph(GRAPHS.curated))
    assert subsets[GRAPHS.ontology] == len(ds.graph(GRAPHS.ontology))


def test_void_names_examples_vocabularies_endpoint_and_dumps(published):
    folder, void, ds = published
    union = union_graph(ds)
    examples = set(void.objects(DATASET, VOID.exampleResource))
    assert {country_iri("CAN"), forum_iri("rcm")} <= examples
    assert all((e, None, None) in union for e in examples)
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {
        str(MPD._NS),
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/prov#",
        str(SKOS),
    } <= vocabularies
    assert "https://w3id.org/mpdkg/country/" not in vocabularies  # instance namespaces are not vocabularies
    assert one(void, DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    for name in DUMP_NAMES.values():
        assert DEFAULT_BASE_URL + name in dumps and DEFAULT_BASE_URL + name + ".gz" in dumps
    # every file is a DCAT distribution with its media type and real size
    sizes = {}
    for dist in void.objects(DATASET, DCAT.distribution):
        url = void.value(dist, DCAT.downloadURL)
        if url is not None:
            sizes[str(url).rsplit("/", 1)[1]] = int(void.value(dist, DCAT.byteSize))
            assert void.value(dist, DCAT.mediaType) is not None
            assert void.value(dist, DCTERMS.license) == LICENSE
    assert sizes == {p.name: p.stat().st_size for p in folder.iterdir() if p.name in sizes}
    assert len(sizes) == 2 * len(DUMP_NAMES)


def test_void_is_deterministic_and_has_no_timestamp(published, tmp_path):
    folder, _void, ds = published
    first = (folder / "void.ttl").read_bytes()
    for path in folder.iterdir():
        if path.name != "void.ttl":
            shutil.copy(path, tmp_path / path.name)
    write_void(ds, tmp_path, "1.2.3")
    assert (tmp_path / "void.ttl").read_bytes() == first
    assert not re.search(rb"\d{4}-\d\d-\d\dT\d\d:\d\d", first)
    assert b"dcterms:issued" not in first
    write_void(ds, tmp_path, "1.2.3", issued="2026-11-29", base_url="https://example.org/files")
    again = Graph().parse(tmp_path / "void.ttl", format="turtle")
    assert one(again, DATASET, DCTERMS.issued) == Literal(
        "2026-11-29", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    assert URIRef("https://example.org/files/mpdkg.ttl") in set(again.objects(DATASET, VOID.dataDump))


def test_void_command_writes_void_ttl(real_build, tmp_path):
    shutil.copy(real_build.out / "mpdkg.trig", tmp_path / "mpdkg.trig")
    done = subprocess.run(
        [sys.executable, "-m", "mpdkg", "void", "--out", str(tmp_path), "--version", "9.9.9"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    void = Graph().parse(tmp_path / "void.ttl", format="turtle")
    assert str(one(void, DATASET, OWL.versionInfo)) == "9.9.9"
    assert int(one(void, DATASET, VOID.triples)) == len(union_graph(real_build.built.dataset))


def test_jsonld_dump_uses_readable_keys(real_build):
    data = json.loads((real_build.out / DUMP_NAMES["json-ld"]).read_text(encoding="utf-8"))
    published_context = json.loads((real_build.out / CONTEXT_NAME).read_text(encoding="utf-8"))
    assert data["@context"] == published_context["@context"] == jsonld_context()["@context"]
    nodes = data["@graph"]
    canada = next(n for n in nodes if n.get("@id") in ("country:CAN", str(country_iri("CAN"))))
    assert canada["label"] == {"en": "Canada"}
    assert canada["iso3166Alpha3"] == "CAN"
    assert canada["exactMatch"] in ("wd:Q16", str(WD.Q16))
    # properties of every vocabulary the context names are written as short keys, never full IRIs
    named = tuple(
        v for v in published_context["@context"].values() if isinstance(v, str) and v.startswith("http")
    )
    assert not [key for node in nodes for key in node if key.startswith(named)]
    membership = next(n for n in nodes if "member" in n and "organization" in n)
    assert {"member", "organization", "role"} <= set(membership)


def test_wikidata_links_are_the_verified_ones(real_build):
    g = real_build.built.curated
    for code, qid in VERIFIED_COUNTRIES.items():
        assert (country_iri(code), SKOS.exactMatch, WD[qid]) in g, code
    for forum, qid in VERIFIED_FORA.items():
        assert (forum_iri(forum), SKOS.exactMatch, WD[qid]) in g, forum
    links = list(g.subject_objects(SKOS.exactMatch)) + list(g.subject_objects(OWL.sameAs))
    wikidata = [(s, o) for s, o in links if str(o).startswith("http://www.wikidata.org/")]
    assert len(wikidata) >= 249 + len(VERIFIED_FORA)
    for s, o in wikidata:
        assert re.fullmatch(r"http://www\.wikidata\.org/entity/Q[0-9]+", str(o)), (s, o)
    # one Wikidata item names one thing of ours
    targets = [o for _s, o in wikidata]
    assert len(targets) == len(set(targets))


def test_void_names_each_open_dataset_with_its_licence_and_citation():
    from rdflib import Dataset as RdfDataset

    from mpdkg.publish.void import void_graph
    from mpdkg.sources import opendata

    void = void_graph(RdfDataset(), "0.0.1")
    for ds in opendata.datasets():
        node = URIRef(f"https://w3id.org/mpdkg/dataset/open-data/{ds.name}")
        assert (DATASET, VOID.subset, node) in void
        assert (node, DCTERMS.license, URIRef(ds.licence["url"])) in void
        assert str(void.value(node, DCTERMS.bibliographicCitation)) == ds.citation
    unvotes = URIRef("https://w3id.org/mpdkg/dataset/open-data/unvotes")
    assert "Voeten" in str(void.value(unvotes, DCTERMS.bibliographicCitation))
