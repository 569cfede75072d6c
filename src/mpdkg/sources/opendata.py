"""Vendored open-data extracts (``graph/open-data/``): list them, verify them, read them as typed rows.

Each dataset is a folder ``graph/open-data/<name>/`` holding CSV extracts (``.csv``, or ``.csv.gz`` for
the few over about 5 MB) and a ``MANIFEST.json`` that says where they came from: the upstream
repository and the 40-hex commit they were extracted from, every upstream file read with its
SHA-256, every extract with its SHA-256, size, row count and typed columns, the licence, the
citation the authors ask for, the extraction date and the command that regenerates them
(``scripts/extract_opendata.py``). ``graph/open-data/README.md`` says what each dataset is and where
its limits are.

Nothing here touches the network or needs the optional ``opendata`` dependencies (``rdata``):
those are for the extraction script only. Reading uses only the vendored files.

>>> names = [d.name for d in datasets()]
>>> "unhcr" in names and "unvotes" in names
True
>>> verify(names=["passport-index"])
[]
>>> row = next(read_rows("unvotes", "roll_calls.csv"))
>>> row["rcid"], row["date"].year
(3, 1946)

An empty cell is a missing value (R's ``NA``) and reads as ``None`` whatever the column type.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: ``MPDKG_OPENDATA`` names another open-data folder (tests, a second copy).
ENV = "MPDKG_OPENDATA"
MANIFEST = "MANIFEST.json"
#: Column types a manifest may give; each maps a non-empty cell to a Python value.
TYPES = ("int", "float", "str", "date")


class OpenDataError(Exception):
    """A dataset or extract that is not there, or a manifest that does not say what is needed."""


def default_root() -> Path:
    """``$MPDKG_OPENDATA`` if set, else ``graph/open-data/`` of the project being read (the
    working tree, found like every other source; see :mod:`mpdkg.paths`)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).resolve()
    from mpdkg import paths

    return paths.graph_dir() / "open-data"


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class Extract:
    """One vendored file, as its manifest describes it."""

    path: str  # relative to the dataset folder
    sha256: str
    bytes: int
    rows: int
    columns: tuple[Column, ...]
    description: str
    content_sha256: str | None = None  # of the decompressed CSV, for .csv.gz

    @property
    def compressed(self) -> bool:
        return self.path.endswith(".gz")


@dataclass(frozen=True)
class Dataset:
    """One ``graph/open-data/<name>/`` folder and its manifest."""

    name: str
    folder: Path
    manifest: dict[str, Any]

    @property
    def title(self) -> str:
        return self.manifest["title"]

    @property
    def licence(self) -> dict[str, str]:
        return self.manifest["licence"]

    @property
    def citation(self) -> str:
        return self.manifest["citation"]

    @property
    def repository(self) -> str:
        return self.manifest["upstream"]["repository"]

    @property
    def commit(self) -> str:
        return self.manifest["upstream"]["commit"]

    @property
    def extracted(self) -> str:
        return self.manifest["extracted"]

    @property
    def files(self) -> tuple[Extract, ...]:
        return tuple(_extract(entry) for entry in self.manifest["files"])

    def file(self, path: str) -> Extract:
        for extract in self.files:
            if extract.path == path:
                return extract
        known = ", ".join(e.path for e in self.files)
        raise OpenDataError(f"{self.name}: no extract {path!r} in its manifest (it lists {known})")


def _extract(entry: dict[str, Any]) -> Extract:
    return Extract(
        path=entry["path"],
        sha256=entry["sha256"],
        bytes=entry["bytes"],
        rows=entry["rows"],
        columns=tuple(Column(c["name"], c["type"]) for c in entry["columns"]),
        description=entry.get("description", ""),
        content_sha256=entry.get("content_sha256"),
    )


