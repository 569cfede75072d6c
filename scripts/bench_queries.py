"""Benchmark: every catalogue query on the embedded engine (Oxigraph) against plain rdflib, in
the same run, on the curated graph. Reports per-query medians and the ratio.

    .venv/bin/python scripts/bench_queries.py [--repeat 5] [--markdown docs/bench-queries.md]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import pyoxigraph
import rdflib

from mpdkg.query.catalogue import catalogue
from mpdkg.query.engines import OxigraphEngine, RdflibEngine, run_query
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.engine import store_from_dataset
from mpdkg.sources.load import load_sources


def timed(engine, query, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run_query(engine, query)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rdflib-repeat", type=int, default=1, help="rdflib is slow; fewer runs")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    dataset = build_dataset(load_sources()).dataset
    ox = OxigraphEngine(store_from_dataset(dataset))
    ref = RdflibEngine(dataset)
    rows = []
    for q in catalogue():
        run_query(ox, q)  # warm-up
        fast = timed(ox, q, args.repeat)
        slow = timed(ref, q, args.rdflib_repeat)
        rows.append((q.name, fast * 1000, slow * 1000, slow / fast if fast else float("inf")))
        print(
            f"{q.name:42} oxigraph {fast * 1000:8.2f} ms   rdflib {slow * 1000:9.1f} ms   x{slow / fast:7.1f}",
            flush=True,
        )
    med_fast = statistics.median(r[1] for r in rows)
    med_slow = statistics.median(r[2] for r in rows)
    print(
        f"median per query: oxigraph {med_fast:.2f} ms, rdflib {med_slow:.1f} ms, ratio x{med_slow / med_fast:.1f}"
    )
    if args.markdown:
        lines = [
            "## Catalogue queries on the curated graph",
            "",
            f"{len(dataset)} quads; {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
            f"pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}; date {time.strftime('%Y-%m-%d')}; "
            f"median of {args.repeat} runs (Oxigraph, after a warm-up) and {args.rdflib_repeat} (rdflib).",
            "",
            "| query | Oxigraph ms | rdflib ms | ratio |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [f"| {n} | {a:.2f} | {b:.1f} | {r:.0f}x |" for n, a, b, r in rows]
        lines += [
            "",
            f"Median per query: Oxigraph **{med_fast:.2f} ms**, rdflib {med_slow:.1f} ms (x{med_slow / med_fast:.0f}).",
        ]
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
