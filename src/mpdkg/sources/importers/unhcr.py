"""UNHCR Refugee Population Statistics (PopulationStatistics/refugees): Canada's rows and the world
totals by origin."""

from __future__ import annotations

from typing import Any

from mpdkg.sources.importers.base import CANADA, Output, Snapshot, Table, read_r

UNHCR_TABLES = (
    ("solutions", (), "durable solutions in the year: resettlement arrivals, returns, naturalisations"),
    (
        "asylum_applications",
        ("procedure_type", "app_type", "dec_level", "app_pc"),
        "asylum applications lodged in the year",
    ),
    (
        "asylum_decisions",
        ("procedure_type", "dec_level", "dec_pc"),
        "decisions on asylum applications in the year",
    ),
    ("population", (), "stocks at the end of the year: refugees, asylum-seekers, IDPs, stateless, others"),
    ("flows", (), "new displacement in the year: refugee arrivals, new asylum applications, others"),
    ("demographics", None, "end-year stocks by sex, age and location (the latest year only)"),
)


def extract_unhcr(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    countries = read_r(snapshot, "data/countries.rda")["countries"]
    out.add(
        "countries.csv",
        Table.from_frame(countries),
        "UNHCR's country list: ISO 3166 alpha-3 code, UNHCR's own code, name, UNHCR and UN M49 regions",
        "data/countries.rda",
    )
    years = {}
    for name, dims, what in UNHCR_TABLES:
        frame = read_r(snapshot, f"data/{name}.rda")[name]
        canada = frame[(frame["coa_iso"] == CANADA) | (frame["coo_iso"] == CANADA)]
        out.add(
            f"{name}_canada.csv",
            Table.from_frame(canada, types_from=frame),
            f"{what}: every upstream row with Canada as country of asylum (coa_iso CAN) or of origin "
            "(coo_iso CAN), unchanged, in upstream order",
            f"data/{name}.rda",
        )
        years[name] = [int(frame["year"].min()), int(frame["year"].max())]
        if dims is None:
            continue
        keys = ["year", "coo_name", "coo", "coo_iso", *dims]
        measures = [
            str(c)
            for c in frame.columns
            if str(c) not in keys and str(c) not in ("coa_name", "coa", "coa_iso")
        ]
        grouped = frame.groupby(keys, dropna=False, sort=True)
        totals = grouped[measures].sum(min_count=1)
        totals["rows"] = grouped.size()
        totals = totals.reset_index()
        table = Table.from_frame(totals, [*keys, *measures, "rows"])
        out.add(
            f"{name}_world_by_origin.csv",
            table,
            f"{what}, summed over every country of asylum (Canada included) for each year and "
            f"country of origin{' and ' + ', '.join(dims) if dims else ''}; a measure is empty where "
            "every upstream row left it empty; rows = how many upstream rows were summed",
            f"data/{name}.rda",
        )
    return {"years_covered": years}
