"""IRCC open data by country of citizenship (issue #16): admissions of permanent residents, study
permits and work permits (IMP, TFWP) that became effective, per month, from open.canada.ca's
"Monthly IRCC Updates" files as copied into a public GitHub repository (CSV only, standard
library).

Each upstream file is tab-separated, one row per year, month and country of citizenship, with
IRCC's own privacy treatment: a count between 0 and 5 is shown as ``--`` and every other count is
rounded to a multiple of 5. The extract adds the months of each **complete** year (all twelve
months present in the file) per country and measure; a suppressed month (``--``) is not a zero and
is not added, it is counted in ``months_suppressed`` (the yearly value is then a lower bound); a
country whose every month of the year is suppressed has no row. The partial last year (2024:
January-June in the pinned copy) is left out, and said so in the manifest's facts.

Country names are IRCC's English names, mapped to ISO 3166-1 alpha-3 by exact name: a name that is
also UNHCR's (``graph/open-data/unhcr/countries.csv``) takes UNHCR's code, the others are in
:data:`IRCC_NAMES` (reviewed one by one); anything else (Stateless, "Country not stated", "Other",
Nevis, the Azores, the Netherlands Antilles) is left out and listed with its totals, never guessed.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from mpdkg.sources.importers.base import ExtractionError, Output, Snapshot, Table
from mpdkg.sources.opendata import sha256_bytes

#: upstream file (in the pinned repository) -> measure id of the extract
FILES = {
    "IRCC CSV/ODP-PR-Citz.csv": "pr_admissions",
    "IRCC CSV/ODP-TR-Study-IS_CITZ.csv": "study_permits",
    "IRCC CSV/ODP-TR-Work-IMP-CITZ.csv": "work_permits_imp",
    "IRCC CSV/ODP-TR-Work-TFWP-CITZ.csv": "work_permits_tfwp",
}
HEADER = [
    "EN_YEAR", "EN_QUARTER", "EN_MONTH", "FR_ANNEÉ", "FR_TRIMESTRE", "FR_MOIS",
    "EN_COUNTRY_OF_CITIZENSHIP", "FR_PAYS_DE_CITOYENNETÉ", "TOTAL",
]  # fmt: skip
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SUPPRESSED = "--"
#: IRCC's English names that are not UNHCR's, with their ISO alpha-3 code (each checked by hand
#: against graph/countries.csv). "United Kingdom and Overseas Territories" is IRCC's one code for
#: British citizenship, counted as GBR.
IRCC_NAMES = {
    "Aland Island": "ALA",
    "Bahama Islands, The": "BHS",
    "Benin, Republic of": "BEN",
    "Bolivia": "BOL",
    "Bonaire, Sin Eustatius And Saba": "BES",
    "Bosnia-Herzegovina": "BIH",
    "Botswana, Republic of": "BWA",
    "Brunei": "BRN",
    "Burkina-Faso": "BFA",
    "Cameroon, Federal Republic of": "CMR",
    "Cape Verde Islands": "CPV",
    "Central African Republic": "CAF",
    "Chad, Republic of": "TCD",
    "China, People's Republic of": "CHN",
    "Congo, Democratic Republic of the": "COD",
    "Congo, People's Republic of the": "COG",
    "Curacao": "CUW",
    "Czech Republic": "CZE",
    "Djibouti, Republic of": "DJI",
    "Dominican Republic": "DOM",
    "East Timor, Democratic Republic of": "TLS",
    "Equatorial Guinea, Republic of": "GNQ",
    "Gabon Republic": "GAB",
    "Guinea, Republic of": "GIN",
    "Hong Kong SAR": "HKG",
    "Indonesia, Republic of": "IDN",
    "Iran": "IRN",
    "Ireland, Republic of": "IRL",
    "Isle of Man": "IMN",
    "Ivory Coast, Republic of": "CIV",
    "Korea, People's Democratic Republic of": "PRK",
    "Korea, Republic of": "KOR",
    "Kosovo, Republic of": "XKX",
    "Laos": "LAO",
    "Macau SAR": "MAC",
    "Macedonia": "MKD",
    "Maldives, Republic of": "MDV",
    "Mali, Republic of": "MLI",
    "Marshall Islands, Republic of the": "MHL",
    "Micronesia, Federated States of": "FSM",
    "Moldova": "MDA",
    "Mongolia, People's Republic of": "MNG",
    "Montenegro, Republic of": "MNE",
    "Myanmar (Burma)": "MMR",
    "Netherlands, The": "NLD",
    "Niger, Republic of the": "NER",
    "Northern Mariana Islands, Commonwealth of the": "MNP",
    "Palau, Republic of": "PLW",
    "Palestinian Authority (Gaza/West Bank)": "PSE",
    "Panama, Republic of": "PAN",
    "Russia": "RUS",
    "Saint-Martin": "MAF",
    "Samoa, American": "ASM",
    "Samoa, Independent State of": "WSM",
    "Serbia, Republic of": "SRB",
    "Sint-Maarten": "SXM",
    "Slovak Republic": "SVK",
    "Somalia, Democratic Republic of": "SOM",
    "South Africa, Republic of": "ZAF",
    "South Sudan, Republic of": "SSD",
    "St. Kitts-Nevis": "KNA",
    "St. Lucia": "LCA",
    "St. Vincent and the Grenadines": "VCT",
    "Sudan, Democratic Republic of": "SDN",
    "Surinam": "SUR",
    "Swaziland": "SWZ",
    "Syria": "SYR",
    "Taiwan": "TWN",
    "Tanzania, United Republic of": "TZA",
    "Togo, Republic of": "TGO",
    "Trinidad and Tobago, Republic of": "TTO",
    "Turkey": "TUR",
    "United Kingdom and Overseas Territories": "GBR",
    "United States Minor Outlying Islands": "UMI",
    "Venezuela": "VEN",
    "Vietnam": "VNM",
    "Virgin Islands, British": "VGB",
}
#: IRCC names deliberately not mapped to a country (not a state, or part of one IRCC also lists).
NOT_COUNTRIES = frozenset(
    {"Stateless", "Country not stated", "Country of Citizenship not stated", "Other", "Nevis",
     "Azores", "Netherlands Antilles, The"}
)  # fmt: skip
COLUMNS = [
    "year", "citizenship_iso", "citizenship_name", "measure", "value", "months_reported",
    "months_suppressed",
]  # fmt: skip
TYPES = ["int", "str", "str", "str", "int", "int", "int"]


def _unhcr_names(out: Output, facts: dict[str, Any]) -> dict[str, str]:
    """UNHCR's country names -> ISO alpha-3, from the vendored unhcr/countries.csv (its SHA-256
    goes into the facts: the mapping depends on it)."""
    path = out.folder.parent / "unhcr" / "countries.csv"
    if not path.is_file():
        raise ExtractionError(f"{path}: needed to map IRCC's country names (extract unhcr first)")
    data = path.read_bytes()
    facts["country_names_from"] = {"path": "unhcr/countries.csv", "sha256": sha256_bytes(data)}
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    return {r["name"]: r["iso_code"] for r in reader if r["iso_code"]}


def _read(snapshot: Snapshot, path: str) -> list[dict[str, str]]:
    text = snapshot.read(path).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = next(reader)
    if header != HEADER:
        raise ExtractionError(f"{path}: unexpected header {header}")
    rows = [dict(zip(header, r, strict=True)) for r in reader if r]
    for line, r in enumerate(rows, start=2):
        if r["EN_MONTH"] not in MONTHS:
            raise ExtractionError(f"{path}:{line}: unknown month {r['EN_MONTH']!r}")
        total = r["TOTAL"]
        if total != SUPPRESSED and not (total.isdigit() and int(total) >= 5):
            raise ExtractionError(f"{path}:{line}: TOTAL {total!r} is neither '--' nor a count of 5 or more")
    return rows


def _code(name: str, unhcr: dict[str, str]) -> str | None:
    if name in NOT_COUNTRIES:
        return None
    code = IRCC_NAMES.get(name) or unhcr.get(name)
    if code is None:
        raise ExtractionError(
            f"IRCC country name {name!r} is neither mapped (IRCC_NAMES, UNHCR's names) nor listed in "
            "NOT_COUNTRIES: review it and add it to one of them"
        )
    return code


def _yearly(rows: list[dict[str, str]], measure: str, unhcr: dict[str, str], facts: dict[str, Any]):
    """(year, iso3) -> [name, value, months reported, months suppressed] for the complete years."""
    months: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        months[int(r["EN_YEAR"])].add(r["EN_MONTH"])
    complete = {y for y, m in months.items() if len(m) == 12}
    partial = {str(y): sorted(m, key=MONTHS.index) for y, m in sorted(months.items()) if y not in complete}
    cells: dict[tuple[int, str], list[Any]] = {}
    names: dict[tuple[int, str], set[str]] = defaultdict(set)
    unmapped: dict[str, int] = defaultdict(int)
    for r in rows:
        year, name, total = int(r["EN_YEAR"]), r["EN_COUNTRY_OF_CITIZENSHIP"], r["TOTAL"]
        code = _code(name, unhcr)
        if year not in complete:
            continue
        if code is None:
            unmapped[name] += 0 if total == SUPPRESSED else int(total)
            continue
        names[(year, code)].add(name)
        cell = cells.setdefault((year, code), [name, 0, 0, 0])
        if total == SUPPRESSED:
            cell[3] += 1
        else:
            cell[1] += int(total)
            cell[2] += 1
    clash = {f"{y} {c}": sorted(n) for (y, c), n in names.items() if len(n) > 1}
    if clash:
        raise ExtractionError(f"{measure}: two IRCC names map to one code: {clash}")
    facts[measure] = {
        "complete_years": sorted(complete),
        "left_out_partial_years": partial,
        "unmapped_names_persons_in_complete_years": dict(sorted(unmapped.items())),
        "all_months_suppressed": sum(1 for c in cells.values() if c[2] == 0),
    }
    return {k: v for k, v in cells.items() if v[2] > 0}


def extract_ircc(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    unhcr = _unhcr_names(out, facts)
    rows: list[list[str]] = []
    for path, measure in FILES.items():
        cells = _yearly(_read(snapshot, path), measure, unhcr, facts)
        for (year, code), (name, value, reported, suppressed) in cells.items():
            rows.append([str(year), code, name, measure, str(value), str(reported), str(suppressed)])
    rows.sort(key=lambda r: (int(r[0]), r[3], r[1]))
    out.add(
        "admissions_by_citizenship.csv",
        Table(COLUMNS, TYPES, rows),
        "per complete calendar year, country of citizenship (ISO alpha-3) and measure (pr_admissions: "
        "admissions of permanent residents; study_permits: study permit holders by the year the permit "
        "became effective; work_permits_imp, work_permits_tfwp: International Mobility Program and "
        "Temporary Foreign Worker Program work permit holders by the year the permit became effective): "
        "the sum of IRCC's monthly counts (each rounded to 5 by IRCC), the months with a count and the "
        "months suppressed (--, 0 to 5, not added)",
        list(FILES),
    )
    return facts
