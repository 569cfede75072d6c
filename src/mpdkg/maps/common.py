"""What the maps and the report share: colours, the page model (every slice as JSON) and the
plumbing that makes a page self-contained (inlined scripts and styles, nothing from a network).

>>> pillar_colour(1), pillar_colour(None)
('#1b6ca8', '#8c8c8c')
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
from mpdkg.maps.data import NO_REGION, MapData, Slice

# Colours: pillars (channels, drawn as squares) and regions (countries, drawn as circles) use
# two palettes that do not share a hue, so a node's colour says what kind of node it is.
PILLAR_COLOURS = {
    1: "#1b6ca8",  # well-managed migration: blue
    2: "#e08a00",  # labour markets: orange
    3: "#2e9e5b",  # integration: green
    4: "#8e5bb5",  # narratives: purple
    5: "#c43c39",  # refugee protection: red
    6: "#3fa7a0",  # emerging issues: teal
}
NO_PILLAR = "#8c8c8c"
REGION_COLOURS = {
    "Americas": "#d95f02",
    "Europe": "#1f78b4",
    "Africa": "#6a3d9a",
    "Asia": "#33a02c",
    "Oceania": "#b15928",
    NO_REGION: "#7f7f7f",
}
REGION_ORDER = ("Americas", "Europe", "Africa", "Asia", "Oceania", NO_REGION)
CANADA_COLOUR = "#c8102e"
NO_CHANNEL = "#e3e3e3"  # a country with no channel to Canada in the slice
NO_DATA = "#f3f3f3"  # a shape with no ISO 3166 code (N. Cyprus, Somaliland, Kosovo)
# Sequential scale (light to dark); a score s is placed at sqrt(s / max), since a few partners
# score far above the rest and a linear scale would leave everyone else pale.
SCALE = ("#e8f1c7", "#a7d8b0", "#55b4c1", "#2c7fb8", "#253494", "#1d2b6b")


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
    out = {}
    for pillar in options.pillars(data):
        for year in data.years(options.as_of):
            out[slice_key(pillar, year)] = data.slice(pillar, year, options.region)
    return out


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


def page_model(data: MapData, options: Options, slices: dict[str, Slice]) -> dict[str, Any]:
    """The JSON a page embeds: countries, channels, links, sources and every slice's rows."""
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
    maxima = pillar_max(slices)
    model = {
        "title": title_for(data, options, "Canada's migration and protection diplomacy"),
        "sourceLine": source_line(data),
        "canada": CANADA,
        "pillars": [
            [p or 0, data.pillars.get(p, "All pillars") if p else "All pillars"]
            for p in options.pillars(data)
        ],
        "years": data.years(options.as_of),
        "region": options.region or "",
        "default": slice_key(options.pillars(data)[0], data.years(options.as_of)[-1]),
        "countries": [
            [c, data.countries[c].label, data.region_of(c), data.countries[c].numeric] for c in country_ids
        ],
        "channels": [
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
        ],
        "links": [
            [
                c_index[data.links[i].country],
                ch_index[data.links[i].channel],
                data.links[i].relation,
                data.links[i].begin,
                data.links[i].end,
                list(data.links[i].facts),
                [s_index[s] for s in data.links[i].sources],
                data.links[i].weight,
            ]
            for i in used_links
        ],
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
        "colours": {
            "pillars": {str(k): v for k, v in PILLAR_COLOURS.items()},
            "noPillar": NO_PILLAR,
            "regions": REGION_COLOURS,
            "canada": CANADA_COLOUR,
            "noChannel": NO_CHANNEL,
            "noData": NO_DATA,
            "scale": list(SCALE),
        },
        "slices": {
            key: {
                "rows": [
                    [c_index[r.iso3], round(r.score, 4), r.rank, [l_index[i] for i in r.links]]
                    for r in s.ranked()
                ],
                "max": round(maxima.get(key.split(":")[0], 0.0), 3),
                "canada": {k: v for k, v in s.canada.items() if k != "channels"},
                "canadaChannels": [ch_index[c] for c in s.canada.get("channels", []) if c in ch_index],
            }
            for key, s in sorted(slices.items())
        },
    }
    return model


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
