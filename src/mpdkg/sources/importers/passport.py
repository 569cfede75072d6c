"""Passport Index visa requirements (ilyankou/passport-index-dataset): CSV only, no optional dependency."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from mpdkg.sources.importers.base import CANADA, ExtractionError, Output, Snapshot, Table

TIDY = "passport-index-tidy-iso3.csv"
DAYS = re.compile(r"^[0-9]+$")
#: Scheme of 2019 snapshots (column "Code"): the README of the time gives these meanings.
CODES_2019 = {"3": "visa-free", "2": "visa-on-arrival", "1": "eta", "0": "visa-required", "-1": "self"}
#: Scheme of early 2020 snapshots (column "Code"): abbreviations, or a number of visa-free days.
ABBREVIATIONS = {
    "VF": "visa-free",
    "VOA": "visa-on-arrival",
    "ETA": "eta",
    "VR": "visa-required",
    "-1": "self",
}
#: Scheme from November 2020 (column "Requirement"): words, or a number of visa-free days.
WORDS = {
    "visa free": "visa-free",
    "visa on arrival": "visa-on-arrival",
    "eta": "eta",
    "e-visa": "e-visa",
    "visa required": "visa-required",
    "no admission": "no-admission",
    "covid ban": "covid-ban",
    "hayya entry permit": "hayya-entry-permit",
    "-1": "self",
}


def passport_snapshots(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(date, path) of every dated tidy ISO-3 file: each legacy/<date>/ and the top-level file."""
    found = []
    names = dict(snapshot.listdir(""))
    if "legacy" in names:
        for name, kind in snapshot.listdir("legacy"):
            if kind == "tree" and re.fullmatch(r"\d{4}-\d\d-\d\d", name):
                inside = dict(snapshot.listdir(f"legacy/{name}"))
                if TIDY in inside:
                    found.append((name, f"legacy/{name}/{TIDY}"))
    if TIDY in names:
        date = snapshot.last_change(TIDY)
        if date not in {d for d, _ in found}:
            found.append((date, TIDY))
    return sorted(found)


def requirement(value: str, scheme: dict[str, str], where: str) -> tuple[str, str]:
    """(normalised requirement, visa-free days or "") of one upstream value."""
    key = value.strip()
    if scheme is not CODES_2019 and DAYS.match(key) and int(key) > 0:
        return "visa-free", str(int(key))
    lookup = key.lower() if scheme is WORDS else key
    if lookup not in scheme:
        raise ExtractionError(f"{where}: unknown requirement value {value!r}")
    return scheme[lookup], ""


def extract_passport(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    rows: list[list[str]] = []
    per_snapshot: list[dict[str, Any]] = []
    for date, path in passport_snapshots(snapshot):
        data = snapshot.read(path, snapshot_date=date)
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        header = next(reader)
        if header[:2] != ["Passport", "Destination"] or len(header) != 3:
            raise ExtractionError(f"{path}: unexpected header {header}")
        upstream = [r for r in reader if r]
        values = {r[2].strip() for r in upstream}
        if header[2] == "Requirement":
            scheme, scheme_name = WORDS, "words"
        elif values <= set(CODES_2019):
            scheme, scheme_name = CODES_2019, "codes 0-3"
        else:
            scheme, scheme_name = ABBREVIATIONS, "abbreviations"
        kept = 0
        for line, (passport, destination, value) in enumerate(upstream, start=2):
            if CANADA not in (passport, destination):
                continue
            category, days = requirement(value, scheme, f"{path}:{line}")
            rows.append([date, passport, destination, value, category, days])
            kept += 1
        per_snapshot.append(
            {
                "date": date,
                "path": path,
                "column": header[2],
                "scheme": scheme_name,
                "upstream_rows": len(upstream),
                "rows": kept,
            }
        )
    if not rows:
        raise ExtractionError(f"no {TIDY} with Canada found at {snapshot.commit}")
    table = Table(
        ["snapshot", "passport", "destination", "value", "requirement", "days"],
        ["date", "str", "str", "str", "str", "int"],
        rows,
    )
    out.add(
        "canada_visa_requirements.csv",
        table,
        "for every dated snapshot, every row where Canada is the passport (what Canadians need) or "
        "the destination (what Canada asks of each nationality): the upstream value unchanged, its "
        "normalised requirement and the visa-free days where the value is a number",
        [p["path"] for p in per_snapshot],
    )
    return {"snapshots": per_snapshot}
