"""The influence report: one self-contained HTML page (dist/report/index.html) with the maps, the
top partners per pillar, the gaps per region and Canada's position over time — and, for every
number, a link to the facts and sources behind it, on the same page.

It opens from the file system, loads nothing (images are inlined as data: URIs; the one inline
script only unfolds a folded list a link points to), and is made from the same slices as the
maps, so the numbers agree with what the maps show.

Every tag is in ``templates/report/`` (Jinja2 through :func:`mpdkg.html.render`: autoescaped,
strict about undefined names); this module only gathers what each section shows, as plain
strings and numbers.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from markupsafe import Markup

from mpdkg.html import render
from mpdkg.influence.network import in_force
from mpdkg.maps.common import Options, pillar_max, render_page, slice_key, source_line, title_for
from mpdkg.maps.data import BASE, MapData, Slice, short_id
from mpdkg.maps.world import legend_html, slice_colours, world_svg
from mpdkg.namespaces import slug
from mpdkg.rdf.opendata_cow import CowPeriod, MembershipDifference

TOP = 10
# the maps stage's views the report links to (``figures`` keys), in the order shown; a slide
# (``*.png``) is linked with its SVG beside it
VIEWS = {
    "index": "All maps and slides",
    "peers-page": "Peer view: Canada beside its peers (fora, UN votes, visas)",
    "flows-resettled": "Slide: refugees resettled to Canada by origin, latest year",
    "flows-claims": "Slide: asylum claims lodged in Canada by origin, latest year",
    "peers": "Slide: Canada beside its peers, fora per pillar",
}
Origins = Callable[[str], str | None]  # a fact's short id -> "graph/memberships/rcm.csv:6"


def _num(value: float) -> str:
    return f"{value:.3g}" if isinstance(value, float) and value != int(value) else f"{value:g}"


def _pillar_name(data: MapData, p: int | None) -> str:
    return f"Pillar {p}: {data.pillars.get(p, '')}" if p else "All pillars"


def _pillar_short(p: int | None) -> str:
    return "all" if p is None else f"P{p}"


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
    briefing: str = "",
    cow: CowCheck | None = None,
    what_if: list[dict[str, Any]] | None = None,
    linked: tuple[str, ...] = (),
) -> str:
    """The report page (templates/report/index.html); ``briefing``: the rendered briefing
    (:func:`briefing_html`), shown first and linked from the navigation when not empty; ``cow``:
    the curated-vs-COW membership differences (:func:`cow_check`), a folded section when given;
    ``what_if``: the precomputed scenarios (:func:`what_if_context`), a short section when given;
    ``linked``: countries the briefing links to (``#country-XXX``), given an entry in the facts
    section like the top partners."""
    years = data.years(options.as_of)
    latest = years[-1]
    pillars = options.pillars(data)
    current = {p: slices[slice_key(p, latest)] for p in pillars}
    r = _Report(
        data, options, slices, figures, origins, years, latest, pillars, current, current[pillars[0]],
        pillar_max(slices),
    )  # fmt: skip
    r.shown.update(c for c in linked if c in data.countries)
    maps = _maps_section(r)
    context = {
        "latest": latest,
        "header": dict(_header(r), views=[v for v in maps["views"] if v["key"] in ("index", "peers-page")]),
        "maps": maps,
        "partners": _partners_section(r),  # before the facts: it picks the countries shown
        "gaps": _gaps_section(r),
        "timeline": _timeline_section(r),  # before the sources: it cites
        "cow": _cow_section(r, cow) if cow is not None else None,  # cites too
        "what_if": what_if or None,
        "facts": _facts_section(r),
        "sources": _sources_section(r),
        "source_line": source_line(data),
        "briefing": Markup(briefing),  # rendered by templates/report/briefing.html
    }
    title = title_for(data, options, "mpdkg influence report")
    return render_page("report/index.html", title, scripts=(OPEN_TARGET,), **context)


def _header(rep: _Report) -> dict[str, Any]:
    """The page header: title and subtitle (the navigation is in the template)."""
    return {
        "title": title_for(rep.data, rep.options, "Canada’s migration and protection diplomacy"),
        "region": rep.options.region or "",
        "partners": len(rep.main.partners()),
    }


def _maps_section(rep: _Report) -> dict[str, Any]:
    """The world map (rendered by the maps' own templates) and the network figure (inlined PNG)."""
    data, pillars, main = rep.data, rep.pillars, rep.main
    maximum = rep.maxima.get(slice_key(pillars[0], rep.latest).split(":")[0], 0.0)
    network_png = rep.figures.get("network")
    png = None
    if network_png is not None and network_png.exists():
        png = base64.b64encode(network_png.read_bytes()).decode("ascii")
    return {
        "world_svg": Markup(world_svg(data, slice_colours(data, main, maximum), svg_id="report-world")),
        "legend": Markup(legend_html(maximum)),
        "pillar": _pillar_name(data, pillars[0]),
        "network_png": png,
        "views": _views(rep.figures),
    }


def _views(figures: dict[str, Path]) -> list[dict[str, str]]:
    """Links from report/index.html to the maps stage's pages and slides that exist, relative
    (``../maps/...``) so that they work from the file system; a slide links its PNG and SVG."""
    out = []
    for key, label in VIEWS.items():
        path = figures.get(key)
        if path is None or not path.is_file():
            continue
        view = {"key": key, "label": label, "href": f"../maps/{path.name}", "svg": ""}
        if path.suffix == ".png" and path.with_suffix(".svg").is_file():
            view["svg"] = f"../maps/{path.with_suffix('.svg').name}"
        out.append(view)
    return out


def _partners_section(rep: _Report) -> list[dict[str, Any]]:
    """The top partners per pillar (the countries shown are remembered for the facts section)."""
    out = []
    for p in rep.pillars:
        rows = []
        for r in rep.current[p].ranked()[:TOP]:
            rep.shown.add(r.iso3)
            rows.append(
                {
                    "href": "#" + country_anchor(r.iso3),
                    "rank": r.rank,
                    "label": rep.data.countries[r.iso3].label,
                    "score": _num(r.score),
                    "ties": len(r.links),
                }
            )
        out.append({"pillar": _pillar_name(rep.data, p), "rows": rows})
    return out


def _gaps_section(rep: _Report) -> dict[str, Any]:
    """The countries without a channel per region and pillar."""
    data, pillars = rep.data, rep.pillars
    rows, lists = [], []
    for region, g in rep.main.gaps.items():
        cells = []
        for p in pillars:
            gp = rep.current[p].gaps.get(region, {"unlinked": []})
            cells.append({"href": "#" + gap_anchor(region, p), "unlinked": len(gp["unlinked"])})
            unlinked = sorted(gp["unlinked"], key=lambda c: data.countries[c].label)
            lists.append(
                {
                    "id": gap_anchor(region, p),
                    "region": region,
                    "pillar": _pillar_name(data, p),
                    "countries": gp.get("countries", 0),
                    "unlinked": [{"iso3": c, "label": data.countries[c].label} for c in unlinked],
                }
            )
        rows.append(
            {
                "region": region,
                "href": "#" + gap_anchor(region, pillars[0]),
                "countries": g["countries"],
                "linked": g["linked"],
                "cells": cells,
                "candidates": [
                    data.countries[c].label for c in g.get("candidates", []) if c in data.countries
                ],
            }
        )
    return {"pillars": [_pillar_short(p) for p in pillars], "rows": rows, "lists": lists}


def _timeline_section(rep: _Report) -> dict[str, Any]:
    """Canada's position per year, and its channels in each year (their sources are cited)."""
    series = [(y, rep.slices[slice_key(rep.pillars[0], y)].canada) for y in rep.years]
    years = []
    for y, k in series:
        ranks = k.get("ranks", {})
        values: list[Any] = [k["partners"], k["fora"], k["agreements"]]
        values += [ranks.get(m) for m in ("weighted_degree", "betweenness", "eigenvector")]
        values.append(k.get("effective_size"))
        years.append(
            {
                "year": y,
                "id": year_anchor(y),
                "href": "#" + year_anchor(y),
                "cells": [None if v is None else _num(v) for v in values],
                "channels": _channels_in(rep, y),
            }
        )
    return {
        "pillar": _pillar_name(rep.data, rep.pillars[0]),
        "svg": _timeline_svg(series),
        "years": years,
    }


def _channels_in(rep: _Report, year: int) -> list[dict[str, Any]]:
    """Canada's channels in one year, with the facts that held then and their sources."""
    data = rep.data
    s = rep.slices[slice_key(rep.pillars[0], year)]
    out = []
    for cid in s.canada.get("channels", []):
        ch = data.channels[cid]
        held = [
            (f, src)
            for periods, f, src in data.canada_facts.get(cid, [])
            if in_force(periods, year, data.config)
        ]
        facts = [f for f, _src in held] or [cid]
        srcs = sorted({x for _f, src in held for x in src} | set(ch.sources if not held else ()))
        rep.cited.update(srcs)
        out.append(
            {
                "label": ch.label,
                "kind": ch.kind,
                "roles": list(ch.canada_roles),
                "facts": _facts(facts, rep.origins),
                "sources": _sources(srcs),
                "partners": sum(
                    1 for r in s.rows.values() if any(data.links[i].channel == cid for i in r.links)
                ),
            }
        )
    return out


def _facts_section(rep: _Report) -> list[dict[str, Any]]:
    """The facts behind each shown country's ties (their sources are cited)."""
    data, pillars, current = rep.data, rep.pillars, rep.current
    all_slice = rep.slices[slice_key(pillars[0], rep.latest)]
    out = []
    for iso3 in sorted(rep.shown, key=lambda c: data.countries[c].label):
        row = all_slice.rows.get(iso3)
        ties = []
        for i in row.links if row else ():
            link = data.links[i]
            rep.cited.update(link.sources)
            ties.append(
                {
                    "channel": data.channels[link.channel].label,
                    "relation": link.relation,
                    "begin": link.begin,
                    "end": link.end,
                    "end_assumed": link.end_assumed,
                    "pillars": list(link.pillars),
                    "facts": _facts(list(link.facts), rep.origins),
                    "sources": _sources(list(link.sources)),
                }
            )
        scores = [
            {
                "pillar": _pillar_short(p),
                "score": _num(current[p].rows[iso3].score),
                "rank": current[p].rows[iso3].rank,
            }
            for p in pillars
            if iso3 in current[p].rows
        ]
        out.append(
            {
                "id": country_anchor(iso3),
                "label": data.countries[iso3].label,
                "iso3": iso3,
                "region": data.region_of(iso3),
                "scores": scores,
                "ties": ties,
            }
        )
    return out


def _sources_section(rep: _Report) -> list[dict[str, Any]]:
    """The sources cited above (a source missing from the registry shows its id only)."""
    out = []
    for sid in sorted(rep.cited):
        src = rep.data.sources.get(sid)
        entry: dict[str, Any] = {"id": sid, "anchor": source_anchor(sid), "title": None}
        if src is not None:
            entry |= {
                "title": src.title,
                "publisher": src.publisher,
                "accessed": src.accessed,
                "url": src.url,
            }
        out.append(entry)
    return out


# --- what if (issue #16) ---------------------------------------------------------------------

WHAT_IF_SCENARIOS = 2  # shown at most
WHAT_IF_TOP = 3  # fora and agreements per scenario


def what_if_context(info: dict | None) -> list[dict[str, Any]]:
    """The scenarios of dist/influence.json's ``what_if`` (a list of what
    :func:`mpdkg.influence.whatif.what_if` returns), the best few options of each; [] when the
    analysis did not export any."""
    scenarios = (info or {}).get("what_if") or []
    if isinstance(scenarios, dict):  # one scenario
        scenarios = [scenarios]
    out = []
    for sc in scenarios[:WHAT_IF_SCENARIOS]:
        where = " · ".join(
            x for x in (sc.get("region"), f"pillar {sc['pillar']}" if sc.get("pillar") else None) if x
        )
        out.append(
            {
                "where": where or "all regions, all pillars",
                "year": sc["year"],
                "ego": sc.get("ego", "CAN"),
                "fora": [_option(r, r["label"]) for r in sc.get("fora", [])[:WHAT_IF_TOP]],
                "agreements": [
                    _option(r, f"{r['label']} ({r['iso3']})") for r in sc.get("agreements", [])[:WHAT_IF_TOP]
                ],
            }
        )
    return out


def _option(row: dict[str, Any], name: str) -> dict[str, Any]:
    """One forum to join or state to sign with: what it would add to Canada's reach, and how."""
    return {"name": name, "new": row["new_partners"], "delta": _num(row["delta_effective_size"]),
            "computation": row["computation"]}  # fmt: skip


# --- curated memberships vs Correlates of War IGO (issue #15) ---------------------------------

#: what each kind of difference (mpdkg.rdf.opendata_cow.MembershipDifference.kind) means
COW_KINDS = {
    "start-year": "start year differs (COW counts the first year it records)",
    "role": "role differs",
    "only-curated": "current curated member, no COW period open in COW's last year",
    "only-cow": "member in COW's last year, no current curated membership",
}


@dataclass(frozen=True)
class CowCheck:
    """The curated-vs-COW differences for the fora of this graph, with the COW periods of the
    (forum, member) pairs concerned and the vendored dataset's description."""

    differences: list[MembershipDifference]
    periods: dict[tuple[str, str], list[CowPeriod]]
    dataset: dict[str, str]
    last_year: int


def cow_check(data: MapData) -> CowCheck | None:
    """:func:`mpdkg.rdf.opendata_cow.cow_curated_differences` (what ``mpdkg stats --open-data``
    lists), read from graph/open-data/ and graph/memberships/ as the analysis reads its open
    data; kept to the COW-mapped fora this graph has. None when the ``cow-igo`` extract is not
    vendored or no mapped forum is in the graph (then nothing costly is read)."""
    from mpdkg.rdf.opendata_cow import LAST_YEAR, cow_curated_differences, cow_periods, forum_mapping
    from mpdkg.sources import opendata

    try:
        found = {d.name: d for d in opendata.datasets()}
        mapped = set(forum_mapping().values()) if "cow-igo" in found else set()
    except (opendata.OpenDataError, OSError):
        return None
    fora = {f for f in mapped if f"{BASE}forum/{f}" in data.facts.channels}
    if not fora:
        return None
    diffs = [d for d in cow_curated_differences() if d.forum in fora]
    pairs = {(d.forum, d.member) for d in diffs}
    periods: dict[tuple[str, str], list[CowPeriod]] = {}
    for period in cow_periods():
        if period.forum is not None and (period.forum, period.member) in pairs:
            periods.setdefault((period.forum, period.member), []).append(period)
    ds = found["cow-igo"]
    dataset = {"title": ds.title, "citation": ds.citation, "licence": ds.licence["name"],
               "repository": ds.repository, "commit": ds.commit}  # fmt: skip
    return CowCheck(diffs, periods, dataset, LAST_YEAR)


def _curated_held(data: MapData, forum: str, member: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """The curated memberships of ``member`` (a country's ISO code, or an organisation's forum id)
    in ``forum``: (role, period, sources)."""
    held: list[tuple[str, str, tuple[str, ...]]] = []
    for m in data.facts.memberships:
        country = data.facts.countries.get(m.actor)
        is_member = country.iso3 == member if country else m.actor == f"{BASE}forum/{member}"
        if m.forum != f"{BASE}forum/{forum}" or not is_member:
            continue
        if m.start is not None:
            period = f"{m.start}–{m.end or ''}"
        else:
            period = f"attested {m.attested}" if m.attested else "undated"
        sources = tuple(sorted(short_id(s) for s in data.facts.derived_from.get(m.iri, ())))
        held.append((m.role, period, sources))
    return sorted(held)


def _cow_section(rep: _Report, cow: CowCheck) -> dict[str, Any]:
    """The differences by kind and one row each: forum, country, the curated memberships (with
    their sources, cited in the page's list) and COW's periods."""
    data = rep.data
    rows: list[dict[str, Any]] = []
    for d in cow.differences:
        held = _curated_held(data, d.forum, d.member)
        sources = sorted({s for _r, _p, srcs in held for s in srcs})
        rep.cited.update(sources)
        channel = data.facts.channels.get(f"{BASE}forum/{d.forum}")
        country = data.countries.get(d.member) or data.facts.channels.get(f"{BASE}forum/{d.member}")
        rows.append(
            {
                "forum": channel.label if channel else d.forum,
                "igo": d.igo,
                "iso3": d.member,
                "country": country.label if country else d.member,  # an organisation may be a member
                "curated": [f"{role} {period}" for role, period, _s in held],
                "cow": [f"{p.role} {p.start}–{p.end}" for p in cow.periods.get((d.forum, d.member), [])],
                "kind": d.kind,
                "differs": f"{d.curated or '—'} (curated) / {d.cow or '—'} (COW)",
                "sources": _sources(sources),
            }
        )
    counts = Counter(d.kind for d in cow.differences)
    kinds = [{"kind": k, "meaning": m, "count": counts.get(k, 0)} for k, m in COW_KINDS.items()]
    kinds += [{"kind": k, "meaning": k, "count": n} for k, n in sorted(counts.items()) if k not in COW_KINDS]
    fora = sorted({r["forum"] for r in rows})
    return {"total": len(rows), "kinds": kinds, "rows": rows, "fora": fora, "dataset": cow.dataset,
            "last_year": cow.last_year}  # fmt: skip


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


def _facts(facts: list[str], origins: Origins | None) -> list[dict[str, Any]]:
    """Facts as links to their graph IRIs, with the curated file and line when known."""
    return [{"id": f, "href": BASE + f, "where": origins(f) if origins else None} for f in facts]


def _sources(sources: list[str]) -> list[dict[str, str]]:
    """Sources as links to their entry in the page's list of sources."""
    return [{"href": "#" + source_anchor(s), "text": s.split("/", 1)[-1]} for s in sources]


def _timeline_svg(series: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """Three small line charts (partners, channels, effective size), laid out for
    templates/report/_timeline_svg.html."""
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
        dots = [
            {"x": x, "y": yy, "value": _num(v), "year": y}
            for (y, _k), x, yy, v in zip(series, xs, ys, values, strict=True)
        ]
        charts.append({"x0": n * (w + 20), "title": title, "dots": dots})
    return {
        "width": len(metrics) * (w + 20),
        "height": h,
        "pad": pad,
        "axis": h - 24,
        "right": w - 10,
        "charts": charts,
    }


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
    info = read_influence_json(out_dir)
    context = briefing_context(info) if has_briefing(info) else None
    briefing = render("report/briefing.html", **context) if context else ""  # key findings first
    page = report_html(
        data,
        options,
        slices,
        figures,
        origins,
        briefing=briefing,
        cow=cow_check(data),
        what_if=what_if_context(info),
        linked=tuple(t["iso3"] for t in context["top"]) if context else (),
    )
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
        "composite_predictive": validity.get("composite_predictive", []),
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
    years = layers.get("data_years", {}).get(year, {})
    for indicator, layer, what in FLOW_FINDINGS:
        line = _flows_finding(rows, labels, indicator, layer, what, years.get(indicator) or [])
        if line:
            out.append(line)
    for c in WATCHED_IN_FINDINGS:
        if c in rows and rows[c]["composite"]["rank"]:
            out.append(_watched_finding(labels.get(c, c), rows[c], layers.get("definitions", {})))
    return out


#: states a reader of Canada's migration diplomacy checks first (top origins of its immigrants,
#: major refugee hosts), one line each in the key findings
WATCHED_IN_FINDINGS = ("IND", "PHL", "JOR", "LBN", "TUR")


#: flows whose largest origins are set against their channel ranks: (indicator, layer, what it counts)
FLOW_FINDINGS = (
    ("admitted_to_canada", "mobility", "people Canada admitted (IRCC, mean a year {span})"),
    ("asylum_claims_in_canada", "irregular", "asylum claims in Canada (UNHCR, total {span})"),
)
#: how many of the largest origins a flow finding names, and the channel rank below which an
#: origin counts as one whose flows outrun Canada's diplomatic channels
FLOW_TOP, FLOW_FEW_CHANNELS = 5, 50


def _flows_finding(
    rows: dict, labels: dict, indicator: str, layer: str, what: str, years: list[int]
) -> str | None:
    """Where migration outruns diplomacy: the largest origins of a flow and their channel ranks.

    >>> rows = {c: {"layers": {"mobility": {"indicators": {"admitted_to_canada": v}}, "channels": {"rank": r}}}
    ...         for c, v, r in [("IND", 447549.0, 87), ("CHN", 118950.0, 12), ("FJI", 10.0, 140)]}
    >>> print(_flows_finding(rows, {"IND": "India"}, "admitted_to_canada", "mobility", "people ({span})", [2019, 2023]))
    The largest origins of people (2019–2023): India 447,549 (channels #87), CHN 118,950 (#12), FJI 10 (#140); 2 of the 3 rank below 50th on channels, where migration outruns Canada's diplomatic channels.
    """
    flows = {c: r["layers"].get(layer, {}).get("indicators", {}).get(indicator) for c, r in rows.items()}
    largest = sorted((c for c, v in flows.items() if v), key=lambda c: (-flows[c], c))[:FLOW_TOP]
    if not largest:
        return None
    ranks = {c: rows[c].get("layers", {}).get("channels", {}).get("rank") for c in largest}
    named = ", ".join(
        f"{labels.get(c, c)} {flows[c]:,.0f} ({'channels ' if i == 0 else ''}#{ranks[c] or '—'})"
        for i, c in enumerate(largest)
    )
    few = sum(1 for c in largest if not ranks[c] or ranks[c] > FLOW_FEW_CHANNELS)
    span = f"{years[0]}–{years[-1]}" if years else "latest years"
    return (
        f"The largest origins of {what.format(span=span)}: {named}; {few} of the {len(largest)} rank below "
        f"{_ordinal(FLOW_FEW_CHANNELS)} on channels, where migration outruns Canada's diplomatic channels."
    )


def _watched_finding(label: str, row: dict, definitions: dict) -> str:
    """One line: the composite rank, each layer's rank, the strongest and weakest layer; the
    figures behind them are on the country page (``explanation``)."""
    ranked = {k: v["rank"] for k, v in row["layers"].items() if v.get("rank")}
    labels = {k: str(definitions.get(k, {}).get("label", k)).split(" (")[0] for k in row["layers"]}
    name = {k: v[:1].lower() + v[1:] for k, v in labels.items()}  # "alignment at the UN"
    parts = [f"{name[k]} #{r}" for k, r in ranked.items()]
    missing = [name[k] for k, v in row["layers"].items() if v.get("score") is None]
    text = f"{label}: {_ordinal(row['composite']['rank'])} of the states on all layers ({', '.join(parts)}"
    text += f"; without data: {', '.join(missing)})" if missing else ")"
    if len(ranked) >= 2:
        best, worst = min(ranked, key=lambda k: ranked[k]), max(ranked, key=lambda k: ranked[k])
        text += f"; strongest on {name[best]}, weakest on {name[worst]}"
    return text + " — the figures are on its country page."


def briefing_html(info: dict | None, graph_dir: Path | None = None) -> str:
    """The briefing section (Jinja2, autoescaped); empty without the analysis' layers."""
    if not has_briefing(info):
        return ""
    return render("report/briefing.html", **briefing_context(info, graph_dir))


def has_briefing(info: dict | None) -> TypeGuard[dict]:
    """Whether dist/influence.json carries what the briefing shows (the layers and the validity card)."""
    return info is not None and "layers" in info and "validity" in info


def read_influence_json(out_dir: Path) -> dict | None:
    """dist/influence.json beside the report folder, as the build writes it before the report."""
    import json

    path = Path(out_dir).parent / "influence.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["briefing_html", "findings", "report_html", "write_report"]
