"""The open data as RDF (mpdkg.rdf.opendata): model, provenance, shapes, a deterministic dump,
the engine loading it, and the catalogue's open-data queries checked against the extracts.

The open-data graph is built once per session (about 3 s); the SHACL check runs on a sample
(every 20th observation and requirement with every release, data set, code and area), the whole
graph being checked by ``mpdkg run``.
"""

from __future__ import annotations

import gzip
from collections import defaultdict

import pyoxigraph as ox
import pytest

from mpdkg.query.catalogue import get_query
from mpdkg.query.engines import OxigraphEngine, load_store, run_query, with_open_data
from mpdkg.rdf import opendata as od
from mpdkg.sources import opendata as src

C = "https://w3id.org/mpdkg/country/"
MPD = "https://w3id.org/mpdkg/ontology#"


def rows(engine, name, **params):
    return run_query(engine, get_query(name), {k: str(v) for k, v in params.items()}).dicts()


def code(term) -> str:
    return str(term).rsplit("/", 1)[1]


# --- the extracts, read directly, as the reference --------------------------------------------


@pytest.fixture(scope="session")
def resettlement():
    """(year, origin) -> resettlement arrivals in Canada, from solutions_canada.csv."""
    return {
        (r["year"], r["coo_iso"]): r["resettlement"]
        for r in src.read_rows("unhcr", "solutions_canada.csv")
        if r["coa_iso"] == "CAN" and r["resettlement"] is not None
    }


@pytest.fixture(scope="session")
def visas():
    """(snapshot, passport, destination) -> (requirement, days), from canada_visa_requirements.csv."""
    return {
        (r["snapshot"].isoformat(), r["passport"], r["destination"]): (r["requirement"], r["days"])
        for r in src.read_rows("passport-index", "canada_visa_requirements.csv")
    }


# --- model and provenance ---------------------------------------------------------------------


def test_named_graphs_and_sizes(open_quads):
    per_graph = od.count_per_graph(open_quads)
    assert set(per_graph) == set(od.GRAPHS.values())
    assert per_graph[od.GRAPHS["unvotes"]] > 1_000_000
    assert per_graph[od.GRAPH_UNHCR] > 90_000
    assert per_graph[od.GRAPH_VISAS] > 140_000
    assert len(set(open_quads)) == len(open_quads)


def test_every_observation_and_requirement_derives_from_its_release(open_quads):
    typed = defaultdict(set)
    derived = defaultdict(set)
    for q in open_quads:
        if q.predicate == od.TYPE:
            typed[q.object.value].add((q.graph_name.value, q.subject.value))
        if q.predicate == od.DERIVED:
            derived[(q.graph_name.value, q.subject.value)].add(q.object.value)
    observations = typed["http://purl.org/linked-data/cube#Observation"]
    requirements = typed[MPD + "VisaRequirement"] | typed[MPD + "RollCall"]
    assert len(observations) > 9_000 and len(requirements) > 20_000
    releases = {
        od.GRAPH_UNHCR: str(od.release_iri(src.dataset("unhcr")).value),
        od.GRAPH_VISAS: str(od.release_iri(src.dataset("passport-index")).value),
        od.GRAPHS["unvotes"]: str(od.release_iri(src.dataset("unvotes")).value),
        od.GRAPHS["ircc"]: str(od.release_iri(src.dataset("ircc")).value),
    }
    for graph, node in observations | requirements:
        assert derived[(graph, node)] == {releases[graph]}, node


def test_release_carries_licence_citation_and_commit_from_the_manifest(opendata):
    got = {str(r["title"]): r for r in rows(opendata, "open-data-releases")}
    for name in ("unhcr", "passport-index"):
        ds = src.dataset(name)
        r = got[ds.title]
        assert str(r["licence"]) == ds.licence["url"]
        assert str(r["commit"]) == ds.commit
        assert str(r["citation"]) == ds.citation
        assert str(r["retrieved"]) == ds.extracted
        assert int(r["facts"]) > 9_000


def test_non_iso_codes_are_labelled_statistical_areas(opendata):
    answer = run_query(opendata, "SELECT ?a ?label WHERE { ?a a mpd:StatisticalArea ; rdfs:label ?label }")
    areas = {code(a): str(label) for a, label in answer.rows}
    assert {"UNK", "XXA", "XKX"} <= set(areas)
    assert areas["XKX"] == "Kosovo"


