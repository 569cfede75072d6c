"""The briefing at the top of the influence report (issue #16): findings with their numbers,
methods, validity card, peers and coverage, rendered through Jinja2 with autoescaping."""

from __future__ import annotations

import json
from pathlib import Path

from mpdkg.maps.report import briefing_html, findings, read_influence_json


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


def test_write_report_puts_the_briefing_first(tmp_path: Path, monkeypatch):
    from mpdkg.maps import report

    page = '<div class="report"><header><h1>R</h1><nav><a href="#maps">Maps</a></nav></header><section id="maps">'
    monkeypatch.setattr(report, "report_html", lambda *a, **k: page)
    (tmp_path / "influence.json").write_text(json.dumps(_info()), encoding="utf-8")
    html = report.write_report(None, None, {}, tmp_path / "report", {}).read_text(encoding="utf-8")
    assert html.index('id="briefing"') < html.index('id="maps"')
    assert '<nav><a href="#briefing">Key findings</a>' in html
