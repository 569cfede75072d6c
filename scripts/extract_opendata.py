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

Only this script needs ``rdata`` (and the pandas it brings); the build and ``mpdkg.opendata``
read the vendored CSVs with the standard library.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from mpdkg.sources.opendata import MANIFEST, encode_csv, gzip_deterministic, sha256_bytes  # noqa: E402

#: Extracts whose CSV is larger than this are written gzipped; the rest stay plain for review.
GZIP_OVER = 5_000_000
#: csvtable's field limit; no vendored cell may be longer.
MAX_CELL = 100_000
CANADA = "CAN"


class ExtractionError(Exception):
    pass


# -- reading a snapshot ----------------------------------------------------------------------


class Snapshot:
    """One commit of an upstream git repository, read with git plumbing only."""

    def __init__(self, git_dir: Path, commit: str = "HEAD"):
        self.git_dir = Path(git_dir)
        if not self.git_dir.exists():
            raise ExtractionError(f"{git_dir}: no such git directory")
        self.commit = self._git("rev-parse", "--verify", f"{commit}^{{commit}}").decode().strip()
        self.inputs: list[dict[str, Any]] = []

    def _git(self, *args: str) -> bytes:
        done = subprocess.run(["git", f"--git-dir={self.git_dir}", *args], capture_output=True, check=False)
        if done.returncode != 0:
            raise ExtractionError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    @property
    def commit_date(self) -> str:
        return self._git("show", "-s", "--format=%cs", self.commit).decode().strip()

    def last_change(self, path: str) -> str:
        """The commit date (YYYY-MM-DD) of the last commit up to ours that changed ``path``."""
        return self._git("log", "-1", "--format=%cs", self.commit, "--", path).decode().strip()

    def listdir(self, path: str) -> list[tuple[str, str]]:
        """(name, "blob" or "tree") of the entries of a folder at the commit, sorted by name."""
        out = self._git("ls-tree", f"{self.commit}:{path}" if path else self.commit).decode()
        entries = []
        for line in out.splitlines():
            meta, name = line.split("\t", 1)
            entries.append((name, meta.split()[1]))
        return sorted(entries)

    def read(self, path: str, record: bool = True, **about: Any) -> bytes:
        """The bytes of one file at the commit; recorded as an input of the extraction."""
        try:
            data = self._git("cat-file", "blob", f"{self.commit}:{path}")
        except ExtractionError as exc:
            raise ExtractionError(
                f"{path} at {self.commit}: cannot be read ({exc}); a shallow or partial snapshot "
                "may lack large files"
            ) from exc
        if record:
            self.inputs.append({"path": path, "bytes": len(data), "sha256": sha256_bytes(data), **about})
        return data


