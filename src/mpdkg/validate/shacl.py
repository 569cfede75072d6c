"""SHACL validation of the built graph, reported in a curator's terms (file, line, value, message).

Two engines read the same shapes and give the same findings (``tests/validate/``):

- ``rudof`` (Rust, the default): the dataset goes to it as N-Triples, no union graph; the
  curated graph's findings are cached per slice (``mpdkg.validate.cache``), so after a one-line
  edit the SHACL step checks one slice (about 0.2 s);
- ``pyshacl``, the reference: a plain in-memory rdflib Graph, the union of ontology and curated
  facts (never an oxrdflib store: it is slower and wrong there).

Both reports are rendered alike (values as their lexical form or a prefixed name, paths in SPARQL
syntax), so a finding reads the same whichever engine found it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Identifier, Node
from rdflib.util import from_n3

from mpdkg import paths
from mpdkg.errors import Origin
from mpdkg.namespaces import ONTOLOGY
from mpdkg.rdf.build import Built, new_dataset
from mpdkg.rdf.dumps import union_graph

SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True, order=True)
class Finding:
    origin: Origin | None
    severity: str
    message: str
    focus: str
    path: str
    value: str

    def __str__(self) -> str:
        where = str(self.origin) if self.origin else self.focus
        detail = f" (value: {self.value})" if self.value and self.value != self.focus else ""
        path = f" [{self.path}]" if self.path else ""
        return f"{where}: {self.severity}: {self.message}{detail}{path} <{self.focus}>"


@dataclass
class Report:
    findings: list[Finding]

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def text(self) -> str:
        lines = [str(f) for f in self.findings]
        lines.append(
            f"{len(self.violations)} violation(s), {len(self.findings) - len(self.violations)} warning(s)"
        )
        return "\n".join(lines)


def load_shapes(folder: Path | None = None) -> Graph:
    shapes = Graph()
    for path in sorted(Path(folder or paths.shapes_dir()).glob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


def _short(graph: Graph, node) -> str:
    """A node as a curator reads it: a literal's lexical form, an IRI as a prefixed name (or the
    bare IRI when no prefix fits), a SHACL path in SPARQL syntax (``a|b``, ``a/b``, ``^a``)."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, URIRef):
        try:
            short = graph.namespace_manager.normalizeUri(node)
        except Exception:
            return str(node)
        return short[1:-1] if short.startswith("<") and short.endswith(">") else short
    return str(node)


def _path_text(graph: Graph, results: Graph, node) -> str:
    """pySHACL copies a complex ``sh:resultPath`` into its results graph; write it as SPARQL."""
    if not isinstance(node, BNode):
        return _short(graph, node)
    alternatives = results.value(node, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(graph, results, item) for item in results.items(alternatives))
    if results.value(node, RDF.first) is not None:  # a sequence path is a plain list
        return "/".join(_path_text(graph, results, item) for item in results.items(node))
    inverse = results.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, results, inverse)
    for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = results.value(node, key)
        if inner is not None:
            return _path_text(graph, results, inner) + mark
    return str(node)


def _rudof_term(text: str | None):
    """rudof writes a value as N-Triples (``"x"@en``, ``"1"^^<...>``, ``_:b``) or a bare IRI."""
    if not text:
        return None
    if text.startswith('"'):
        return from_n3(text)
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text[1:-1] if text.startswith("<") and text.endswith(">") else text)


def _rudof_path(graph: Graph, text: str | None) -> str:
    """rudof writes an alternative path as ``(a | b)`` (a sequence as ``a / b``)."""
    if not text:
        return ""
    text = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1]
        for sep in (" | ", " / "):
            if sep in inner:
                return sep.strip().join(_rudof_path(graph, part) for part in inner.split(sep))
        text = inner
    if text.startswith("^"):
        return "^" + _rudof_path(graph, text[1:])
    return _short(graph, URIRef(text))


def _ordered(findings) -> list[Finding]:
    return sorted(
        set(findings),
        key=lambda f: (f.origin is None, f.origin or Origin("", 0), f.message, f.focus, f.path, f.value),
    )


def validate_graph(data: Graph, shapes: Graph | None = None, origin_of=None) -> Report:
    """Validate ``data``; ``origin_of(node)`` maps a node back to its source file and line."""
    shapes = shapes if shapes is not None else load_shapes()
    from pyshacl import validate as shacl_validate  # 0.2 s to import: only when it is used

    _conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True
    )
    findings = []
    for result in results.subjects(SH.resultSeverity, None):
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        subject = value if focus == ONTOLOGY and value is not None else focus
        origin = origin_of(subject) if origin_of else None
        findings.append(
            Finding(
                origin=origin,
                severity=SEVERITY.get(results.value(result, SH.resultSeverity), "violation"),
                message=str(results.value(result, SH.resultMessage) or "constraint not met"),
                focus=str(subject),
                path=_path_text(data, results, results.value(result, SH.resultPath)),
                value="" if value == subject else _short(data, value),
            )
        )
    return Report(_ordered(findings))


def _ntriples(data: Graph | Dataset | str) -> str:
    """The triples of a graph, or of every graph of a dataset (duplicates are harmless)."""
    if isinstance(data, str):
        return data
    if isinstance(data, Dataset):
        return "".join(g.serialize(format="nt") for g in data.graphs() if len(g))
    return data.serialize(format="nt")


SHAPE_ID = "urn:mpdkg:shape:"


