"""The briefing at the top of the influence report (issue #16): findings with their numbers,
methods, validity card, peers and coverage, rendered through Jinja2 with autoescaping."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from mpdkg.maps.common import Options, compute_slices
from mpdkg.maps.data import BASE, load_map_data
from mpdkg.maps.report import (
    CowCheck,
    briefing_html,
    cow_check,
    findings,
    read_influence_json,
    report_html,
    what_if_context,
    write_report,
)
from mpdkg.rdf.build import build_dataset
from mpdkg.rdf.opendata_cow import CowPeriod, MembershipDifference
from mpdkg.sources.load import load_sources
from tests.helpers import write_mini_graph


def _info() -> dict:
    layer = {"score": 0.5, "rank": 1, "indicators": {}}
    country = {
        "composite": {"score": 0.75, "rank": 1},
        "layers": {"channels": layer, "protection": {"score": None, "rank": None, "indicators": {}}},
        "pillars": {},
        "explanation": "Jordan ranks 1st of 1 states in 2024 (composite 0.750).",
    }
    return {
        "rows": [{"iso3": "JOR", "label": "Jordan <script>x</script>"}],
        "network": {"undated_facts": 3},
        "layers": {
            "reference_year": 2024,
            "composite": {"method": "weighted mean"},
            "definitions": {
                "channels": {"label": "Channels", "pillars": [1, 2], "weight": 0.4, "indicators": []},
                "protection": {"label": "Protection", "pillars": [5], "weight": 0.2, "indicators": []},
            },
            "by_year": {"2024": {"JOR": country}},
        },
        "validity": {
            "predictive": [
                {"outcome": "new_agreements", "label": "new agreements", "score_year": 2015, "rho": 0.2,
                 "ci": [0.1, 0.3], "n": 190},
                {"outcome": "resettlement", "label": "resettled", "score_year": 2015, "rho": -0.3,
                 "ci": [-0.4, -0.2], "n": 190},
            ],
            "sensitivity": {"weights": {"tau_min": 0.99}, "size_scaling": {"pairs~log": 0.8}},
            "null_model": {"draws": 100, "meaningful": 0, "countries": {"JOR": {"z": 0.1}}},
            "limits": ["A limit."],
        },
        "peers": {"year": 2024, "egos": ["CAN"], "pillars": {"all": {"CAN": {"fora": 3, "rank": 1}}},
                  "comparable": "fora only.", "canada_specific": {"agreements": 2, "engagements": 1, "note": "n"}},
    }  # fmt: skip


def test_findings_carry_their_numbers():
    text = " ".join(findings(_info()))
    assert "Jordan <script>x</script> (0.75)" in text
    assert "ρ 0.2" in text and "ρ -0.3" in text
    assert "Only 0 of 1 states" in text
    # a watched state in one line: layer ranks, not the whole explanation
    assert (
        "Jordan <script>x</script>: 1st of the states on all layers (channels #1; without data: protection)"
        in text
    )
    assert "ranks 1st of 1 states" not in text


def test_findings_set_the_largest_flows_against_their_channel_ranks():
    """Where migration outruns diplomacy: a strategist reads the top origins of admissions and of
    asylum claims beside their channel ranks (the Philippines, third origin, 69th on channels)."""
    info = _info()
    table = info["layers"]["by_year"]["2024"]
    for iso3, admitted, claims, rank in [("IND", 447549.0, 67696.0, 87), ("PHL", 67452.0, 891.0, 69),
                                         ("MEX", 57297.0, 57334.0, 3), ("JOR", None, None, 1)]:  # fmt: skip
        table[iso3] = {
            "composite": {"score": 0.5, "rank": rank},
            "layers": {
                "channels": {"score": 0.5, "rank": rank, "indicators": {}},
                "mobility": {"score": 0.5, "rank": 1, "indicators": {"admitted_to_canada": admitted}},
                "irregular": {"score": 0.5, "rank": 1, "indicators": {"asylum_claims_in_canada": claims}},
            },
        }
    info["rows"] += [{"iso3": "IND", "label": "India"}, {"iso3": "PHL", "label": "Philippines"}]
    info["layers"]["data_years"] = {"2024": {"admitted_to_canada": [2019, 2020, 2021, 2022, 2023],
                                             "asylum_claims_in_canada": [2020, 2024]}}  # fmt: skip
    out = findings(info)
    admitted = next(f for f in out if "people Canada admitted" in f)
    assert (
        "(IRCC, mean a year 2019–2023): India 447,549 (channels #87), Philippines 67,452 (#69), MEX 57,297 (#3)"
        in admitted
    )
    assert "2 of the 3 rank below 50th" in admitted
    claims = next(f for f in out if "asylum claims" in f)
    assert (
        "(UNHCR, total 2020–2024): India 67,696 (channels #87), MEX 57,334 (#3), Philippines 891 (#69)"
        in claims
    )
    assert not any("asylum claims" in f for f in findings(_info()))  # no flows, no finding


def test_briefing_is_escaped_and_shows_the_card(tmp_path: Path):
    html = briefing_html(_info(), graph_dir=tmp_path)
    assert "<script>x" not in html and "&lt;script&gt;" in html
    assert 'id="validity"' in html and "0.1 – 0.3" in html and "no data" not in html.split('id="validity"')[0]
    assert "—" in html  # the protection layer without data
    assert briefing_html({}) == ""


def test_the_report_reads_the_json_the_build_wrote(tmp_path: Path):
    (tmp_path / "report").mkdir()
    assert read_influence_json(tmp_path / "report") is None
    (tmp_path / "influence.json").write_text(json.dumps(_info()), encoding="utf-8")
    assert read_influence_json(tmp_path / "report")["layers"]["reference_year"] == 2024


# --- the page (templates/report/*.html) on a small graph ------------------------------------


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """The mini graph's map data and its slices (all pillars, every year): about a second."""
    graph = write_mini_graph(tmp_path_factory.mktemp("report-graph"))
    data = load_map_data(build_dataset(load_sources(graph)).dataset)
    options = Options()
    return data, options, compute_slices(data, options)


