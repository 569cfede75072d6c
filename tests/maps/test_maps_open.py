"""The open data on the maps (#20): flows, visas and UN votes on the country pages, read once from
the vendored extracts; figures checked against the published UNHCR numbers, and every section
with its units and source line, or a note saying why it is empty."""

from __future__ import annotations

import re
import tempfile
from html import unescape
from pathlib import Path

import pytest

from mpdkg.maps.common import Options, compute_slices, page_model
from mpdkg.maps.country import write_country_pages
from mpdkg.maps.data import load_map_data
from mpdkg.maps.flows import arc_width, flow_figure, flow_model
from mpdkg.maps.opendata import OpenData, SourceNote, VoteYear, load_open_data, visa_periods
from mpdkg.maps.peers import peer_model, peers_figure, write_peers
from mpdkg.maps.slides import slide_countries
from mpdkg.maps.world import world_html
from mpdkg.rdf.build import build_dataset
from mpdkg.sources.load import load_sources
from tests.helpers import write_mini_graph
from tests.maps.browser import Visit

UNHCR = SourceNote(
    "unhcr",
    "UNHCR test extract",
    "CC BY 4.0",
    "",
    "PopulationStatistics/refugees",
    "0c16a6d0c2f3" * 3,
    "2026-12-02",
    "",
)
VISAS = SourceNote(
    "passport-index", "Passport Index test", "MIT", "", "ilyankou/pid", "a46dbc87" * 5, "2026-12-02", ""
)
VOTES = SourceNote("unvotes", "UN votes test", "CC0", "", "dgrtwo/unvotes", "7eb70343" * 5, "2026-12-02", "")


def synthetic_open_data() -> OpenData:
    snaps = ["2019-11-23", "2022-01-01", "2024-03-02", "2025-01-12"]
    return OpenData(
        resettled={"MEX": {2015: 120, 2016: 4321, 2018: 7}, "KEN": {2016: 1500}},
        claims={"MEX": {2022: 16620, 2023: 24132}},
        hosted={"MEX": {2022: 300_000, 2023: 350_000}, "FRA": {2022: 0, 2023: 0}},
        asylum_seekers={"MEX": {2023: 400_000}},
        visa_in={"MEX": visa_periods([(snaps[0], "eta", None), (snaps[1], "eta", None), (snaps[2], "visa-required", None),
                                      (snaps[3], "visa-required", None)])},
        visa_out={"MEX": visa_periods([(d, "visa-free", 180) for d in snaps])},
        snapshots=snaps,
        votes={"MEX": [VoteYear(1990, 80, 60, 0.75), VoteYear(2000, 70, 49, 0.7), VoteYear(2019, 90, 45, 0.5),
                       VoteYear(2020, 1, 1, 1.0)]},
        sources={"unhcr": UNHCR, "passport-index": VISAS, "unvotes": VOTES},
    )  # fmt: skip


@pytest.fixture(scope="module")
def mini_data():
    graph = write_mini_graph(Path(tempfile.mkdtemp(prefix="open-graph-")))
    data = load_map_data(build_dataset(load_sources(graph)).dataset)
    return data, compute_slices(data, Options())


@pytest.fixture(scope="module")
def open_maps(tmp_path_factory, mini_data):
    """The country pages only (the maps and the report are tested in test_maps.py)."""
    data, slices = mini_data
    out = tmp_path_factory.mktemp("open-maps")
    write_country_pages(data, Options(), slices, out / "report" / "countries", None, synthetic_open_data())
    return out


def _section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', html, re.S)
    assert match, name
    return match.group(1)


def test_country_page_shows_flows_visas_and_votes(open_maps):
    html = (open_maps / "report" / "countries" / "MEX.html").read_text(encoding="utf-8")
    flows = _section(html, "flows")
    assert "<b>4,448</b> refugees resettled to Canada in 2015–2018" in flows  # 120 + 4,321 + 7
    assert "peak <b>4,321</b> in 2016" in flows and "<title>2016: 4,321 refugees resettled" in flows
    assert "<b>40,752</b> asylum claims lodged in Canada in 2022–2023" in flows
    assert flows.count("Units: persons") == 2 and flows.count("Source: UNHCR test extract; CC BY 4.0") == 2
    assert "PopulationStatistics/refugees at commit 0c16a6d0c2f3" in flows
    visas = _section(html, "visas")
    assert "2024-03-02 – 2025-01-12</td><td>" in visas and "visa required" in visas  # Canada on Mexicans
    assert "visa-free (180 days)" in visas and "Source: Passport Index test; MIT" in visas
    assert visas.count('<svg class="strip"') == 2
    votes = _section(html, "votes")
    assert "75 %" in votes and "50 %" in votes and "<polyline" in votes
    assert "Not drawn: 2020 (1 roll call)" in votes and "Source: UN votes test; CC0" in votes


