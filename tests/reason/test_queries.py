"""Issue #17: the reasoner runs no SPARQL written inside its Python. The only SPARQL it runs are
the rules, ``ontology/rules/*.rq`` (project data, digested by the reason stage and shipped in the
wheel as ``mpdkg/_data/ontology/rules``); a query of its own would belong in
``src/mpdkg/reason/queries/*.rq``, read with ``mpdkg.query.package_query``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import mpdkg.reason

REASON = Path(mpdkg.reason.__file__).parent
# a query form or prologue keyword, and a variable or a group: SPARQL, not a message about it
KEYWORD = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|PREFIX|WHERE)\b")
BODY = re.compile(r"[?$][A-Za-z_]\w*|\{\s*[?<]")


def sparql_in(source: str) -> list[int]:
    """The lines of string constants in ``source`` that look like SPARQL."""
    found = []
    for node in ast.walk(ast.parse(source)):
        text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
        if KEYWORD.search(text) and BODY.search(text):
            found.append(node.lineno)
    return found


def test_no_sparql_inside_the_reasoners_python():
    hits = {p.name: sparql_in(p.read_text(encoding="utf-8")) for p in sorted(REASON.rglob("*.py"))}
    assert hits and all(not lines for lines in hits.values()), hits


def test_the_check_sees_an_inline_query():
    assert sparql_in('Q = """SELECT ?s WHERE { ?s ?p ?o }"""\n') == [1]
    assert sparql_in('Q = "PREFIX mpd: <x> CONSTRUCT { ?s a mpd:C } WHERE { ?s ?p ?o }"\n') == [1]
    assert sparql_in('raise ValueError("a rule must be a CONSTRUCT query")\n') == []


def test_the_rules_are_files_the_reasoner_reads():
    from mpdkg.reason.hermit import load_rules

    rules = load_rules()
    assert rules and all(r.path.suffix == ".rq" and "CONSTRUCT" in r.text for r in rules)
