"""The vendored open-data extracts (graph/open-data/): manifests complete, files byte-for-byte as their
manifests say, a few facts checked against the upstream rows, and the extraction script
deterministic on tiny upstream snapshots made here (a git repository per test)."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import gzip
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mpdkg.sources import opendata as opendata
from mpdkg.sources.opendata import MANIFEST, OpenDataError

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "graph" / "open-data"
NAMES = ("cow-igo", "ircc", "manytrade", "passport-index", "unhcr", "unvotes")


def load_script():
    spec = importlib.util.spec_from_file_location(
        "extract_opendata", REPO / "scripts" / "extract_opendata.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["extract_opendata"] = module
    spec.loader.exec_module(module)
    return module


def rows(name: str, path: str) -> list[dict]:
    return list(opendata.read_rows(name, path, root=ROOT))


# -- manifests and checksums -----------------------------------------------------------------


def test_every_dataset_is_there():
    assert tuple(d.name for d in opendata.datasets(ROOT)) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_manifest_says_where_from_licence_and_citation(name):
    ds = opendata.dataset(name, ROOT)
    assert opendata.manifest_problems(ds) == []
    assert len(ds.commit) == 40 and int(ds.commit, 16) >= 0
    assert ds.repository == ds.manifest["upstream"]["repository"] and "/" in ds.repository
    assert ds.licence["name"] and ds.licence["url"].startswith("https://")
    assert len(ds.citation) > 40
    dt.date.fromisoformat(ds.extracted)
    assert ds.commit in ds.manifest["command"] and "scripts/extract_opendata.py" in ds.manifest["command"]
    for entry in ds.manifest["inputs"]:
        assert len(entry["sha256"]) == 64 and entry["bytes"] > 0 and entry["path"]
    for extract in ds.files:
        assert extract.rows > 0 and extract.description
        assert extract.columns and all(c.type in opendata.TYPES for c in extract.columns)


def test_vendored_files_match_their_manifests():
    assert opendata.verify(ROOT) == []


def test_sizes_reasonable_and_gzip_only_when_large():
    total = 0
    for ds in opendata.datasets(ROOT):
        for extract in ds.files:
            total += extract.bytes
            entry = next(e for e in ds.manifest["files"] if e["path"] == extract.path)
            if extract.compressed:
                assert entry["content_bytes"] > 5_000_000
            else:
                assert extract.bytes <= 5_000_000
    assert total < 50_000_000


def copy_datasets(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "opendata"
    root.mkdir()
    shutil.copy(ROOT / "README.md", root / "README.md")
    for name in names:
        shutil.copytree(ROOT / name, root / name)
    return root


def flip_one_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] = ord("7") if data[offset] != ord("7") else ord("8")
    path.write_bytes(bytes(data))


def test_a_changed_byte_is_caught(tmp_path):
    root = copy_datasets(tmp_path, "manytrade", "unvotes")
    assert opendata.verify(root) == []
    flip_one_byte(root / "manytrade" / "canada_agreements.csv", 500)
    flip_one_byte(root / "unvotes" / "votes.csv.gz", 100_000)
    problems = opendata.verify(root)
    assert any(p.startswith("manytrade/canada_agreements.csv: SHA-256") for p in problems), problems
    assert any(p.startswith("unvotes/votes.csv.gz: SHA-256") for p in problems), problems
    with pytest.raises(OpenDataError, match="SHA-256"):
        next(opendata.read_rows("manytrade", "canada_agreements.csv", root=root))


def test_a_cell_that_is_not_its_type_or_a_short_row_is_reported_with_its_line(tmp_path):
    root = copy_datasets(tmp_path, "unvotes")
    path = root / "unvotes" / "roll_call_issues.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    good = list(opendata.read_rows("unvotes", "roll_call_issues.csv", root=root))
    assert isinstance(good[0]["rcid"], int) and isinstance(good[0]["issue"], str)
    bad = lines[:]
    bad[3] = "six," + bad[3].split(",", 1)[1]  # line 4: rcid is an int column
    path.write_text("".join(bad), encoding="utf-8")
    with pytest.raises(OpenDataError, match=r"unvotes/roll_call_issues.csv:4: invalid literal for int"):
        list(opendata.read_rows("unvotes", "roll_call_issues.csv", root=root, check=False))
    short = lines[:]
    short[5] = short[5].rsplit(",", 1)[0] + "\n"  # line 6: one cell too few
    path.write_text("".join(short), encoding="utf-8")
    with pytest.raises(OpenDataError, match=r"roll_call_issues.csv:6: 2 cells, expected 3"):
        list(opendata.read_rows("unvotes", "roll_call_issues.csv", root=root, check=False))
    empty = lines[:]
    empty[2] = empty[2].split(",", 1)[0] + ",,\n"  # line 3: empty text cells read as None
    path.write_text("".join(empty), encoding="utf-8")
    row = list(opendata.read_rows("unvotes", "roll_call_issues.csv", root=root, check=False))[1]
    assert row == {"rcid": good[1]["rcid"], "short_name": None, "issue": None}


def test_extra_missing_and_miscounted_files_are_caught(tmp_path):
    root = copy_datasets(tmp_path, "manytrade")
    (root / "manytrade" / "stray.csv").write_text("a\n1\n")
    (root / "manytrade" / "canada_agreement_parties.csv").unlink()
    manifest = json.loads((root / "manytrade" / MANIFEST).read_text())
    manifest["files"][0]["rows"] += 1
    manifest["licence"] = {}
    (root / "manytrade" / MANIFEST).write_text(json.dumps(manifest))
    problems = opendata.verify(root)
    assert "manytrade/stray.csv: not listed in MANIFEST.json" in problems
    assert "manytrade/canada_agreement_parties.csv: missing" in problems
    assert any("rows, the manifest says" in p for p in problems)
    assert any("no licence.name" in p for p in problems)


def test_unknown_dataset_and_file():
    with pytest.raises(OpenDataError, match="no open-data dataset"):
        opendata.dataset("nope", ROOT)
    with pytest.raises(OpenDataError, match="no extract"):
        opendata.dataset("unhcr", ROOT).file("nope.csv")


# -- facts that hold in the upstream data ------------------------------------------------------


def test_unhcr_canada_resettlement():
    solutions = rows("unhcr", "solutions_canada.csv")
    into_canada = [r for r in solutions if r["coa_iso"] == "CAN"]
    by_year = collections.Counter()
    for r in into_canada:
        by_year[r["year"]] += r["resettlement"] or 0
    # UNHCR: 46,691 resettlement arrivals in Canada in 2016, 33,266 of them from Syria
    assert by_year[2016] == 46691
    assert {r["coo_iso"]: r["resettlement"] for r in into_canada if r["year"] == 2016}["SYR"] == 33266
    assert min(by_year) == 1959 and max(by_year) == 2025
    assert all(5_000 < by_year[y] < 100_000 for y in range(2010, 2026))
    world = {(r["year"], r["coo_iso"]): r for r in rows("unhcr", "solutions_world_by_origin.csv")}
    assert world[(2016, "SYR")]["resettlement"] == 65843
    for r in into_canada:  # Canada's share of any origin's resettlement is at most all of it
        total = world[(r["year"], r["coo_iso"])]["resettlement"]
        assert (r["resettlement"] or 0) <= (total or 0)


def test_unhcr_asylum_and_population_have_canada_both_ways():
    for name in ("asylum_applications", "asylum_decisions", "population", "flows"):
        extract = rows("unhcr", f"{name}_canada.csv")
        assert any(r["coa_iso"] == "CAN" for r in extract), name
        assert any(r["coo_iso"] == "CAN" for r in extract), name
        assert all("CAN" in (r["coa_iso"], r["coo_iso"]) for r in extract), name
    applied = [r for r in rows("unhcr", "asylum_applications_canada.csv") if r["coa_iso"] == "CAN"]
    assert sum(r["applied"] for r in applied if r["year"] == 2023) == 157508
    countries = {r["iso_code"]: r for r in rows("unhcr", "countries.csv")}
    assert countries["CAN"]["name"] == "Canada"


#: (year, country of asylum) -> refugees, asylum-seekers, oip hosted at the end of the year, as the
#: upstream population table gives them (summed over every origin; None: no value upstream).
HOSTED_FIGURES = {
    (2016, "TUR"): (2_869_419, 245_926, None),
    (2016, "LBN"): (1_012_959, 13_724, None),
    (2016, "JOR"): (685_188, 35_600, None),
    (2016, "CAN"): (97_322, 23_946, None),
    (2023, "TUR"): (3_251_127, 222_069, None),
    (2023, "LBN"): (788_472, 7_614, None),
    (2023, "JOR"): (684_066, 39_775, None),
    (2023, "CAN"): (169_448, 197_961, None),
    (2023, "COL"): (1_382, 23_842, 2_851_160),
    (2023, "UGA"): (1_577_498, 37_657, None),
}


def test_unhcr_population_hosted_by_every_country_of_asylum():
    hosted = {(r["year"], r["coa_iso"]): r for r in rows("unhcr", "population_by_asylum.csv")}
    for key, (refugees, asylum_seekers, oip) in HOSTED_FIGURES.items():
        row = hosted[key]
        assert (row["refugees"], row["asylum_seekers"], row["oip"]) == (refugees, asylum_seekers, oip), key
    assert len({c for _y, c in hosted}) > 190
    # Canada's row is the sum of population_canada.csv's rows with Canada as the country of asylum
    canada: dict[int, list[int]] = collections.defaultdict(lambda: [0, 0])
    for r in rows("unhcr", "population_canada.csv"):
        if r["coa_iso"] == "CAN":
            canada[r["year"]][0] += r["refugees"] or 0
            canada[r["year"]][1] += r["asylum_seekers"] or 0
    for year, (refugees, asylum_seekers) in canada.items():
        assert (hosted[(year, "CAN")]["refugees"], hosted[(year, "CAN")]["asylum_seekers"]) == (
            refugees,
            asylum_seekers,
        ), year


def test_unhcr_unrwa_palestine_refugees():
    """UNRWA's Palestine refugees per field of operation (issue #16), every upstream row."""
    got = {(r["year"], r["coa_iso"]): r["total"] for r in rows("unhcr", "unrwa.csv")}
    assert len(got) == 296 and {c for _y, c in got} == {"JOR", "LBN", "SYR", "PSE", "UNK"}
    assert got[(2023, "JOR")] == 2_392_531 and got[(2023, "LBN")] == 492_833
    assert got[(2023, "SYR")] == 586_578 and got[(2023, "PSE")] == 2_496_694
    assert got[(1953, "JOR")] == 479_243
    ds = opendata.dataset("unhcr")
    assert next(f for f in ds.files if f.path == "unrwa.csv").rows == 296
    assert any(i["path"] == "data/unrwa.rda" for i in ds.manifest["inputs"])
    assert ds.manifest["facts"]["years_covered"]["unrwa"] == [1952, 2025]


