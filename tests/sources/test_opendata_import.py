"""`mpdkg import NAME --from PATH` (issue #15): the importers of mpdkg.sources.importers read one
pinned commit of a tiny upstream git repository made here (the upstream file layout) and write
the dataset folder with a MANIFEST.json whose SHA-256 and row counts match the files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mpdkg.cli import app
from mpdkg.sources import opendata
from mpdkg.sources.importers import ExtractionError, extract, git_dir_of, pinned_commit

RUNNER = CliRunner()
PASSPORT = "passport-index-tidy-iso3.csv"


def git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": "2025-01-12T00:00:00Z",
        "GIT_COMMITTER_DATE": "2025-01-12T00:00:00Z",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit_files(repo: Path, files: dict[str, bytes]) -> str:
    """Write ``files`` into the checkout ``repo`` (made if new) and commit them; the commit id."""
    if not repo.exists():
        repo.mkdir(parents=True)
        git(repo, "init", "-q", "-b", "main")
    for path, data in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "fixture")
    return git(repo, "rev-parse", "HEAD")


def run(*args: str):
    return RUNNER.invoke(app, ["import", *args])


def check_manifest(folder: Path) -> dict:
    """Every file's SHA-256, size and rows are those of the bytes written; the folder verifies."""
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["MANIFEST.json", *(f["path"] for f in manifest["files"])]
    )
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert entry["rows"] == len(table) - 1
        assert [c["name"] for c in entry["columns"]] == table[0]
    (folder.parent / "README.md").write_text("fixture\n")
    assert opendata.verify(folder.parent) == []
    return manifest


