"""The influence report: one self-contained HTML page (dist/report/index.html) with the maps, the
top partners per pillar, the gaps per region and Canada's position over time — and, for every
number, a link to the facts and sources behind it, on the same page.

It opens from the file system, loads nothing (images are inlined as data: URIs, no script), and
is made from the same slices as the maps, so the numbers agree with what the maps show.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mpdkg.influence.network import in_force
from mpdkg.maps.common import (
    Options,
    esc,
    html_page,
    pillar_max,
    slice_key,
    source_line,
    title_for,
)
from mpdkg.maps.data import BASE, MapData, Slice
from mpdkg.maps.world import legend_html, slice_colours, world_svg
from mpdkg.namespaces import slug

TOP = 10
Origins = Callable[[str], str | None]  # a fact's short id -> "graph/memberships/rcm.csv:6"


def _a(href: str, text: Any, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{esc(href)}"{c}>{esc(text)}</a>'


def _num(value: float) -> str:
    return f"{value:.3g}" if isinstance(value, float) and value != int(value) else f"{value:g}"


def _pillar_name(data: MapData, p: int | None) -> str:
    return f"Pillar {p}: {data.pillars.get(p, '')}" if p else "All pillars"


def country_anchor(iso3: str) -> str:
    return f"country-{iso3}"


def gap_anchor(region: str, pillar: int | None) -> str:
    return f"gap-{slug(region)}-{pillar or 'all'}"


def year_anchor(year: int) -> str:
    return f"year-{year}"


def source_anchor(source_id: str) -> str:
    return "src-" + source_id.split("/", 1)[-1]


@dataclass
class _Report:
    """What the sections of the influence report share: the slices of the latest year per
    pillar, and the countries shown and sources cited so far (the facts and sources sections
    list those)."""

    data: MapData
    options: Options
    slices: dict[str, Slice]
    figures: dict[str, Path]
    origins: Origins | None
    years: list[int]
    latest: int
    pillars: list[int | None]
    current: dict[int | None, Slice]
    main: Slice
    maxima: dict[str, float]
    cited: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)


def report_html(
    data: MapData,
    options: Options,
    slices: dict[str, Slice],
    figures: dict[str, Path],
    origins: Origins | None = None,
) -> str:
    years = data.years(options.as_of)
    latest = years[-1]
    pillars = options.pillars(data)
    current = {p: slices[slice_key(p, latest)] for p in pillars}
    r = _Report(
        data, options, slices, figures, origins, years, latest, pillars, current, current[pillars[0]],
        pillar_max(slices),
    )  # fmt: skip
    parts: list[str] = []
    for section in (
        _header, _maps_section, _partners_section, _gaps_section, _timeline_section, _facts_section, _sources_section
    ):  # fmt: skip
        parts += section(r)
    return html_page(
        title_for(data, options, "mpdkg influence report"), "\n".join(parts), scripts=(OPEN_TARGET,)
    )


def _header(rep: _Report) -> list[str]:
    """The page header: title, subtitle, navigation."""
    data, options, latest, main = rep.data, rep.options, rep.latest, rep.main
    parts = [
        '<div class="report">',
        f"<header><h1>{esc(title_for(data, options, 'Canada’s migration and protection diplomacy'))}: "
        "influence report</h1>",
        f'<p class="subtitle">As of {latest}'
        + (f" · {esc(options.region)}" if options.region else "")
        + f" · {len(main.partners())} countries with a channel to Canada · influence scores from mpdkg.influence"
        ". Every number links to the facts and sources behind it.</p>",
        '<nav><a href="#maps">Maps</a><a href="#partners">Top partners</a><a href="#gaps">Gaps per region</a>'
        '<a href="#timeline">Over time</a><a href="#facts">Facts</a><a href="#sources">Sources</a></nav>',
        "</header>",
    ]
    return parts


def _maps_section(rep: _Report) -> list[str]:
    """The world map and the network figure."""
    data, latest, pillars, main, maxima, figures = (
        rep.data,
        rep.latest,
        rep.pillars,
        rep.main,
        rep.maxima,
        rep.figures,
    )
    parts: list[str] = []
    maximum = maxima.get(slice_key(pillars[0], latest).split(":")[0], 0.0)
    parts.append('<section id="maps"><h2>Maps</h2>')
    parts.append(
        '<figure id="world-figure">'
        + world_svg(data, slice_colours(data, main, maximum), svg_id="report-world")
        + legend_html(maximum)
        + f"<figcaption>Countries shaded by influence score ({esc(_pillar_name(data, pillars[0]))}, {latest}). "
        'Interactive version with filters: <a href="../maps/world.html">maps/world.html</a>.</figcaption></figure>'
    )
    network_png = figures.get("network")
    if network_png is not None and network_png.exists():
        b64 = base64.b64encode(network_png.read_bytes()).decode("ascii")
        parts.append(
            '<figure id="network-figure">'
            f'<img alt="Relationship map: Canada, its channels and partner countries" src="data:image/png;base64,{b64}">'
            "<figcaption>Canada’s channels and partners. Interactive version with filters: "
            '<a href="../maps/network.html">maps/network.html</a>; slide figures in '
            '<a href="../maps/">maps/</a>.</figcaption></figure>'
        )
    parts.append("</section>")
    return parts


def _partners_section(rep: _Report) -> list[str]:
    """The top partners per pillar (the countries shown are remembered for the facts section)."""
    data, latest, pillars, current, shown_countries = (
        rep.data,
        rep.latest,
        rep.pillars,
        rep.current,
        rep.shown,
    )
    parts: list[str] = []
    parts.append(f'<section id="partners"><h2>Top partners per pillar ({latest})</h2><div class="grid">')
    for p in pillars:
        s = current[p]
        parts.append(f"<div><h3>{esc(_pillar_name(data, p))}</h3>")
        if not s.rows:
            parts.append("<p>No partner with a recorded channel.</p></div>")
            continue
        parts.append(
            '<table><tr><th class="num">#</th><th>country</th><th class="num">score</th><th class="num">ties</th></tr>'
        )
        for r in s.ranked()[:TOP]:
            shown_countries.add(r.iso3)
            anchor = "#" + country_anchor(r.iso3)
            label = data.countries[r.iso3].label
            parts.append(
                f'<tr><td class="num">{_a(anchor, r.rank)}</td><td>{_a(anchor, label)}</td>'
                f'<td class="num">{_a(anchor, _num(r.score))}</td><td class="num">{_a(anchor, len(r.links))}</td></tr>'
            )
        parts.append("</table></div>")
    parts.append("</div></section>")
    return parts


def _gaps_section(rep: _Report) -> list[str]:
    """The countries without a channel per region and pillar."""
    data, latest, pillars, current, main = rep.data, rep.latest, rep.pillars, rep.current, rep.main
    parts: list[str] = []
    parts.append(
        f'<section id="gaps"><h2>Gaps per region ({latest})</h2>'
        "<p>Countries with no recorded channel to Canada (no shared forum, votes aside, and no agreement), "
        "per region and pillar. A gap is the absence of a fact: each number links to the list of countries.</p>"
        '<table><tr><th>region</th><th class="num">countries</th><th class="num">with a channel</th>'
        + "".join(f'<th class="num">no channel: {"all" if p is None else f"P{p}"}</th>' for p in pillars)
        + "<th>closest candidates (no channel yet, best connected elsewhere)</th></tr>"
    )
    gap_lists = []
    for region, g in main.gaps.items():
        cells = [
            f"<td>{esc(region)}</td>",
            f'<td class="num">{_a("#" + gap_anchor(region, pillars[0]), g["countries"])}</td>',
            f'<td class="num">{_a("#" + gap_anchor(region, pillars[0]), g["linked"])}</td>',
        ]
        for p in pillars:
            gp = current[p].gaps.get(region, {"unlinked": []})
            cells.append(f'<td class="num">{_a("#" + gap_anchor(region, p), len(gp["unlinked"]))}</td>')
            names = ", ".join(
                f"{esc(data.countries[c].label)} ({c})"
                for c in sorted(gp["unlinked"], key=lambda c: data.countries[c].label)
            )
            gap_lists.append(
                f'<li id="{gap_anchor(region, p)}"><b>{esc(region)}, {esc(_pillar_name(data, p))}</b>: '
                f"{len(gp['unlinked'])} of {gp.get('countries', 0)} without a channel"
                + (f": {names}" if names else "")
                + "</li>"
            )
        cands = ", ".join(
            f"{esc(data.countries[c].label)}" for c in g.get("candidates", []) if c in data.countries
        )
        cells.append(f"<td>{cands or '—'}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append(
        '</table><details open><summary>Countries without a channel</summary><ul class="facts-list">'
    )
    parts += gap_lists
    parts.append("</ul></details></section>")
    return parts


def _timeline_section(rep: _Report) -> list[str]:
    """Canada's position per year, and its channels in each year (their sources are cited)."""
    data, years, pillars, slices, cited, origins = (
        rep.data,
        rep.years,
        rep.pillars,
        rep.slices,
        rep.cited,
        rep.origins,
    )
    parts: list[str] = []
    series = [(y, slices[slice_key(pillars[0], y)].canada) for y in years]
    parts.append(
        f'<section id="timeline"><h2>Canada’s position over time ({esc(_pillar_name(data, pillars[0]))})</h2>'
        + _timeline_svg(series)
        + '<table><tr><th>year</th><th class="num">partner countries</th><th class="num">fora</th>'
        '<th class="num">agreements</th><th class="num">rank: weighted degree</th>'
        '<th class="num">rank: betweenness</th><th class="num">rank: eigenvector</th>'
        '<th class="num">effective size</th></tr>'
    )
    for y, k in series:
        a = "#" + year_anchor(y)
        ranks = k.get("ranks", {})
        row_values: list[Any] = [k["partners"], k["fora"], k["agreements"]]
        row_values += [ranks.get(m) for m in ("weighted_degree", "betweenness", "eigenvector")]
        row_values.append(k.get("effective_size"))
        parts.append(
            f"<tr><td>{y}</td>"
            + "".join(f'<td class="num">{_a(a, _num(v)) if v is not None else "—"}</td>' for v in row_values)
            + "</tr>"
        )
    parts.append(
        "</table><p>Ranks are Canada’s among all countries in the network of shared channels (1 = most "
        "central); effective size is Burt’s measure of how many non-redundant partners Canada reaches. "
        "A relationship counts from its start year to its end year; see docs/influence.md for the "
        "weights and the treatment of unknown start years.</p>"
    )
    for y, _k in series:
        s = slices[slice_key(pillars[0], y)]
        parts.append(
            f'<details id="{year_anchor(y)}"><summary>Canada’s channels in {y} '
            f'({len(s.canada.get("channels", []))})</summary><ul class="facts-list">'
        )
        for cid in s.canada.get("channels", []):
            ch = data.channels[cid]
            held = [
                (f, src)
                for periods, f, src in data.canada_facts.get(cid, [])
                if in_force(periods, y, data.config)
            ]
            facts = [f for f, _src in held] or [cid]
            srcs = sorted({x for _f, src in held for x in src} | set(ch.sources if not held else ()))
            cited.update(srcs)
            parts.append(
                f"<li><b>{esc(ch.label)}</b> ({esc(ch.kind)}; Canada: {esc(', '.join(ch.canada_roles))}) — "
                + _facts_html(facts, origins)
                + " — "
                + _sources_html(srcs)
                + f" · partners: {sum(1 for r in s.rows.values() if any(data.links[i].channel == cid for i in r.links))}"
                "</li>"
            )
        parts.append("</ul></details>")
    parts.append("</section>")
    return parts