def test_unhcr_hosted_adds_up_to_the_world_totals_by_origin():
    """The same upstream table summed two ways (by asylum here, by origin in the other extract)
    gives the same world total every year: nothing was dropped or counted twice."""
    by_asylum: dict[tuple[int, str], int] = collections.Counter()
    for r in rows("unhcr", "population_by_asylum.csv"):
        for m in ("refugees", "asylum_seekers", "oip"):
            by_asylum[(r["year"], m)] += r[m] or 0
    by_origin: dict[tuple[int, str], int] = collections.Counter()
    for r in rows("unhcr", "population_world_by_origin.csv"):
        for m in ("refugees", "asylum_seekers", "oip"):
            by_origin[(r["year"], m)] += r[m] or 0
    assert by_asylum == by_origin
    assert by_asylum[(2023, "refugees")] + by_asylum[(2023, "oip")] > 30_000_000


def test_unvotes_roll_calls_and_the_compact_votes():
    calls = rows("unvotes", "roll_calls.csv")
    assert len(calls) == 6203 == len({r["rcid"] for r in calls})
    assert min(r["date"] for r in calls) == dt.date(1946, 1, 1)
    assert max(r["date"] for r in calls) == dt.date(2020, 1, 14)
    by_rcid = {r["rcid"]: r for r in calls}
    assert by_rcid[6140]["unres"] == "R/73/195" and by_rcid[6140]["date"] == dt.date(2018, 12, 19)
    assert by_rcid[6135]["unres"] == "R/73/151"
    wanted = {6135, 6140}
    canada_absent = {r["rcid"] for r in rows("unvotes", "absences_sessions_1_70.csv") if r["ccode"] == 20}
    assert len(canada_absent) == 21
    votes = []
    for r in opendata.read_rows("unvotes", "votes.csv.gz", root=ROOT):
        if r["rcid"] in wanted:
            votes.append(r)
        # absent (code 8, 2016 raw file) and a yes/abstain/no in the package at once: a contradiction
        assert not (r["country_code"] == "CA" and r["rcid"] in canada_absent), r
    count = collections.Counter((r["rcid"], r["vote"]) for r in votes)
    # the Global Compact for Migration (A/RES/73/195): 152 yes, 5 no, 12 abstentions
    assert (count[6140, "yes"], count[6140, "no"], count[6140, "abstain"]) == (152, 5, 12)
    # the UNHCR omnibus resolution affirming the Global Compact on Refugees (A/RES/73/151)
    assert (count[6135, "yes"], count[6135, "no"], count[6135, "abstain"]) == (181, 2, 3)
    canada = {r["rcid"]: r["vote"] for r in votes if r["country_code"] == "CA"}
    assert canada == {6135: "yes", 6140: "yes"}
    # the curated compact vote agrees with the data it cites
    with open(REPO / "graph" / "memberships" / "gcm.csv", newline="", encoding="utf-8") as handle:
        roles = collections.Counter(row["role"] for row in csv.DictReader(handle))
    assert (roles["voted-yes"], roles["voted-no"], roles["abstained"]) == (152, 5, 12)


