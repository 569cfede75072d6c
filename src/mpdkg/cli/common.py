"""Shared pieces of the command line: the app, consoles, error reporting and common options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mpdkg import __version__
from mpdkg.errors import MpdkgError

app = typer.Typer(
    help="The Migration and Protection Diplomacy Knowledge Graph.\n\n"
    "Example: mpdkg run   (build, validate, reason, analyse and write everything to dist/)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
# stdout carries data (SPARQL answers, labels, quotes, ids such as [forum/g20]) to be shown as it is:
# rich markup would read "[...]" in a cell as a style and drop it. Markup is for stderr's messages.
out = Console(markup=False)


def _project_dist(ctx: typer.Context, param, value: Path) -> Path:
    """``--out`` left at its default means the project's dist/, wherever in the project the
    command runs (like git, which finds .git from any sub-folder); a given value is taken as is."""
    from mpdkg import paths

    source = ctx.get_parameter_source(param.name)
    if source is not None and source.name == "DEFAULT" and value == Path("dist"):
        try:
            return paths.default_dist()
        except MpdkgError:
            return value
    return value


OutDir = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        help="Output folder. Default: dist/ of the project (see --project), else dist/ here.",
        metavar="DIR",
        callback=_project_dist,
    ),
]
GraphDir = Annotated[
    Path | None,
    typer.Option(
        "--graph-dir",
        help="Curated sources folder. Default: graph/ of the project (the nearest folder upwards "
        "holding graph/ and ontology/, or --project), else the data installed with mpdkg.",
        metavar="DIR",
    ),
]


def _quiet_types() -> None:
    """typer 0.2x prints a type after every option (``<bool>`` after a flag, ``<path>``): noise
    in every --help. Flags show nothing; other options their metavar or click's plain name."""
    option = getattr(getattr(typer, "core", None), "TyperOption", None)
    if option is None or not hasattr(option, "display_type_rich"):
        return

    original = option.display_type_rich
    plain = {"str": "TEXT", "float": "NUMBER", "int": "N", "path": "PATH", "bool": ""}

    def display_type_rich(self, ctx):
        if self.metavar is not None:
            return self.metavar
        if getattr(self, "is_flag", False) or getattr(self, "count", False):
            return None
        shown = original(self, ctx)
        if not isinstance(shown, str):
            return shown
        bare = shown.strip("<>.").removeprefix("list[").removesuffix("]")
        return plain.get(bare, bare.upper()) or None

    option.display_type_rich = display_type_rich
    argument = getattr(typer.core, "TyperArgument", None)
    if argument is not None and hasattr(argument, "display_type_rich"):
        argument.display_type_rich = lambda self, ctx: None  # noqa: ARG005


_quiet_types()


@contextmanager
def reported() -> Iterator[None]:
    """Turn mpdkg's errors into a readable message and an exit code, never a traceback."""
    try:
        yield
    except MpdkgError as exc:
        err.print(exc.report(), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


@contextmanager
def progress(title: str):
    """A spinner naming the current step (shown on a terminal only)."""
    with err.status(title) as status:

        def step(name: str) -> None:
            status.update(f"{title}: {name}")
            if not err.is_terminal:
                err.print(f"· {name}", highlight=False)

        yield step


FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", "-f", help="Output: table, csv, tsv, json (SPARQL 1.1 results) or turtle (graphs)."
    ),
]


def version_callback(value: bool) -> None:
    if value:
        out.print(f"mpdkg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="The project folder to read (graph/, ontology/, shapes/, queries/). Default: the "
            "nearest folder upwards from here that holds graph/ and ontology/mpdkg.ttl, else the "
            "data installed with mpdkg. Every command says on stderr which data it read.",
            metavar="DIR",
        ),
    ] = None,
) -> None:
    from mpdkg import paths

    with reported():
        paths.use_project(project)
    paths.on_first_use(lambda line: err.print(line, highlight=False, soft_wrap=True))


# --- tables that fit the terminal ---------------------------------------------------------------


def sig(x, digits: int = 3) -> str:
    """A number rounded to what it means on screen: 3 significant digits (0.903, 12.6, 0.0214),
    whole numbers as they are, thousands grouped. CSV and JSON keep full precision.

    >>> sig(0.903456), sig(0.9), sig(12.6449), sig(0.021371), sig(25.0), sig(1234.5), sig(6e-06), sig(None)
    ('0.903', '0.900', '12.6', '0.0214', '25', '1,234', '6.0e-06', '')
    """
    if x is None or x == "":
        return ""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if isinstance(x, int) or float(x).is_integer():
        return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) < 0.001:
        return f"{x:.1e}"
    return f"{x:#.{digits}g}".rstrip(".")


@dataclass(frozen=True)
class Column:
    """A table column: ``drop`` > 0 marks it as one that may be left out when the terminal is
    too narrow (the highest first); names and ids (``drop`` 0) are wrapped, never cut."""

    header: str
    numeric: bool = False
    drop: int = 0


def fit_table(columns: list[Column], rows: list[tuple], title: str | None = None, width: int | None = None):
    """A rich Table that fits the terminal: text wraps at word boundaries and is never cut
    with an ellipsis; when even wrapped it is too wide, the droppable columns go, and the
    caption names them."""
    from rich.table import Table

    width = width or out.width
    cells = [[str(c) for c in row] for row in rows]

    def natural(i: int) -> int:
        return max([len(columns[i].header)] + [max(map(len, r[i].splitlines() or [""])) for r in cells])

    def narrowest(i: int) -> int:
        words = [w for r in cells for w in r[i].split()] + columns[i].header.split()
        return max([len(w) for w in words] or [1])

    def needed(keep: list[int], measure) -> int:
        return sum(measure(i) for i in keep) + 3 * len(keep) + 1

    def wanted(i: int) -> int:  # names whole on one line where columns can be dropped for them
        return natural(i) if not columns[i].drop and not columns[i].numeric else narrowest(i)

    keep = list(range(len(columns)))
    for i in sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: -columns[i].drop):
        if needed(keep, wanted) <= width:
            break
        keep.remove(i)
    hidden = [columns[i].header for i in range(len(columns)) if i not in keep]
    caption = (
        f"not shown, for width: {', '.join(hidden)} (widen the terminal or use --format csv)"
        if hidden
        else None
    )
    # Widths decided here, not left to rich (which crops a table whose columns it cannot shrink):
    # numbers get their natural width; text columns share what is left in proportion to their
    # natural width, never below their longest word (names stay whole), except tokens longer
    # than 30 characters (IRIs), which fold.
    floor = {i: min(narrowest(i), natural(i), 30) for i in keep if not columns[i].numeric}
    room = width - 3 * len(keep) - 1 - sum(natural(i) for i in keep if columns[i].numeric)
    text = sum(natural(i) for i in floor)
    widths = {}
    for i in floor:
        share = natural(i) if text <= room else int(room * natural(i) / max(text, 1))
        widths[i] = max(floor[i], min(natural(i), share))
    while sum(widths.values()) > room and any(widths[i] > floor[i] for i in widths):
        widest = max((i for i in widths if widths[i] > floor[i]), key=lambda i: widths[i] - floor[i])
        widths[widest] -= 1
    table = Table(title=title, caption=caption)
    for i in keep:
        c = columns[i]
        if c.numeric:
            table.add_column(c.header, justify="right", no_wrap=True, min_width=natural(i))
        else:
            table.add_column(c.header, overflow="fold", width=widths[i])
    for r in cells:
        table.add_row(*(r[i] for i in keep))
    return table
