"""Query results in one shape whatever engine produced them, written in the SPARQL 1.1 result
formats (CSV, TSV, JSON) or as a table; graphs (CONSTRUCT/DESCRIBE) as Turtle."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

FORMATS = ("table", "csv", "tsv", "json", "turtle")


@dataclass
class QueryResult:
    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def normalised_rows(self) -> list[tuple[str, ...]]:
        """Rows as comparable text, order-independent (for engine-equivalence checks)."""
        return sorted(tuple(_compare_form(t) for t in row) for row in self.rows)

    def dicts(self) -> list[dict]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


def _compare_form(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        if term.datatype in (XSD.decimal, XSD.double, XSD.float):
            try:
                return f"{float(term):.9g}"
            except ValueError:
                pass
        return f"{term}|{term.language or ''}|{term.datatype or ''}"
    return str(term)


def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _tsv_term(term) -> str:
    if term is None:
        return ""
    return term.n3()


def _json_term(term) -> dict | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def to_csv(result: QueryResult, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    if result.kind == "ask":
        w.writerow(["_askResult"])
        w.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    w.writerow(result.variables)
    for row in result.rows:
        w.writerow([_csv_term(t) for t in row])
    return buf.getvalue()


def to_tsv(result: QueryResult) -> str:
    if result.kind == "ask":
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(_tsv_term(t).replace("\t", "\\t") for t in row))
    return "\n".join(lines) + "\n"


def to_json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=1) + "\n"
    bindings = []
    for row in result.rows:
        bindings.append(
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        )
    return (
        json.dumps(
            {"head": {"vars": result.variables}, "results": {"bindings": bindings}},
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )


def to_turtle(result: QueryResult) -> str:
    if result.kind != "graph" or result.graph is None:
        raise ValueError("turtle output is for CONSTRUCT and DESCRIBE queries; use csv, tsv or json")
    from mpdkg.build import PREFIXES

    for prefix, ns in PREFIXES.items():
        result.graph.bind(prefix, ns, override=True, replace=True)
    return result.graph.serialize(format="turtle")


def short(term, nsm=None) -> str:
    """A readable form for tables: prefixed IRIs, plain literal text."""
    if term is None:
        return ""
    if isinstance(term, URIRef) and nsm is not None:
        try:
            return nsm.normalizeUri(term)
        except Exception:
            return str(term)
    return str(term)
