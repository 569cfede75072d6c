"""Where the data folders are, whether mpdkg runs from a checkout or from an installed wheel.

The wheel carries ``ontology/``, ``graph/``, ``shapes/`` and ``queries/`` under ``mpdkg/_data``;
a checkout (or an editable install) reads them from the repository root, so a curator's edit is
seen at once.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_data"
_CHECKOUT = PACKAGE_DIR.parent.parent


def data_root() -> Path:
    """The folder holding ontology/, graph/, shapes/ and queries/."""
    if (_BUNDLED / "ontology").is_dir():
        return _BUNDLED
    return _CHECKOUT


def ontology_file() -> Path:
    return data_root() / "ontology" / "mpdkg.ttl"


def graph_dir() -> Path:
    return data_root() / "graph"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def queries_dir() -> Path:
    return data_root() / "queries"


def static_dir() -> Path:
    return PACKAGE_DIR / "static"