def _facts_section(rep: _Report) -> list[str]:
    """The facts behind each shown country's ties (their sources are cited)."""
    data, latest, pillars, current, slices = rep.data, rep.latest, rep.pillars, rep.current, rep.slices
    cited, shown_countries, origins = rep.cited, rep.shown, rep.origins
    parts: list[str] = []
    parts.append(
        f'<section id="facts"><h2>Facts behind the numbers ({latest})</h2>'
        "<p>Each partner’s ties to Canada: the channel, the country’s role, when it held, the pillars it "
        "serves (a pillar’s score counts the ties that serve it), the facts (graph IRIs) and their sources.</p>"
    )
    all_slice = slices[slice_key(pillars[0], latest)]
    for iso3 in sorted(shown_countries, key=lambda c: data.countries[c].label):
        row = all_slice.rows.get(iso3)
        c = data.countries[iso3]
        scores = " · ".join(
            f"{'all' if p is None else f'P{p}'}: {_num(current[p].rows[iso3].score)} (#{current[p].rows[iso3].rank})"
            for p in pillars
            if iso3 in current[p].rows
        )
        parts.append(
            f'<div id="{country_anchor(iso3)}"><h3>{esc(c.label)} <span class="muted">{iso3} · {esc(data.region_of(iso3))}</span></h3>'
            f"<p>Scores: {scores}</p>"
            "<table><tr><th>channel</th><th>role</th><th>held</th><th>pillars</th><th>facts</th><th>sources</th></tr>"
        )
        for i in row.links if row else ():
            link = data.links[i]
            ch = data.channels[link.channel]
            cited.update(link.sources)
            parts.append(
                f"<tr><td>{esc(ch.label)}</td><td>{esc(link.relation)}</td>"
                f"<td>{link.begin or '?'}–{link.end or ''}</td><td>{', '.join(map(str, link.pillars)) or '—'}</td>"
                f"<td>{_facts_html(list(link.facts), origins)}</td><td>{_sources_html(list(link.sources))}</td></tr>"
            )
        parts.append("</table></div>")
    parts.append("</section>")
    return parts


