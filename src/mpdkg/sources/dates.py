"""Dates as curators write them: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, no more precise than
the source. Each keeps its precision in RDF (xsd:gYear, xsd:gYearMonth, xsd:date).

>>> d = PartialDate.parse("2004-12")
>>> d.year, d.precision, d.literal().datatype.value.rsplit("#")[1]
(2004, 'month', 'gYearMonth')
>>> PartialDate.parse("2023-02-30")
Traceback (most recent call last):
...
ValueError: '2023-02-30' is not a real date (expected YYYY, YYYY-MM or YYYY-MM-DD)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import TIME, XSD

_FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_EXPECTED = "expected YYYY, YYYY-MM or YYYY-MM-DD"


@dataclass(frozen=True)
class PartialDate:
    text: str
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        m = _FORM.match(text)
        if not m:
            raise ValueError(f"{text!r} is not a date ({_EXPECTED})")
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date ({_EXPECTED})") from None
        if year < 1800 or year > 2100:
            raise ValueError(f"{text!r} is outside the years 1800-2100 ({_EXPECTED})")
        return cls(text, year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def literal(self) -> ox.Literal:
        """The date as an RDF literal of its precision (what the build writes)."""
        datatype = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[self.precision]
        return ox.Literal(self.text, datatype=ox.NamedNode(datatype))

    def time_property(self):
        """The OWL-Time property that holds this date on a time:Instant."""
        return {"day": TIME.inXSDDate, "month": TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}[self.precision]

    def __str__(self) -> str:
        return self.text


def ordered(start: PartialDate | None, end: PartialDate | None) -> bool:
    """True unless the end is certainly before the start."""
    return start is None or end is None or start.earliest() <= end.latest()
