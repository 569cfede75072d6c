"""Shared fixtures: small curated graphs written by the tests themselves, and the real graph
built once per session (``real_build``, ``real_reasoned``). Use these rather than building the
real graph again in a test module: each build costs seconds, each reasoning more."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import write_mini_graph


@pytest.fixture
def mini_graph(tmp_path: Path) -> Path:
    return write_mini_graph(tmp_path)


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The real curated graph, built and validated once per test session (its dumps in
    ``real_build.out``, the dataset in ``real_build.built``): read it, never change it."""
    from mpdkg.pipeline import build

    out = tmp_path_factory.mktemp("dist")
    return build(out)


@pytest.fixture(scope="session")
def real_reasoned():
    """The real curated graph with the inferred graph filled by reasoning, once per session (a
    separate copy: reasoning adds to the dataset it is given). Read it, never change it."""
    from mpdkg.rdf.build import build_dataset
    from mpdkg.reason.hermit import reason_into
    from mpdkg.sources.load import load_sources

    built = build_dataset(load_sources())
    report = reason_into(built)
    return built, report


@pytest.fixture(scope="session")
def open_quads():
    """Every open-data quad (1.4 million), made once per session: read them, never change them."""
    from mpdkg.rdf import opendata as od

    return od.open_data_quads()


@pytest.fixture(scope="session")
def opendata(open_quads):
    """What `mpdkg query` sees after `mpdkg run`: the curated dataset and the open data."""
    from mpdkg.query.engines import OxigraphEngine
    from mpdkg.rdf.build import build_dataset
    from mpdkg.rdf.engine import store_from_dataset
    from mpdkg.sources.load import load_sources

    store = store_from_dataset(build_dataset(load_sources()).dataset)
    store.bulk_extend(open_quads)
    return OxigraphEngine(store)
