"""Run SPARQL on the embedded graph (Oxigraph by default, rdflib on request) or on any remote
SPARQL 1.1 endpoint, with parameters bound through VALUES and no surprise network access.

>>> from mpdkg.query.catalogue import get_query
>>> engine = open_engine()
>>> result = run_query(engine, get_query("forum-members"), {"forum": "rcm"})
>>> "member" in result.variables
True
"""

from __future__ import annotations

import json
import re
import socket
import threading
import urllib.error
from pathlib import Path

import pyoxigraph as ox
import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import Dataset, Graph, Literal, URIRef

from mpdkg import netguard
from mpdkg.errors import MpdkgError, UsageError
from mpdkg.namespaces import ONTOLOGY_NS
from mpdkg.query.catalogue import CatalogueQuery, Parameter, parse_query_text
from mpdkg.query.parse import (
    Checked,
    QuerySyntaxError,
    ServiceRefused,
    UpdateRefused,
    blank,
    check,
    check_allowing_service,
    oxigraph_syntax_message,
    syntax_message,
)
from mpdkg.query.results import QueryResult
from mpdkg.rdf.engine import from_ox, memoised, store_from_dataset

# rdflib would otherwise fetch the IRIs named in FROM / FROM NAMED (and read local files).
rdflib_sparql.SPARQL_LOAD_GRAPHS = False

DEFAULT_TIMEOUT = 30.0


class QueryFailed(MpdkgError):
    exit_code = 1

    def report(self) -> str:
        return str(self)


class EndpointError(MpdkgError):
    exit_code = 3

    def report(self) -> str:
        return str(self)


# --- parsing, checking and binding -------------------------------------------------------------


#: rdflib's SPARQL parser (pyparsing) is not thread-safe; every caller parses under this lock.
PARSER_LOCK = threading.Lock()

#: A query checked by the front door (``mpdkg.query.parse``): text, form, prefixes it needs.
Parsed = Checked


def parse(text: str, allow_network: bool = False) -> Checked:
    """The one front door for every engine: Update, SERVICE (unless allowed) and parser-hostile
    texts refused, prefixes resolved, an unknown prefix named with line and column."""
    try:
        return check_allowing_service(text) if allow_network else check(text)
    except UpdateRefused:
        raise UsageError(
            "this is a SPARQL UPDATE; mpdkg query only reads (use mpdkg push to load data)"
        ) from None
    except ServiceRefused:
        raise UsageError(
            "the query uses SERVICE, which would reach the network; pass --allow-network if you mean it"
        ) from None


def _ox_syntax_error(text: str, exc: SyntaxError) -> QuerySyntaxError:
    return QuerySyntaxError(oxigraph_syntax_message(text, exc))


def _outer_where_brace(text: str) -> int:
    plain = blank(text)
    depth = 0
    first_top_brace = None
    for m in re.finditer(r"[{}]|\bWHERE\b", plain, re.I):
        token = m.group()
        if token == "{":
            if depth == 0 and first_top_brace is None:
                first_top_brace = m.start()
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            brace = plain.find("{", m.end())
            if brace != -1:
                return brace
    if first_top_brace is not None:  # SELECT * { ... } (CONSTRUCT always has WHERE)
        return first_top_brace
    raise UsageError("cannot bind parameters: the query has no WHERE { ... } clause")


def _undeclared_term(value: str):
    """The term an undeclared --param binds: an IRI (<...>, http(s)://..., or a prefixed name of
    the usual prefixes such as country:MEX), a whole number, else a string literal."""
    from mpdkg.namespaces import PREFIXES

    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    if re.match(r"^https?://\S+$", value):
        return URIRef(value)
    prefixed = re.match(r"^([A-Za-z][\w-]*):([\w.-]+)$", value)
    if prefixed and prefixed.group(1) in PREFIXES:
        return URIRef(str(PREFIXES[prefixed.group(1)]) + prefixed.group(2))
    if re.match(r"^-?\d+$", value):
        return Literal(int(value))
    return Literal(value)


def _declares_parameters(query: CatalogueQuery) -> bool:
    """A catalogue query (it has a title) or one with a parameters header says which parameters it
    takes, so any other name is a mistake; only a bare ad hoc query binds free variables by name."""
    return bool(query.parameters) or "title" in query.headers or "parameters" in query.headers


