"""Only what changed is redone: the digest of every stage's inputs, and the manifest that records them.

Each stage of ``mpdkg run`` has a digest of everything it reads: its input files (graph/, the
ontology, the shapes, the rules, the weights file, the open data), the code version (a hash of
the source files of the sub-packages it runs, of the orchestration and of the versions of the
libraries that do the work) and the digests of the stages it depends on. The manifest
``OUT/.stages.json`` records, for each stage of the last successful run, its digest and the
SHA-256 of every file it wrote. A stage is *fresh*, and its files are carried over instead of
rebuilt, only when its digest is the recorded one and every recorded file is still there with
the recorded content; anything else (or ``--force``) runs it again. The manifest is written into
the staging folder, so it is swapped into place together with the outputs it describes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

from mpdkg import paths

MANIFEST = ".stages.json"
PRODUCTS = ".stages"  # intermediate products of a run (N-Quads, origins), carried like outputs
FORMAT = 1

#: the libraries whose version can change an output
LIBRARIES = ("rdflib", "pyoxigraph", "pyrudof", "pyshacl", "owlready2", "networkx", "matplotlib", "jinja2")


@dataclass(frozen=True)
class Stage:
    name: str
    deps: tuple[str, ...]
    code: tuple[str, ...]  # parts of the package (relative to src/mpdkg) the stage runs


#: the stages of ``mpdkg run`` in the order they run
STAGES = (
    Stage("load", (), ("sources",)),
    Stage("build", ("load",), ("rdf",)),
    Stage("validate", ("build",), ("validate",)),
    Stage("reason", ("build",), ("reason", "query")),
    Stage("analyse", ("reason",), ("influence", "query", "rdf")),  # rdf: the UN-vote agreement
    Stage("dumps", ("analyse",), ("publish", "query")),
    Stage("maps", ("analyse",), ("maps", "influence", "query", "templates", "static", "html.py")),
    Stage("report", ("maps",), ("maps", "templates", "static")),
    Stage("open data", (), ("rdf", "sources", "validate")),
)
BY_NAME = {s.name: s for s in STAGES}


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def files_digest(files: Iterable[Path], root: Path | None = None) -> str:
    """A digest of file names (relative to ``root``) and contents, in a sorted order."""
    h = hashlib.sha256()
    for path in sorted(set(files)):
        name = path.relative_to(root).as_posix() if root and path.is_relative_to(root) else str(path)
        h.update(name.encode() + b"\0" + file_digest(path).encode() + b"\n")
    return h.hexdigest()


def _tree(folder: Path, pattern: str = "*", skip: tuple[Path, ...] = ()) -> list[Path]:
    if not folder.exists():
        return []
    if folder.is_file():
        return [folder]
    return [
        p
        for p in folder.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts and not any(p.is_relative_to(s) for s in skip)
    ]


@cache
def code_digest(part: str) -> str:
    """The code version of one part of the package (a sub-package or a module)."""
    return files_digest(_tree(paths.PACKAGE_DIR / part), paths.PACKAGE_DIR)


@cache
def base_code_digest() -> str:
    """The orchestration, the foundation modules and the library versions: shared by every stage."""
    pkg = paths.PACKAGE_DIR
    files = [p for p in pkg.glob("*.py")] + _tree(pkg / "pipeline")
    h = hashlib.sha256(files_digest(files, pkg).encode() + f"\npython {sys.version}\n".encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} -\n".encode())
    return h.hexdigest()


@dataclass
class Inputs:
    """The files a run reads, by stage."""

    graph_dir: Path
    weights: Path
    java: bool
    releases: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def own(self) -> dict[str, list[Path] | str]:
        ontology = paths.ontology_file().parent
        graph = self.graph_dir
        open_data = graph / "open-data"
        return {
            "load": _tree(graph, skip=(open_data,)) + _tree(ontology, "*.ttl"),
            "build": _tree(ontology, "*.ttl"),
            "validate": _tree(paths.shapes_dir(), "*.ttl"),
            "reason": _tree(ontology / "rules") + _tree(ontology, "*.ttl"),
            "analyse": [self.weights] + _tree(open_data),  # the layers read the vendored extracts
            "dumps": "releases: " + " ".join(self.releases),
            "maps": [],
            "report": [],
            "open data": _tree(open_data)
            + _tree(graph / "countries.csv")
            + _tree(ontology, "*.ttl")
            + _tree(paths.shapes_dir(), "*.ttl"),
        }


def stage_digests(inputs: Inputs) -> dict[str, str]:
    """Every stage's digest: its code, its own input files and the digests of its dependencies."""
    own = inputs.own()
    root = paths.data_root()
    out: dict[str, str] = {}
    for stage in STAGES:
        h = hashlib.sha256(f"mpdkg stage {stage.name} format {FORMAT}\n".encode())
        h.update(base_code_digest().encode())
        for part in stage.code:
            h.update(f"{part} {code_digest(part)}\n".encode())
        mine = own[stage.name]
        h.update((mine if isinstance(mine, str) else files_digest(mine, root)).encode())
        if stage.name == "reason":
            h.update(f"java {inputs.java}\n".encode())
        h.update(inputs.extra.get(stage.name, "").encode())
        for dep in stage.deps:
            h.update(f"{dep} {out[dep]}\n".encode())
        out[stage.name] = h.hexdigest()
    return out


def read_manifest(folder: Path) -> dict[str, dict]:
    """The stages recorded in ``folder`` (empty when there is none or it cannot be read)."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("stages"), dict):
        return {}
    return data["stages"]


def manifest_text(stages: dict[str, dict]) -> str:
    return json.dumps({"format": FORMAT, "stages": stages}, indent=1, sort_keys=True) + "\n"


def outputs_intact(folder: Path, outputs: dict[str, str]) -> bool:
    """Every recorded file is in ``folder`` with the recorded content."""
    for name, digest in outputs.items():
        path = Path(folder) / name
        if not path.is_file() or file_digest(path) != digest:
            return False
    return True


def snapshot(folder: Path) -> set[str]:
    """The files in ``folder``, as relative names."""
    return {p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file()}


def record_outputs(folder: Path, names: Iterable[str]) -> dict[str, str]:
    return {name: file_digest(Path(folder) / name) for name in sorted(names)}
