"""The world map: countries shaded by Canada's influence score, drawn from the Natural Earth shapes
shipped in mpdkg/static/maps/ (TopoJSON), projected here (Equal Earth) — no tiles, no download.

>>> x, y = equal_earth(0.0, 0.0)
>>> (round(x, 6), round(y, 6))
(0.0, 0.0)
>>> shapes = world_shapes()
>>> shapes["124"].name, len(shapes) > 170
('Canada', True)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mpdkg import paths
from mpdkg.html import render
from mpdkg.influence.network import CANADA
from mpdkg.maps.common import (
    CANADA_COLOUR,
    NO_CHANNEL,
    NO_DATA,
    SCALE,
    render_page,
    save_figure,
    score_colour,
    static_text,
)
from mpdkg.maps.data import MapData, Slice

SHAPES_FILE = "countries-110m.json"
ANTARCTICA = "010"  # left out of the map: no channels, and it would take a quarter of the height
SVG_WIDTH = 1000.0


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Equal Earth projection (Šavrič, Patterson, Jenny 2018), in radians-based units."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    m = math.sqrt(3) / 2
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(m * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
    y = theta * (a4 * t6 * t2 + a3 * t6 + a2 * t2 + a1)
    return x, y


@dataclass(frozen=True)
class Shape:
    numeric: str  # ISO 3166-1 numeric code, "" when Natural Earth gives none
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # projected, SVG units (y down)


@cache
def world_shapes() -> dict[str, Shape]:
    """The shipped country shapes, projected to SVG units, keyed by ISO numeric code (or name)."""
    topo = json.loads((paths.static_dir() / "maps" / SHAPES_FILE).read_text(encoding="utf-8"))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    scale = SVG_WIDTH / (2 * equal_earth(180.0, 0.0)[0])

    def project(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
        out = []
        for lon, lat in points:
            px, py = equal_earth(lon, lat)
            out.append((round(SVG_WIDTH / 2 + px * scale, 1), round(-py * scale, 1)))
        return tuple(out)

    def rings(indexes: list[int]) -> list[tuple[tuple[float, float], ...]]:
        out: list[tuple[float, float]] = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points[1:] if out else points)
        return [project(part) for part in split_antimeridian(out)]

    shapes = {}
    for geom in topo["objects"]["countries"]["geometries"]:
        numeric = geom.get("id", "")
        if numeric == ANTARCTICA:
            continue
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        rings_ = tuple(part for polygon in polygons for r in polygon for part in rings(r))
        name = geom.get("properties", {}).get("name", numeric)
        shapes[numeric or f"name:{name}"] = Shape(numeric, name, rings_)
    return dict(sorted(shapes.items()))


def _clip(ring: list[tuple[float, float]], limit: float, keep_below: bool) -> list[tuple[float, float]]:
    """Sutherland-Hodgman clipping of a lon/lat ring against the meridian lon = limit."""

    def inside(p: tuple[float, float]) -> bool:
        return p[0] <= limit if keep_below else p[0] >= limit

    out: list[tuple[float, float]] = []
    for k, cur in enumerate(ring):
        prev = ring[k - 1]
        if inside(cur):
            if not inside(prev):
                out.append(_cross(prev, cur, limit))
            out.append(cur)
        elif inside(prev):
            out.append(_cross(prev, cur, limit))
    return out


def _cross(a: tuple[float, float], b: tuple[float, float], lon: float) -> tuple[float, float]:
    t = (lon - a[0]) / (b[0] - a[0])
    return lon, a[1] + t * (b[1] - a[1])


def split_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A lon/lat ring that crosses the 180th meridian, cut into the parts either side of it.

    >>> parts = split_antimeridian([(170, 0), (-170, 0), (-170, 10), (170, 10)])
    >>> sorted(sorted(p) for p in parts)
    [[(-180, 0.0), (-180, 10.0), (-170, 0), (-170, 10)], [(170, 0), (170, 10), (180, 0.0), (180, 10.0)]]
    """
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        prev = unwrapped[-1][0]
        while lon - prev > 180:
            lon -= 360
        while lon - prev < -180:
            lon += 360
        unwrapped.append((lon, lat))
    lons = [p[0] for p in unwrapped]
    if min(lons) >= -180 and max(lons) <= 180:
        return [ring]
    parts = []
    for shift in (-360, 0, 360):
        moved = [(lon + shift, lat) for lon, lat in unwrapped]
        clipped = _clip(_clip(moved, 180, True), -180, False)
        if len(clipped) > 2:
            parts.append(clipped)
    return parts


def _bounds() -> tuple[float, float, float, float]:
    xs = [x for s in world_shapes().values() for r in s.rings for x, _ in r]
    ys = [y for s in world_shapes().values() for r in s.rings for _, y in r]
    return min(xs), min(ys), max(xs), max(ys)


def _path(shape: Shape) -> str:
    def num(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".")

    return "".join(
        "M" + "L".join(f"{num(x)},{num(y)}" for x, y in r) + "Z" for r in shape.rings if len(r) > 2
    )


def numeric_to_iso3(data: MapData) -> dict[str, str]:
    return {c.numeric: iso3 for iso3, c in data.countries.items() if c.numeric}


def world_svg(data: MapData, colours: dict[str, str] | None = None, *, svg_id: str = "world") -> str:
    """The map as inline SVG: one <path> per country, id'd by ISO alpha-3, filled from ``colours``."""
    colours = colours or {}
    iso = numeric_to_iso3(data)
    x0, y0, x1, y1 = _bounds()
    pad = 4
    box = (round(x0 - pad), round(y0 - pad), round(x1 - x0 + 2 * pad), round(y1 - y0 + 2 * pad))
    shapes = []
    for shape in world_shapes().values():
        iso3 = iso.get(shape.numeric, "")
        label = data.countries[iso3].label if iso3 in data.countries else shape.name
        shapes.append((iso3, colours.get(iso3, NO_DATA), _path(shape), label))
    return render("maps/_world_svg.html", svg_id=svg_id, box=box, shapes=shapes)