class _Page(HTMLParser):
    """The ids, the in-page links and the section order of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.sections: list[str] = []
        self.nav: list[str] = []
        self._in_nav = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "section":
            self.sections.append(a.get("id", ""))
        if tag == "nav":
            self._in_nav = True
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
            if self._in_nav:
                self.nav.append(a["href"][1:])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False


def test_write_report_puts_the_briefing_first(tmp_path: Path, mini):
    data, options, slices = mini
    (tmp_path / "influence.json").write_text(json.dumps(_info()), encoding="utf-8")
    html = write_report(data, options, slices, tmp_path / "report", {}).read_text(encoding="utf-8")
    page = _Page(html)
    assert page.sections[:2] == ["briefing", "maps"]
    assert html.index("</header>") < html.index('id="briefing"')
    assert page.nav[:3] == ["briefing", "methods", "validity"]
    assert set(page.nav) <= set(page.ids)


def test_the_report_without_an_analysis_has_no_briefing(mini):
    data, options, slices = mini
    page = _Page(report_html(data, options, slices, {}))
    assert page.sections == ["maps", "partners", "gaps", "timeline", "facts", "sources"]
    assert page.nav == ["maps", "partners", "gaps", "timeline", "facts", "sources"]
    assert "briefing" not in page.ids


def test_every_link_in_the_report_lands_on_the_page(mini):
    data, options, slices = mini
    page = _Page(report_html(data, options, slices, {}))
    assert set(page.links) <= set(page.ids), sorted(set(page.links) - set(page.ids))
    years = data.years()
    assert {"country-MEX", "gap-americas-all", f"year-{years[0]}", f"year-{years[-1]}"} <= set(page.ids)
    assert any(i.startswith("src-") for i in page.ids)
    assert len(page.ids) == len(set(page.ids))  # no id twice


def test_the_report_escapes_what_the_graph_says(mini):
    data, options, slices = mini
    mexico = replace(data.countries["MEX"], label='Mexico <i>"&')
    html = report_html(replace(data, countries={**data.countries, "MEX": mexico}), options, slices, {})
    assert "<i>" not in html
    assert html.count("Mexico &lt;i&gt;&#34;&amp;") >= 3  # top partners, gaps' neighbours or facts, heading


def test_the_timeline_chart_has_a_point_per_year(mini):
    data, options, slices = mini
    html = report_html(data, options, slices, {})
    svg = html[html.index('<svg class="timeline"') :]
    svg = svg[: svg.index("</svg>")]
    years = data.years()
    assert svg.count("<polyline") == 3 and svg.count("<circle") == 3 * len(years)
    points = re.search(r'<polyline points="([^"]+)"', svg).group(1).split(" ")
    assert len(points) == len(years) and points[0] == "34.0," + points[0].split(",")[1]


# --- curated memberships vs Correlates of War IGO (issue #15) ---------------------------------


def _cow(data) -> CowCheck:
    """Three made-up differences in the mini graph's RCM, one of each kind but "role"."""
    diffs = [
        MembershipDifference("rcm", "RCMX", "MEX", "start-year", "1996", "1999"),
        MembershipDifference("rcm", "RCMX", "KEN", "only-curated", "observer ", ""),
        MembershipDifference("rcm", "RCMX", "JPN", "only-cow", "", "member 2001-"),
    ]
    periods = {
        ("rcm", "MEX"): [CowPeriod("RCMX", "RCM", "rcm", "MEX", "member", 1999, 2014)],
        ("rcm", "JPN"): [CowPeriod("RCMX", "RCM", "rcm", "JPN", "member", 2001, 2014)],
    }
    dataset = {"title": "COW <IGO>", "citation": "Pevehouse et al.", "licence": "terms",
               "repository": "dieghernan/igoR", "commit": "c9936cac3f0fc117"}  # fmt: skip
    return CowCheck(diffs, periods, dataset, 2014)


