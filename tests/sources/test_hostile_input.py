"""Malformed and hostile curated input: a clear error or correct escaping, never a traceback,
never a changed or corrupt dist/, and nothing fetched from the network."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import RDFS
from typer.testing import CliRunner

from mpdkg.cli.core import app
from mpdkg.errors import SourceErrors
from mpdkg.namespaces import forum_iri
from mpdkg.pipeline import build
from mpdkg.rdf.dumps import load_dump
from mpdkg.sources.load import load_sources
from tests.helpers import tree_snapshot, write_mini_graph
from tests.servers import Listener

runner = CliRunner()
FORA_HEADER = "id,label,alt_labels,kind,pillars,established,ended,homepage,wikidata,members_complete,member_counts,members_source,members_as_of,source,quote,description\n"
HOSTILE_LABELS = [
    '"""; DROP ALL ; <x> a <y> . #',
    "} UNION { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/>",
    "<script>alert('x')</script> & <b>bold</b>",
    "@prefix x: <http://evil/> . x:a x:b x:c .",
    "right-to-left scripts عربي עברית and \u0301combining and emoji \U0001f30d",  # bidi controls: refused, see test_security_build
    "Ｆｕｌｌｗｉｄｔｈ and e\u0301 vs \u00e9",
    "line\\nwith backslash-n and \\u0022 escape",
]


def forum_row(label: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        ["hostile", label, "", "initiative", "1", "", "", "", "", "no", "", "", "", "t-forum", "", ""]
    )
    return buf.getvalue()


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_hostile_labels_are_escaped_and_round_trip(tmp_path, label):
    graph = write_mini_graph(tmp_path)
    (graph / "fora" / "hostile.csv").write_text(FORA_HEADER + forum_row(label), encoding="utf-8")
    result = build(tmp_path / "dist", graph)
    assert result.report.conforms
    for name in ("mpdkg.ttl", "mpdkg.nt", "mpdkg.jsonld", "mpdkg.trig"):
        ds = load_dump(tmp_path / "dist" / name)
        labels = {o for _, _, o, _ in ds.quads((forum_iri("hostile"), RDFS.label, None, None))}
        assert labels == {Literal(label, lang="en")}, name


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(member=cell, role=cell, start=cell, end=cell, source=cell)
def test_arbitrary_membership_cells_give_errors_not_crashes(
    tmp_path_factory, member, role, start, end, source
):
    graph = write_mini_graph(tmp_path_factory.mktemp("g"))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([member, role, start, end, "", source, "", ""])
    with (graph / "memberships" / "five.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    try:
        load_sources(graph)
    except SourceErrors as exc:
        assert exc.problems and all(str(p).startswith("graph/") for p in exc.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_in_a_source_file(tmp_path_factory, raw):
    graph = write_mini_graph(tmp_path_factory.mktemp("g"))
    path = graph / "agreements" / "test.csv"
    path.write_bytes(path.read_bytes() + raw)
    try:
        records = load_sources(graph)
    except SourceErrors as exc:  # refused: every problem points into the one file that changed
        assert exc.problems
        for problem in exc.problems:
            assert problem.origin.file.endswith("agreements/test.csv") and problem.origin.line >= 1, problem
    else:  # accepted: the bytes made at most new rows; the curated ones are intact
        assert {"stca", "stca-protocol", "iec-fra", "sawp-mex"} <= set(records.agreements)
        assert records.agreements["stca"].parties == ("CAN", "USA") or set(
            records.agreements["stca"].parties
        ) == {
            "CAN",
            "USA",
        }


def test_huge_values_are_refused_cleanly(tmp_path):
    graph = write_mini_graph(tmp_path)
    (graph / "fora" / "hostile.csv").write_text(FORA_HEADER + forum_row("A" * 200_000), encoding="utf-8")
    with pytest.raises(SourceErrors) as info:
        load_sources(graph)
    assert any("fora/hostile.csv" in str(p) for p in info.value.problems)


def test_failed_build_never_touches_dist(tmp_path):
    graph = write_mini_graph(tmp_path)
    out = tmp_path / "dist"
    assert runner.invoke(app, ["build", "--out", str(out), "--graph-dir", str(graph)]).exit_code == 0
    before = tree_snapshot(out)
    (graph / "fora" / "hostile.csv").write_bytes(b"\xff\xfe\x00garbage")
    result = runner.invoke(app, ["build", "--out", str(out), "--graph-dir", str(graph)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert tree_snapshot(out) == before


def test_remote_jsonld_context_is_never_fetched(tmp_path):
    listener = Listener()
    try:
        doc = {
            "@context": f"http://127.0.0.1:{listener.port}/context.jsonld",
            "@id": "http://x/a",
            "name": "A",
        }
        path = tmp_path / "remote.jsonld"
        path.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(ValueError, match="not fetched"):
            load_dump(path)
    finally:
        listener.close()
    assert listener.connections == 0


def test_rdf_xml_with_external_entities_is_refused_unread(tmp_path):
    """mpdkg reads no RDF/XML at all: a dump with XML entities pointing at a local file and at a
    listener is refused by every command that reads dumps, and neither is touched."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    listener = Listener()
    try:
        evil = tmp_path / "evil.rdf"
        evil.write_text(
            f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY local SYSTEM "file://{secret}"> <!ENTITY remote SYSTEM "http://127.0.0.1:{listener.port}/x"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&local;&remote;</ex:p></rdf:Description>
</rdf:RDF>""",
            encoding="utf-8",
        )
        for args in (
            ["query", "--data", str(evil), "-e", "SELECT ?o WHERE { ?s ?p ?o }", "-f", "csv"],
            ["query", "--engine", "rdflib", "--data", str(evil), "-e", "SELECT ?o WHERE { ?s ?p ?o }"],
            ["diff", str(evil), str(evil)],
        ):
            result = runner.invoke(app, args)
            assert result.exit_code == 2, (args, result.output)
            assert "TOP-SECRET" not in result.output and "Traceback" not in result.output
            assert "format" in result.output
    finally:
        listener.close()
    assert listener.connections == 0
