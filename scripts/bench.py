"""Benchmark mpdkg at about 10 thousand, 100 thousand and 1 million triples.

For each size it generates synthetic curated sources (scripts/synth.py), then measures, in a
fresh process per size: loading the sources, building the RDF, SHACL validation (pySHACL where
feasible and rudof), writing the dumps, loading the N-Triples dump into Oxigraph and into plain
rdflib, every catalogue query on Oxigraph and (up to 100k) on rdflib side by side, reasoning
where feasible, the influence analysis, and peak memory. Results go to docs/benchmarks.md.

    .venv/bin/python scripts/bench.py --sizes 10000 100000 1000000 --markdown docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(size: int, work: Path, pyshacl_limit: int, rdflib_limit: int, reason_limit: int) -> dict:
    sys.path.insert(0, str(HERE))
    from synth import synthesise

    from mpdkg.query.engines import OxigraphEngine, RdflibEngine, load_store
    from mpdkg.rdf.build import build_dataset
    from mpdkg.rdf.dumps import union_graph, write_dumps
    from mpdkg.sources.load import load_sources
    from mpdkg.validate.shacl import validate_graph, validate_graph_rudof

    out: dict = {"size_target": size}
    t = time.perf_counter()
    info = synthesise(work, size)
    out["synthesise_s"] = time.perf_counter() - t
    t = time.perf_counter()
    records = load_sources(info["graph"])
    out["load_sources_s"] = time.perf_counter() - t
    t = time.perf_counter()
    built = build_dataset(records)
    out["build_rdf_s"] = time.perf_counter() - t
    union = union_graph(built.dataset)
    out["triples"] = len(union)
    t = time.perf_counter()
    report = validate_graph_rudof(union, origin_of=built.origin_of)
    out["shacl_rudof_s"] = time.perf_counter() - t
    out["shacl_rudof_conforms"] = report.conforms
    if out["triples"] <= pyshacl_limit:
        t = time.perf_counter()
        report = validate_graph(union, origin_of=built.origin_of)
        out["shacl_pyshacl_s"] = time.perf_counter() - t
        out["shacl_pyshacl_conforms"] = report.conforms
    dist = work / "dist"
    dist.mkdir(exist_ok=True)
    t = time.perf_counter()
    write_dumps(built.dataset, dist)
    out["write_dumps_s"] = time.perf_counter() - t
    out["build_total_s"] = (
        out["load_sources_s"] + out["build_rdf_s"] + out["shacl_rudof_s"] + out["write_dumps_s"]
    )
    t = time.perf_counter()
    store = load_store([dist / "mpdkg.nt"])
    out["load_oxigraph_s"] = time.perf_counter() - t
    ox = OxigraphEngine(store)
    ref = None
    if out["triples"] <= rdflib_limit:
        from mpdkg.rdf.dumps import load_dump

        t = time.perf_counter()
        ref = RdflibEngine(load_dump(dist / "mpdkg.nt"))
        out["load_rdflib_s"] = time.perf_counter() - t
    _measure_queries(out, ox, ref)
    _measure_analysis(out, built, reason_limit)
    out["peak_memory_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _measure_queries(out: dict, ox, ref) -> None:
    """Every catalogue query on Oxigraph, and on rdflib when ``ref`` is given."""
    from mpdkg.query.catalogue import catalogue
    from mpdkg.query.engines import run_query

    queries = {}
    for q in catalogue():
        t = time.perf_counter()
        rows = len(run_query(ox, q).rows)
        fast = time.perf_counter() - t
        entry = {"oxigraph_s": fast, "rows": rows}
        if ref is not None:
            t = time.perf_counter()
            run_query(ref, q)
            entry["rdflib_s"] = time.perf_counter() - t
        queries[q.name] = entry
    out["queries"] = queries
    out["query_oxigraph_max_s"] = max(v["oxigraph_s"] for v in queries.values())
    out["query_oxigraph_median_s"] = statistics.median(v["oxigraph_s"] for v in queries.values())
    if ref is not None:
        out["query_rdflib_median_s"] = statistics.median(v["rdflib_s"] for v in queries.values())


def _measure_analysis(out: dict, built, reason_limit: int) -> None:
    """The influence analysis, and reasoning up to ``reason_limit`` triples."""
    try:
        from mpdkg.influence.analysis import InfluenceConfig, analyse

        t = time.perf_counter()
        analyse(built.dataset, InfluenceConfig.load())
        out["influence_s"] = time.perf_counter() - t
    except ImportError as exc:
        out["influence_s"] = f"not measured ({exc})"
    if out["triples"] <= reason_limit:
        try:
            from mpdkg.reason.hermit import reason_into

            t = time.perf_counter()
            result = reason_into(built)
            out["reason_s"] = time.perf_counter() - t
            out["reason_status"] = getattr(result, "status", "")
        except Exception as exc:  # reported, not fatal: reasoning is "where feasible"
            out["reason_s"] = f"not measured ({exc.__class__.__name__}: {exc})"
    else:
        out["reason_s"] = "not attempted at this size"


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def markdown(results: list[dict]) -> str:
    import pyoxigraph
    import pyshacl
    import rdflib

    try:
        import pyrudof

        rudof_version = pyrudof.__version__
    except Exception:
        rudof_version = "?"
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Benchmarks",
        "",
        "<!-- written by scripts/bench.py -->",
        "",
        f"Machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}; rdflib {rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}, "
        f"pySHACL {pyshacl.__version__}, pyrudof {rudof_version}. Date: {time.strftime('%Y-%m-%d')}.",
        "",
        "Synthetic curated sources with the real graph's shape (`scripts/synth.py`): the real",
        "framework and 249 countries, synthetic fora with dated memberships, agreements with parties,",
        "engagements and sources. Each size runs in a fresh process; peak memory is that process's.",
        "",
        "| measure | " + " | ".join(f"{r['triples']:,} triples" for r in results) + " |",
        "| --- |" + " ---: |" * len(results),
    ]
    keys = [
        ("load_sources_s", "load the curated CSVs (s)"),
        ("build_rdf_s", "build the RDF (s)"),
        ("shacl_rudof_s", "SHACL, rudof (s)"),
        ("shacl_pyshacl_s", "SHACL, pySHACL (s)"),
        ("write_dumps_s", "write all dumps (s)"),
        ("build_total_s", "full build: sources → validated dumps (s)"),
        ("load_oxigraph_s", "load N-Triples into Oxigraph (s)"),
        ("load_rdflib_s", "load N-Triples into rdflib (s)"),
        ("query_oxigraph_median_s", "catalogue query, median, Oxigraph (s)"),
        ("query_oxigraph_max_s", "catalogue query, slowest, Oxigraph (s)"),
        ("query_rdflib_median_s", "catalogue query, median, rdflib (s)"),
        ("influence_s", "influence analysis (s)"),
        ("reason_s", "OWL reasoning, HermiT (s)"),
        ("peak_memory_mib", "peak memory (MiB)"),
    ]
    for key, label in keys:
        lines.append(f"| {label} | " + " | ".join(fmt(r.get(key, "—")) for r in results) + " |")
    lines += ["", "## Catalogue queries, seconds (Oxigraph / rdflib)", ""]
    names = sorted(results[0]["queries"])
    lines.append("| query | " + " | ".join(f"{r['triples']:,}" for r in results) + " |")
    lines.append("| --- |" + " ---: |" * len(results))
    for name in names:
        cells = []
        for r in results:
            q = r["queries"][name]
            cells.append(f"{q['oxigraph_s']:.3f}" + (f" / {q['rdflib_s']:.2f}" if "rdflib_s" in q else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pyshacl-limit", type=int, default=150_000)
    parser.add_argument("--rdflib-limit", type=int, default=150_000)
    parser.add_argument("--reason-limit", type=int, default=150_000)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(
            json.dumps(measure(args.one, args.work, args.pyshacl_limit, args.rdflib_limit, args.reason_limit))
        )
        return
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    str(size),
                    "--work",
                    tmp,
                    "--pyshacl-limit",
                    str(args.pyshacl_limit),
                    "--rdflib-limit",
                    str(args.rdflib_limit),
                    "--reason-limit",
                    str(args.reason_limit),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(f"size {size} failed")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "queries"}, indent=1), flush=True)
    if args.markdown:
        args.markdown.write_text(markdown(results), encoding="utf-8")


if __name__ == "__main__":
    main()
