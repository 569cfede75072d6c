"""The open-data figures the maps and the country pages show: refugees resettled to Canada and
asylum claims lodged in Canada per country of origin and year (UNHCR), the visa regime both
ways per dated Passport Index snapshot, and agreement with Canada in UN General Assembly votes.

They are read once for every country from the vendored extracts in ``graph/open-data/``, the
same rows that :mod:`mpdkg.rdf.opendata` turns into ``dist/open-data.nq.gz`` and that the
influence layers read (:func:`mpdkg.influence.layers.read_open_figures`): the maps stage runs
before the open-data dump is written, so reading the dump would show the previous build's
figures. The vote agreement is :func:`mpdkg.rdf.opendata_unvotes.un_vote_agreement_all`, the
function the influence layers use (its extract is cached per process: a run that analysed
already pays nothing more). Each figure keeps its dataset's source line (title, licence,
upstream repository and commit) from the dataset's ``MANIFEST.json``.

>>> od = load_open_data()
>>> od.resettled["SYR"][2016] > 10_000
True
>>> od.visa_in["MEX"][0].category in VISA_LABELS
True
>>> "CC BY 4.0" in od.sources["unhcr"].line()
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mpdkg.influence.layers import HOSTED_COLUMNS, is_new_claim
from mpdkg.influence.network import CANADA

#: Passport Index categories (normalised by the extraction), as a reader says them.
VISA_LABELS = {
    "visa-free": "visa-free",
    "eta": "electronic travel authorisation (eTA/ESTA)",
    "visa-on-arrival": "visa on arrival",
    "e-visa": "e-visa or electronic travel authorisation",
    "hayya-entry-permit": "Hayya entry permit",
    "visa-required": "visa required",
    "no-admission": "no admission",
    "covid-ban": "COVID-19 entry ban (temporary)",
}
#: colours of the categories, open (green) to closed (red); grey for a temporary ban
VISA_COLOURS = {
    "visa-free": "#1a9850",
    "eta": "#66bd63",
    "visa-on-arrival": "#a6d96a",
    "e-visa": "#d9ef8b",
    "hayya-entry-permit": "#d9ef8b",
    "visa-required": "#d73027",
    "no-admission": "#7f0000",
    "covid-ban": "#9e9e9e",
}
# Which UNHCR rows count as claims lodged: mpdkg.influence.layers.is_new_claim (one rule for
# the maps and the influence layers).


@dataclass(frozen=True)
class SourceNote:
    """Where a dataset comes from, as its manifest says."""

    dataset: str
    title: str
    licence: str
    licence_url: str
    repository: str
    commit: str
    extracted: str
    citation: str

    def line(self) -> str:
        return (
            f"{self.title}; {self.licence}; {self.repository} at commit {self.commit[:12]}, "
            f"extracted {self.extracted} (graph/open-data/{self.dataset})"
        )


@dataclass(frozen=True)
class VisaPeriod:
    """Consecutive snapshots with the same requirement."""

    first: str  # ISO date of the first snapshot
    last: str  # ISO date of the last snapshot
    category: str
    days: int | None  # visa-free days when every snapshot of the period gives the same number
    snapshots: int

    @property
    def label(self) -> str:
        text = VISA_LABELS.get(self.category, self.category)
        return f"{text} ({self.days} days)" if self.days else text

    @property
    def colour(self) -> str:
        return VISA_COLOURS.get(self.category, "#bbbbbb")


@dataclass(frozen=True)
class VoteYear:
    year: int
    roll_calls: int  # both states voted yes, no or abstain
    same: int
    agreement: float  # same / roll_calls


@dataclass
class OpenData:
    """Every country's figures, keyed by ISO alpha-3 of the country of origin or nationality."""

    resettled: dict[str, dict[int, int]] = field(default_factory=dict)  # persons resettled to Canada
    claims: dict[str, dict[int, int]] = field(default_factory=dict)  # asylum claims in Canada, persons
    #: refugees and other people in need of international protection hosted by the country as
    #: country of asylum (all origins), end-year stock; and the asylum-seekers it hosts
    hosted: dict[str, dict[int, int]] = field(default_factory=dict)
    asylum_seekers: dict[str, dict[int, int]] = field(default_factory=dict)
    visa_in: dict[str, list[VisaPeriod]] = field(default_factory=dict)  # Canada's rule on its nationals
    visa_out: dict[str, list[VisaPeriod]] = field(default_factory=dict)  # its rule on Canadians
    snapshots: list[str] = field(default_factory=list)
    votes: dict[str, list[VoteYear]] = field(default_factory=dict)
    sources: dict[str, SourceNote] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # dataset -> why it is not shown

    def years(self, table: dict[str, dict[int, int]]) -> tuple[int, int] | None:
        years = [y for by_year in table.values() for y in by_year]
        return (min(years), max(years)) if years else None

    def flow_model(self) -> dict[str, Any]:
        """The flows for the world map's arcs: ``{kind: {"years": {year: {iso3: n}}, ...}}``."""
        out: dict[str, Any] = {}
        for kind, table, label in (
            ("resettled", self.resettled, "refugees resettled to Canada"),
            ("claims", self.claims, "asylum claims lodged in Canada"),
        ):
            by_year: dict[str, dict[str, int]] = defaultdict(dict)
            for iso3, years in table.items():
                for year, n in years.items():
                    if n > 0:
                        by_year[str(year)][iso3] = n
            if by_year:
                out[kind] = {
                    "label": label,
                    "unit": "persons",
                    "max": max(n for row in by_year.values() for n in row.values()),
                    "years": dict(sorted(by_year.items())),
                    "source": self.sources["unhcr"].line() if "unhcr" in self.sources else "",
                }
        return out


