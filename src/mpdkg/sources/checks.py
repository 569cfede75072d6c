"""Field readers for curated CSV rows: each checks one column and, when the value is wrong, records
a Problem naming the file, line, value and what is expected, then returns an empty value so that
reading goes on and a curator gets every problem of a batch at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mpdkg.errors import Origin, Problem
from mpdkg.sources.csvtable import Row
from mpdkg.sources.dates import PartialDate
from mpdkg.sources.records import Records
from mpdkg.sources.vocab import Vocabulary

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
ALPHA3 = re.compile(r"^[A-Z]{3}$")
ALPHA2 = re.compile(r"^[A-Z]{2}$")
NUMERIC = re.compile(r"^\d{3}$")
QID = re.compile(r"^Q[1-9]\d*$")
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
COUNT = re.compile(r"^([a-z-]+)=(\d+)$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LABEL = 500
MAX_TEXT = 5000

ID_EXPECTED = "lowercase letters, digits and '-'"
URL_EXPECTED = "a web address starting with http:// or https://"
QID_EXPECTED = "a Wikidata id such as Q16"


class Checker:
    """Field readers that record a Problem and return an empty value when a value is wrong."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def fail(self, row: Row, message: str) -> None:
        self.problems.append(Problem(row.origin, message))

    def text(self, row: Row, col: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
        value = row.get(col)
        if required and not value:
            self.fail(row, f"{col} is empty; a value is required")
        if len(value) > limit:
            self.fail(row, f"{col} is {len(value)} characters long; at most {limit} are allowed")
            return value[:limit]
        control = CONTROL.search(value)
        if control:
            self.fail(row, f"{col} contains a control character (U+{ord(control.group()):04X})")
        return value

    def label(self, row: Row, col: str, *, required: bool = False) -> str:
        return self.text(row, col, required=required, limit=MAX_LABEL)

    def pattern(
        self, row: Row, col: str, regex: re.Pattern[str], expected: str, *, required: bool = True
    ) -> str:
        value = row.get(col)
        if not value:
            if required:
                self.fail(row, f"{col} is empty; expected {expected}")
            return ""
        if not regex.match(value):
            self.fail(row, f"{col} {value!r} is not valid; expected {expected}")
            return ""
        return value

    def integer(self, row: Row, col: str, low: int, high: int) -> int | None:
        value = row.get(col)
        if not value.isdigit() or not low <= int(value) <= high:
            self.fail(row, f"{col} {value!r} is not valid; expected a whole number {low}-{high}")
            return None
        return int(value)

    def date(self, row: Row, col: str) -> PartialDate | None:
        value = row.get(col)
        if not value:
            return None
        try:
            return PartialDate.parse(value)
        except ValueError as exc:
            self.fail(row, f"{col}: {exc}")
            return None

    def listing(self, row: Row, col: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in row.get(col).split(";") if part.strip())

    def pillars(self, row: Row, col: str = "pillars") -> tuple[int, ...]:
        out = []
        for part in self.listing(row, col):
            if part.isdigit() and 1 <= int(part) <= 99:
                out.append(int(part))
            else:
                self.fail(row, f"{col}: {part!r} is not a pillar number")
        return tuple(sorted(set(out)))

    def choice(self, row: Row, col: str, allowed: dict[str, object]) -> str:
        value = row.get(col)
        if value not in allowed:
            self.fail(row, f"{col} {value!r} is not allowed; expected one of: {', '.join(allowed)}")
            return ""
        return value

    def boolean(self, row: Row, col: str) -> bool:
        value = row.get(col).lower()
        if value not in ("", "yes", "no"):
            self.fail(row, f"{col} {value!r} is not valid; expected yes or no")
        return value == "yes"

    def source_ids(self, row: Row, col: str = "source") -> tuple[str, ...]:
        ids = self.listing(row, col)
        if not ids and col == "source":
            self.fail(row, "source is empty; every fact must cite a source id from graph/sources/")
        return ids


@dataclass
class Context:
    """What the readers of one load share: the records so far, the problems, the citations to
    resolve once every source is read, and the ids that fora and agreements claim together."""

    vocab: Vocabulary
    problems: list[Problem] = field(default_factory=list)
    records: Records = field(default_factory=Records)
    cited: list[tuple[Origin, str]] = field(default_factory=list)
    ids_seen: dict[str, Origin] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.check = Checker(self.problems)

    def cite(self, row: Row, col: str = "source") -> tuple[str, ...]:
        ids = self.check.source_ids(row, col)
        self.cited.extend((row.origin, i) for i in ids)
        return ids

    def claim_id(self, row: Row, value: str, what: str) -> bool:
        """Fora and agreements share one id space (both are channels of an engagement)."""
        if value in self.ids_seen:
            self.check.fail(row, f"duplicate {what} id {value!r} (already used at {self.ids_seen[value]})")
            return False
        self.ids_seen[value] = row.origin
        return True

    def first(self, row: Row, table: dict, key: str, what: str) -> bool:
        """True when ``key`` is new in ``table``; a duplicate is reported with the first origin."""
        if key in table:
            self.check.fail(row, f"duplicate {what} {key!r} (first at {table[key].origin})")
            return False
        return True
