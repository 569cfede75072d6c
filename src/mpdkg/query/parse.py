"""The one front door for SPARQL text: every query, from the CLI, the server or a remote
endpoint, is read here before an engine sees it.

Why a reader of our own: the engines read text differently. rdflib expands ``\\uXXXX`` escapes
across the whole text before parsing, Oxigraph does not, so a check made on rdflib's reading
was once fooled into passing a ``SERVICE`` that Oxigraph then executed. This module reads the
text the way Oxigraph does (strings, IRIs and comments as its grammar delimits them) *and* the
way rdflib does (escapes expanded first), and refuses what either reading shows: Update forms,
``SERVICE``, and texts that would make a parser recurse or crawl (deep nesting, huge
expressions). The syntax itself is then judged by the engine that runs the query.

It also gives every engine the same predeclared prefixes (added only where the query does not
declare them), and names an unknown prefix in one line.

>>> c = check("SELECT ?f WHERE { ?f a mpd:Forum }")
>>> c.form, sorted(c.needed)
('select', ['mpd'])
>>> check('SELECT * WHERE { ?s ?p "SERVICE" }').form  # the word in a string is no reason to refuse
'select'
>>> check("ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
mpdkg.query.parse.ServiceRefused: SERVICE is not allowed: ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mpdkg.errors import MpdkgError

# The prefixes a query may use without declaring them: our dumps' own, plus the W3C ones a
# researcher types from habit (rdf:, dcat:, void:). One table for the CLI, the server and remotes.
_W3C = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


def query_prefixes() -> dict[str, str]:
    """Prefix -> namespace for every query (W3C vocabularies and the dumps' prefixes)."""
    from mpdkg.namespaces import PREFIXES

    return {**_W3C, **{prefix: str(ns) for prefix, ns in PREFIXES.items()}}


#: Deeper than this, or with more operators than that, a text is refused before any parser
#: sees it: Oxigraph's parser recursed out of its stack on 8,000 ``+`` (a crash, not an error),
#: and rdflib's took 11 s on 4 KB of them. Real queries stay far below (the catalogue: depth 6).
MAX_DEPTH = 64
MAX_OPERATORS = 2000
MAX_CHARS = 200_000


class QueryRefused(MpdkgError):
    """The text is not a query this program runs; ``status`` is the HTTP answer for it."""

    exit_code = 2
    status = 400

    def report(self) -> str:
        return str(self)


class QuerySyntaxError(QueryRefused):
    status = 400


class UpdateRefused(QueryRefused):
    status = 403


class ServiceRefused(QueryRefused):
    status = 403


@dataclass(frozen=True)
class Checked:
    """A query that passed the checks: its text, form and the prefixes it uses undeclared."""

    text: str
    form: str  # select, ask, construct, describe
    needed: frozenset[str]  # known prefixes used without a PREFIX declaration
    prefixes: dict  # prefix -> namespace, for those needed

    def with_prologue(self) -> str:
        """The text with PREFIX lines for the prefixes it uses undeclared (for engines that
        cannot be given prefixes another way, such as a remote endpoint)."""
        head = "".join(f"PREFIX {p}: <{self.prefixes[p]}>\n" for p in sorted(self.needed))
        return head + self.text


# Tokens as Oxigraph's grammar delimits them, tried leftmost-first: long strings, short strings
# (one line), IRIs (no spaces, quotes, braces or angle brackets inside), comments to end of line,
# and, outside those, a backslash with the character after it: a prefixed name's escape
# (PN_LOCAL_ESC, ``ex:a\'`` or ``ex:a\#``), which Oxigraph reads as part of the name. Without
# that last one the quote opened a string here (or the '#' a comment) and hid a SERVICE after it.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n\r]*|\\.',
    re.S,
)
_PROLOGUE = re.compile(r"\s*(?:PREFIX\s+(?:[A-Za-z][\w.-]*)?:\s*|BASE\s*)", re.I)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_SERVICE = re.compile(r"(?<![?$\w])SERVICE(?![\w])", re.I)
_DECLARED = re.compile(r"\bPREFIX\s+((?:[A-Za-z][\w.-]*)?):", re.I)
_PNAME = re.compile(r"(?<![\w?$:.\-])((?:[A-Za-z][\w.-]*)?):")
_OPERATORS = re.compile(r"\|\||&&|!=|<=|>=|[-+*/=<>!]")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def blank(text: str) -> str:
    """The text with strings, IRIs and comments blanked out (same length, same positions)."""
    return _TOKENS.sub(lambda m: "".join("\n" if c == "\n" else " " for c in m.group()), text)


