"""Regenerate the vendored open-data extracts in graph/open-data/<dataset>/ from an upstream git snapshot.

    .venv/bin/pip install -e '.[opendata]'          # rdata, for the R data files
    .venv/bin/python scripts/extract_opendata.py unhcr --git-dir PATH/refugees/.git \\
        --commit 0c16a6d0c2f37d8578f9b9e3d1e4459efe850398 --date 2026-12-02

DATASET is one of: unhcr, unvotes, passport-index, cow-igo, manytrade (``--list`` says which
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

One extract is made here, after the importer (issue #16): ``unhcr/population_by_asylum.csv``,
the population hosted by every country of asylum per year (all origins summed), which the
protection layer of the influence analysis reads ("refugees hosted"). It is added to the
manifest the importer wrote, from the same commit's ``data/population.rda`` (already recorded as
an input). ``mpdkg import unhcr`` does not make it yet: moving :func:`add_unhcr_hosted` into
``mpdkg.sources.importers.unhcr`` is left to that module's owner (see /work/notes/hosted.md).
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

from mpdkg.sources.importers import DATASETS, ExtractionError, Output, Snapshot, Table  # noqa: E402
from mpdkg.sources.importers import extract as extract_dataset  # noqa: E402
from mpdkg.sources.opendata import MANIFEST  # noqa: E402

__all__ = ["DATASETS", "HOSTED", "ExtractionError", "add_unhcr_hosted", "extract", "main"]

#: The population hosted by each country of asylum: the measures that count people from abroad
#: (refugees under UNHCR's mandate, asylum-seekers, other people in need of international
#: protection). IDPs, returnees, stateless people, others of concern and host communities are
#: not people hosted from abroad and stay in population_canada.csv and the world totals by origin.
HOSTED = ("refugees", "asylum_seekers", "oip")
HOSTED_FILE = "population_by_asylum.csv"


def add_unhcr_hosted(folder: Path, git_dir: Path) -> None:
    """Add ``population_by_asylum.csv`` to the UNHCR folder the importer wrote: the end-year
    population hosted by every country of asylum, summed over all countries of origin per year
    and country of asylum (sorted by both), with ``rows`` = upstream rows summed; a measure is
    empty where every upstream row left it empty. The manifest gets the file's entry (SHA-256,
    rows, columns); its inputs already list data/population.rda."""
    from mpdkg.sources.importers.base import read_r

    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    snapshot = Snapshot(git_dir, manifest["upstream"]["commit"])  # the commit the importer read
    frame = read_r(snapshot, "data/population.rda")["population"]
    keys = ["year", "coa_name", "coa", "coa_iso"]
    measures = [m for m in HOSTED if m in frame.columns]  # oip is recent; an older release lacks it
    if not measures:
        raise ExtractionError(f"data/population.rda has none of the hosted columns {', '.join(HOSTED)}")
    grouped = frame.groupby(keys, dropna=False, sort=True)
    totals = grouped[measures].sum(min_count=1)
    totals["rows"] = grouped.size()
    table = Table.from_frame(totals.reset_index(), [*keys, *measures, "rows"])
    out = Output(folder)
    out.add(
        HOSTED_FILE,
        table,
        "population hosted at the end of the year by each country of asylum: refugees under UNHCR's "
        "mandate, asylum-seekers and other people in need of international protection (oip), summed "
        "over every country of origin for each year and country of asylum; a measure is empty where "
        "every upstream row left it empty; rows = how many upstream rows were summed",
        "data/population.rda",
    )
    manifest["files"] = [f for f in manifest["files"] if f["path"] != HOSTED_FILE] + out.files
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    manifest_path.write_text(text, encoding="utf-8")


def extract(name: str, git_dir: Path, commit: str, out_root: Path, date: str) -> Path:
    """The importer's extraction of one dataset, plus the hosted population for ``unhcr``."""
    folder = extract_dataset(name, git_dir, commit, out_root, date)
    if name == "unhcr":
        add_unhcr_hosted(folder, git_dir)
    return folder


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
