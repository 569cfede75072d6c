"""Canada's trade agreements in manytrade (DESTA and the other datasets of the ensemble), cross-
checked against the curated agreements by a reviewed mapping table
(``graph/open-data/mappings/manytrade-agreements.csv``): which DESTA agreements the curated
graph has, and which it lacks (:func:`desta_missing`). Nothing here is turned into curated facts.

Not same agreements, on purpose: DESTA's ``CAN-UKR[NA]_2017O`` is the original Canada-Ukraine
FTA (2017), the curated ``canada-ukraine-fta`` the modernised one (2023).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from mpdkg.namespaces import BASE
from mpdkg.rdf.opendata_base import (
    DERIVED,
    LABEL,
    OPEN,
    TYPE,
    Emitter,
    N,
    curated_countries,
    en_lit,
    mpd,
    release_node,
)
from mpdkg.sources import opendata

GRAPH_TRADE = BASE + "graph/open-data/manytrade"
_OWL_SAME = N("http://www.w3.org/2002/07/owl#sameAs")
_XSD_DATE = N("http://www.w3.org/2001/XMLSchema#date")


@dataclass(frozen=True)
class TradeRecord:
    many_id: str
    title: str
    signature: str | None
    force: str | None
    desta_id: str | None
    parties: tuple[str, ...]
    agreement: str | None  # the curated agreement id, when mapped


def trade_mapping(graph_dir: Path | None = None) -> dict[str, str]:
    """manytrade ``manyID`` -> curated agreement id (the reviewed table)."""
    from mpdkg import paths

    path = Path(graph_dir or paths.graph_dir()) / "open-data" / "mappings" / "manytrade-agreements.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["manyID"]: row["agreement"] for row in csv.DictReader(handle)}


def curated_agreement_ids(graph_dir: Path | None = None) -> set[str]:
    from mpdkg import paths

    ids = set()
    for path in sorted((Path(graph_dir or paths.graph_dir()) / "agreements").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            ids |= {row["id"] for row in csv.DictReader(handle)}
    return ids


def desta_records(graph_dir: Path | None = None, root: Path | None = None) -> list[TradeRecord]:
    """Canada's agreements as DESTA has them (one per manyID), with parties and the mapping."""
    mapping = trade_mapping(graph_dir)
    parties: dict[str, set[str]] = {}
    for row in opendata.read_rows("manytrade", "canada_agreement_parties.csv", root):
        if row["dataset"].startswith("DESTA"):
            parties.setdefault(row["manyID"], set()).add(row["stateID"])
    records = {}
    for row in opendata.read_rows("manytrade", "canada_agreements.csv", root):
        if row["dataset"].startswith("DESTA") and row["manyID"] not in records:
            records[row["manyID"]] = TradeRecord(
                row["manyID"], row["Title"], row["Signature"], row["Force"], row["destaID"],
                tuple(sorted(parties.get(row["manyID"], ()))), mapping.get(row["manyID"]),
            )  # fmt: skip
    return sorted(records.values(), key=lambda r: (str(r.signature or "9999"), r.many_id))


def desta_missing(graph_dir: Path | None = None, root: Path | None = None) -> list[TradeRecord]:
    """Canada's DESTA agreements the curated graph lacks (no reviewed mapping to a curated id)."""
    return [r for r in desta_records(graph_dir, root) if r.agreement is None]


def trade_quads(
    root: Path | None = None, countries: frozenset[str] | None = None, graph_dir: Path | None = None
) -> list[ox.Quad]:
    """Canada's DESTA agreements as ``mpd:TradeAgreementRecord`` (title, parties, signature and
    entry into force as upstream dates them, DESTA id), ``owl:sameAs`` the curated agreement
    where the reviewed mapping says so."""
    from mpdkg.namespaces import agreement_iri

    ds = opendata.dataset("manytrade", root)
    em = Emitter(N(GRAPH_TRADE), countries if countries is not None else curated_countries(graph_dir))
    release = release_node(em, ds)
    for r in desta_records(graph_dir, root):
        node = N(f"{OPEN}manytrade/agreement/{r.many_id}".replace("[", "%5B").replace("]", "%5D"))
        em.add(node, TYPE, mpd("TradeAgreementRecord"))
        em.add(node, LABEL, en_lit(r.title))
        em.add(node, mpd("manyId"), ox.Literal(r.many_id))
        if r.desta_id:
            em.add(node, mpd("destaId"), ox.Literal(str(r.desta_id)))
        for prop, value in (("recordSignedOn", r.signature), ("recordInForceFrom", r.force)):
            if value:
                em.add(node, mpd(prop), ox.Literal(str(value)[:10], datatype=_XSD_DATE))
        for party in r.parties:
            if party in em.countries:
                em.add(node, mpd("recordParty"), em.place(party))
        if r.agreement:
            em.add(node, _OWL_SAME, N(str(agreement_iri(r.agreement))))
        em.add(node, DERIVED, release)
    return em.finish()


__all__ = [
    "GRAPH_TRADE",
    "trade_quads",
    "TradeRecord",
    "curated_agreement_ids",
    "desta_missing",
    "desta_records",
    "trade_mapping",
]