def read_r(snapshot: Snapshot, path: str) -> dict[str, Any]:
    """The objects of an .rda file as pandas data frames (via rdata), recorded as an input."""
    try:
        import rdata
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ExtractionError(
            "reading R data files needs the optional dependency rdata: pip install -e '.[opendata]'"
        ) from exc
    data = snapshot.read(path, record=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Missing constructor for R class tbl_df": a data.frame it is
        try:
            objects = rdata.read_rda(io.BytesIO(data))
        except Exception as exc:
            raise ExtractionError(f"{path}: rdata cannot parse it ({type(exc).__name__}: {exc})") from exc
    about = {}
    for name, value in objects.items():
        if isinstance(value, dict):
            about[str(name)] = {str(k): {"rows": len(v), "columns": len(v.columns)} for k, v in value.items()}
        else:
            about[str(name)] = {"rows": len(value), "columns": len(value.columns)}
    snapshot.inputs.append(
        {"path": path, "bytes": len(data), "sha256": sha256_bytes(data), "r_objects": about}
    )
    return {str(k): v for k, v in objects.items()}


# -- turning values into cells ----------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, float) and math.isnan(value)


def cell(value: Any) -> str:
    """One value as the CSV writes it: missing → empty, integral floats without ``.0``."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return cell(value.item())
    text = str(value)
    if len(text) > MAX_CELL:
        raise ExtractionError(f"a cell of {len(text)} characters (more than {MAX_CELL})")
    return text


def column_type(values: Iterable[Any], empty: str = "str") -> str:
    """int when every present value is a whole number, float for other numbers, else str;
    ``empty`` when no value is present."""
    kind = None
    for value in values:
        if _missing(value):
            continue
        if hasattr(value, "item") and not isinstance(value, str):
            value = value.item()
        if isinstance(value, (bool, int)):
            kind = kind or "int"
        elif isinstance(value, float):
            if not value.is_integer():
                return "float"
            kind = kind or "int"
        else:
            return "str"
    return kind or empty


def frame_column_type(frame: Any, name: str) -> str:
    """The type of a data-frame column, from all its values (a numeric column with none is float)."""
    dtype = frame[name].dtype
    numeric = getattr(dtype, "kind", "O") in "biuf"
    return column_type(frame[name].tolist(), "float" if numeric else "str")


def r_date(days: Any) -> str:
    """An R Date (days since 1970-01-01, stored as a double) as ISO 8601."""
    if _missing(days):
        return ""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(days))).isoformat()


class Table:
    """Columns of cells plus their types, built from a data frame or from rows."""

    def __init__(self, header: Sequence[str], types: Sequence[str], rows: list[list[str]]):
        self.header = list(header)
        self.types = list(types)
        self.rows = rows

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        columns: Sequence[str] | None = None,
        dates: Sequence[str] = (),
        types_from: Any = None,
    ) -> Table:
        """The columns of ``frame`` as cells; each column's type is decided on ``types_from``
        (default ``frame``): on the whole upstream table when ``frame`` is a selection of it,
        so that a selection's types do not depend on which rows it happens to hold."""
        columns = list(columns or [str(c) for c in frame.columns])
        typed = frame if types_from is None else types_from
        cells = []
        types = []
        for name in columns:
            values = frame[name].tolist()
            if name in dates:
                cells.append([r_date(v) for v in values])
                types.append("date")
            else:
                cells.append([cell(v) for v in values])
                types.append(frame_column_type(typed, name))
        rows = [list(row) for row in zip(*cells, strict=True)] if cells else []
        return cls(columns, types, rows)


class Output:
    """The files of one dataset, written into a fresh folder, with their manifest entries."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: list[dict[str, Any]] = []

    def add(self, name: str, table: Table, description: str, source: Sequence[str] | str) -> None:
        data = encode_csv(table.header, table.rows)
        entry: dict[str, Any] = {"path": name}
        if len(data) > GZIP_OVER:
            entry["path"] = name + ".gz"
            entry["content_bytes"] = len(data)
            entry["content_sha256"] = sha256_bytes(data)
            data = gzip_deterministic(data)
        (self.folder / entry["path"]).write_bytes(data)
        entry.update(
            {
                "bytes": len(data),
                "sha256": sha256_bytes(data),
                "rows": len(table.rows),
                "columns": [{"name": n, "type": t} for n, t in zip(table.header, table.types, strict=True)],
                "source": [source] if isinstance(source, str) else list(source),
                "description": description,
            }
        )
        self.files.append(entry)


# -- UNHCR Refugee Population Statistics (PopulationStatistics/refugees) -----------------------

#: (R object, the categorical columns kept apart in the world totals, what a row counts)
UNHCR_TABLES = (
    ("solutions", (), "durable solutions in the year: resettlement arrivals, returns, naturalisations"),
    (
        "asylum_applications",
        ("procedure_type", "app_type", "dec_level", "app_pc"),
        "asylum applications lodged in the year",
    ),
    (
        "asylum_decisions",
        ("procedure_type", "dec_level", "dec_pc"),
        "decisions on asylum applications in the year",
    ),
    ("population", (), "stocks at the end of the year: refugees, asylum-seekers, IDPs, stateless, others"),
    ("flows", (), "new displacement in the year: refugee arrivals, new asylum applications, others"),
    ("demographics", None, "end-year stocks by sex, age and location (the latest year only)"),
)


def extract_unhcr(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    countries = read_r(snapshot, "data/countries.rda")["countries"]
    out.add(
        "countries.csv",
        Table.from_frame(countries),
        "UNHCR's country list: ISO 3166 alpha-3 code, UNHCR's own code, name, UNHCR and UN M49 regions",
        "data/countries.rda",
    )
    years = {}
    for name, dims, what in UNHCR_TABLES:
        frame = read_r(snapshot, f"data/{name}.rda")[name]
        canada = frame[(frame["coa_iso"] == CANADA) | (frame["coo_iso"] == CANADA)]
        out.add(
            f"{name}_canada.csv",
            Table.from_frame(canada, types_from=frame),
            f"{what}: every upstream row with Canada as country of asylum (coa_iso CAN) or of origin "
            "(coo_iso CAN), unchanged, in upstream order",
            f"data/{name}.rda",
        )
        years[name] = [int(frame["year"].min()), int(frame["year"].max())]
        if dims is None:
            continue
        keys = ["year", "coo_name", "coo", "coo_iso", *dims]
        measures = [
            str(c)
            for c in frame.columns
            if str(c) not in keys and str(c) not in ("coa_name", "coa", "coa_iso")
        ]
        grouped = frame.groupby(keys, dropna=False, sort=True)
        totals = grouped[measures].sum(min_count=1)
        totals["rows"] = grouped.size()
        totals = totals.reset_index()
        table = Table.from_frame(totals, [*keys, *measures, "rows"])
        out.add(
            f"{name}_world_by_origin.csv",
            table,
            f"{what}, summed over every country of asylum (Canada included) for each year and "
            f"country of origin{' and ' + ', '.join(dims) if dims else ''}; a measure is empty where "
            "every upstream row left it empty; rows = how many upstream rows were summed",
            f"data/{name}.rda",
        )
    return {"years_covered": years}


# -- UN General Assembly votes (dgrtwo/unvotes) ----------------------------------------------


def extract_unvotes(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    calls = read_r(snapshot, "data/un_roll_calls.rda")["un_roll_calls"]
    table = Table.from_frame(calls, dates=("date",))
    out.add(
        "roll_calls.csv",
        table,
        "one row per roll call: rcid, session, importantvote, date (ISO, from R's Date), unres "
        "(resolution code), amend, para, short and descr (the upstream text, unchanged)",
        "data/un_roll_calls.rda",
    )
    issues = read_r(snapshot, "data/un_roll_call_issues.rda")["un_roll_call_issues"]
    out.add(
        "roll_call_issues.csv",
        Table.from_frame(issues),
        "issue codes of roll calls (me, nu, di, hr, co, ec); a roll call may have none or several",
        "data/un_roll_call_issues.rda",
    )
    votes = read_r(snapshot, "data/un_votes.rda")["un_votes"]
    out.add(
        "votes.csv",
        Table.from_frame(votes),
        "one row per state and roll call: rcid, country (name), country_code (ISO 3166 alpha-2 "
        "as upstream made it, empty for three states), vote (yes, abstain, no)",
        "data/un_votes.rda",
    )
    dates = sorted(row[table.header.index("date")] for row in table.rows if row[table.header.index("date")])
    counts: dict[str, int] = {}
    for value in votes["vote"].tolist():
        counts[str(value)] = counts.get(str(value), 0) + 1
    return {
        "roll_calls": len(table.rows),
        "first_vote": dates[0],
        "last_vote": dates[-1],
        "sessions": [int(calls["session"].min()), int(calls["session"].max())],
        "votes_by_value": dict(sorted(counts.items())),
        **absences(snapshot, out, votes),
    }


#: Voeten's data as the package downloaded it in 2016 (sessions 1-70), with the full vote coding.
PUBLISHED_2016 = "data-raw/UNVotesPublished.RData"


def absences(snapshot: Snapshot, out: Output, votes: Any) -> dict[str, Any]:
    """The absences (Voeten code 8) that the package's un_votes leaves out, from the 2016 raw file.

    The 2021 raw file (data-raw/UNVotes2021.RData) is the one un_votes was built from, but it is
    often missing from snapshots (it is large); the 2016 file covers sessions 1-70. Its roll
    calls are checked against un_votes: the number of yes, abstain and no votes per roll call
    must be the same, and how many agree is recorded.
    """
    raw = read_r(snapshot, PUBLISHED_2016)
    frame = next(iter(raw.values()))
    absent = frame[frame["vote"] == 8]
    out.add(
        "absences_sessions_1_70.csv",
        Table.from_frame(absent, ["rcid", "session", "ccode", "vote"], types_from=frame),
        "every absence (Voeten vote code 8) in sessions 1-70 (1946-2015): rcid, session, ccode "
        "(the Correlates of War state number, see cow-igo/states.csv), vote (always 8); from the "
        "2016 raw file, since the package's un_votes keeps only yes, abstain and no",
        PUBLISHED_2016,
    )
    cast = {}
    for rcid in frame[frame["vote"] <= 3]["rcid"].tolist():
        cast[int(rcid)] = cast.get(int(rcid), 0) + 1
    package = {}
    for rcid in votes["rcid"].tolist():
        package[int(rcid)] = package.get(int(rcid), 0) + 1
    agree = sum(1 for rcid, n in cast.items() if package.get(rcid) == n)
    codes = {}
    for value in frame["vote"].tolist():
        codes[cell(value)] = codes.get(cell(value), 0) + 1
    return {
        "raw_2016_roll_calls": len(cast),
        "raw_2016_roll_calls_with_same_yes_abstain_no_count_as_un_votes": agree,
        "raw_2016_votes_by_code": dict(sorted(codes.items())),
    }


# -- Passport Index visa requirements (ilyankou/passport-index-dataset) ------------------------

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
    import csv

    rows: list[list[str]] = []
    per_snapshot = []
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


# -- Correlates of War IGO v3 (dieghernan/igoR) ----------------------------------------------

IGO_META = (
    "ioname", "orgname", "year", "sdate", "deaddate", "dead", "integrated", "replaced", "longorgname",
    "ionum", "igocode", "version", "accuracyofpre1965membershipdates", "sourcesandnotes", "imputed",
    "political", "social", "economic",
)  # fmt: skip
#: Status codes kept in the long membership file (the others are implied by absence).
IGO_KEPT = {1: "full", 2: "associate", 3: "observer", -9: "missing"}


def extract_cow_igo(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    states = read_r(snapshot, "data/states2016.rda")["states2016"]
    out.add(
        "states.csv",
        Table.from_frame(states),
        "the COW state system (2016): ccode, stateabb, statenme, the periods of statehood, and "
        "state, the column name that igoR's IGO-year table uses for the state",
        "data/states2016.rda",
    )
    igo = read_r(snapshot, "data/igo_year_format3.rda")["igo_year_format3"]
    state_cols = [str(c) for c in igo.columns if str(c) not in IGO_META]
    codes: dict[str, tuple[str, str]] = {}
    for state, ccode, abb in zip(
        states["state"].tolist(), states["ccode"].tolist(), states["stateabb"].tolist(), strict=True
    ):
        codes.setdefault(str(state), (cell(ccode), str(abb)))
    unknown = [c for c in state_cols if c not in codes]
    if unknown:
        raise ExtractionError(f"IGO-year columns with no state in states2016: {unknown}")
    meta = Table.from_frame(igo, [c for c in IGO_META if c in igo.columns])
    out.add(
        "igo_years.csv",
        meta,
        "one row per IGO and year with the IGO's own fields (names, start and end, dead, "
        "integrated, replaced, ionum, version, notes, political/social/economic), the "
        "membership columns left out (they are in memberships.csv)",
        "data/igo_year_format3.rda",
    )
    ionames = [cell(v) for v in igo["ioname"].tolist()]
    yearcol = [cell(v) for v in igo["year"].tolist()]
    rows: list[list[str]] = []
    counts: dict[str, int] = {}
    for state in state_cols:
        values = igo[state].tolist()
        for value in values:
            key = cell(value) or "NA"
            counts[key] = counts.get(key, 0) + 1
    columns = {state: igo[state].tolist() for state in state_cols}
    for index in range(len(ionames)):
        for state in state_cols:
            value = columns[state][index]
            if _missing(value) or int(value) not in IGO_KEPT:
                continue
            ccode, abb = codes[state]
            rows.append([ionames[index], yearcol[index], ccode, abb, state, str(int(value))])
    out.add(
        "memberships.csv",
        Table(
            ["ioname", "year", "ccode", "stateabb", "state", "status"],
            ["str", "int", "int", "str", "str", "int"],
            rows,
        ),
        "one row per IGO, year and state whose status is 1 (full member), 2 (associate), 3 "
        "(observer) or -9 (missing data), in upstream row order then state column order; a state "
        "absent for an IGO-year was 0 (not a member) or not in the state system (NA upstream)",
        "data/igo_year_format3.rda",
    )
    return {
        "years": [int(igo["year"].min()), int(igo["year"].max())],
        "igos": int(igo["ioname"].nunique()),
        "states": len(state_cols),
        "status_cells_upstream": dict(sorted(counts.items())),
    }


# -- Trade agreements (globalgov/manytrade) ----------------------------------------------------

BILATERAL = re.compile(r"^([A-Z]{3})-([A-Z]{3})\[")


def _parts(value: Any) -> list[str]:
    return [] if _missing(value) else [p for p in str(value).split(":") if p]


def extract_manytrade(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    agreements = read_r(snapshot, "data/agreements.rda")["agreements"]
    memberships = read_r(snapshot, "data/memberships.rda")["memberships"]
    ours: set[str] = set()
    for frame in memberships.values():
        canada = frame[frame["stateID"] == CANADA]
        for column in ("manyID", "treatyID"):
            for value in canada[column].tolist():
                ours.update(_parts(value))

    def why(many: Any, treaty: Any) -> str:
        parts = _parts(many) + _parts(treaty)
        if any(p in ours for p in parts):
            return "membership"
        for part in parts:
            match = BILATERAL.match(part)
            if match and CANADA in match.groups():
                return "bilateral-code"
        return ""

    agreement_cols: list[str] = []
    for frame in agreements.values():
        for column in frame.columns:
            if str(column) not in agreement_cols:
                agreement_cols.append(str(column))
    rows: list[list[str]] = []
    kinds: dict[int, list[Any]] = {i: [] for i in range(len(agreement_cols))}
    matched: set[str] = set()
    per_source = {}
    for source in sorted(agreements):
        frame = agreements[source]
        kept = 0
        lists = {str(c): frame[c].tolist() for c in frame.columns}
        for index in range(len(frame)):
            reason = why(lists["manyID"][index], lists.get("treatyID", [None] * len(frame))[index])
            if not reason:
                continue
            matched.update(_parts(lists["manyID"][index]))
            if "treatyID" in lists:
                matched.update(_parts(lists["treatyID"][index]))
            values = [lists[c][index] if c in lists else None for c in agreement_cols]
            for i, v in enumerate(values):
                kinds[i].append(v)
            rows.append([source, reason, *[cell(v) for v in values]])
            kept += 1
        per_source[source] = {"upstream_rows": len(frame), "rows": kept}
    types = ["str", "str", *[column_type(kinds[i]) for i in range(len(agreement_cols))]]
    out.add(
        "canada_agreements.csv",
        Table(["dataset", "match", *agreement_cols], types, rows),
        "every agreement row, from each of manytrade's agreement datasets, that Canada is party to: "
        "match = membership (Canada, stateID CAN, in one of the membership datasets for that "
        "manyID or treatyID) or bilateral-code (a manyID/treatyID of the form CAN-XXX[..] or "
        "XXX-CAN[..]); cells unchanged (dates are upstream text)",
        "data/agreements.rda",
    )
    member_cols: list[str] = []
    for frame in memberships.values():
        for column in frame.columns:
            if str(column) not in member_cols:
                member_cols.append(str(column))
    mrows: list[list[str]] = []
    mkinds: dict[int, list[Any]] = {i: [] for i in range(len(member_cols))}
    per_member_source = {}
    for source in sorted(memberships):
        frame = memberships[source]
        lists = {str(c): frame[c].tolist() for c in frame.columns}
        kept = 0
        for index in range(len(frame)):
            parts = _parts(lists["manyID"][index]) + _parts(lists["treatyID"][index])
            if not any(p in matched for p in parts):
                continue
            values = [lists[c][index] if c in lists else None for c in member_cols]
            for i, v in enumerate(values):
                mkinds[i].append(v)
            mrows.append([source, *[cell(v) for v in values]])
            kept += 1
        per_member_source[source] = {"upstream_rows": len(frame), "rows": kept}
    out.add(
        "canada_agreement_parties.csv",
        Table(
            ["dataset", *member_cols],
            ["str", *[column_type(mkinds[i]) for i in range(len(member_cols))]],
            mrows,
        ),
        "every membership row (every party, not only Canada) of the agreements in "
        "canada_agreements.csv, from manytrade's membership datasets, cells unchanged",
        "data/memberships.rda",
    )
    return {"agreement_rows": per_source, "membership_rows": per_member_source}


# -- the datasets ------------------------------------------------------------------------------

CC_BY = {"name": "CC BY 4.0", "spdx": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
MIT = {"name": "MIT", "spdx": "MIT", "url": "https://opensource.org/license/mit"}

DATASETS: dict[str, dict[str, Any]] = {
    "unhcr": {
        "repository": "PopulationStatistics/refugees",
        "extract": extract_unhcr,
        "title": "UNHCR Refugee Population Statistics Database (R package refugees)",
        "publisher": "Office of the United Nations High Commissioner for Refugees (UNHCR)",
        "licence": {
            **CC_BY,
            "note": "DESCRIPTION: License: CC BY 4.0; LICENSE.md holds the CC BY 4.0 legal code",
        },
        "citation": (
            "UNHCR Refugee Population Statistics Database, UNHCR Refugee Data Finder, "
            "https://www.unhcr.org/refugee-statistics/ (R package refugees, version {version}, "
            "https://github.com/PopulationStatistics/refugees). Licensed under CC BY 4.0."
        ),
        "version_file": "DESCRIPTION",
    },
    "unvotes": {
        "repository": "dgrtwo/unvotes",
        "extract": extract_unvotes,
        "title": "United Nations General Assembly roll-call votes (R package unvotes, from Voeten's data)",
        "publisher": "David Robinson (package); Erik Voeten et al. (data, Harvard Dataverse hdl:1902.1/12379)",
        "licence": {
            **MIT,
            "note": "the package is MIT (LICENSE: YEAR 2016, COPYRIGHT HOLDER David Robinson); its "
            "data-raw/README.md says the Dataverse files are dedicated to the public domain (CC0)",
        },
        "citation": (
            'Erik Voeten, "Data and Analyses of Voting in the UN General Assembly", Routledge Handbook '
            "of International Organization, edited by Bob Reinalda (published May 27, 2013); data: "
            "Voeten, Strezhnev and Bailey, United Nations General Assembly Voting Data, Harvard "
            "Dataverse, https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379; "
            "via David Robinson, unvotes: United Nations General Assembly Voting Data (R package, "
            "version {version}), https://github.com/dgrtwo/unvotes."
        ),
        "version_file": "DESCRIPTION",
    },
    "passport-index": {
        "repository": "ilyankou/passport-index-dataset",
        "extract": extract_passport,
        "title": "Passport Index dataset: travel visa requirements for 199 countries",
        "publisher": "Ilya Ilyankou (dataset); source Passport Index, https://www.passportindex.org",
        "licence": {
            **MIT,
            "note": "README: 'feel free to use the dataset under the MIT license'; LICENSE is MIT",
        },
        "citation": (
            "Ilya Ilyankou, Passport Index Dataset, https://github.com/ilyankou/passport-index-dataset "
            "(MIT), from Passport Index, https://www.passportindex.org."
        ),
    },
    "cow-igo": {
        "repository": "dieghernan/igoR",
        "extract": extract_cow_igo,
        "title": "Correlates of War Intergovernmental Organizations data, version 3 (via the R package igoR)",
        "publisher": "The Correlates of War Project (data); Diego Hernangómez (igoR package)",
        "licence": {
            "name": "Correlates of War terms of use (free for use with citation)",
            "url": "https://correlatesofwar.org/data-sets/igos/",
            "note": "the data are © 2000-2021 the Correlates of War Project (inst/COPYRIGHTS): users are "
            "asked to give the version number and cite Pevehouse et al. (2020); the igoR package code "
            "is GPL (>= 3) and none of it is vendored",
        },
        "citation": (
            "Pevehouse, Jon C.W., Timothy Nordstrom, Roseanne W. McManus and Anne Spencer Jamison. 2020. "
            '"Tracking Organizations in the World: The Correlates of War IGO Version 3.0 datasets." '
            "Journal of Peace Research 57(3): 492-503, doi:10.1177/0022343319881175. Original data: "
            'Wallace, Michael and J. David Singer. 1970. "Intergovernmental Organization in the Global '
            'System, 1815-1964." International Organization 24: 239-87. Distributed with Diego '
            "Hernangómez, igoR (R package, version {version}), doi:10.32614/CRAN.package.igoR."
        ),
        "version_file": "DESCRIPTION",
    },
    "manytrade": {
        "repository": "globalgov/manytrade",
        "extract": extract_manytrade,
        "title": "manytrade: international trade agreements for manydata (DESTA, GPTAD, LABPTA, TOTA, TREND, HUGGO, AIGGO)",
        "publisher": "James Hollway et al., Geneva Graduate Institute (IHEID), globalgov",
        "licence": {
            **CC_BY,
            "note": "DESCRIPTION says License: CC BY 4.0 (the data); the repository's LICENSE.md is the "
            "AGPL-3 text (the package code, none of which is vendored); the component datasets ask to "
            "be cited themselves (data-raw/*/*.bib)",
        },
        "citation": (
            "J. Hollway. manytrade: International Trade Agreements for manydata. 2021. "
            "https://github.com/globalgov/manytrade (version {version}). Cite also the component "
            "datasets used, e.g. DESTA: Dür, Baccini and Elsig (2014), The Design of International "
            "Trade Agreements: Introducing a New Dataset, Review of International Organizations 9(3)."
        ),
        "version_file": "DESCRIPTION",
    },
}


def _version(snapshot: Snapshot, spec: dict[str, Any]) -> str:
    if "version_file" not in spec:
        return ""
    try:
        text = snapshot.read(spec["version_file"], record=False).decode("utf-8", errors="replace")
    except ExtractionError:
        return ""
    match = re.search(r"^Version:\s*(\S+)", text, re.MULTILINE)
    return match.group(1) if match else ""


def extract(name: str, git_dir: Path, commit: str, out_root: Path, date: str) -> Path:
    """Extract one dataset into ``out_root/name`` (replacing it) and return that folder."""
    if name not in DATASETS:
        raise ExtractionError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    spec = DATASETS[name]
    snapshot = Snapshot(git_dir, commit)
    version = _version(snapshot, spec)
    out_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out_root))
    work.chmod(0o755)
    try:
        output = Output(work)
        extractor: Callable[[Snapshot, Output], dict[str, Any]] = spec["extract"]
        facts = extractor(snapshot, output)
        manifest = {
            "dataset": name,
            "title": spec["title"],
            "publisher": spec["publisher"],
            "upstream": {
                "repository": spec["repository"],
                "url": f"https://github.com/{spec['repository']}",
                "commit": snapshot.commit,
                "commit_date": snapshot.commit_date,
                **({"package_version": version} if version else {}),
            },
            "licence": spec["licence"],
            "citation": spec["citation"].format(version=version or "unknown"),
            "extracted": date,
            "command": (
                f".venv/bin/python scripts/extract_opendata.py {name} --git-dir GIT_DIR "
                f"--commit {snapshot.commit} --date {date}"
                f"  # GIT_DIR: a clone of https://github.com/{spec['repository']} (its .git)"
            ),
            "inputs": snapshot.inputs,
            "facts": facts,
            "files": output.files,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        (work / MANIFEST).write_text(text, encoding="utf-8")
        target = out_root / name
        if target.exists():
            old = out_root / f".{name}.old"
            if old.exists():
                shutil.rmtree(old)
            target.rename(old)
            work.rename(target)
            shutil.rmtree(old)
        else:
            work.rename(target)
        return target
    finally:
        if work.exists():
            shutil.rmtree(work)


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