def test_country_page_shows_the_refugees_it_hosts(open_maps):
    """Issue #16: the protection layer's "refugees hosted" cell on the page, as a stock (the last
    year and the peak, never a sum of years), with units and source line."""
    html = (open_maps / "report" / "countries" / "MEX.html").read_text(encoding="utf-8")
    hosted = unescape(_section(html, "hosted"))
    assert "At the end of 2023: <b>350,000</b> refugees and other people in need of" in hosted
    assert "<b>400,000</b> asylum-seekers" in hosted and "650,000" not in hosted  # no total of years
    assert "key protection partner for Canada" in hosted
    assert "Units: persons present at the end of the year (a stock, not a flow" in hosted
    assert "Source: UNHCR test extract; CC BY 4.0" in hosted and "population_by_asylum.csv" in hosted
    fra = unescape((open_maps / "report" / "countries" / "FRA.html").read_text(encoding="utf-8"))
    assert "UNHCR records no refugees hosted by France in 2022–2023" in fra


def test_early_years_with_a_near_empty_network_are_not_ranked(tmp_path, mini_data):
    """Issue #16: a year in which Canada takes part in fewer channels than [ranking] min_channels
    shows "not ranked" and why, not "1st" (India was 1st in 1945-1950)."""
    import dataclasses

    from mpdkg.maps.country import _ranks
    from mpdkg.maps.data import Row, Slice

    rows = {"IND": Row("IND", 1.0, 1, (0,)), "GBR": Row("GBR", 1.0, 1, (0,))}
    slices = {
        f"all:{y}": Slice(None, y, None, rows, {"ego_channels": n}, {}) for y, n in ((1950, 2), (1965, 5))
    }
    assert _ranks(slices, "IND", 5) == [
        (1950, None, 1, "not ranked: CAN takes part in only 2 channels in force in 1950, shared by 2 states "
         "(ranks need at least 5: [ranking] min_channels in influence_weights.toml)"),
        (1965, 1, 1, ""),
    ]  # fmt: skip
    data, slices = mini_data
    strict = dataclasses.replace(data, config=dataclasses.replace(data.config, min_ranked_channels=10_000))
    write_country_pages(strict, Options(), slices, tmp_path, None, synthetic_open_data())
    ranks = unescape(_section((tmp_path / "MEX.html").read_text(encoding="utf-8"), "ranks"))
    assert "not ranked" in ranks and "ranks need at least 10000" in ranks
    write_country_pages(data, Options(), slices, tmp_path, None, synthetic_open_data())
    default = unescape(_section((tmp_path / "MEX.html").read_text(encoding="utf-8"), "ranks"))
    last = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', default.split("<td>rank</td>")[1])
    assert last and last[-1].strip().isdigit()  # the mini graph's latest year is ranked


def test_empty_sections_say_why(open_maps):
    html = unescape((open_maps / "report" / "countries" / "FRA.html").read_text(encoding="utf-8"))
    assert "UNHCR records no refugees resettled to Canada from France in 2015–2018" in html
    assert "UNHCR records no asylum claims lodged in Canada from France in 2022–2023" in html
    assert "No Passport Index row for Canada's requirement for nationals of France" in html
    assert "No UN General Assembly roll call on which both France and Canada voted" in html
    assert "not in this page yet" not in html