def _sources_section(rep: _Report) -> list[str]:
    """The sources cited above, with the page footer."""
    data, cited = rep.data, rep.cited
    parts: list[str] = []
    parts.append('<section id="sources"><h2>Sources cited above</h2><ul class="facts-list">')
    for sid in sorted(cited):
        src = data.sources.get(sid)
        if src is None:
            parts.append(f'<li id="{source_anchor(sid)}">{esc(sid)}</li>')
            continue
        anchor_html = (
            f'<a href="{esc(src.url)}" rel="noopener noreferrer">{esc(src.url)}</a>' if src.url else ""
        )
        parts.append(
            f'<li id="{source_anchor(sid)}"><b>{esc(src.title)}</b> — {esc(src.publisher)}, accessed '
            f'{esc(src.accessed)}. {anchor_html} <span class="muted">({esc(sid)})</span></li>'
        )
    parts.append("</ul></section>")
    parts.append(f'<footer class="source-line">{esc(source_line(data))}</footer></div>')
    return parts


# Following a link to a folded list (<details>) unfolds it; the page reads fine without scripts.
OPEN_TARGET = """\
"use strict";
function mpdkgOpenTarget() {
  var id = decodeURIComponent(location.hash.slice(1));
  var el = id ? document.getElementById(id) : null;
  if (el && el.tagName === "DETAILS") el.open = true;
}
window.addEventListener("hashchange", mpdkgOpenTarget);
mpdkgOpenTarget();"""


