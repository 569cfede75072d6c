"""The IRCC importer (issue #16) on a tiny upstream repository made here with the upstream layout
(``IRCC CSV/ODP-*.csv``, tab-separated, CRLF): months of complete years added per country of
citizenship and measure, suppressed months (``--``) kept out and counted, partial years left out,
IRCC's names mapped by exact name, an unknown name stopping the extraction; and the vendored
extract reproduced byte for byte from the pinned commit when its mirror is on this machine."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pytest

from mpdkg.sources import opendata
from mpdkg.sources.importers import ExtractionError, extract
from mpdkg.sources.importers.ircc import FILES, HEADER, MONTHS
from tests.sources.test_opendata_import import commit_files

ROOT = Path(__file__).resolve().parents[2]
MIRROR = Path("/work/.mirror/mahjcameron+Immigration-Forecasting/repo")
PINNED = "67ed918f5b609d62a7b721281829ea6310fee6aa"


def ircc_file(rows: list[tuple[int, str, str, str]]) -> bytes:
    lines = ["\t".join(HEADER)]
    for year, month, name, total in rows:
        lines.append(f"{year}\tQ1\t{month}\t{year}\tT1\tx\t{name}\t{name}\t{total}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def full_year(year: int, name: str, total: str) -> list[tuple[int, str, str, str]]:
    return [(year, m, name, total) for m in MONTHS]


def snapshot(tmp_path: Path, pr_rows) -> tuple[Path, Path, str]:
    out = tmp_path / "open-data"
    (out / "unhcr").mkdir(parents=True)
    (out / "unhcr" / "countries.csv").write_text(
        "iso_code,unhcr_code,name,unhcr_region,unsd_region,unsd_subregion,unsd_imregion\n"
        "IND,IND,India,Asia,Asia,Southern Asia,\nPHL,PHL,Philippines,Asia,Asia,South-eastern Asia,\n",
        encoding="utf-8",
    )
    other = ircc_file(full_year(2019, "India", "10"))
    files = {path: other for path in FILES}
    files["IRCC CSV/ODP-PR-Citz.csv"] = ircc_file(pr_rows)
    commit = commit_files(tmp_path / "upstream", files)
    return tmp_path / "upstream" / ".git", out, commit


def test_complete_years_are_summed_suppressed_months_kept_out_partial_years_dropped(tmp_path):
    rows = full_year(2019, "India", "7000")
    rows += [(2019, m, "China, People's Republic of", "--" if m == "Jan" else "2500") for m in MONTHS]
    rows += [(2019, m, "Philippines", "--") for m in MONTHS]  # every month suppressed: no row
    rows += [(2019, "Mar", "Stateless", "15")]
    rows += [(2020, "Jan", "India", "9000")]  # 2020 has one month only: left out
    repo, out, commit = snapshot(tmp_path, rows)
    folder = extract("ircc", repo, commit, out, "2026-12-02")
    got = {
        (r["year"], r["citizenship_iso"], r["measure"]): (
            r["value"],
            r["months_reported"],
            r["months_suppressed"],
        )
        for r in opendata.read_rows("ircc", "admissions_by_citizenship.csv", out)
    }
    assert got[(2019, "IND", "pr_admissions")] == (84_000, 12, 0)
    assert got[(2019, "CHN", "pr_admissions")] == (27_500, 11, 1)
    assert (2019, "PHL", "pr_admissions") not in got  # suppressed is not zero
    assert not any(y == 2020 for y, _c, _m in got)
    assert got[(2019, "IND", "study_permits")] == (120, 12, 0)
    facts = json.loads((folder / "MANIFEST.json").read_text())["facts"]["pr_admissions"]
    assert facts["left_out_partial_years"] == {"2020": ["Jan"]}
    assert facts["unmapped_names_persons_in_complete_years"] == {"Stateless": 15}
    assert facts["all_months_suppressed"] == 1


def test_an_unknown_country_name_stops_the_extraction(tmp_path):
    repo, out, commit = snapshot(tmp_path, full_year(2019, "Atlantis, Republic of", "5"))
    with pytest.raises(ExtractionError, match="Atlantis"):
        extract("ircc", repo, commit, out, "2026-12-02")


def test_a_cell_below_five_that_is_not_suppressed_stops_the_extraction(tmp_path):
    repo, out, commit = snapshot(tmp_path, full_year(2019, "India", "3"))
    with pytest.raises(ExtractionError, match="TOTAL '3'"):
        extract("ircc", repo, commit, out, "2026-12-02")


def test_the_vendored_extract_verifies_and_has_irccs_figures():
    assert opendata.verify(names=["ircc"]) == []
    rows = {
        (r["year"], r["citizenship_iso"], r["measure"]): r["value"]
        for r in opendata.read_rows("ircc", "admissions_by_citizenship.csv")
    }
    # IRCC's published yearly totals are within a few dozen of the sums of the rounded months
    assert rows[(2019, "IND", "pr_admissions")] == 85_595
    assert rows[(2023, "IND", "pr_admissions")] == 139_780
    assert rows[(2019, "PHL", "pr_admissions")] == 27_810
    assert rows[(2019, "CHN", "pr_admissions")] == 30_245
    assert rows[(2023, "IND", "study_permits")] == 284_025
    assert {y for y, _c, _m in rows} == set(range(2015, 2024))


@pytest.mark.skipif(not MIRROR.exists(), reason="the upstream mirror is not on this machine")
def test_re_extraction_from_the_pinned_commit_is_byte_identical(tmp_path):
    out = tmp_path / "open-data"
    (out / "unhcr").mkdir(parents=True)
    (out / "unhcr" / "countries.csv").write_bytes((ROOT / "graph/open-data/unhcr/countries.csv").read_bytes())
    folder = extract("ircc", MIRROR, PINNED, out, "2026-12-02")
    vendored = ROOT / "graph" / "open-data" / "ircc"
    for name in ("MANIFEST.json", "admissions_by_citizenship.csv"):
        assert filecmp.cmp(folder / name, vendored / name, shallow=False), name
