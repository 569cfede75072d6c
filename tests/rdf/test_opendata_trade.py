"""manytrade cross-check (mpdkg.rdf.opendata_trade): the reviewed mapping names real curated
agreements and real DESTA rows, and the list of DESTA agreements the curated graph lacks."""

from __future__ import annotations

from mpdkg.rdf import opendata_trade as tr
from mpdkg.sources import opendata as src


def test_mapping_names_curated_agreements_and_desta_rows():
    mapping = tr.trade_mapping()
    desta = {
        r["manyID"]
        for r in src.read_rows("manytrade", "canada_agreements.csv")
        if r["dataset"].startswith("DESTA")
    }
    assert set(mapping) <= desta
    assert set(mapping.values()) <= tr.curated_agreement_ids()
    assert mapping["NRTAFT_1992A"] == "nafta" and mapping["MXCCND_2018A"] == "cusma"


def test_desta_agreements_the_curated_graph_lacks():
    missing = {r.many_id: r for r in tr.desta_missing()}
    records = tr.desta_records()
    assert len(missing) + len(tr.trade_mapping()) == len(records)
    israel = missing["CAN-ISR[NA]_1996O"]
    assert israel.parties == ("CAN", "ISR") and str(israel.signature).startswith("1996")
    assert "CAN-UKR[NA]_2017O" in missing and "CNDEFT_2008O" in missing
    assert not any(r.agreement == "nafta" for r in missing.values())


def test_catalogue_desta_agreements_not_curated():
    import pyoxigraph as ox

    from mpdkg.query.catalogue import get_query
    from mpdkg.query.engines import OxigraphEngine, run_query

    store = ox.Store()
    store.bulk_extend(tr.trade_quads())
    got = run_query(OxigraphEngine(store), get_query("desta-agreements-not-curated"), {}).dicts()
    assert sorted(str(r["manyId"]) for r in got) == sorted(r.many_id for r in tr.desta_missing())
    israel = next(r for r in got if str(r["manyId"]) == "CAN-ISR[NA]_1996O")
    assert sorted(str(israel["parties"]).split()) == ["CAN", "ISR"] and str(israel["signed"]).startswith(
        "1996"
    )


def test_every_record_derives_from_the_manytrade_release():
    from mpdkg.rdf import opendata as od

    quads = tr.trade_quads()
    release = od.release_iri(src.dataset("manytrade"))
    records = {
        q.subject for q in quads if q.predicate == od.TYPE and q.object == od.mpd("TradeAgreementRecord")
    }
    derived = {q.subject for q in quads if q.predicate == od.DERIVED and q.object == release}
    assert len(records) == len(tr.desta_records()) and records <= derived
