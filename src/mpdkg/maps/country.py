"""A page per country (``report/countries/<ISO3>.html``): its channels with Canada over time,
its rank per year, its layers and their explanation (from the influence analysis, when the build
wrote them), flows to Canada, the visa regime both ways and UN-vote agreement from the open data
(:mod:`mpdkg.maps.country_open`), and every fact's source. Static HTML through the templates, nothing loaded from a network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mpdkg.influence.analysis import unranked_note
from mpdkg.influence.network import CANADA
from mpdkg.maps.common import NO_PILLAR, PILLAR_COLOURS, Options, render_page, slice_key, source_line
from mpdkg.maps.country_open import open_context
from mpdkg.maps.data import BASE, Link, MapData, Slice
from mpdkg.maps.opendata import VISA_LABELS, OpenData

BAR_H = 16  # px per channel in the timeline
LEFT = 250  # px for the channel names


def links_over_time(data: MapData, slices: dict[str, Slice], iso3: str, pillar: int | None) -> list[Link]:
    seen: dict[int, Link] = {}
    for key, s in slices.items():
        if key.split(":")[0] == str(pillar or "all") and iso3 in s.rows:
            for i in s.rows[iso3].links:
                seen.setdefault(i, data.links[i])
    return sorted(seen.values(), key=lambda link: (-link.weight, link.begin or 0, link.channel))


def _spans_by_channel(links: list[Link]) -> dict[str, tuple[int | None, int | None]]:
    """One span per channel, from its links' first begin to their last end (open if any link is):
    a channel is held through several links (the slices of different years weigh it differently,
    and engagements go through the forum), but it is one channel to a reader.

    >>> from mpdkg.maps.data import Link
    >>> ls = [Link("MEX", "forum/rcm", "member", b, e, (1,), (), (), 1.0) for b, e in ((1996, 2010), (2001, None))]
    >>> _spans_by_channel(ls)
    {'forum/rcm': (1996, None)}
    """
    spans: dict[str, tuple[int | None, int | None]] = {}
    for link in links:
        if link.channel not in spans:
            spans[link.channel] = (link.begin, link.end)
            continue
        begin, end = spans[link.channel]
        begins = [b for b in (begin, link.begin) if b is not None]
        spans[link.channel] = (
            min(begins) if begins else None,
            None if end is None or link.end is None else max(end, link.end),
        )
    return spans


def channel_rows(links: list[Link]) -> list[dict[str, Any]]:
    """One table row per channel and relation, over all the years shown: its span, the range of
    what it added to the tie (a channel weighs differently as its membership changes), and every
    fact and source behind it. Heaviest first, as the links come.

    >>> from mpdkg.maps.data import Link
    >>> ls = [Link("IND", "forum/c", "member", 1947, None, (1,), ("m",), ("s1",), w) for w in (0.05, 0.02)]
    >>> [(r["channel"], r["begin"], r["end"], r["weights"]) for r in channel_rows(ls)]
    [('forum/c', 1947, None, '0.02–0.05')]
    """
    groups: dict[tuple[str, str], list[Link]] = {}
    for link in links:
        groups.setdefault((link.channel, link.relation), []).append(link)
    rows = []
    for (channel, relation), held in groups.items():
        begin, end = _spans_by_channel(held)[channel]
        low, high = min(k.weight for k in held), max(k.weight for k in held)
        assumed = end is not None and any(k.end == end and k.end_assumed for k in held)
        rows.append({
            "channel": channel, "relation": relation, "begin": begin, "end": end, "end_assumed": assumed,
            "weights": f"{low:.3g}" if low == high else f"{low:.3g}–{high:.3g}",
            "facts": sorted({f for k in held for f in k.facts}),
            "sources": sorted({x for k in held for x in k.sources}),
        })  # fmt: skip
    return rows


def _timeline(data: MapData, links: list[Link], years: list[int]) -> dict[str, Any]:
    """A bar per channel from its first to its last year (open ends run to the last year)."""
    first, last = years[0], years[-1]
    width = 640
    per_year = width / max(last - first + 1, 1)
    bars = []
    for n, (channel, (begin_, end_)) in enumerate(_spans_by_channel(links).items()):
        ch = data.channels[channel]
        begin = max(begin_ or first, first)
        end = min(end_ or last, last)
        colour = PILLAR_COLOURS.get(ch.pillars[0], NO_PILLAR) if ch.pillars else NO_PILLAR
        bars.append(
            {
                "y": n * BAR_H,
                "x": LEFT + (begin - first) * per_year,
                "w": max((end - begin + 1) * per_year, 2),
                "label": ch.short if len(ch.label) > 34 else ch.label,
                "title": ch.label,
                "colour": colour,
                "span": f"{begin_ or '?'}–{end_ or ''}",
            }
        )
    ticks = [(LEFT + (y - first) * per_year, y) for y in years if y % 10 == 0 or y in (first, last)]
    return {"bars": bars, "ticks": ticks, "width": LEFT + width + 10, "height": len(bars) * BAR_H + 24}


def _ranks(slices: dict[str, Slice], iso3: str, minimum: int = 0) -> list[tuple[int, int | None, int, str]]:
    """(year, rank, channels, note) every five years and the last; a year in which Canada takes
    part in fewer than ``minimum`` channels is not ranked, and its note says why."""
    out = []
    for key, s in sorted(slices.items(), key=lambda kv: int(kv[0].split(":")[1])):
        if key.startswith("all:"):
            row = s.rows.get(iso3)
            states = sum(1 for r in s.rows.values() if r.links)
            note = unranked_note(CANADA, int(s.canada.get("ego_channels", minimum)), states, s.year, minimum)
            rank = row.rank if row and row.links and note is None else None
            out.append((s.year, rank, len(row.links) if row else 0, note or ""))
    return [r for n, r in enumerate(out) if r[0] % 5 == 0 or n == len(out) - 1]  # every five years


def _layers(influence: dict[str, Any] | None, iso3: str) -> dict[str, Any] | None:
    """The influence analysis' layers for the country in its latest year, if the build has them."""
    layers = (influence or {}).get("layers")
    if not layers:
        return None
    years = sorted(layers.get("by_year", {}), key=int)
    for year in reversed(years):
        entry = layers["by_year"][year].get(iso3)
        if entry:
            return {"year": year, "entry": entry, "definitions": layers.get("definitions", {})}
    return None