def _no_such_parameter(query: CatalogueQuery, name: str) -> UsageError:
    takes = ", ".join(p.name for p in query.parameters) or "none"
    return UsageError(f"{query.name} has no parameter {name!r}; it takes: {takes}")


def bind(query: CatalogueQuery, values: dict[str, str]) -> str:
    """The query text with a VALUES block binding each parameter (declared ones typed)."""
    declared = {p.name: p for p in query.parameters}
    terms = {}
    for name, param in declared.items():
        if name in values:
            terms[name] = param.term(values[name])
        elif param.default is not None:
            terms[name] = param.term(param.default)
        else:
            raise UsageError(f"{query.name} needs --param {name}=... ({param.kind})")
    for name, value in values.items():
        if name in declared:
            continue
        if _declares_parameters(query):
            raise _no_such_parameter(query, name)
        if not re.match(r"^[A-Za-z_]\w*$", name):
            raise UsageError(f"--param {name}=...: not a SPARQL variable name")
        terms[name] = _undeclared_term(value)
    if not terms:
        return query.text
    names = sorted(terms)
    block = (
        f"\n  VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms[n].n3() for n in names)}) }}\n"
    )
    at = _outer_where_brace(query.text) + 1
    return query.text[:at] + block + query.text[at:]


# --- engines ------------------------------------------------------------------------------------


def _converted_rows(answer: ox.QuerySolutions) -> list[tuple]:
    """The solutions as rows of rdflib terms, each distinct term converted once: a large answer
    repeats its classes, kinds and counts in every row, and making rdflib terms was most of the
    time of a query (weak-sources at 1M synthetic triples: 14 of 19 s under a profiler)."""
    term = memoised(from_ox)  # from_ox(None) is None: an unbound variable

    # a solution iterates over its values in the order of the variables; looking each up by
    # name cost twice the time of the conversion (weak-sources at 1M: 0.75 s of 0.95 s)
    return [tuple(map(term, sol)) for sol in answer]


