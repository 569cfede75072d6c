"""Regenerate the vendored open-data extracts in graph/open-data/<dataset>/ from an upstream git snapshot.

    .venv/bin/pip install -e '.[opendata]'          # rdata, for the R data files
    .venv/bin/python scripts/extract_opendata.py unhcr --git-dir PATH/refugees/.git \\
        --commit 0c16a6d0c2f37d8578f9b9e3d1e4459efe850398 --date 2026-12-02

DATASET is one of: unhcr, unvotes, passport-index, cow-igo, manytrade, ircc (``--list`` says which
upstream repository each comes from). ``--git-dir`` is the git directory of a clone (or a bare
mirror) of that repository; ``--commit`` the commit to read (default HEAD, recorded as 40 hex).
Files are read with ``git cat-file`` from that commit, never from a work tree, so what is
extracted is exactly what the commit holds.

The output is deterministic: the same commit and ``--date`` give byte-identical CSVs and
manifest (rows in upstream order or sorted by key, numbers written the same way, gzip without
name or time stamp). ``--date`` (default: today, UTC) is the extraction date written into the
manifest; the CSVs do not depend on it. The dataset folder is replaced as a whole, so a file
the new extraction no longer makes does not linger.

The importers live in ``mpdkg.sources.importers`` (``mpdkg import NAME --from PATH`` runs them
too); this script is a thin wrapper kept for the command recorded in the manifests. Only the
importers need ``rdata`` (and the pandas it brings); the build and ``mpdkg.opendata``
read the vendored CSVs with the standard library.

"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from mpdkg.sources.importers import DATASETS, ExtractionError  # noqa: E402
from mpdkg.sources.importers import extract as extract_dataset  # noqa: E402
from mpdkg.sources.opendata import MANIFEST  # noqa: E402

__all__ = ["DATASETS", "ExtractionError", "extract", "main"]


def extract(name: str, git_dir: Path, commit: str, out_root: Path, date: str) -> Path:
    """The importer's extraction of one dataset (``mpdkg import`` runs the same)."""
    return extract_dataset(name, git_dir, commit, out_root, date)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", help=", ".join(DATASETS))
    parser.add_argument("--git-dir", type=Path, help="git directory of a clone of the upstream repository")
    parser.add_argument("--commit", default="HEAD", help="commit to read (default HEAD)")
    parser.add_argument(
        "--out", type=Path, default=HERE.parent / "graph" / "open-data", help="default: graph/open-data/"
    )
    today = dt.datetime.now(dt.UTC).date().isoformat()
    parser.add_argument(
        "--date", default=today, help="extraction date for the manifest (default: today, UTC)"
    )
    parser.add_argument("--list", action="store_true", help="list the datasets and their repositories")
    args = parser.parse_args(argv)
    if args.list or not args.dataset:
        for name, spec in DATASETS.items():
            print(f"{name:16} https://github.com/{spec['repository']}")
        return 0 if args.list else 2
    if args.git_dir is None:
        parser.error("--git-dir is required")
    try:
        dt.date.fromisoformat(args.date)
        folder = extract(args.dataset, args.git_dir, args.commit, args.out, args.date)
    except (ExtractionError, ValueError) as exc:
        print(f"extract_opendata: {exc}", file=sys.stderr)
        return 1
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        print(f"{folder.name}/{entry['path']}: {entry['rows']} rows, {entry['bytes']} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
