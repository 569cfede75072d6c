"""mpdkg diff and mpdkg release: compare builds, and publish dated, self-describing releases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mpdkg.cli.common import GraphDir, OutDir, err, out, progress, reported


def register(app: typer.Typer) -> None:
    @app.command()
    def diff(
        old: Annotated[
            str,
            typer.Argument(
                help="The older build: a folder (dist/, a release), a dump file, or 'latest' for "
                "the newest release in dist/releases/."
            ),
        ],
        new: Annotated[Path, typer.Argument(help="The newer build, likewise.")] = Path("dist"),
        fmt: Annotated[str, typer.Option("--format", "-f", help="markdown or json.")] = "markdown",
    ) -> None:
        """What changed between two builds: entities, memberships, dates, parties, sources.

        Examples:

          mpdkg diff latest dist   (since the newest release; make one with mpdkg release)

          mpdkg diff dist/releases/2026.11.29 dist
        """
        from mpdkg.errors import UsageError
        from mpdkg.publish.diff import diff_datasets, load_build
        from mpdkg.publish.release import latest_release

        with reported():
            if fmt not in ("markdown", "json"):
                raise UsageError(f"--format {fmt!r}: expected markdown or json")
            if old == "latest":
                from mpdkg import paths

                found = latest_release(Path("dist")) or latest_release(paths.default_dist())
                if found is None:
                    raise UsageError(
                        "no release in dist/releases/ yet: make one with mpdkg release --version YYYY.MM.DD"
                    )
                old_path = found
            else:
                old_path = Path(old)
                if not old_path.exists():
                    releases = Path("dist") / "releases"
                    known = sorted(p.name for p in releases.iterdir()) if releases.is_dir() else []
                    hint = (
                        f"releases here: {', '.join(known)}"
                        if known
                        else "no release here yet (mpdkg release makes one)"
                    )
                    raise UsageError(f"{old}: no such file or folder; {hint}")
            result = diff_datasets(load_build(old_path), load_build(new))
            text = result.to_json() if fmt == "json" else result.to_markdown(str(old_path), str(new))
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
        from mpdkg.pipeline import release as make_release

        with reported(), progress("release") as step:
            folder = make_release(out_dir, version, graph_dir, step)
        err.print(f"released {folder}", highlight=False)