class OxigraphEngine:
    """The embedded default: an in-memory Oxigraph store, default graph = union of all graphs."""

    name = "oxigraph"

    def __init__(self, store: ox.Store):
        self.store = store

    def run(self, parsed: Parsed) -> QueryResult:
        answer = self.store.query(parsed.text, prefixes=parsed.prefixes, use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            return QueryResult("select", variables=variables, rows=_converted_rows(answer))
        graph = Graph()
        for triple in answer:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return QueryResult("graph", graph=graph)


class RdflibEngine:
    """Plain rdflib, kept as the reference implementation the fast engine is checked against."""

    name = "rdflib"

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.dataset.default_union = True

    def run(self, parsed: Parsed) -> QueryResult:
        with PARSER_LOCK:
            try:
                answer = self.dataset.query(parsed.text, initNs=parsed.prefixes)
            except ParseException as exc:
                raise QuerySyntaxError(syntax_message(parsed.text, exc.lineno, exc.col, exc.msg)) from None
        if answer.type == "ASK":
            return QueryResult("ask", boolean=bool(answer.askAnswer))
        if answer.type == "SELECT":
            variables = [str(v) for v in answer.vars or []]
            return QueryResult("select", variables=variables, rows=[tuple(row) for row in answer])  # type: ignore[arg-type]
        graph = Graph()
        for triple in answer:
            graph.add(triple)  # type: ignore[arg-type]
        return QueryResult("graph", graph=graph)


class RemoteEngine:
    """Any SPARQL 1.1 Protocol endpoint, through SPARQLWrapper."""

    name = "remote"

    def __init__(
        self, url: str, timeout: float = DEFAULT_TIMEOUT, user: str | None = None, password: str | None = None
    ):
        if not re.match(r"^https?://", url):
            raise UsageError(f"--endpoint {url!r}: expected an http:// or https:// address")
        self.url = url
        self.timeout = timeout
        self.user = user
        self.password = password

    def _wrapper(self):
        from SPARQLWrapper import POST, SPARQLWrapper

        sparql = SPARQLWrapper(self.url)
        sparql.setTimeout(int(max(1, self.timeout)))
        sparql.setMethod(POST)
        if self.user:
            sparql.setCredentials(self.user, self.password or "")
        return sparql

    def run(self, parsed: Parsed) -> QueryResult:
        from SPARQLWrapper import JSON, TURTLE

        sparql = self._wrapper()
        sparql.setQuery(parsed.with_prologue())
        # SPARQLWrapper guesses the form with a regex that a prefix such as sdmx-attribute: fools
        # (it took one query for an ADD update); the front door has read the form already.
        sparql.queryType = parsed.form.upper()
        graph_form = parsed.form in ("construct", "describe")
        sparql.setReturnFormat(TURTLE if graph_form else JSON)
        body = self._fetch(sparql)
        if graph_form:
            graph = Graph()
            try:
                graph.parse(data=body, format="turtle")
            except Exception as exc:
                raise EndpointError(f"{self.url} answered something that is not Turtle: {exc}") from None
            return QueryResult("graph", graph=graph)
        return parse_json_results(body, self.url)

    def _fetch(self, sparql) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            response = sparql.query().response
            return response.read()
        except SPARQLWrapperException as exc:
            detail = str(exc).strip().splitlines()
            raise EndpointError(f"{self.url} refused the query: {' '.join(detail)[:500]}") from None
        except urllib.error.HTTPError as exc:
            raise EndpointError(f"{self.url} answered HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise EndpointError(f"{self.url} did not answer within {self.timeout:g} s") from None
            raise EndpointError(f"cannot reach {self.url}: {reason}") from None
        except TimeoutError:
            raise EndpointError(f"{self.url} did not answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise EndpointError(f"cannot reach {self.url}: {exc}") from None


def parse_json_results(body: bytes, where: str) -> QueryResult:
    """SPARQL 1.1 JSON results -> QueryResult; a clear error for anything else."""
    try:
        data = json.loads(body)
        if "boolean" in data:
            return QueryResult("ask", boolean=bool(data["boolean"]))
        variables = list(data["head"]["vars"])
        rows = []
        for binding in data["results"]["bindings"]:
            rows.append(tuple(_json_to_term(binding.get(v)) for v in variables))
        return QueryResult("select", variables=variables, rows=rows)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        snippet = body[:120].decode("utf-8", "replace") if isinstance(body, bytes) else str(body)[:120]
        raise EndpointError(
            f"{where} answered something that is not SPARQL JSON results ({exc.__class__.__name__}): {snippet!r}"
        ) from None


def _json_to_term(value):
    from rdflib import BNode

    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return Literal(value["value"], lang=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = None
        return Literal(value["value"], datatype=URIRef(datatype) if datatype else None)
    raise ValueError(f"unknown term type {kind!r}")


# --- opening data -------------------------------------------------------------------------------


def default_data() -> Path | None:
    """The dump commands read when given none: dist/mpdkg.trig here, else the project's."""
    from mpdkg import paths

    for folder in (Path("dist"), paths.default_dist()):
        path = folder / "mpdkg.trig"
        if path.exists():
            return path
    return None


#: The open-data dump (mpdkg.rdf.opendata) that ``mpdkg run`` writes beside mpdkg.trig.
OPEN_DATA_DUMP = "open-data.nq.gz"


def with_open_data(dumps: list[Path]) -> list[Path]:
    """The dumps, plus the open-data dump beside the first one when it is there (only for the
    default data: dumps named on the command line are read as given)."""
    if not dumps:
        return dumps
    extra = Path(dumps[0]).parent / OPEN_DATA_DUMP
    return [*dumps, extra] if extra.is_file() and extra not in dumps else dumps


#: files under graph/ and ontology/ that no build reads: notes for the curators
_NOT_READ_BY_THE_BUILD = (".md", ".txt")


def stale_sources(dump: Path, root: Path | None = None) -> list[Path]:
    """Curated files changed after a dump was built: its answers would not show them. Notes
    (graph/TODO.md, READMEs) and hidden files are not sources: editing them changes no answer."""
    from mpdkg import paths

    try:
        built = dump.stat().st_mtime
    except OSError:
        return []
    root = root or paths.data_root()
    changed = []
    for folder in ("graph", "ontology"):
        for path in sorted((root / folder).rglob("*")):
            if (
                path.is_file()
                and not path.name.startswith(".")
                and path.suffix.lower() not in _NOT_READ_BY_THE_BUILD
                and path.stat().st_mtime > built
            ):
                changed.append(path)
    return changed


def load_store(paths_: list[Path]) -> ox.Store:
    from mpdkg.rdf.dumps import read_dump

    store = ox.Store()
    for path in paths_:
        try:
            data, fmt = read_dump(Path(path))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
        try:
            store.load(data, format=fmt)
        except SyntaxError as exc:
            raise UsageError(f"{path}: not valid RDF: {exc}") from None
    return store


def open_engine(data: list[Path] | None = None, engine: str = "oxigraph"):
    """The embedded engine over the given dumps, dist/mpdkg.trig (with dist/open-data.nq.gz when
    a full run wrote it), or (failing both) the sources."""
    paths_ = list(data or [])
    if not paths_ and default_data():
        paths_ = with_open_data([p for p in [default_data()] if p is not None])
    if engine == "rdflib":
        ds = Dataset(default_union=True)
        if paths_:
            from mpdkg.rdf.dumps import load_dump

            for path in paths_:
                try:
                    dump = load_dump(path)
                except (ValueError, OSError) as exc:
                    raise UsageError(str(exc)) from None
                for s, p, o, g in dump.quads((None, None, None, None)):
                    ds.graph(g if isinstance(g, URIRef) else getattr(g, "identifier", None)).add((s, p, o))
        else:
            ds = built_dataset()
        return RdflibEngine(ds)
    if paths_:
        from mpdkg.query.store import prepared_store

        return OxigraphEngine(prepared_store(paths_) or load_store(paths_))
    return OxigraphEngine(store_from_dataset(built_dataset()))


def built_dataset() -> Dataset:
    from mpdkg.rdf.build import build_dataset
    from mpdkg.sources.load import load_sources

    return build_dataset(load_sources()).dataset


def check_params_offline(query: CatalogueQuery, params: dict[str, str]) -> None:
    """What can be refused before any data is loaded: a parameter the query does not take, and a
    value of a kind that needs no lookup in the graph (a date, a year, a number). Ids and labels
    (forum, country, ...) are looked up in the graph by :func:`check_params`."""
    from mpdkg.query import ids as ids

    declared = {p.name: p for p in query.parameters}
    for name, value in params.items():
        param = declared.get(name)
        if param is None and _declares_parameters(query):
            raise _no_such_parameter(query, name)
        if param is not None and param.kind not in ids.PARAMETER_LISTS:
            if param.kind == "entity" and ids.is_bare(value):
                continue  # an id or a label, looked up in the graph by check_params
            param.term(value)  # a UsageError naming the expected form


def check_params(engine, query: CatalogueQuery, params: dict[str, str]) -> dict[str, str]:
    """Parameters of a known kind (forum, agreement, country, region, role, pillar, source)
    looked up in the engine's graph: an id is kept, a label or alternative label is turned into
    its id, and anything else is an error naming the closest ids."""
    from mpdkg.query import ids as ids

    out = dict(params)
    for param in query.parameters:
        if param.name in params and param.kind == "entity":
            out[param.name] = ids.resolve_entity(
                params[param.name], lambda plural: _cached_ids(engine, plural), param.name
            )
            continue
        if param.name not in params or param.kind not in ids.PARAMETER_LISTS:
            continue
        value = params[param.name]
        plural = ids.PARAMETER_LISTS[param.kind]
        entries = _cached_ids(engine, plural)
        if not entries:  # a graph without such things (another endpoint's data): nothing to check
            continue
        prefix = ids.KINDS[plural][2]
        known = {e.id for e in entries}
        try:
            if str(param.term(value))[len(prefix) :] in known:
                continue
        except UsageError:
            pass
        found = ids.resolve(param.kind, value, entries)
        if found is None:
            raise UsageError(f"--param {param.name}={value}: {ids.suggestion(param.kind, value, entries)}")
        out[param.name] = found
    return out


def _cached_ids(engine, plural: str):
    from mpdkg.query import ids as ids

    cache = engine.__dict__.setdefault("_ids", {})
    if plural not in cache:
        try:
            cache[plural] = ids.list_ids(engine, plural)
        except MpdkgError:
            cache[plural] = []
    return cache[plural]


_ONTOLOGY_NS = str(ONTOLOGY_NS)
_MPD_TERM = re.compile(r"(?<![\w?$:.\-])mpd:((?:[\w-]|\.(?=[\w-]))*)")
_MPD_IRI = re.compile(r"<https://w3id\.org/mpdkg/ontology#([^>\s]*)>")


def ontology_terms(file: str | None = None) -> frozenset[str]:
    """The local names the ontology defines (classes, properties, individuals), from ontology/
    (only those of ``file``, such as ``opendata.ttl``, when it is given)."""
    from mpdkg import paths

    folder = paths.ontology_file().parent
    files = [folder / file] if file else sorted(folder.glob("*.ttl"))
    key = str(files)
    if key not in _TERMS:
        graph = Graph()
        for path in files:
            graph.parse(path, format="turtle")
        _TERMS[key] = frozenset(
            str(s)[len(_ONTOLOGY_NS) :]
            for s in graph.subjects()
            if isinstance(s, URIRef) and str(s).startswith(_ONTOLOGY_NS)
        )
    return _TERMS[key]


_TERMS: dict[str, frozenset[str]] = {}


def named_terms(text: str) -> set[str]:
    """The local names of our ontology's namespace a query names (``mpd:x`` or the full IRI)."""
    declared = re.search(r"PREFIX\s+mpd:\s*<([^>]*)>", text, re.I)
    named = set()
    if declared is None or declared.group(1) == _ONTOLOGY_NS:
        named |= {m.group(1) for m in _MPD_TERM.finditer(blank(text)) if m.group(1)}
    named |= {m.group(1) for m in _MPD_IRI.finditer(text) if m.group(1)}
    return named


def reads_open_data(text: str) -> bool:
    """Whether a query names a term only the open-data ontology defines (an observation, a vote,
    a visa requirement) or an open-data IRI: without the open-data dump its answer is empty.

    >>> reads_open_data("SELECT * WHERE { ?o mpd:asylumCountry ?c }")
    True
    >>> reads_open_data("SELECT * WHERE { ?f a mpd:Forum }")
    False
    """
    only_open = ontology_terms("opendata.ttl") - ontology_terms("mpdkg.ttl")
    return bool(named_terms(text) & only_open) or "w3id.org/mpdkg/open-data/" in text


def term_warnings(text: str) -> list[str]:
    """``mpd:Agreemnt is not a term of the ontology; did you mean mpd:Agreement?`` for every
    term of our namespace the query names that the ontology does not define."""
    import difflib

    terms = ontology_terms()
    out = []
    for name in sorted(named_terms(text) - terms):
        near = difflib.get_close_matches(name, sorted(terms), n=1, cutoff=0.6)
        hint = f"; did you mean mpd:{near[0]}?" if near else " (docs/ontology.md lists the terms)"
        out.append(f"mpd:{name} is not a term of the ontology{hint}")
    return out


def run_query(
    engine, query: CatalogueQuery | str, params: dict[str, str] | None = None, allow_network: bool = False
) -> QueryResult:
    """Bind, check and run one query on an engine."""
    if isinstance(query, str):
        query = parse_query_text(query, "query")
    if params and query.parameters:
        params = check_params(engine, query, params)
    text = bind(query, params or {})
    remote = isinstance(engine, RemoteEngine)
    # One front door for every engine; the syntax itself is judged by the engine that runs it.
    # A remote endpoint decides for itself whether it follows SERVICE.
    parsed = parse(text, allow_network=allow_network or remote)
    if remote:
        return engine.run(parsed)
    with netguard.no_network(not allow_network):
        try:
            return engine.run(parsed)
        except SyntaxError as exc:
            raise _ox_syntax_error(text, exc) from None
        except MpdkgError:
            raise
        except Exception as exc:  # an engine's own evaluation error: say it plainly
            raise QueryFailed(f"the {engine.name} engine could not evaluate the query: {exc}") from None


__all__ = [
    "CatalogueQuery",
    "Checked",
    "EndpointError",
    "OxigraphEngine",
    "Parameter",
    "QuerySyntaxError",
    "RdflibEngine",
    "RemoteEngine",
    "bind",
    "check_params_offline",
    "open_engine",
    "parse",
    "run_query",
]
