"""mpdkg influence: where Canada has influence, as a table, CSV or JSON (a thin layer over
mpdkg.influence)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from mpdkg.cli.common import err, out, reported

FORMATS = ("table", "csv", "json")
TABLE_TOP = 20


def _num(x) -> str:
    from mpdkg.influence.analysis import fmt

    return fmt(x) if isinstance(x, float) else ("" if x is None else str(x))


def _sig(x) -> str:
    """For tables on screen: 3 significant digits (CSV and JSON keep full precision)."""
    from mpdkg.cli.common import sig

    return sig(x)


#: What a ranking centred on another state cannot show, said under its table.
EGO_CAVEAT = (
    "The graph is curated from Canada's side: its bilateral agreements and engagements are "
    "Canada's, so {ego}'s ties to Canada are counted in full and its ties to other states only "
    "through shared fora and multilateral agreements (Canada ranks high for that reason). "
    "Compare states on fora alone with: mpdkg influence --peers"
)


def _print_result(result, top: int | None) -> None:
    from rich.table import Table

    c = result.canada
    p = result.params
    who = "Canada" if result.ego == "CAN" else result.ego
    title = f"Influence of {who} — slice {result.slice} (relationships in force in {p['reference_year']})"
    from mpdkg.cli.common import Column, fit_table

    columns = [
        Column("rank", numeric=True), Column("country"), Column("region", drop=6),
        Column("score", numeric=True), Column("channels", numeric=True, drop=1),
        Column("PPR", numeric=True, drop=3), Column("tie", numeric=True, drop=2),
        Column("degree", numeric=True, drop=4), Column("betweenness", numeric=True, drop=5),
        Column("eigenvector", numeric=True, drop=5),
    ]  # fmt: skip
    if c.channels == 0:
        err.print(
            f"{who} takes part in no channel in force in {p['reference_year']}: no table, nothing to rank "
            f"({escape(result.rank_note() or '')}; {result.network.get('undated_facts', 0)} undated "
            "fact(s) count in no year)",
            highlight=False,
        )
        return
    ranked = result.rank_note() is None
    rows = []
    for r in result.ranked(top or TABLE_TOP):
        m = r.measures
        rows.append((
            str(r.rank) if ranked else "–",
            f"{r.label} ({r.iso3})", r.subregion or r.region, _sig(r.score),
            str(r.channels_with_canada), _sig(m["personalized_pagerank"]), _sig(m["tie_to_canada"]),
            _sig(m["weighted_degree"]), _sig(m["betweenness"]), _sig(m["eigenvector"]),
        ))  # fmt: skip
    out.print(fit_table(columns, rows, title=title))
    err.print(
        "This ranks the channel network (fora, agreements, engagements); the report ranks by all "
        "layers (channels, protection, mobility, irregular migration, UN alignment): mpdkg influence --layers",
        highlight=False,
    )
    if result.ego != "CAN":
        err.print(EGO_CAVEAT.format(ego=who), highlight=False)
    canada = Table(who, "value", "rank among countries", title=f"{who}'s position")
    for name, value in c.measures.items():
        canada.add_row(name.replace("_", " "), _sig(value), _num(c.ranks.get(name)))
    canada.add_row("effective size (Burt)", _sig(c.effective_size), "")
    canada.add_row("constraint (Burt)", _sig(c.constraint), "")
    canada.add_row(f"countries tied to {who}", str(c.partners), f"of {c.countries - 1}")
    canada.add_row(f"channels {who} takes part in", str(c.channels), "")
    out.print(canada)
    err.print(
        f"{result.network['countries']} countries, {result.network['ties']} ties, "
        f"betweenness {result.network['betweenness']}; weights: {p['weights_file']}",
        highlight=False,
    )
    if result.territories:
        tied = [r for r in result.territories if r.channels]
        err.print(
            f"{len(result.territories)} territories (not UN member or observer states) are not ranked"
            + (f"; {len(tied)} share channels with {who}" if tied else "")
            + " (--with-territories ranks them; --format json lists them)",
            highlight=False,
        )
    note = result.rank_note()
    if note:
        err.print(
            f"[bold]{escape(note)}[/bold]: ranks shown as – (they would tie or order states by too few channels)"
        )
    undated = result.network.get("undated_facts", 0)
    if undated:
        err.print(
            f"{undated} fact(s) carry no date and count in no year; they are listed in graph/TODO.md",
            highlight=False,
        )


def _when(use: dict) -> str:
    """``since 1996`` for a start; ``attested 2023`` when a source only shows it held then; and
    ``until 2014`` for an end (``no end known: counted to 2014`` for the term of [open_end]).

    >>> _when({"since": 2012, "until": 2014, "until_assumed": True})
    'since 2012, no end known: counted to 2014'
    >>> _when({"since": 1996, "until": None})
    'since 1996'
    """
    parts = []
    if use.get("since") is not None:
        parts.append(f"since {use['since']}")
    elif use.get("attested") is not None:
        parts.append(f"attested {use['attested']}")
    if use.get("until") is not None:
        parts.append(
            ("no end known: counted to " if use.get("until_assumed") else "until ") + str(use["until"])
        )
    return ", ".join(parts)


def _fewest_cell(countries: list[dict]) -> str:
    """``PSE, IRQ (1 each, 2 of 60 tied)``: the listed countries grouped by channel count,
    saying when a group is a tie-break cut out of a larger tie.

    >>> _fewest_cell([{"iso3": "ERI", "channels": 3, "tied": 1}, {"iso3": "SOM", "channels": 4, "tied": 1}])
    'ERI (3), SOM (4)'
    >>> _fewest_cell([{"iso3": "VAT", "channels": 1, "tied": 60}, {"iso3": "PSE", "channels": 1, "tied": 60}])
    'VAT, PSE (1 each, 2 of 60 tied)'
    >>> _fewest_cell([{"iso3": "TON", "channels": 3, "tied": 1}, {"iso3": "PNG", "channels": 5, "tied": 5}])
    'TON (3), PNG (5, 1 of 5 tied)'
    """
    groups: dict[int, list[dict]] = {}
    for c in countries:
        groups.setdefault(c["channels"], []).append(c)
    cells = []
    for count, listed in groups.items():
        names = ", ".join(c["iso3"] for c in listed)
        tied = listed[0]["tied"]
        each = " each" if len(listed) > 1 else ""
        cells.append(f"{names} ({count}{each}, {len(listed)} of {tied} tied)" if tied > len(listed) else
                     ", ".join(f"{c['iso3']} ({count})" for c in listed))  # fmt: skip
    return ", ".join(cells)


def _print_gaps(result) -> None:
    from rich.table import Table

    table = Table(
        "region", "pillar", "fewest channels to Canada", "no channel", "in network", "no data",
        title="Gaps: countries with the fewest channels to Canada",
    )  # fmt: skip
    for g in result.gaps:
        names = _fewest_cell(g.countries)
        table.add_row(
            g.region or "all", str(g.pillar or "all"), names, str(g.without_channels), str(g.total),
            str(len(g.outside_network)),
        )  # fmt: skip
    out.print(table)


def _print_explain(result, iso3: str) -> None:
    from rich.table import Table

    e = result.explain(iso3)
    head = Table("", "value", title=f"{e['label']} ({e['iso3']}) — slice {result.slice}")
    head.add_row("rank on the channel network", _num(e["rank"]))
    head.add_row("channel score", _sig(e["score"]))
    composite = e.get("composite")
    if composite:  # the rank the report and --layers give: all layers of the slice's year
        head.add_row(
            f"rank on all layers ({composite['year']})", f"{_num(composite['rank'])} of {composite['of']}"
        )
        head.add_row("composite score", _sig(composite["score"]))
    for name, value in e["components"].items():
        head.add_row(f"  from {name.replace('_', ' ')}", _sig(value))
    for name, value in e["measures"].items():
        head.add_row(name.replace("_", " "), _sig(value))
    head.add_row("channels with Canada", str(e["channels_with_canada"]))
    out.print(head)
    if composite and composite.get("explanation"):
        err.print(f"All layers: {escape(composite['explanation'])}", highlight=False)
    if e["rank_note"]:
        err.print(f"[bold]{escape(e['rank_note'])}[/bold]", highlight=False)
    table = Table(
        "channel", "kind", "pillars", "weight", "role / Canada", "dated", "sources", title="Channels"
    )
    # address -> (number, title): a source cited by several channels keeps its one number
    numbered: dict[str, tuple[int, str]] = {}
    for u in e["channels"]:
        extra = f" via {u['via']}" if u["via"] else (f" through {u['through']}" if u["through"] else "")
        cited = [
            numbered.setdefault(s["url"] or s["iri"], (len(numbered) + 1, s["title"]))[0]
            for s in u["sources"]
        ]
        table.add_row(
            f"{u['label']} [{u['id']}]{extra}", f"{u['type']}: {u['kind']}", ",".join(map(str, u["pillars"])),
            _sig(u["weight"]), f"{u['role']} / {u['canada_role']}".strip(" /"), _when(u),
            " ".join(f"[{n}]" for n in cited),
        )  # fmt: skip
    out.print(table)
    _print_source_list(numbered)


def _print_source_list(numbered: dict[str, tuple[int, str]]) -> None:
    """The sources the channel table numbers, once each: a table cell cannot hold a long title
    and its address readably."""
    from rich.table import Table

    if not numbered:
        return
    listing = Table(title="Sources")
    listing.add_column("#")
    listing.add_column("source")
    listing.add_column("address", overflow="fold")  # an address is shown whole, never cut
    for key, (n, title) in numbered.items():
        listing.add_row(f"[{n}]", title or "", key)
    out.print(listing)


def _explain_csv(result, iso3: str) -> str:
    from mpdkg.query.results import csv_writer

    e = result.explain(iso3)
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\n")  # formula-like cells neutralised
    w.writerow(("iso3", "type", "channel", "label", "kind", "pillars", "weight", "role", "canada_role",
                "since", "attested", "until", "until_assumed", "via", "through", "sources"))  # fmt: skip
    for u in e["channels"]:
        w.writerow(
            (e["iso3"], u["type"], u["id"], u["label"], u["kind"], ";".join(map(str, u["pillars"])),
             _num(u["weight"]), u["role"], u["canada_role"], _num(u["since"]), _num(u["attested"]), _num(u["until"]), "yes" if u.get("until_assumed") else "", u["via"],
             u["through"], ";".join(s["url"] or s["iri"] for s in u["sources"]))
        )  # fmt: skip
    return buf.getvalue()


def _print_comparison(comparison, top: int | None) -> None:
    from rich.table import Table

    a, b = comparison.before.slice, comparison.after.slice
    canada = Table("measure", a, b, "change", f"rank {a}", f"rank {b}", title=f"Canada's position, {a} → {b}")
    for row in comparison.canada:
        canada.add_row(
            row["measure"].replace("_", " "), _sig(row["before"]), _sig(row["after"]), _sig(row["change"]),
            _num(row["rank_before"]), _num(row["rank_after"]),
        )  # fmt: skip
    out.print(canada)
    table = Table("country", f"score {a}", f"score {b}", "change", "rank move", "gained", "lost",
                  title="Largest changes")  # fmt: skip
    for row in comparison.rows[: top or TABLE_TOP]:
        table.add_row(
            f"{row['label']} ({row['iso3']})", _sig(row["score_before"]), _sig(row["score_after"]),
            _sig(row["score_change"]), _num(row["rank_move"]), ", ".join(row["gained"]), ", ".join(row["lost"]),
        )  # fmt: skip
    out.print(table)


# The options of ``mpdkg influence`` (help texts shown by --help).
PillarOpt = Annotated[
    int | None, typer.Option("--pillar", help="Only channels that serve this pillar (1-6).")
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="Only countries of this UN M49 region or sub-region (and Canada)."),
]
AsOfOpt = Annotated[
    int | None, typer.Option("--as-of", help="Only relationships in force that year (default: the latest).")
]
TopOpt = Annotated[int | None, typer.Option("--top", help="Show only the N highest-ranked countries.")]
CompareOpt = Annotated[
    tuple[int, int] | None,
    typer.Option("--compare", help="Compare two years: how Canada's position moved (YEAR1 YEAR2)."),
]
GapsOpt = Annotated[
    bool,
    typer.Option("--gaps", help="Per region and pillar, the countries with the fewest channels to Canada."),
]
ExplainOpt = Annotated[
    str | None, typer.Option("--explain", help="Everything behind one country's score (ISO alpha-3 code).")
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output: table, csv or json.")]
DataOpt = Annotated[
    list[Path] | None,
    typer.Option("--data", help="Dump(s) to analyse (default dist/mpdkg.trig, else the sources)."),
]
WeightsOpt = Annotated[
    Path | None, typer.Option("--weights", help="A weights file to use instead of the shipped one (TOML).")
]
EgoOpt = Annotated[
    str, typer.Option("--ego", help="Centre the analysis on this state (ISO alpha-3), e.g. AUS; default CAN.")
]
LayersOpt = Annotated[
    bool,
    typer.Option(
        "--layers",
        help="Layer scores (channels, protection, mobility, irregular, alignment) and the composite.",
    ),
]
PeersOpt = Annotated[
    bool,
    typer.Option("--peers", help="Canada beside Australia, the UK, Germany, the US and Mexico, per pillar."),
]
WhatIfOpt = Annotated[
    bool,
    typer.Option(
        "--what-if",
        help="Fora Canada is not in and states it has no agreement with (in --region / --pillar), "
        "ranked by what joining or signing would add to Canada's reach, computation shown.",
    ),
]
TerritoriesOpt = Annotated[
    bool,
    typer.Option(
        "--with-territories",
        help="Rank territories too (by default rankings and gaps count UN member and observer "
        "states; territories are listed apart).",
    ),
]


def influence(
    pillar: PillarOpt = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    top: TopOpt = None,
    compare_years: CompareOpt = None,
    gaps: GapsOpt = False,
    explain: ExplainOpt = None,
    fmt: FormatOpt = "table",
    data: DataOpt = None,
    weights: WeightsOpt = None,
    ego: EgoOpt = "CAN",
    layers: LayersOpt = False,
    peers: PeersOpt = False,
    what_if: WhatIfOpt = False,
    with_territories: TerritoriesOpt = False,
) -> None:
    """Rank countries by the influence Canada's channels give it, with the reasons behind each score.

    The network is read from the graph with SPARQL; weights come from influence_weights.toml
    (see docs/influence.md). CSV and JSON are deterministic.

    Example: mpdkg influence --top 10

    More examples:

      mpdkg influence --pillar 5 --region Africa --format csv

      mpdkg influence --compare 2015 2024

      mpdkg influence --explain MEX
    """
    from mpdkg.influence.analysis import InfluenceConfig, analyse
    from mpdkg.influence.network import load_facts
    from mpdkg.query.engines import open_engine

    with reported():
        _check_years(as_of, compare_years)
        _check_choices(
            fmt,
            top,
            (
                ("--compare", compare_years),
                ("--gaps", gaps),
                ("--explain", explain),
                ("--layers", layers),
                ("--peers", peers),
                ("--what-if", what_if),
            ),
        )
        config = InfluenceConfig.load(weights)
        facts = load_facts(open_engine(data))
        kwargs = {"pillar": pillar, "region": region, "states_only": not with_territories, "ego": ego}
        if compare_years is not None:
            _show_comparison(facts, config, compare_years, kwargs, fmt, top)
            return
        result = analyse(
            facts,
            config,
            pillar=pillar,
            region=region,
            as_of=as_of,
            states_only=not with_territories,
            ego=ego,
        )
        modes = {"layers": layers, "peers": peers, "what_if": what_if}
        if _show_mode(modes, result, facts, config, (region, pillar, as_of, ego), fmt, top):
            return
        if explain is not None:
            _show_explain(result, explain, fmt)
        elif gaps:
            _show_gaps(result, fmt)
        elif fmt == "json":
            sys.stdout.write(result.to_json(top))
        elif fmt == "csv":
            sys.stdout.write(result.to_csv(top))
        else:
            _print_result(result, top)


def _check_years(as_of: int | None, compare_years: tuple[int, int] | None) -> None:
    """A UsageError for a year the graph cannot hold: ``--as-of 20019`` ranked the network of
    today as if it were the slice of that year."""
    from mpdkg.errors import UsageError
    from mpdkg.query.catalogue import YEAR_EXPECTED, valid_year

    named = [("--as-of", as_of)] + [("--compare", y) for y in compare_years or ()]
    for option, year in named:
        if year is not None and not valid_year(year):
            raise UsageError(f"{option} {year}: {YEAR_EXPECTED}")


def _check_choices(fmt: str, top: int | None, options: tuple[tuple[str, object], ...]) -> None:
    """A UsageError for an unknown format, a --top below 1, or two modes at once."""
    from mpdkg.errors import UsageError

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if top is not None and top < 1:
        raise UsageError("--top must be at least 1")
    chosen = [name for name, on in options if on]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)}: choose one")


def _show_explain(result, iso3: str, fmt: str) -> None:
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps(result.explain(iso3), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        sys.stdout.write(_explain_csv(result, iso3))
    else:
        _print_explain(result, iso3)


def _show_gaps(result, fmt: str) -> None:
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps(result.as_dict()["gaps"], indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        sys.stdout.write(result.gaps_csv())
    else:
        _print_gaps(result)


def _show_comparison(facts, config, years: tuple[int, int], kwargs: dict, fmt: str, top: int | None) -> None:
    from mpdkg.influence.analysis import analyse, compare

    before = analyse(facts, config, as_of=years[0], **kwargs)
    after = analyse(facts, config, as_of=years[1], **kwargs)
    comparison = compare(before, after)
    if fmt == "json":
        sys.stdout.write(comparison.to_json(top))
    elif fmt == "csv":
        sys.stdout.write(comparison.to_csv(top))
    else:
        _print_comparison(comparison, top)


def _show_mode(
    modes: dict,
    result,
    facts,
    config,
    where: tuple[str | None, int | None, int | None, str],
    fmt: str,
    top: int | None,
) -> bool:
    """--layers, --peers, --what-if: True when one of them was asked for (and shown)."""
    if modes["layers"]:
        _show_layers(result, fmt, top)
    elif modes["peers"]:
        _show_peers(facts, config, fmt)
    elif modes["what_if"]:
        _show_what_if(facts, config, *where, fmt)
    return any(modes.values())


def _show_what_if(facts, config, region, pillar, year, ego: str, fmt: str) -> None:
    import json

    from mpdkg.influence.whatif import what_if

    result = what_if(facts, config, region=region, pillar=pillar, year=year, ego=ego)
    if fmt != "table":
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    where = " · ".join(x for x in (region, f"pillar {pillar}" if pillar else None) if x) or "all"
    fora = Table("forum", "members", "new partners", "Δ effective size", "computation",
                 title=f"What if {ego} joined ({where}, {result['year']})")  # fmt: skip
    for r in result["fora"]:
        fora.add_row(
            r["label"],
            str(r["members"]),
            str(r["new_partners"]),
            _sig(r["delta_effective_size"]),
            r["computation"],
        )
    out.print(fora)
    signs = Table(
        "state", "new partner", "Δ effective size", "computation", title=f"What if {ego} signed an MOU with"
    )
    for r in result["agreements"]:
        signs.add_row(f"{r['label']} ({r['iso3']})", "yes" if r["new_partners"] else "no",
                      _sig(r["delta_effective_size"]), r["computation"])  # fmt: skip
    out.print(signs)


def _show_peers(facts, config, fmt: str) -> None:
    import json

    from mpdkg.influence.peers import peer_view

    view = peer_view(facts, config)
    if fmt != "table":
        sys.stdout.write(json.dumps(view, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    table = Table(
        "pillar", *view["egos"], title=f"Fora memberships compared ({view['year']}): fora / partners / tie"
    )
    for p, t in view["pillars"].items():
        table.add_row(p, *(f"{t[e]['fora']} / {t[e]['partners']} / {_sig(t[e]['weighted_degree'])} (#{t[e]['rank']})"
                           for e in view["egos"]))  # fmt: skip
    out.print(table)
    spec = view["canada_specific"]
    err.print(f"{view['comparable']}\nCanada only: {spec['agreements']} agreements, {spec['engagements']} engagements. "
              + spec["note"], highlight=False)  # fmt: skip


def _show_layers(result, fmt: str, top: int | None) -> None:
    import json

    from mpdkg.influence.layers import LAYERS

    data = result.layers() or {}
    year = str(data.get("reference_year"))
    rows = sorted(
        ((c, v) for c, v in data.get("by_year", {}).get(year, {}).items() if v["composite"]["rank"]),
        key=lambda t: (t[1]["composite"]["rank"], t[0]),
    )[: top or (TABLE_TOP if fmt == "table" else None)]  # CSV lists every ranked state unless --top
    if fmt == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        from mpdkg.query.results import csv_writer

        w = csv_writer(sys.stdout, lineterminator="\n")
        w.writerow(("year", "rank", "iso3", "composite", *LAYERS))
        for c, v in rows:
            w.writerow((year, v["composite"]["rank"], c, _num(v["composite"]["score"]),
                        *(_num(v["layers"][layer]["score"]) for layer in LAYERS)))  # fmt: skip
        return
    from mpdkg.cli.common import Column, fit_table

    # fit_table wraps and drops columns rather than cutting headers to "compos…"
    columns = [Column("rank", numeric=True), Column("country"), Column("composite", numeric=True),
               *(Column(layer, numeric=True, drop=i + 1) for i, layer in enumerate(LAYERS))]  # fmt: skip
    table_rows = [
        (str(v["composite"]["rank"]), c, _sig(v["composite"]["score"]),
         *(_sig(v["layers"][layer]["score"]) if v["layers"][layer]["score"] is not None else "no data"
           for layer in LAYERS))
        for c, v in rows
    ]  # fmt: skip
    out.print(fit_table(columns, table_rows, title=f"Layers of influence ({data.get('ego')}, {year})"))


def register(app: typer.Typer) -> None:
    app.command("influence")(influence)
