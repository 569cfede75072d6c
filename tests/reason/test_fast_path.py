"""The fast path (ontology by HermiT, cached; facts by OWL 2 RL) and HermiT over everything infer
the same triples, and the dumps are byte-identical whichever produced them."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from rdflib.namespace import RDF
from typer.testing import CliRunner

from mpdkg.cli.core import app
from mpdkg.namespaces import GRAPHS
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.dumps import render_dumps
from mpdkg.reason import hermit as R
from mpdkg.reason.hermit import reason_into
from mpdkg.sources.load import load_sources

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")
runner = CliRunner()


def _kinds(triples):
    return Counter((p, o) if p == RDF.type else (p,) for _s, p, o in triples)


def both_paths(records):
    """(fast built, fast report), (HermiT built, HermiT report) from the same records."""
    out = []
    for full in (False, True):
        built = build_dataset(records)
        report = reason_into(built, full=full)
        assert report.status == "ok"
        out.append((built, report))
    return out


def assert_same(records):
    (fast, fast_report), (full, full_report) = both_paths(records)
    assert fast_report.engine.startswith("OWL 2 RL") and full_report.engine == "HermiT"
    a, b = set(fast.dataset.graph(GRAPHS.inferred)), set(full.dataset.graph(GRAPHS.inferred))
    assert a, "nothing inferred"
    assert not (b - a), f"missing on the fast path: {_kinds(b - a)}"
    assert not (a - b), f"only on the fast path: {_kinds(a - b)}"
    assert fast_report.inferred == full_report.inferred and fast_report.members == full_report.members
    assert R.inferred_turtle(fast) == R.inferred_turtle(full)
    assert render_dumps(fast.dataset) == render_dumps(full.dataset)
    return fast


@needs_java
def test_same_inferences_on_the_mini_graph(mini_graph):
    fast = assert_same(load_sources(mini_graph))
    inferred = fast.dataset.graph(GRAPHS.inferred)
    # the pair the RL engine alone misses: memberOf is a property chain, hasMember its inverse
    assert any(inferred.triples((None, R.MPD_NS.memberOf, None)))
    assert any(inferred.triples((None, R.MPD_NS.hasMember, None)))


@needs_java
def test_same_inferences_with_defined_classes_filled(mini_graph):
    with (mini_graph / "fora" / "test.csv").open("a", encoding="utf-8") as fh:
        fh.write("work,Labour forum,,initiative,2;3,,,,,no,,,,t-forum,,\n")
        fh.write("gcr,Global Compact on Refugees,,compact-or-declaration,5,2018,,,,no,,,,t-forum,,\n")
    (mini_graph / "memberships" / "work.csv").write_text(
        "member,role,start,end,as_of,source,quote,note\nCAN,member,2001,,,t-forum,,\nUSA,member,2001,,,t-forum,,\n",
        encoding="utf-8",
    )
    (mini_graph / "memberships" / "gcr.csv").write_text(
        "member,role,start,end,as_of,source,quote,note\nCAN,voted-yes,2018,,,t-forum,,\nJPN,voted-yes,2018,,,t-forum,,\n",
        encoding="utf-8",
    )
    assert_same(load_sources(mini_graph))


@pytest.mark.slow
@needs_java
def test_same_inferences_on_the_curated_graph(real_records):
    fast = assert_same(real_records)
    assert len(fast.dataset.graph(GRAPHS.inferred)) > 10_000


@needs_java
def test_a_contradiction_on_the_fast_path_is_explained_by_hermit(mini_graph):
    from mpdkg.namespaces import MPD, country_iri

    built = build_dataset(load_sources(mini_graph))
    built.curated.add((country_iri("MEX"), RDF.type, MPD.Forum))
    steps = []
    with pytest.raises(R.ReasoningFailed) as info:
        reason_into(built, steps.append)
    assert any(s.startswith("reasoning with HermiT (OWL 2 RL found") for s in steps), steps
    assert "both a country and a forum" in info.value.report()


@needs_java
def test_reason_full_and_the_fast_path_write_the_same_file(mini_graph, tmp_path):
    outputs = {}
    for flag in ([], ["--full"]):
        out = tmp_path / ("full" if flag else "fast")
        result = runner.invoke(app, ["reason", "--graph-dir", str(mini_graph), "--out", str(out), *flag])
        assert result.exit_code == 0, result.output
        assert ("(HermiT)" in result.output) == bool(flag), result.output
        outputs[bool(flag)] = (out / "inferred.ttl").read_bytes()
    assert outputs[True] == outputs[False]


def test_a_release_reasons_with_hermit_over_everything(monkeypatch):
    import mpdkg.pipeline

    class Called(Exception):
        pass

    def reason_into(built, step, full=False):
        raise Called(full)

    monkeypatch.setattr(R, "reason_into", reason_into)
    monkeypatch.setattr(mpdkg.pipeline, "build_and_validate", lambda root, step, **kw: (None, None, None))
    seen = []
    for require in (True, False):
        with pytest.raises(Called) as info:
            mpdkg.pipeline.full_dataset(None, require_reasoning=require)
        seen.append(info.value.args[0])
    assert seen == [True, False]  # release: HermiT over everything; run: the fast path
