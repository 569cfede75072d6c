"""Benchmark the pipeline side by side: the Oxigraph-native path against the old rdflib path.

For each size (synthetic curated sources with the real graph's shape, scripts/synth.py) and each
path, in a fresh process: loading the sources, building the RDF, SHACL (rudof / pySHACL),
writing every dump (pyoxigraph / rdflib's writers), loading the N-Triples dump into the engine
(Oxigraph / rdflib) and every catalogue query on it, reasoning (OWL 2 RL fast path / HermiT),
the influence analysis, and peak memory (of the build, and of the process). The old path runs
up to ``--old-limit`` triples. The tables and the #18 targets replace the section between the
``bench.py`` markers of docs/benchmarks.md; the rest of the file is kept.

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


def old_render_dumps(ds) -> dict[str, bytes]:
    """The dumps as the pipeline wrote them before issue #18, kept here only to compare: the
    build's triples filled into an rdflib Dataset, its union copied into a Graph, N-Triples
    written line by line by rdflib, JSON-LD compacted by rdflib's serialiser."""
    import gzip

    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.plugins.serializers.nt import _nt_row

    from mpdkg.namespaces import PREFIXES
    from mpdkg.rdf.dumps import jsonld_context
    from mpdkg.rdf.engine import sorted_quads, sorted_triples

    union = Graph()
    for prefix, ns in PREFIXES.items():
        union.bind(prefix, ns, override=True, replace=True)
    for s_, p_, o_, _g in ds.quads((None, None, None, None)):
        union.add((s_, p_, o_))
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    lines = {_nt_row(t).rstrip("\n").encode("utf-8") for t in union}
    context = jsonld_context()["@context"]
    out = {
        "mpdkg.nt": b"\n".join(sorted(lines)) + b"\n",
        "mpdkg.ttl": ox.serialize(sorted_triples(union), format=ox.RdfFormat.TURTLE, prefixes=prefixes),
        "mpdkg.trig": ox.serialize(sorted_quads(ds), format=ox.RdfFormat.TRIG, prefixes=prefixes),
        "mpdkg.jsonld": union.serialize(format="json-ld", context=context, auto_compact=True).encode(),
    }
    for name in list(out):
        out[name + ".gz"] = gzip.compress(out[name], mtime=0)
    return out


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int, work: Path, path: str, limits: dict) -> dict:
    """One size on one path ("new": tuples -> rudof -> pyoxigraph dumps; "old": the rdflib
    Dataset, pySHACL and rdflib's writers), in this process (peak memory is the process's)."""
    sys.path.insert(0, str(HERE))
    from synth import synthesise

    from mpdkg.rdf.build import build_dataset
    from mpdkg.rdf.dumps import iter_dumps
    from mpdkg.sources.load import load_sources
    from mpdkg.validate.shacl import validate_built, validate_graph

    out: dict = {"size_target": size, "path": path}
    t = time.perf_counter()
    info = synthesise(work, size)
    out["synthesise_s"] = time.perf_counter() - t
    t = time.perf_counter()
    records = load_sources(info["graph"])
    out["load_sources_s"] = time.perf_counter() - t
    t = time.perf_counter()
    built = build_dataset(records)
    if path == "old":
        built.dataset  # noqa: B018 - the old build filled an rdflib Dataset
    out["build_rdf_s"] = time.perf_counter() - t
    out["triples"] = built.triple_count()
    t = time.perf_counter()
    if path == "new":
        report = validate_built(built, engine="rudof")
    else:
        from mpdkg.rdf.dumps import union_graph

        report = validate_graph(union_graph(built.dataset), origin_of=built.origin_of)
    out["shacl_s"] = time.perf_counter() - t
    out["shacl_conforms"] = report.conforms
    t = time.perf_counter()
    dumps = iter_dumps(built) if path == "new" else old_render_dumps(built.dataset).items()
    dist = work / "dist"
    dist.mkdir(exist_ok=True)
    for name, data in dumps:  # the new path makes each as it is written, as `mpdkg build` does
        (dist / name).write_bytes(data)
    out["write_dumps_s"] = time.perf_counter() - t
    out["build_total_s"] = out["load_sources_s"] + out["build_rdf_s"] + out["shacl_s"] + out["write_dumps_s"]
    out["build_peak_mib"] = _peak_mib()
    del dumps
    _measure_engine(out, dist, path)
    _measure_analysis(out, built, path, limits["reason"])
    out["peak_memory_mib"] = _peak_mib()
    return out