def test_unvotes_issues_and_absences_refer_to_roll_calls():
    rcids = {r["rcid"] for r in rows("unvotes", "roll_calls.csv")}
    absences = rows("unvotes", "absences_sessions_1_70.csv")
    assert len(absences) == 73328 and {r["vote"] for r in absences} == {8}
    assert all(r["rcid"] in rcids and r["session"] <= 70 for r in absences)
    facts = opendata.dataset("unvotes", ROOT).manifest["facts"]
    assert facts["raw_2016_roll_calls_with_same_yes_abstain_no_count_as_un_votes"] == 5429
    issues = rows("unvotes", "roll_call_issues.csv")
    assert {r["short_name"] for r in issues} == {"me", "nu", "di", "hr", "co", "ec"}
    assert all(r["rcid"] in rcids for r in issues)


def test_passport_index_visa_requirements():
    extract = rows("passport-index", "canada_visa_requirements.csv")
    snapshots = sorted({r["snapshot"] for r in extract})
    assert (
        len(snapshots) == 53
        and snapshots[0] == dt.date(2019, 11, 23)
        and snapshots[-1] == dt.date(2025, 1, 12)
    )
    table = {(r["snapshot"], r["passport"], r["destination"]): r for r in extract}
    latest = dt.date(2025, 1, 12)
    # upstream passport-index-tidy-iso3.csv at the pinned commit: "IND,CAN,visa required"
    assert table[latest, "IND", "CAN"]["value"] == "visa required"
    assert table[latest, "IND", "CAN"]["requirement"] == "visa-required"
    assert table[latest, "FRA", "CAN"]["requirement"] == "eta"
    assert (table[latest, "CAN", "MEX"]["requirement"], table[latest, "CAN", "MEX"]["days"]) == (
        "visa-free",
        180,
    )
    # the 2019 scheme: 0 visa required, 1 eTA
    first = dt.date(2019, 11, 23)
    assert (table[first, "IND", "CAN"]["value"], table[first, "IND", "CAN"]["requirement"]) == (
        "0",
        "visa-required",
    )
    assert table[first, "MEX", "CAN"]["requirement"] == "eta"
    for snapshot in snapshots:  # both directions in every snapshot
        here = [r for r in extract if r["snapshot"] == snapshot]
        assert sum(r["passport"] == "CAN" for r in here) > 150
        assert sum(r["destination"] == "CAN" for r in here) > 150


