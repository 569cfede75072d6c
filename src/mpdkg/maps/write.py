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
from dataclasses import dataclass
from pathlib import Path

from mpdkg.errors import UsageError
from mpdkg.maps.aside import Aside
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

    The slides (matplotlib, a quarter of the work once the slices are scored) are drawn in a
    forked process while this one writes the pages and draws the other figures
    (:class:`~mpdkg.maps.aside.Aside`).
    """
    from mpdkg.maps.report import write_report

    step("reading the data for the maps")
    data = load_map_data(dataset)
    options = Options(pillar, region, as_of)
    check_options(data, options)
    step("scoring every pillar and year")
    slices = compute_slices(data, options)
    open_data = open_data if open_data is not None else _read_open_data(step)
    out_dir = Path(out_dir)
    plan = _plan(data, options, slices, open_data, out_dir)
    plan.maps_dir.mkdir(parents=True, exist_ok=True)
    step(f"drawing the slides of {len(plan.slid)} country pages (beside the pages and figures)")
    with Aside(lambda: _draw_slides(plan)) as slides:
        written, n_pages = _write_pages(plan, step)
        step("drawing the figures")
        written += _draw_figures(plan)
        written += slides.result()
    written += _index(plan, n_pages)
    (plan.maps_dir / "NOTICE").write_text(_notice(), encoding="utf-8")
    written.append(plan.maps_dir / "NOTICE")
    step("writing the report")
    wrapped = (lambda fact: origins(fact)) if origins else None
    written.append(write_report(data, options, slices, out_dir / "report", plan.figures(), wrapped))
    return sorted(written)


@dataclass
class _Plan:
    """What the pages and the figures of one call of :func:`write_maps` are drawn from."""

    data: MapData
    options: Options
    slices: dict
    open_data: OpenData
    out_dir: Path
    slid: list[str]  # the country pages that get a slide
    layout: dict
    flows: dict
    peers: dict
    source: str

    @property
    def maps_dir(self) -> Path:
        return self.out_dir / "maps"

    @property
    def pillars(self) -> list[int | None]:
        return self.options.pillars(self.data)

    @property
    def latest(self) -> int:
        return self.data.years(self.options.as_of)[-1]

    def network_name(self, p: int | None) -> str:
        return "network-all" if p is None else f"network-pillar-{p}"

    def figures(self) -> dict[str, Path]:
        """The figures, pages and slides the report shows or links to."""
        figures = {"network": self.maps_dir / f"{self.network_name(self.pillars[0])}.png"}
        figures["world"] = self.maps_dir / "world.png"
        return figures | _view_paths(self.maps_dir)


def _plan(data: MapData, options: Options, slices: dict, open_data: OpenData, out_dir: Path) -> _Plan:
    import json

    from mpdkg.maps.peers import peer_model

    slid = slide_countries(data, options, slices, page_countries(slices))
    default = slices[slice_key(options.pillars(data)[0], data.years(options.as_of)[-1])]
    influence = out_dir / "influence.json"
    info = json.loads(influence.read_text(encoding="utf-8")) if influence.is_file() else None
    labels = {iso3: c.label for iso3, c in data.countries.items()}
    return _Plan(
        data, options, slices, open_data, out_dir, slid, compute_layout(data, slices, default),
        flow_model(data, open_data), peer_model(info, open_data, labels, data.pillars), source_line(data),
    )  # fmt: skip


def _write_pages(plan: _Plan, step: Step) -> tuple[list[Path], int]:
    """The country pages, the interactive maps and the peer page; and the number of country pages."""
    from mpdkg.maps.peers import write_peers

    data, options, slices, out_dir, maps_dir = (
        plan.data,
        plan.options,
        plan.slices,
        plan.out_dir,
        plan.maps_dir,
    )
    step("writing the country pages")
    pages = write_country_pages(
        data, options, slices, out_dir / "report" / "countries", out_dir / "influence.json",
        plan.open_data, frozenset(plan.slid),
    )  # fmt: skip
    model = page_model(data, options, slices, tuple(p.stem for p in pages))
    step("writing the interactive maps")
    network_model = dict(model, layout=plan.layout)
    (maps_dir / "network.html").write_text(network_html(data, network_model), encoding="utf-8")
    world_model = dict(model, layers=layer_model(out_dir / "influence.json", model["years"]))
    world_model["flows"] = plan.flows
    default = slices[slice_key(plan.pillars[0], plan.latest)]
    (maps_dir / "world.html").write_text(world_html(data, world_model, default), encoding="utf-8")
    written = [*pages, maps_dir / "network.html", maps_dir / "world.html"]
    written.append(write_peers(plan.peers, maps_dir, plan.source))
    return written, len(pages)


def _draw_figures(plan: _Plan) -> list[Path]:
    """The network per pillar, the world map and the flows (drawn here, beside the slides)."""
    from mpdkg.maps.flows import flow_figure

    data, slices, maps_dir, latest = plan.data, plan.slices, plan.maps_dir, plan.latest
    region = plan.options.region
    written: list[Path] = []
    for p in plan.pillars:
        subtitle = f"{'All pillars' if p is None else f'Pillar {p}: ' + data.pillars[p]} · as of {latest}" + (
            f" · {region}" if region else ""
        )
        written += network_figure(
            data, slices[slice_key(p, latest)], plan.layout, maps_dir / plan.network_name(p),
            "Canada’s channels and partners", subtitle, plan.source,
        )  # fmt: skip
    pillar = plan.options.pillar
    title = "Canada’s influence by country" + (f": pillar {pillar}" if pillar else "") + f" ({latest})"
    maximum = pillar_max(slices).get(str(plan.pillars[0] or "all"), 0.0)
    default = slices[slice_key(plan.pillars[0], latest)]
    written += world_figure(data, default, maximum, maps_dir / "world", title, plan.source)
    for kind in ("resettled", "claims"):
        written += flow_figure(data, plan.flows, kind, maps_dir / f"flows-{kind}", plan.source)
    return written


def _draw_slides(plan: _Plan) -> list[Path]:
    """The country slides and the peers' slide (drawn in the forked child)."""
    from mpdkg.maps.peers import peers_figure

    written = write_country_slides(
        plan.data, plan.options, plan.slices, plan.slid, plan.open_data, plan.maps_dir
    )
    return written + peers_figure(plan.peers, plan.maps_dir / "peers", plan.source)


