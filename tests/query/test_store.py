"""The persisted query store (mpdkg.query.store): the same answers as parsing the dumps, never a
store of other dumps, and the open data loaded once for many builds."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from mpdkg.query import store as qs
from mpdkg.query.catalogue import get_query
from mpdkg.query.engines import OxigraphEngine, load_store, open_engine, run_query
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.dumps import write_dumps
from mpdkg.sources.load import load_sources
from tests.helpers import write_mini_graph

OPEN = '<https://example.org/s> <https://example.org/p> "open" <https://w3id.org/mpdkg/graph/open-data> .\n'


@pytest.fixture
def dumps(tmp_path, monkeypatch) -> list[Path]:
    monkeypatch.setenv("MPDKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(qs, "MIN_BYTES", 0)
    dist = tmp_path / "dist"
    dist.mkdir()
    write_dumps(build_dataset(load_sources(write_mini_graph(tmp_path / "g"))), dist)
    (dist / "open-data.nq.gz").write_bytes(gzip.compress(OPEN.encode(), mtime=0))
    return [dist / "mpdkg.trig", dist / "open-data.nq.gz"]


def _ground(store) -> set:
    return {q for q in store if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}


def _rows(store, name: str):
    return run_query(OxigraphEngine(store), get_query(name)).rows


def test_a_prepared_store_answers_as_the_dumps_do(dumps):
    assert qs.prepared_store(dumps) is None  # nothing prepared yet: the dumps are parsed
    qs.prepare_store(dumps)
    prepared = qs.prepared_store(dumps)
    assert prepared is not None
    parsed = load_store(dumps)
    assert len(prepared) == len(parsed) > 100
    assert _ground(prepared) == _ground(parsed)  # blank nodes get new labels in every parse
    for name in ("policy-framework", "forum-members", "agreements-in-force"):
        assert _rows(prepared, name) == _rows(parsed, name), name
    engine = open_engine(dumps)
    with pytest.raises(RuntimeError, match="read-write"):  # a query opens the prepared store, read-only
        engine.store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))


def test_a_changed_dump_is_never_answered_from_an_old_store(dumps):
    qs.prepare_store(dumps)
    trig = dumps[0]
    trig.write_bytes(trig.read_bytes() + b'<urn:new> <urn:p> "after the edit" .\n')
    assert qs.prepared_store(dumps) is None
    assert ox.Literal("after the edit") in {q.object for q in open_engine(dumps).store}


def test_the_open_data_is_loaded_once_for_many_builds(dumps, tmp_path, monkeypatch):
    qs.prepare_store(dumps)
    loaded = []
    real_load = qs._load
    monkeypatch.setattr(qs, "_load", lambda store, path: (loaded.append(path.name), real_load(store, path)))
    trig = dumps[0]
    for n in range(qs.KEEP + 2):  # later builds: the curated dump changes, the open data does not
        trig.write_bytes(trig.read_bytes() + f'<urn:x> <urn:y> "{n}" .\n'.encode())
        qs.prepare_store(dumps)
        store = qs.prepared_store(dumps)
        assert store is not None and ox.Literal(str(n)) in {
            q.object for q in store.quads_for_pattern(ox.NamedNode("urn:x"), None, None)
        }
        assert ox.Literal("open") in {q.object for q in store}
    assert loaded == ["mpdkg.trig"] * (qs.KEEP + 2)
    stores = tmp_path / "cache" / "stores"
    assert len(list(stores.glob("build-*"))) == qs.KEEP and len(list(stores.glob("base-*"))) == 1


def test_preparing_reads_each_dump_once(dumps, monkeypatch):
    """The open data is 50 MB: preparing a build's store hashes it once, not per store made."""
    hashed = []
    real = qs._file_digests
    monkeypatch.setattr(qs, "_file_digests", lambda paths_: (hashed.extend(paths_), real(paths_))[1])
    built = []
    assert qs.prepare_store(dumps, on_build=lambda: built.append(1)) is not None
    assert sorted(p.name for p in hashed) == sorted(p.name for p in dumps) and built == [1]
    hashed.clear()
    qs.prepare_store(dumps, on_build=lambda: built.append(2))
    assert built == [1], "an existing store is not made again"


def test_the_base_made_when_the_open_data_is_written_serves_the_run(dumps, monkeypatch):
    """The run loads the open data into the base store in the process that wrote the dump (beside
    the maps); preparing the query store after the stages then loads only the curated dump."""
    trig, open_data = dumps
    assert qs.prepare_base(trig) is None  # only the open-data dump has a base
    base = qs.prepare_base(open_data)
    assert base is not None and (base / qs._DONE).is_file()
    loaded = []
    real_load = qs._load
    monkeypatch.setattr(qs, "_load", lambda store, path: (loaded.append(path.name), real_load(store, path)))
    qs.prepare_store(dumps)
    assert loaded == ["mpdkg.trig"]
    assert ox.Literal("open") in {q.object for q in qs.prepared_store(dumps)}
    monkeypatch.setattr(qs, "MIN_BYTES", 1 << 30)
    assert qs.prepare_base(open_data) is None  # too small to need a store: none is made


def test_writing_the_open_data_prepares_its_base(tmp_path, monkeypatch):
    """write_open_data_step (the run's open-data stage) leaves the base store of the dump it wrote."""
    from mpdkg.pipeline import write_open_data_step
    from mpdkg.rdf import opendata as od

    monkeypatch.setenv("MPDKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(qs, "MIN_BYTES", 0)
    graph = tmp_path / "graph"
    (graph / "open-data" / "x").mkdir(parents=True)
    (graph / "open-data" / "x" / "MANIFEST.json").write_text("{}", encoding="utf-8")
    quad = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("open"), ox.NamedNode("urn:g"))
    monkeypatch.setattr(od, "open_data_quads", lambda root, graph_dir: [quad])
    monkeypatch.setattr(od, "validate_quads", lambda quads: [])
    said = []
    (tmp_path / "stage").mkdir()
    write_open_data_step(tmp_path / "stage", graph, said.append)
    dump = tmp_path / "stage" / od.DUMP_NAME
    assert dump.is_file() and "loaded open-data.nq.gz into the query store's base" in said
    base = qs._name("base-", [dump], qs._file_digests([dump]))
    assert (base / qs._DONE).is_file()
    assert {q.object for q in ox.Store.read_only(str(base))} == {ox.Literal("open")}