def _facts_html(facts: list[str], origins: Origins | None) -> str:
    out = []
    for f in facts:
        where = origins(f) if origins else None
        extra = f' <span class="muted">({esc(where)})</span>' if where else ""
        out.append(f'<a href="{esc(BASE + f)}" rel="noopener noreferrer">{esc(f)}</a>{extra}')
    return ", ".join(out)


def _sources_html(sources: list[str]) -> str:
    return ", ".join(_a("#" + source_anchor(s), s.split("/", 1)[-1]) for s in sources)


def _timeline_svg(series: list[tuple[int, dict[str, Any]]]) -> str:
    """Three small line charts (partners, channels, total score) as inline SVG."""
    metrics = [
        ("partners", "partner countries"),
        ("channels", "fora + agreements"),
        ("effective_size", "effective size (Burt)"),
    ]
    w, h, pad = 250, 140, 34
    charts = []
    for n, (key, title) in enumerate(metrics):
        values = [
            (k["fora"] + k["agreements"]) if key == "channels" else (k.get(key) or 0) for _y, k in series
        ]
        top = max(values + [1])
        xs = [pad + (w - pad - 10) * (i / max(len(series) - 1, 1)) for i in range(len(series))]
        ys = [h - 24 - (h - 62) * (v / top) for v in values]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        x0 = n * (w + 20)
        g = [
            f'<g transform="translate({x0},0)">',
            f'<text x="{pad}" y="14" font-size="12" font-weight="bold">{esc(title)}</text>',
        ]
        g.append(f'<line x1="{pad}" y1="{h - 24}" x2="{w - 10}" y2="{h - 24}" stroke="#999"/>')
        g.append(f'<polyline points="{points}" fill="none" stroke="#c8102e" stroke-width="2"/>')
        for (y, _k), x, yy, v in zip(series, xs, ys, values, strict=True):
            g.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="#c8102e"/>')
            g.append(
                f'<text x="{x:.1f}" y="{yy - 6:.1f}" font-size="10" text-anchor="middle">{_num(v)}</text>'
            )
            g.append(f'<text x="{x:.1f}" y="{h - 8}" font-size="10" text-anchor="middle">{y}</text>')
        g.append("</g>")
        charts.append("".join(g))
    total_w = len(metrics) * (w + 20)
    return (
        f'<svg class="timeline" viewBox="0 0 {total_w} {h}" width="{total_w}" height="{h}" '
        'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Canada over time">'
        + "".join(charts)
        + "</svg>"
    )


