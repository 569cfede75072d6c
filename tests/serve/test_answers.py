"""The endpoint's answers as the workers write them (issues #17, #21): SELECT and ASK through
Oxigraph's own result writers, with our row limit counted exactly in what was written, a byte cap
that stops a huge answer at once, and CSV/TSV cells a spreadsheet would run as a formula given the
``'`` prefix (JSON and XML keep the literal). The warm-up runs the packaged queries."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pyoxigraph as ox
import pytest

from mpdkg.query.results import more_rows_than, spreadsheet_safe_csv, spreadsheet_safe_tsv
from mpdkg.serve.workers import WARM_UP, _run_query, _warm_up, _write_solutions, serve_query

FORMATS = ("json", "xml", "csv", "tsv")


def store_of(literals: list[str]) -> ox.Store:
    store = ox.Store()
    for i, text in enumerate(literals):
        store.add(ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:p"), ox.Literal(text)))
    return store


def run(store: ox.Store, query: str, fmt: str, max_rows: int = 100) -> tuple:
    return _run_query(store, query, fmt, max_rows, [], [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_row_limit_is_exact_whatever_the_literals_hold(fmt):
    """Literals holding what a quick count of rows looks for (``},{``, newlines, ``<result>``)
    never make an answer within the limit look longer, nor one over it shorter."""
    tricky = ["x},{", "a\nb\r\nc", "<result>", '"}},{"s":{', "=1+1", "\t"]
    store = store_of([tricky[i % len(tricky)] for i in range(30)])
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    assert run(store, query, fmt, 30)[0] == "ok"
    answer = run(store, query, fmt, 29)
    assert answer[:2] == ("error", 422) and "more than 29 rows" in answer[2]
    assert run(store, query + " LIMIT 29", fmt, 29)[0] == "ok"


def test_a_huge_answer_stops_at_the_byte_cap():
    store = store_of(["y" * 100 for _ in range(50)])
    answer = _write_solutions(store.query("SELECT * WHERE { ?s ?p ?o }"), "json", 1000, cap=2000)
    assert answer[:2] == ("error", 422) and "MiB (this server's limit)" in answer[2]
    assert _write_solutions(store.query("SELECT * WHERE { ?s ?p ?o }"), "json", 1000)[0] == "ok"


QUERY = (
    'SELECT ?x ?n ?m ?t ?l ?ok WHERE { BIND("=HYPERLINK(1)" AS ?x) BIND(-3 AS ?n) BIND("-1.5" AS ?m) '
    'BIND("\\tlead" AS ?t) BIND("+a, \\"b\\"\\nc"@en AS ?l) BIND("Canada" AS ?ok) }'
)


def test_csv_and_tsv_cells_never_run_as_formulas_json_and_xml_keep_the_literal():
    body = run(ox.Store(), QUERY, "csv")[2]
    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [
        ["x", "n", "m", "t", "l", "ok"],
        ["'=HYPERLINK(1)", "-3", "-1.5", "'\tlead", '\'+a, "b"\nc', "Canada"],
    ]
    body = run(ox.Store(), QUERY, "tsv")[2]
    assert body.decode().splitlines()[1].split("\t") == [
        "\"'=HYPERLINK(1)\"", "-3", '"-1.5"', "\"'\\tlead\"", '"\'+a, \\"b\\"\\nc"@en', '"Canada"'
    ]  # fmt: skip
    binding = json.loads(run(ox.Store(), QUERY, "json")[2])["results"]["bindings"][0]
    assert binding["x"]["value"] == "=HYPERLINK(1)" and binding["t"]["value"] == "\tlead"
    assert b"<literal>=HYPERLINK(1)</literal>" in run(ox.Store(), QUERY, "xml")[2]


def test_answers_with_nothing_to_neutralise_are_oxigraphs_bytes():
    store = store_of(["Canada", "Mexico"])
    for fmt in ("csv", "tsv"):
        written = store.query("SELECT * WHERE { ?s ?p ?o }").serialize(
            format=getattr(ox.QueryResultsFormat, fmt.upper())
        )
        assert run(store, "SELECT * WHERE { ?s ?p ?o }", fmt)[2] == written
        assert (spreadsheet_safe_csv if fmt == "csv" else spreadsheet_safe_tsv)(written) is written


def test_ask_answers():
    assert run(ox.Store(), "ASK {}", "csv")[2].decode().splitlines() == ["_askResult", "true"]
    assert run(ox.Store(), "ASK {}", "tsv")[2].decode().splitlines() == ["?_askResult", "true"]
    assert json.loads(run(ox.Store(), "ASK { ?s ?p ?o }", "json")[2])["boolean"] is False
    assert b"<boolean>true</boolean>" in run(ox.Store(), "ASK {}", "xml")[2]


def test_more_rows_than_counts_empty_and_variable_less_answers():
    store = ox.Store()
    for fmt in FORMATS:
        format_ = getattr(ox.QueryResultsFormat, fmt.upper())
        empty = store.query("SELECT ?x WHERE { FILTER(false) }").serialize(format=format_)
        one = store.query("SELECT * WHERE {}").serialize(format=format_)  # one row, no variable
        assert not more_rows_than(empty, fmt, 0) and more_rows_than(one, fmt, 0), fmt
        assert not more_rows_than(one, fmt, 1), fmt


def test_warm_up_runs_the_packaged_queries():
    """The warm-up's queries are src/mpdkg/serve/queries/warm-up-*.rq, read once; each answers
    (the syntax error on purpose with a 400)."""
    folder = resources.files("mpdkg.serve").joinpath("queries")
    for name in WARM_UP:
        assert serve_query(name) == folder.joinpath(f"{name}.rq").read_text(encoding="utf-8")
    answers = _warm_up(store_of(["Canada"]))
    assert [a[0] for a in answers[:-1]] == ["ok"] * (len(answers) - 1), answers
    assert answers[-1][:2] == ("error", 400)
    hits = serve_query.cache_info().hits
    serve_query("warm-up-select")
    assert serve_query.cache_info().hits == hits + 1