def datasets(root: Path | None = None) -> list[Dataset]:
    """Every dataset under ``root`` (default: :func:`default_root`), sorted by name."""
    root = Path(root) if root is not None else default_root()
    found = []
    for manifest in sorted(root.glob(f"*/{MANIFEST}")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OpenDataError(f"{manifest}: not a readable JSON manifest ({exc})") from exc
        found.append(Dataset(manifest.parent.name, manifest.parent, data))
    return found


def dataset(name: str, root: Path | None = None) -> Dataset:
    for candidate in datasets(root):
        if candidate.name == name:
            return candidate
    known = ", ".join(d.name for d in datasets(root)) or "none"
    raise OpenDataError(f"no open-data dataset {name!r} (known: {known})")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: What every manifest must say, as (dotted key, what it is).
REQUIRED = (
    ("title", "what the dataset is"),
    ("upstream.repository", "the upstream repository (owner/name)"),
    ("upstream.commit", "the 40-hex upstream commit"),
    ("licence.name", "the licence"),
    ("licence.url", "where the licence text is"),
    ("citation", "the citation the authors ask for"),
    ("extracted", "the extraction date"),
    ("command", "the command that regenerates the extracts"),
    ("inputs", "the upstream files read, with their SHA-256"),
    ("files", "the extracts, with their SHA-256"),
)


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def manifest_problems(ds: Dataset) -> list[str]:
    """What a manifest lacks or gets wrong in form (not whether the files match it)."""
    problems = []
    for key, what in REQUIRED:
        if _lookup(ds.manifest, key) in (None, "", []):
            problems.append(f"{ds.name}/{MANIFEST}: no {key} ({what})")
    commit = _lookup(ds.manifest, "upstream.commit") or ""
    if commit and not (len(commit) == 40 and all(c in "0123456789abcdef" for c in commit)):
        problems.append(f"{ds.name}/{MANIFEST}: upstream.commit {commit!r} is not 40 lower-case hex digits")
    for entry in ds.manifest.get("inputs", []):
        if len(entry.get("sha256", "")) != 64:
            problems.append(f"{ds.name}/{MANIFEST}: input {entry.get('path')!r} has no SHA-256")
    for entry in ds.manifest.get("files", []):
        for column in entry.get("columns", []):
            if column.get("type") not in TYPES:
                problems.append(
                    f"{ds.name}/{MANIFEST}: {entry.get('path')} column {column.get('name')!r} "
                    f"has type {column.get('type')!r}, expected one of {', '.join(TYPES)}"
                )
    return problems


def verify(root: Path | None = None, names: Iterable[str] | None = None, rows: bool = True) -> list[str]:
    """Every way the vendored files differ from their manifests; empty when all agree.

    Checks each extract's size and SHA-256 (and, for ``.csv.gz``, the decompressed CSV's),
    that the header matches the manifest's columns and, with ``rows``, the row count; and that
    the folder holds no file its manifest does not list.
    """
    wanted = set(names) if names is not None else None
    problems: list[str] = []
    found = datasets(root)
    if wanted is not None:
        missing = wanted - {d.name for d in found}
        problems.extend(f"no dataset {name!r}" for name in sorted(missing))
    for ds in found:
        if wanted is not None and ds.name not in wanted:
            continue
        problems.extend(manifest_problems(ds))
        listed = {MANIFEST}
        for extract in ds.files:
            listed.add(extract.path)
            problems.extend(_verify_extract(ds, extract, rows))
        for path in sorted(ds.folder.rglob("*")):
            rel = path.relative_to(ds.folder).as_posix()
            if path.is_file() and rel not in listed:
                problems.append(f"{ds.name}/{rel}: not listed in {MANIFEST}")
    return problems


def _verify_extract(ds: Dataset, extract: Extract, rows: bool) -> list[str]:
    where = f"{ds.name}/{extract.path}"
    path = ds.folder / extract.path
    if not path.is_file():
        return [f"{where}: missing"]
    data = path.read_bytes()
    problems = []
    if len(data) != extract.bytes:
        problems.append(f"{where}: {len(data)} bytes, the manifest says {extract.bytes}")
    digest = sha256_bytes(data)
    if digest != extract.sha256:
        problems.append(f"{where}: SHA-256 {digest}, the manifest says {extract.sha256}")
        return problems
    if extract.compressed:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            return [*problems, f"{where}: not readable gzip ({exc})"]
        if extract.content_sha256 and sha256_bytes(data) != extract.content_sha256:
            problems.append(f"{where}: decompressed SHA-256 differs from the manifest")
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, [])
    expected = [c.name for c in extract.columns]
    if header != expected:
        problems.append(f"{where}: header {header}, the manifest says {expected}")
    if rows:
        count = sum(1 for _ in reader)
        if count != extract.rows:
            problems.append(f"{where}: {count} rows, the manifest says {extract.rows}")
    return problems


def _convert(kind: str) -> Any:
    if kind == "int":
        return int
    if kind == "float":
        return float
    if kind == "date":
        return dt.date.fromisoformat
    return str


def read_rows(name: str, path: str, root: Path | None = None, check: bool = True) -> Iterator[dict[str, Any]]:
    """The rows of one extract as dicts keyed by column, values typed as the manifest says.

    With ``check`` (the default) the file's SHA-256 is compared with the manifest first, so a
    changed byte is an error, not a silently different answer.
    """
    ds = dataset(name, root)
    extract = ds.file(path)
    file = ds.folder / extract.path
    if not file.is_file():
        raise OpenDataError(f"{name}/{path}: missing (the manifest lists it)")
    data = file.read_bytes()
    if check and sha256_bytes(data) != extract.sha256:
        raise OpenDataError(f"{name}/{path}: SHA-256 differs from its manifest; regenerate or restore it")
    if extract.compressed:
        data = gzip.decompress(data)
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, [])
    if header != [c.name for c in extract.columns]:
        raise OpenDataError(f"{name}/{path}: header does not match the manifest's columns")
    names = [c.name for c in extract.columns]
    # text columns are taken as read; only the typed ones are converted, cell by cell (a million
    # rows of votes: a conversion call per text cell was half the time of reading them)
    typed = [(c.name, conv) for c in extract.columns if (conv := _convert(c.type)) is not str]
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(names):
            raise OpenDataError(f"{name}/{path}:{line}: {len(cells)} cells, expected {len(names)}")
        row: dict[str, Any] = dict(zip(names, cells, strict=True))
        if "" in cells:
            row.update({key: None for key, cell in row.items() if cell == ""})
        try:
            for key, conv in typed:
                if row[key] is not None:
                    row[key] = conv(row[key])
        except ValueError as exc:
            raise OpenDataError(f"{name}/{path}:{line}: {exc}") from exc
        yield row


# -- writing, shared with scripts/extract_opendata.py so that reader and writer agree ---------


def encode_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 CSV with ``\\n`` line ends and minimal quoting: the one format of every extract."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def gzip_deterministic(data: bytes) -> bytes:
    """gzip with no file name and a zero timestamp, so the same CSV gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)