def test_cow_igo_memberships():
    canada = [r for r in opendata.read_rows("cow-igo", "memberships.csv.gz", root=ROOT) if r["ccode"] == 20]
    assert {r["stateabb"] for r in canada} == {"CAN"}
    un = {r["year"]: r["status"] for r in canada if r["ioname"] == "UN"}
    assert all(un[y] == 1 for y in range(1945, 2015))
    nato = {r["year"]: r["status"] for r in canada if r["ioname"] == "NATO"}
    assert min(nato) == 1949 and nato[2014] == 1
    assert any(r["ioname"] == "IOMig" for r in canada)
    assert {r["status"] for r in canada} <= {1, 2, 3, -9}
    states = {r["ccode"]: r for r in rows("cow-igo", "states.csv")}
    assert states[20]["statenme"] == "Canada" and states[20]["state"] == "canada"
    years = rows("cow-igo", "igo_years.csv")
    assert len({r["ioname"] for r in years}) == 534


def test_manytrade_canada_agreements():
    agreements = rows("manytrade", "canada_agreements.csv")
    desta = {r["manyID"]: r for r in agreements if r["dataset"] == "DESTA"}
    assert desta["NRTAFT_1992A"]["Title"].startswith("North American Free Trade Agreement")
    assert desta["MXCCND_2018A"]["match"] == "membership"
    assert "CANDEC_2016O" in desta and "CMPPTP_2018A" in desta
    parties = rows("manytrade", "canada_agreement_parties.csv")
    usmca = {r["stateID"] for r in parties if r["dataset"] == "DESTA_MEM" and r["manyID"] == "MXCCND_2018A"}
    assert usmca == {"CAN", "MEX", "USA"}


