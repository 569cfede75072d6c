"""The relationship map: Canada at the centre, the fora and agreements it works through around it,
partner countries on the outer ring — as an interactive page and as figures for slides.

Positions are computed once, here, and are the same in every slice and every figure, so that a
reader can compare pillars and years by eye: multilateral channels on an inner ring (grouped by
kind), countries on the outer ring (grouped by region, strongest first), and each bilateral
agreement between Canada and its partner country.

>>> [round(math.degrees(a)) for a in angle_slots(4, [2, 2])]  # two groups of two, a gap after each
[0, 60, 180, 240]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mpdkg.maps.common import (
    CANADA_COLOUR,
    COUNTRY_COLOUR,
    NO_PILLAR,
    PILLAR_COLOURS,
    REGION_ORDER,
    pillar_colour,
    render_page,
    save_figure,
    static_text,
    truncate,
)
from mpdkg.maps.data import MapData, Slice

R_COUNTRY = 420.0  # SVG units; the page's viewBox is about +-560
R_CHANNELS = (165.0, 212.0, 256.0)
R_CHANNEL = R_CHANNELS[1]
FIGURE_MARKERS = {1: "s", 2: "D", 3: "^", 4: "v", 5: "h", 6: "*", 0: "P"}  # as PILLAR_SHAPES
R_BILATERAL = (318.0, 352.0)


def angle_slots(n: int, groups: list[int]) -> list[float]:
    """Angles for ``n`` items in consecutive groups, with one empty slot between groups."""
    total = n + len(groups)
    step = 2 * math.pi / max(total, 1)
    out, slot = [], 0
    for size in groups:
        for _ in range(size):
            out.append(slot * step)
            slot += 1
        slot += 1
    return out


def _country_ring(data: MapData, slices: dict[str, Slice]) -> tuple[list[str], dict[str, float], list[list]]:
    """The outer ring: every partner of any slice, grouped by region (a sector each), by
    sub-region and name within it, clockwise from 12 o'clock; and the sectors (name, from, to)."""
    present = sorted({r.iso3 for s in slices.values() for r in s.partners()})
    by_region: dict[str, list[str]] = {}
    for iso3 in present:
        by_region.setdefault(data.region_of(iso3), []).append(iso3)
    order = [r for r in REGION_ORDER if r in by_region] + sorted(set(by_region) - set(REGION_ORDER))
    for region in order:
        by_region[region].sort(key=lambda c: (data.countries[c].subregion, data.countries[c].label))
    ring = [c for region in order for c in by_region[region]]
    angles = angle_slots(len(ring), [len(by_region[r]) for r in order])
    country_angle = dict(zip(ring, angles, strict=True))
    step = 2 * math.pi / max(len(ring) + len(order), 1)
    sectors = [
        [
            r,
            round(country_angle[by_region[r][0]] - step / 2, 4),
            round(country_angle[by_region[r][-1]] + step / 2, 4),
        ]
        for r in order
    ]
    return ring, country_angle, sectors


def _first_pillar(data: MapData, c: str) -> int:
    pillars = data.channels[c].pillars
    return pillars[0] if pillars else 99


