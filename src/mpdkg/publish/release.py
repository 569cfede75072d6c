"""Dated, self-describing releases: everything a user needs to cite and reload one edition.

``dist/releases/VERSION/`` holds the dumps, ``void.ttl`` with the version, the ontology with a
dated ``owl:versionIRI``, ``stats.json`` and a SHA-256 manifest. A release is refused when the
graph fails validation or reasoning, and the same sources give identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import OWL

from mpdkg.errors import UsageError
from mpdkg.namespaces import BASE, GRAPHS, ONTOLOGY
from mpdkg.publish.stats import compute_stats, stats_json
from mpdkg.rdf.dumps import write_dumps
from mpdkg.staging import make_published_dir, output_lock

VERSION = re.compile(r"^\d{4}\.\d{2}\.\d{2}$")
MANIFEST = "SHA256SUMS"


def check_version(version: str | None) -> str:
    version = version or dt.date.today().strftime("%Y.%m.%d")
    if not VERSION.match(version):
        raise UsageError(f"--version {version!r}: expected YYYY.MM.DD")
    try:
        dt.date(*map(int, version.split(".")))
    except ValueError:
        raise UsageError(f"--version {version!r} is not a real date") from None
    return version


def stamp_version(dataset, version: str) -> None:
    """Give the ontology graph a dated version IRI and version info."""
    onto = dataset.graph(GRAPHS.ontology)
    onto.remove((ONTOLOGY, OWL.versionIRI, None))
    onto.remove((ONTOLOGY, OWL.versionInfo, None))
    onto.add((ONTOLOGY, OWL.versionIRI, URIRef(f"{BASE}ontology/{version}")))
    onto.add((ONTOLOGY, OWL.versionInfo, Literal(version)))


def write_manifest(folder: Path) -> None:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(folder).as_posix()}")
    (folder / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def latest_release(dist: Path) -> Path | None:
    folder = Path(dist) / "releases"
    if not folder.is_dir():
        return None
    versions = sorted(p for p in folder.iterdir() if p.is_dir() and VERSION.match(p.name))
    return versions[-1] if versions else None


def write_release(built, dist: Path, version: str, step=lambda s: None) -> Path:
    """Write an already built, validated and reasoned dataset as release ``version`` of
    ``dist``, atomically (``mpdkg.pipeline.release`` does the building)."""
    version = check_version(version)
    target = Path(dist) / "releases" / version
    stamp_version(built.dataset, version)
    with output_lock(dist, on_wait=step):  # a run into dist/ at the same time would drop it
        if target.exists():
            raise UsageError(f"{target} exists already; remove it or choose another --version")
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_release(built, version, target, step)
    return target


def _write_release(built, version: str, target: Path, step) -> None:
    from mpdkg.publish.void import write_void

    stage = make_published_dir(f".{version}.", target.parent)
    try:
        step("writing the release")
        write_dumps(built.dataset, stage)
        onto = built.dataset.graph(GRAPHS.ontology)
        from mpdkg.namespaces import PREFIXES

        for prefix, ns in PREFIXES.items():
            onto.bind(prefix, ns, override=True, replace=True)
        import pyoxigraph as ox

        from mpdkg.rdf.engine import sorted_triples

        turtle = ox.serialize(
            sorted_triples(onto),
            format=ox.RdfFormat.TURTLE,
            prefixes={p: str(n) for p, n in PREFIXES.items()},
        )
        assert turtle is not None  # no output file given: the bytes are returned
        (stage / "ontology.ttl").write_bytes(turtle)
        (stage / "stats.json").write_text(stats_json(compute_stats(built.dataset)), encoding="utf-8")
        write_void(built.dataset, stage, version, base_url=f"{BASE}dist/releases/{version}/")
        write_manifest(stage)
        os.replace(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
