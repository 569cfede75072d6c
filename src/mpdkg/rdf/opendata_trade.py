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

from mpdkg.sources import opendata


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


__all__ = ["TradeRecord", "curated_agreement_ids", "desta_missing", "desta_records", "trade_mapping"]
