"""Trade agreements (globalgov/manytrade): every agreement row Canada is party to, from each of the
agreement datasets, and every party of those agreements from the membership datasets."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mpdkg.sources.importers.base import CANADA, Output, Snapshot, Table, cell, column_type, missing, read_r

BILATERAL = re.compile(r"^([A-Z]{3})-([A-Z]{3})\[")

#: (the data frame's columns as lists, a row index) -> the row's prefix cells, or None to leave it out
Keep = Callable[[dict[str, list[Any]], int], list[str] | None]


def _parts(value: Any) -> list[str]:
    return [] if missing(value) else [p for p in str(value).split(":") if p]


def _ids(lists: dict[str, list[Any]], index: int, *, treaty_optional: bool = False) -> list[str]:
    treaty = lists.get("treatyID") if treaty_optional else lists["treatyID"]
    return _parts(lists["manyID"][index]) + (_parts(treaty[index]) if treaty is not None else [])


def _canada_ids(memberships: dict[str, Any]) -> set[str]:
    """Every manyID and treatyID of a membership row whose stateID is Canada's."""
    ours: set[str] = set()
    for frame in memberships.values():
        canada = frame[frame["stateID"] == CANADA]
        for column in ("manyID", "treatyID"):
            for value in canada[column].tolist():
                ours.update(_parts(value))
    return ours


def _match(parts: list[str], ours: set[str]) -> str:
    """Why an agreement is Canada's: "membership", "bilateral-code", or "" when it is not."""
    if any(p in ours for p in parts):
        return "membership"
    for part in parts:
        found = BILATERAL.match(part)
        if found and CANADA in found.groups():
            return "bilateral-code"
    return ""


def _columns(frames: dict[str, Any]) -> list[str]:
    """The union of the frames' columns, in first-seen order."""
    columns: list[str] = []
    for frame in frames.values():
        for column in frame.columns:
            if str(column) not in columns:
                columns.append(str(column))
    return columns


def _select(
    frames: dict[str, Any], columns: list[str], keep: Keep
) -> tuple[list[list[str]], list[str], dict[str, dict[str, int]]]:
    """The kept rows of every frame (sources in name order, rows in upstream order) as the prefix
    cells plus ``columns``, the columns' types, and upstream/kept row counts per source."""
    rows: list[list[str]] = []
    kinds: list[list[Any]] = [[] for _ in columns]
    per_source = {}
    for source in sorted(frames):
        frame = frames[source]
        lists = {str(c): frame[c].tolist() for c in frame.columns}
        kept = 0
        for index in range(len(frame)):
            prefix = keep(lists, index)
            if prefix is None:
                continue
            values = [lists[c][index] if c in lists else None for c in columns]
            for i, v in enumerate(values):
                kinds[i].append(v)
            rows.append([source, *prefix, *[cell(v) for v in values]])
            kept += 1
        per_source[source] = {"upstream_rows": len(frame), "rows": kept}
    return rows, [column_type(k) for k in kinds], per_source


def extract_manytrade(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    agreements = read_r(snapshot, "data/agreements.rda")["agreements"]
    memberships = read_r(snapshot, "data/memberships.rda")["memberships"]
    ours = _canada_ids(memberships)
    matched: set[str] = set()

    def canada_agreement(lists: dict[str, list[Any]], index: int) -> list[str] | None:
        parts = _ids(lists, index, treaty_optional=True)
        reason = _match(parts, ours)
        if not reason:
            return None
        matched.update(parts)
        return [reason]

    agreement_cols = _columns(agreements)
    rows, types, per_source = _select(agreements, agreement_cols, canada_agreement)
    out.add(
        "canada_agreements.csv",
        Table(["dataset", "match", *agreement_cols], ["str", "str", *types], rows),
        "every agreement row, from each of manytrade's agreement datasets, that Canada is party to: "
        "match = membership (Canada, stateID CAN, in one of the membership datasets for that "
        "manyID or treatyID) or bilateral-code (a manyID/treatyID of the form CAN-XXX[..] or "
        "XXX-CAN[..]); cells unchanged (dates are upstream text)",
        "data/agreements.rda",
    )

    def party_of_matched(lists: dict[str, list[Any]], index: int) -> list[str] | None:
        return [] if any(p in matched for p in _ids(lists, index)) else None

    member_cols = _columns(memberships)
    mrows, mtypes, per_member_source = _select(memberships, member_cols, party_of_matched)
    out.add(
        "canada_agreement_parties.csv",
        Table(["dataset", *member_cols], ["str", *mtypes], mrows),
        "every membership row (every party, not only Canada) of the agreements in "
        "canada_agreements.csv, from manytrade's membership datasets, cells unchanged",
        "data/memberships.rda",
    )
    return {"agreement_rows": per_source, "membership_rows": per_member_source}
