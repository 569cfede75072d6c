"""The ontology reference (docs/ontology.md), generated from ontology/*.ttl, the rules and the graph.

Every class and property of the mpdkg namespace with its label, definition, domain, range and up
to three examples from the built graph (inferred facts included, so reason first); each defined
class gets a section in plain words with its formal definition and its current members.

>>> from mpdkg.sources.vocab import load_ontology
>>> onto = load_ontology()
>>> render_class_expression(onto, onto.value(MPD_NS.MobilityPartner, OWL.equivalentClass))
'`mpd:ForeignCountry` and (`mpd:partyTo` some (`mpd:MobilityArrangement` and `mpd:AgreementWithCanada`))'
"""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from mpdkg.namespaces import BASE, GRAPHS, ONTOLOGY_NS

MPD_NS = ONTOLOGY_NS
EXAMPLES = 3

_CHARACTERISTICS = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.IrreflexiveProperty, "irreflexive"),
    (OWL.TransitiveProperty, "transitive"),
)


# Instance namespaces the build does not bind, given short forms here for readability.
_MORE_PREFIXES = ("engagement-kind", "line-of-effort", "objective")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


class _Names:
    """Short, stable forms of terms: `prefix:local` for every bound namespace, quoted literals."""

    def __init__(self, graph: Graph):
        spaces = [(str(ns), prefix) for prefix, ns in graph.namespace_manager.namespaces() if prefix]
        spaces += [(BASE + name + "/", name) for name in _MORE_PREFIXES]
        self.spaces = sorted(spaces, key=lambda item: (-len(item[0]), item[1]))

    def term(self, node) -> str:
        if isinstance(node, Literal):
            if node.datatype is not None and not isinstance(node.value, str):
                return str(node)
            text = str(node)
            return '"' + (text if len(text) <= 40 else text[:37] + "...") + '"'
        if isinstance(node, URIRef):
            for ns, prefix in self.spaces:
                if node.startswith(ns) and len(node) > len(ns):
                    return f"`{prefix}:{node[len(ns) :]}`"
            return f"<{node}>"
        return "(an anonymous node)"


def render_class_expression(graph: Graph, node, names: _Names | None = None, nested: bool = False) -> str:
    """A class expression in words close to the Manchester syntax (``and``, ``or``, ``some`` ...)."""
    names = names or _Names(graph)
    if isinstance(node, URIRef):
        return names.term(node)

    def items(head) -> list:
        return list(Collection(graph, head)) if head is not None else []

    def wrap(text: str) -> str:
        return f"({text})" if nested else text

    g = graph
    if (head := g.value(node, OWL.intersectionOf)) is not None:
        return wrap(" and ".join(render_class_expression(g, x, names, True) for x in items(head)))
    if (head := g.value(node, OWL.unionOf)) is not None:
        return wrap(" or ".join(render_class_expression(g, x, names, True) for x in items(head)))
    if (other := g.value(node, OWL.complementOf)) is not None:
        return "not " + render_class_expression(g, other, names, True)
    if (other := g.value(node, OWL.datatypeComplementOf)) is not None:
        return "not " + render_class_expression(g, other, names, True)
    if (head := g.value(node, OWL.oneOf)) is not None:
        return "{" + ", ".join(names.term(x) for x in items(head)) + "}"
    prop = g.value(node, OWL.onProperty)
    if prop is not None and (said := _restriction(g, node, prop, names)) is not None:
        return wrap(said)
    return "(an anonymous class)"


_CARDINALITIES = (
    (OWL.cardinality, "exactly"),
    (OWL.maxCardinality, "max"),
    (OWL.minCardinality, "min"),
    (OWL.qualifiedCardinality, "exactly"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.minQualifiedCardinality, "min"),
)


def _restriction(g: Graph, node, prop, names: _Names) -> str | None:
    """An ``owl:Restriction`` on ``prop`` in words (``p some C``, ``p max 1`` ...), unwrapped."""
    inverse = g.value(prop, OWL.inverseOf) if isinstance(prop, BNode) else None
    p = f"inverse({names.term(inverse)})" if inverse is not None else names.term(prop)
    for key, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
        if (filler := g.value(node, key)) is not None:
            return f"{p} {word} {render_class_expression(g, filler, names, True)}"
    if (value := g.value(node, OWL.hasValue)) is not None:
        return f"{p} value {names.term(value)}"
    if g.value(node, OWL.hasSelf) is not None:
        return f"{p} Self"
    for key, word in _CARDINALITIES:
        if (n := g.value(node, key)) is not None:
            filler = g.value(node, OWL.onClass)
            tail = f" {render_class_expression(g, filler, names, True)}" if filler is not None else ""
            return f"{p} {word} {n}{tail}"
    return None


def _data_graph(dataset: Dataset) -> Graph:
    data = Graph()
    for name in (GRAPHS.curated, GRAPHS.inferred):
        for triple in dataset.graph(name):
            data.add(triple)
    return data