def write_report(
    data: MapData,
    options: Options,
    slices: dict[str, Slice],
    out_dir: Path,
    figures: dict[str, Path],
    origins: Origins | None = None,
) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    page = report_html(data, options, slices, figures, origins)
    briefing = briefing_html(read_influence_json(out_dir))
    if briefing:  # key findings first: right after the report's header
        page = page.replace("</header>", "</header>\n" + briefing, 1)
        links = '<a href="#briefing">Key findings</a><a href="#methods">Methods</a><a href="#validity">Validity</a>'
        page = page.replace("<nav>", "<nav>" + links, 1)
    path.write_text(page, encoding="utf-8")
    return path


# --- the briefing (issue #16): key findings, methods, validity, peers, coverage --------------


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _coverage(graph_dir: Path | None) -> list[str]:
    """Incomplete member lists flagged in graph/TODO.md, and the open-data licences."""
    from mpdkg import paths

    out = []
    todo = Path(graph_dir or paths.graph_dir()) / "TODO.md"
    if todo.is_file():
        flagged = sorted({line.lstrip("# ").split("—")[0].split(":")[0].strip()
                          for line in todo.read_text(encoding="utf-8").splitlines()
                          if line.startswith("#") and "INCOMPLETE" in line.upper()})  # fmt: skip
        if flagged:
            out.append("Member lists marked incomplete in graph/TODO.md: " + "; ".join(flagged) + ".")
    out.append(
        "Open data: UNHCR Refugee Data Finder (CC BY 4.0, cite UNHCR Refugee Population Statistics Database); "
        "Passport Index dataset (MIT, Ilya Ilyankou); UN votes: Voeten, Strezhnev and Bailey (CC0). "
        "Resettlement is counted by refugees' origin, not by the state they are resettled from."
    )
    return out