def test_import_passport_index_from_a_checkout_pinned_commit(tmp_path):
    repo = tmp_path / "passport-index-dataset"
    legacy = b"Passport,Destination,Code\nCAN,FRA,3\nIND,CAN,0\nFRA,IND,1\n"
    first = commit_files(
        repo,
        {
            "legacy/2019-11-23/" + PASSPORT: legacy,
            PASSPORT: b"Passport,Destination,Requirement\nCAN,FRA,90\nIND,CAN,visa required\nFRA,DEU,90\n",
        },
    )
    out = tmp_path / "open-data"
    done = run("passport-index", "--from", str(repo), "--out", str(out), "--date", "2026-01-01")
    assert done.exit_code == 0, done.output
    folder = out / "passport-index"
    assert "canada_visa_requirements.csv: 4 rows" in done.output
    manifest = check_manifest(folder)
    assert manifest["upstream"]["commit"] == first and manifest["extracted"] == "2026-01-01"
    assert [(i["path"], i["sha256"]) for i in manifest["inputs"]] == [
        ("legacy/2019-11-23/" + PASSPORT, hashlib.sha256(legacy).hexdigest()),
        (PASSPORT, manifest["inputs"][1]["sha256"]),
    ]
    assert (folder / "canada_visa_requirements.csv").read_text().splitlines() == [
        "snapshot,passport,destination,value,requirement,days",
        "2019-11-23,CAN,FRA,3,visa-free,",
        "2019-11-23,IND,CAN,0,visa-required,",
        "2025-01-12,CAN,FRA,90,visa-free,90",
        "2025-01-12,IND,CAN,visa required,visa-required,",
    ]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    # upstream moves on: without --commit the pinned commit is read again, byte for byte
    commit_files(repo, {PASSPORT: b"Passport,Destination,Requirement\nCAN,FRA,30\n"})
    assert pinned_commit("passport-index", out) == first
    assert (
        run(
            "passport-index", "--from", str(repo / ".git"), "--out", str(out), "--date", "2026-01-01"
        ).exit_code
        == 0
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # --commit HEAD takes the new upstream commit
    assert run("passport-index", "--from", str(repo), "--out", str(out), "--commit", "HEAD").exit_code == 0
    assert check_manifest(folder)["files"][0]["rows"] == 3  # the two 2019 rows and the new one


def test_import_errors_name_what_is_wrong(tmp_path):
    done = run("no-such", "--from", str(tmp_path))
    assert done.exit_code == 2 and "unknown dataset 'no-such'" in done.output
    done = run("passport-index", "--from", str(tmp_path), "--out", str(tmp_path / "out"))
    assert done.exit_code == 1 and "not a git checkout or git directory" in done.output
    repo = tmp_path / "repo"
    commit_files(repo, {PASSPORT: b"Passport,Destination,Requirement\nIND,CAN,teleport\n"})
    done = run("passport-index", "--from", str(repo), "--out", str(tmp_path / "out"), "--date", "2026-01-01")
    assert done.exit_code == 1 and f"{PASSPORT}:2: unknown requirement value 'teleport'" in done.output
    assert not (tmp_path / "out" / "passport-index").exists()
    done = run("passport-index", "--from", str(repo), "--date", "yesterday", "--out", str(tmp_path / "out"))
    assert done.exit_code == 2 and "expected YYYY-MM-DD" in done.output
    assert git_dir_of(repo) == repo / ".git" and git_dir_of(repo / ".git") == repo / ".git"


def test_import_help_has_an_example():
    done = RUNNER.invoke(app, ["import", "--help"])
    assert done.exit_code == 0 and "Example: mpdkg import" in done.output and "--from" in done.output


def test_import_manytrade(tmp_path):
    rdata = pytest.importorskip("rdata")  # only the .rda reading needs the optional extra
    pd = pytest.importorskip("pandas")
    agreements = {
        "DESTA": pd.DataFrame(
            {
                "manyID": ["CAN-USA[FTA]_1988A", "EU-MEX[X]_2000A", "NAFTA_1992A"],
                "treatyID": ["CAN-USA[FTA]_1988A", "EU-MEX[X]_2000A", "NAFTA_1992A"],
                "Title": ["Canada US FTA", "EU Mexico", "NAFTA"],
                "Signature": ["1988-01-02", "2000-03-23", "1992-12-17"],
            }
        ),
        "GPTAD": pd.DataFrame(
            {"manyID": ["CAN-CHL[FTA]_1996A"], "Title": ["Canada Chile"], "Force": [1997.0]}
        ),
    }
    memberships = {
        "DESTA_MEM": pd.DataFrame(
            {
                "manyID": ["NAFTA_1992A", "NAFTA_1992A", "NAFTA_1992A", "EU-MEX[X]_2000A"],
                "treatyID": ["NAFTA_1992A", "NAFTA_1992A", "NAFTA_1992A", "EU-MEX[X]_2000A"],
                "stateID": ["CAN", "USA", "MEX", "MEX"],
            }
        )
    }
    files = {"DESCRIPTION": b"Package: manytrade\nVersion: 0.1.0\n"}
    for name, value in (("agreements", agreements), ("memberships", memberships)):
        rdata.write_rda(tmp_path / f"{name}.rda", {name: value})
        files[f"data/{name}.rda"] = (tmp_path / f"{name}.rda").read_bytes()
    commit_files(tmp_path / "manytrade", files)
    folder = extract("manytrade", tmp_path / "manytrade" / ".git", "HEAD", tmp_path / "out", "2026-01-01")
    manifest = check_manifest(folder)
    assert (folder / "canada_agreements.csv").read_text().splitlines() == [
        "dataset,match,manyID,treatyID,Title,Signature,Force",
        "DESTA,bilateral-code,CAN-USA[FTA]_1988A,CAN-USA[FTA]_1988A,Canada US FTA,1988-01-02,",
        "DESTA,membership,NAFTA_1992A,NAFTA_1992A,NAFTA,1992-12-17,",
        "GPTAD,bilateral-code,CAN-CHL[FTA]_1996A,,Canada Chile,,1997",
    ]
    assert (folder / "canada_agreement_parties.csv").read_text().splitlines() == [
        "dataset,manyID,treatyID,stateID",
        "DESTA_MEM,NAFTA_1992A,NAFTA_1992A,CAN",
        "DESTA_MEM,NAFTA_1992A,NAFTA_1992A,USA",
        "DESTA_MEM,NAFTA_1992A,NAFTA_1992A,MEX",
    ]
    assert manifest["facts"] == {
        "agreement_rows": {
            "DESTA": {"upstream_rows": 3, "rows": 2},
            "GPTAD": {"upstream_rows": 1, "rows": 1},
        },
        "membership_rows": {"DESTA_MEM": {"upstream_rows": 4, "rows": 3}},
    }
    assert {c["name"]: c["type"] for c in manifest["files"][0]["columns"]}["Force"] == "int"
    assert "version 0.1.0" in manifest["citation"]
    assert [i["path"] for i in manifest["inputs"]] == ["data/agreements.rda", "data/memberships.rda"]
    with pytest.raises(ExtractionError, match="no such git directory"):
        extract("manytrade", tmp_path / "nowhere", "HEAD", tmp_path / "out", "2026-01-01")