def test_real_open_data_matches_the_published_figures():
    od = load_open_data()
    assert not od.missing
    # UNHCR Refugee Data Finder: Syrians resettled to Canada, 2016 (the Syrian refugee initiative)
    assert od.resettled["SYR"][2016] == 33_266
    assert sum(od.resettled[c].get(2016, 0) for c in od.resettled) > 45_000
    # new asylum claims in Canada, 2023: 146,729 at first instance (IRCC: about 144,000 claims);
    # appeals (8,195 more) and repeat applications are later stages of the same claims, not counted
    assert sum(od.claims[c].get(2023, 0) for c in od.claims) == 146_729
    assert od.claims["MEX"][2023] == 24_132
    # Canada re-imposed visas on most Mexican nationals on 29 February 2024
    assert (od.visa_in["MEX"][-1].category, od.visa_in["MEX"][-1].first) == ("visa-required", "2024-03-02")
    assert od.visa_in["GBR"][-1].category in ("eta", "e-visa") and len(od.snapshots) == 53
    usa = {v.year: v for v in od.votes["USA"]}
    assert usa[2019].roll_calls == 90 and 0.4 < usa[2019].agreement < 0.7
    assert {v.year: v for v in od.votes["GBR"]}[2019].agreement > usa[2019].agreement  # closer to Canada
    assert "CC BY 4.0" in od.sources["unhcr"].line() and "0c16a6d0c2f3" in od.sources["unhcr"].line()
    # refugees hosted (UNHCR population by country of asylum): Türkiye 2016, Canada 2023
    assert od.hosted["TUR"][2016] == 2_869_419 and od.hosted["LBN"][2023] == 788_472
    assert od.hosted["CAN"][2023] == 169_448 and od.asylum_seekers["CAN"][2023] == 197_961


def test_missing_open_data_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("MPDKG_OPENDATA", str(tmp_path))  # an empty folder
    od = load_open_data()
    assert set(od.missing) == {"unhcr", "passport-index", "unvotes"} and not od.resettled


# --- flow arcs on the world map --------------------------------------------------------------


def test_flow_model_and_legend_steps(mini_data):
    data, _slices = mini_data
    flows = flow_model(data, synthetic_open_data())
    resettled = flows["series"]["resettled"]
    assert resettled["max"] == 4321 and resettled["years"]["2016"] == {"MEX": 4321, "KEN": 1500}
    assert resettled["steps"] == [[3000, arc_width(3000, 4321)], [1000, arc_width(1000, 4321)], [100, 0.6]]
    assert resettled["unit"] == "persons" and "CC BY 4.0" in resettled["source"]
    # arcs start at the mainland: Kenya's centroid lies east of Mexico's and south of Canada's
    c = flows["centroids"]
    assert c["KEN"][0] > c["MEX"][0] and c["KEN"][1] > c["CAN"][1] and set(c) == {"CAN", "MEX", "KEN"}


@pytest.fixture(scope="module")
def world_page(tmp_path_factory, mini_data):
    data, slices = mini_data
    model = page_model(data, Options(), slices)
    model = dict(model, layers={}, flows=flow_model(data, synthetic_open_data()))
    default = slices[model["default"]]
    path = tmp_path_factory.mktemp("open-world") / "maps" / "world.html"
    path.parent.mkdir()
    path.write_text(world_html(data, model, default), encoding="utf-8")
    return path


@pytest.mark.browser
def test_flow_arcs_draw_with_a_legend_in_persons(browser, world_page):
    v = Visit(browser, world_page)
    try:
        page = v.page
        assert page.locator("#world-overlay path.arc").count() == 0
        page.select_option("#layer", "flow:resettled")
        assert page.input_value("#year") == "2018"  # the slider's 2024 is after the series: its last year
        page.fill("#year", "2016")
        page.dispatch_event("#year", "input")
        arcs = page.locator("#world-overlay path.arc")
        assert arcs.count() == 2
        assert page.locator("#score-legend").is_hidden() and page.locator("#flow-legend").is_visible()
        title = page.inner_text("#flow-title")
        assert title == "refugees resettled to Canada, 2016: 5,821 persons from 2 origins"
        mex = page.locator('#world-overlay path.arc[data-iso3="MEX"]')
        assert mex.get_attribute("data-n") == "4321"
        assert float(mex.get_attribute("stroke-width")) == arc_width(4321, 4321) == 14.0
        ken = page.locator('#world-overlay path.arc[data-iso3="KEN"]')
        assert float(ken.get_attribute("stroke-width")) == arc_width(1500, 4321) == 4.86  # linear in persons
        # the legend's sample widths follow the arcs' scale
        for key in page.locator("#flow-legend line.flow-key").all():
            n = int(key.get_attribute("data-n"))
            assert float(key.get_attribute("stroke-width")) == arc_width(n, 4321)
        box = mex.bounding_box()
        assert box and box["width"] > 20  # drawn on the map, not a point
        # hover the middle of the arc (its bounding box's centre is off the curve)
        x, y = page.evaluate(
            """() => { const el = document.querySelector('#world-overlay path.arc[data-iso3="MEX"]');
                 const p = el.getPointAtLength(el.getTotalLength() / 2), m = el.getScreenCTM();
                 return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f]; }"""
        )
        page.mouse.move(x, y)
        tip = page.inner_text("#tooltip")
        assert "Mexico → Canada, 2016" in tip and "4,321" in tip and "UNHCR test extract" in tip
        page.fill("#year", "2017")
        page.dispatch_event("#year", "input")
        assert arcs.count() == 0 and page.inner_text("#flow-title").endswith("2017: none recorded by UNHCR")
        page.fill("#year", "2024")  # the last year of the slider
        page.dispatch_event("#year", "input")
        assert page.inner_text("#flow-title").startswith(
            "No UNHCR figures for 2024: the series covers 2015–2018"
        )
        page.select_option("#layer", "flow:claims")
        page.fill("#year", "2023")
        page.dispatch_event("#year", "input")
        assert arcs.count() == 1 and "asylum claims lodged in Canada, 2023: 24,132" in page.inner_text(
            "#flow-title"
        )
        page.select_option("#layer", "channels")
        assert arcs.count() == 0 and page.locator("#score-legend").is_visible()
        v.check_clean()
    finally:
        v.close()


