"""mpdkg query as a researcher uses it: formats, parameters, errors, remote endpoints, no network."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading

import pytest
from typer.testing import CliRunner

from mpdkg.cli.core import app
from mpdkg.errors import UsageError
from mpdkg.query.catalogue import catalogue, get_query, parse_query_text
from mpdkg.query.engines import EndpointError, RemoteEngine, bind, open_engine, run_query
from tests.servers import Listener, oxigraph_server

runner = CliRunner()


@pytest.fixture(scope="module")
def dump(real_build):
    return real_build.out / "mpdkg.trig"


def invoke(*args):
    return runner.invoke(app, ["query", *args])


def test_list_shows_catalogue():
    result = invoke("--list")
    assert result.exit_code == 0
    assert "forum-members" in result.output and "Members of a forum" in result.output


def test_param_binding_via_values(dump):
    result = invoke("forum-members", "--param", "forum=fcm", "--format", "csv", "--data", str(dump))
    assert result.exit_code == 0, result.output
    reader = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["memberLabel"] for r in reader} == {
        "Australia",
        "Canada",
        "New Zealand",
        "United Kingdom",
        "United States",
    }


def test_binding_never_pastes_text():
    text = bind(get_query("forum-members"), {"forum": "rcm"})
    assert "VALUES (?forum) { (<https://w3id.org/mpdkg/forum/rcm>) }" in text
    with pytest.raises(UsageError, match="lowercase"):
        bind(get_query("forum-members"), {"forum": "rcm> } ; DROP ALL ; <x"})
    # an undeclared string parameter becomes an escaped literal
    q = "SELECT ?x WHERE { BIND(?name AS ?x) }"
    from mpdkg.query.catalogue import parse_query_text

    bound = bind(parse_query_text(q, "q"), {"name": 'a" } ; DROP ALL #'})
    assert '"a\\" } ; DROP ALL #"' in bound
    # a prefixed name of the usual prefixes is the IRI it names (country:MEX was the string "country:MEX")
    assert "(<https://w3id.org/mpdkg/country/MEX>)" in bind(parse_query_text(q, "q"), {"name": "country:MEX"})
    assert '("nowhere:MEX")' in bind(parse_query_text(q, "q"), {"name": "nowhere:MEX"})


def test_table_shows_brackets_in_the_data_as_they_are(dump):
    """rich read "[bold]" or "[forum/g20]" in an answer as markup: the table showed "hi" for the
    literal "[bold]hi[/bold]" and dropped ids in brackets. The data are shown as they are."""
    text = "[bold]hi[/bold] [forum/g20] [sic]"
    result = invoke("-e", f'SELECT ?x WHERE {{ VALUES ?x {{ "{text}" }} }}', "--data", str(dump))
    assert result.exit_code == 0, result.output
    assert text in result.stdout


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_execute_in_every_format(fmt, dump):
    q = "SELECT ?code WHERE { ?c <https://w3id.org/mpdkg/ontology#iso3166Alpha3> ?code FILTER(?code IN ('CAN','MEX')) } ORDER BY ?code"
    result = invoke("-e", q, "--format", fmt, "--data", str(dump))
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "json":
        data = json.loads(out)
        assert [b["code"]["value"] for b in data["results"]["bindings"]] == ["CAN", "MEX"]
    elif fmt == "csv":
        assert out.splitlines() == ["code", "CAN", "MEX"]
    elif fmt == "tsv":
        assert out.splitlines() == ["?code", '"CAN"', '"MEX"']
    else:
        assert "CAN" in out and "MEX" in out


def test_construct_gives_turtle(dump):
    q = "CONSTRUCT { ?c ?p ?o } WHERE { ?c ?p ?o FILTER(?c = <https://w3id.org/mpdkg/country/CAN>) }"
    result = invoke("-e", q, "--format", "turtle", "--data", str(dump))
    assert result.exit_code == 0, result.output
    assert "country:CAN" in result.stdout and "Canada" in result.stdout


def test_ask_json(dump):
    result = invoke("-e", "ASK { ?s ?p ?o }", "--format", "json", "--data", str(dump))
    assert json.loads(result.stdout) == {"head": {}, "boolean": True}


def test_syntax_error_gives_line_and_column_exit_2(dump):
    result = invoke("-e", "SELECT ?x\nWHERE { ?x ?p }", "--data", str(dump))
    assert result.exit_code == 2
    assert "line 2, column" in result.output
    assert "Traceback" not in result.output


def test_syntax_error_on_rdflib_engine_too(dump):
    result = invoke("-e", "SELECT ?x WHERE { ?x ?p }", "--engine", "rdflib", "--data", str(dump))
    assert result.exit_code == 2
    assert "line 1, column" in result.output


def test_update_is_refused(dump):
    result = invoke("-e", "DELETE WHERE { ?s ?p ?o }", "--data", str(dump))
    assert result.exit_code == 2
    assert "UPDATE" in result.output


def test_unknown_query_name_and_bad_param():
    assert "no catalogue query named" in invoke("nope").output
    result = invoke("forum-members", "--param", "country=MEX")
    assert result.exit_code == 2 and "has no parameter 'country'" in result.output
    # a catalogue query that takes no parameter refuses one rather than binding its variable and
    # answering nothing (canada-visa-policy-history has a ?country column)
    result = invoke("canada-visa-policy-history", "--param", "country=MEX")
    assert result.exit_code == 2 and "has no parameter 'country'; it takes: none" in result.output
    # a date parameter is checked, not matched as a string that silently finds nothing
    for typo in ("2025-1-12", "12/01/2025", "2025-02-30"):
        result = invoke("visa-reciprocity-gaps", "--param", f"snapshot={typo}")
        assert result.exit_code == 2 and "YYYY-MM-DD" in result.output and typo in result.output, (
            result.output
        )


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_never_reaches_the_network(engine, dump):
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}/sparql"
        q = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        result = invoke("-e", q, "--engine", engine, "--data", str(dump))
        assert result.exit_code == 2
        assert "SERVICE" in result.output and "--allow-network" in result.output
        # a FROM naming a remote graph is not fetched either
        q = f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }} LIMIT 1"
        result = invoke("-e", q, "--engine", engine, "--data", str(dump))
        assert result.exit_code == 0, result.output
    finally:
        listener.close()
    assert listener.connections == 0


def test_network_guard_blocks_any_connection_during_a_query(dump):
    from mpdkg import netguard

    listener = Listener()
    try:
        with pytest.raises(netguard.NetworkRefused), netguard.no_network():
            socket.create_connection(("127.0.0.1", listener.port), timeout=2)
    finally:
        listener.close()
    assert listener.connections == 0


@pytest.mark.server
def test_remote_endpoint_gives_the_same_answers(dump, tmp_path):
    embedded = open_engine([dump])
    with oxigraph_server(tmp_path, load=[dump]) as base:
        remote = RemoteEngine(base + "/query", timeout=30)
        for q in catalogue():
            local = run_query(embedded, q).normalised_rows()
            far = run_query(remote, q).normalised_rows()
            assert far == local, q.name
        result = invoke(
            "shared-with-country", "-p", "country=MEX", "--endpoint", base + "/query", "-f", "csv"
        )
        assert result.exit_code == 0, result.output
        assert "sawp-mex" in result.stdout


def test_unreachable_endpoint_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    remote = RemoteEngine(f"http://127.0.0.1:{port}/sparql", timeout=3)
    with pytest.raises(EndpointError, match="cannot reach"):
        run_query(remote, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_hanging_endpoint_times_out_cleanly():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    port = srv.getsockname()[1]
    try:
        remote = RemoteEngine(f"http://127.0.0.1:{port}/sparql", timeout=1)
        with pytest.raises(EndpointError, match="did not answer within 1 s"):
            run_query(remote, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    finally:
        srv.close()


def test_garbage_answer_is_a_clear_error():
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Garbage(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b"<html>not json</html>")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        remote = RemoteEngine(f"http://127.0.0.1:{server.server_port}/sparql", timeout=5)
        with pytest.raises(EndpointError, match="not SPARQL JSON results"):
            run_query(remote, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        result = invoke(
            "-e", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", f"http://127.0.0.1:{server.server_port}/sparql"
        )
        assert result.exit_code == 3 and "Traceback" not in result.output
    finally:
        server.shutdown()


def test_a_variable_named_service_is_not_the_service_keyword(dump):
    q = "SELECT ?service WHERE { BIND(1 AS ?service) }"
    result = invoke("-e", q, "--format", "csv", "--data", str(dump))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["service", "1"]


# --- a researcher's first hour (issue #14): SPARQL as written, mistakes get answers --------------

README_QUERY = "SELECT ?f ?label WHERE { ?f a <https://w3id.org/mpdkg/ontology#Treaty> ; rdfs:label ?label }"


@pytest.mark.server
def test_undeclared_usual_prefixes_work_on_every_engine(dump, tmp_path):
    """Regression: the README's query failed on the embedded engine (no predeclared rdfs:)."""
    q = parse_query_text(README_QUERY + " ORDER BY ?f", "readme")
    embedded = run_query(open_engine([dump]), q)
    assert len(embedded.rows) >= 4
    assert run_query(open_engine([dump], engine="rdflib"), q).rows == embedded.rows
    with oxigraph_server(tmp_path, load=[dump], read_only=True) as base:
        assert run_query(RemoteEngine(base + "/query"), q).rows == embedded.rows
    result = runner.invoke(app, ["query", "--data", str(dump), "-e", README_QUERY, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "Convention relating to the Status of Refugees" in result.stdout


def test_an_unknown_prefix_is_one_line_naming_the_known_ones(dump):
    result = runner.invoke(app, ["query", "--data", str(dump), "-e", "SELECT * WHERE {\n ?s foo:bar ?o }"])
    assert result.exit_code == 2
    line = next(x for x in result.output.splitlines() if "unknown prefix" in x)
    assert line.startswith("unknown prefix 'foo:' at line 2, column 5 (known without a PREFIX line: ")
    assert "rdfs" in line and "mpd" in line and "country" in line


def test_a_syntax_error_is_one_line_and_a_caret(dump):
    result = runner.invoke(app, ["query", "--data", str(dump), "-e", "SELECT ?a WHERE { ?a a mpd:Forum "])
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x.strip() and not x.startswith("data:")]
    assert lines[0].startswith("SPARQL syntax error at line 1, column") and len(lines[0]) < 300
    assert lines[-1].strip() == "^"
    assert "\\u" not in result.output and "[" not in lines[0].split(":", 1)[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["forum-members", "-p", "forum=puebla"],
            "unknown forum 'puebla'; did you mean 'rcm' (Regional Conference on Migration, \"Puebla Process\")?",
        ),
        (
            ["region-without-relationship", "-p", "region=Westen Asia"],
            "did you mean 'western-asia' (Western Asia)",
        ),
        (["shared-with-country", "-p", "country=MEXX"], "unknown country 'MEXX'"),
        (["forum-member"], "no catalogue query named 'forum-member'; did you mean forum-members"),
        # an entity short form is checked against its kind's ids too (it used to answer 0 rows)
        (["sources-of-entity", "-p", "entity=country/MXE"], "unknown country 'MXE'; did you mean"),
        (["sources-of-entity", "-p", "entity=forum/rcmm"], "unknown forum 'rcmm'; did you mean 'rcm'"),
        (["sources-of-entity", "-p", "entity=Mexco"], "did you mean 'country/MEX' (Mexico)"),
        # a year slip is refused, not answered for a year after every recorded change
        (["forum-members-in-year", "-p", "year=20019"], "year=20019: expected a year written YYYY"),
        (["forum-members-in-year", "-p", "year=19"], "year=19: expected a year written YYYY"),
    ],
)
def test_typos_get_a_suggestion_and_a_non_zero_exit(dump, args, expected):
    result = runner.invoke(app, ["query", "--data", str(dump), *args])
    assert result.exit_code == 2, result.output
    assert expected in result.output