def _note(name: str, root: Path | None) -> SourceNote:
    from mpdkg.sources import opendata

    ds = opendata.dataset(name, root)
    return SourceNote(
        name,
        ds.title,
        ds.licence.get("name", ""),
        ds.licence.get("url", ""),
        ds.repository,
        ds.commit,
        ds.extracted,
        ds.citation,
    )


def _read_unhcr(od: OpenData, root: Path | None, ego: str) -> None:
    from mpdkg.sources import opendata

    resettled: dict[str, dict[int, int]] = defaultdict(dict)
    for row in opendata.read_rows("unhcr", "solutions_canada.csv", root):
        if row["coa_iso"] == ego and row["resettlement"]:
            by_year = resettled[row["coo_iso"]]
            by_year[row["year"]] = by_year.get(row["year"], 0) + int(row["resettlement"])
    claims: dict[str, dict[int, int]] = defaultdict(dict)
    for row in opendata.read_rows("unhcr", "asylum_applications_canada.csv", root):
        if is_new_claim(row, ego):
            by_year = claims[row["coo_iso"]]
            by_year[row["year"]] = by_year.get(row["year"], 0) + int(row["applied"])
    _read_hosted(od, root)
    od.resettled = {c: dict(sorted(v.items())) for c, v in sorted(resettled.items())}
    od.claims = {c: dict(sorted(v.items())) for c, v in sorted(claims.items())}
    od.sources["unhcr"] = _note("unhcr", root)


def _read_hosted(od: OpenData, root: Path | None) -> None:
    """The population each country hosts (unhcr/population_by_asylum.csv, the rule of
    :data:`mpdkg.influence.layers.HOSTED_COLUMNS`); an extract without the file shows none."""
    from mpdkg.sources import opendata

    hosted: dict[str, dict[int, int]] = defaultdict(dict)
    seekers: dict[str, dict[int, int]] = defaultdict(dict)
    try:
        rows = list(opendata.read_rows("unhcr", "population_by_asylum.csv", root))
    except opendata.OpenDataError as exc:
        od.missing["unhcr-hosted"] = (
            f"graph/open-data/unhcr/population_by_asylum.csv could not be read: {exc}"
        )
        return
    for row in rows:
        if row["coa_iso"]:
            hosted[row["coa_iso"]][row["year"]] = sum(row.get(k) or 0 for k in HOSTED_COLUMNS)
            seekers[row["coa_iso"]][row["year"]] = row["asylum_seekers"] or 0
    od.hosted = {c: dict(sorted(v.items())) for c, v in sorted(hosted.items())}
    od.asylum_seekers = {c: dict(sorted(v.items())) for c, v in sorted(seekers.items())}


def visa_periods(snapshots: list[tuple[str, str, int | None]]) -> list[VisaPeriod]:
    """Snapshots (date, category, days), in date order, merged into periods of one category.

    >>> [p.label for p in visa_periods([("2020-01-01", "visa-free", 180), ("2021-01-01", "visa-free", 180),
    ...                                 ("2022-01-01", "visa-required", None)])]
    ['visa-free (180 days)', 'visa required']
    """
    periods: list[VisaPeriod] = []
    for date, category, days in snapshots:
        last = periods[-1] if periods else None
        if last is not None and last.category == category:
            same_days = last.days if last.days == days else None
            periods[-1] = VisaPeriod(last.first, date, category, same_days, last.snapshots + 1)
        else:
            periods.append(VisaPeriod(date, date, category, days, 1))
    return periods


def _read_visas(od: OpenData, root: Path | None, ego: str) -> None:
    from mpdkg.sources import opendata

    into: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    out_of: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    dates: set[str] = set()
    for row in opendata.read_rows("passport-index", "canada_visa_requirements.csv", root):
        if row["requirement"] == "self":
            continue
        date = row["snapshot"].isoformat()
        dates.add(date)
        cell = (date, row["requirement"], row["days"])
        if row["destination"] == ego:
            into[row["passport"]].append(cell)
        elif row["passport"] == ego:
            out_of[row["destination"]].append(cell)
    od.snapshots = sorted(dates)
    od.visa_in = {c: visa_periods(sorted(v)) for c, v in sorted(into.items())}
    od.visa_out = {c: visa_periods(sorted(v)) for c, v in sorted(out_of.items())}
    od.sources["passport-index"] = _note("passport-index", root)


def _read_votes(od: OpenData, root: Path | None, ego: str) -> None:
    from mpdkg.rdf.opendata_unvotes import un_vote_agreement_all

    od.votes = {
        iso3: [VoteYear(y.year, y.roll_calls, y.same, round(y.agreement, 4)) for y in years]
        for iso3, years in un_vote_agreement_all(ego, root=root).items()
    }
    od.sources["unvotes"] = _note("unvotes", root)


def load_open_data(root: Path | None = None, ego: str = CANADA) -> OpenData:
    """The figures of every country, from the vendored extracts (no network). A dataset that is
    not there (a graph/ without open data) is named in ``missing`` with the reason, and its
    sections say so."""
    from mpdkg.sources import opendata

    od = OpenData()
    for name, read in (("unhcr", _read_unhcr), ("passport-index", _read_visas), ("unvotes", _read_votes)):
        try:
            read(od, root, ego)
        except (opendata.OpenDataError, FileNotFoundError) as exc:
            od.missing[name] = f"graph/open-data/{name} could not be read: {exc}"
    return od


__all__ = ["OpenData", "SourceNote", "VisaPeriod", "VoteYear", "load_open_data", "visa_periods"]