def _rows(html: str, section: str) -> list[list[str]]:
    part = html[html.index(f'id="{section}"') :]
    part = part[: part.index("</table>")]
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)
    ]


def test_the_cow_differences_section(mini):
    data, options, slices = mini
    # Mexico's RCM membership cites a source nothing else on the page cites: the section must cite it
    iri = next(m.iri for m in data.facts.memberships if m.iri.endswith("membership/rcm/MEX/member"))
    derived = {**data.facts.derived_from, iri: (BASE + "source/t-iso",)}
    data = replace(data, facts=replace(data.facts, derived_from=derived))
    assert "src-t-iso" not in _Page(report_html(data, options, slices, {})).ids
    html = report_html(data, options, slices, {}, cow=_cow(data))
    page = _Page(html)
    assert page.sections == ["maps", "partners", "gaps", "timeline", "cow", "facts", "sources"]
    assert "cow" in page.nav and set(page.links) <= set(page.ids)
    counts = {r[0].rsplit("(", 1)[-1].rstrip(")"): r[1] for r in _rows(html, "cow")[1:]}
    assert counts == {"start-year": "1", "role": "0", "only-curated": "1", "only-cow": "1"}
    rows = {r[1]: r for r in _rows(html, "cow-list")[1:]}
    assert rows["Mexico MEX"][2:4] == ["member 1996–", "member 1999–2014"]
    assert rows["Mexico MEX"][4] == "start-year: 1996 (curated) / 1999 (COW)"
    assert rows["Kenya KEN"][2:4] == ["observer attested 2020", "—"]
    assert rows["Japan JPN"][2:4] == ["—", "member 2001–2014"]
    # the curated membership's source is cited in the page's list of sources; COW's is the dataset
    assert rows["Mexico MEX"][5] == "t-iso, COW IGO v3" and "src-t-iso" in page.ids
    assert "COW &lt;IGO&gt;" in html and 'id="cow-data"' in html


