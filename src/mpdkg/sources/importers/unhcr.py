"""UNHCR Refugee Population Statistics (PopulationStatistics/refugees): Canada's rows, the world
totals by origin, the population hosted by every country of asylum, and UNRWA's Palestine
refugees."""

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
    tables: dict[str, Any] = {}
    for name, dims, what in UNHCR_TABLES:
        frame = tables[name] = read_r(snapshot, f"data/{name}.rda")[name]
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
    _add_hosted(tables["population"], out)
    unrwa = _add_unrwa(snapshot, out)
    if unrwa is not None:
        years["unrwa"] = unrwa
    return {"years_covered": years}


UNRWA_FILE = "unrwa.csv"


def _add_unrwa(snapshot: Snapshot, out: Output) -> list[int] | None:
    """``unrwa.csv``: Palestine refugees registered under UNRWA's mandate (``data/unrwa.rda``,
    UNHCR's copy of UNRWA's figures: Jordan, Lebanon, Syria and the State of Palestine), every
    upstream row unchanged, in upstream order; the years covered, or None for a release without
    the table. UNHCR counts them apart from the refugees under its own mandate, so the two never
    overlap (issue #16: the protection layer adds them to the refugees hosted)."""
    if ("unrwa.rda", "blob") not in snapshot.listdir("data"):
        return None
    frame = read_r(snapshot, "data/unrwa.rda")["unrwa"]
    out.add(
        UNRWA_FILE,
        Table.from_frame(frame),
        "Palestine refugees registered under UNRWA's mandate at the end of the year, by field of "
        "operation (country of asylum: Jordan, Lebanon, Syria, State of Palestine): every upstream "
        "row, unchanged, in upstream order; counted apart from the refugees under UNHCR's mandate",
        "data/unrwa.rda",
    )
    return [int(frame["year"].min()), int(frame["year"].max())]


#: The population hosted by each country of asylum: the measures that count people from abroad
#: (refugees under UNHCR's mandate, asylum-seekers, other people in need of international
#: protection). IDPs, returnees, stateless people, others of concern and host communities are
#: not people hosted from abroad and stay in population_canada.csv and the world totals by origin.
HOSTED = ("refugees", "asylum_seekers", "oip")
HOSTED_FILE = "population_by_asylum.csv"


def _add_hosted(frame: Any, out: Output) -> None:
    """``population_by_asylum.csv``, which the protection layer of the influence analysis reads
    ("refugees hosted", issue #16): the end-year population of every country of asylum, summed
    over all countries of origin per year and country of asylum (sorted by both), with ``rows`` =
    upstream rows summed; a measure is empty where every upstream row left it empty."""
    from mpdkg.sources.importers.base import ExtractionError

    keys = ["year", "coa_name", "coa", "coa_iso"]
    measures = [m for m in HOSTED if m in frame.columns]  # oip is recent; an older release lacks it
    if not measures:
        raise ExtractionError(f"data/population.rda has none of the hosted columns {', '.join(HOSTED)}")
    grouped = frame.groupby(keys, dropna=False, sort=True)
    totals = grouped[measures].sum(min_count=1)
    totals["rows"] = grouped.size()
    out.add(
        HOSTED_FILE,
        Table.from_frame(totals.reset_index(), [*keys, *measures, "rows"]),
        "population hosted at the end of the year by each country of asylum: refugees under UNHCR's "
        "mandate, asylum-seekers and other people in need of international protection (oip), summed "
        "over every country of origin for each year and country of asylum; a measure is empty where "
        "every upstream row left it empty; rows = how many upstream rows were summed",
        "data/population.rda",
    )
