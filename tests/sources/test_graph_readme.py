"""graph/README.md is the curator's manual: its table of files must name the columns the loader
reads, and its closed lists every value the ontology allows (a kind added to the ontology but not
to the manual is a value no curator will find)."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from mpdkg import paths
from mpdkg.sources.schema import SPECS
from mpdkg.sources.vocab import vocabulary

README = paths.graph_dir() / "README.md"


def _table_columns() -> dict[str, set[str]]:
    """Each row of the files table: its path pattern -> the columns it lists."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            columns = re.match(r"`([a-z_0-9,]+)`", cells[2])
            if columns:
                for pattern in re.findall(r"`([^`]+)`", cells[0]):
                    rows[pattern.replace("<forum-id>", "*")] = set(columns.group(1).split(","))
    return rows


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_files_table_lists_the_columns_the_loader_reads(spec):
    table = _table_columns()
    assert spec.pattern in table, f"graph/README.md has no row for {spec.pattern}"
    assert table[spec.pattern] == {c.name for c in spec.cols}


@pytest.mark.parametrize("name", [f.name for f in fields(vocabulary())])
def test_every_value_of_a_closed_list_is_in_the_manual(name):
    text = README.read_text(encoding="utf-8")
    missing = [n for n in getattr(vocabulary(), name) if f"`{n}`" not in text]
    assert not missing, f"graph/README.md does not list these {name}: {missing}"