# --- the peer view ---------------------------------------------------------------------------

PEERS_BLOCK = {
    "egos": ["CAN", "MEX", "USA"],
    "year": 2024,
    "comparable": "Memberships of the multilateral fora in force in the year.",
    "pillars": {
        key: {
            "CAN": {"fora": 6, "partners": 120, "weighted_degree": 3.0, "rank": 1},
            "MEX": {"fora": 4, "partners": 80, "weighted_degree": 1.5, "rank": 2},
            "USA": {"fora": 2, "partners": 40, "weighted_degree": 0.75, "rank": 3},
        }
        for key in ("all", "1", "5")
    },
    "canada_specific": {"agreements": 7, "engagements": 3, "note": "Curated from Canada's side."},
}


def test_peer_page_small_multiples(tmp_path):
    labels = {"CAN": "Canada", "MEX": "Mexico", "USA": "United States"}
    model = peer_model(
        {"peers": PEERS_BLOCK}, synthetic_open_data(), labels, {1: "Migration", 5: "Protection"}
    )
    html = unescape(write_peers(model, tmp_path, "Data: test").read_text(encoding="utf-8"))
    fora = _section(html, "fora")
    assert fora.count('<figure class="panel"') == 3 and "Pillar 5: Protection" in fora
    assert (
        'data-iso3="CAN" x="92" y="4" width="220.0"' in fora
        and 'data-iso3="USA" x="92" y="44" width="55.0"' in fora
    )
    assert "Canada only: 7 agreements and 3 engagements" in fora
    votes = _section(html, "votes")
    assert votes.count('<figure class="panel"') == 2 and "<polyline" in votes  # MEX drawn, USA without votes
    assert "No year with 10 or more roll calls" in votes and "Source: UN votes test; CC0" in votes
    visas = _section(html, "visas")
    assert "visa required" in visas and "(since 2024-03-02)" in visas and "visa-free (180 days)" in visas
    assert "Source: Passport Index test; MIT" in visas
    assert figure_ok(peers_figure(model, tmp_path / "peers", "Data: test"))


def test_peer_page_without_a_peers_block_says_why(tmp_path):
    model = peer_model(None, None, {}, {})
    html = unescape(write_peers(model, tmp_path, "Data: test").read_text(encoding="utf-8"))
    assert "has no <code>peers</code> block" in html and "No UN vote data in this build" in html
    assert peers_figure(model, tmp_path / "peers", "") == []


def figure_ok(paths) -> bool:
    from PIL import Image

    png = next(p for p in paths if p.suffix == ".png")
    with Image.open(png) as im:
        w, h = im.size
        colours = {c for _n, c in im.convert("RGB").getcolors(maxcolors=1 << 24)}
    return abs(w / h - 16 / 9) < 0.01 and (0xC8, 0x10, 0x2E) in colours and len(colours) > 20


def test_flow_slide(tmp_path, mini_data):
    data, _slices = mini_data
    flows = flow_model(data, synthetic_open_data())
    paths = flow_figure(data, flows, "claims", tmp_path / "flows-claims", "Data: test")
    assert figure_ok(paths)
    svg = (tmp_path / "flows-claims.svg").read_text(encoding="utf-8")
    assert "<!-- Asylum claims lodged in Canada, 2023: 24,132 persons from 1 origin -->" in svg  # the title
    assert "<!-- 20,000 persons -->" in svg and "Source: UNHCR test extract" in svg  # legend, source line
    assert flow_figure(data, {}, "claims", tmp_path / "none", "") == []


