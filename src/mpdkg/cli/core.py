"""The mpdkg command line: a thin layer over the library, one library call per command.

Core commands live here; larger groups live in ``mpdkg.cli.<name>`` modules, each with a
``register(app)`` function, so that features stay in their own files.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mpdkg.cli.common import FormatOpt, GraphDir, OutDir, app, err, out, progress, reported

if TYPE_CHECKING:
    from mpdkg.query.catalogue import CatalogueQuery

COMMAND_MODULES = ("stats", "reason", "influence", "maps", "publish", "release", "docs")


@app.command()
def build(
    out_dir: OutDir = Path("dist"),
    graph_dir: GraphDir = None,
    validate: Annotated[
        bool,
        typer.Option(
            help="Check the SHACL shapes before writing (on by default; --no-validate skips it, "
            "for a quick look at a draft: nothing invalid is ever published by run or release)."
        ),
    ] = True,
) -> None:
    """Build the graph from graph/ and write the dumps (Turtle, N-Triples, JSON-LD, TriG).

    Validation runs first: an invalid graph writes nothing, and dist/ stays as it was. Into a
    folder that holds a full run (mpdkg run: void.ttl, stats, influence, maps, report, the
    inferred and analysis graphs) it refuses rather than delete them: use mpdkg run, or another
    --out. Commands writing into the same folder take turns.

    Example: mpdkg build --out dist
    """
    from mpdkg.pipeline import build as run_build

    with reported(), progress("build") as step:
        result = run_build(out_dir, graph_dir, step, validate)
    triples = result.built.triple_count()
    err.print(f"built {triples} triples into {out_dir}/", highlight=False)


@app.command()
def validate(
    graph_dir: GraphDir = None,
    shapes: Annotated[
        list[Path] | None,
        typer.Option("--shapes", help="Extra SHACL shapes (Turtle) to check besides shapes/."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="SHACL engine: rudof (fast, the default) or pyshacl (the reference; same findings, slower)."
        ),
    ] = "rudof",
) -> None:
    """Check the curated sources and validate the graph against the SHACL shapes.

    Problems are reported as file:line: message; the exit code is 2 for unreadable sources,
    1 for shape violations, 0 when all is well.

    Example: mpdkg validate
    """
    from mpdkg.pipeline import build_and_validate

    with reported(), progress("validate") as step:
        from mpdkg.validate.shacl import ENGINES

        if engine not in ENGINES:
            from mpdkg.errors import UsageError

            raise UsageError(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}")
        _records, _built, report = build_and_validate(graph_dir, step, extra_shapes=shapes, engine=engine)
    out.print(report.text(), markup=False, highlight=False, soft_wrap=True)


@app.command()
def run(
    out_dir: OutDir = Path("dist"),
    graph_dir: GraphDir = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Run every stage again, even those whose inputs did not change."),
    ] = False,
) -> None:
    """The main job: build, validate and write everything to dist/ in one atomic step.

    Only the stages whose inputs (sources, ontology, shapes, rules, weights, code) changed since
    the last run into the same folder run again; the others are carried over (OUT/.stages.json
    records the digests). A table on stderr says which stages ran and which were fresh.

    Example: mpdkg run --out dist   (mpdkg run --force: every stage again)
    """
    from mpdkg.pipeline import run_all

    with reported(), progress("run") as step:
        result = run_all(out_dir, graph_dir, step, force=force)
    _print_stages(result.stages)
    err.print(f"built {result.triples} triples into {out_dir}/", highlight=False)


def _print_stages(stages) -> None:
    """One line per stage: ran (how long, why) or fresh."""
    from rich.table import Table

    table = Table("stage", "status", "seconds", "why", title="stages", title_justify="left")
    for s in stages:
        table.add_row(s.name, s.status, f"{s.seconds:.1f}" if s.status == "ran" else "", s.why)
    err.print(table)


def _params(values: list[str] | None) -> dict[str, str]:
    from mpdkg.errors import UsageError

    out = {}
    for item in values or []:
        if "=" not in item:
            raise UsageError(f"--param {item!r}: expected name=value")
        name, value = item.split("=", 1)
        out[name.strip()] = value
    return out


def _print_result(result, fmt: str) -> None:
    from mpdkg.errors import UsageError
    from mpdkg.query import results as R
    from mpdkg.rdf.build import new_dataset

    if fmt not in R.FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(R.FORMATS)}")
    if result.kind == "graph" and fmt in ("table", "turtle"):
        sys.stdout.write(R.to_turtle(result))
        return
    if result.kind == "graph":
        raise UsageError(f"--format {fmt}: a CONSTRUCT or DESCRIBE query gives a graph; use --format turtle")
    if fmt == "turtle":
        raise UsageError("--format turtle is for CONSTRUCT and DESCRIBE queries; use table, csv, tsv or json")
    if fmt in ("csv", "tsv", "json"):  # rdflib's SPARQL result writers (TSV: ours)
        sys.stdout.write(R.serialize(result, fmt).decode("utf-8"))
        if fmt == "json":
            sys.stdout.write("\n")
    elif result.kind == "ask":
        out.print("true" if result.boolean else "false")
    else:
        from mpdkg.cli.common import Column, fit_table, sig

        nsm = new_dataset().namespace_manager

        def shown(term) -> str:
            value = getattr(term, "value", None)
            if isinstance(value, float):  # a computed decimal: 3 significant digits on screen
                return sig(value)
            return R.short(term, nsm)

        rows = [tuple(shown(t) for t in row) for row in result.rows]
        out.print(fit_table([Column(v) for v in result.variables], rows))
        err.print(f"{len(result.rows)} row(s)", highlight=False)


@app.command()
def query(
    name: Annotated[
        str | None, typer.Argument(help="A catalogue query name (see --list) or a path to a .rq file.")
    ] = None,
    execute: Annotated[str | None, typer.Option("--execute", "-e", help="SPARQL text to run.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Bind a parameter: name=value (repeatable).")
    ] = None,
    fmt: FormatOpt = "table",
    list_: Annotated[bool, typer.Option("--list", help="List the catalogue with titles.")] = False,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="Run on a remote SPARQL 1.1 endpoint instead.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a remote endpoint.")] = 30.0,
    user: Annotated[str | None, typer.Option(help="User name for the remote endpoint.")] = None,
    password: Annotated[str | None, typer.Option(help="Password for the remote endpoint.")] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Dump(s) to query (default dist/mpdkg.trig, else the sources)."),
    ] = None,
    engine: Annotated[str, typer.Option(help="Embedded engine: oxigraph (fast) or rdflib.")] = "oxigraph",
    allow_network: Annotated[
        bool, typer.Option("--allow-network", help="Let an embedded query follow SERVICE.")
    ] = False,
) -> None:
    """Run a SPARQL query: from the catalogue, a .rq file or -e, embedded or on an endpoint.

    Examples:

      mpdkg query --list

      mpdkg query forum-members --param forum=rcm --format csv

      mpdkg query -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format json

      mpdkg query shared-with-country -p country=MEX --endpoint http://127.0.0.1:7878/query
    """
    from mpdkg.errors import UsageError
    from mpdkg.query import engines as Q

    with reported():
        if list_:
            _print_catalogue()
            return
        q = _chosen_query(name, execute)
        if engine not in ("oxigraph", "rdflib"):
            raise UsageError(f"--engine {engine!r}: expected oxigraph or rdflib")
        # refuse SERVICE, updates, unknown prefixes and the like before any data is loaded
        Q.parse(q.text, allow_network=allow_network or bool(endpoint))
        Q.check_params_offline(q, _params(param))  # and a mistyped --param, with what it expects
        if endpoint:
            runner = Q.RemoteEngine(endpoint, timeout=timeout, user=user, password=password)
        else:
            _say_which_dump(data)
            runner = Q.open_engine(data, engine=engine)
        warnings = Q.term_warnings(q.text)
        for line in warnings:
            err.print(f"warning: {line}", highlight=False, soft_wrap=True)
        result = Q.run_query(runner, q, _params(param), allow_network=allow_network)
        _print_result(result, fmt)
        if warnings and result.kind == "select" and not result.rows:
            err.print(
                "no rows, and the query names terms the ontology does not have (see above)", highlight=False
            )
            raise typer.Exit(1)
        if (
            result.kind == "select"
            and not result.rows
            and not endpoint
            and not data
            and _misses_open_data(q.text)
        ):
            err.print(
                "no rows; note that the open data (UNHCR, visas, UN votes, COW, DESTA) is not loaded: "
                f"there is no dist/{Q.OPEN_DATA_DUMP} (mpdkg run writes it)",
                highlight=False,
            )


def _misses_open_data(text: str) -> bool:
    """True when the query reads open data and the default data has no open-data dump beside
    it (or there is no dump at all): an empty answer may only mean the dump is missing."""
    from mpdkg.query import engines as Q

    dump = Q.default_data()
    missing = dump is None or not (Path(dump).parent / Q.OPEN_DATA_DUMP).is_file()
    return missing and Q.reads_open_data(text)


def _print_catalogue() -> None:
    from rich.table import Table

    from mpdkg.query import catalogue as C

    table = Table("name", "title", "pillar", "parameters")
    for q in C.catalogue():
        params = ", ".join(f"{p.name}={p.default}" if p.default else p.name for p in q.parameters)
        table.add_row(q.name, q.title, q.pillar, params)
    out.print(table)


def _chosen_query(name: str | None, execute: str | None) -> CatalogueQuery:
    """The query named (catalogue name or .rq path) or given with -e."""
    from mpdkg.errors import UsageError
    from mpdkg.query import catalogue as C

    if execute is not None and name is not None:
        raise UsageError("give either a query name/path or -e, not both")
    if execute is not None:
        return C.parse_query_text(execute, "-e")
    if name is None:
        raise UsageError("give a catalogue query name, a .rq path or -e 'SPARQL' (see mpdkg query --list)")
    if name.endswith(".rq") or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"{name}: no such file")
        return C.parse_query_file(path)
    return C.get_query(name)


def _say_which_dump(data: list[Path] | None) -> None:
    """Name the dump an embedded query reads, and warn when the sources changed after it."""
    from mpdkg import paths
    from mpdkg.query import engines as Q

    paths.data_root()  # the data: line first
    if data:
        return
    dump = Q.default_data()
    if dump is None:
        err.print(
            "querying the sources directly (no dist/mpdkg.trig; mpdkg build makes one)", highlight=False
        )
        return
    changed = Q.stale_sources(dump)
    if changed:
        root = paths.data_root()
        names = ", ".join(str(p.relative_to(root)) for p in changed[:3]) + (
            " ..." if len(changed) > 3 else ""
        )
        err.print(
            f"warning: {dump} is older than {len(changed)} source file(s) ({names}); the answer does "
            "not show those edits: run mpdkg build, or pass --data",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def ids(
    kind: Annotated[
        str,
        typer.Argument(
            help="What to list: forums, agreements, countries, regions, roles, pillars or sources."
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output: table, csv or json.")] = "table",
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Dump(s) to read (default dist/mpdkg.trig, else the sources)."),
    ] = None,
) -> None:
    """List the ids you can pass as parameters (forum=rcm, country=MEX, region=...), with labels.

    Examples:

      mpdkg ids forums

      mpdkg ids regions --format csv
    """
    import io
    import json

    from mpdkg.errors import UsageError
    from mpdkg.query import engines as Q
    from mpdkg.query import ids as I

    with reported():
        aliases = {"fora": "forums", "forum": "forums", "country": "countries", "region": "regions"}
        kind = aliases.get(kind, kind)
        if kind not in I.KINDS:
            raise UsageError(f"unknown kind {kind!r}; expected one of {', '.join(I.KINDS)}")
        if fmt not in ("table", "csv", "json"):
            raise UsageError(f"--format {fmt!r}: expected table, csv or json")
        _say_which_dump(data)
        entries = I.list_ids(Q.open_engine(data), kind)
        if fmt == "json":
            rows = [{"id": e.id, "label": e.label, "alt_labels": list(e.alt_labels)} for e in entries]
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        elif fmt == "csv":
            from mpdkg.query.results import csv_writer

            buf = io.StringIO()
            writer = csv_writer(buf, lineterminator="\n")
            writer.writerow(("id", "label", "alt_labels"))
            for e in entries:
                writer.writerow((e.id, e.label, ";".join(e.alt_labels)))
            sys.stdout.write(buf.getvalue())
        else:
            from mpdkg.cli.common import Column, fit_table

            table = [(e.id, e.label, "; ".join(e.alt_labels)) for e in entries]
            out.print(fit_table([Column("id"), Column("label"), Column("other names", drop=1)], table))
            err.print(f"{len(entries)} {kind}", highlight=False)


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"mpdkg.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mpdkg.cli.{name}":
                raise
            continue
        module.register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
