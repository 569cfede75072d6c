"""SHACL validation of the built graph, reported in a curator's terms (file, line, value, message).

pySHACL runs on a plain in-memory rdflib Graph (the union of ontology and curated facts): it is
both correct and fast enough for the curated graph; the only cross-node rule is one SPARQL query.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from mpdkg import paths
from mpdkg.errors import Origin
from mpdkg.namespaces import ONTOLOGY
from mpdkg.rdf.build import Built
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
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    try:
        return graph.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)
    except Exception:
        return str(node)


def validate_graph(data: Graph, shapes: Graph | None = None, origin_of=None) -> Report:
    """Validate ``data``; ``origin_of(node)`` maps a node back to its source file and line."""
    shapes = shapes if shapes is not None else load_shapes()
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
                path=_short(data, results.value(result, SH.resultPath)),
                value=_short(data, value),
            )
        )
    findings.sort(key=lambda f: (f.origin is None, f.origin or Origin("", 0), f.message, f.focus))
    return Report(findings)


def validate_graph_rudof(data: Graph, shapes: Graph | None = None, origin_of=None) -> Report:
    """The fast path for large graphs: rudof's SHACL engine (Rust). The tests check that it finds
    the same violations as pySHACL on planted errors of every constraint kind the shapes use."""
    import json
    import tempfile

    import pyoxigraph as ox
    import pyrudof

    from mpdkg.rdf.engine import sorted_triples

    shapes = shapes if shapes is not None else load_shapes()
    with tempfile.TemporaryDirectory() as tmp:
        data_path, shapes_path = Path(tmp) / "data.nt", Path(tmp) / "shapes.ttl"
        data_path.write_bytes(ox.serialize(sorted_triples(data), format=ox.RdfFormat.N_TRIPLES))
        shapes.serialize(shapes_path, format="turtle")
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(str(data_path), format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(str(shapes_path))
        report = rudof.validate_shacl()
    findings = []
    for entry in report.violations:
        message = entry.message or entry.constraint_component.rsplit("#", 1)[-1]
        if message.startswith('"') and message.endswith('"'):
            try:
                message = json.loads(message)
            except ValueError:
                message = message[1:-1]
        focus = entry.focus_node
        subject = entry.value if focus == str(ONTOLOGY) and entry.value else focus
        findings.append(
            Finding(
                origin=origin_of(URIRef(subject)) if origin_of else None,
                severity=str(entry.severity).lower(),
                message=message,
                focus=subject,
                path=_short(data, URIRef(entry.path)) if entry.path else "",
                value=entry.value or "",
            )
        )
    findings = sorted(
        set(findings), key=lambda f: (f.origin is None, f.origin or Origin("", 0), f.message, f.focus)
    )
    return Report(findings)


ENGINES = ("pyshacl", "rudof")


def validate_built(built: Built, shapes: Graph | None = None, engine: str = "pyshacl") -> Report:
    """Validate a build with pySHACL (the reference) or rudof (fast, for large graphs)."""
    graph = union_graph(built.dataset)
    if engine == "rudof":
        return validate_graph_rudof(graph, shapes, built.origin_of)
    return validate_graph(graph, shapes, built.origin_of)
