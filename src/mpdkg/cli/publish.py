"""mpdkg serve, mpdkg push and mpdkg void: share the graph over HTTP, load it into a triple
store, describe it with VoID/DCAT."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mpdkg.cli.common import err, progress, reported

if TYPE_CHECKING:
    from mpdkg.publish.push import PushReport
    from mpdkg.serve.server import Server

DataOpt = Annotated[
    list[Path] | None,
    typer.Option("--data", help="Dump(s) to use (default dist/mpdkg.trig, else the curated sources)."),
]


PREEMPT_HELP = (
    "CPU seconds after which a query counts as long: its worker goes on at the lowest priority "
    "and a fresh worker takes its place (a fifth of this, at least 0.08, while requests wait); at "
    "most --max-long long queries at once, one more is answered 503 with Retry-After. Every query "
    "still ends at --timeout (504). 0 turns this off."
)
MAX_LONG_HELP = (
    "Long queries running at once, at the lowest priority. Default: the cores less one (at least "
    "1), at most --workers, so runaways never take every core."
)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(push)
    app.command()(void)


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data: DataOpt = None,
    timeout: Annotated[float, typer.Option(help="Seconds a query may run before it is stopped.")] = 10.0,
    max_rows: Annotated[int, typer.Option(help="Most rows (or triples) an answer may have.")] = 10_000,
    workers: Annotated[int, typer.Option(help="Query worker processes (queries running at once).")] = 2,
    preempt_after: Annotated[float, typer.Option(help=PREEMPT_HELP)] = 0.25,
    max_long: Annotated[int | None, typer.Option(help=MAX_LONG_HELP)] = None,
    spares: Annotated[
        int, typer.Option(help="Loaded standby workers that replace a stopped one at once.")
    ] = 1,
    open_data: Annotated[
        bool,
        typer.Option(
            "--open-data/--no-open-data",
            help="Also serve open-data.nq.gz (the open data's named graphs, written by mpdkg run) "
            "when it lies beside the first dump.",
        ),
    ] = True,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    public_base: Annotated[
        str | None,
        typer.Option(
            help="The public address this server is reached at (behind a proxy), e.g. "
            "https://example.org/mpdkg/: advertised in the VoID and service description, and "
            "accepted as Host. Default: the address it listens on."
        ),
    ] = None,
    cors: Annotated[
        bool,
        typer.Option(
            "--cors",
            help="Let web pages of other sites read answers (GET only, no credentials). Off by default.",
        ),
    ] = False,
) -> None:
    """Serve the graph read-only: SPARQL 1.1 endpoint, offline query page, entity pages.

    / is the query page (YASGUI, shipped with mpdkg, with the query catalogue in tabs).

    /sparql is the SPARQL 1.1 Protocol endpoint: GET and POST; JSON, XML, CSV, TSV or Turtle by Accept header.

    /country/CAN, /forum/rcm, ... are the resources of the graph: HTML to a browser, Turtle or JSON-LD by Accept header. /.well-known/void is the dataset description.

    SPARQL Update and SERVICE are refused (HTTP 403), and the query workers have no network at all; a query running longer than --timeout is stopped (504); an answer longer than --max-rows is refused (422). Requests naming another Host than this server's are refused (400); slow or half-sent requests are dropped after 10 s. One log line per request: client, method, path, status, duration.

    Example: mpdkg serve --port 8000 --timeout 10
    """
    from mpdkg import serve as S

    _set_log_level(log_level)
    with reported():
        err.print("loading the graph into the query workers…", highlight=False)
        server = S.make_server(
            host, port, data, timeout, max_rows, workers, public_base=public_base, cors=cors,
            spares=spares, preempt_after=preempt_after, max_long=max_long, open_data=open_data,
        )  # fmt: skip
    _announce(server, host)

    # uvicorn stops on SIGINT and SIGTERM, then raises the signal again for the handler that
    # was in place: for SIGTERM, this one (a clean exit), for SIGINT KeyboardInterrupt
    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        err.print("stopping", highlight=False)
        S.close(server)


def push(
    endpoint: Annotated[
        str,
        typer.Option(
            "--endpoint",
            help="Graph Store Protocol address (Oxigraph …/store, Virtuoso …/sparql-graph-crud-auth) "
            "or SPARQL Update address (…/update, …/sparql-auth).",
        ),
    ],
    graph: Annotated[
        str | None,
        typer.Option(
            "--graph", help="Put every triple into this one graph (default: the dump's named graphs)."
        ),
    ] = None,
    user: Annotated[str | None, typer.Option(help="User name (Digest or Basic authentication).")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="MPDKG_PASSWORD", help="Password (or set MPDKG_PASSWORD).")
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data", help="Dump(s) to push (default dist/mpdkg.trig; TriG keeps the named graphs)."
        ),
    ] = None,
    method: Annotated[
        str, typer.Option(help="auto, gsp (Graph Store Protocol) or update (SPARQL Update).")
    ] = "auto",
    batch: Annotated[int, typer.Option(help="Triples per INSERT DATA request (update method).")] = 500,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each request.")] = 300.0,
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            "--update-endpoint",
            help="SPARQL Update address for the switch (default: found from --endpoint, e.g. …/store → …/update).",
        ),
    ] = None,
    query_endpoint: Annotated[
        str | None,
        typer.Option(
            "--query-endpoint",
            help="SPARQL query address for the manifest (default: found from --endpoint, e.g. …/store → …/query).",
        ),
    ] = None,
) -> None:
    """Load the dumps into a remote triple store (Graph Store Protocol or SPARQL Update), switching all graphs at once.

    The graphs are loaded into fresh staging graphs, then one SPARQL Update moves them onto the published graphs, drops the graphs the previous push published and this build no longer has, and records the push in the manifest graph https://w3id.org/mpdkg/graph/push-manifest. Readers see the old build or the new one (on Virtuoso, see docs/scaling-out.md); pushing twice leaves one copy; a push that finds an interrupted one repairs it and says so.

    Examples:

      mpdkg push --endpoint http://127.0.0.1:7878/store

      mpdkg push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --user dba --password dba
    """
    from mpdkg.publish.push import push as run_push

    def note(text: str) -> None:
        err.print(f"repair: {text}", highlight=False, soft_wrap=True)

    with reported(), progress("push") as step:
        report = run_push(
            endpoint,
            data,
            graph,
            user,
            password,
            method,
            batch,
            timeout,
            step,
            update_endpoint=update_endpoint,
            query_endpoint=query_endpoint,
            note=note,
        )
    _report_push(report, endpoint)


def _set_log_level(log_level: str) -> None:
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        err.print(f"--log-level {log_level!r}: expected debug, info, warning or error")
        raise typer.Exit(2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _announce(server: Server, host: str) -> None:
    where = f"http://{host}:{server.server_address[1]}"
    err.print(
        f"serving {server.service.pool.triples} quads: query page {where}/ · endpoint {where}/sparql "
        f"· e.g. {where}/country/CAN   (Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    if not server.service.pool.network_isolated:
        err.print(
            "warning: the query workers could not be cut off the network (no network namespaces "
            "for this user); SERVICE is still refused by the query check",
            highlight=False,
        )


def _report_push(report: PushReport, endpoint: str) -> None:
    for name, count in report.graphs.items():
        err.print(f"{name}: {count} triples", highlight=False, soft_wrap=True)
    for name in report.removed:
        err.print(
            f"{name}: removed (the previous push published it; this build has no such graph)",
            highlight=False,
            soft_wrap=True,
        )
    err.print(
        f"pushed {report.triples} triples in {len(report.graphs)} graph(s) to {endpoint} "
        f"({'Graph Store Protocol' if report.method == 'gsp' else 'SPARQL Update'}, {report.requests} requests), "
        f"switched in one update as push {report.push_id}",
        highlight=False,
        soft_wrap=True,
    )


def void(
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder holding the dumps; void.ttl is written there.")
    ] = Path("dist"),
    version: Annotated[
        str | None, typer.Option(help="Version string to record (default: mpdkg's version).")
    ] = None,
    base_url: Annotated[
        str, typer.Option(help="Address the dumps are published under.")
    ] = "https://w3id.org/mpdkg/dist/",
    endpoint: Annotated[
        str, typer.Option(help="Address of the public SPARQL endpoint.")
    ] = "https://w3id.org/mpdkg/sparql",
    data: DataOpt = None,
) -> None:
    """Write void.ttl (VoID + DCAT: licence, counts, class partitions, dumps, endpoint).

    Example: mpdkg void --out dist --version 2026.11.29
    """
    from mpdkg import __version__
    from mpdkg.publish.void import write_void

    with reported(), progress("void") as step:
        step("reading the data")
        from mpdkg.rdf.dumps import load_dump

        paths_ = list(data or [])
        if not paths_ and (out_dir / "mpdkg.trig").exists():
            paths_ = [out_dir / "mpdkg.trig"]
        if paths_:
            from rdflib import Dataset

            ds = Dataset()
            for path in paths_:
                loaded = load_dump(path)
                for s, p, o, g in loaded.quads((None, None, None, None)):
                    ds.graph(getattr(g, "identifier", g)).add((s, p, o))
        else:
            from mpdkg.pipeline import build_and_validate

            _records, built, _report = build_and_validate(None, step)
            ds = built.dataset
        from mpdkg.staging import output_lock

        out_dir.mkdir(parents=True, exist_ok=True)
        step("writing void.ttl")
        with output_lock(out_dir, on_wait=step):  # not while a run swaps the folder
            path = write_void(ds, out_dir, version or __version__, base_url=base_url, endpoint=endpoint)
    err.print(f"wrote {path}", highlight=False, soft_wrap=True)
