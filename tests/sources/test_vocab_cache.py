"""The closed lists are read from the cache after the first time, and never from a stale one."""

import shutil

import pytest

from mpdkg import paths
from mpdkg.sources import vocab as V
from mpdkg.staging import CACHE_ENV


@pytest.fixture()
def ontology(tmp_path, monkeypatch):
    """A copy of ontology/ and an empty cache of our own."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "ontology"
    shutil.copytree(paths.ontology_file().parent, folder)
    return folder / "mpdkg.ttl"


def test_the_second_read_comes_from_the_cache(ontology, monkeypatch):
    first = V.vocabulary(ontology)
    assert first == V._read_vocabulary(paths.ontology_file())  # the same lists as the ontology's
    assert list((ontology.parent.parent / "cache" / "vocabulary").glob("*.json"))

    def no_parse(*_args):
        raise AssertionError("the ontology was parsed although its lists are cached")

    monkeypatch.setattr(V, "_read_vocabulary", no_parse)
    again = V.vocabulary(ontology)
    assert again == first and isinstance(
        next(iter(again.roles.values())), type(next(iter(first.roles.values())))
    )


def test_a_changed_ontology_or_a_damaged_cache_is_read_again(ontology):
    before = V.vocabulary(ontology)
    assert "test-arrangement" not in before.agreement_kinds
    ontology.write_text(
        ontology.read_text(encoding="utf-8")
        + '\nmpd:TestArrangement a owl:Class ; rdfs:subClassOf mpd:Agreement ; skos:notation "test-arrangement" .\n',
        encoding="utf-8",
    )
    V.load_ontology.cache_clear()  # the process's own memory of the parsed file, not the disk cache
    after = V.vocabulary(ontology)
    assert after.agreement_kinds["test-arrangement"].endswith("#TestArrangement")
    for cached in (ontology.parent.parent / "cache" / "vocabulary").glob("*.json"):
        cached.write_text("[1, 2", encoding="utf-8")
    assert V.vocabulary(ontology) == after
