"""Slides for country pages (16:9 PNG and SVG, ``maps/country-<ISO3>.png|svg``): a country's
channels with Canada over time, by pillar, beside its flows to Canada (refugees resettled,
asylum claims; UNHCR), with title, legend and a source line naming each dataset and its date.

Drawing all 194 country pages would cost a minute of the maps stage, so the build draws only
the countries the report's top-partners table shows (the top 10 of its first slice, all
pillars by default) and the ones the briefing discusses (:data:`BRIEFED`);
``mpdkg map --country ISO3`` draws any other on demand. The figures are the country page's
own: the channels in force each year in the slices that rank it, the flows of
:class:`mpdkg.maps.opendata.OpenData`.

>>> count_by_pillar([[("forum/rcm", 1), ("forum/rcm", 1)], [("forum/rcm", 1), ("agreement/sawp", 2)]])
{1: [1, 1], 2: [0, 1]}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from pathlib import Path

from mpdkg.errors import UsageError
from mpdkg.maps.common import NO_PILLAR, PILLAR_COLOURS, Options, slice_key, truncate
from mpdkg.maps.data import MapData, Slice
from mpdkg.maps.opendata import OpenData

BRIEFED = ("IND", "PHL", "JOR", "LBN")  # discussed by the briefing: India, the Philippines, Jordan, Lebanon
TOP = 10  # as many as the report's top-partners table shows (mpdkg.maps.report.TOP)
FLOW_COLOURS = {"resettled": "#6a51a3", "claims": "#b35806"}


def slide_name(iso3: str) -> str:
    return f"country-{iso3}"


def slide_countries(
    data: MapData, options: Options, slices: dict[str, Slice], pages: Iterable[str]
) -> list[str]:
    """The top partners of the report's first table (latest year), then :data:`BRIEFED`, each
    once and only when it has a country page."""
    with_page = set(pages)
    latest = data.years(options.as_of)[-1]
    main = slices[slice_key(options.pillars(data)[0], latest)]
    top = [r.iso3 for r in main.ranked()[:TOP]]
    return list(dict.fromkeys(c for c in [*top, *BRIEFED] if c in with_page))


def check_country_form(code: str) -> None:
    """Refuse what cannot be an ISO3 code before anything is read."""
    if not re.fullmatch(r"[A-Za-z]{3}", code.strip()):
        raise UsageError(
            f"--country {code!r}: expected an ISO 3166-1 alpha-3 code, three letters such as MEX or IND"
        )


def check_country(data: MapData, code: str) -> str:
    """The ISO3 code of ``code`` (any case), or a UsageError naming the expected form and the
    nearest codes or names."""
    check_country_form(code)
    iso3 = code.strip().upper()
    if iso3 in data.countries:
        return iso3
    names = {c.label.casefold(): c.iso3 for c in data.countries.values()}
    near = get_close_matches(iso3, list(data.countries), n=3, cutoff=0.6)
    near += [names[n] for n in get_close_matches(code.casefold(), list(names), n=2, cutoff=0.6)]
    hint = f"; did you mean {', '.join(dict.fromkeys(near))}?" if near else ""
    raise UsageError(
        f"--country {code!r}: no country with this ISO 3166-1 alpha-3 code in the graph "
        f"(expected three letters such as MEX){hint}"
    )


def count_by_pillar(per_year: Sequence[Iterable[tuple[str, int]]]) -> dict[int, list[int]]:
    """Distinct channels per year, by pillar, from each year's ``(channel, pillar)`` pairs (a
    channel the country holds through several links counts once)."""
    out: dict[int, list[int]] = {}
    for i, pairs in enumerate(per_year):
        for _channel, pillar in set(pairs):
            out.setdefault(pillar, [0] * len(per_year))[i] += 1
    return dict(sorted(out.items()))


def _channels_per_year(
    data: MapData, slices: dict[str, Slice], iso3: str, pillar: int | None, years: list[int]
) -> list[list[tuple[str, int]]]:
    """Each year's channels of the country, from the slices the country page ranks it by."""
    out = []
    for y in years:
        row = slices[slice_key(pillar, y)].rows.get(iso3)
        links = [data.links[i] for i in row.links] if row else []
        out.append([(k.channel, (k.pillars or data.channels[k.channel].pillars or (0,))[0]) for k in links])
    return out


def _channels_panel(ax, data: MapData, per_year: list[list[tuple[str, int]]], years: list[int]) -> None:
    counts = count_by_pillar(per_year)
    edges = [y - 0.5 for y in years] + [years[-1] + 0.5]
    bottom = [0] * len(years)
    for pillar, row in counts.items():  # one stepped area per pillar, stacked
        top = [b + n for b, n in zip(bottom, row, strict=True)]
        label = f"P{pillar}: {truncate(data.pillars.get(pillar, ''), 90)}" if pillar else "no pillar"
        colour = PILLAR_COLOURS.get(pillar, NO_PILLAR)
        ax.stairs(top, edges, baseline=bottom, fill=True, color=colour, label=label)
        bottom = top
    ax.set_title("Channels with Canada in force, by pillar", fontsize=13, loc="left")
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylabel("channels (fora and agreements)", fontsize=10)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if counts:
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.07), fontsize=9, frameon=False, borderaxespad=0)
    else:
        ax.text(0.5, 0.5, "no channel recorded", ha="center", transform=ax.transAxes, color="#666666")


