"""The ontology's classification is cached per ontology (and code) version and never stale."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from mpdkg import paths
from mpdkg.namespaces import MPD
from mpdkg.rdf.build import ontology_graph
from mpdkg.reason import hermit as R
from mpdkg.reason import tbox as T
from mpdkg.sources.vocab import load_ontology

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")


def no_hermit(*args, **kwargs):
    raise AssertionError("HermiT ran although the classification was cached")


@needs_java
def test_the_classification_is_cached_and_reused(tmp_path, monkeypatch):
    onto = ontology_graph()
    first = T.classify_tbox(R.java_executable(), onto, tmp_path)
    assert not first.cached and not first.inconsistent and not first.unsatisfiable
    assert (str(MPD.Country), str(MPD.Actor)) in first.subclass
    assert list((tmp_path / "tbox").glob("*.json")) == [tmp_path / "tbox" / f"{first.digest}.json"]
    monkeypatch.setattr(T, "run_hermit", no_hermit)
    again = T.classify_tbox(R.java_executable(), ontology_graph(), tmp_path)
    assert again.cached and again.digest == first.digest
    assert sorted(again.subclass) == sorted(first.subclass) and again.equivalent == first.equivalent


@needs_java
def test_an_axiom_added_to_the_ontology_is_classified_anew(tmp_path):
    onto = Graph()
    for t in ontology_graph():
        onto.add(t)
    before = T.classify_tbox(R.java_executable(), onto, tmp_path)
    new = URIRef(str(MPD) + "PlantedKind")
    onto.add((new, RDF.type, OWL.Class))
    onto.add((new, RDFS.subClassOf, MPD.Country))
    after = T.classify_tbox(R.java_executable(), onto, tmp_path)
    assert after.digest != before.digest and not after.cached
    assert (str(new), str(MPD.Country)) in after.subclass
    broken = URIRef(str(MPD) + "PlantedBroken")
    onto.add((broken, RDF.type, OWL.Class))
    onto.add((broken, RDFS.subClassOf, MPD.Country))
    onto.add((broken, RDFS.subClassOf, MPD.Agreement))
    assert str(broken) in T.classify_tbox(R.java_executable(), onto, tmp_path).unsatisfiable


@needs_java
def test_editing_an_ontology_file_invalidates_the_cache(tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(paths.data_root() / "ontology", project / "ontology")
    (project / "graph").mkdir()
    monkeypatch.setenv(paths.ENV, str(project))
    paths.use_project(None)
    try:
        cache = tmp_path / "cache"
        before = T.classify_tbox(R.java_executable(), ontology_graph(), cache)
        assert T.classify_tbox(R.java_executable(), ontology_graph(), cache).cached
        with (project / "ontology" / "mpdkg.ttl").open("a", encoding="utf-8") as fh:
            fh.write("\nmpd:PlantedKind a owl:Class ; rdfs:subClassOf mpd:Forum .\n")
        load_ontology.cache_clear()  # read once per process: the next command reads the edit
        after = T.classify_tbox(R.java_executable(), ontology_graph(), cache)
        assert after.digest != before.digest and not after.cached
        assert (str(MPD) + "PlantedKind", str(MPD.Forum)) in after.subclass
    finally:
        monkeypatch.delenv(paths.ENV)
        paths.use_project(None)
        load_ontology.cache_clear()


def test_the_code_version_is_part_of_the_key(monkeypatch):
    onto = ontology_graph()
    digest = T.ontology_digest(onto)
    assert T.ontology_digest(ontology_graph()) == digest  # blank nodes have canonical labels
    monkeypatch.setattr(T, "code_version", lambda: "another version")
    assert T.ontology_digest(onto) != digest


@needs_java
def test_a_damaged_cache_file_is_not_used(tmp_path):
    onto = ontology_graph()
    first = T.classify_tbox(R.java_executable(), onto, tmp_path)
    path = tmp_path / "tbox" / f"{first.digest}.json"
    path.write_text('{"format": 1, "digest": "', encoding="utf-8")
    again = T.classify_tbox(R.java_executable(), onto, tmp_path)
    assert not again.cached and sorted(again.subclass) == sorted(first.subclass)
    assert T.TBox.from_json(path.read_text(encoding="utf-8"), first.digest) is not None


def test_the_fast_path_hands_over_to_hermit_for_constructs_it_does_not_check():
    from mpdkg.reason.rl import unchecked_constructs

    onto = Graph()
    for t in ontology_graph():
        onto.add(t)
    assert unchecked_constructs(onto) == []
    onto.add((MPD.Country, OWL.complementOf, MPD.Forum))
    assert unchecked_constructs(onto) == [str(OWL.complementOf)]
