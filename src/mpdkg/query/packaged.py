"""SPARQL that the library itself runs lives in ``.rq`` files next to the code that runs it
(``src/mpdkg/<stage>/queries/<name>.rq``), so it can be read, diffed and tried in ``mpdkg query``
like the catalogue; this is the one loader, reading each file once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from mpdkg.namespaces import SPARQL_PREFIXES
from mpdkg.query.engines import run_query

__all__ = ["package_query", "package_rows"]


@cache
def package_query(package: str, name: str) -> str:
    """The text of ``src/mpdkg/<package>/queries/<name>.rq`` (``package`` like ``"publish"``).

    >>> "SELECT" in package_query("publish", "stats-classes")
    True
    """
    path = resources.files(f"mpdkg.{package}").joinpath(f"queries/{name}.rq")
    if not path.is_file():
        raise KeyError(f"{name}: no such {package} query (src/mpdkg/{package}/queries/{name}.rq)")
    return path.read_text(encoding="utf-8")


def package_rows(engine: Any, package: str, name: str) -> list[dict]:
    """The answer of ``src/mpdkg/<package>/queries/<name>.rq`` on ``engine``, one dict per row."""
    return run_query(engine, SPARQL_PREFIXES + package_query(package, name)).dicts()
