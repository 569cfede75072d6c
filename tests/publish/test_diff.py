"""mpdkg diff reports exactly what changed between two builds, in a curator's words."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mpdkg.cli.core import app
from mpdkg.pipeline import build
from tests.helpers import write_mini_graph

runner = CliRunner()


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def two_builds(tmp_path):
    a = write_mini_graph(tmp_path / "a")
    with (a / "sources" / "test.csv").open("a", encoding="utf-8") as fh:
        fh.write("t-unused,https://example.org/unused,Unused page,Example publisher,2026-11-29,,other\n")
    b = write_mini_graph(tmp_path / "b")
    edit(b / "memberships" / "five.csv", "USA,member,2010,2022,", "USA,member,2010,2023,")
    edit(
        b / "agreements" / "test.csv",
        "safe-third-country-agreement,5,CAN;USA,",
        "safe-third-country-agreement,5,CAN;USA;MEX,",
    )
    build(tmp_path / "dist-a", a)
    build(tmp_path / "dist-b", b)
    return tmp_path / "dist-a", tmp_path / "dist-b"


def test_diff_reports_exactly_the_three_changes(tmp_path):
    old, new = two_builds(tmp_path)
    result = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    summary = sorted(
        (c["change"], c["type"], c["entity"].rsplit("/", 1)[-1], json.dumps(c["fields"], sort_keys=True))
        for c in changes
    )
    assert summary == sorted(
        [
            (
                "changed",
                "membership",
                "member",
                json.dumps({"end": {"from": ["2022"], "to": ["2023"]}}, sort_keys=True),
            ),
            (
                "changed",
                "agreement",
                "stca",
                json.dumps({"parties": {"from": [], "to": ["country/MEX"]}}, sort_keys=True),
            ),
            ("removed", "source", "t-unused", json.dumps({}, sort_keys=True)),
        ]
    )
    assert [c["entity"] for c in changes if c["type"] == "membership"] == [
        "https://w3id.org/mpdkg/membership/five/USA/member"
    ]


def test_diff_markdown_reads_like_a_changelog(tmp_path):
    old, new = two_builds(tmp_path)
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    assert "3 change(s)" in result.stdout
    assert "end 2022 → 2023" in result.stdout
    assert "parties — → country/MEX" in result.stdout
    assert "removed: source `source/t-unused`" in result.stdout


def test_identical_builds_and_formats_give_no_difference(tmp_path, mini_graph):
    build(tmp_path / "d", mini_graph)
    for other in ("mpdkg.nt", "mpdkg.ttl", "mpdkg.jsonld"):
        result = runner.invoke(app, ["diff", str(tmp_path / "d"), str(tmp_path / "d" / other)])
        assert result.exit_code == 0
        assert "No changes." in result.stdout, other


def test_diff_of_missing_build_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["diff", str(tmp_path / "nope"), str(tmp_path)])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