def _measure_engine(out: dict, dist: Path, path: str) -> None:
    """Load the N-Triples dump into the path's engine and run the catalogue on it."""
    from mpdkg.query.engines import OxigraphEngine, RdflibEngine, load_store

    t = time.perf_counter()
    if path == "new":
        engine = OxigraphEngine(load_store([dist / "mpdkg.nt"]))
    else:
        from mpdkg.rdf.dumps import load_dump

        engine = RdflibEngine(load_dump(dist / "mpdkg.nt"))
    out["load_engine_s"] = time.perf_counter() - t
    _measure_queries(out, engine)


def _measure_queries(out: dict, engine) -> None:
    """Every catalogue query on the given engine."""
    from mpdkg.query.catalogue import catalogue
    from mpdkg.query.engines import run_query

    queries = {}
    for q in catalogue():
        t = time.perf_counter()
        rows = len(run_query(engine, q).rows)
        queries[q.name] = {"s": time.perf_counter() - t, "rows": rows}
    out["queries"] = queries
    out["query_max_s"] = max(v["s"] for v in queries.values())
    out["query_median_s"] = statistics.median(v["s"] for v in queries.values())
    out["queries_over_half_s"] = sorted(name for name, v in queries.items() if v["s"] > 0.5)


def _measure_analysis(out: dict, built, path: str, reason_limit: int) -> None:
    """Reasoning (new: the OWL 2 RL fast path; old: HermiT over everything) up to
    ``reason_limit`` triples, then the influence analysis."""
    if out["triples"] <= reason_limit:
        try:
            from mpdkg.reason.hermit import reason_into

            t = time.perf_counter()
            result = reason_into(built, full=(path == "old"))
            out["reason_s"] = time.perf_counter() - t
            out["reason_status"] = getattr(result, "status", "")
        except Exception as exc:  # reported, not fatal: reasoning is "where feasible"
            out["reason_s"] = f"not measured ({exc.__class__.__name__}: {exc})"
    else:
        out["reason_s"] = "not attempted at this size"
    from mpdkg.influence.analysis import InfluenceConfig, analyse

    t = time.perf_counter()
    analyse(built.dataset, InfluenceConfig.load())
    out["influence_s"] = time.perf_counter() - t


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


START, END = "<!-- bench.py:start -->", "<!-- bench.py:end -->"
ROWS = [
    ("load_sources_s", "load the curated CSVs (s)"),
    ("build_rdf_s", "build the RDF (s)"),
    ("shacl_s", "SHACL: rudof (new), pySHACL (old) (s)"),
    ("write_dumps_s", "write all dumps (s)"),
    ("build_total_s", "full build: sources → validated dumps (s)"),
    ("build_peak_mib", "peak memory of the build (MiB)"),
    ("load_engine_s", "load the N-Triples dump: Oxigraph (new), rdflib (old) (s)"),
    ("query_median_s", "catalogue query, median (s)"),
    ("query_max_s", "catalogue query, slowest (s)"),
    ("reason_s", "reasoning: OWL 2 RL fast path (new), HermiT (old) (s)"),
    ("influence_s", "influence analysis (s)"),
    ("peak_memory_mib", "peak memory of the whole process (MiB)"),
]
#: (measure, curated/synthetic size, target, how to read it)
TARGETS = [
    ("build_total_s", 1_000_000, 60.0, "1M synthetic: full build sources → validated dumps ≤ 60 s"),
    ("build_peak_mib", 1_000_000, 2048.0, "1M synthetic: peak memory of the build ≤ 2 GiB"),
    ("shacl_s", 1_000_000, 60.0, "1M: SHACL ≤ 60 s"),
    ("reason_s", 100_000, 10.0, "100k: reasoning (fast path) ≤ 10 s"),
    ("query_max_s", 1_000_000, 0.5, "1M: every catalogue query ≤ 0.5 s"),
]


