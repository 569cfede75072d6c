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
    if prop is not None:
        inverse = g.value(prop, OWL.inverseOf) if isinstance(prop, BNode) else None
        p = f"inverse({names.term(inverse)})" if inverse is not None else names.term(prop)
        for key, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
            if (filler := g.value(node, key)) is not None:
                return wrap(f"{p} {word} {render_class_expression(g, filler, names, True)}")
        if (value := g.value(node, OWL.hasValue)) is not None:
            return wrap(f"{p} value {names.term(value)}")
        if g.value(node, OWL.hasSelf) is not None:
            return wrap(f"{p} Self")
        for key, word in (
            (OWL.cardinality, "exactly"),
            (OWL.maxCardinality, "max"),
            (OWL.minCardinality, "min"),
            (OWL.qualifiedCardinality, "exactly"),
            (OWL.maxQualifiedCardinality, "max"),
            (OWL.minQualifiedCardinality, "min"),
        ):
            if (n := g.value(node, key)) is not None:
                filler = g.value(node, OWL.onClass)
                tail = f" {render_class_expression(g, filler, names, True)}" if filler is not None else ""
                return wrap(f"{p} {word} {n}{tail}")
    return "(an anonymous class)"


def _data_graph(dataset: Dataset) -> Graph:
    data = Graph()
    for name in (GRAPHS.curated, GRAPHS.inferred):
        for triple in dataset.graph(name):
            data.add(triple)
    return data


