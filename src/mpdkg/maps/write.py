"""Relationship maps and the influence report, all of it offline.

``write_maps(dataset, out_dir)`` writes:

- ``maps/network.html`` — the interactive relationship map (Canada at the centre; fora,
  agreements and countries as nodes; pillar and year filters; hover for channels and sources);
- ``maps/world.html`` — the world map shaded by influence score, with the same filters;
- ``maps/world.png|svg`` and ``maps/network-all.png|svg``, ``maps/network-pillar-N.png|svg`` —
  slide-sized figures made with matplotlib (Agg);
- ``maps/flows-resettled.png|svg``, ``maps/flows-claims.png|svg`` — the flow arcs of UNHCR's
  latest year (refugees resettled to Canada, asylum claims in Canada), for slides;
- ``maps/peers.html`` and ``maps/peers.png|svg`` — Canada beside its peers (:mod:`mpdkg.maps.peers`);
- ``maps/country-<ISO3>.png|svg`` — slides of the country pages the report's top-partners table
  and the briefing name (:mod:`mpdkg.maps.slides`; any other with ``write_country_slide``);
- ``maps/index.html`` — every page and slide of the maps;
- ``report/index.html`` — the influence report, every number linked to its facts and sources;
- ``report/countries/<ISO3>.html`` — a page per partner country (channels over time, rank, layers,
  flows, visas, UN votes, sources), linked from the maps.

Every page is self-contained: scripts, styles, data and country shapes are inlined, a
Content-Security-Policy forbids loading anything else, and nothing is fetched at run time.

>>> import tempfile
>>> from pathlib import Path
>>> from mpdkg.sources.load import load_sources
>>> from mpdkg.rdf.build import build_dataset
>>> out = Path(tempfile.mkdtemp())
>>> written = write_maps(build_dataset(load_sources()).dataset, out, pillar=5, as_of=2000)
>>> [p.relative_to(out).as_posix() for p in written if p.suffix == ".html" and "countries" not in p.parts]
['maps/index.html', 'maps/network.html', 'maps/peers.html', 'maps/world.html', 'report/index.html']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mpdkg.errors import UsageError
from mpdkg.maps.common import Options, compute_slices, page_model, pillar_max, slice_key, source_line
from mpdkg.maps.country import page_countries, write_country_pages
from mpdkg.maps.data import MapData, load_map_data, short_id
from mpdkg.maps.flows import flow_model
from mpdkg.maps.network import compute_layout, network_figure, network_html
from mpdkg.maps.opendata import OpenData, load_open_data
from mpdkg.maps.slides import (
    check_country,
    check_country_form,
    slide_countries,
    slide_name,
    write_country_slides,
)
from mpdkg.maps.world import layer_model, world_figure, world_html

Step = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def _read_open_data(step: Step) -> OpenData:
    step("reading the open data (UNHCR flows, visas, UN votes)")
    return load_open_data()


def check_options(data: MapData, options: Options) -> None:
    """Refuse a pillar, region or year the data cannot answer for, naming what it can."""
    if options.pillar is not None and options.pillar not in data.pillars:
        raise UsageError(
            f"--pillar {options.pillar}: no such pillar; expected one of {', '.join(map(str, sorted(data.pillars)))}"
        )
    if options.pillar is not None and options.pillar not in data.served_pillars():
        raise UsageError(f"--pillar {options.pillar}: no forum or agreement in the graph serves it yet")
    if options.region:
        known = {c.region for c in data.countries.values() if c.region} | {
            c.subregion for c in data.countries.values() if c.subregion
        }
        if options.region.casefold() not in {k.casefold() for k in known}:
            raise UsageError(
                f"--region {options.region!r}: unknown; expected one of {', '.join(sorted(known))}"
            )
    if options.as_of is not None and not 1900 <= options.as_of <= 2100:
        raise UsageError(f"--as-of {options.as_of}: expected a year such as 2020")


def write_maps(
    dataset,
    out_dir: Path,
    pillar: int | None = None,
    region: str | None = None,
    as_of: int | None = None,
    *,
    origins: Callable[[str], str | None] | None = None,
    open_data: OpenData | None = None,
    step: Step = _quiet,
) -> list[Path]:
    """Write out_dir/maps/* and out_dir/report/index.html; return the paths written (sorted).

    ``dataset`` is the built rdflib Dataset (or a pyoxigraph Store, or a query engine).
    ``origins`` optionally maps a fact's short id (``membership/rcm/MEX/member``) to the curated
    file and line it comes from (``Built.origin_of``), shown in the report. ``open_data``: the
    flows, visas and votes (default: read once from the vendored extracts in graph/open-data/).
    """
    from mpdkg.maps.report import write_report

    step("reading the data for the maps")
    data = load_map_data(dataset)
    options = Options(pillar, region, as_of)
    check_options(data, options)
    step("scoring every pillar and year")
    slices = compute_slices(data, options)
    open_data = open_data if open_data is not None else _read_open_data(step)
    step("writing the country pages")
    slid = slide_countries(data, options, slices, page_countries(slices))  # the pages with a slide
    pages = write_country_pages(
        data, options, slices, Path(out_dir) / "report" / "countries", Path(out_dir) / "influence.json",
        open_data, frozenset(slid),
    )  # fmt: skip
    model = page_model(data, options, slices, tuple(p.stem for p in pages))
    pillars = options.pillars(data)
    latest = data.years(as_of)[-1]
    default = slices[slice_key(pillars[0], latest)]
    layout = compute_layout(data, slices, default)

    out_dir = Path(out_dir)
    maps_dir = out_dir / "maps"
    maps_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = list(pages)
    step("writing the interactive maps")
    network_model = dict(model, layout=layout)
    (maps_dir / "network.html").write_text(network_html(data, network_model), encoding="utf-8")
    world_model = dict(model, layers=layer_model(out_dir / "influence.json", model["years"]))
    world_model["flows"] = flow_model(data, open_data)
    (maps_dir / "world.html").write_text(world_html(data, world_model, default), encoding="utf-8")
    written += [maps_dir / "network.html", maps_dir / "world.html"]
    step("drawing the figures")
    source = source_line(data)
    maxima = pillar_max(slices)
    figures: dict[str, Path] = {}
    for p in pillars:
        s = slices[slice_key(p, latest)]
        name = "network-all" if p is None else f"network-pillar-{p}"
        subtitle = f"{'All pillars' if p is None else f'Pillar {p}: ' + data.pillars[p]} · as of {latest}" + (
            f" · {region}" if region else ""
        )
        written += network_figure(
            data, s, layout, maps_dir / name, "Canada’s channels and partners", subtitle, source
        )
        figures.setdefault("network", maps_dir / f"{name}.png")
    title = "Canada’s influence by country" + (f": pillar {pillar}" if pillar else "") + f" ({latest})"
    written += world_figure(
        data, default, maxima.get(str(pillars[0] or "all"), 0.0), maps_dir / "world", title, source
    )
    figures["world"] = maps_dir / "world.png"
    slides, labels = _country_slides(data, options, slices, slid, open_data, maps_dir, step)
    written += slides + _open_views(
        data, out_dir, world_model["flows"], open_data, source, len(pages), labels
    )
    figures |= _view_paths(maps_dir)  # the pages and slides the report links to
    (maps_dir / "NOTICE").write_text(_notice(), encoding="utf-8")
    written.append(maps_dir / "NOTICE")
    step("writing the report")
    wrapped = (lambda fact: origins(fact)) if origins else None
    written.append(write_report(data, options, slices, out_dir / "report", figures, wrapped))
    return sorted(written)


def _view_paths(maps_dir: Path) -> dict[str, Path]:
    views = {"index": maps_dir / "index.html", "peers-page": maps_dir / "peers.html"}
    return views | {k: maps_dir / f"{k}.png" for k in ("flows-resettled", "flows-claims", "peers")}


def _country_slides(
    data: MapData,
    options: Options,
    slices: dict,
    countries: list[str],
    open_data: OpenData,
    maps_dir: Path,
    step: Step,
) -> tuple[list[Path], tuple[tuple[str, str], ...]]:
    """The slides of the country pages that get one, and their names and labels for the index."""
    step(f"drawing the slides of {len(countries)} country pages")
    written = write_country_slides(data, options, slices, countries, open_data, maps_dir)
    labels = tuple(
        (slide_name(c), f"{data.countries[c].label} and Canada: channels and flows") for c in countries
    )
    return written, labels


SLIDES = {
    "network-all": "Canada’s channels and partners, all pillars",
    "world": "Canada’s influence by country",
    "flows-resettled": "Refugees resettled to Canada by country of origin (UNHCR), latest year",
    "flows-claims": "Asylum claims lodged in Canada by country of origin (UNHCR), latest year",
    "peers": "Canada beside its peers: fora memberships per pillar",
}


def _open_views(
    data: MapData,
    out_dir: Path,
    flows: dict,
    open_data: OpenData,
    source: str,
    n_countries: int,
    country_slides: tuple[tuple[str, str], ...] = (),
) -> list[Path]:
    """The views of the open data and the peers: the flow slides, the peer page and its slide,
    and maps/index.html listing every page and slide written."""
    import json

    from mpdkg.maps.common import render_page
    from mpdkg.maps.flows import flow_figure
    from mpdkg.maps.peers import peer_model, peers_figure, write_peers

    maps_dir = out_dir / "maps"
    written: list[Path] = []
    for kind in ("resettled", "claims"):
        written += flow_figure(data, flows, kind, maps_dir / f"flows-{kind}", source)
    influence = out_dir / "influence.json"
    info = json.loads(influence.read_text(encoding="utf-8")) if influence.is_file() else None
    labels = {iso3: c.label for iso3, c in data.countries.items()}
    model = peer_model(info, open_data, labels, data.pillars)
    written.append(write_peers(model, maps_dir, source))
    written += peers_figure(model, maps_dir / "peers", source)
    figures = {p.stem for p in maps_dir.glob("*.png")} | {p.stem for p in written if p.suffix == ".png"}
    slides = [(name, label) for name, label in SLIDES.items() if name in figures]
    slides += [
        (n, f"Canada’s channels and partners, pillar {n.rsplit('-', 1)[1]}")
        for n in sorted(figures)
        if n.startswith("network-pillar-")
    ]
    slides += [s for s in country_slides if s[0] in figures]
    index = render_page(
        "maps/index.html",
        "Maps — migration and protection diplomacy",
        slides=slides,
        peers=[model["labels"][e] for e in model["egos"] if e != "CAN"],
        example="MEX" if "MEX" in data.countries else sorted(data.countries)[0],
        n_countries=n_countries,
        source_line=source,
    )
    (maps_dir / "index.html").write_text(index, encoding="utf-8")
    return [*written, maps_dir / "index.html"]


def write_country_slide(
    dataset,
    out_dir: Path,
    country: str,
    pillar: int | None = None,
    as_of: int | None = None,
    *,
    open_data: OpenData | None = None,
    step: Step = _quiet,
) -> list[Path]:
    """Only one country's slide, ``out_dir/maps/country-<ISO3>.png|svg`` (``mpdkg map --country``);
    ``country``: an ISO 3166-1 alpha-3 code, any case (a UsageError names the expected form)."""
    from mpdkg.maps.slides import country_figure

    check_country_form(country)
    step("reading the data for the maps")
    data = load_map_data(dataset)
    iso3 = check_country(data, country)
    options = Options(pillar, None, as_of)
    check_options(data, options)
    step("scoring every year")
    slices = compute_slices(data, options)
    open_data = open_data if open_data is not None else _read_open_data(step)
    maps_dir = Path(out_dir) / "maps"
    maps_dir.mkdir(parents=True, exist_ok=True)
    step(f"drawing the slide of {data.countries[iso3].label}")
    return country_figure(data, options, slices, iso3, open_data, maps_dir / slide_name(iso3))


def origins_from_built(built) -> Callable[[str], str | None]:
    """``Built.origin_of`` for short fact ids, as the report wants it."""
    from rdflib import URIRef

    from mpdkg.namespaces import BASE

    def find(fact: str) -> str | None:
        hit = built.origin_of(URIRef(BASE + fact))
        return str(hit) if hit else None

    return find


def _notice() -> str:
    from mpdkg.maps.common import static_text

    return static_text("NOTICE")


__all__ = ["check_options", "origins_from_built", "short_id", "write_country_slide", "write_maps"]
