"""Reading one curated CSV file into rows that know their line numbers, collecting every problem
(bad encoding, malformed CSV, unknown or missing columns, invisible characters) instead of
stopping at the first.

A problem that makes a whole file unreadable is a root cause (``Problem.root``), reported before
the problems that follow from the file's missing facts.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mpdkg.errors import Origin, Problem

MAX_FIELD = 100_000
csv.field_size_limit(MAX_FIELD)

#: Bidirectional overrides, embeddings and isolates, and the implicit direction marks: they
#: make text display in another order than it is stored ("Trojan Source", CVE-2021-42574).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
#: Invisible characters: two labels that look the same would differ.
ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")


def invisible_characters(value: str) -> list[str]:
    """What is wrong with ``value``'s bidirectional controls and zero-width characters, one
    phrase per distinct character, e.g. 'U+202E RIGHT-TO-LEFT OVERRIDE (a bidirectional control)'."""
    found = []
    for pattern, what in ((BIDI_CONTROLS, "a bidirectional control"), (ZERO_WIDTH, "a zero-width character")):
        for char in sorted(set(pattern.findall(value))):
            found.append(f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')} ({what})")
    return found


@dataclass(frozen=True)
class Row:
    origin: Origin
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass(frozen=True)
class Columns:
    """The columns a kind of file has: those that must be in the header, and those that may."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


def _decoded(path: Path, display: str, problems: list[Problem]) -> str | None:
    """The file's text, or None with a root Problem (unreadable, not UTF-8, binary)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(Origin(display, 0), f"cannot read file: {exc.strerror}", root=True))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                Origin(display, line),
                f"not valid UTF-8 (byte {raw[exc.start]:#04x}); save the file as UTF-8",
                root=True,
            )
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(
            Problem(Origin(display, line), "contains a NUL character; not a text file", root=True)
        )
        return None
    return text


def _header_ok(header: list[str], columns: Columns, origin: Origin, problems: list[Problem]) -> bool:
    """Unknown, missing and repeated columns, each a root Problem; True when there are none."""
    unknown = [c for c in header if c not in columns.all]
    missing = [c for c in columns.required if c not in header]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for c in unknown:
        problems.append(
            Problem(origin, f"unknown column {c!r}; expected columns: {', '.join(columns.all)}", root=True)
        )
    for c in missing:
        problems.append(Problem(origin, f"missing column {c!r}", root=True))
    for c in dupes:
        problems.append(Problem(origin, f"column {c!r} appears twice", root=True))
    return not (unknown or missing or dupes)


def _invisible(header: list[str], cells: list[str], origin: Origin, problems: list[Problem]) -> None:
    for column, value in zip(header, cells, strict=True):
        for what in invisible_characters(value):
            problems.append(
                Problem(origin, f"{column} contains {what}, which is invisible or "
                        "reorders the text on screen; remove it")
            )  # fmt: skip


def _records(text: str, display: str, problems: list[Problem]) -> Iterator[tuple[int, list[str] | None]]:
    """(first line, cells) of every record that is not blank or a # comment; at malformed CSV, a
    root Problem and a last record without cells."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next_line = 1
    while True:
        start = next_line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(
                Problem(Origin(display, reader.line_num or start), f"malformed CSV: {exc}", root=True)
            )
            yield start, None
            return
        next_line = reader.line_num + 1
        if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        yield start, cells


def read_table(path: Path, columns: Columns, display: str, problems: list[Problem]) -> Iterator[Row]:
    """Yield the data rows of ``path``; append a Problem for everything wrong with it."""
    text = _decoded(path, display, problems)
    if text is None:
        return
    header: list[str] | None = None
    # the cells are searched one by one only in a file that has such a character at all
    suspect = BIDI_CONTROLS.search(text) is not None or ZERO_WIDTH.search(text) is not None
    for start, cells in _records(text, display, problems):
        if cells is None:
            return  # malformed: reported, and the rest of the file cannot be read
        origin = Origin(display, start)
        if header is None:
            header = [c.strip() for c in cells]
            if not _header_ok(header, columns, origin, problems):
                return
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    origin,
                    f"has {len(cells)} fields but the header has {len(header)}"
                    " (quote values that contain a comma)",
                )
            )
            continue
        if suspect:
            _invisible(header, cells, origin, problems)
        yield Row(origin, dict(zip(header, cells, strict=True)))
    if header is None:
        problems.append(
            Problem(Origin(display, 1), f"empty file; expected a header: {','.join(columns.all)}", root=True)
        )
