"""mpdkg stats: counts, source coverage, completeness and stale facts."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from mpdkg.cli.common import GraphDir, err, out, progress, reported


def register(app: typer.Typer) -> None:
    @app.command()
    def stats(
        graph_dir: GraphDir = None,
        stale: Annotated[
            int | None,
            typer.Option(
                "--stale",
                metavar="MONTHS",
                min=0,
                help="List facts whose sources were last checked longer ago.",
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
        open_data: Annotated[
            bool,
            typer.Option(
                "--open-data", help="Facts per open dataset and where curated facts and the open data differ."
            ),
        ] = False,
    ) -> None:
        """Counts per class, facts per source and pillar, member-list completeness, source ages.

        Example: mpdkg stats --stale 12
        """
        from mpdkg.pipeline import build_and_validate
        from mpdkg.publish.stats import compute_stats, stale_facts, stats_json
        from mpdkg.sources.quality import source_quality

        if open_data:
            _print_open_data(graph_dir, as_json)
            return
        with reported(), progress("stats") as step:
            _records, built, _report = build_and_validate(graph_dir, step, validate=False)
            if stale is not None:
                facts = stale_facts(built.dataset, stale)
                if as_json:
                    out.print_json(json.dumps(facts))
                    return
                table = Table("last checked", "fact", "label", "source")
                for f in facts:
                    table.add_row(f["last_checked"], f["fact"], f["label"], f["source"])
                out.print(table)
                err.print(f"{len(facts)} fact(s) not checked in the last {stale} month(s)")
                return
            s = compute_stats(built.dataset)
            s["source_quality"] = asdict(source_quality(_records))
        if as_json:
            out.print(stats_json(s), end="", markup=False, highlight=False, soft_wrap=True)
            return
        t = Table("class", "entities")
        for name, n in s["entities_per_class"].items():
            t.add_row(name, str(n))
        out.print(t)
        p = Table("pillar", "fora", "agreements", "engagements")
        for number, row in s["facts_per_pillar"].items():
            p.add_row(number, str(row["fora"]), str(row["agreements"]), str(row["engagements"]))
        out.print(p)
        out.print(
            f"facts with sources: {s['facts_with_sources']}/{s['facts']} ({s['share_of_facts_with_sources']:.1%}); "
            f"complete member lists: {len(s['fora_with_complete_member_lists'])}/"
            f"{len(s['fora_with_complete_member_lists']) + len(s['fora_with_incomplete_member_lists'])} fora; "
            f"sources accessed {s['oldest_access_date']} .. {s['newest_access_date']}"
        )
        _print_source_quality(s["source_quality"])
        _print_dating(s["dating"])


def _print_dating(dating: dict) -> None:
    """How many facts have a start, only a day a source shows them on, or no date: a fact counts
    in the influence analysis only in the years the graph knows it held."""
    d = Table("class", "facts", "with a start", "attested only", "undated", title="Dates")
    for name, row in dating.items():
        d.add_row(
            name, str(row["facts"]), str(row["with_start"]), str(row["attested_only"]), str(row["undated"])
        )
    out.print(d)


def _print_source_quality(q: dict) -> None:
    """What the sources are (kinds) and the facts that rest on one source or on copies only."""
    k = Table("source kind", "sources")
    for kind, n in sorted(q["sources_by_kind"].items(), key=lambda t: (-t[1], t[0])):
        k.add_row(kind or "(not stated)", str(n))
    out.print(k)
    out.print(
        f"facts resting on a single source: {q['single_source']}/{q['facts']}; on secondary copies only: "
        f"{q['secondary_only']}; sources read from a copy (read_from): {q['sources_read_from_copy']} "
        "(queries/weak-sources.rq lists them)"
    )
    share = q["quoted"] / q["quotable"] if q["quotable"] else 0.0
    out.print(
        f"facts quoting the sentence of their source that states them: {q['quoted']}/{q['quotable']} "
        f"({share:.1%}; fora, memberships, agreements, engagements and visa policies)"
    )


def _print_open_data(graph_dir, as_json: bool) -> None:
    from mpdkg.publish.stats import open_data_stats

    with reported():
        s = open_data_stats(graph_dir)
    if as_json:
        out.print_json(json.dumps(s))
        return
    t = Table("dataset", "rows", "commit", "licence")
    for name, d in s["datasets"].items():
        t.add_row(name, str(d["rows"]), d["commit"][:12], d["licence"])
    out.print(t)
    cov = Table("dataset", "years", "facts", "countries", "Canada")
    for name, entry in s["coverage"].items():
        years = list(entry["per_year"])
        cov.add_row(
            name,
            f"{years[0]}-{years[-1]}" if years else "",
            str(sum(entry["per_year"].values())),
            str(len(entry["per_country"])),
            str(entry["per_country"].get("CAN", 0)),
        )
    out.print(cov)
    c = Table("forum", "COW IGO", "member", "difference", "curated (stands)", "COW")
    for d in s["cow_differences"]:
        c.add_row(d["forum"], d["igo"], d["member"], d["kind"], d["curated"], d["cow"])
    out.print(c)
    out.print(
        f"curated vs COW: {len(s['cow_differences'])} difference(s); "
        f"curated compact votes vs UN votes: {len(s['compact_vote_differences'])} difference(s)"
    )