# -- the extraction script, on tiny snapshots -------------------------------------------------


def git(repo: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": "2025-01-12T12:00:00Z",
        "GIT_COMMITTER_DATE": "2025-01-12T12:00:00Z",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def snapshot(tmp_path: Path, files: dict[str, bytes]) -> Path:
    repo = tmp_path / "upstream"
    repo.mkdir()
    git(repo, "init", "-q")
    for path, data in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "snapshot")
    return repo / ".git"


PASSPORT_FILES = {
    "legacy/2019-11-23/passport-index-tidy-iso3.csv": b"Passport,Destination,Code\nCAN,FRA,3\nIND,CAN,0\nFRA,CAN,1\nFRA,IND,2\n",
    "legacy/2020-02-07/passport-index-tidy-iso3.csv": b"Passport,Destination,Code\nCAN,FRA,90\nIND,CAN,VR\nFRA,CAN,ETA\n",
    "passport-index-tidy-iso3.csv": b"Passport,Destination,Requirement\nCAN,FRA,90\nCAN,CAN,-1\nIND,CAN,visa required\nCAN,IND,e-visa\nFRA,IND,e-visa\n",
}


def test_extraction_is_deterministic_passport(tmp_path):
    script = load_script()
    git_dir = snapshot(tmp_path, PASSPORT_FILES)
    one = script.extract("passport-index", git_dir, "HEAD", tmp_path / "one", "2026-01-01")
    two = script.extract("passport-index", git_dir, "HEAD", tmp_path / "two", "2026-01-01")
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir()) == ["MANIFEST.json", "canada_visa_requirements.csv"]
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes()
    assert (one / "canada_visa_requirements.csv").read_text() == (
        "snapshot,passport,destination,value,requirement,days\n"
        "2019-11-23,CAN,FRA,3,visa-free,\n"
        "2019-11-23,IND,CAN,0,visa-required,\n"
        "2019-11-23,FRA,CAN,1,eta,\n"
        "2020-02-07,CAN,FRA,90,visa-free,90\n"
        "2020-02-07,IND,CAN,VR,visa-required,\n"
        "2020-02-07,FRA,CAN,ETA,eta,\n"
        "2025-01-12,CAN,FRA,90,visa-free,90\n"
        "2025-01-12,CAN,CAN,-1,self,\n"
        "2025-01-12,IND,CAN,visa required,visa-required,\n"
        "2025-01-12,CAN,IND,e-visa,e-visa,\n"
    )
    (tmp_path / "one" / "README.md").write_text("fixture\n")
    assert opendata.verify(tmp_path / "one") == []
    manifest = json.loads((one / MANIFEST).read_text())
    assert [i["path"] for i in manifest["inputs"]] == sorted(PASSPORT_FILES)[:2] + [
        "passport-index-tidy-iso3.csv"
    ]
    assert manifest["upstream"]["commit"] == opendata.dataset("passport-index", tmp_path / "one").commit
    # a second run replaces the folder: nothing stale is left behind
    (one / "stale.csv").write_text("x\n")
    script.extract("passport-index", git_dir, "HEAD", tmp_path / "one", "2026-01-01")
    assert not (one / "stale.csv").exists()