def _view_paths(maps_dir: Path) -> dict[str, Path]:
    views = {"index": maps_dir / "index.html", "peers-page": maps_dir / "peers.html"}
    return views | {k: maps_dir / f"{k}.png" for k in ("flows-resettled", "flows-claims", "peers")}


SLIDES = {
    "network-all": "Canada’s channels and partners, all pillars",
    "world": "Canada’s influence by country",
    "flows-resettled": "Refugees resettled to Canada by country of origin (UNHCR), latest year",
    "flows-claims": "Asylum claims lodged in Canada by country of origin (UNHCR), latest year",
    "peers": "Canada beside its peers: fora memberships per pillar",
}


def _index(plan: _Plan, n_countries: int) -> list[Path]:
    """maps/index.html, listing every page and slide written (the figures must be drawn)."""
    from mpdkg.maps.common import render_page

    data, maps_dir, model = plan.data, plan.maps_dir, plan.peers
    figures = {p.stem for p in maps_dir.glob("*.png")}
    slides = [(name, label) for name, label in SLIDES.items() if name in figures]
    slides += [
        (n, f"Canada’s channels and partners, pillar {n.rsplit('-', 1)[1]}")
        for n in sorted(figures)
        if n.startswith("network-pillar-")
    ]
    country_slides = [
        (slide_name(c), f"{data.countries[c].label} and Canada: channels and flows") for c in plan.slid
    ]
    slides += [s for s in country_slides if s[0] in figures]
    index = render_page(
        "maps/index.html",
        "Maps — migration and protection diplomacy",
        slides=slides,
        peers=[model["labels"][e] for e in model["egos"] if e != "CAN"],
        example="MEX" if "MEX" in data.countries else sorted(data.countries)[0],
        n_countries=n_countries,
        source_line=plan.source,
    )
    (maps_dir / "index.html").write_text(index, encoding="utf-8")
    return [maps_dir / "index.html"]


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