def test_observation_shape_of_syria_2016(open_quads):
    obs = "https://w3id.org/mpdkg/open-data/unhcr/solutions/2016/SYR/CAN/resettlementArrivals"
    props = {(q.predicate.value, q.object.value) for q in open_quads if q.subject.value == obs}
    assert (MPD + "resettlementArrivals", "33266") in props
    assert (MPD + "origin", C + "SYR") in props and (MPD + "asylumCountry", C + "CAN") in props
    assert (MPD + "refYear", "2016") in props
    assert ("http://purl.org/linked-data/cube#measureType", MPD + "resettlementArrivals") in props
    assert ("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure", od.UNIT + "persons") in props


# --- shapes -------------------------------------------------------------------------------------


def test_sample_conforms_to_the_shapes(open_quads):
    sample = od.sample_quads(open_quads, every=20)
    assert 10_000 < len(sample) < len(open_quads) / 5
    assert od.validate_quads(sample) == []


def test_shapes_catch_planted_errors(open_quads):
    sample = od.sample_quads(open_quads, every=200)
    obs = next(q.subject for q in sample if q.predicate == od.MEASURE_TYPE)
    req = next(q.subject for q in sample if q.predicate == od.mpd("visaCategory"))
    g = ox.NamedNode(od.GRAPH_UNHCR)
    broken = [q for q in sample if not (q.subject == obs and q.predicate == od.mpd("refYear"))]
    broken = [q for q in broken if not (q.subject == req and q.predicate == od.mpd("visaCategory"))]
    broken.append(ox.Quad(req, od.mpd("visaCategory"), od.visa_category_iri("visa-maybe"), g))
    broken.append(ox.Quad(obs, od.mpd("origin"), ox.NamedNode("https://example.org/Narnia"), g))
    problems = "\n".join(od.validate_quads(broken))
    assert "exactly one reference year" in problems
    assert "exactly one category" in problems
    assert "exactly one country of origin" in problems


