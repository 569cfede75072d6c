"""Correlates of War IGO data v3 (dieghernan/igoR): states, IGO-years and the long membership table."""

from __future__ import annotations

from typing import Any

from mpdkg.sources.importers.base import ExtractionError, Output, Snapshot, Table, cell, missing, read_r

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
            if missing(value) or int(value) not in IGO_KEPT:
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
