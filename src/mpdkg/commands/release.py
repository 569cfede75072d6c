"""mpdkg diff and mpdkg release: compare builds, and publish dated, self-describing releases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mpdkg.cliutil import GraphDir, OutDir, err, out, progress, reported


def register(app: typer.Typer) -> None:
    @app.command()
    def diff(
        old: Annotated[
            Path, typer.Argument(help="The older build: a folder (dist/, a release) or a dump file.")
        ],
        new: Annotated[Path, typer.Argument(help="The newer build, likewise.")],
        fmt: Annotated[str, typer.Option("--format", "-f", help="markdown or json.")] = "markdown",
    ) -> None:
        """What changed between two builds: entities, memberships, dates, parties, sources.

        Example: mpdkg diff dist/releases/2026.11.01 dist
        """
        from mpdkg.diff import diff_datasets, load_build
        from mpdkg.errors import UsageError

        with reported():
            if fmt not in ("markdown", "json"):
                raise UsageError(f"--format {fmt!r}: expected markdown or json")
            result = diff_datasets(load_build(old), load_build(new))
            text = result.to_json() if fmt == "json" else result.to_markdown(str(old), str(new))
        out.print(text, end="", markup=False, highlight=False, soft_wrap=True)

    @app.command()
    def release(
        version: Annotated[
            str | None, typer.Option("--version", help="Release version, YYYY.MM.DD (default: today).")
        ] = None,
        out_dir: OutDir = Path("dist"),
        graph_dir: GraphDir = None,
    ) -> None:
        """Write a dated release to dist/releases/VERSION/: dumps, void.ttl, ontology, stats, SHA-256 manifest.

        Refuses a graph that fails validation or reasoning; the same sources give identical files.

        Example: mpdkg release --version 2026.11.29
        """
        from mpdkg.release import make_release

        with reported(), progress("release") as step:
            folder = make_release(out_dir, version, graph_dir, step)
        err.print(f"released {folder}", highlight=False)