def slice_colours(data: MapData, s: Slice, maximum: float) -> dict[str, str]:
    colours = {iso3: score_colour(0.0, maximum) for iso3 in data.countries}
    for iso3, row in s.rows.items():
        # only a country with a channel to Canada in the slice is shaded, as the legend says
        colours[iso3] = score_colour(row.score if row.links else 0.0, maximum)
    colours[CANADA] = CANADA_COLOUR
    return colours


def _legend_context(maximum: float) -> dict[str, Any]:
    return {
        "scale": SCALE,
        "ticks": [(f"{t * 100:.0f}", f"{(t * t) * maximum:.3g}") for t in (0, 0.25, 0.5, 0.75, 1.0)],
        "no_channel": NO_CHANNEL,
        "canada": CANADA_COLOUR,
        "no_data": NO_DATA,
    }


def legend_html(maximum: float) -> str:
    return render("maps/_world_legend.html", **_legend_context(maximum))


def world_html(data: MapData, model: dict[str, Any], default: Slice) -> str:
    from mpdkg.maps.flows import flow_layers

    maximum = model["slices"][model["default"]]["max"]
    return render_page(
        "maps/world.html",
        model["title"] + " — world map",
        data=model,
        scripts=(static_text("common.js"), static_text("world.js")),
        model=model,
        default_year=model["default"].split(":")[1],
        svg=world_svg(data, slice_colours(data, default, maximum)),
        layers=[("channels", "Channels (influence score)")]
        + [(k, v["label"]) for k, v in sorted(model.get("layers", {}).items())]
        + flow_layers(model.get("flows") or {}),
        **_legend_context(maximum),
    )


def draw_countries(ax: Any, data: MapData, colours: dict[str, str]) -> None:
    """The country shapes on a matplotlib axis, filled from ``colours`` (by ISO alpha-3), in the
    map's SVG units with y flipped; the axis fitted to the map and switched off."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    iso = numeric_to_iso3(data)
    for shape in world_shapes().values():
        verts, codes = [], []
        for r in shape.rings:
            if len(r) < 3:
                continue
            verts += [(x, -y) for x, y in r] + [(r[0][0], -r[0][1])]
            codes += [MPath.MOVETO] + [MPath.LINETO] * (len(r) - 1) + [MPath.CLOSEPOLY]
        if not verts:
            continue
        fill = colours.get(iso.get(shape.numeric, ""), NO_DATA)
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=fill, edgecolor="#ffffff", linewidth=0.3))
    x0, y0, x1, y1 = _bounds()
    ax.set_xlim(x0, x1)
    ax.set_ylim(-y1, -y0)
    ax.set_aspect("equal")
    ax.axis("off")


def world_figure(
    data: MapData, s: Slice, maximum: float, out_base: Path, title: str, source: str
) -> list[Path]:
    """world.png and world.svg for slides (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap

    plt.rcParams["svg.hashsalt"] = "mpdkg"
    fig = plt.figure(figsize=(13.333, 7.5), dpi=150)
    ax = fig.add_axes((0.01, 0.12, 0.98, 0.78))
    draw_countries(ax, data, slice_colours(data, s, maximum))
    fig.suptitle(title, fontsize=20, fontweight="bold", y=0.97)
    cax = fig.add_axes((0.3, 0.085, 0.4, 0.025))
    cmap = LinearSegmentedColormap.from_list("mpdkg", list(SCALE))
    import numpy as np

    cax.imshow(np.linspace(0, 1, 256)[None, :], aspect="auto", cmap=cmap, extent=(0, 1, 0, 1))
    ticks = [0, 0.25, 0.5, 0.75, 1.0]
    cax.set_xticks(ticks, [f"{t * t * maximum:.3g}" for t in ticks], fontsize=11)
    cax.set_yticks([])
    cax.set_title("influence score (square-root scale)", fontsize=12)
    fig.text(0.76, 0.09, "■", color=CANADA_COLOUR, fontsize=16)
    fig.text(0.78, 0.093, "Canada", fontsize=12)
    fig.text(0.76, 0.055, "■", color="#e3e3e3", fontsize=16)
    fig.text(0.78, 0.058, "no channel to Canada", fontsize=12)
    fig.text(0.01, 0.012, source, fontsize=8.5, color="#444444", wrap=True)
    return save_figure(fig, out_base)


def layer_model(influence_json: Path, years: list[int]) -> dict[str, Any]:
    """The influence analysis' layers (other than channels) for the world map's layer choice:
    ``{layer: {"label", "max", "years": {year: {iso3: score}}}}``, only non-null scores above 0
    (null means no data, not no influence); empty when the build wrote no layers."""
    if not influence_json.is_file():
        return {}
    layers = json.loads(influence_json.read_text(encoding="utf-8")).get("layers") or {}
    out: dict[str, Any] = {}
    for lid, definition in sorted((layers.get("definitions") or {}).items()):
        if lid == "channels":
            continue
        by_year: dict[str, dict[str, float]] = {}
        for year, entries in (layers.get("by_year") or {}).items():
            if int(year) not in years:
                continue
            scores = {
                iso3: round(float(score), 4)
                for iso3, e in entries.items()
                if (score := ((e.get("layers") or {}).get(lid) or {}).get("score")) is not None and score > 0
            }
            if scores:
                by_year[str(year)] = scores
        if by_year:
            best = max(v for ys in by_year.values() for v in ys.values())
            out[lid] = {"label": definition.get("label", lid), "max": best, "years": by_year}
    return out