def _cell(new: dict, old: dict | None, key: str) -> str:
    a = new.get(key, "—")
    b = old.get(key, "—") if old else "—"
    ratio = f"{b / a:,.1f}×" if isinstance(a, float) and isinstance(b, float) and a > 0 else "—"
    return f"{fmt(a)} | {fmt(b)} | {ratio}"


def _nearest(results: list[dict], size: int) -> dict | None:
    new = [r for r in results if r["path"] == "new"]
    return min(new, key=lambda r: abs(r["size_target"] - size)) if new else None


def markdown_section(results: list[dict]) -> str:
    """The side-by-side tables, between markers, for docs/benchmarks.md."""
    import pyoxigraph
    import pyshacl
    import rdflib

    sizes = sorted({r["size_target"] for r in results})
    by = {(r["size_target"], r["path"]): r for r in results}
    lines = [
        START,
        "## The pipeline side by side: Oxigraph-native (new) against the rdflib path (old)",
        "",
        f"Written by `scripts/bench.py` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}, rdflib {rdflib.__version__}, "
        f"pyoxigraph {pyoxigraph.__version__}, pySHACL {pyshacl.__version__}; load average at the "
        f"start {os.getloadavg()[0]:.1f}. Each size and path ran in a fresh process. The old path is kept only in "
        "the benchmark (`old_render_dumps`, pySHACL, rdflib's engine, HermiT over everything). "
        "Ratio = old / new.",
        "",
    ]
    for size in sizes:
        new, old = by.get((size, "new")), by.get((size, "old"))
        if new is None:
            continue
        lines += [
            f"### {new['triples']:,} triples",
            "",
            "| measure | new | old | ratio |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [f"| {label} | {_cell(new, old, key)} |" for key, label in ROWS]
        slow = ", ".join(new.get("queries_over_half_s", [])) or "none"
        lines += ["", f"Catalogue queries over 0.5 s on the new path: {slow}.", ""]
    lines += [
        "### Targets of issue #18 measured here",
        "",
        "| target | measured | met? |",
        "| --- | ---: | --- |",
    ]
    for key, size, limit, text in TARGETS:
        r = _nearest(results, size)
        value = r.get(key) if r and abs(r["size_target"] - size) <= size // 2 else None
        met = "not measured" if not isinstance(value, float) else ("yes" if value <= limit else "no")
        lines.append(f"| {text} | {fmt(value) if value is not None else '—'} | {met} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the section between the markers (or append it): the rest of the file is kept."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def _one(size: int, path: str, limits: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--one", str(size), "--path", path, "--work", tmp]
        cmd += ["--reason-limit", str(limits["reason"])]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        raise SystemExit(f"size {size} ({path}) failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--old-limit", type=int, default=150_000, help="largest size the old path runs at")
    parser.add_argument("--reason-limit", type=int, default=150_000)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", default="new", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    limits = {"reason": args.reason_limit}
    if args.one:
        print(json.dumps(measure(args.one, args.work, args.path, limits)))
        return
    results = []
    for size in args.sizes:
        for path in ("new", "old") if size <= args.old_limit else ("new",):
            result = _one(size, path, limits)
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "queries"}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if args.markdown:
        write_section(args.markdown, markdown_section(results))


if __name__ == "__main__":
    main()
