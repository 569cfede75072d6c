"""Flow arcs on the world map: refugees resettled to Canada and asylum claims lodged in Canada,
per country of origin and year (UNHCR, from :mod:`mpdkg.maps.opendata`). An arc runs from the
origin's centroid to Canada's; its width is linear in persons (``ARC_MAX_WIDTH`` for the largest
flow of the series in any year, so widths compare across years), and the legend shows sample
widths with their numbers. The page draws the arcs (world.js); this module gives it the
figures, the centroids and the legend steps, and draws the slide.

>>> nice_steps(33_266)
[30000, 10000, 1000]
>>> arc_width(33_266, 33_266), arc_width(10, 33_266)
(14.0, 0.6)
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mpdkg.influence.network import CANADA
from mpdkg.maps.data import MapData
from mpdkg.maps.opendata import OpenData

ARC_MAX_WIDTH = 14.0  # SVG units (the map is 1000 wide) for the largest flow of a series
ARC_MIN_WIDTH = 0.6  # so that a flow of a few persons stays visible
ARC_LIMIT = 60  # arcs drawn per year: the largest; the legend says how many origins there are
FLOW_COLOURS = {"resettled": "#6a3d9a", "claims": "#b15928"}
FLOW_LABELS = {
    "resettled": "Flows: refugees resettled to Canada (UNHCR)",
    "claims": "Flows: asylum claims lodged in Canada (UNHCR)",
}


def arc_width(n: float, maximum: float) -> float:
    """The stroke width of a flow of ``n`` persons (the same formula as world.js)."""
    if maximum <= 0:
        return ARC_MIN_WIDTH
    return round(max(ARC_MIN_WIDTH, ARC_MAX_WIDTH * n / maximum), 2)


def nice_steps(maximum: float) -> list[int]:
    """Three round numbers for the legend: about the largest flow, a third of it and a thirtieth."""
    out: list[int] = []
    for target in (maximum, maximum / 3, maximum / 30):
        if target < 1:
            continue
        exp = 10 ** math.floor(math.log10(target))
        step = max(m * exp for m in (1, 2, 3, 5) if m * exp <= target)
        if step not in out:
            out.append(int(step))
    return out


def _ring_centroid(ring: tuple[tuple[float, float], ...]) -> tuple[float, float, float]:
    """Area and centroid of a polygon ring (shoelace formula)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


def centroids(data: MapData) -> dict[str, list[float]]:
    """ISO alpha-3 -> the centroid of the country's largest polygon, in the map's SVG units (the
    mainland, not the centre of France with its overseas departments)."""
    from mpdkg.maps.world import numeric_to_iso3, world_shapes

    iso = numeric_to_iso3(data)
    out: dict[str, list[float]] = {}
    for shape in world_shapes().values():
        iso3 = iso.get(shape.numeric)
        rings = [r for r in shape.rings if len(r) > 2]
        if not iso3 or not rings:
            continue
        _area, x, y = max(_ring_centroid(r) for r in rings)
        out[iso3] = [round(x, 1), round(y, 1)]
    return dict(sorted(out.items()))


def flow_model(data: MapData, od: OpenData | None) -> dict[str, Any]:
    """What world.js needs for the arcs: per series the figures by year, its label, unit,
    largest flow, source line, colour and legend steps; the centroids of the countries in it."""
    if od is None:
        return {}
    series = od.flow_model()
    if not series:
        return {}
    where = centroids(data)
    used = {iso3 for s in series.values() for row in s["years"].values() for iso3 in row} | {CANADA}
    for kind, s in series.items():
        s["colour"] = FLOW_COLOURS[kind]
        s["steps"] = [[n, arc_width(n, s["max"])] for n in nice_steps(s["max"])]
        first, last = min(s["years"], key=int), max(s["years"], key=int)
        s["span"] = [int(first), int(last)]
    return {
        "series": series,
        "centroids": {c: where[c] for c in sorted(used) if c in where},
        "maxWidth": ARC_MAX_WIDTH,
        "minWidth": ARC_MIN_WIDTH,
        "limit": ARC_LIMIT,
    }


