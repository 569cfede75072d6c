"""Synthetic curated sources with the real graph's shape, at a chosen size, for benchmarks.

Writes a complete graph/ folder (the real framework and countries, synthetic sources, fora,
memberships with dates and roles, agreements with parties, engagements) that loads and validates
like the real one. About 15 triples per membership, so ``--triples`` sets the number of rows.

    .venv/bin/python scripts/synth.py --triples 100000 --out /tmp/synth-100k
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
from pathlib import Path

from mpdkg import paths
from mpdkg.sources.load import COLUMNS

FORUM_KINDS = [
    "regional-consultative-process",
    "interregional-forum",
    "multilateral-organisation",
    "ministerial-group",
    "regional-organisation",
    "initiative",
    "treaty",
]
AGREEMENT_KINDS = [
    "trade-agreement",
    "labour-mobility-arrangement",
    "seasonal-worker-arrangement",
    "youth-mobility-arrangement",
    "memorandum-of-understanding",
    "information-sharing-arrangement",
]
ROLES = ["member"] * 8 + ["observer", "party"]
TRIPLES_PER_MEMBERSHIP = 12


def write_csv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        # columns the loader added after the synthetic ones (optional by design) stay empty
        writer.writerows(list(row) + [""] * (len(header) - len(row)) for row in rows)


FORA_COLUMNS = [
    "id",
    "label",
    "alt_labels",
    "kind",
    "pillars",
    "established",
    "ended",
    "homepage",
    "wikidata",
    "members_complete",
    "member_counts",
    "members_source",
    "members_as_of",
    "source",
    "quote",
    "description",
]
MEMBERSHIP_COLUMNS = ["member", "role", "start", "end", "as_of", "source", "quote", "note"]
AGREEMENT_COLUMNS = [
    "id",
    "label",
    "alt_labels",
    "kind",
    "pillars",
    "parties",
    "signed",
    "in_force",
    "ended",
    "amends",
    "homepage",
    "wikidata",
    "source",
    "quote",
    "description",
]
ENGAGEMENT_COLUMNS = [
    "id",
    "kind",
    "actor",
    "channel",
    "partners",
    "start",
    "end",
    "pillars",
    "label",
    "source",
    "quote",
]


def synthesise(out: Path, triples: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    graph = Path(out) / "graph"
    if graph.exists():
        shutil.rmtree(graph)
    countries = _copy_real_parts(graph)
    n_memberships = max(100, (triples - 5_000) // TRIPLES_PER_MEMBERSHIP)  # ~5k triples: framework, countries
    n_fora = max(10, n_memberships // 40)
    n_agreements = max(20, n_fora // 2)
    n_sources = max(20, n_fora // 5)
    sources = _write_sources(graph, rng, n_sources)
    memberships = _write_fora(graph, rng, n_fora, n_memberships // n_fora, countries, sources)
    others = [c for c in countries if c != "CAN"]
    _write_agreements(graph, rng, n_agreements, others, sources)
    _write_engagements(graph, rng, max(10, n_fora // 10), n_fora, others, sources)
    return {
        "fora": n_fora,
        "memberships": memberships,
        "agreements": n_agreements,
        "sources": n_sources,
        "graph": graph,
    }


def _copy_real_parts(graph: Path) -> list[str]:
    """The real framework, countries and their sources; returns the countries' ISO codes."""
    real = paths.graph_dir()
    shutil.copytree(real / "framework", graph / "framework")
    shutil.copy(real / "countries.csv", graph / "countries.csv")
    (graph / "sources").mkdir(parents=True)
    shutil.copy(real / "sources" / "foundation.csv", graph / "sources" / "foundation.csv")
    shutil.copy(real / "sources" / "countries.csv", graph / "sources" / "countries.csv")
    with (real / "countries.csv").open(encoding="utf-8") as fh:
        return [row["alpha3"] for row in csv.DictReader(fh)]


def _write_sources(graph: Path, rng: random.Random, n_sources: int) -> list[str]:
    sources = [f"syn-src-{i}" for i in range(n_sources)]
    write_csv(
        graph / "sources" / "synthetic.csv",
        list(COLUMNS["sources"].all),
        (
            [
                s,
                f"https://example.org/synthetic/{s}",
                f"Synthetic source {s}",
                "mpdkg synthetic data",
                f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "",
                "other",
            ]
            for s in sources
        ),
    )
    return sources


def _write_fora(
    graph: Path, rng: random.Random, n_fora: int, per_forum: int, countries: list[str], sources: list[str]
) -> int:
    """The fora and one membership file each; returns the number of memberships."""
    fora_rows, memberships = [], 0
    for i in range(n_fora):
        fid = f"syn-forum-{i}"
        fora_rows.append(
            [
                fid,
                f"Synthetic forum {i}",
                "",
                rng.choice(FORUM_KINDS),
                ";".join(map(str, sorted(rng.sample(range(1, 7), rng.randint(1, 3))))),
                str(rng.randint(1950, 2015)),
                "",
                "",
                "",
                "no",
                "",
                "",
                "",
                rng.choice(sources),
                "",
                "",
            ]
        )
        rows = []
        for code in rng.sample(countries, min(len(countries), per_forum)):
            start = rng.randint(1950, 2024)
            end = str(rng.randint(start, 2026)) if rng.random() < 0.1 else ""
            rows.append([code, rng.choice(ROLES), str(start), end, "", rng.choice(sources), "", ""])
        memberships += len(rows)
        write_csv(graph / "memberships" / f"{fid}.csv", MEMBERSHIP_COLUMNS, rows)
    write_csv(graph / "fora" / "synthetic.csv", FORA_COLUMNS, fora_rows)
    return memberships


def _write_agreements(
    graph: Path, rng: random.Random, n_agreements: int, others: list[str], sources: list[str]
) -> None:
    agreements = []
    for i in range(n_agreements):
        signed = rng.randint(1970, 2025)
        agreements.append(
            [
                f"syn-agreement-{i}",
                f"Synthetic agreement {i}",
                "",
                rng.choice(AGREEMENT_KINDS),
                str(rng.randint(1, 6)),
                f"CAN;{rng.choice(others)}",
                str(signed),
                str(min(2026, signed + rng.randint(0, 2))),
                "",
                "",
                "",
                "",
                rng.choice(sources),
                "",
                "",
            ]
        )
    write_csv(graph / "agreements" / "synthetic.csv", AGREEMENT_COLUMNS, agreements)


def _write_engagements(
    graph: Path, rng: random.Random, count: int, n_fora: int, others: list[str], sources: list[str]
) -> None:
    engagements = []
    for i in range(count):
        start = rng.randint(1990, 2025)
        engagements.append(
            [
                f"syn-engagement-{i}",
                rng.choice(["chair", "host", "funding", "capacity-building"]),
                "CAN",
                f"syn-forum-{rng.randrange(n_fora)}",
                rng.choice(others),
                str(start),
                str(start + 1),
                str(rng.randint(1, 6)),
                "",
                rng.choice(sources),
                "",
            ]
        )
    write_csv(graph / "engagements" / "synthetic.csv", ENGAGEMENT_COLUMNS, engagements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    info = synthesise(args.out, args.triples, args.seed)
    print(
        f"wrote {info['graph']}: {info['fora']} fora, {info['memberships']} memberships, "
        f"{info['agreements']} agreements, {info['sources']} sources"
    )


if __name__ == "__main__":
    main()