def compute_layout(data: MapData, slices: dict[str, Slice], default: Slice) -> dict[str, Any]:
    """Fixed positions for every node that appears in any slice (indexes as in the page model):
    countries on the outer ring by region, multilateral channels inside it in one sector per
    pillar (on three staggered circles, so neighbours do not touch), and each bilateral
    agreement next to its partner country."""
    c_index = {c: i for i, c in enumerate(sorted(data.countries))}
    ch_index = {c: i for i, c in enumerate(sorted(data.channels))}
    ring, country_angle, sectors = _country_ring(data, slices)
    countries = {c_index[c]: _xy(R_COUNTRY, country_angle[c]) for c in ring if c in c_index}

    used = {data.links[i].channel for s in slices.values() for i in s.link_ids()}
    used |= {c for s in slices.values() for c in s.canada.get("channels", [])}
    multilateral = sorted(
        (c for c in used if data.channels[c].bilateral_partner not in country_angle),
        key=lambda c: (
            _first_pillar(data, c),
            data.channels[c].type != "forum",
            data.channels[c].kind,
            data.channels[c].label,
        ),
    )
    groups: dict[int, int] = {}
    for c in multilateral:
        groups[_first_pillar(data, c)] = groups.get(_first_pillar(data, c), 0) + 1
    channels = {}
    slots = angle_slots(len(multilateral), list(groups.values()))
    for k, (c, a) in enumerate(zip(multilateral, slots, strict=True)):
        channels[ch_index[c]] = _xy(R_CHANNELS[k % len(R_CHANNELS)], a)
    bilateral: dict[str, list[str]] = {}
    for c in sorted(used - set(multilateral)):
        bilateral.setdefault(data.channels[c].bilateral_partner, []).append(c)
    step = 2 * math.pi / max(len(ring) + len(sectors), 1)
    for partner, chans in bilateral.items():
        for k, c in enumerate(chans):
            offset = ((k + 1) // 2) * (1 if k % 2 else -1) * step * 0.45
            channels[ch_index[c]] = _xy(R_BILATERAL[k % 2], country_angle[partner] + offset)
    return {"canada": [0.0, 0.0], "countries": countries, "channels": channels, "regions": sectors}


def _xy(radius: float, angle: float) -> list[float]:
    return [round(radius * math.sin(angle), 1), round(-radius * math.cos(angle), 1)]


def legend_context(data: MapData) -> dict[str, Any]:
    return {
        "pillars": [
            (n, label, PILLAR_COLOURS[n]) for n, label in sorted(data.pillars.items()) if n in PILLAR_COLOURS
        ],
        "no_pillar": NO_PILLAR,
        "country": COUNTRY_COLOUR,
        "canada": CANADA_COLOUR,
    }


def search_names(model: dict[str, Any]) -> list[str]:
    """What the search box suggests: every country and channel of some slice, by name."""
    countries = {r[0] for s in model["slices"].values() for r in s["rows"]}
    channels = {model["links"][li][1] for s in model["slices"].values() for r in s["rows"] for li in r[3]}
    channels |= {c for s in model["slices"].values() for c in s["canadaChannels"]}
    names = {model["countries"][c][1] for c in countries} | {model["channels"][c][2] for c in channels}
    return sorted(names, key=str.casefold)


def network_html(data: MapData, model: dict[str, Any]) -> str:
    return render_page(
        "maps/network.html",
        model["title"] + " — relationship map",
        data=model,
        scripts=(static_text("common.js"), static_text("network.js")),
        model=model,
        default_year=model["default"].split(":")[1],
        legend=legend_context(data),
        search_names=search_names(model),
        layers=(),
    )


Pos = Callable[[str, str], "tuple[float, float] | None"]


def _figure_pos(data: MapData, layout: dict[str, Any]) -> Pos:
    """A node's position in the figure (y up): ``pos("c", iso3)`` or ``pos("ch", channel)``."""
    c_index = {c: i for i, c in enumerate(sorted(data.countries))}
    ch_index = {c: i for i, c in enumerate(sorted(data.channels))}

    def pos(kind: str, key: str) -> tuple[float, float] | None:
        table = layout["countries"] if kind == "c" else layout["channels"]
        idx = c_index[key] if kind == "c" else ch_index[key]
        p = table.get(idx)
        return (p[0], -p[1]) if p else None

    return pos


def _slice_partners(data: MapData, s: Slice) -> dict[str, set[str]]:
    """Each channel of the slice -> the countries it ties to Canada."""
    partners: dict[str, set[str]] = {c: set() for c in s.canada.get("channels", [])}
    for i in s.link_ids():
        link = data.links[i]
        partners.setdefault(link.channel, set()).add(link.country)
    return partners


def _draw_edges(ax: Any, data: MapData, s: Slice, partners: dict[str, set[str]], pos: Pos) -> None:
    from matplotlib.collections import LineCollection

    lines, colours = [], []
    for ch in sorted(partners):
        a = pos("ch", ch)
        if a is None:
            continue
        col = _channel_colour(data.channels[ch].pillars, s.pillar)
        lines.append([(0.0, 0.0), a])
        colours.append(col)
        for iso3 in sorted(partners[ch]):
            b = pos("c", iso3)
            if b is not None:
                lines.append([a, b])
                colours.append(col)
    ax.add_collection(LineCollection(lines, colors=colours, linewidths=0.4, alpha=0.22, zorder=1))


def _draw_channels(ax: Any, data: MapData, s: Slice, partners: dict[str, set[str]], pos: Pos) -> None:
    """The fora and agreements: one scatter per (pillar shape, forum or agreement), since a
    call per node would be far slower to draw."""
    max_partners = max((len(v) for v in partners.values()), default=1) or 1
    marks: dict[tuple[str, str], tuple[list, list, list, list]] = {}
    for ch in sorted(partners):
        a = pos("ch", ch)
        if a is None:
            continue
        c = data.channels[ch]
        drawn = s.pillar if s.pillar in c.pillars else (c.pillars[0] if c.pillars else 0)
        xs, ys, sizes, cols = marks.setdefault((FIGURE_MARKERS.get(drawn, "P"), c.type), ([], [], [], []))
        xs.append(a[0])
        ys.append(a[1])
        sizes.append(14 + 64 * math.sqrt(len(partners[ch]) / max_partners))
        cols.append(_channel_colour(c.pillars, s.pillar))
    for (marker, kind), (xs, ys, sizes, cols) in sorted(marks.items()):
        if kind == "forum":
            ax.scatter(xs, ys, s=sizes, c=cols, marker=marker, zorder=3, edgecolors="white", linewidths=0.5)
        else:
            ax.scatter(
                xs, ys, s=sizes, facecolors="white", edgecolors=cols, marker=marker, zorder=3, linewidths=1.3
            )


def _draw_regions(ax: Any, layout: dict[str, Any]) -> None:
    for name, a0, a1 in layout.get("regions", []):
        mid = (a0 + a1) / 2
        x, y = (R_COUNTRY + 62) * math.sin(mid), (R_COUNTRY + 62) * math.cos(mid)
        ha = "left" if math.sin(mid) > 0.2 else "right" if math.sin(mid) < -0.2 else "center"
        ax.text(
            x, y, name.upper(), fontsize=9.5, color="#6b7280", ha=ha, va="center", fontweight="bold", zorder=2
        )


def _draw_countries(ax: Any, data: MapData, s: Slice, pos: Pos) -> list[tuple[float, float, float, float]]:
    """The partner countries (size: score) and the labels of the twelve strongest; returns the
    boxes of the labels placed."""
    ranked = s.partners()
    max_score = max((r.score for r in ranked), default=0.0) or 1.0
    dots = [(b, r) for r in ranked if (b := pos("c", r.iso3)) is not None]
    if dots:
        ax.scatter(
            [b[0] for b, _ in dots],
            [b[1] for b, _ in dots],
            s=[8 + 260 * (r.score / max_score) for _, r in dots],
            c=COUNTRY_COLOUR,
            zorder=4,
            edgecolors="white",
            linewidths=0.5,
        )
    placed = [(r.iso3, b) for r in ranked[:12] if (b := pos("c", r.iso3)) is not None]
    taken: list[tuple[float, float, float, float]] = []
    for iso3, (x, y), ha in _free(spread_labels(placed, gap=36.0), data.countries, taken, 11.5, 20.0):
        ax.text(
            x,
            y,
            data.countries[iso3].label,
            fontsize=10,
            ha=ha,
            va="center",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    return taken


def _draw_fora_labels(
    ax: Any,
    data: MapData,
    partners: dict[str, set[str]],
    pos: Pos,
    taken: list[tuple[float, float, float, float]],
) -> None:
    """The short names of the twelve fora with the most partners, clear of the labels placed."""
    fora = sorted(
        (ch for ch in partners if data.channels[ch].type == "forum"), key=lambda c: -len(partners[c])
    )
    spots = [(ch, b) for ch in fora[:12] if (b := pos("ch", ch)) is not None]
    for ch, (x, y), ha in _free(spread_labels(spots, out=14.0, gap=20.0), data.channels, taken, 9.0, 16.0):
        ax.text(
            x,
            y,
            truncate(data.channels[ch].short),
            fontsize=8,
            ha=ha,
            va="center",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
        )


def _draw_canada(ax: Any) -> None:
    ax.scatter([0], [0], s=420, color=CANADA_COLOUR, zorder=6, edgecolors="white", linewidths=1)
    ax.text(0, -32, "Canada", fontsize=13, fontweight="bold", ha="center", va="top", zorder=7)
    lim = R_COUNTRY + 90
    ax.set_xlim(-lim - 70, lim + 70)  # room for the labels on the sides
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axis("off")


def _legend(fig: Any, handles: list, anchor: tuple[float, float], title: str) -> None:
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=anchor,
        fontsize=10,
        title=title,
        title_fontsize=11,
        frameon=False,
    )
    legend._legend_box.align = "left"


def _figure_legends(fig: Any, data: MapData, s: Slice) -> None:
    """The pillar legend (only the slice's pillar when it has one), the country legend and the
    slice's counts."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            marker=FIGURE_MARKERS[n],
            ls="",
            color=PILLAR_COLOURS[n],
            markersize=9,
            label=f"{n}. {_wrap(label)}",
        )
        for n, label in sorted(data.pillars.items())
        if n in PILLAR_COLOURS and (s.pillar is None or n == s.pillar)
    ]
    _legend(
        fig,
        handles,
        (0.63, 0.86),
        "Channels: colour and shape = pillar\n(filled: forum, outlined: agreement)",
    )
    regions = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color=COUNTRY_COLOUR,
            markersize=9,
            label="partner country (size: influence score)",
        ),
        Line2D([], [], marker="o", ls="", color=CANADA_COLOUR, markersize=11, label="Canada"),
    ]
    _legend(fig, regions, (0.63, 0.40), "Countries, grouped by UN region around the ring")
    k = s.canada
    fig.text(
        0.635,
        0.2,
        f"{k['fora']} fora, {k['agreements']} agreements, {k['partners']} partner countries",
        fontsize=11.5,
    )


def network_figure(
    data: MapData, s: Slice, layout: dict[str, Any], out_base: Path, title: str, subtitle: str, source: str
) -> list[Path]:
    """A slide-sized (16:9) PNG and SVG of the network for one slice."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "mpdkg"
    pos = _figure_pos(data, layout)
    partners = _slice_partners(data, s)
    fig = plt.figure(figsize=(13.333, 7.5), dpi=150)
    ax = fig.add_axes((0.0, 0.05, 0.62, 0.85))
    _draw_edges(ax, data, s, partners, pos)
    _draw_channels(ax, data, s, partners, pos)
    _draw_regions(ax, layout)
    taken = _draw_countries(ax, data, s, pos)
    _draw_fora_labels(ax, data, partners, pos, taken)
    _draw_canada(ax)
    fig.text(0.02, 0.955, title, fontsize=19, fontweight="bold", va="top")
    fig.text(0.02, 0.905, subtitle, fontsize=12.5, color="#444444", va="top")
    _figure_legends(fig, data, s)
    fig.text(0.01, 0.012, source, fontsize=8.5, color="#444444", wrap=True)
    return save_figure(fig, out_base)


def spread_labels(
    points: list[tuple[str, tuple[float, float]]], out: float = 26.0, gap: float = 30.0
) -> list[tuple[str, tuple[float, float], str]]:
    """Label positions just outside the ring, moved apart so that none overlaps another: labels
    on the left and right sides are stacked at least ``gap`` apart vertically, labels near the top
    and bottom are staggered outwards. Returns (key, (x, y), horizontal alignment).

    >>> [(k, round(y)) for k, (x, y), _ in spread_labels([("a", (400, 10)), ("b", (400, 0))])]
    [('a', 11), ('b', -19)]
    """
    placed: list[list[Any]] = []  # key, label x, label y, node x, node y
    for key, (x, y) in points:
        d = math.hypot(x, y) or 1.0
        placed.append([key, x * (1 + out / d), y * (1 + out / d), x, y])
    result: dict[str, tuple[tuple[float, float], str]] = {}
    for side in ("left", "right"):
        column = sorted(
            (
                p
                for p in placed
                if abs(p[4]) <= 0.7 * math.hypot(p[3], p[4]) and (p[3] < 0) == (side == "left")
            ),
            key=lambda p: -p[2],
        )
        last = math.inf
        for p in column:
            p[2] = min(p[2], last - gap)
            last = p[2]
            result[p[0]] = ((p[1], p[2]), "right" if side == "left" else "left")
    row = sorted((p for p in placed if p[0] not in result), key=lambda p: p[1])
    for n, p in enumerate(row):
        d = math.hypot(p[3], p[4]) or 1.0
        crowded = n > 0 and abs(p[1] - row[n - 1][1]) < 110
        extra = 32 if crowded and n % 2 else 0
        xy = (p[3] * (1 + (out + extra) / d), p[4] * (1 + (out + extra) / d))
        result[p[0]] = (xy, "left" if p[3] > 5 else "right" if p[3] < -5 else "center")
    return [(key, *result[key]) for key, _ in points]


def _channel_colour(pillars: tuple[int, ...], chosen: int | None) -> str:
    """The chosen pillar's colour, or (all pillars) that of the first pillar the channel serves."""
    if chosen is not None and chosen in pillars:
        return pillar_colour(chosen)
    return pillar_colour(pillars[0] if pillars else None)


def _wrap(text: str, width: int = 52) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _free(
    labels: list[tuple[str, tuple[float, float], str]],
    names: dict[str, Any],
    taken: list[tuple[float, float, float, float]],
    char: float,
    height: float,
) -> list[tuple[str, tuple[float, float], str]]:
    """The labels whose (estimated) boxes overlap none placed before, in order; ``taken``
    collects the boxes, so country and channel labels keep clear of each other too."""
    out = []
    for key, (x, y), ha in labels:
        item = names[key]
        text = item.label if hasattr(item, "iso3") else truncate(item.short)
        w = len(text) * char
        x0 = x - w if ha == "right" else x - w / 2 if ha == "center" else x
        box = (x0, y - height / 2, x0 + w, y + height / 2)
        if any(box[0] < b[2] and box[2] > b[0] and box[1] < b[3] and box[3] > b[1] for b in taken):
            continue
        taken.append(box)
        out.append((key, (x, y), ha))
    return out