def test_country_page_without_open_data_says_why(tmp_path, mini_data):
    data, slices = mini_data
    missing = {
        name: f"graph/open-data/{name} could not be read: no such folder" for name in ("unhcr", "unvotes")
    }
    od = OpenData(missing=missing)  # and no Passport Index rows
    write_country_pages(data, Options(), slices, tmp_path, None, od)
    html = unescape((tmp_path / "MEX.html").read_text(encoding="utf-8"))
    assert html.count("No UNHCR figures in this build (graph/open-data/unhcr could not be read") == 2
    assert "No Passport Index row for Canada's requirement for nationals of Mexico" in html
    assert "(graph/open-data/unvotes could not be read: no such folder)" in html
    assert "Source: " not in html.split('<section id="flows">')[1].split('<section id="sources">')[0]


def test_slides_for_the_top_partners_and_the_briefed_countries(mini_data):
    data, slices = mini_data
    top = [r.iso3 for r in slices[f"all:{data.years()[-1]}"].ranked()[:10]]
    pages = ["FRA", "IND", "KEN", "LBN", "MEX", "USA"]  # a page for India and Lebanon, none for PHL, JOR
    assert slide_countries(data, Options(), slices, pages) == [c for c in top if c in pages] + ["IND", "LBN"]


def test_country_page_lists_canadas_curated_visa_decisions(tmp_path):
    """The curated visa policies, with the dates they took effect and their sources, beside the
    Passport Index snapshots (which cannot date a decision)."""
    from tests.sources.test_sources_kinds import with_issue_19_facts

    data = load_map_data(build_dataset(load_sources(with_issue_19_facts(tmp_path / "graph"))).dataset)
    assert [d.id for d in data.visa_decisions["MEX"]] == [
        "visa-policy/mex-visa-2009",
        "visa-policy/mex-eta-2016",
    ]
    pages = tmp_path / "countries"
    write_country_pages(data, Options(), compute_slices(data, Options()), pages, None, synthetic_open_data())
    html = (pages / "MEX.html").read_text(encoding="utf-8")
    visas = _section(html, "visas")
    assert (
        '<tr id="visa-policy-mex-visa-2009"><td class="nowrap">2009-07-14</td><td class="nowrap">2016-12-01</td>'
        "<td>visa required</td>"
        '<td>all travellers</td><td>Visa on Mexican nationals</td><td><a href="#src-source-k-gov">k-gov</a></td></tr>'
    ) in visas
    assert (
        '<tr id="visa-policy-mex-eta-2016"><td class="nowrap">2016-12-01</td><td class="nowrap">—</td>'
        "<td>electronic travel authorisation" in visas
    )
    assert visas.index("visa-policy-mex-visa-2009") < visas.index("visa-policy-mex-eta-2016")
    sources = _section(html, "sources")
    assert 'id="src-source-k-gov"' in sources and 'id="src-source-k-copy"' in sources
    assert 'id="visa-policy-usa-free-2000"><td class="nowrap">2000</td>' in (pages / "USA.html").read_text(
        encoding="utf-8"
    )
    others = [p for p in pages.glob("*.html") if p.name not in ("MEX.html", "USA.html")]
    assert others and not any("visa-decisions" in p.read_text(encoding="utf-8") for p in others)


def test_country_page_says_when_an_engagement_s_end_is_assumed(tmp_path):
    """An engagement no source gives an end for counts for its kind's term ([open_end]); the
    page shows that end as assumed, and a source's end as it is."""
    graph = write_mini_graph(tmp_path)
    with (graph / "engagements" / "test.csv").open("a", encoding="utf-8") as f:
        f.write("funding-rcm-ken-2019,funding,CAN,rcm,KEN,2019,,1,A grant with Kenya,t-forum,\n")
        f.write("funding-rcm-fra-2019,funding,CAN,rcm,FRA,2019,2020,1,A grant with France,t-forum,\n")
    data = load_map_data(build_dataset(load_sources(graph)).dataset)
    pages = tmp_path / "countries"
    write_country_pages(data, Options(), compute_slices(data, Options()), pages, None, synthetic_open_data())
    kenya = unescape((pages / "KEN.html").read_text(encoding="utf-8"))
    assert re.search(
        r"<td>2019–2021 <span class=\"muted\" title=\"no source gives its end[^\"]*\">\(end assumed\)", kenya
    )
    france = (pages / "FRA.html").read_text(encoding="utf-8")
    assert "<td>2019–2020</td>" in france and "(end assumed)" not in france