def render_ontology_markdown(dataset: Dataset, rules: list | None = None) -> str:
    """docs/ontology.md for ``dataset`` (its ontology graph, and its curated and inferred facts)."""
    from mpdkg.reason.hermit import load_rules

    rules = load_rules() if rules is None else rules
    onto = Graph()
    for triple in dataset.graph(GRAPHS.ontology):
        onto.add(triple)
    onto.namespace_manager = dataset.namespace_manager
    data = _data_graph(dataset)
    data.namespace_manager = dataset.namespace_manager
    names = _Names(onto)

    def ours(kind) -> list[URIRef]:
        return sorted(
            s for s in set(onto.subjects(RDF.type, kind)) if isinstance(s, URIRef) and s.startswith(MPD_NS)
        )

    def text(node, prop) -> str:
        value = onto.value(node, prop)
        return _cell(str(value)) if value is not None else ""

    def listing(nodes) -> str:
        return ", ".join(names.term(n) for n in sorted(nodes, key=str))

    def expr(node) -> str:
        return render_class_expression(onto, node, names)

    classes = ours(OWL.Class)
    derived_by: dict[URIRef, list] = {}
    for rule in rules:
        for curie in rule.derives:
            prefix, _, local = curie.partition(":")
            if prefix == "mpd":
                derived_by.setdefault(MPD_NS[local], []).append(rule)
    defined = [c for c in classes if onto.value(c, OWL.equivalentClass) is not None or c in derived_by]
    partners = [c for c in defined if str(c).endswith("Partner")]
    blocks = [c for c in defined if c not in partners]
    version = onto.value(URIRef(BASE + "ontology"), OWL.versionInfo)

    lines = [
        "# Ontology reference",
        "",
        "<!-- generated by `mpdkg docs`; do not edit by hand -->",
        "",
        f"The terms of `ontology/mpdkg.ttl` (namespace `{MPD_NS}`, prefix `mpd:`"
        + (f", version {version}" if version else "")
        + ") and its companions in `ontology/`, with the SPARQL rules of `ontology/rules/`.",
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

    def defined_section(cls: URIRef) -> list[str]:
        members = sorted(set(data.subjects(RDF.type, cls)), key=str)
        out = [f"### mpd:{cls[len(MPD_NS) :]} — {text(cls, RDFS.label)}", "", text(cls, SKOS.definition), ""]
        for definition in sorted(onto.objects(cls, OWL.equivalentClass), key=str):
            out += [f"In OWL: {names.term(cls)} is exactly {expr(definition)}.", ""]
        for rule in derived_by.get(cls, []):
            out += [f"Derived by the rule `ontology/rules/{rule.path.name}` (see [rules](#rules)).", ""]
        shown = ", ".join(names.term(m) for m in members[:EXAMPLES])
        more = f" (for example {shown})" if members else ""
        out += [f"Members in the current graph: {len(members)}{more}.", ""]
        return out

    if partners:
        lines += ["### Partners of Canada", ""]
        for cls in partners:
            lines += ["#" + x if x.startswith("### ") else x for x in defined_section(cls)]
    if blocks:
        lines += ["### Building blocks of the definitions", ""]
        for cls in blocks:
            lines += ["#" + x if x.startswith("### ") else x for x in defined_section(cls)]

    lines += [
        "## Classes",
        "",
        "| class | label | definition | subclass of | examples |",
        "| --- | --- | --- | --- | --- |",
    ]
    for cls in classes:
        parents = listing(p for p in onto.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef))
        instances = set(data.subjects(RDF.type, cls)) or set(onto.subjects(RDF.type, cls))
        examples = listing(sorted(instances, key=str)[:EXAMPLES])
        lines.append(
            f"| {names.term(cls)} | {text(cls, RDFS.label)} | {text(cls, SKOS.definition)} | {parents} | {examples} |"
        )

    for title, kind in (
        ("Object properties", OWL.ObjectProperty),
        ("Datatype properties", OWL.DatatypeProperty),
    ):
        lines += [
            "",
            f"## {title}",
            "",
            "| property | label | definition | domain | range | characteristics | examples |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for prop in ours(kind):
            domain = ", ".join(expr(d) for d in sorted(onto.objects(prop, RDFS.domain), key=str))
            rng = ", ".join(expr(r) for r in sorted(onto.objects(prop, RDFS.range), key=str))
            traits = [word for cls, word in _CHARACTERISTICS if (prop, RDF.type, cls) in onto]
            inverses = set(onto.objects(prop, OWL.inverseOf)) | set(onto.subjects(OWL.inverseOf, prop))
            traits += [
                f"inverse of {names.term(q)}" for q in sorted(inverses, key=str) if isinstance(q, URIRef)
            ]
            for chain in onto.objects(prop, OWL.propertyChainAxiom):
                traits.append("chain: " + " then ".join(names.term(x) for x in Collection(onto, chain)))
            pairs = sorted(data.subject_objects(prop), key=lambda so: (str(so[0]), str(so[1])))[:EXAMPLES]
            examples = "; ".join(f"{names.term(s)} → {names.term(o)}" for s, o in pairs)
            lines.append(
                f"| {names.term(prop)} | {text(prop, RDFS.label)} | {text(prop, SKOS.definition)} | "
                f"{domain} | {rng} | {_cell(', '.join(traits))} | {_cell(examples)} |"
            )

    lines += [
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
        for term in sorted(set(onto.subjects(RDF.type, kind)), key=str):
            if isinstance(term, URIRef) and not term.startswith(MPD_NS):
                lines.append(f"| {names.term(term)} | {word} | {text(term, RDFS.label)} |")
    lines += [
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
        lines.append("- " + ", ".join(names.term(URIRef(m)) for m in group))

    lines += ["", "## Rules", ""]
    lines.append(
        "SPARQL CONSTRUCT rules in `ontology/rules/` derive what OWL cannot express; `mpdkg reason` runs"
    )
    lines.append("them over the asserted graph and adds their results to the `inferred` graph.")
    lines.append("")
    for rule in rules:
        derives = ", ".join(f"`{d}`" for d in rule.derives)
        lines += [f"### {rule.title}", "", f"`ontology/rules/{rule.path.name}` derives {derives}.", ""]
        if rule.description:
            lines += [rule.description, ""]

    lines += [
        "## Membership roles",
        "",
        "| role | label | definition | participation |",
        "| --- | --- | --- | --- |",
    ]
    for role in sorted(onto.subjects(SKOS.inScheme, MPD_NS["RoleScheme"]), key=str):
        takes_part = "yes" if (role, RDF.type, MPD_NS["ParticipationRole"]) in onto else "no (a vote)"
        lines.append(
            f"| {names.term(role)} | {text(role, RDFS.label)} | {text(role, SKOS.definition)} | {takes_part} |"
        )
    return "\n".join(lines) + "\n"