def test_checking_a_slice_at_a_time_finds_what_one_run_finds(open_quads):
    """rudof is run on slices of the records (its memory grows with the triples it holds): the
    findings must be those of one run over everything, planted errors in many slices included."""
    sample = od.sample_quads(open_quads, every=100)
    g = ox.NamedNode(od.GRAPH_UNHCR)
    observations = sorted({q.subject for q in sample if q.predicate == od.MEASURE_TYPE}, key=str)
    rollcall = next(q.subject for q in sample if q.object == od.mpd("RollCall"))
    planted = observations[:: max(1, len(observations) // 5)]
    broken = [q for q in sample if not (q.subject in planted and q.predicate == od.mpd("refYear"))]
    broken = [q for q in broken if not (q.subject == rollcall and q.predicate == od.mpd("session"))]
    broken.append(ox.Quad(observations[-1], od.mpd("origin"), ox.NamedNode("https://example.org/Narnia"), g))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in broken]
    assert len(od._validation_chunks(triples, 1_000)) > 5
    whole = od.validate_quads(broken, chunk=10**9)
    assert len([p for p in whole if "reference year" in p]) == len(planted)
    assert any("session" in p for p in whole) and any("country of origin" in p for p in whole)
    assert od.validate_quads(broken, chunk=1_000) == whole


# --- the dump -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(open_quads, tmp_path_factory):
    """The open-data dump written once for the tests that read it."""
    return od.write_open_data(tmp_path_factory.mktemp("open-data"), quads=open_quads)


def test_dump_is_deterministic_and_round_trips(open_quads, written):
    again = od.render_dump(list(reversed(open_quads)))  # the same quads, in another order
    assert written.path.read_bytes() == again
    text = gzip.decompress(again).decode("utf-8").splitlines()
    assert text == sorted(text) and len(text) == len(open_quads) == written.quads
    assert sum(1 for _ in od.read_dump(written.path)) == len(open_quads)


def test_engine_loads_the_dump_beside_the_curated_one(written, tmp_path):
    alone = tmp_path / "mpdkg.trig"
    alone.write_text("", encoding="utf-8")
    assert with_open_data([alone]) == [alone]  # no open data beside it: nothing added
    trig = written.path.parent / "mpdkg.trig"
    trig.write_text("", encoding="utf-8")
    paths = with_open_data([trig])
    assert paths == [trig, written.path]
    engine = OxigraphEngine(load_store(paths))
    got = rows(engine, "resettlement-to-canada-from-origin", origin="SYR")
    assert {int(r["year"]): int(r["arrivals"]) for r in got}[2016] == 33266


def test_run_step_skips_a_graph_without_open_data(mini_graph, tmp_path):
    from mpdkg.pipeline import write_open_data_step

    said = []
    write_open_data_step(tmp_path, mini_graph, said.append)
    assert not (tmp_path / od.DUMP_NAME).exists()
    assert "no open data" in said[0]


# --- catalogue queries, checked against the extracts ---------------------------------------------


def test_resettlement_to_canada_from_origin(opendata, resettlement):
    got = {int(r["year"]): int(r["arrivals"]) for r in rows(opendata, "resettlement-to-canada-from-origin")}
    assert got[2016] == 33266  # the default origin is Syria
    assert got == {year: n for (year, origin), n in resettlement.items() if origin == "SYR"}
    eritrea = rows(opendata, "resettlement-to-canada-from-origin", origin="ERI")
    assert {int(r["year"]): int(r["arrivals"]) for r in eritrea}[2016] == resettlement[(2016, "ERI")]


def test_resettlement_to_canada_top_origins(opendata, resettlement):
    got = rows(opendata, "resettlement-to-canada-top-origins", year=2016)
    expected = sorted(((n, o) for (y, o), n in resettlement.items() if y == 2016), reverse=True)
    assert [(int(r["arrivals"]), code(r["origin"])) for r in got[:5]] == [(n, o) for n, o in expected[:5]]
    assert code(got[0]["origin"]) == "SYR" and str(got[0]["originLabel"]) == "Syrian Arab Republic"
    assert float(got[0]["share"]) == round(1000 * 33266 / sum(n for n, _ in expected)) / 10
    assert len(got) == len(expected)


def test_asylum_applications_in_canada(opendata):
    reference = [
        r
        for r in src.read_rows("unhcr", "asylum_applications_canada.csv")
        if r["coa_iso"] == "CAN" and r["year"] == 2024 and r["applied"] is not None
    ]
    got = rows(opendata, "asylum-applications-in-canada", year=2024)
    assert len(got) == len(reference)
    top = got[0]
    assert (code(top["origin"]), int(top["applications"])) == ("IND", 32539)
    assert (str(top["applicationType"]), str(top["decisionLevel"]), str(top["unit"])) == (
        "new application",
        "first instance",
        "persons",
    )
    assert sum(int(r["applications"]) for r in got) == sum(r["applied"] for r in reference)


def test_asylum_applications_from_origin(opendata):
    got = rows(opendata, "asylum-applications-from-origin", origin="MEX")
    new_first = {
        int(r["year"]): int(r["applications"])
        for r in got
        if str(r["applicationType"]) == "new application" and str(r["decisionLevel"]) == "first instance"
    }
    assert new_first[2023] == 24132 and new_first[2016] == 256
    years = [int(r["year"]) for r in got]
    assert years == sorted(years) and years[0] == 2000


def test_visa_requirements_between_canada_and(opendata, visas):
    got = {str(r["direction"]): r for r in rows(opendata, "visa-requirements-between-canada-and")}
    assert str(got["Canada requires of its nationals"]["category"]) == "visa-required"  # India, 2025-01-12
    assert str(got["it requires of Canadians"]["category"]) == "e-visa"
    assert visas[("2025-01-12", "IND", "CAN")][0] == "visa-required"
    mex = {
        str(r["direction"]): str(r["category"])
        for r in rows(opendata, "visa-requirements-between-canada-and", country="MEX", snapshot="2024-05-08")
    }
    assert mex == {
        "Canada requires of its nationals": visas[("2024-05-08", "MEX", "CAN")][0],
        "it requires of Canadians": visas[("2024-05-08", "CAN", "MEX")][0],
    }


def test_visa_reciprocity_gaps(opendata, visas):
    got = {code(r["country"]): r for r in rows(opendata, "visa-reciprocity-gaps", snapshot="2025-01-12")}
    expected = {
        p
        for (snap, p, d), (req, _) in visas.items()
        if snap == "2025-01-12"
        and d == "CAN"
        and req == "visa-required"
        and visas.get((snap, "CAN", p), ("",))[0] in ("visa-free", "eta")
    }
    assert set(got) == expected and len(expected) > 50
    assert "IND" not in got  # India asks an e-visa of Canadians
    some = next(iter(sorted(expected)))
    assert (int(got[some]["daysForCanadians"]) if got[some]["daysForCanadians"] is not None else None) == (
        visas[("2025-01-12", "CAN", some)][1]
    )


def test_canada_visa_policy_summary(opendata, visas):
    got = {
        (str(r["direction"]), str(r["category"])): int(r["countries"])
        for r in rows(opendata, "canada-visa-policy-summary", snapshot="2025-01-12")
    }
    entering = defaultdict(int)
    for (snap, _p, d), (req, _) in visas.items():
        if snap == "2025-01-12" and d == "CAN" and req != "self":
            entering[req] += 1
    assert {c: n for (d, c), n in got.items() if d == "entering Canada"} == dict(entering)
    assert got[("entering Canada", "eta")] > 40  # the 2025-01-12 snapshot codes eTAs separately


def test_canada_visa_policy_history(opendata, visas, real_records):
    """Each curated visa policy on entering Canada, beside the Passport Index category on the last
    snapshot inside its period (on or after the start, before the end)."""
    got = rows(opendata, "canada-visa-policy-history")
    by_id = {code(r["policy"]): r for r in got}
    policies = {v.id: v for v in real_records.visa_policies.values() if v.destination == "CAN"}
    assert len(got) == len(by_id) and set(by_id) == set(policies)
    for pid, v in policies.items():
        r = by_id[pid]
        assert (code(r["country"]), str(r["category"]), str(r["start"])) == (
            v.nationality,
            v.category,
            str(v.start),
        )
        inside = [
            snap
            for (snap, passport, destination) in visas
            if passport == v.nationality
            and destination == "CAN"
            and snap >= str(v.start)
            and (v.end is None or snap < str(v.end))
        ]
        expected = max(inside) if inside else None
        assert (
            str(r["passportIndexSnapshot"]) if r["passportIndexSnapshot"] is not None else None
        ) == expected, pid
        if expected:
            assert str(r["passportIndexCategory"]) == visas[(expected, v.nationality, "CAN")][0], pid
    # Mexico in the order of its policies; the 2016 eTA period ends before the 2024-03-02 snapshot
    mexico = [code(r["policy"]) for r in got if code(r["country"]) == "MEX"]
    assert mexico[:2] == ["mex-visa-2009", "mex-eta-2016"] and set(mexico[2:]) == {
        "mex-visa-2024",
        "mex-eta-2024",
    }
    assert str(by_id["mex-eta-2016"]["passportIndexSnapshot"]) == "2024-02-07"
    assert by_id["mex-visa-2009"]["passportIndexSnapshot"] is None
    assert str(by_id["mex-visa-2009"]["countryLabel"]) == "Mexico"


def test_a_slice_checked_before_is_read_from_the_cache(open_quads, tmp_path, monkeypatch):
    """A second check of the same open data runs rudof on no slice; a changed record runs it on
    its slice (one here; a record that grows or shrinks may move the bounds of the slices after
    it, which are then checked again), and the findings are those of a check on an empty cache."""
    from mpdkg.staging import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    runs = []
    real = od._rudof_violations
    monkeypatch.setattr(od, "_rudof_violations", lambda data, shapes: runs.append(data) or real(data, shapes))
    sample = od.sample_quads(open_quads, every=100)
    first = od.validate_quads(sample, chunk=4_000)
    assert first == [] and len(runs) > 3
    runs.clear()
    assert od.validate_quads(sample, chunk=4_000) == first and runs == []
    obs = sorted({q.subject for q in sample if q.predicate == od.MEASURE_TYPE}, key=str)[-1]
    broken = [q for q in sample if not (q.subject == obs and q.predicate == od.mpd("refYear"))]
    found = od.validate_quads(broken, chunk=4_000)
    assert len(runs) == 1 and any("exactly one reference year" in p for p in found)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "empty"))
    assert od.validate_quads(broken, chunk=4_000) == found