def test_no_cow_section_without_a_cow_mapped_forum(mini, monkeypatch):
    import mpdkg.rdf.opendata_cow as cow

    data, options, slices = mini

    def costly(*_a, **_k):
        raise AssertionError("the extracts were read for a graph without a COW-mapped forum")

    monkeypatch.setattr(cow, "cow_curated_differences", costly)
    assert cow_check(data) is None
    page = _Page(report_html(data, options, slices, {}, cow=None))
    assert "cow" not in page.sections and "cow" not in page.nav


@pytest.mark.slow
def test_the_real_graph_shows_every_cow_difference_with_its_curated_fact(real_build):
    from mpdkg.rdf.opendata_cow import cow_curated_differences

    data = load_map_data(real_build.built.dataset)
    check = cow_check(data)
    assert check is not None and check.differences == cow_curated_differences()  # none left out
    section = _cow_section_of(data, check)
    for row, d in zip(section["rows"], check.differences, strict=True):
        if d.kind != "only-cow":  # the curated membership the difference is about is shown
            role, year = d.curated.split(" ") if d.kind == "only-curated" else (None, d.curated)
            assert any(year in c and (role is None or c.startswith(role)) for c in row["curated"]), (d, row)
            assert row["sources"], d
        if d.kind != "only-curated":
            assert row["cow"], d


def _cow_section_of(data, check):
    from mpdkg.maps import report

    rep = report._Report(data, Options(), {}, {}, None, [], 0, [None], {}, None, {})  # type: ignore[arg-type]
    return report._cow_section(rep, check)


# --- what if (issue #16) ------------------------------------------------------------------------


def test_what_if_scenarios_from_the_analysis_json(tmp_path: Path, mini):
    from mpdkg.influence.whatif import what_if

    data, options, slices = mini
    scenarios = [what_if(data.facts, data.config), what_if(data.facts, data.config, pillar=5)]
    scenarios = json.loads(json.dumps(scenarios))  # as dist/influence.json would carry them
    info = {**_info(), "what_if": scenarios}
    (tmp_path / "influence.json").write_text(json.dumps(info), encoding="utf-8")
    html = write_report(data, options, slices, tmp_path / "report", {}).read_text(encoding="utf-8")
    page = _Page(html)
    assert "what-if" in page.sections and "what-if" in page.nav
    section = html[html.index('id="what-if"') : html.index("</section>", html.index('id="what-if"'))]
    assert section.count("<h3>") == 2 and "all regions, all pillars" in section and "pillar 5" in section
    for sc in scenarios:
        shown = sc["fora"][:3] + sc["agreements"][:3]
        assert shown  # the mini graph has fora Canada is not in (south is not) or states to sign with
        for r in shown:
            assert escape(r["computation"]) in section
    assert section.count("<tr><td>") == sum(
        len(sc["fora"][:3]) + len(sc["agreements"][:3]) for sc in scenarios
    )


def test_no_what_if_section_without_scenarios(mini):
    data, options, slices = mini
    assert what_if_context(_info()) == [] and what_if_context(None) == []
    page = _Page(report_html(data, options, slices, {}, what_if=what_if_context(_info())))
    assert "what-if" not in page.sections and "what-if" not in page.nav


def test_the_briefings_top_states_have_their_facts_on_the_page(tmp_path: Path, mini, monkeypatch):
    """Regression: the briefing's top states link to #country-XXX, which only the top partners
    per pillar had (on the real graph, #country-COL led nowhere)."""
    from mpdkg.maps import report

    data, options, slices = mini
    monkeypatch.setattr(report, "TOP", 1)  # the top partner per pillar only: Japan is not one
    assert "country-JPN" not in _Page(report_html(data, options, slices, {})).ids
    info = json.loads(json.dumps(_info()).replace("JOR", "JPN"))
    (tmp_path / "influence.json").write_text(json.dumps(info), encoding="utf-8")
    page = _Page(write_report(data, options, slices, tmp_path / "report", {}).read_text(encoding="utf-8"))
    assert "country-JPN" in page.links and "country-JPN" in page.ids
    assert set(page.links) <= set(page.ids)
