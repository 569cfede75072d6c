"""mpdkg import: regenerate one vendored open-data extract from a pinned upstream git snapshot."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from mpdkg.cli.common import err, out, reported


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_dataset(
        name: Annotated[
            str,
            typer.Argument(
                metavar="NAME", help="Dataset: cow-igo, manytrade, passport-index, unhcr or unvotes."
            ),
        ],
        source: Annotated[
            Path,
            typer.Option(
                "--from",
                metavar="PATH",
                help="A checkout or git directory (a clone's .git, a bare mirror) of the dataset's "
                "upstream repository; files are read from the commit, never from a work tree.",
            ),
        ],
        commit: Annotated[
            str | None,
            typer.Option(
                "--commit",
                help="Upstream commit to read. Default: the one pinned in OUT/NAME/MANIFEST.json, else HEAD.",
            ),
        ] = None,
        out_root: Annotated[
            Path | None,
            typer.Option("--out", metavar="DIR", help="Where NAME/ is written. Default: graph/open-data/."),
        ] = None,
        date: Annotated[
            str | None,
            typer.Option(
                "--date", help="Extraction date for the manifest, YYYY-MM-DD (default: today, UTC)."
            ),
        ] = None,
    ) -> None:
        """Write graph/open-data/NAME/ (CSV extracts and MANIFEST.json with SHA-256 and row counts)
        from one commit of the upstream repository; the folder is replaced as a whole.

        Example: mpdkg import manytrade --from /work/.mirror/globalgov+manytrade/repo
        """
        from mpdkg import paths
        from mpdkg.errors import UsageError
        from mpdkg.sources.importers import DATASETS, extract, git_dir_of, pinned_commit
        from mpdkg.sources.opendata import MANIFEST

        with reported():
            if name not in DATASETS:
                raise UsageError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
            root = out_root or paths.graph_dir() / "open-data"
            when = date or dt.datetime.now(dt.UTC).date().isoformat()
            try:
                dt.date.fromisoformat(when)
            except ValueError:
                raise UsageError(f"--date {when!r}: expected YYYY-MM-DD") from None
            pinned = commit or pinned_commit(name, root) or "HEAD"
            folder = extract(name, git_dir_of(source), pinned, root, when)
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            for entry in manifest["files"]:
                out.print(
                    f"{folder}/{entry['path']}: {entry['rows']} rows, {entry['bytes']} bytes", highlight=False
                )
            err.print(f"{name}: commit {manifest['upstream']['commit']}", highlight=False)
