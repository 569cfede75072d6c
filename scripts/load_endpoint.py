"""Load test of `mpdkg serve` on 127.0.0.1: a bounded burst of concurrent queries.

Starts the endpoint on a free loopback port, sends N queries (default 200) from a pool of
concurrent clients — catalogue queries with their default parameters, plus a few runaway cross
joins — and checks that every query is answered or refused cleanly, that runaway ones stop at
the time limit, that memory stays bounded and that the server still serves afterwards. Reports
throughput and latency percentiles. Never sends traffic anywhere but 127.0.0.1.

    .venv/bin/python scripts/load_endpoint.py --queries 200 --concurrency 50 --markdown /tmp/load.md
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mpdkg.query.catalogue import catalogue
from mpdkg.query.engines import bind

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, from /proc (Linux)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def ask(url: str, query: str, timeout: float) -> tuple[int, float]:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/sparql-results+json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        status = 0
    return status, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--runaway", type=int, default=6, help="How many runaway queries to mix in.")
    parser.add_argument("--time-limit", type=float, default=3.0, help="The server's query time limit.")
    parser.add_argument("--data", type=Path, default=Path("dist/mpdkg.trig"))
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    if not 1 <= args.queries <= 2000 or not 1 <= args.concurrency <= 200:
        raise SystemExit("keep the load bounded: at most 2000 queries and 200 concurrent clients")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mpdkg",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--timeout",
            str(args.time_limit),
            "--data",
            str(args.data),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while ask(url, "ASK {}", 2)[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        base_rss = rss_mib(server.pid)
        texts = [bind(q, {}) for q in catalogue()]
        work = []
        for i in range(args.queries):
            runaway = (
                i % max(1, args.queries // max(1, args.runaway)) == 0
                and sum(w[0] for w in work) < args.runaway
            )
            work.append((runaway, RUNAWAY if runaway else texts[i % len(texts)]))
        peak = base_rss
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = [pool.submit(ask, url, text, args.time_limit * 10 + 30) for _, text in work]
            while not all(f.done() for f in futures):
                peak = max(peak, rss_mib(server.pid))
                time.sleep(0.1)
            results = [f.result() for f in futures]
        elapsed = time.perf_counter() - start
        still_serving = ask(url, "ASK { ?s ?p ?o }", 10)[0] == 200
        normal = [lat for (runaway, _), (status, lat) in zip(work, results, strict=True) if not runaway]
        runaways = [
            (status, lat) for (runaway, _), (status, lat) in zip(work, results, strict=True) if runaway
        ]
        statuses: dict[int, int] = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        q = statistics.quantiles(normal, n=100) if len(normal) > 2 else [0.0] * 99
        report = {
            "queries": len(work),
            "concurrency": args.concurrency,
            "runaway": len(runaways),
            "seconds": round(elapsed, 2),
            "throughput_qps": round(len(work) / elapsed, 1),
            "latency_p50_ms": round(q[49] * 1000, 1),
            "latency_p90_ms": round(q[89] * 1000, 1),
            "latency_p99_ms": round(q[98] * 1000, 1),
            "statuses": dict(sorted(statuses.items())),
            "runaway_statuses": sorted({s for s, _ in runaways}),
            "runaway_max_s": round(max((lat for _, lat in runaways), default=0.0), 2),
            "rss_before_mib": round(base_rss, 1),
            "rss_peak_mib": round(peak, 1),
            "still_serving": still_serving,
        }
        print(json.dumps(report, indent=1))
        ok = (
            still_serving
            and all(
                status in (200,)
                for (runaway, _), (status, _) in zip(work, results, strict=True)
                if not runaway
            )
            and all(status in (503, 504, 408, 500, 400) for status, _ in runaways)
        )
        if args.markdown:
            lines = [
                "## Endpoint under load (`scripts/load_endpoint.py`)",
                "",
                f"{report['queries']} queries from {report['concurrency']} concurrent clients on 127.0.0.1, "
                f"{report['runaway']} of them runaway cross joins; server time limit {args.time_limit:g} s.",
                "",
                "| measure | value |",
                "| --- | ---: |",
            ]
            lines += [f"| {k.replace('_', ' ')} | {v} |" for k, v in report.items()]
            args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
        raise SystemExit(0 if ok else 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
