"""What every importer shares: reading one commit of an upstream git repository with git plumbing
only, turning upstream values into CSV cells, and writing a dataset's files with their manifest
entries (SHA-256, rows, column types)."""

from __future__ import annotations

import datetime as dt
import io
import math
import subprocess
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mpdkg.errors import MpdkgError
from mpdkg.sources.opendata import encode_csv, gzip_deterministic, sha256_bytes

#: Extracts whose CSV is larger than this are written gzipped; the rest stay plain for review.
GZIP_OVER = 5_000_000
#: csvtable's field limit; no vendored cell may be longer.
MAX_CELL = 100_000
CANADA = "CAN"


class ExtractionError(MpdkgError):
    """An upstream snapshot that cannot be read or holds what the importer does not expect."""

    exit_code = 1


class Snapshot:
    """One commit of an upstream git repository, read with git plumbing only."""

    def __init__(self, git_dir: Path, commit: str = "HEAD"):
        self.git_dir = Path(git_dir)
        if not self.git_dir.exists():
            raise ExtractionError(f"{git_dir}: no such git directory")
        self.commit = self._git("rev-parse", "--verify", f"{commit}^{{commit}}").decode().strip()
        self.inputs: list[dict[str, Any]] = []

    def _git(self, *args: str) -> bytes:
        done = subprocess.run(["git", f"--git-dir={self.git_dir}", *args], capture_output=True, check=False)
        if done.returncode != 0:
            raise ExtractionError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    @property
    def commit_date(self) -> str:
        return self._git("show", "-s", "--format=%cs", self.commit).decode().strip()

    def last_change(self, path: str) -> str:
        """The commit date (YYYY-MM-DD) of the last commit up to ours that changed ``path``."""
        return self._git("log", "-1", "--format=%cs", self.commit, "--", path).decode().strip()

    def listdir(self, path: str) -> list[tuple[str, str]]:
        """(name, "blob" or "tree") of the entries of a folder at the commit, sorted by name."""
        out = self._git("ls-tree", f"{self.commit}:{path}" if path else self.commit).decode()
        entries = []
        for line in out.splitlines():
            meta, name = line.split("\t", 1)
            entries.append((name, meta.split()[1]))
        return sorted(entries)

    def read(self, path: str, record: bool = True, **about: Any) -> bytes:
        """The bytes of one file at the commit; recorded as an input of the extraction."""
        try:
            data = self._git("cat-file", "blob", f"{self.commit}:{path}")
        except ExtractionError as exc:
            raise ExtractionError(
                f"{path} at {self.commit}: cannot be read ({exc}); a shallow or partial snapshot "
                "may lack large files"
            ) from exc
        if record:
            self.inputs.append({"path": path, "bytes": len(data), "sha256": sha256_bytes(data), **about})
        return data


def read_r(snapshot: Snapshot, path: str) -> dict[str, Any]:
    """The objects of an .rda file as pandas data frames (via rdata), recorded as an input."""
    try:
        import rdata
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ExtractionError(
            "reading R data files needs the optional dependency rdata: pip install -e '.[opendata]'"
        ) from exc
    data = snapshot.read(path, record=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Missing constructor for R class tbl_df": a data.frame it is
        try:
            objects = rdata.read_rda(io.BytesIO(data))
        except Exception as exc:
            raise ExtractionError(f"{path}: rdata cannot parse it ({type(exc).__name__}: {exc})") from exc
    about: dict[str, Any] = {}
    for name, value in objects.items():
        if isinstance(value, dict):
            about[str(name)] = {str(k): {"rows": len(v), "columns": len(v.columns)} for k, v in value.items()}
        else:
            about[str(name)] = {"rows": len(value), "columns": len(value.columns)}
    snapshot.inputs.append(
        {"path": path, "bytes": len(data), "sha256": sha256_bytes(data), "r_objects": about}
    )
    return {str(k): v for k, v in objects.items()}


# -- turning values into cells ----------------------------------------------------------------


def missing(value: Any) -> bool:
    if value is None:
        return True
    pd = sys.modules.get("pandas")  # a pandas missing value comes only with pandas loaded
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return True
    return isinstance(value, float) and math.isnan(value)


def cell(value: Any) -> str:
    """One value as the CSV writes it: missing → empty, integral floats without ``.0``."""
    if missing(value):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return cell(value.item())
    text = str(value)
    if len(text) > MAX_CELL:
        raise ExtractionError(f"a cell of {len(text)} characters (more than {MAX_CELL})")
    return text


def column_type(values: Iterable[Any], empty: str = "str") -> str:
    """int when every present value is a whole number, float for other numbers, else str;
    ``empty`` when no value is present."""
    kind = None
    for value in values:
        if missing(value):
            continue
        if hasattr(value, "item") and not isinstance(value, str):
            value = value.item()
        if isinstance(value, (bool, int)):
            kind = kind or "int"
        elif isinstance(value, float):
            if not value.is_integer():
                return "float"
            kind = kind or "int"
        else:
            return "str"
    return kind or empty


def frame_column_type(frame: Any, name: str) -> str:
    """The type of a data-frame column, from all its values (a numeric column with none is float)."""
    dtype = frame[name].dtype
    numeric = getattr(dtype, "kind", "O") in "biuf"
    return column_type(frame[name].tolist(), "float" if numeric else "str")


def r_date(days: Any) -> str:
    """An R Date (days since 1970-01-01, stored as a double) as ISO 8601."""
    if missing(days):
        return ""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(days))).isoformat()


class Table:
    """Columns of cells plus their types, built from a data frame or from rows."""

    def __init__(self, header: Sequence[str], types: Sequence[str], rows: list[list[str]]):
        self.header = list(header)
        self.types = list(types)
        self.rows = rows

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        columns: Sequence[str] | None = None,
        dates: Sequence[str] = (),
        types_from: Any = None,
    ) -> Table:
        """The columns of ``frame`` as cells; each column's type is decided on ``types_from``
        (default ``frame``): on the whole upstream table when ``frame`` is a selection of it,
        so that a selection's types do not depend on which rows it happens to hold."""
        columns = list(columns or [str(c) for c in frame.columns])
        typed = frame if types_from is None else types_from
        cells = []
        types = []
        for name in columns:
            values = frame[name].tolist()
            if name in dates:
                cells.append([r_date(v) for v in values])
                types.append("date")
            else:
                cells.append([cell(v) for v in values])
                types.append(frame_column_type(typed, name))
        rows = [list(row) for row in zip(*cells, strict=True)] if cells else []
        return cls(columns, types, rows)


class Output:
    """The files of one dataset, written into a fresh folder, with their manifest entries."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: list[dict[str, Any]] = []

    def add(self, name: str, table: Table, description: str, source: Sequence[str] | str) -> None:
        data = encode_csv(table.header, table.rows)
        entry: dict[str, Any] = {"path": name}
        if len(data) > GZIP_OVER:
            entry["path"] = name + ".gz"
            entry["content_bytes"] = len(data)
            entry["content_sha256"] = sha256_bytes(data)
            data = gzip_deterministic(data)
        (self.folder / entry["path"]).write_bytes(data)
        entry.update(
            {
                "bytes": len(data),
                "sha256": sha256_bytes(data),
                "rows": len(table.rows),
                "columns": [{"name": n, "type": t} for n, t in zip(table.header, table.types, strict=True)],
                "source": [source] if isinstance(source, str) else list(source),
                "description": description,
            }
        )
        self.files.append(entry)


# -- UNHCR Refugee Population Statistics (PopulationStatistics/refugees) -----------------------
