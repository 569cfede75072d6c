"""Validation at the speed of editing (#18): the canonical ontology is cached by digest, never
stale; rudof reads the build's triples as N-Triples without an rdflib graph in between."""

from __future__ import annotations

import shutil

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from mpdkg import paths
from mpdkg.rdf.build import build_dataset, ontology_graph
from mpdkg.sources.load import load_sources
from mpdkg.validate.shacl import validate_built
from tests.helpers import REPO, write_mini_graph


def test_cached_ontology_follows_every_edit_and_survives_a_damaged_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MPDKG_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    write_mini_graph(root)
    paths.use_project(root)
    try:
        first = set(ontology_graph())
        assert set(ontology_graph()) == first  # from the cache
        cached = list((tmp_path / "cache" / "ontology").glob("*.nt"))
        assert len(cached) == 1
        with (root / "ontology" / "analysis.ttl").open("a", encoding="utf-8") as fh:
            fh.write(
                '\n<https://w3id.org/mpdkg/ontology#X> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .\n'
            )
        edited = set(ontology_graph())
        assert (URIRef("https://w3id.org/mpdkg/ontology#X"), RDFS.label, Literal("X", lang="en")) in edited
        assert edited - first and len(list((tmp_path / "cache" / "ontology").glob("*.nt"))) == 2
        for path in (tmp_path / "cache" / "ontology").glob("*.nt"):
            path.write_bytes(b"<broken")
        assert set(ontology_graph()) == edited
    finally:
        paths.use_project(None)


def test_rudof_reads_the_build_without_an_rdflib_dataset(mini_graph):
    built = build_dataset(load_sources(mini_graph))
    report = validate_built(built)
    assert report.conforms
    assert built._dataset is None  # validation never filled the rdflib Dataset
    assert len(built.dataset) > 0 and built.ntriples().count("\n") >= len(built.dataset)
