"""Shared pieces of the command line: the app, consoles, error reporting and common options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
out = Console()

OutDir = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
GraphDir = Annotated[
    Path | None,
    typer.Option("--graph-dir", help="Curated sources folder (default: the project's graph/)."),
]


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
) -> None:
    pass
