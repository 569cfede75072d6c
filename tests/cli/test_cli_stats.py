"""mpdkg stats shows what the sources are, not only that every fact has one (#19)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mpdkg.cli.core import app
from tests.helpers import write_mini_graph

runner = CliRunner()


def test_stats_show_source_kinds_and_single_source_facts(tmp_path):
    graph = write_mini_graph(tmp_path)
    result = runner.invoke(app, ["stats", "--graph-dir", str(graph), "--json"])
    assert result.exit_code == 0, result.output
    q = json.loads(result.stdout)["source_quality"]
    assert q["facts"] > 0 and 0 <= q["secondary_only"] <= q["single_source"] <= q["facts"]
    assert sum(q["sources_by_kind"].values()) > 0
    assert 0 <= q["quoted"] <= q["quotable"] < q["facts"] and q["quotable"] > 0
    table = runner.invoke(app, ["stats", "--graph-dir", str(graph)], env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    assert "source kind" in table.stdout and "facts resting on a single source" in table.stdout
    assert (
        f"facts quoting the sentence of their source that states them: {q['quoted']}/{q['quotable']}"
        in table.stdout
    )


def test_stale_months_cannot_be_negative(tmp_path):
    graph = write_mini_graph(tmp_path)
    result = runner.invoke(app, ["stats", "--graph-dir", str(graph), "--stale", "-1"])
    assert result.exit_code == 2 and "greater than or equal to 0" in result.output
