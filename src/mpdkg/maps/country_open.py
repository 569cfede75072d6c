"""The open-data sections of a country page: flows to Canada (UNHCR), the visa regime both ways
(Passport Index) and UN General Assembly vote agreement with Canada (Voeten), each a small
inline SVG chart with a table, its units and its source line; a note says why a section is
empty. Figures come from :mod:`mpdkg.maps.opendata`, read once for all countries.

>>> chart = bar_chart({2015: 10, 2016: 40}, 2014, 2016)
>>> [round(b["h"]) for b in chart["bars"]], chart["peak"]
([15, 60], (2016, 40))
"""

from __future__ import annotations

from typing import Any

from mpdkg.maps.opendata import OpenData, VisaPeriod

CHART_W = 640  # px for the years
CHART_H = 60  # px for the largest bar
MIN_ROLL_CALLS = 10  # a year with fewer roll calls (2020: the data end in January) is not drawn


def _ticks(first: int, last: int, x_of) -> list[tuple[float, int]]:
    """Round years every 5 or 10, and the first and last; a round year closer than half a step
    to either end is left out, so that no two labels overlap.

    >>> [y for _x, y in _ticks(1959, 2025, lambda y: y)]
    [1959, 1970, 1980, 1990, 2000, 2010, 2020, 2025]
    """
    step = 10 if last - first > 25 else 5
    years = [y for y in range(first, last + 1) if y % step == 0 and first + step / 2 <= y <= last - step / 2]
    return [(round(x_of(y), 1), y) for y in sorted({first, *years, last})]


def bar_chart(series: dict[int, int], first: int, last: int) -> dict[str, Any]:
    """Bars per year from ``first`` to ``last`` (a year without a figure: no bar), scaled to the
    country's own peak, with the peak, the total and tick years."""
    per_year = CHART_W / max(last - first + 1, 1)
    top = max(series.values(), default=0) or 1
    bars = [
        {
            "x": round((y - first) * per_year, 1),
            "w": round(max(per_year - 1, 1), 1),
            "h": round(CHART_H * series.get(y, 0) / top, 1),
            "year": y,
            "n": series.get(y, 0),
        }
        for y in range(first, last + 1)
        if y in series
    ]
    peak = max(series.items(), key=lambda kv: (kv[1], -kv[0])) if series else None
    return {
        "bars": bars,
        "peak": peak,
        "total": sum(series.values()),
        "ticks": _ticks(first, last, lambda y: (y - first + 0.5) * per_year),
        "width": CHART_W,
        "height": CHART_H,
    }


def _flow(od: OpenData, table: dict[str, dict[int, int]], iso3: str) -> dict[str, Any]:
    span = od.years(table)
    series = table.get(iso3, {})
    if span is None:
        return {"span": None, "series": {}}
    recent = [(y, series.get(y, 0)) for y in range(max(span[0], span[1] - 9), span[1] + 1)]
    return {"span": span, "series": series, "chart": bar_chart(series, *span), "recent": recent}


def _hosted(od: OpenData, iso3: str) -> dict[str, Any]:
    """The population the country hosts (a stock: the last year and the peak, never a total)."""
    span = od.years(od.hosted)
    series = od.hosted.get(iso3, {})
    if span is None:
        return {"span": None, "series": {}}
    seekers = od.asylum_seekers.get(iso3, {})
    recent = [(y, series.get(y, 0), seekers.get(y, 0)) for y in range(max(span[0], span[1] - 9), span[1] + 1)]
    return {"span": span, "series": series, "chart": bar_chart(series, *span), "recent": recent,
            "last": series.get(span[1], 0), "last_seekers": seekers.get(span[1], 0)}  # fmt: skip


def _strip(periods: list[VisaPeriod], snapshots: list[str]) -> list[dict[str, Any]]:
    """One coloured cell per snapshot, for a strip under the table."""
    if not snapshots:
        return []
    w = CHART_W / len(snapshots)
    index = {d: i for i, d in enumerate(snapshots)}
    out = []
    for p in periods:
        a, b = index.get(p.first, 0), index.get(p.last, len(snapshots) - 1)
        out.append(
            {
                "x": round(a * w, 1),
                "w": round((b - a + 1) * w, 1),
                "colour": p.colour,
                "title": f"{p.first} – {p.last}: {p.label}",
            }
        )
    return out


def _votes(od: OpenData, iso3: str) -> dict[str, Any]:
    years = od.votes.get(iso3, [])
    drawn = [v for v in years if v.roll_calls >= MIN_ROLL_CALLS]
    if not drawn:
        return {"years": years, "points": "", "table": [], "left_out": []}
    first, last = 1946, max(v.year for v in drawn)
    per_year = CHART_W / max(last - first + 1, 1)

    def x_of(y: int) -> float:
        return (y - first + 0.5) * per_year

    points = " ".join(f"{x_of(v.year):.1f},{CHART_H * (1 - v.agreement):.1f}" for v in drawn)
    table = [v for v in drawn if v.year % 5 == 0 or v is drawn[-1] or v is drawn[0]]
    return {
        "years": years,
        "points": points,
        "ticks": _ticks(first, last, x_of),
        "table": table,
        "left_out": [v for v in years if v.roll_calls < MIN_ROLL_CALLS],
        "mean_recent": _mean_recent(drawn),
        "width": CHART_W,
        "height": CHART_H,
    }


def _mean_recent(drawn: list) -> tuple[int, int, float] | None:
    """Agreement over the last ten years of roll calls drawn (pooled: same votes / roll calls)."""
    last = drawn[-1].year
    recent = [v for v in drawn if v.year > last - 10]
    n = sum(v.roll_calls for v in recent)
    return (recent[0].year, last, sum(v.same for v in recent) / n) if n else None


def open_context(od: OpenData | None, iso3: str) -> dict[str, Any]:
    """What the country page's flows, visas and votes sections show for one country."""
    od = od or OpenData(missing={"all": "this build read no open data"})
    return {
        "resettled": _flow(od, od.resettled, iso3),
        "claims": _flow(od, od.claims, iso3),
        "hosted": _hosted(od, iso3),
        "visa_in": od.visa_in.get(iso3, []),
        "visa_out": od.visa_out.get(iso3, []),
        "strip_in": _strip(od.visa_in.get(iso3, []), od.snapshots),
        "strip_out": _strip(od.visa_out.get(iso3, []), od.snapshots),
        "snapshots": od.snapshots,
        "votes": _votes(od, iso3),
        "sources": od.sources,
        "missing": od.missing,
    }


__all__ = ["bar_chart", "open_context"]