def test_extraction_refuses_unknown_values(tmp_path):
    script = load_script()
    git_dir = snapshot(
        tmp_path, {"passport-index-tidy-iso3.csv": b"Passport,Destination,Requirement\nIND,CAN,teleport\n"}
    )
    with pytest.raises(script.ExtractionError, match="unknown requirement value 'teleport'"):
        script.extract("passport-index", git_dir, "HEAD", tmp_path / "out", "2026-01-01")
    assert not (tmp_path / "out" / "passport-index").exists()


def test_extraction_is_deterministic_unhcr(tmp_path):
    rdata = pytest.importorskip("rdata")
    pd = pytest.importorskip("pandas")
    script = load_script()
    places = {
        "coo_name": ["Syria", "Syria", "Canada", "Syria"],
        "coo": ["SYR", "SYR", "CAN", "SYR"],
        "coo_iso": ["SYR", "SYR", "CAN", "SYR"],
        "coa_name": ["Canada", "Germany", "United States", "Canada"],
        "coa": ["CAN", "GFR", "USA", "CAN"],
        "coa_iso": ["CAN", "DEU", "USA", "CAN"],
    }
    years = {"year": [2016.0, 2016.0, 2016.0, 2017.0]}
    frames = {
        "countries": pd.DataFrame(
            {
                "iso_code": ["CAN", "SYR"],
                "unhcr_code": ["CAN", "SYR"],
                "name": ["Canada", "Syria"],
                "unhcr_region": ["Americas", "MENA"],
                "unsd_region": ["Americas", "Asia"],
                "unsd_subregion": ["Northern America", "Western Asia"],
                "unsd_imregion": ["", ""],
            }
        ),
        "solutions": pd.DataFrame({**years, **places, "resettlement": [10.0, 4.0, float("nan"), 5.0]}),
        "asylum_applications": pd.DataFrame(
            {
                **years,
                **places,
                "procedure_type": ["G"] * 4,
                "app_type": ["N"] * 4,
                "dec_level": ["FI"] * 4,
                "app_pc": ["P"] * 4,
                "applied": [1.0, 2.0, 3.0, 4.0],
            }
        ),
        "asylum_decisions": pd.DataFrame(
            {
                **years,
                **places,
                "procedure_type": ["G"] * 4,
                "dec_level": ["FI"] * 4,
                "dec_pc": ["P"] * 4,
                "dec_total": [1.0, 1.0, 1.0, 1.0],
            }
        ),
        "population": pd.DataFrame(
            {
                **years,
                **places,
                "refugees": [100.0, 200.0, 0.0, 50.0],
                "asylum_seekers": [3.0, 1.0, 2.0, 0.0],
                "oip": [float("nan")] * 4,
            }
        ),
        "flows": pd.DataFrame({**years, **places, "refugees": [1.5, 2.0, 0.0, 1.0]}),
        "demographics": pd.DataFrame({**years, **places, "total": [7.0, 8.0, 9.0, 10.0]}),
        "unrwa": pd.DataFrame(
            {
                "year": [2023.0, 2023.0],
                "coo_name": ["Palestinian", "Palestinian"],
                "coo": ["GAZ", "GAZ"],
                "coo_iso": ["PSE", "PSE"],
                "coa_name": ["Jordan", "Lebanon"],
                "coa": ["JOR", "LEB"],
                "coa_iso": ["JOR", "LBN"],
                "total": [2392531.0, 492833.0],
            }
        ),
    }
    files = {}
    for name, frame in frames.items():
        path = tmp_path / f"{name}.rda"
        rdata.write_rda(path, {name: frame})
        files[f"data/{name}.rda"] = path.read_bytes()
    files["DESCRIPTION"] = b"Package: refugees\nVersion: 9.9.9\n"
    git_dir = snapshot(tmp_path, files)
    one = script.extract("unhcr", git_dir, "HEAD", tmp_path / "one", "2026-01-01")
    two = script.extract("unhcr", git_dir, "HEAD", tmp_path / "two", "2026-01-01")
    for path in sorted(one.iterdir()):
        assert path.read_bytes() == (two / path.name).read_bytes(), path.name
    assert (one / "solutions_canada.csv").read_text().splitlines()[1:] == [
        "2016,Syria,SYR,SYR,Canada,CAN,CAN,10",
        "2016,Canada,CAN,CAN,United States,USA,USA,",
        "2017,Syria,SYR,SYR,Canada,CAN,CAN,5",
    ]
    assert (one / "solutions_world_by_origin.csv").read_text().splitlines() == [
        "year,coo_name,coo,coo_iso,resettlement,rows",
        "2016,Canada,CAN,CAN,,1",
        "2016,Syria,SYR,SYR,14,2",
        "2017,Syria,SYR,SYR,5,1",
    ]
    assert "2016,Syria,SYR,SYR,3.5,2" in (one / "flows_world_by_origin.csv").read_text()
    assert not (one / "demographics_world_by_origin.csv").exists()
    assert (one / "population_by_asylum.csv").read_text().splitlines() == [
        "year,coa_name,coa,coa_iso,refugees,asylum_seekers,oip,rows",
        "2016,Canada,CAN,CAN,100,3,,1",
        "2016,Germany,GFR,DEU,200,1,,1",
        "2016,United States,USA,USA,0,2,,1",
        "2017,Canada,CAN,CAN,50,0,,1",
    ]
    assert (one / "unrwa.csv").read_text().splitlines() == [
        "year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,total",
        "2023,Palestinian,GAZ,PSE,Jordan,JOR,JOR,2392531",
        "2023,Palestinian,GAZ,PSE,Lebanon,LEB,LBN,492833",
    ]
    (tmp_path / "one" / "README.md").write_text("fixture\n")
    ds = opendata.dataset("unhcr", tmp_path / "one")
    assert opendata.verify(tmp_path / "one") == []
    assert "version 9.9.9" in ds.citation
    flows = next(e for e in ds.files if e.path == "flows_world_by_origin.csv")
    assert {c.name: c.type for c in flows.columns}["refugees"] == "float"


def test_gzip_is_deterministic():
    data = b"a,b\n" + b"1,2\n" * 1000
    assert opendata.gzip_deterministic(data) == opendata.gzip_deterministic(data)
    assert gzip.decompress(opendata.gzip_deterministic(data)) == data