def country_html(
    data: MapData,
    options: Options,
    slices: dict[str, Slice],
    iso3: str,
    influence: dict[str, Any] | None,
    open_data: OpenData | None = None,
    slide: bool = False,
) -> str:
    """The page of one country; ``slide``: link its slide (``maps/country-<ISO3>.png|svg``)."""
    c = data.countries[iso3]
    years = data.years(options.as_of)
    links = links_over_time(data, slices, iso3, options.pillar)
    latest = slices[slice_key(options.pillars(data)[0], years[-1])]
    row = latest.rows.get(iso3)
    visas = data.visa_decisions.get(iso3, ())
    sources = sorted({s for link in links for s in link.sources} | {s for d in visas for s in d.sources})
    return render_page(
        "maps/country.html",
        f"{c.label} and Canada — migration and protection diplomacy",
        country=c,
        links=[(row, data.channels[row["channel"]]) for row in channel_rows(links)],
        timeline=_timeline(data, links, years),
        ranks=_ranks(slices, iso3, data.config.min_ranked_channels),
        row=row if row and row.links else None,
        latest=years[-1],
        layers=_layers(influence, iso3),
        sources=[data.sources[s] for s in sources if s in data.sources],
        base=BASE,
        open=open_context(open_data, iso3),
        visa_decisions=visas,
        visa_labels=VISA_LABELS,
        source_line=source_line(data),
        slide=f"../../maps/country-{iso3}" if slide else "",
    )


def page_countries(slices: dict[str, Slice]) -> list[str]:
    """The countries that get a page: a channel to Canada in some slice."""
    return sorted({r.iso3 for s in slices.values() for r in s.partners()})


def write_country_pages(
    data: MapData,
    options: Options,
    slices: dict[str, Slice],
    out_dir: Path,
    influence_json: Path | None = None,
    open_data: OpenData | None = None,
    slides: frozenset[str] = frozenset(),
) -> list[Path]:
    """``out_dir/<ISO3>.html`` for every country with a channel to Canada in some year, with
    its flows, visas and votes from ``open_data`` (read once for all countries); the pages of
    ``slides`` link their slide."""
    influence = None
    if influence_json is not None and influence_json.is_file():
        influence = json.loads(influence_json.read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    countries = page_countries(slices)
    written = []
    for iso3 in countries:
        path = out_dir / f"{iso3}.html"
        path.write_text(
            country_html(data, options, slices, iso3, influence, open_data, iso3 in slides), encoding="utf-8"
        )
        written.append(path)
    return written