def briefing_context(info: dict, graph_dir: Path | None = None) -> dict[str, Any]:
    """What templates/report/briefing.html shows, from dist/influence.json's content."""
    layers, validity, peers = info["layers"], info["validity"], info["peers"]
    year = str(layers["reference_year"])
    rows = layers["by_year"][year]
    labels = {r["iso3"]: r["label"] for r in info.get("rows", [])}
    null = validity["null_model"]["countries"]
    ranked = sorted(
        (c for c in rows if rows[c]["composite"]["rank"]), key=lambda c: rows[c]["composite"]["rank"]
    )
    top = [{"iso3": c, "label": labels.get(c, c), "rank": rows[c]["composite"]["rank"],
            "score": _num(rows[c]["composite"]["score"]),
            "layers": {k: "—" if v["score"] is None else _num(v["score"]) for k, v in rows[c]["layers"].items()},
            "z": null.get(c, {}).get("z", "—")} for c in ranked[:TOP]]  # fmt: skip
    return {
        "year": year, "findings": findings(info), "method": layers["composite"]["method"],
        "definitions": layers["definitions"], "undated": info.get("network", {}).get("undated_facts", 0),
        "top": top, "predictive": validity["predictive"], "sensitivity": validity["sensitivity"],
        "null": validity["null_model"], "limits": validity["limits"], "peers": peers,
        "coverage": _coverage(graph_dir),
    }  # fmt: skip


def findings(info: dict) -> list[str]:
    """Key findings, each with the numbers it rests on."""
    layers, validity, peers = info["layers"], info["validity"], info["peers"]
    year = str(layers["reference_year"])
    rows = layers["by_year"][year]
    labels = {r["iso3"]: r["label"] for r in info.get("rows", [])}
    ranked = sorted(
        (c for c in rows if rows[c]["composite"]["rank"]), key=lambda c: rows[c]["composite"]["rank"]
    )
    top = ", ".join(f"{labels.get(c, c)} ({_num(rows[c]['composite']['score'])})" for c in ranked[:5])
    out = [f"Canada's strongest migration-diplomacy partners in {year}, all layers together: {top}."]
    agree = [p for p in validity["predictive"] if p["outcome"] == "new_agreements" and p["rho"] is not None]
    resettle = [p for p in validity["predictive"] if p["outcome"] == "resettlement" and p["rho"] is not None]
    if agree and resettle:
        out.append(
            f"The channel score predicts new agreements weakly (Spearman ρ {agree[0]['rho']} to {agree[-1]['rho']}, "
            f"score years {agree[0]['score_year']}–{agree[-1]['score_year']}) and goes with fewer resettled refugees "
            f"(ρ {resettle[0]['rho']} to {resettle[-1]['rho']}): it measures diplomatic closeness, not protection work."
        )
    null = validity["null_model"]
    out.append(
        f"Only {null['meaningful']} of {len(null['countries'])} states are tied to Canada more than chance "
        f"co-membership would give (z ≥ 2, {null['draws']} rewirings); most mid-table ranks are noise."
    )
    lead = [p for p, t in peers["pillars"].items() if t.get("CAN", {}).get("rank") == 1]
    out.append(
        f"Among Australia, the UK, Germany, the US and Mexico, Canada has the most forum ties in "
        f"{len(lead)} of {len(peers['pillars'])} views (all pillars and per pillar) — partly because the fora were "
        "curated from Canada's side."
    )
    for c in ("IND", "PHL", "JOR", "LBN"):
        if c in rows and rows[c]["composite"]["rank"]:
            out.append(
                f"{labels.get(c, c)}: {_ordinal(rows[c]['composite']['rank'])} — {rows[c]['explanation']}"
            )
    return out


def briefing_html(info: dict | None, graph_dir: Path | None = None) -> str:
    """The briefing section (Jinja2, autoescaped); empty without the analysis' layers."""
    from mpdkg.html import render

    if not info or "layers" not in info or "validity" not in info:
        return ""
    return render("report/briefing.html", **briefing_context(info, graph_dir))


def read_influence_json(out_dir: Path) -> dict | None:
    """dist/influence.json beside the report folder, as the build writes it before the report."""
    import json

    path = Path(out_dir).parent / "influence.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["briefing_html", "findings", "report_html", "write_report"]
