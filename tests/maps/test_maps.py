"""Maps and the influence report: the files exist and are what they claim, the pages load nothing
from a network, and — in a real headless Chromium — they run without console errors, draw
something, and their filters change what is shown."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image
from typer.testing import CliRunner

from mpdkg.cli.core import app
from mpdkg.maps.common import score_colour
from mpdkg.maps.world import world_shapes
from mpdkg.maps.write import write_maps
from mpdkg.rdf.build import build_dataset
from mpdkg.sources.load import load_sources
from tests.helpers import tree_snapshot, write_mini_graph
from tests.maps.browser import Requests, Visit, distinct_colours

PAGES = ("maps/network.html", "maps/world.html", "maps/peers.html", "maps/index.html", "report/index.html")


@pytest.fixture(scope="module")
def mini_dataset(tmp_path_factory):
    graph = write_mini_graph(tmp_path_factory.mktemp("maps-graph"))
    # a forum without Canada: Japan is in the network (through Mexico) but has no channel to Canada
    with (graph / "fora" / "test.csv").open("a", encoding="utf-8") as f:
        f.write("south,A forum without Canada,,interregional-forum,1,2000,,,,no,,,,t-forum,,\n")
    (graph / "memberships" / "south.csv").write_text(
        "member,role,start,end,as_of,source,quote,note\nMEX,member,2000,,,t-forum,,\nJPN,member,2000,,,t-forum,,\n"
    )
    return build_dataset(load_sources(graph)).dataset


@pytest.fixture(scope="module")
def mini_maps(tmp_path_factory, mini_dataset) -> Path:
    out = tmp_path_factory.mktemp("maps-out")
    write_maps(mini_dataset, out)
    return out


# --- files -----------------------------------------------------------------------------------


def test_writes_every_map_figure_and_the_report(mini_maps):
    names = sorted(p.relative_to(mini_maps).as_posix() for p in mini_maps.rglob("*") if p.is_file())
    # the mini graph's channels serve pillars 1, 2 and 5: one network figure each, and one for all
    for stem in ("network-all", "network-pillar-1", "network-pillar-2", "network-pillar-5", "world"):
        assert f"maps/{stem}.png" in names and f"maps/{stem}.svg" in names
    assert "maps/network-pillar-3.png" not in names
    assert {"maps/network.html", "maps/world.html", "maps/NOTICE", "report/index.html"} <= set(names)
    # the open-data views (#20): flow slides, the peer view and the index of the maps
    for stem in ("flows-resettled", "flows-claims"):
        assert f"maps/{stem}.png" in names and f"maps/{stem}.svg" in names
    assert "maps/peers.png" not in names  # no influence.json here, so no peers block to draw
    assert {"maps/peers.html", "maps/index.html"} <= set(names)
    index = (mini_maps / "maps" / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'<a href="([^"#]+)"', index):
        assert (mini_maps / "maps" / href).resolve().is_file(), href  # every link leads to a file
    assert 'href="peers.html"' in index and 'href="flows-resettled.svg"' in index
    for page in ("network.html", "world.html"):  # both maps lead to the index and the peer view
        text = (mini_maps / "maps" / page).read_text(encoding="utf-8")
        assert 'href="index.html"' in text and 'href="peers.html"' in text, page


def test_static_figures_are_slide_sized_and_not_blank(mini_maps):
    for png in sorted((mini_maps / "maps").glob("*.png")):
        with Image.open(png) as im:
            assert im.format == "PNG"
            assert im.size[0] >= 1600 and im.size[1] >= 900, (png.name, im.size)  # 16:9 at 150 dpi
            assert distinct_colours(im) >= 20, png.name
            # the drawing itself (left part, below the title) is not blank: it has ink and colours
            w, h = im.size
            area = im.convert("RGB").crop((0, int(0.12 * h), int(0.6 * w), int(0.92 * h)))
            counts = area.getcolors(maxcolors=1 << 24)
            white = sum(n for n, c in counts if min(c) >= 250)
            assert len(counts) >= 10, png.name
            assert white < 0.995 * area.size[0] * area.size[1], png.name
            if not png.name.startswith("country-"):  # a country's slide is charts, not a map
                assert any(c == (0xC8, 0x10, 0x2E) for _n, c in counts), png.name  # Canada is drawn
    for svg in sorted((mini_maps / "maps").glob("*.svg")):
        root = ElementTree.parse(svg).getroot()
        assert root.tag.endswith("svg")
        drawn = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("path", "use", "text")]
        assert len(drawn) > 50, svg.name
        assert svg.stat().st_size > 20_000
        text = svg.read_text(encoding="utf-8")
        assert not re.search(r'(?:xlink:)?href="(?:https?:)?//', text), svg.name


def test_world_figure_shades_countries_by_score(tmp_path, mini_maps):
    with Image.open(mini_maps / "maps" / "world.png") as im:
        rgb = im.convert("RGB")
        colours = {c for _n, c in rgb.getcolors(maxcolors=1 << 24)}
    assert (0xC8, 0x10, 0x2E) in colours  # Canada
    assert (0xE3, 0xE3, 0xE3) in colours  # countries with no channel


class _Resources(HTMLParser):
    """Every resource a page would load: scripts, styles, images, frames, fonts, CSS url()s."""

    LOADING = {"script": "src", "img": "src", "iframe": "src", "embed": "src", "object": "data",
               "source": "src", "audio": "src", "video": "src", "link": "href", "image": "href", "use": "href"}  # fmt: skip

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.in_style = False
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in self.LOADING and a.get(self.LOADING[tag]):
            self.urls.append(a[self.LOADING[tag]])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if "style" in a:
            self.urls += re.findall(r"url\(([^)]*)\)", a["style"])
        self.in_style = tag == "style"

    def handle_data(self, data):
        if self.in_style:
            self.urls += re.findall(r"url\(([^)]*)\)", data)
            self.urls += re.findall(r"@import\s+['\"]?([^'\";]+)", data)


def parse(path: Path) -> _Resources:
    p = _Resources()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_pages_load_nothing_from_a_network(mini_maps):
    for page in PAGES:
        html = (mini_maps / page).read_text(encoding="utf-8")
        found = parse(mini_maps / page)
        remote = [u for u in found.urls if re.match(r"^\s*['\"]?(?:[a-z][a-z0-9+.-]*:)?//", u, re.I)]
        assert remote == [], (page, remote)
        assert all(u.startswith("data:") for u in found.urls), (page, found.urls)
        assert "Content-Security-Policy" in html and "default-src 'none'" in html
        assert not re.search(r"\b(?:cdn|unpkg|jsdelivr|googleapis|bootstrapcdn)\b", html, re.I), page
        assert "Data: mpdkg" in html, page  # the data-source line


def test_report_links_every_view_the_maps_wrote(mini_maps):
    """report/index.html → ../maps/…: the maps index, the peer view and the flow slides, in the
    maps section and (index, peers) in the nav; every such link lands on a file the maps wrote."""
    report = mini_maps / "report" / "index.html"
    found = parse(report)
    to_maps = [h for h in found.hrefs if h.startswith("../maps/")]
    for href in to_maps:
        assert (report.parent / href).resolve().is_file(), href
    wanted = {"index.html", "peers.html", "world.html", "network.html"}
    wanted |= {f"flows-{k}.{ext}" for k in ("resettled", "claims") for ext in ("png", "svg")}
    assert wanted <= {h.removeprefix("../maps/") for h in to_maps}
    nav = re.search(r"<nav>(.*?)</nav>", report.read_text(encoding="utf-8"), re.S)
    assert nav and 'href="../maps/index.html"' in nav.group(1) and 'href="../maps/peers.html"' in nav.group(1)


def test_country_shapes_are_shipped_with_their_licence():
    from mpdkg import paths

    folder = paths.static_dir() / "maps"
    notice = (folder / "NOTICE").read_text(encoding="utf-8")
    assert "world-atlas" in notice and "2.0.2" in notice and "ISC" in notice and "public domain" in notice
    shapes = world_shapes()
    assert {"124", "484", "840", "250"} <= set(shapes)  # Canada, Mexico, USA, France by ISO numeric
    # no ring crosses the map (antimeridian split): Russia and Fiji stay within the map's width
    for key in ("643", "242"):
        for ring in shapes[key].rings:
            xs = [x for x, _ in ring]
            assert max(xs) - min(xs) < 600, key


def test_report_numbers_link_to_facts_and_sources(mini_maps):
    page = mini_maps / "report" / "index.html"
    html = page.read_text(encoding="utf-8")
    found = parse(page)
    cells = re.findall(r'<td class="num">(.*?)</td>', html)
    assert len(cells) > 30
    for cell in cells:
        if cell == "—":
            continue
        m = re.fullmatch(r'<a href="#([^"]+)">[^<]+</a>', cell)
        assert m, cell
        assert m.group(1) in found.ids, m.group(1)
    # Mexico's block lists its channels with facts (graph IRIs) and sources that resolve
    block = html[html.index('id="country-MEX"') :]
    block = block[: block.index("</table>")]
    assert "Seasonal" in block or "SAWP" in block
    assert "https://w3id.org/mpdkg/membership/rcm/MEX/member" in block
    for anchor in re.findall(r'href="#(src-[^"]+)"', block):
        assert anchor in found.ids
    assert "https://example.org/forum" in html  # the source's own address, listed once


def test_same_data_same_bytes(tmp_path, mini_dataset):
    write_maps(mini_dataset, tmp_path / "a", pillar=2)
    write_maps(mini_dataset, tmp_path / "b", pillar=2)
    assert tree_snapshot(tmp_path / "a") == tree_snapshot(tmp_path / "b")


def test_score_colour_scale_is_monotone():
    shades = [score_colour(x, 1.0) for x in (0.01, 0.1, 0.4, 1.0)]
    lightness = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in shades]
    assert lightness == sorted(lightness, reverse=True)


# --- the command -----------------------------------------------------------------------------


def test_map_command(tmp_path, mini_graph):
    runner = CliRunner()
    args = ["map", "--graph-dir", str(mini_graph), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--pillar", "5", "--region", "Americas", "--as-of", "2020"])
    assert result.exit_code == 0, result.output
    model = page_model(tmp_path / "out" / "maps" / "world.html")
    assert [p for p, _label in model["pillars"]] == [5]
    assert model["years"][-1] == 2020
    assert {c[0] for c in model["countries"] if c[2] != "Americas"} & {
        model["countries"][r[0]][0] for s in model["slices"].values() for r in s["rows"]
    } == set()
    report = (tmp_path / "out" / "report" / "index.html").read_text(encoding="utf-8")
    assert "graph/memberships/rcm.csv:" in report  # facts traced to the curated file and line
    bad = runner.invoke(app, [*args, "--pillar", "9"])
    assert bad.exit_code == 2 and "--pillar 9" in bad.output
    bad = runner.invoke(app, [*args, "--region", "Atlantis"])
    assert bad.exit_code == 2 and "Atlantis" in bad.output and "Americas" in bad.output


def test_map_command_draws_one_country_slide(tmp_path, mini_graph):
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["map", "--graph-dir", str(mini_graph), "--out", str(out)]
    result = runner.invoke(app, [*args, "--country", "mex"])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["maps/country-MEX.png", "maps/country-MEX.svg"]  # nothing else is written
    for typo, expected in (("Mexico", "three letters"), ("MXE", "MEX")):
        bad = runner.invoke(app, [*args, "--country", typo])
        assert bad.exit_code == 2 and expected in bad.output and "Traceback" not in bad.output, bad.output


def page_model(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="mpdkg-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
def test_network_page_in_a_browser(browser, mini_maps, tmp_path):
    v = Visit(browser, mini_maps / "maps" / "network.html")
    try:
        page = v.page
        assert page.locator("h1").inner_text().startswith("Canada")
        assert page.locator("#legend").is_visible()
        assert v.colours_of("#network", tmp_path) >= 8
        nodes = int(page.get_attribute("#network", "data-nodes"))
        assert nodes == 1 + 4 + 6  # Canada, MEX USA FRA KEN, five channels and SAWP
        assert page.locator("#network circle.country").count() == 4
        # pillar 2 (labour): only Mexico (SAWP) and France (youth mobility) remain
        page.select_option("#pillar", "2")
        assert int(page.get_attribute("#network", "data-nodes")) < nodes
        shown = sorted(
            page.locator("#network circle.country").evaluate_all("els => els.map(e => e.dataset.id)")
        )
        assert shown == ["FRA", "MEX"]
        # back in 2000, France's youth mobility agreement (2003) is not there yet
        page.fill("#year", "2000")
        shown = page.locator("#network circle.country").evaluate_all("els => els.map(e => e.dataset.id)")
        assert shown == ["MEX"]
        # hovering a country shows its channels to Canada and their sources
        page.select_option("#pillar", "all")
        page.fill("#year", page.get_attribute("#year", "max"))
        page.hover('#network circle.country[data-id="USA"]')
        tip = page.locator("#tooltip")
        assert tip.is_visible()
        text = tip.inner_text()
        assert "United States" in text and "Safe Third Country Agreement" in text
        # a click pins the details (with the sources) in the side panel
        page.click('#network circle.country[data-id="USA"]')
        assert page.locator('#details a[href="https://example.org/agreement"]').count() >= 1
        v.check_clean()
    finally:
        v.close()


@pytest.mark.browser
def test_world_page_in_a_browser(browser, mini_maps, tmp_path):
    v = Visit(browser, mini_maps / "maps" / "world.html")
    try:
        page = v.page
        assert page.locator("#world path.country").count() == len(world_shapes())
        # Canada, the shaded partners, the no-channel grey and the borders at least
        assert v.colours_of("#map", tmp_path) >= 6

        def fill(iso3):
            return page.get_attribute(f'#world path[data-iso3="{iso3}"]', "fill")

        assert fill("CAN") == "#c8102e"
        assert fill("FRA") != "#e3e3e3" and fill("MEX") != "#e3e3e3"
        page.select_option("#pillar", "5")  # refugee protection: France has no channel there
        assert fill("FRA") == "#e3e3e3" and fill("USA") != "#e3e3e3"
        assert "countries with a channel to Canada" in page.locator("#visible-count").inner_text()
        # regression: countries with no channel to Canada (Japan here) were shaded, against the legend
        for pillar in ("all", "1", "2", "5"):
            page.select_option("#pillar", pillar)
            counted = page.locator("#visible-count").inner_text()
            partners = int(counted.split(" countries with a channel")[0])
            assert int(page.get_attribute("#visible-count", "data-shaded")) <= partners, (pillar, counted)
            assert fill("JPN") == "#e3e3e3", pillar
        page.select_option("#pillar", "5")
        page.hover('#world path[data-iso3="USA"]')
        assert "United States" in page.locator("#tooltip").inner_text()
        v.check_clean()
    finally:
        v.close()


@pytest.mark.browser
def test_report_in_a_browser(browser, mini_maps, tmp_path):
    v = Visit(browser, mini_maps / "report" / "index.html")
    try:
        page = v.page
        assert page.locator("#report-world path.country").count() == len(world_shapes())
        assert v.colours_of("#world-figure", tmp_path) >= 6
        assert page.locator("#network-figure img").evaluate("img => img.naturalWidth") >= 1600
        # following a number lands on the facts behind it
        page.locator("#partners a").first.click()
        assert page.evaluate("location.hash").startswith("#country-")
        # a year's numbers lead to Canada's channels in that year, unfolded
        page.locator('#timeline td a[href="#year-2000"]').first.click()
        year = page.evaluate("location.hash")[1:]
        assert year.startswith("year-") and page.locator(f"#{year}").evaluate("d => d.open")
        assert page.locator(f"#{year} li").count() >= 2  # rcm and SAWP in 2000 (dated facts only)
        v.check_clean()
    finally:
        v.close()


# --- the real graph --------------------------------------------------------------------------


@pytest.mark.slow
def test_maps_of_the_real_graph(tmp_path):
    from mpdkg.pipeline import build_and_validate

    _records, built, _report = build_and_validate(validate=False)
    written = write_maps(built.dataset, tmp_path, pillar=2, as_of=2010)
    assert tmp_path / "report" / "index.html" in written
    with Image.open(tmp_path / "maps" / "world.png") as im:
        assert distinct_colours(im) >= 200  # many countries, many shades
    model = page_model(tmp_path / "maps" / "network.html")
    assert model["years"] == list(range(model["years"][0], 2011)) and model["years"][0] < 2000
    top = model["slices"]["2:2010"]["rows"][:5]
    assert {model["countries"][r[0]][0] for r in top} & {"MEX", "USA", "AUS", "GBR"}


# --- interactions (#20) ----------------------------------------------------------------------


def _analysis_channels(dataset, iso3, pillar=None, year=None):
    from mpdkg.influence.analysis import analyse

    return len(analyse(dataset, pillar=pillar, as_of=year).row(iso3).channels)


def _label_boxes(page):
    return page.locator("#labels text").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
    )


def _overlapping(boxes):
    return [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] - 0.5 and a[2] > b[0] + 0.5 and a[1] < b[3] - 0.5 and a[3] > b[1] + 0.5
    ]


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1400, 900), (1920, 1080)])
def test_network_interactions(browser, mini_maps, mini_dataset, tmp_path, size):
    v = Visit(browser, mini_maps / "maps" / "network.html", size)
    try:
        page = v.page
        # labels never overlap, and the legend has an entry for every shape drawn
        assert _overlapping(_label_boxes(page)) == []
        drawn = set(
            page.locator("#network path.channel").evaluate_all("els => els.map(e => e.dataset.pillar)")
        )
        for p in drawn:
            assert page.locator(f'#legend [data-legend="pillar-{p}"]').is_visible(), p
        kinds = set(page.locator("#network path.channel").evaluate_all("els => els.map(e => e.dataset.kind)"))
        for k in kinds:
            assert page.locator(f'#legend [data-legend="{k}"]').is_visible(), k
        # zoom: the wheel zooms in, labels are placed again and still do not overlap
        box = page.locator("#network").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(100)
        assert float(page.get_attribute("#network", "data-zoom")) > 1.5
        assert _overlapping(_label_boxes(page)) == []
        page.click("#zoom-reset")
        assert float(page.get_attribute("#network", "data-zoom")) == 1.0
        # search: a country by name focuses its ego network and pins its details
        page.fill("#search", "united states")
        page.press("#search", "Enter")
        details = page.locator("#details")
        assert details.is_visible() and "United States" in details.inner_text()
        assert page.get_attribute("#details", "data-target") == "country:USA"
        assert page.locator('#network circle.country.faded[data-id="MEX"]').count() == 1
        # the count agrees with the analysis (CLI and report), grouped by pillar
        n = int(details.locator(".n-channels").inner_text())
        assert n == _analysis_channels(mini_dataset, "USA")
        assert details.locator("h4.pillar-group").count() >= 1
        # the pinned details refresh when the pillar changes
        before = details.locator("h4").all_inner_texts()
        page.select_option("#pillar", "5")
        n5 = int(details.locator(".n-channels").inner_text())
        assert n5 == _analysis_channels(mini_dataset, "USA", pillar=5)
        after = details.locator("h4").all_inner_texts()
        assert after != before and all(h.startswith("Pillar 5") for h in after), (before, after)
        # and when the year changes (slider)
        page.fill("#year", "2000")
        assert page.locator("#year-label").inner_text() == "2000"
        assert "2000" in details.inner_text() or not details.is_visible()
        page.select_option("#pillar", "all")
        page.keyboard.press("Escape")
        assert not details.is_visible()
        # a channel by acronym
        page.fill("#year", page.get_attribute("#year", "max"))
        page.fill("#search", "regional conference on migration")
        page.press("#search", "Enter")
        assert page.get_attribute("#details", "data-target") == "channel:forum/rcm", page.locator(
            "#search-msg"
        ).inner_text()
        page.fill("#search", "Atlantis")
        page.press("#search", "Enter")
        assert "No country or channel" in page.locator("#search-msg").inner_text()
        shot = tmp_path / "network.png"
        page.screenshot(path=str(shot))
        _check_screenshot(shot, size)
        v.check_clean()
    finally:
        v.close()


@pytest.mark.browser
def test_year_slider_and_play(browser, mini_maps):
    v = Visit(browser, mini_maps / "maps" / "network.html")
    try:
        page = v.page
        model = page.evaluate("MPDKG.model")
        assert model["years"] == list(range(model["years"][0], model["years"][-1] + 1))  # every year
        assert page.get_attribute("#year", "min") == str(model["years"][0])
        counts = {}
        for y in (model["years"][0], 2003, model["years"][-1]):
            page.fill("#year", str(y))
            counts[y] = int(page.get_attribute("#visible-count", "data-channels"))
            assert str(y) in page.locator("#visible-count").inner_text()
        assert counts[model["years"][0]] < counts[model["years"][-1]]
        page.fill("#year", str(model["years"][-3]))
        page.evaluate("document.getElementById('play').setAttribute('data-interval', '30')")
        page.click("#play")
        for _ in range(60):
            page.wait_for_timeout(50)
            if (
                page.input_value("#year") == str(model["years"][-1])
                and "Play" in page.locator("#play").inner_text()
            ):
                break
        assert page.input_value("#year") == str(model["years"][-1])
        assert "Play" in page.locator("#play").inner_text()  # stopped at the end
        v.check_clean()
    finally:
        v.close()


def _check_screenshot(path: Path, size):
    with Image.open(path) as im:
        assert im.size == size
        rgb = im.convert("RGB")
        w, h = im.size
        # the map (left) and the legend (right) both have ink
        for box in (
            (0, int(0.2 * h), int(0.6 * w), int(0.9 * h)),
            (int(0.72 * w), int(0.2 * h), w, int(0.7 * h)),
        ):
            area = rgb.crop(box)
            counts = area.getcolors(maxcolors=1 << 24)
            white = sum(n for n, c in counts if min(c) >= 245)
            assert len(counts) >= 8 and white < 0.98 * area.size[0] * area.size[1], (path, box)


def test_country_pages(mini_maps):
    folder = mini_maps / "report" / "countries"
    pages = sorted(p.stem for p in folder.glob("*.html"))
    assert {"MEX", "USA", "FRA", "KEN"} <= set(pages) and "JPN" not in pages  # Japan: no channel
    page = folder / "MEX.html"
    html = page.read_text(encoding="utf-8")
    found = parse(page)
    assert "Mexico and Canada" in html and ("Seasonal" in html or "SAWP" in html)
    assert "https://w3id.org/mpdkg/membership/rcm/MEX/member" in html
    for href in found.hrefs:
        if href.startswith("#src-"):
            assert href[1:] in found.ids, href
    assert all(u.startswith("data:") for u in found.urls)
    assert "default-src 'none'" in html and "Data: mpdkg" in html
    assert '<svg class="timeline"' in html and html.count("<rect") >= 2  # one bar per channel
    # Mexico holds the RCM through three links (weighed differently across years): one bar
    timeline = html.split('<svg class="timeline"', 1)[1].split("</svg>", 1)[0]
    bars = re.findall(r"<title>([^<]*)</title></rect>", timeline)
    assert sorted(bars) == ["Regional Conference on Migration 1996–", "SAWP Mexico 1974–"], bars
    # ... and one row of the channel table, with the range of what it added over the years
    table = html.split("<th>channel</th>", 1)[1].split("</table>", 1)[0]
    names = re.findall(r"<tr><td>([^<]*)</td>", table)
    assert len(names) == len(set(names)) and "Regional Conference on Migration" in names, names
    # the maps link to every page written, and only to those
    model = page_model(mini_maps / "maps" / "network.html")
    assert model["pages"]["countries"] == pages


@pytest.mark.browser
def test_country_slides_for_the_reports_top_partners(mini_maps):
    """A slide for each country of the report's first top-partners table (all pillars) and the
    briefed countries that have a page; linked from those pages (only) and listed in the index."""
    report = (mini_maps / "report" / "index.html").read_text(encoding="utf-8")
    first_table = report.split('<section id="partners">', 1)[1].split("</table>", 1)[0]
    top = list(dict.fromkeys(re.findall(r'<a href="#country-([A-Z]{3})">', first_table)))
    pages = {p.stem for p in (mini_maps / "report" / "countries").glob("*.html")}
    wanted = [c for c in dict.fromkeys([*top[:10], "IND", "PHL", "JOR", "LBN"]) if c in pages]
    assert "JPN" in top and "JPN" not in pages and {"MEX", "KEN"} <= set(wanted)  # Japan: no page
    drawn = sorted(p.stem.removeprefix("country-") for p in (mini_maps / "maps").glob("country-*.png"))
    assert drawn == sorted(wanted)
    index = (mini_maps / "maps" / "index.html").read_text(encoding="utf-8")
    for iso3 in pages:
        page = mini_maps / "report" / "countries" / f"{iso3}.html"
        links = [h for h in parse(page).hrefs if "/maps/country-" in h]
        if iso3 in wanted:
            assert links == [f"../../maps/country-{iso3}.png", f"../../maps/country-{iso3}.svg"], iso3
            assert all((page.parent / h).resolve().is_file() for h in links)
            assert f'href="country-{iso3}.png"' in index and f'href="country-{iso3}.svg"' in index
        else:
            assert links == [] and f"country-{iso3}." not in index, iso3
    svg = (mini_maps / "maps" / "country-MEX.svg").read_text(encoding="utf-8")
    # title, legend (pillars), the flows, and a source line naming each dataset and its date
    for text in ("Mexico and Canada: channels and flows", "P2: ", "Asylum claims lodged in Canada",
                 "Channels: mpdkg graph", "as of 20", "Flows: UNHCR", "extracted 20",
                 "not the refugees it hosts"):  # fmt: skip
        assert text in svg, text


def test_one_country_slide_on_demand(tmp_path, mini_dataset):
    from mpdkg.errors import UsageError
    from mpdkg.maps.write import write_country_slide

    written = write_country_slide(mini_dataset, tmp_path, "ken")
    assert [p.name for p in written] == ["country-KEN.png", "country-KEN.svg"]
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == ["country-KEN.png", "country-KEN.svg"]
    with pytest.raises(UsageError, match=r"three letters such as MEX.*did you mean MEX"):
        write_country_slide(mini_dataset, tmp_path, "MXE")
    with pytest.raises(UsageError, match=r"expected an ISO 3166-1 alpha-3 code, three letters"):
        write_country_slide(mini_dataset, tmp_path, "Mexico")


def test_country_page_link_from_the_map(browser, mini_maps):
    v = Visit(browser, mini_maps / "maps" / "network.html")
    try:
        page = v.page
        page.click('#network circle.country[data-id="MEX"]')
        page.locator("#details a.country-page").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/report/countries/MEX.html")
        assert page.locator("h1").inner_text() == "Mexico and Canada"
        assert page.locator("#channels table tr").count() >= 3
        v.check_clean()
    finally:
        v.close()


@pytest.mark.browser
def test_world_layer_choice(browser, mini_dataset, tmp_path):
    # a build whose influence.json has a protection layer (the shape of /work/notes/influence-api.md)
    layers = {
        "definitions": {"protection": {"label": "Protection"}, "channels": {"label": "Channels"}},
        "by_year": {
            str(year): {
                "KEN": {"layers": {"protection": {"score": 0.8, "rank": 1}}},
                "FRA": {"layers": {"protection": {"score": None, "rank": None}}},
            }
            for year in range(2020, 2031)
        },
    }
    (tmp_path / "influence.json").write_text(json.dumps({"layers": layers}), encoding="utf-8")
    write_maps(mini_dataset, tmp_path)
    v = Visit(browser, tmp_path / "maps" / "world.html")
    try:
        page = v.page

        def fill(iso3):
            return page.get_attribute(f'#world path[data-iso3="{iso3}"]', "fill")

        assert fill("MEX") != "#e3e3e3"
        page.select_option("#layer", "protection")
        assert fill("KEN") != "#e3e3e3" and fill("MEX") == "#e3e3e3"
        assert fill("FRA") == "#e3e3e3"  # null: no data, not shaded
        assert page.get_attribute("#visible-count", "data-shaded") == "1"
        page.fill("#year", "2010")  # no layer data that year
        assert fill("KEN") == "#e3e3e3"
        v.check_clean()
    finally:
        v.close()


@pytest.mark.browser
def test_maps_index_and_peer_view_in_a_browser(browser, mini_maps):
    v = Visit(browser, mini_maps / "maps" / "index.html")
    try:
        page = v.page
        assert page.locator("#slides tr").count() >= 7  # header, network-all, world, 2 flows, 3 pillars
        page.click('a[href="peers.html"]')
        page.wait_for_load_state("load")
        assert page.url.endswith("/maps/peers.html")
        assert page.locator("h1").inner_text() == "Canada beside its peers"
        # the real open data: one vote panel per peer (AUS, GBR, DEU, USA, MEX), each drawn
        panels = page.locator("#votes figure.panel")
        assert panels.count() == 5 and page.locator("#votes polyline").count() == 5
        assert page.locator("#visas tr[data-iso3=MEX]").inner_text().count("since") == 2
        assert "has no peers block" in page.inner_text("#fora")  # no influence.json in this build
        v.check_clean()
    finally:
        v.close()


# --- no request leaves the page --------------------------------------------------------------


def _world_flows(page):
    page.select_option("#layer", "flow:resettled")  # arcs drawn from the inlined data


def _network_search(page):
    page.fill("#search", "Mexico")
    page.press("#search", "Enter")


NO_REQUEST_PAGES = {
    "maps/world.html": _world_flows,
    "maps/network.html": _network_search,
    "maps/peers.html": None,
    "report/countries/MEX.html": None,
}


@pytest.mark.browser
def test_no_request_leaves_the_page(browser, mini_maps):
    """The world map, the network map, the peer view and a country page, opened from file:// in
    Chromium (and used a little): no request to a CDN, a font, analytics or anything else."""
    for name, act in NO_REQUEST_PAGES.items():
        seen = Requests(browser, mini_maps / name, act)
        assert seen.sent and seen.sent[0] == seen.own, name  # the log works: the page itself
        assert seen.outside() == [], (name, seen.outside())


@pytest.mark.browser
def test_a_planted_outside_request_is_caught(browser, mini_maps, tmp_path):
    """The check above can fail: an external image planted in a copy of the world map is logged
    as a request (aborted before it leaves the machine) and as refused by the page's
    Content-Security-Policy; without the policy, as a request."""
    html = (mini_maps / "maps" / "world.html").read_text(encoding="utf-8")
    img = '<img src="https://cdn.example.org/pixel.png" alt="">'
    planted = tmp_path / "planted.html"
    planted.write_text(re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + img, html, count=1), encoding="utf-8")
    assert img in planted.read_text(encoding="utf-8")
    seen = Requests(browser, planted)
    url = "https://cdn.example.org/pixel.png"
    assert seen.refused == [f"Refused to load {url} (img-src)"] and url in seen.sent
    no_csp = tmp_path / "no-csp.html"
    no_csp.write_text(
        re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", planted.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    seen = Requests(browser, no_csp)
    assert seen.outside() == [url] and seen.refused == []
