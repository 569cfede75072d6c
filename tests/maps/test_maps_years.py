"""The maps score each run of years with the same facts in force once (mpdkg.maps.data.year_changes);
the slices must be the ones a separate analysis of every year gives."""

from __future__ import annotations

import pytest

from mpdkg.maps import data as map_data
from mpdkg.rdf.build import build_dataset
from mpdkg.sources.load import load_sources
from tests.helpers import write_mini_graph


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return build_dataset(load_sources(write_mini_graph(tmp_path_factory.mktemp("years-graph")))).dataset


def _plain(data: map_data.MapData, s: map_data.Slice) -> tuple:
    rows = {k: (r.score, r.rank, tuple(data.links[i] for i in r.links)) for k, r in s.rows.items()}
    return s.pillar, s.year, s.region, rows, s.canada, s.gaps


def test_shared_years_give_the_slices_of_a_separate_analysis(dataset, monkeypatch):
    shared = map_data.load_map_data(dataset)
    years = list(range(1990, shared.latest + 1))
    keys = [(p, y) for p in [None, *shared.served_pillars()] for y in years]
    changes = {p: map_data.year_changes(shared, p) for p, _y in keys}
    inside = [y for y in changes[None] if years[0] < y <= years[-1]]
    assert inside and len(inside) < len(years) - 1  # some years share a slice, some do not

    monkeypatch.setattr(map_data, "PARALLEL_FROM", 10**6)  # one process: comparable link order
    got = map_data.score_slices(shared, keys, None)
    alone = map_data.load_map_data(dataset)
    want = [map_data.score_slice(alone, p, y) for p, y in keys]
    assert [_plain(shared, s) for s in got] == [_plain(alone, s) for s in want]
    assert shared.links == alone.links


def test_a_change_year_is_where_a_fact_starts_or_ends(dataset):
    data = map_data.load_map_data(dataset)
    changes = map_data.year_changes(data, None)
    for before, after in zip(changes, changes[1:], strict=False):
        if after - before > 1:  # no fact starts or ends strictly between: the same slice
            a = map_data.score_slice(data, None, before)
            b = map_data.score_slice(data, None, after - 1)
            assert _plain(data, a)[3:] == _plain(data, b)[3:]
