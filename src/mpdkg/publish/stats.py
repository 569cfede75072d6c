"""Numbers that tell a curator how complete and how well sourced the graph is.

Computed with SPARQL over the built dataset (the same RDF users get), never from the CSVs.

>>> from mpdkg.rdf.build import build_dataset
>>> from mpdkg.sources.load import load_sources
>>> s = compute_stats(build_dataset(load_sources()).dataset)
>>> s["share_of_facts_with_sources"]
1.0
"""

from __future__ import annotations

import datetime as dt
import json

from rdflib import Dataset

from mpdkg.query.engines import OxigraphEngine
from mpdkg.query.packaged import package_rows
from mpdkg.rdf.engine import store_from_dataset


def compute_stats(dataset: Dataset) -> dict:
    """The statistics as a plain, JSON-ready dictionary (sorted, deterministic)."""
    engine = OxigraphEngine(store_from_dataset(dataset))
    classes = package_rows(engine, "publish", "stats-classes")
    facts = package_rows(engine, "publish", "stats-facts")[0]
    per_source = package_rows(engine, "publish", "stats-per-source")
    per_pillar = package_rows(engine, "publish", "stats-per-pillar")
    fora = package_rows(engine, "publish", "stats-fora")
    dating = package_rows(engine, "publish", "stats-dating")
    triples = {str(g.identifier).rsplit("/", 1)[1]: len(g) for g in dataset.graphs() if len(g)}
    accessed = sorted(str(r["accessed"]) for r in per_source)
    total, sourced = int(facts["all"]), int(facts["withSource"])
    return {
        "triples": dict(sorted(triples.items())),
        "entities_per_class": dict(sorted((str(r["class"]).rsplit("#", 1)[1], int(r["n"])) for r in classes)),
        "facts": total,
        "facts_with_sources": sourced,
        "share_of_facts_with_sources": round(sourced / total, 6) if total else 1.0,
        "facts_per_source": dict(sorted((str(r["id"]), int(r["n"])) for r in per_source)),
        "unused_sources": sorted(str(r["id"]) for r in per_source if int(r["n"]) == 0),
        "facts_per_pillar": {
            str(r["pillar"]): {
                "fora": int(r["fora"]),
                "agreements": int(r["agreements"]),
                "engagements": int(r["engagements"]),
            }
            for r in sorted(per_pillar, key=lambda r: int(r["pillar"]))
        },
        "fora_with_complete_member_lists": sorted(str(r["id"]) for r in fora if str(r["complete"]) == "true"),
        "fora_with_incomplete_member_lists": sorted(
            str(r["id"]) for r in fora if str(r["complete"]) != "true"
        ),
        "memberships_per_forum": dict(sorted((str(r["id"]), int(r["memberships"])) for r in fora)),
        "dating": {
            str(r["class"]).rsplit("#", 1)[1]: {
                "facts": int(r["all"]),
                "with_start": int(r["withStart"]),
                "attested_only": int(r["attestedOnly"]),
                "undated": int(r["all"]) - int(r["withStart"]) - int(r["attestedOnly"]),
            }
            for r in sorted(dating, key=lambda r: str(r["class"]))
        },
        "oldest_access_date": accessed[0] if accessed else None,
        "newest_access_date": accessed[-1] if accessed else None,
    }


def stats_json(stats: dict) -> str:
    return json.dumps(stats, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def stale_facts(dataset: Dataset, months: int, today: dt.date | None = None) -> list[dict]:
    """Facts whose every source was last checked more than ``months`` months before ``today``."""
    today = today or dt.date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)
    cutoff = dt.date(year, month + 1, day).isoformat()
    engine = OxigraphEngine(store_from_dataset(dataset))
    rows = [
        r for r in package_rows(engine, "publish", "stats-last-checked") if str(r["lastChecked"]) < cutoff
    ]
    return [
        {
            "fact": str(r["fact"]),
            "label": str(r["label"]),
            "last_checked": str(r["lastChecked"]),
            "source": str(r["source"]),
        }
        for r in rows
    ]


def open_data_stats(graph_dir=None) -> dict:
    """Facts per open dataset (the manifests' row counts), the curated-vs-COW membership
    differences (the curated fact stands) and the curated-vs-UN-votes compact differences."""
    from pathlib import Path

    from mpdkg import paths
    from mpdkg.rdf.opendata_cow import cow_curated_differences
    from mpdkg.rdf.opendata_unvotes import compact_vote_differences
    from mpdkg.sources import opendata

    graph = Path(graph_dir) if graph_dir is not None else paths.graph_dir()
    root = graph / "open-data"
    datasets = {
        d.name: {"rows": sum(f.rows for f in d.files), "commit": d.commit, "licence": d.licence["name"]}
        for d in opendata.datasets(root)
    }
    cow = [d.__dict__ for d in cow_curated_differences(graph, root)] if "cow-igo" in datasets else []
    votes = [d.__dict__ for d in compact_vote_differences(graph, root)] if "unvotes" in datasets else []
    coverage = open_data_coverage(graph, root)
    return {
        "datasets": datasets,
        "coverage": coverage,
        "cow_differences": cow,
        "compact_vote_differences": votes,
    }


def _count(cells: dict, dataset: str, year: int, *places: str) -> None:
    entry = cells.setdefault(dataset, {"per_year": {}, "per_country": {}})
    entry["per_year"][year] = entry["per_year"].get(year, 0) + 1
    for place in set(places):
        entry["per_country"][place] = entry["per_country"].get(place, 0) + 1


def open_data_coverage(graph, root) -> dict:
    """Facts per open dataset, per year and per country (a fact counts once for each country it
    names): UNHCR rows, visa requirements, UN votes, COW membership-years, from the extracts."""
    from mpdkg.rdf.opendata_cow import cow_periods
    from mpdkg.rdf.opendata_unvotes import load_unvotes
    from mpdkg.sources import opendata

    names = {d.name for d in opendata.datasets(root)}
    cells: dict = {}
    if "unhcr" in names:
        for file in ("solutions_canada.csv", "asylum_applications_canada.csv"):
            for r in opendata.read_rows("unhcr", file, root):
                _count(cells, "unhcr", r["year"], r["coo_iso"], r["coa_iso"])
    if "passport-index" in names:
        for r in opendata.read_rows("passport-index", "canada_visa_requirements.csv", root):
            if r["requirement"] != "self":
                _count(cells, "passport-index", r["snapshot"].year, r["passport"], r["destination"])
    if "unvotes" in names:
        data = load_unvotes(root, graph)
        for rcid, votes in data.votes.items():
            year = data.roll_calls[rcid].date.year  # type: ignore[attr-defined]
            for state in votes:
                _count(cells, "unvotes", year, state)
    if "cow-igo" in names:
        for p in cow_periods(root, graph):
            for year in range(p.start, p.end + 1):
                _count(cells, "cow-igo", year, p.member)
    for entry in cells.values():
        entry["per_year"] = dict(sorted(entry["per_year"].items()))
        entry["per_country"] = dict(sorted(entry["per_country"].items()))
    return cells
