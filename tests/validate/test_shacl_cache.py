"""rudof's findings are cached per slice (mpdkg.validate.cache): a second check of the same graph
runs rudof on nothing, a one-line edit of a membership runs it on that membership's slice only,
and the findings are always those of one run over everything, with the file and line of the
build that reads them."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import ORG

from mpdkg.namespaces import BASE, GRAPHS
from mpdkg.rdf.build import build_dataset
from mpdkg.sources.load import load_sources
from mpdkg.validate import shacl
from tests.validate.test_chunks import _planted


@pytest.fixture
def runs(monkeypatch, tmp_path):
    """A private cache, and the number of times rudof is run."""
    monkeypatch.setenv("MPDKG_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    real = shacl.validate_graph_rudof

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(shacl, "validate_graph_rudof", counted)
    return calls


def test_an_edit_reruns_its_slice_only_and_findings_match_one_run(real_records, runs):
    built = build_dataset(real_records)
    built.add_graph(GRAPHS.curated, _planted(16))
    reference = shacl.Report(shacl.validate_graph_rudof(built.ntriples(), None, built.origin_of).findings)
    runs.clear()
    first = shacl.validate_built(built)
    assert first.findings == reference.findings and len(first.violations) > 10
    assert runs == [1]  # nothing cached: one run over everything, its findings shared out to the slices

    runs.clear()
    again = build_dataset(real_records)
    again.add_graph(GRAPHS.curated, _planted(16))
    assert shacl.validate_built(again).findings == reference.findings and runs == []

    runs.clear()
    edited = build_dataset(real_records)
    edited.add_graph(GRAPHS.curated, _planted(17))  # one more (broken) membership
    findings = shacl.validate_built(edited).findings
    assert runs == [1], "only the slice of the new membership is checked; the others are read back"
    expected = shacl.validate_graph_rudof(edited.ntriples(), None, edited.origin_of).findings
    assert findings == shacl.Report(expected).findings
    assert any("/zz-test/Z16/" in f.focus for f in findings)


def test_a_cached_finding_names_the_line_of_the_build_that_reads_it(mini_graph, runs):
    member = URIRef(BASE + "membership/rcm/MEX/member")
    broken = [(member, ORG.role, URIRef(BASE + "role/overlord"))]

    def check():
        built = build_dataset(load_sources(mini_graph))
        built.add_graph(GRAPHS.curated, broken)
        return [f for f in shacl.validate_built(built).violations if f.focus == str(member)]

    found = check()
    assert found and {str(f.origin) for f in found} == {"graph/memberships/rcm.csv:3"} and len(runs) == 1
    rows = (mini_graph / "memberships" / "rcm.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows[2], rows[3] = rows[3], rows[2]  # MEX moves a line down: the same triples
    (mini_graph / "memberships" / "rcm.csv").write_text("".join(rows), encoding="utf-8")
    moved = check()
    assert len(runs) == 1, "the same triples: read from the cache"
    assert {str(f.origin) for f in moved} == {"graph/memberships/rcm.csv:4"}
    assert [(f.message, f.value) for f in moved] == [(f.message, f.value) for f in found]


def test_changed_shapes_are_a_new_cache(mini_graph, runs):
    from rdflib.namespace import SH

    built = build_dataset(load_sources(mini_graph))
    shapes = shacl.load_shapes()
    assert shacl.validate_built(built, shapes).conforms and len(runs) == 1
    assert shacl.validate_built(built, shacl.load_shapes()).conforms and len(runs) == 1
    message = next(shapes.subject_objects(SH.message))
    shapes.set((message[0], SH.message, type(message[1])("another message")))
    assert shacl.validate_built(built, shapes).conforms and len(runs) == 2


def test_a_membership_taken_out_takes_its_findings_with_it(real_records, runs):
    """The findings of one run are shared out to the slices that own them: a slice read back
    from the cache must not carry a finding of a membership in another slice."""
    first = build_dataset(real_records)
    first.add_graph(GRAPHS.curated, _planted(16))
    assert any("/zz-test/Z15/" in f.focus for f in shacl.validate_built(first).findings)
    runs.clear()
    fewer = build_dataset(real_records)
    fewer.add_graph(GRAPHS.curated, _planted(15))
    findings = shacl.validate_built(fewer).findings
    assert len(runs) == 1 and not any("/zz-test/Z15/" in f.focus for f in findings)
    assert (
        findings
        == shacl.Report(shacl.validate_graph_rudof(fewer.ntriples(), None, fewer.origin_of).findings).findings
    )


def test_the_cache_keeps_the_entries_used_last(mini_graph, runs, monkeypatch):
    from mpdkg.validate import cache

    monkeypatch.setattr(cache, "KEEP", 2)
    built = build_dataset(load_sources(mini_graph))
    shacl.validate_built(built)  # entry A
    other = build_dataset(load_sources(mini_graph))
    other.add_graph(GRAPHS.curated, [(URIRef(BASE + "country/KEN"), ORG.role, URIRef(BASE + "role/member"))])
    shacl.validate_built(other)  # entry B
    third = build_dataset(load_sources(mini_graph))
    third.add_graph(GRAPHS.curated, [(URIRef(BASE + "country/MEX"), ORG.role, URIRef(BASE + "role/member"))])
    shacl.validate_built(built)  # A read again: now the newest
    shacl.validate_built(third)  # entry C: B, the least recently used, goes
    assert len(list((cache.cache_dir() / "shacl").glob("*/*.json"))) == 2
    runs.clear()
    shacl.validate_built(built)
    assert runs == [], "the entry read last was kept"
    shacl.validate_built(other)
    assert runs == [1], "the least recently used entry was removed"