def flow_layers(flows: dict[str, Any]) -> list[tuple[str, str]]:
    """The layer menu's entries for the flows the build has."""
    return [(f"flow:{kind}", FLOW_LABELS[kind]) for kind in sorted(flows.get("series", {}))]


def _arc_points(a: list[float], b: list[float], n: int = 24) -> list[tuple[float, float]]:
    """The arc of world.js (a quadratic curve bowed northwards), sampled, in SVG units."""
    d = math.dist(a, b)
    cx, cy = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2 - min(0.35 * d, 140)
    return [
        ((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * cx + t * t * b[0],
         (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * cy + t * t * b[1])
        for t in (i / n for i in range(n + 1))
    ]  # fmt: skip


def flow_figure(data: MapData, flows: dict[str, Any], kind: str, out_base: Path, source: str) -> list[Path]:
    """A 16:9 slide of one series' arcs in its latest year (PNG and SVG): title, width legend in
    persons, source line and the date of the figures; nothing when the build has no such series."""
    s = (flows.get("series") or {}).get(kind)
    if not s:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mpdkg.maps.common import CANADA_COLOUR, NO_CHANNEL, save_figure
    from mpdkg.maps.world import draw_countries

    year = str(s["span"][1])
    row, where = s["years"][year], flows["centroids"]
    plt.rcParams["svg.hashsalt"] = "mpdkg"
    fig = plt.figure(figsize=(13.333, 7.5), dpi=150)
    ax = fig.add_axes((0.01, 0.12, 0.98, 0.78))
    fills = {c: ("#e7e1ef" if c in row else NO_CHANNEL) for c in data.countries} | {CANADA: CANADA_COLOUR}
    draw_countries(ax, data, fills)
    drawn = sorted((c for c in row if c in where and c != CANADA), key=lambda c: (-row[c], c))[:ARC_LIMIT]
    # a line width in points for a width in SVG units: the map is 1000 units across 0.98 x 13.333 in
    points_per_unit = 0.98 * 13.333 * 72 / 1000
    for c in reversed(drawn):
        xs, ys = zip(*_arc_points(where[c], where[CANADA]), strict=True)
        lw = arc_width(row[c], s["max"]) * points_per_unit
        ax.plot(xs, [-y for y in ys], color=s["colour"], alpha=0.6, linewidth=lw, solid_capstyle="round")
    total = sum(row.values())
    # origins: countries, and UNHCR's areas (unknown origin, stateless), which get no arc
    where_from = f"{len(row)} origin{'' if len(row) == 1 else 's'}"
    title = f"{s['label'][0].upper()}{s['label'][1:]}, {year}: {total:,} {s['unit']} from {where_from}"
    fig.suptitle(title, fontsize=19, fontweight="bold", y=0.97)
    top = sorted(row.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    names = ", ".join(f"{data.countries[c].label if c in data.countries else c} {n:,}" for c, n in top)
    fig.text(0.5, 0.905, f"Largest: {names}", ha="center", fontsize=12, color="#333333")
    for i, (n, width) in enumerate(s["steps"]):
        x = 0.30 + i * 0.16
        fig.add_artist(
            plt.Line2D(
                [x, x + 0.04],
                [0.09, 0.09],
                color=s["colour"],
                alpha=0.6,
                linewidth=width * points_per_unit,
                solid_capstyle="butt",
            )  # fmt: skip
        )
        fig.text(x + 0.05, 0.083, f"{n:,} {s['unit']}", fontsize=12)
    drawn_note = (
        "every origin drawn" if len(drawn) == len(row) else f"the {len(drawn)} largest of {len(row)} drawn"
    )
    note = f"{drawn_note}; {year} is the release's latest year (may be revised)"
    fig.text(0.30, 0.113, f"Arc width in {s['unit']} (linear); {note}", fontsize=11, color="#444444")
    fig.text(0.01, 0.057, f"Source: {s['source']}.", fontsize=8.5, color="#444444")
    fig.text(0.01, 0.008, source, fontsize=8.5, color="#444444", wrap=True)
    return save_figure(fig, out_base)


__all__ = ["arc_width", "centroids", "flow_figure", "flow_layers", "flow_model", "nice_steps"]
