"""The peer view (``maps/peers.html`` and the slide ``maps/peers.png|svg``): Canada beside the
peers of the influence analysis (:mod:`mpdkg.influence.peers`: Australia, the United Kingdom,
Germany, the United States, Mexico) as small multiples — one panel per pillar of the fora
memberships the analysis compares (the ``peers`` block of ``influence.json``, read, never
recomputed), one panel per peer of its agreement with Canada in UN General Assembly votes, and
the visa regime between each peer and Canada at the latest snapshot (the open data of
:mod:`mpdkg.maps.opendata`).

>>> model = peer_model({"peers": {"egos": ["CAN", "AUS"], "year": 2025, "comparable": "c",
...     "pillars": {"all": {"CAN": {"fora": 9, "partners": 150, "weighted_degree": 2.0, "rank": 1},
...                         "AUS": {"fora": 5, "partners": 90, "weighted_degree": 1.0, "rank": 2}}}}},
...     None, {"CAN": "Canada", "AUS": "Australia"}, {})
>>> [(b["iso3"], b["w"]) for b in model["fora"][0]["bars"]]
[('CAN', 220.0), ('AUS', 110.0)]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mpdkg.influence.network import CANADA
from mpdkg.maps.common import CANADA_COLOUR, render_page, truncate
from mpdkg.maps.opendata import OpenData

BAR_W = 220  # px for the largest bar of a panel
PEER_COLOUR = "#4b5563"
LINE_W, LINE_H = 260, 70  # px of a vote panel
FIRST_VOTE_YEAR = 1946
MIN_ROLL_CALLS = 10
SHORT_NAMES = {"United Kingdom": "UK", "United States": "USA"}  # for the slide's narrow panels


def _fora_panels(peers: dict[str, Any], labels: dict[str, str], pillars: dict[int, str]) -> list[dict]:
    panels = []
    for key, table in peers.get("pillars", {}).items():
        top = max((v.get("weighted_degree", 0.0) for v in table.values()), default=0.0) or 1.0
        title = "All pillars" if key == "all" else f"Pillar {key}: {pillars.get(int(key), '')}".rstrip(": ")
        bars = [
            {
                "iso3": ego,
                "label": labels.get(ego, ego),
                "w": round(BAR_W * table[ego].get("weighted_degree", 0.0) / top, 1),
                "degree": table[ego].get("weighted_degree", 0.0),
                "fora": table[ego].get("fora", 0),
                "partners": table[ego].get("partners", 0),
                "rank": table[ego].get("rank"),
                "colour": CANADA_COLOUR if ego == CANADA else PEER_COLOUR,
            }
            for ego in peers.get("egos", [])
            if ego in table
        ]
        panels.append({"key": key, "title": title, "bars": bars, "max": top})
    return panels


def _vote_panels(od: OpenData | None, egos: list[str], labels: dict[str, str]) -> list[dict]:
    if od is None or not od.votes:
        return []
    panels: list[dict[str, Any]] = []
    for ego in egos:
        if ego == CANADA:
            continue
        drawn = [v for v in od.votes.get(ego, []) if v.roll_calls >= MIN_ROLL_CALLS]
        if not drawn:
            panels.append(
                {"iso3": ego, "label": labels.get(ego, ego), "points": "", "last": None, "recent": None}
            )
            continue
        last_year = max(v.year for v in drawn)
        per_year = LINE_W / (last_year - FIRST_VOTE_YEAR + 1)
        points = " ".join(
            f"{(v.year - FIRST_VOTE_YEAR + 0.5) * per_year:.1f},{LINE_H * (1 - v.agreement):.1f}"
            for v in drawn
        )
        recent = [v for v in drawn if v.year > last_year - 10]
        pooled = sum(v.same for v in recent) / max(sum(v.roll_calls for v in recent), 1)
        panels.append(
            {
                "iso3": ego,
                "label": labels.get(ego, ego),
                "points": points,
                "last": last_year,
                "recent": (recent[0].year, last_year, pooled),
                "ticks": [
                    ((y - FIRST_VOTE_YEAR + 0.5) * per_year, y) for y in (FIRST_VOTE_YEAR, 1980, last_year)
                ],
            }
        )
    return panels


def _visa_rows(od: OpenData | None, egos: list[str], labels: dict[str, str]) -> list[dict]:
    if od is None or not od.snapshots:
        return []
    rows = []
    for ego in egos:
        if ego == CANADA:
            continue
        into, out = od.visa_in.get(ego, []), od.visa_out.get(ego, [])
        rows.append(
            {
                "iso3": ego,
                "label": labels.get(ego, ego),
                "in": into[-1] if into else None,
                "out": out[-1] if out else None,
                "changes_in": max(len(into) - 1, 0),
                "changes_out": max(len(out) - 1, 0),
            }
        )
    return rows


def peer_model(
    influence: dict[str, Any] | None, od: OpenData | None, labels: dict[str, str], pillars: dict[int, str]
) -> dict[str, Any]:
    """Everything the peer page and slide show; ``fora`` empty when the build has no peers block."""
    peers = (influence or {}).get("peers") or {}
    egos = list(peers.get("egos") or [])
    if not egos:
        from mpdkg.influence.peers import PEERS

        egos = list(PEERS)
    return {
        "egos": egos,
        "labels": {e: labels.get(e, e) for e in egos},
        "year": peers.get("year"),
        "comparable": peers.get("comparable", ""),
        "canada_specific": peers.get("canada_specific") or {},
        "fora": _fora_panels(peers, labels, pillars),
        "votes": _vote_panels(od, egos, labels),
        "visas": _visa_rows(od, egos, labels),
        "snapshot": od.snapshots[-1] if od and od.snapshots else None,
        "sources": od.sources if od else {},
        "missing": od.missing if od else {"all": "this build read no open data"},
    }


def peers_html(model: dict[str, Any], source_line: str) -> str:
    return render_page(
        "maps/peers.html",
        "Canada beside its peers — migration and protection diplomacy",
        peers=model,
        bar_w=BAR_W,
        line_w=LINE_W,
        line_h=LINE_H,
        source_line=source_line,
    )


def write_peers(model: dict[str, Any], maps_dir: Path, source_line: str) -> Path:
    path = maps_dir / "peers.html"
    path.write_text(peers_html(model, source_line), encoding="utf-8")
    return path


def peers_figure(model: dict[str, Any], out_base: Path, source: str) -> list[Path]:
    """A 16:9 slide (PNG and SVG): one panel per pillar of the fora comparison, Canada in red,
    with title, legend, the caution and the source line; nothing without a peers block."""
    if not model["fora"]:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mpdkg.maps.common import save_figure

    plt.rcParams["svg.hashsalt"] = "mpdkg"
    fig, axes = plt.subplots(2, 4, figsize=(13.333, 7.5), dpi=150)
    fig.subplots_adjust(left=0.07, right=0.96, top=0.80, bottom=0.17, wspace=0.6, hspace=0.62)
    cells = list(axes.flat)
    for ax, panel in zip(cells, model["fora"], strict=False):
        bars = panel["bars"][::-1]
        names = [SHORT_NAMES.get(b["label"], truncate(b["label"], 12)) for b in bars]
        ax.barh(names, [b["degree"] for b in bars], color=[b["colour"] for b in bars])
        head, _, rest = panel["title"].partition(": ")
        ax.set_title(head + ("\n" + truncate(rest, 38) if rest else "\n"), fontsize=10.5, loc="left")
        ax.tick_params(labelsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for i, b in enumerate(bars):
            ax.text(b["degree"], i, f" {b['fora']}", va="center", fontsize=8, color="#444444")
    for ax in cells[len(model["fora"]) :]:
        ax.axis("off")
    legend = cells[-1]
    legend.text(0, 0.85, "■ Canada", color=CANADA_COLOUR, fontsize=12, transform=legend.transAxes)
    legend.text(0, 0.7, "■ peers", color=PEER_COLOUR, fontsize=12, transform=legend.transAxes)
    legend.text(0, 0.1, "bar: weighted degree\nthrough fora\nnumber: fora in force\neach panel: own scale",
                fontsize=10, color="#333333", transform=legend.transAxes)  # fmt: skip
    fig.suptitle(f"Canada beside its peers: fora memberships per pillar ({model['year']})", fontsize=19,
                 fontweight="bold", y=0.97)  # fmt: skip
    fig.text(0.5, 0.905, "Memberships of the multilateral fora in the graph; agreements and engagements are "
             "curated from Canada's side and left out", ha="center", fontsize=11, color="#333333")  # fmt: skip
    fig.text(0.01, 0.06, "Caution: the fora were curated because Canada takes part in them, so Canada leads "
             "partly by selection.", fontsize=9, color="#444444")  # fmt: skip
    fig.text(0.01, 0.008, source, fontsize=8.5, color="#444444", wrap=True)
    return save_figure(fig, out_base)


__all__ = ["peer_model", "peers_figure", "peers_html", "write_peers"]
