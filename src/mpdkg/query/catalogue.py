"""The query catalogue: one SPARQL file per competency question in queries/, each with a header.

Header lines at the top of a .rq file::

    # title: Members of a forum
    # question: Who are the members of a forum, in which role, since when?
    # pillar: 1
    # parameters: forum:forum=rcm
    # expect: at least 11 rows for rcm

``parameters`` lists ``name:type=default`` items separated by commas; the type says how a
value given on the command line becomes an RDF term (see ``PARAMETER_TYPES``), and the term is
bound with a VALUES block, never pasted into the query text.

>>> q = get_query("forum-members")
>>> q.parameters[0].name, q.parameters[0].kind
('forum', 'forum')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from mpdkg import paths
from mpdkg.errors import UsageError
from mpdkg.namespaces import (
    BASE,
    agreement_iri,
    country_iri,
    forum_iri,
    pillar_iri,
    region_iri,
    role_iri,
    source_iri,
)

HEADER = re.compile(r"^#\s*([a-z-]+)\s*:\s*(.*)$")
PARAM = re.compile(r"^\s*([A-Za-z_]\w*)\s*:\s*([a-z]+)\s*(?:=\s*(.+?))?\s*$")
NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _iri(value: str) -> URIRef:
    if not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value):
        raise ValueError("expected an absolute IRI such as https://w3id.org/mpdkg/country/CAN")
    return URIRef(value)


def _entity(value: str) -> URIRef:
    """An IRI, or a short form such as country/CAN or forum/rcm."""
    if value.startswith(("http://", "https://", "urn:")):
        return _iri(value)
    if re.match(r"^[a-z-]+(/[A-Za-z0-9.-]+)+$", value):  # country/CAN, membership/rcm/CAN/member
        return URIRef(BASE + value)
    raise ValueError("expected an IRI or a short form such as country/CAN or forum/rcm")


def _code(value: str) -> URIRef:
    if not re.match(r"^[A-Za-z]{3}$", value):
        raise ValueError("expected an ISO 3166-1 alpha-3 code such as MEX")
    return country_iri(value.upper())


def _slug(make):
    def convert(value: str) -> URIRef:
        if not re.match(r"^[a-z0-9][a-z0-9-]*$", value):
            raise ValueError("expected an id of lowercase letters, digits and '-'")
        return make(value)

    return convert


def _integer(value: str) -> Literal:
    if not re.match(r"^-?\d+$", value):
        raise ValueError("expected a whole number")
    return Literal(int(value), datatype=XSD.integer)


#: The years the graph can hold (as the curated dates).
FIRST_YEAR, LAST_YEAR = 1800, 2100
YEAR_EXPECTED = f"expected a year written YYYY, from {FIRST_YEAR} to {LAST_YEAR}, such as 2019"


def valid_year(year: int) -> bool:
    """A year the graph can hold, so that a slip such as 20019 is refused instead of answering
    for a year after every recorded change (query parameters, ``mpdkg influence --as-of``)."""
    return FIRST_YEAR <= year <= LAST_YEAR


def _year(value: str) -> Literal:
    if not re.match(r"^\d{4}$", value) or not valid_year(int(value)):
        raise ValueError(YEAR_EXPECTED)
    return Literal(int(value), datatype=XSD.integer)


def _date(value: str) -> Literal:
    """An xsd:date, so a query matches it in a triple pattern (a FILTER on a converted string made
    Oxigraph scan every snapshot: 14 s against 0.6 s at 1.4M triples)."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(value) if re.match(r"^\d{4}-\d{2}-\d{2}$", value) else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError("expected a date written YYYY-MM-DD, such as 2025-01-12")
    return Literal(day.isoformat(), datatype=XSD.date)


def _pillar(value: str) -> URIRef:
    if not value.isdigit():
        raise ValueError("expected a pillar number such as 5")
    return pillar_iri(int(value))


PARAMETER_TYPES = {
    "country": _code,
    "forum": _slug(forum_iri),
    "agreement": _slug(agreement_iri),
    "source": _slug(source_iri),
    "region": lambda v: region_iri(v),
    "role": _slug(role_iri),
    "pillar": _pillar,
    "year": _year,
    "date": _date,
    "int": _integer,
    "string": lambda v: Literal(v),
    "iri": _iri,
    "entity": _entity,
}


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    default: str | None

    def term(self, value: str):
        try:
            return PARAMETER_TYPES[self.kind](value)
        except ValueError as exc:
            raise UsageError(f"--param {self.name}={value}: {exc}") from None


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    path: Path | None
    text: str
    title: str = ""
    question: str = ""
    pillar: str = ""
    parameters: tuple[Parameter, ...] = ()
    headers: dict = field(default_factory=dict)


def parse_query_file(path: Path, name: str | None = None) -> CatalogueQuery:
    text = path.read_text(encoding="utf-8")
    return parse_query_text(text, name or path.stem, path)


def parse_query_text(text: str, name: str, path: Path | None = None) -> CatalogueQuery:
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = HEADER.match(line)
        if m:
            key, value = m.group(1), m.group(2).strip()
            headers[key] = f"{headers[key]} {value}" if key in headers else value
    params = []
    for item in filter(None, (p.strip() for p in headers.get("parameters", "").split(","))):
        m = PARAM.match(item)
        if not m or m.group(2) not in PARAMETER_TYPES:
            where = path or name
            raise UsageError(
                f"{where}: parameter {item!r} is not name:type=default with a type from "
                f"{', '.join(PARAMETER_TYPES)}"
            )
        params.append(Parameter(m.group(1), m.group(2), m.group(3)))
    return CatalogueQuery(
        name=name,
        path=path,
        text=text,
        title=headers.get("title", ""),
        question=headers.get("question", ""),
        pillar=headers.get("pillar", ""),
        parameters=tuple(params),
        headers=headers,
    )


def catalogue(folder: Path | None = None) -> list[CatalogueQuery]:
    folder = Path(folder or paths.queries_dir())
    return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]


def get_query(name: str, folder: Path | None = None) -> CatalogueQuery:
    folder = Path(folder or paths.queries_dir())
    path = folder / f"{name}.rq"
    if not NAME.match(name) or not path.is_file():
        import difflib

        names = [q.name for q in catalogue(folder)]
        near = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        near += [n for n in names if name and name in n and n not in near][: max(0, 3 - len(near))]
        hint = f"did you mean {' or '.join(near)}?" if near else "mpdkg query --list shows them all"
        raise UsageError(f"no catalogue query named {name!r}; {hint}")
    return parse_query_file(path)
