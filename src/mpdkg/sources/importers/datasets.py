"""The importable datasets (upstream repository, licence, citation, importer) and `extract`, which
writes one dataset's folder and MANIFEST.json from one pinned upstream commit."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mpdkg.sources.importers.base import ExtractionError, Output, Snapshot
from mpdkg.sources.importers.cow_igo import extract_cow_igo
from mpdkg.sources.importers.ircc import extract_ircc
from mpdkg.sources.importers.manytrade import extract_manytrade
from mpdkg.sources.importers.passport import extract_passport
from mpdkg.sources.importers.unhcr import extract_unhcr
from mpdkg.sources.importers.unvotes import extract_unvotes
from mpdkg.sources.opendata import MANIFEST

CC_BY = {"name": "CC BY 4.0", "spdx": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
MIT = {"name": "MIT", "spdx": "MIT", "url": "https://opensource.org/license/mit"}
OGL_CANADA = {
    "name": "Open Government Licence – Canada",
    "spdx": "OGL-Canada-2.0",
    "url": "https://open.canada.ca/en/open-government-licence-canada",
}

DATASETS: dict[str, dict[str, Any]] = {
    "unhcr": {
        "repository": "PopulationStatistics/refugees",
        "extract": extract_unhcr,
        "title": "UNHCR Refugee Population Statistics Database (R package refugees)",
        "publisher": "Office of the United Nations High Commissioner for Refugees (UNHCR)",
        "licence": {
            **CC_BY,
            "note": "DESCRIPTION: License: CC BY 4.0; LICENSE.md holds the CC BY 4.0 legal code",
        },
        "citation": (
            "UNHCR Refugee Population Statistics Database, UNHCR Refugee Data Finder, "
            "https://www.unhcr.org/refugee-statistics/ (R package refugees, version {version}, "
            "https://github.com/PopulationStatistics/refugees). Licensed under CC BY 4.0."
        ),
        "version_file": "DESCRIPTION",
    },
    "unvotes": {
        "repository": "dgrtwo/unvotes",
        "extract": extract_unvotes,
        "title": "United Nations General Assembly roll-call votes (R package unvotes, from Voeten's data)",
        "publisher": (
            "David Robinson (package); Erik Voeten et al. (data, Harvard Dataverse hdl:1902.1/12379)"
        ),
        "licence": {
            **MIT,
            "note": "the package is MIT (LICENSE: YEAR 2016, COPYRIGHT HOLDER David Robinson); its "
            "data-raw/README.md says the Dataverse files are dedicated to the public domain (CC0)",
        },
        "citation": (
            'Erik Voeten, "Data and Analyses of Voting in the UN General Assembly", Routledge Handbook '
            "of International Organization, edited by Bob Reinalda (published May 27, 2013); data: "
            "Voeten, Strezhnev and Bailey, United Nations General Assembly Voting Data, Harvard "
            "Dataverse, https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379; "
            "via David Robinson, unvotes: United Nations General Assembly Voting Data (R package, "
            "version {version}), https://github.com/dgrtwo/unvotes."
        ),
        "version_file": "DESCRIPTION",
    },
    "passport-index": {
        "repository": "ilyankou/passport-index-dataset",
        "extract": extract_passport,
        "title": "Passport Index dataset: travel visa requirements for 199 countries",
        "publisher": "Ilya Ilyankou (dataset); source Passport Index, https://www.passportindex.org",
        "licence": {
            **MIT,
            "note": "README: 'feel free to use the dataset under the MIT license'; LICENSE is MIT",
        },
        "citation": (
            "Ilya Ilyankou, Passport Index Dataset, https://github.com/ilyankou/passport-index-dataset "
            "(MIT), from Passport Index, https://www.passportindex.org."
        ),
    },
    "cow-igo": {
        "repository": "dieghernan/igoR",
        "extract": extract_cow_igo,
        "title": "Correlates of War Intergovernmental Organizations data, version 3 (via the R package igoR)",
        "publisher": "The Correlates of War Project (data); Diego Hernangómez (igoR package)",
        "licence": {
            "name": "Correlates of War terms of use (free for use with citation)",
            "url": "https://correlatesofwar.org/data-sets/igos/",
            "note": "the data are © 2000-2021 the Correlates of War Project (inst/COPYRIGHTS): users are "
            "asked to give the version number and cite Pevehouse et al. (2020); the igoR package code "
            "is GPL (>= 3) and none of it is vendored",
        },
        "citation": (
            "Pevehouse, Jon C.W., Timothy Nordstrom, Roseanne W. McManus and Anne Spencer Jamison. 2020. "
            '"Tracking Organizations in the World: The Correlates of War IGO Version 3.0 datasets." '
            "Journal of Peace Research 57(3): 492-503, doi:10.1177/0022343319881175. Original data: "
            'Wallace, Michael and J. David Singer. 1970. "Intergovernmental Organization in the Global '
            'System, 1815-1964." International Organization 24: 239-87. Distributed with Diego '
            "Hernangómez, igoR (R package, version {version}), doi:10.32614/CRAN.package.igoR."
        ),
        "version_file": "DESCRIPTION",
    },
    "manytrade": {
        "repository": "globalgov/manytrade",
        "extract": extract_manytrade,
        "title": (
            "manytrade: international trade agreements for manydata "
            "(DESTA, GPTAD, LABPTA, TOTA, TREND, HUGGO, AIGGO)"
        ),
        "publisher": "James Hollway et al., Geneva Graduate Institute (IHEID), globalgov",
        "licence": {
            **CC_BY,
            "note": "DESCRIPTION says License: CC BY 4.0 (the data); the repository's LICENSE.md is the "
            "AGPL-3 text (the package code, none of which is vendored); the component datasets ask to "
            "be cited themselves (data-raw/*/*.bib)",
        },
        "citation": (
            "J. Hollway. manytrade: International Trade Agreements for manydata. 2021. "
            "https://github.com/globalgov/manytrade (version {version}). Cite also the component "
            "datasets used, e.g. DESTA: Dür, Baccini and Elsig (2014), The Design of International "
            "Trade Agreements: Introducing a New Dataset, Review of International Organizations 9(3)."
        ),
        "version_file": "DESCRIPTION",
    },
    "ircc": {
        "repository": "mahjcameron/Immigration-Forecasting",
        "extract": extract_ircc,
        "title": (
            "IRCC Monthly IRCC Updates by country of citizenship: permanent residents admitted, study "
            "permit holders, IMP and TFWP work permit holders (open.canada.ca)"
        ),
        "publisher": (
            "Immigration, Refugees and Citizenship Canada (IRCC), open.canada.ca; files copied by "
            "mahjcameron (GitHub) in 2024-09"
        ),
        "licence": {
            **OGL_CANADA,
            "note": "the data are IRCC's, published on open.canada.ca under the Open Government Licence - "
            "Canada; the GitHub repository that holds this copy has no licence file and its own "
            "material (dashboards, Excel workbooks) is not vendored",
        },
        "citation": (
            "Immigration, Refugees and Citizenship Canada, Monthly IRCC Updates (open.canada.ca): "
            "Permanent Residents - Monthly IRCC Updates, https://open.canada.ca/data/en/dataset/"
            "f7e5498e-0ad8-4417-85c9-9b8aff9b9eda (ODP-PR-Citz); Temporary Residents: Study Permit "
            "Holders - Monthly IRCC Updates, https://open.canada.ca/data/en/dataset/"
            "90115b00-f9b8-49e8-afa3-b4cff8facaee (ODP-TR-Study-IS_CITZ); Temporary Residents: "
            "Temporary Foreign Worker Program (TFWP) and International Mobility Program (IMP) Work "
            "Permit Holders - Monthly IRCC Updates (ODP-TR-Work-TFWP-CITZ, ODP-TR-Work-IMP-CITZ). "
            "Contains information licensed under the Open Government Licence - Canada. Files (data "
            "January 2015 - June 2024) as copied on 2024-09-25 into "
            "https://github.com/mahjcameron/Immigration-Forecasting."
        ),
    },
}


def _version(snapshot: Snapshot, spec: dict[str, Any]) -> str:
    if "version_file" not in spec:
        return ""
    try:
        text = snapshot.read(spec["version_file"], record=False).decode("utf-8", errors="replace")
    except ExtractionError:
        return ""
    match = re.search(r"^Version:\s*(\S+)", text, re.MULTILINE)
    return match.group(1) if match else ""


def extract(name: str, git_dir: Path, commit: str, out_root: Path, date: str) -> Path:
    """Extract one dataset into ``out_root/name`` (replacing it) and return that folder."""
    if name not in DATASETS:
        raise ExtractionError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    spec = DATASETS[name]
    snapshot = Snapshot(git_dir, commit)
    version = _version(snapshot, spec)
    out_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out_root))
    work.chmod(0o755)
    try:
        output = Output(work)
        extractor: Callable[[Snapshot, Output], dict[str, Any]] = spec["extract"]
        facts = extractor(snapshot, output)
        manifest = {
            "dataset": name,
            "title": spec["title"],
            "publisher": spec["publisher"],
            "upstream": {
                "repository": spec["repository"],
                "url": f"https://github.com/{spec['repository']}",
                "commit": snapshot.commit,
                "commit_date": snapshot.commit_date,
                **({"package_version": version} if version else {}),
            },
            "licence": spec["licence"],
            "citation": spec["citation"].format(version=version or "unknown"),
            "extracted": date,
            "command": (
                f".venv/bin/python scripts/extract_opendata.py {name} --git-dir GIT_DIR "
                f"--commit {snapshot.commit} --date {date}"
                f"  # GIT_DIR: a clone of https://github.com/{spec['repository']} (its .git)"
            ),
            "inputs": snapshot.inputs,
            "facts": facts,
            "files": output.files,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        (work / MANIFEST).write_text(text, encoding="utf-8")
        target = out_root / name
        if target.exists():
            old = out_root / f".{name}.old"
            if old.exists():
                shutil.rmtree(old)
            target.rename(old)
            work.rename(target)
            shutil.rmtree(old)
        else:
            work.rename(target)
        return target
    finally:
        if work.exists():
            shutil.rmtree(work)


def git_dir_of(path: Path) -> Path:
    """The git directory of ``path``: a checkout (its ``.git``, a folder or a worktree file) or a
    git directory itself (a clone's ``.git`` or a bare mirror such as /work/.mirror/owner+name/)."""
    path = Path(path)
    dot_git = path / ".git"
    if dot_git.exists():
        return dot_git if dot_git.is_dir() else path  # a worktree's .git file: git finds the rest
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path
    raise ExtractionError(
        f"{path}: not a git checkout or git directory (expected {dot_git} or HEAD and objects/ in it)"
    )


def pinned_commit(name: str, out_root: Path) -> str | None:
    """The upstream commit the vendored ``out_root/name/MANIFEST.json`` was extracted from, if any."""
    manifest = Path(out_root) / name / MANIFEST
    if not manifest.is_file():
        return None
    try:
        commit = json.loads(manifest.read_text(encoding="utf-8"))["upstream"]["commit"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"{manifest}: no upstream.commit ({exc})") from exc
    return str(commit)