def _unescaped(text: str) -> str:
    """The text as rdflib reads it: codepoint escapes expanded before parsing."""

    def expand(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group()

    return _ESCAPE.sub(expand, text)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def syntax_message(text: str, line: int, col: int, msg: str) -> str:
    """One line saying where, then the query line with a caret under the place."""
    lines = text.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    msg = " ".join(msg.split())
    if len(msg) > 200:  # a parser's list of expected character ranges helps nobody
        msg = msg[:200] + " …"
    return f"SPARQL syntax error at line {line}, column {col}: {msg}\n  {shown}\n  {' ' * max(col - 1, 0)}^"


_OX_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?: (.*)", re.S)


def oxigraph_syntax_message(text: str, exc: Exception) -> str:
    """Oxigraph's SyntaxError as one line with the place, then the line with a caret."""
    m = _OX_POSITION.search(str(exc))
    if m:
        return syntax_message(text, int(m.group(1)), int(m.group(2)), m.group(3).strip())
    return f"SPARQL syntax error: {' '.join(str(exc).split())[:300]}"


def _form(plain: str, text: str) -> str:
    at = 0
    while m := _PROLOGUE.match(plain, at):
        if m.end() == at:
            break
        at = m.end()
    word = _FIRST_WORD.search(plain, at)
    keyword = word.group().upper() if word else ""
    if keyword in _UPDATES:
        raise UpdateRefused("SPARQL Update is not allowed: queries here are read-only")
    if keyword not in _FORMS:
        if not plain.strip():
            raise QuerySyntaxError(
                "empty query: give the SPARQL text of a SELECT, ASK, CONSTRUCT or DESCRIBE"
            )
        line, col = position(text, word.start() if word else at)
        raise QuerySyntaxError(
            syntax_message(
                text, line, col, "expected SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX lines)"
            )
        )
    return keyword.lower()


def _limits(plain: str, text: str) -> None:
    depth = deepest = 0
    for i, c in enumerate(plain):
        if c in "{([":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    line, col = position(text, i)
                    raise QuerySyntaxError(
                        f"the query is nested more than {MAX_DEPTH} levels deep (line {line}, column {col}); "
                        "this endpoint refuses it rather than risk its parser"
                    )
        elif c in "})]":
            depth -= 1
    operators = len(_OPERATORS.findall(plain))
    if operators > MAX_OPERATORS:
        raise QuerySyntaxError(
            f"the query has {operators:,} operators (limit {MAX_OPERATORS:,}); split the expression "
            "or use VALUES / IN (...) for long lists"
        )


def check(text: str, known: dict[str, str] | None = None) -> Checked:
    """Refuse Update, SERVICE and parser-hostile texts; find the query form and the prefixes the
    query uses without declaring; name an unknown prefix with its line and column."""
    if len(text) > MAX_CHARS:
        raise QuerySyntaxError(f"the query is {len(text):,} characters long (limit {MAX_CHARS:,})")
    known = query_prefixes() if known is None else known
    plain = blank(text)
    readings = [plain]
    if _ESCAPE.search(text):
        readings.append(blank(_unescaped(text)))
    form = _form(plain, text)
    for reading in readings:
        if _SERVICE.search(reading):
            raise ServiceRefused(
                "SERVICE is not allowed: queries here answer from their own data and never call "
                "other endpoints"
            )
    _limits(plain, text)
    declared = {m.group(1) for m in _DECLARED.finditer(plain)}
    needed = set()
    for m in _PNAME.finditer(plain):
        prefix = m.group(1)
        if prefix in declared:
            continue
        if prefix.upper() == "PREFIX" or _DECLARED.match(plain, m.start()):
            continue
        if prefix in known:
            needed.add(prefix)
            continue
        line, col = position(text, m.start())
        raise QuerySyntaxError(
            f"unknown prefix '{prefix}:' at line {line}, column {col} "
            f"(known without a PREFIX line: {', '.join(sorted(known))})"
        )
    return Checked(text, form, frozenset(needed), {p: known[p] for p in needed})


def check_allowing_service(text: str, known: dict[str, str] | None = None) -> Checked:
    """As ``check``, for a user who asked for the network (``mpdkg query --allow-network``)."""
    try:
        return check(text, known)
    except ServiceRefused:
        stripped = _SERVICE.sub(lambda m: "_" * len(m.group()), text)
        found = check(stripped, known)
        return Checked(text, found.form, found.needed, found.prefixes)


def uses_service(text: str) -> bool:
    try:
        check(text)
    except ServiceRefused:
        return True
    except QueryRefused:
        return False
    return False


__all__ = [
    "MAX_DEPTH",
    "MAX_OPERATORS",
    "Checked",
    "QueryRefused",
    "QuerySyntaxError",
    "ServiceRefused",
    "UpdateRefused",
    "blank",
    "check",
    "check_allowing_service",
    "oxigraph_syntax_message",
    "position",
    "query_prefixes",
    "syntax_message",
]