def _named_shapes(shapes: Graph) -> tuple[Graph, dict[str | None, str]]:
    """A copy of ``shapes`` whose blank-node shapes (those with a path or a message) have IRIs,
    so that rudof's ``source_shape`` names the shape; and each shape's ``sh:message``."""
    with_path_or_message = {n for n in shapes.subjects(SH.path, None)} | {
        n for n in shapes.subjects(SH.message, None)
    }
    named: dict[Node, Node] = {
        node: URIRef(f"{SHAPE_ID}{i}")
        for i, node in enumerate(sorted(cast("set[Identifier]", with_path_or_message)))
        if isinstance(node, BNode)
    }
    copy = Graph()
    for prefix, ns in shapes.namespaces():
        copy.bind(prefix, ns, override=True, replace=True)
    for s, p, o in shapes:
        copy.add((named.get(s, s), p, named.get(o, o)))
    messages: dict[str | None, str] = {  # keyed like rudof's source_shape, which may be None
        str(s): str(m) for s, m in copy.subject_objects(SH.message) if copy.value(s, SH.select) is None
    }
    return copy, messages


def validate_graph_rudof(
    data: Graph | Dataset | str, shapes: Graph | None = None, origin_of=None, names: Graph | None = None
) -> Report:
    """rudof's SHACL engine (Rust), the fast default. ``data`` is a graph, a dataset (validated as
    the union of its graphs) or its N-Triples; ``names`` gives the prefixes values are shown with. ``tests/validate/`` checks that it gives the same findings as pySHACL
    on the curated graph and on a planted violation of every property shape."""
    import json

    import pyrudof

    shapes, messages = _named_shapes(shapes if shapes is not None else load_shapes())
    names = names if names is not None else (data if isinstance(data, Graph) else new_dataset())
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    strict = pyrudof.ReaderMode.Strict  # never drop a triple or a shape it cannot read
    rudof.read_data(_ntriples(data), format=pyrudof.RDFFormat.NTriples, reader_mode=strict)
    rudof.read_shacl(shapes.serialize(format="nt"), format=pyrudof.ShaclFormat.NTriples, reader_mode=strict)
    report = rudof.validate_shacl()
    findings = []
    for entry in report.violations:
        # SHACL: a result's message is its shape's sh:message; rudof keeps it for some
        # constraints only (not sh:or, sh:lessThanOrEquals, sh:uniqueLang, qualified counts)
        message = messages.get(entry.source_shape) or entry.message
        message = message or entry.constraint_component.rsplit("#", 1)[-1]
        if message.startswith('"') and message.endswith('"'):
            try:
                message = json.loads(message)
            except ValueError:
                message = message[1:-1]
        focus = entry.focus_node
        value = _rudof_term(entry.value)
        subject = str(value) if focus == str(ONTOLOGY) and value is not None else focus
        findings.append(
            Finding(
                origin=origin_of(URIRef(subject)) if origin_of else None,
                severity=str(entry.severity).lower(),
                message=message,
                focus=subject,
                path=_rudof_path(names, entry.path),
                value="" if value is None or str(value) == subject else _short(names, value),
            )
        )
    return Report(_ordered(findings))


#: The SHACL engines; the first is the default (``mpdkg validate``, ``build``, ``run``).
ENGINES = ("rudof", "pyshacl")
DEFAULT_ENGINE = ENGINES[0]


def validate_built(built: Built, shapes: Graph | None = None, engine: str = DEFAULT_ENGINE) -> Report:
    """Validate a build with rudof (fast, the default) or pySHACL (the reference)."""
    if engine == "rudof":
        return _validate_rudof(built, shapes)
    if engine != "pyshacl":
        raise ValueError(f"unknown SHACL engine {engine!r}: expected one of {', '.join(ENGINES)}")
    return validate_graph(union_graph(built.dataset), shapes, built.origin_of)


def _validate_rudof(built: Built, shapes: Graph | None, chunk: int | None = None) -> Report:
    """rudof over the build: in one run, or, for a large graph, its memberships a slice at a time
    with the same findings (``mpdkg.validate.chunks``), which bounds rudof's memory."""
    import pyoxigraph as ox

    from mpdkg.rdf.engine import SLICE_WORKERS
    from mpdkg.validate.chunks import CHUNK_FROM, CHUNK_TRIPLES, membership_slices

    if chunk is None and built.size_hint() < CHUNK_FROM:
        return _validate_rudof_cached(built, shapes)
    shapes = shapes if shapes is not None else load_shapes()
    # from the dumps' quads, which the build holds anyway at this size (shacl_triples would keep a
    # second list of a million triples alive while the dumps are written)
    triples = list(dict.fromkeys(q.triple for q in built.quads()))
    slices = membership_slices(triples, max(1, (chunk or CHUNK_TRIPLES) // SLICE_WORKERS))
    del triples

    def check(part: list[ox.Triple]) -> list[Finding]:
        text = (ox.serialize(part, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        found = validate_graph_rudof(text, shapes, built.origin_of).findings
        if part is slices.shared:
            return found
        return [f for f in found if slices.about_membership(f.focus)]  # not its context's

    findings: list[Finding] = []
    with ThreadPoolExecutor(max_workers=SLICE_WORKERS) as pool:  # rudof lets go of the GIL
        for found in pool.map(check, [slices.shared, *slices.parts]):
            findings += found
    return Report(_ordered(findings))


def _validate_rudof_cached(built: Built, shapes: Graph | None) -> Report:
    """rudof over a small build, slice by slice, each slice's findings read from the cache when
    its triples and the shapes are those of an earlier check (``mpdkg.validate.cache``)."""
    import dataclasses

    from mpdkg.validate.cache import cached_findings

    found = cached_findings(built, shapes if shapes is not None else load_shapes())
    return Report(_ordered(dataclasses.replace(f, origin=built.origin_of(URIRef(f.focus))) for f in found))
