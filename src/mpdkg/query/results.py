"""Query results in one shape whatever engine produced them, written in the SPARQL 1.1 result
formats (CSV, TSV, JSON) or as a table; graphs (CONSTRUCT/DESCRIBE) as Turtle.

CSV and TSV are opened in spreadsheets, which run a cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula ("CSV injection"): such a cell gets the usual
``'`` prefix (``spreadsheet_safe``), unless it is a plain number such as ``-1.5``. JSON and RDF
keep the literal as it is. Every CSV mpdkg writes goes through ``csv_writer``.

>>> spreadsheet_safe("=1+1"), spreadsheet_safe("-1.5"), spreadsheet_safe("Canada")
("'=1+1", '-1.5', 'Canada')
"""

from __future__ import annotations

import csv
import io
import re
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


#: What a spreadsheet takes for the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value) -> str:
    """``value`` as a CSV/TSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(buf, **kwargs) -> _SafeWriter:
    """A ``csv.writer`` whose cells go through ``spreadsheet_safe``."""
    return _SafeWriter(csv.writer(buf, **kwargs))


def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term) -> str:
    """A term in the Turtle form SPARQL TSV uses, on one line; a literal that a spreadsheet would
    take for a formula gets the ``'`` prefix inside its quotes."""
    if term is None:
        return ""
    if not isinstance(term, Literal):
        return term.n3()
    text = f'"{spreadsheet_safe(str(term)).translate(_TSV_ESCAPES)}"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype:
        return f"{text}^^<{term.datatype}>"
    return text


def to_csv(result: QueryResult, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv_writer(buf, delimiter=delimiter, lineterminator="\r\n")
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
        lines.append("\t".join(_tsv_term(t) for t in row))
    return "\n".join(lines) + "\n"


def serialize(result: QueryResult, fmt: str) -> bytes:
    """SELECT and ASK answers in SPARQL JSON, XML or CSV, written by rdflib's serialisers; TSV (and
    the CSV of an ASK, which rdflib's CSV writer does not take) by mpdkg. CSV cells a spreadsheet
    would run as a formula get the usual ``'`` prefix first (issue #21); JSON and XML keep the
    literal. The command line and the endpoint both answer through this."""
    from rdflib import Variable
    from rdflib.query import Result

    if fmt == "tsv" or (fmt == "csv" and result.kind == "ask"):
        return (to_tsv(result) if fmt == "tsv" else to_csv(result)).encode("utf-8")
    if result.kind == "ask":
        out = Result("ASK")
        out.askAnswer = bool(result.boolean)
    else:
        out = Result("SELECT")
        out.vars = [Variable(v) for v in result.variables]

        def cell(term):
            if fmt == "csv" and isinstance(term, Literal) and spreadsheet_safe(term) != str(term):
                return Literal(spreadsheet_safe(term))
            return term

        out.bindings = [
            {Variable(v): cell(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
    written = out.serialize(format=fmt, encoding="utf-8")
    assert written is not None  # no destination given: the bytes are returned
    return written


# --- answers written by Oxigraph's result writers (the endpoint's workers) ----------------------


def more_rows_than(body: bytes, fmt: str, limit: int) -> bool:
    """Whether a SPARQL result ``body`` in ``fmt`` (as Oxigraph's writers write it) has more than
    ``limit`` rows. XML and TSV are counted exactly at once (a ``<result>`` element, a line: their
    text escapes ``<`` and newlines); for JSON and CSV a quick count is an upper bound (a literal
    may hold ``},{`` or a newline), and the rows are read one by one only when it is over."""
    if fmt == "xml":
        return body.count(b"<result>") > limit
    if fmt == "tsv":
        return body.count(b"\n") - 1 > limit
    if fmt == "json":
        if body.count(b"},{") + 1 <= limit:
            return False
        import pyoxigraph as ox

        rows = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(rows, ox.QuerySolutions)  # a SELECT answer, not an ASK
        return sum(1 for _solution in rows) > limit
    if fmt == "csv":
        if body.count(b"\n") - 1 <= limit:
            return False
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1 > limit
    raise ValueError(f"not a SPARQL result format: {fmt}")


# A cell that may need the ' prefix: at the start of the text or of a line, or after a separator,
# maybe quoted. Only answers with such a cell are rewritten; most have none.
_CSV_RISK = re.compile(rb'(?:^|[,\n])"?[=+\-@\t\r]')
# A quoted literal of SPARQL TSV beginning with a formula character (a tab or a carriage return
# are written \t and \r there); its text up to the closing quote.
_TSV_RISK = re.compile(rb'(?:^|(?<=[\t\n]))"(?=[=+\-@]|\\[tr])((?:[^"\\]|\\.)*)"')


def spreadsheet_safe_csv(body: bytes) -> bytes:
    """A SPARQL CSV answer with every cell that a spreadsheet would run as a formula given the
    ``'`` prefix (``spreadsheet_safe``); returned as it is when no cell needs it."""
    if not _CSV_RISK.search(body):
        return body
    buf = io.StringIO()
    csv_writer(buf, lineterminator="\r\n").writerows(
        csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    )
    return buf.getvalue().encode("utf-8")


def _tsv_safe(match: re.Match) -> bytes:
    text = match.group(1)
    if _NUMBER.fullmatch(text.decode("utf-8")):
        return match.group()
    return b"\"'" + text + b'"'


def spreadsheet_safe_tsv(body: bytes) -> bytes:
    """A SPARQL TSV answer with the ``'`` prefix inside the quotes of every literal that a
    spreadsheet would run as a formula (as ``to_tsv`` writes it); plain numbers stay as they are."""
    return _TSV_RISK.sub(_tsv_safe, body)


def to_turtle(result: QueryResult) -> str:
    if result.kind != "graph" or result.graph is None:
        raise ValueError("turtle output is for CONSTRUCT and DESCRIBE queries; use csv, tsv or json")
    from mpdkg.namespaces import PREFIXES

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
