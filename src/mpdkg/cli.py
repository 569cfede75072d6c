"""The mpdkg command line: a thin layer over the library, one library call per command."""

from __future__ import annotations

import sys
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


@app.command()
def build(out_dir: OutDir = Path("dist"), graph_dir: GraphDir = None, validate: bool = True) -> None:
    """Build the graph from graph/ and write the dumps (Turtle, N-Triples, JSON-LD, TriG).

    Validation runs first: an invalid graph writes nothing, and dist/ stays as it was.

    Example: mpdkg build --out dist
    """
    from mpdkg.pipeline import build as run_build

    with reported(), progress("build") as step:
        result = run_build(out_dir, graph_dir, step, validate)
    triples = len(result.built.dataset)
    err.print(f"built {triples} triples into {out_dir}/", highlight=False)


@app.command()
def validate(
    graph_dir: GraphDir = None,
    shapes: Annotated[
        list[Path] | None,
        typer.Option("--shapes", help="Extra SHACL shapes (Turtle) to check besides shapes/."),
    ] = None,
) -> None:
    """Check the curated sources and validate the graph against the SHACL shapes.

    Problems are reported as file:line: message; the exit code is 2 for unreadable sources,
    1 for shape violations, 0 when all is well.

    Example: mpdkg validate
    """
    from mpdkg.pipeline import build_and_validate

    with reported(), progress("validate") as step:
        _records, _built, report = build_and_validate(graph_dir, step, extra_shapes=shapes)
    out.print(report.text(), markup=False, highlight=False, soft_wrap=True)


@app.command()
def run(out_dir: OutDir = Path("dist"), graph_dir: GraphDir = None) -> None:
    """The main job: build, validate and write everything to dist/ in one atomic step.

    Example: mpdkg run --out dist
    """
    from mpdkg.pipeline import build as run_build

    with reported(), progress("run") as step:
        result = run_build(out_dir, graph_dir, step)
    err.print(f"built {len(result.built.dataset)} triples into {out_dir}/", highlight=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