def _flow_panel(ax, series: dict[int, int], kind: str, label: str, span: tuple[int, int] | None) -> None:
    if span:
        ax.set_xlim(span[0] - 0.5, span[1] + 0.5)
    if series:
        ax.bar(list(series), list(series.values()), width=0.8, color=FLOW_COLOURS[kind])
        peak = max(series.items(), key=lambda kv: (kv[1], -kv[0]))
        note = f"total {sum(series.values()):,} · peak {peak[1]:,} in {peak[0]}"
    else:
        note = "none recorded by UNHCR" + (f" in {span[0]}–{span[1]}" if span else "")
    ax.set_title(label, fontsize=12, loc="left")
    ax.text(1, 1.02, note, ha="right", va="bottom", transform=ax.transAxes, fontsize=10, color="#333333")
    ax.set_ylabel("persons per year", fontsize=10)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")


def country_figure(
    data: MapData,
    options: Options,
    slices: dict[str, Slice],
    iso3: str,
    open_data: OpenData | None,
    out_base: Path,
) -> list[Path]:
    """The slide of one country (PNG and SVG beside each other)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # text stays text in the SVG (editable in a slide deck, and cheaper to write), and glyphs are
    # not hinted (invisible at 150 dpi): together about a third less time per slide
    with plt.rc_context({"svg.fonttype": "none", "text.hinting": "none"}):
        return _country_figure(data, options, slices, iso3, open_data, out_base)


def _country_figure(
    data: MapData,
    options: Options,
    slices: dict[str, Slice],
    iso3: str,
    open_data: OpenData | None,
    out_base: Path,
) -> list[Path]:
    import matplotlib.pyplot as plt  # the Agg backend: chosen by country_figure

    from mpdkg.maps.common import save_figure

    od = open_data or OpenData()
    pillar = options.pillars(data)[0]
    years = data.years(options.as_of)
    per_year = _channels_per_year(data, slices, iso3, pillar, years)
    held = [i for i, pairs in enumerate(per_year) if pairs]
    since = max(min(held[:1] or [len(years)]) - 2, 0)  # from just before its first channel
    row = slices[slice_key(pillar, years[-1])].rows.get(iso3)
    plt.rcParams["svg.hashsalt"] = "mpdkg"
    fig = plt.figure(figsize=(13.333, 7.5), dpi=150)
    fig.set_gid(f"slide-{iso3}")
    left = fig.add_axes((0.06, 0.3, 0.42, 0.52))
    _channels_panel(left, data, per_year[since:], years[since:])
    for n, (kind, table, label) in enumerate(
        (("resettled", od.resettled, "Refugees resettled to Canada"),
         ("claims", od.claims, "Asylum claims lodged in Canada"))
    ):  # fmt: skip
        ax = fig.add_axes((0.56, 0.56 - n * 0.36, 0.41, 0.26))
        _flow_panel(ax, table.get(iso3, {}), kind, label, od.years(table))
    label = data.countries[iso3].label
    fig.suptitle(f"{label} and Canada: channels and flows", fontsize=20, fontweight="bold", y=0.97)
    standing = (
        f"rank {row.rank}, {len(row.links)} channels in {years[-1]} ({f'pillar {pillar}' if pillar else 'all pillars'})"
        if row and row.links
        else f"no channel in force in {years[-1]}"
    )
    fig.text(0.5, 0.905, f"{iso3} · {standing} · flows: its nationals (UNHCR, by origin), not the refugees it hosts", ha="center",
             fontsize=12, color="#333333")  # fmt: skip
    unhcr = od.sources.get("unhcr")
    flows_source = (
        unhcr.line() if unhcr else "UNHCR extract not available: " + od.missing.get("unhcr", "not read")
    )
    fig.text(0.01, 0.075, f"Channels: mpdkg graph (CC BY 4.0), as of {years[-1]}; {len(data.sources)} cited "
             "sources; a channel counts once, under its first pillar.", fontsize=9, color="#444444")  # fmt: skip
    fig.text(0.01, 0.04, f"Flows: {flows_source}.", fontsize=9, color="#444444", wrap=True)
    return save_figure(fig, out_base)


def write_country_slides(
    data: MapData,
    options: Options,
    slices: dict[str, Slice],
    countries: Iterable[str],
    open_data: OpenData | None,
    maps_dir: Path,
) -> list[Path]:
    maps_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for iso3 in countries:
        written += country_figure(data, options, slices, iso3, open_data, maps_dir / slide_name(iso3))
    return written


__all__ = [
    "BRIEFED",
    "check_country",
    "check_country_form",
    "count_by_pillar",
    "country_figure",
    "slide_countries",
    "write_country_slides",
]
