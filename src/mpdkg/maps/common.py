"""What the maps and the report share: colours, the page model (every slice as JSON) and the
plumbing that makes a page self-contained (inlined scripts and styles, nothing from a network).

>>> pillar_colour(1), pillar_colour(None)
('#0072b2', '#8c8c8c')
>>> score_colour(0.0, 10.0), score_colour(10.0, 10.0)
('#e3e3e3', '#1d2b6b')
>>> json_for_script({"a": "</script>"})
'{"a":"<\\\\/script>"}'
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpdkg import paths
from mpdkg.html import render
from mpdkg.influence.network import CANADA
from mpdkg.maps.data import NO_REGION, MapData, Slice, score_slices

# Encodings that cannot be confused. A channel's pillar is told by its colour *and* its shape
# (Okabe-Ito colours, distinguishable with the common colour-vision deficiencies); fora are filled,
# agreements outlined. Countries are neutral grey circles whose region is told by their position
# (labelled sectors of the ring), so no region colour competes with a pillar colour.
PILLAR_COLOURS = {
    1: "#0072b2",  # well-managed migration: blue, square
    2: "#e69f00",  # labour markets: orange, diamond
    3: "#009e73",  # integration: green, triangle
    4: "#cc79a7",  # narratives: pink, inverted triangle
    5: "#d55e00",  # refugee protection: vermilion, hexagon
    6: "#56b4e9",  # emerging issues: sky blue, star
}
PILLAR_SHAPES = {
    1: "square",
    2: "diamond",
    3: "triangle",
    4: "triangle-down",
    5: "hexagon",
    6: "star",
    0: "cross",
}
NO_PILLAR = "#8c8c8c"
COUNTRY_COLOUR = "#4b5563"  # countries: one neutral grey
# Regions, for the figures' sector labels and the world map's outlines (never a fill).
REGION_COLOURS = {
    "Americas": "#6b7280",
    "Europe": "#6b7280",
    "Africa": "#6b7280",
    "Asia": "#6b7280",
    "Oceania": "#6b7280",
    NO_REGION: "#9ca3af",
}
REGION_ORDER = ("Americas", "Europe", "Africa", "Asia", "Oceania", NO_REGION)
CANADA_COLOUR = "#c8102e"
NO_CHANNEL = "#e3e3e3"  # a country with no channel to Canada in the slice
NO_DATA = "#f3f3f3"  # a shape with no ISO 3166 code (N. Cyprus, Somaliland, Kosovo)
# Sequential scale (light to dark); a score s is placed at sqrt(s / max), since a few partners
# score far above the rest and a linear scale would leave everyone else pale.
SCALE = ("#e8f1c7", "#a7d8b0", "#55b4c1", "#2c7fb8", "#253494", "#1d2b6b")
COUNTRY_PAGES = "../report/countries/"  # from dist/maps/ to the country pages


def pillar_colour(pillar: int | None) -> str:
    return PILLAR_COLOURS.get(pillar, NO_PILLAR) if pillar else NO_PILLAR


def region_colour(region: str) -> str:
    return REGION_COLOURS.get(region or NO_REGION, REGION_COLOURS[NO_REGION])


def _hex(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def score_colour(score: float, maximum: float) -> str:
    """The world map's colour for a score (no channel: light grey)."""
    if score <= 0 or maximum <= 0:
        return NO_CHANNEL
    t = math.sqrt(min(score / maximum, 1.0)) * (len(SCALE) - 1)
    i = min(int(t), len(SCALE) - 2)
    f = t - i
    a, b = _hex(SCALE[i]), _hex(SCALE[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


def truncate(text: str, width: int = 16) -> str:
    """A label cut to ``width`` characters with an ellipsis.

    >>> truncate("Proceso de Quito"), truncate("Global Task Force on Refugee Labour Mobility")
    ('Proceso de Quito', 'Global Task For…')
    """
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def json_for_script(value: Any) -> str:
    """Deterministic JSON that is safe inside a <script> element."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def static_text(name: str) -> str:
    """A file shipped in mpdkg/static/maps/ (scripts, styles, shapes)."""
    return (paths.static_dir() / "maps" / name).read_text(encoding="utf-8")


# --- options and slices ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What the user asked for: one pillar or all, one region or all, data as of a year."""

    pillar: int | None = None
    region: str | None = None
    as_of: int | None = None

    def pillars(self, data: MapData) -> list[int | None]:
        """The pillar filter's choices (None = all pillars)."""
        if self.pillar is not None:
            return [self.pillar]
        return [None, *data.served_pillars()]


def slice_key(pillar: int | None, year: int | None) -> str:
    return f"{pillar or 'all'}:{year}"


def compute_slices(data: MapData, options: Options) -> dict[str, Slice]:
    """Every (pillar, year) slice the pages offer, keyed ``"all:2026"``, ``"2:2010"``."""
    keys = [(p, y) for p in options.pillars(data) for y in data.years(options.as_of)]
    slices = score_slices(data, keys, options.region)
    return {slice_key(p, y): s for (p, y), s in zip(keys, slices, strict=True)}


def pillar_max(slices: dict[str, Slice]) -> dict[str, float]:
    """The highest score per pillar over all years, so that colours compare across years."""
    out: dict[str, float] = {}
    for key, s in slices.items():
        p = key.split(":")[0]
        best = max((r.score for r in s.rows.values()), default=0.0)
        out[p] = max(out.get(p, 0.0), best)
    return out


def title_for(data: MapData, options: Options, what: str) -> str:
    bits = [what]
    if options.pillar is not None:
        bits.append(f"pillar {options.pillar}")
    if options.region:
        bits.append(options.region)
    return " — ".join(bits)


def source_line(data: MapData) -> str:
    return (
        f"Data: mpdkg, the Migration and Protection Diplomacy Knowledge Graph (CC BY 4.0), "
        f"{len(data.sources)} cited sources; framework: IRCC Deputy Minister Transition Binder 2022; "
        f"influence scores: mpdkg.influence (weights in influence_weights.toml). "
        f"Country shapes: Natural Earth (public domain) via world-atlas 2.0.2 (ISC)."
    )


def _channel_rows(data: MapData, channel_ids: list[str], s_index: dict[str, int]) -> list[list]:
    return [
        [
            ch.id,
            ch.type,
            ch.label,
            truncate(ch.short),
            ch.kind,
            list(ch.pillars),
            [s_index[s] for s in ch.sources if s in s_index],
            list(ch.canada_roles),
        ]
        for ch in (data.channels[c] for c in channel_ids)
    ]


def _link_rows(
    data: MapData, used: list[int], c_index: dict[str, int], ch_index: dict[str, int], s_index: dict[str, int]
) -> list[list]:
    return [
        [
            c_index[link.country],
            ch_index[link.channel],
            link.relation,
            link.begin,
            link.end,
            list(link.facts),
            [s_index[s] for s in link.sources],
            link.weight,
        ]
        for link in (data.links[i] for i in used)
    ]


def _slice_rows(slices: dict[str, Slice], c_index, ch_index, l_index) -> dict[str, Any]:
    """Every slice, with only the countries that have a channel to Canada in it (the others
    have nothing to show; the report keeps the full ranking)."""
    maxima = pillar_max(slices)
    return {
        key: {
            "rows": [
                [c_index[r.iso3], round(r.score, 4), r.rank, [l_index[i] for i in r.links]]
                for r in s.ranked()
                if r.links
            ],
            "ranked": sum(1 for r in s.rows.values() if r.rank),
            "max": round(maxima.get(key.split(":")[0], 0.0), 3),
            "canada": {k: v for k, v in s.canada.items() if k != "channels"},
            "canadaChannels": [ch_index[c] for c in s.canada.get("channels", []) if c in ch_index],
        }
        for key, s in sorted(slices.items())
    }


def _colours() -> dict[str, Any]:
    return {
        "pillars": {str(k): v for k, v in PILLAR_COLOURS.items()},
        "shapes": {str(k): v for k, v in PILLAR_SHAPES.items()},
        "noPillar": NO_PILLAR,
        "country": COUNTRY_COLOUR,
        "canada": CANADA_COLOUR,
        "noChannel": NO_CHANNEL,
        "noData": NO_DATA,
        "scale": list(SCALE),
    }


def page_model(
    data: MapData, options: Options, slices: dict[str, Slice], pages: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The JSON a page embeds: countries, channels, links, sources and every slice's rows;
    ``pages``: the countries that have a country page (linked from the maps)."""
    country_ids = sorted(data.countries)
    c_index = {c: i for i, c in enumerate(country_ids)}
    channel_ids = sorted(data.channels)
    ch_index = {c: i for i, c in enumerate(channel_ids)}
    used_links = sorted({i for s in slices.values() for i in s.link_ids()})
    l_index = {i: n for n, i in enumerate(used_links)}
    source_ids = sorted(
        {src for i in used_links for src in data.links[i].sources}
        | {src for c in data.channels.values() for src in c.sources}
    )
    s_index = {s: i for i, s in enumerate(source_ids)}
    years = data.years(options.as_of)
    return {
        "title": title_for(data, options, "Canada's migration and protection diplomacy"),
        "sourceLine": source_line(data),
        "canada": CANADA,
        "pillars": [
            [p or 0, data.pillars.get(p, "All pillars") if p else "All pillars"]
            for p in options.pillars(data)
        ],
        "years": years,
        "region": options.region or "",
        "default": slice_key(options.pillars(data)[0], years[-1]),
        "countries": [
            [c, data.countries[c].label, data.region_of(c), data.countries[c].numeric] for c in country_ids
        ],
        "channels": _channel_rows(data, channel_ids, s_index),
        "links": _link_rows(data, used_links, c_index, ch_index, s_index),
        "sources": [
            [
                s,
                data.sources[s].title,
                data.sources[s].publisher,
                data.sources[s].url,
                data.sources[s].accessed,
            ]
            if s in data.sources
            else [s, s, "", "", ""]
            for s in source_ids
        ],
        "colours": _colours(),
        "pages": {"href": COUNTRY_PAGES, "countries": sorted(pages)},
        "slices": _slice_rows(slices, c_index, ch_index, l_index),
    }


CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
)


def render_page(
    template: str, title: str, *, data: Any = None, scripts: tuple[str, ...] = (), **context: Any
) -> str:
    """A complete, self-contained page from ``templates/<template>`` (which extends
    ``maps/page.html``): the maps stylesheet, the data as JSON and the scripts inlined, and a
    Content-Security-Policy that forbids loading anything else, so even a mistake cannot make the
    page reach the network."""
    context.setdefault("css", "")
    context.setdefault("body", "")
    return render(
        template,
        title=title,
        csp=CSP,
        maps_css=static_text("maps.css"),
        data_json=json_for_script(data) if data is not None else "",
        scripts=scripts,
        **context,
    )


def html_page(
    title: str, body: str, *, css: str = "", scripts: tuple[str, ...] = (), data: Any = None
) -> str:
    """A self-contained page around ready-made ``body`` HTML (for the report, until it has its
    own templates)."""
    return render_page("maps/page.html", title, data=data, scripts=scripts, css=css, body=body)


def save_figure(fig: Any, out_base: Path) -> list[Path]:
    """Save a matplotlib figure as PNG and SVG beside each other, without dates (same data, same
    bytes), and close it."""
    import matplotlib.pyplot as plt

    written = []
    for ext in ("png", "svg"):
        path = out_base.with_suffix(f".{ext}")
        meta = {"Date": None} if ext == "svg" else {"Software": None}
        fig.savefig(path, format=ext, metadata=meta, facecolor="white")
        written.append(path)
    plt.close(fig)
    return written
