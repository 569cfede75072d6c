"""Shared fixtures: small curated graphs written by the tests themselves, and the real graph
built once per session (``real_build``, its ``real_records`` and ``real_dataset``;
``real_reasoned``; ``opendata``). Use these rather than building the real graph again in a test
module: each build costs seconds, each reasoning more. Only ``real_reasoned`` builds a second
copy, since reasoning adds to the dataset it is given."""

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
def real_records(real_build):
    """The curated records the session's real build was made from: read them, never change them."""
    return real_build.records


@pytest.fixture(scope="session")
def real_dataset(real_build):
    """The session's real curated dataset (ontology and curated graphs): read it, never change it."""
    return real_build.built.dataset


@pytest.fixture(scope="session")
def real_reasoned(real_records):
    """The real curated graph with the inferred graph filled by reasoning, once per session (a
    separate copy: reasoning adds to the dataset it is given). Read it, never change it."""
    from mpdkg.rdf.build import build_dataset
    from mpdkg.reason.hermit import reason_into

    built = build_dataset(real_records)
    report = reason_into(built)
    return built, report


@pytest.fixture(scope="session")
def open_quads():
    """Every open-data quad (1.4 million), made once per session: read them, never change them."""
    from mpdkg.rdf import opendata as od

    return od.open_data_quads()


@pytest.fixture(scope="session")
def opendata(open_quads, real_dataset):
    """What `mpdkg query` sees after `mpdkg run`: the curated dataset and the open data."""
    from mpdkg.query.engines import OxigraphEngine
    from mpdkg.rdf.engine import store_from_dataset

    store = store_from_dataset(real_dataset)
    store.bulk_extend(open_quads)
    return OxigraphEngine(store)
