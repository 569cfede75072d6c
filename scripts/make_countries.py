"""Generate graph/countries.csv, the ISO 3166-1 countries the graph refers to.

Why this exists: every membership, agreement and engagement names countries by
ISO 3166-1 alpha-3 code, so the build needs one authoritative list of valid codes,
with names, UN M49 regions and Wikidata ids. Curators never edit that list by hand;
this script derives it reproducibly from three inputs and no network:

- ``pycountry`` (Debian iso-codes data) for the ISO 3166-1 codes and names
  (source ``ctry-iso3166``);
- ``graph/reference/m49.csv`` for the UN M49 regions (source ``ctry-m49``);
- ``graph/reference/wikidata.csv`` for the Wikidata ids (source ``ctry-wikidata``).

The same inputs always give the same bytes: rows are sorted by alpha-3 code and
written with Unix line endings. Run it from anywhere:
``python scripts/make_countries.py``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "graph"
M49_CSV = GRAPH / "reference" / "m49.csv"
WIKIDATA_CSV = GRAPH / "reference" / "wikidata.csv"
OUTPUT_CSV = GRAPH / "countries.csv"

M49_HEADER = [
    "alpha3",
    "m49_code",
    "region",
    "region_code",
    "subregion",
    "subregion_code",
    "intermediate_region",
    "intermediate_region_code",
]
WIKIDATA_HEADER = ["alpha3", "wikidata"]
HEADER = [
    "alpha3",
    "alpha2",
    "numeric",
    "name",
    "official_name",
    "region",
    "subregion",
    "intermediate_region",
    "wikidata",
    "source",
]

SOURCE_ISO = "ctry-iso3166"
SOURCE_M49 = "ctry-m49"
SOURCE_WIKIDATA = "ctry-wikidata"


def read_reference(path: Path, header: list[str], iso: set[str]) -> dict[str, dict[str, str]]:
    """Read a reference CSV keyed by alpha-3 code, rejecting anything unexpected."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != header:
            raise SystemExit(f"{path}: header must be {','.join(header)}")
        rows: dict[str, dict[str, str]] = {}
        for row in reader:
            code = row["alpha3"]
            where = f"{path}:{reader.line_num}"
            if code not in iso:
                raise SystemExit(f"{where}: {code!r} is not an ISO 3166-1 alpha-3 code")
            if code in rows:
                raise SystemExit(f"{where}: {code} appears twice")
            rows[code] = row
    return rows


def build_rows() -> list[list[str]]:
    """Join pycountry with the two reference files, one row per ISO 3166-1 entry."""
    countries = sorted(pycountry.countries, key=lambda country: country.alpha_3)
    iso = {country.alpha_3 for country in countries}
    m49 = read_reference(M49_CSV, M49_HEADER, iso)
    wikidata = read_reference(WIKIDATA_CSV, WIKIDATA_HEADER, iso)

    rows = []
    for country in countries:
        code = country.alpha_3
        sources = [SOURCE_ISO]
        regions = m49.get(code)
        if regions is not None:
            if regions["m49_code"] != country.numeric:
                raise SystemExit(
                    f"{M49_CSV}: {code} has M49 code {regions['m49_code']}, ISO numeric is {country.numeric}"
                )
            sources.append(SOURCE_M49)
        qid = wikidata.get(code, {}).get("wikidata", "")
        if qid:
            sources.append(SOURCE_WIKIDATA)
        rows.append(
            [
                code,
                country.alpha_2,
                country.numeric,
                country.name,
                getattr(country, "official_name", ""),
                regions["region"] if regions else "",
                regions["subregion"] if regions else "",
                regions["intermediate_region"] if regions else "",
                qid,
                ";".join(sources),
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Write the countries CSV and report how many rows it has."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT_CSV, help="where to write the CSV")
    args = parser.parse_args(argv)

    rows = build_rows()
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} countries to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