def test_a_label_or_other_name_stands_for_its_id(dump):
    by_id = runner.invoke(
        app, ["query", "--data", str(dump), "forum-members", "-p", "forum=rcm", "-f", "csv"]
    )
    by_name = runner.invoke(
        app, ["query", "--data", str(dump), "forum-members", "-p", "forum=Puebla Process", "-f", "csv"]
    )
    assert by_id.exit_code == 0 and by_name.exit_code == 0, by_name.output
    assert by_id.stdout == by_name.stdout and "MEX" in by_id.stdout


def test_an_entity_may_be_typed_as_an_id_or_a_label(dump):
    def answer(entity):
        result = runner.invoke(
            app, ["query", "--data", str(dump), "sources-of-entity", "-p", f"entity={entity}", "-f", "csv"]
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    mexico = answer("country/MEX")
    assert "/membership/rcm/MEX/" in mexico
    assert answer("MEX") == answer("Mexico") == answer("country/mex") == mexico
    assert answer("Puebla Process") == answer("forum/rcm")  # a forum's other name, not a source title
    assert "/membership/rcm/CAN/member," in answer("membership/rcm/CAN/member")  # a nested short form


def test_resolve_entity_picks_one_kind_or_says_which():
    from mpdkg.query.ids import Entry, resolve_entity

    lists = {
        "countries": [Entry("MEX", "Mexico"), Entry("CAN", "Canada")],
        "forums": [
            Entry("rcm", "Regional Conference on Migration", ("Puebla Process",)),
            Entry("can", "Andean"),
        ],
        "sources": [Entry("s-1", "Puebla Process")],
    }

    def entries(plural):
        return lists.get(plural, [])

    assert resolve_entity("Mexico", entries) == "country/MEX"
    assert resolve_entity("puebla process", entries) == "forum/rcm"  # the source title does not count
    assert resolve_entity("s-1", entries) == "source/s-1"
    assert resolve_entity("https://example.org/x", entries) == "https://example.org/x"  # not ours
    assert (
        resolve_entity("https://w3id.org/mpdkg/country/MEX", entries) == "https://w3id.org/mpdkg/country/MEX"
    )
    assert resolve_entity("visa-policy/mex-visa-2009", entries) == "visa-policy/mex-visa-2009"  # no id list
    with pytest.raises(UsageError, match="names more than one entity: country/CAN or forum/can"):
        resolve_entity("CAN", entries)
    with pytest.raises(UsageError, match="unknown country 'MXE'"):
        resolve_entity("https://w3id.org/mpdkg/country/MXE", entries)


def test_a_misspelt_ontology_term_is_named(dump):
    result = runner.invoke(app, ["query", "--data", str(dump), "-e", "SELECT ?a WHERE { ?a a mpd:Agreemnt }"])
    assert result.exit_code == 1
    assert "mpd:Agreemnt is not a term of the ontology; did you mean mpd:Agreement?" in result.output
    fine = runner.invoke(app, ["query", "--data", str(dump), "-e", "SELECT ?a WHERE { ?a a mpd:Agreement }"])
    assert fine.exit_code == 0 and "not a term" not in fine.output


@pytest.mark.parametrize("kind", ["forums", "agreements", "countries", "regions", "roles"])
def test_ids_lists_what_parameters_take(dump, kind):
    result = runner.invoke(app, ["ids", kind, "--data", str(dump), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    ids = {r["id"] for r in rows}
    expected = {
        "forums": "rcm",
        "agreements": "stca",
        "countries": "MEX",
        "regions": "western-asia",
        "roles": "observer",
    }
    assert expected[kind] in ids
    if kind == "forums":
        rcm = next(r for r in rows if r["id"] == "rcm")
        assert rcm["label"] == "Regional Conference on Migration" and "Puebla Process" in rcm["alt_labels"]
    csv_out = runner.invoke(app, ["ids", kind, "--data", str(dump), "-f", "csv"]).stdout
    assert csv_out.splitlines()[0] == "id,label,alt_labels" and len(csv_out.splitlines()) == len(rows) + 1


def test_tables_fit_80_columns_and_never_cut_a_name(dump):
    result = runner.invoke(
        app,
        [
            "query",
            "--data",
            str(dump),
            "-e",
            "SELECT ?c ?name ?region ?sub ?m49 WHERE { ?c a mpd:Country ; rdfs:label ?name ; mpd:inRegion/rdfs:label ?region ; mpd:inSubregion/rdfs:label ?sub ; mpd:iso3166Numeric ?m49 } ORDER BY ?name",
        ],
        terminal_width=80,
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    table = [x for x in result.stdout.splitlines() if x.startswith(("│", "┃", "┏", "└"))]
    assert table and max(len(x) for x in table) <= 80
    assert "…" not in result.stdout
    assert "Saint Vincent and the" in result.stdout.replace("│", " ")
    # long unbreakable values (IRIs) fold instead of pushing the table past the width
    wide = runner.invoke(
        app,
        [
            "query",
            "--data",
            str(dump),
            "-e",
            'SELECT ?x ?label ?n WHERE { VALUES (?x ?label ?n) { (<https://w3id.org/mpdkg/statistical-area/a-rather-long-identifier> "Some label" 12345) } }',
        ],
        terminal_width=80,
        env={"COLUMNS": "80"},
    )
    assert wide.exit_code == 0, wide.output
    lines = [x for x in wide.stdout.splitlines() if x.startswith(("│", "┃"))]
    assert lines and max(len(x) for x in lines) <= 80 and "12345" in wide.stdout


def test_numbers_in_tables_are_rounded_and_exports_keep_precision():
    from mpdkg.cli.common import Column, fit_table, sig

    assert [sig(x) for x in (0.9034567, 12.64, 0.0213712)] == ["0.903", "12.6", "0.0214"]
    from rich.console import Console

    console = Console(width=80, record=True)
    console.print(
        fit_table(
            [
                Column("country"),
                Column("region", drop=2),
                Column("score", numeric=True),
                Column("x" * 30, drop=1),
            ],
            [
                (
                    "Saint Vincent and the Grenadines (VCT)",
                    "Latin America and the Caribbean",
                    sig(0.123456),
                    "1",
                )
            ],
        )
    )
    text = console.export_text()
    assert "Saint Vincent and the Grenadines (VCT)" in text and "0.123" in text and "…" not in text
    assert "not shown, for width" in text


def test_an_empty_answer_without_the_open_data_says_so(monkeypatch):
    """A new user's copy has no dist/open-data.nq.gz yet: an open-data query answering nothing
    says why, rather than a bare '0 row(s)'."""
    from mpdkg.query import engines

    monkeypatch.setattr(engines, "default_data", lambda: None)  # no dist/ at all: the sources alone
    result = invoke("visa-reciprocity-gaps")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "the open data (UNHCR, visas, UN votes, COW, DESTA) is not loaded" in said
    assert "open-data.nq.gz (mpdkg run writes it)" in said
    answered = invoke("forum-members", "--param", "forum=rcm")  # rows: no note
    assert "is not loaded" not in " ".join(answered.output.split())
    curated = "PREFIX mpd: <https://w3id.org/mpdkg/ontology#> SELECT ?f WHERE { ?f a mpd:Forum ; mpd:officialName 'zzz' }"
    empty = invoke("-e", curated)  # no rows, but it reads no open data: no note either
    assert empty.exit_code == 0, empty.output
    assert "is not loaded" not in " ".join(empty.output.split())


def test_a_dump_is_stale_after_a_source_edit_not_after_a_note(tmp_path):
    """The warning 'dist/mpdkg.trig is older than N source file(s)' names what the build reads:
    an edit of graph/TODO.md changes no answer and must not raise it."""
    import os

    from mpdkg.query.engines import stale_sources

    (tmp_path / "graph" / "memberships").mkdir(parents=True)
    (tmp_path / "ontology").mkdir()
    rows = tmp_path / "graph" / "memberships" / "rcm.csv"
    shapes = tmp_path / "ontology" / "mpdkg.ttl"
    notes = [tmp_path / "graph" / "TODO.md", tmp_path / "graph" / ".swp"]
    for path in (rows, shapes, *notes):
        path.write_text("x", encoding="utf-8")
    dump = tmp_path / "dist" / "mpdkg.trig"
    dump.parent.mkdir()
    dump.write_text("", encoding="utf-8")
    built = dump.stat().st_mtime
    for path in (rows, shapes, *notes):
        os.utime(path, (built - 10, built - 10))
    assert stale_sources(dump, tmp_path) == []
    for path in notes:
        os.utime(path, (built + 10, built + 10))
    assert stale_sources(dump, tmp_path) == []
    for path in (rows, shapes):
        os.utime(path, (built + 10, built + 10))
    assert stale_sources(dump, tmp_path) == [rows, shapes]
