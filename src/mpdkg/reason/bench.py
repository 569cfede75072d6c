"""Reasoning, fast path against HermiT over everything, side by side in one run.

    .venv/bin/python -m mpdkg.reason.bench                      # the curated graph
    .venv/bin/python -m mpdkg.reason.bench /tmp/synth-10k/graph  # a graph/ folder (scripts/synth.py)
    .venv/bin/python -m mpdkg.reason.bench curated /tmp/synth-10k/graph  # several, one table

For each graph: HermiT over everything (``--full``), the fast path with the ontology not yet
classified (an empty cache), and with it cached (the usual case); wall seconds, the ratio to
HermiT, and whether the three inferred graphs are identical. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def measure(graph_dir: Path | None) -> dict:
    from mpdkg.namespaces import GRAPHS
    from mpdkg.rdf.build import build_dataset
    from mpdkg.reason.hermit import inferred_turtle, reason_into
    from mpdkg.sources.load import load_sources

    records = load_sources(graph_dir) if graph_dir else load_sources()
    out: dict = {"graph": str(graph_dir) if graph_dir else "curated"}
    outputs = []
    with tempfile.TemporaryDirectory() as cache:
        for name, full in (("hermit", True), ("fast_cold", False), ("fast_cached", False)):
            built = build_dataset(records)
            out["triples"] = len(built.curated)
            started = time.perf_counter()
            report = reason_into(built, full=full, cache_dir=Path(cache))
            out[name] = time.perf_counter() - started
            out["inferred"] = len(built.dataset.graph(GRAPHS.inferred))
            out[name + "_engine"] = report.engine
            outputs.append(inferred_turtle(built))
    out["identical"] = len(set(outputs)) == 1
    return out


def markdown(rows: list[dict]) -> str:
    lines = [
        "| graph | curated triples | inferred | HermiT, everything (s) | fast, ontology classified now (s) | fast, cached (s) | speed-up (cached) | same bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['graph']} | {r['triples']:,} | {r['inferred']:,} | {r['hermit']:.1f} | "
            f"{r['fast_cold']:.1f} | {r['fast_cached']:.1f} | {r['hermit'] / r['fast_cached']:.1f}× | "
            f"{'yes' if r['identical'] else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphs", nargs="*", help="graph/ folders, or 'curated' (the default)")
    args = parser.parse_args(argv)
    rows = []
    for graph in args.graphs or ["curated"]:
        row = measure(None if graph == "curated" else Path(graph))
        print(row, file=sys.stderr, flush=True)
        rows.append(row)
    print(markdown(rows))
    print(f"\n(cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