_INTRO = [
    "Examples come from the current graph, inferred facts included (`mpdkg reason` fills the",
    "`inferred` named graph). Memberships use W3C ORG, periods OWL-Time, sources PROV-O.",
    "",
    "Contents: [defined classes](#defined-classes-in-plain-words) ·",
    "[classes](#classes) · [object properties](#object-properties) ·",
    "[datatype properties](#datatype-properties) · [reused terms](#reused-terms) ·",
    "[disjointness](#disjoint-kinds) ·",
    "[rules](#rules) · [membership roles](#membership-roles)",
    "",
    "## Defined classes, in plain words",
    "",
    "Members of these classes are not curated: the reasoner (HermiT) infers them from the OWL",
    "definition, or a SPARQL rule derives them where OWL cannot say it. A class defined in OWL",
    "has exactly the members its definition allows, so a new fact changes them at the next build.",
    "",
]


class _Reference:
    """docs/ontology.md, one method per section; ``onto`` the ontology, ``data`` the facts."""

    def __init__(self, dataset: Dataset, rules: list):
        self.rules = rules
        self.onto = Graph()
        for triple in dataset.graph(GRAPHS.ontology):
            self.onto.add(triple)
        self.onto.namespace_manager = dataset.namespace_manager
        self.data = _data_graph(dataset)
        self.data.namespace_manager = dataset.namespace_manager
        self.names = _Names(self.onto)
        self.derived_by: dict[URIRef, list] = {}
        for rule in rules:
            for curie in rule.derives:
                prefix, _, local = curie.partition(":")
                if prefix == "mpd":
                    self.derived_by.setdefault(MPD_NS[local], []).append(rule)

    def ours(self, kind) -> list[URIRef]:
        subjects = set(self.onto.subjects(RDF.type, kind))
        return sorted(s for s in subjects if isinstance(s, URIRef) and s.startswith(MPD_NS))

    def text(self, node, prop) -> str:
        value = self.onto.value(node, prop)
        return _cell(str(value)) if value is not None else ""

    def listing(self, nodes) -> str:
        return ", ".join(self.names.term(n) for n in sorted(nodes, key=str))

    def expr(self, node) -> str:
        return render_class_expression(self.onto, node, self.names)

    def head(self) -> list[str]:
        version = self.onto.value(URIRef(BASE + "ontology"), OWL.versionInfo)
        return [
            "# Ontology reference",
            "",
            "<!-- generated by `mpdkg docs`; do not edit by hand -->",
            "",
            f"The terms of `ontology/mpdkg.ttl` (namespace `{MPD_NS}`, prefix `mpd:`"
            + (f", version {version}" if version else "")
            + ") and its companions in `ontology/`, with the SPARQL rules of `ontology/rules/`.",
            *_INTRO,
        ]

    def defined_section(self, cls: URIRef) -> list[str]:
        members = sorted(set(self.data.subjects(RDF.type, cls)), key=str)
        out = [
            f"### mpd:{cls[len(MPD_NS) :]} — {self.text(cls, RDFS.label)}",
            "",
            self.text(cls, SKOS.definition),
            "",
        ]
        for definition in sorted(self.onto.objects(cls, OWL.equivalentClass), key=str):
            out += [f"In OWL: {self.names.term(cls)} is exactly {self.expr(definition)}.", ""]
        for rule in self.derived_by.get(cls, []):
            out += [f"Derived by the rule `ontology/rules/{rule.path.name}` (see [rules](#rules)).", ""]
        shown = ", ".join(self.names.term(m) for m in members[:EXAMPLES])
        more = f" (for example {shown})" if members else ""
        out += [f"Members in the current graph: {len(members)}{more}.", ""]
        return out

    def defined(self, classes: list[URIRef]) -> list[str]:
        onto = self.onto
        defined = [
            c for c in classes if onto.value(c, OWL.equivalentClass) is not None or c in self.derived_by
        ]
        partners = [c for c in defined if str(c).endswith("Partner")]
        blocks = [c for c in defined if c not in partners]
        lines: list[str] = []
        for title, group in (
            ("Partners of Canada", partners),
            ("Building blocks of the definitions", blocks),
        ):
            if group:
                lines += [f"### {title}", ""]
                for cls in group:
                    lines += ["#" + x if x.startswith("### ") else x for x in self.defined_section(cls)]
        return lines

    def classes(self, classes: list[URIRef]) -> list[str]:
        lines = [
            "## Classes",
            "",
            "| class | label | definition | subclass of | examples |",
            "| --- | --- | --- | --- | --- |",
        ]
        for cls in classes:
            parents = self.listing(
                p for p in self.onto.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef)
            )
            instances = set(self.data.subjects(RDF.type, cls)) or set(self.onto.subjects(RDF.type, cls))
            examples = self.listing(sorted(instances, key=str)[:EXAMPLES])
            lines.append(
                f"| {self.names.term(cls)} | {self.text(cls, RDFS.label)} | "
                f"{self.text(cls, SKOS.definition)} | {parents} | {examples} |"
            )
        return lines

    def traits(self, prop: URIRef) -> list[str]:
        onto, names = self.onto, self.names
        traits = [word for cls, word in _CHARACTERISTICS if (prop, RDF.type, cls) in onto]
        inverses = set(onto.objects(prop, OWL.inverseOf)) | set(onto.subjects(OWL.inverseOf, prop))
        traits += [f"inverse of {names.term(q)}" for q in sorted(inverses, key=str) if isinstance(q, URIRef)]
        for chain in onto.objects(prop, OWL.propertyChainAxiom):
            traits.append("chain: " + " then ".join(names.term(x) for x in Collection(onto, chain)))
        return traits

    def properties(self, title: str, kind) -> list[str]:
        onto, names = self.onto, self.names
        lines = [
            "",
            f"## {title}",
            "",
            "| property | label | definition | domain | range | characteristics | examples |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for prop in self.ours(kind):
            domain = ", ".join(self.expr(d) for d in sorted(onto.objects(prop, RDFS.domain), key=str))
            rng = ", ".join(self.expr(r) for r in sorted(onto.objects(prop, RDFS.range), key=str))
            pairs = sorted(self.data.subject_objects(prop), key=lambda so: (str(so[0]), str(so[1])))[
                :EXAMPLES
            ]
            examples = "; ".join(f"{names.term(s)} → {names.term(o)}" for s, o in pairs)
            lines.append(
                f"| {names.term(prop)} | {self.text(prop, RDFS.label)} | {self.text(prop, SKOS.definition)} | "
                f"{domain} | {rng} | {_cell(', '.join(self.traits(prop)))} | {_cell(examples)} |"
            )
        return lines

    def reused(self) -> list[str]:
        lines = [
            "",
            "## Reused terms",
            "",
            "Terms of other vocabularies that the ontology declares so that OWL tools know their kind.",
            "",
            "| term | kind | label |",
            "| --- | --- | --- |",
        ]
        kinds = (
            (OWL.Class, "class"),
            (OWL.ObjectProperty, "object property"),
            (OWL.DatatypeProperty, "datatype property"),
        )
        for kind, word in kinds:
            for term in sorted(set(self.onto.subjects(RDF.type, kind)), key=str):
                if isinstance(term, URIRef) and not term.startswith(MPD_NS):
                    lines.append(f"| {self.names.term(term)} | {word} | {self.text(term, RDFS.label)} |")
        return lines

    def disjoint(self) -> list[str]:
        onto = self.onto
        lines = [
            "",
            "## Disjoint kinds",
            "",
            "Nothing is a member of two of the classes in one line (the reasoner rejects a graph that says so,",
            "and names the facts and source rows involved).",
            "",
        ]
        groups = []
        for axiom in onto.subjects(RDF.type, OWL.AllDisjointClasses):
            head = onto.value(axiom, OWL.members)
            groups.append(sorted(str(m) for m in Collection(onto, head)) if head is not None else [])
        for a, b in onto.subject_objects(OWL.disjointWith):
            groups.append(sorted((str(a), str(b))))
        for group in sorted(groups):
            lines.append("- " + ", ".join(self.names.term(URIRef(m)) for m in group))
        return lines

    def rules_section(self) -> list[str]:
        lines = [
            "",
            "## Rules",
            "",
            "SPARQL CONSTRUCT rules in `ontology/rules/` derive what OWL cannot express; `mpdkg reason` runs",
            "them over the asserted graph and adds their results to the `inferred` graph.",
            "",
        ]
        for rule in self.rules:
            derives = ", ".join(f"`{d}`" for d in rule.derives)
            lines += [f"### {rule.title}", "", f"`ontology/rules/{rule.path.name}` derives {derives}.", ""]
            if rule.description:
                lines += [rule.description, ""]
        return lines

    def roles(self) -> list[str]:
        onto = self.onto
        lines = [
            "## Membership roles",
            "",
            "| role | label | definition | participation |",
            "| --- | --- | --- | --- |",
        ]
        for role in sorted(onto.subjects(SKOS.inScheme, MPD_NS["RoleScheme"]), key=str):
            takes_part = "yes" if (role, RDF.type, MPD_NS["ParticipationRole"]) in onto else "no (a vote)"
            lines.append(
                f"| {self.names.term(role)} | {self.text(role, RDFS.label)} | "
                f"{self.text(role, SKOS.definition)} | {takes_part} |"
            )
        return lines


def render_ontology_markdown(dataset: Dataset, rules: list | None = None) -> str:
    """docs/ontology.md for ``dataset`` (its ontology graph, and its curated and inferred facts)."""
    from mpdkg.reason.hermit import load_rules

    doc = _Reference(dataset, load_rules() if rules is None else rules)
    classes = doc.ours(OWL.Class)
    lines = doc.head() + doc.defined(classes) + doc.classes(classes)
    lines += doc.properties("Object properties", OWL.ObjectProperty)
    lines += doc.properties("Datatype properties", OWL.DatatypeProperty)
    lines += doc.reused() + doc.disjoint() + doc.rules_section() + doc.roles()
    return "\n".join(lines) + "\n"
