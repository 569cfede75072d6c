"""The fast path: the ABox materialised by an OWL 2 RL engine (``reasonable``, Rust).

Input: the same OWL view HermiT reads (asserted triples plus the rules' results, literals outside
the OWL 2 datatype map left out), plus HermiT's classification of the ontology (``tbox``:
subclass and equivalence axioms between named classes, cached per ontology change).

``reasonable`` implements the OWL 2 RL rules but not property chains (``owl:propertyChainAxiom``,
rule prp-spo2): ``mpd:memberOf`` (``org:hasMembership`` then ``org:organization``) and, through
``owl:inverseOf``, ``mpd:hasMember`` would be missing. ``complete`` adds the chains and inverses
in Python and hands the new triples back to the engine (incrementally) until nothing changes.

What comes out is filtered as HermiT reports it: types of named classes (with every named
superclass from the classification) and values of object properties, between IRIs.
``tests/reason/test_equivalence.py`` checks that both give the same triples.

OWL 2 RL finds only some inconsistencies; ``problems`` checks the ones the ontology can produce
(disjoint classes, irreflexive and asymmetric properties, single-valued properties with two
values, values outside a datatype range, members of owl:Nothing). When one is found, or when the
ontology uses a construct those checks do not cover, the caller reasons with HermiT over
everything instead, which decides and explains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Identifier

from mpdkg.reason.hermit import _SKIP_CLASSES, _XSD_PREFIX, OWL2_DATATYPES, _ancestors, _fits
from mpdkg.reason.tbox import TBox

#: Constructs whose inconsistencies ``problems`` does not look for: with any of them in the
#: ontology the fast path hands over to HermiT.
UNCHECKED = {
    OWL.complementOf,
    OWL.oneOf,
    OWL.disjointUnionOf,
    OWL.propertyDisjointWith,
    OWL.differentFrom,
    OWL.sourceIndividual,  # negative property assertions
    OWL.hasKey,
    OWL.minCardinality,
    OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality,
    OWL.qualifiedCardinality,
    OWL.hasSelf,
}
_UNCHECKED_TYPES = {OWL.AllDifferent, OWL.AllDisjointProperties, OWL.NegativePropertyAssertion}


def unchecked_constructs(ontology: Graph) -> list[str]:
    found = {str(p) for p in ontology.predicates() if p in UNCHECKED}
    found |= {str(o) for o in ontology.objects(None, RDF.type) if o in _UNCHECKED_TYPES}
    for _r, value in ontology.subject_objects(OWL.maxCardinality):
        if str(value) not in ("0", "1"):
            found.add(f"{OWL.maxCardinality} {value}")
    for _r, value in ontology.subject_objects(OWL.cardinality):
        if str(value) != "1":
            found.add(f"{OWL.cardinality} {value}")
    return sorted(found)


def _list(graph: Graph, node) -> list:
    out = []
    while node is not None and node != RDF.nil:
        first = graph.value(node, RDF.first)
        if first is not None:
            out.append(first)
        node = graph.value(node, RDF.rest)
    return out


def _chains_and_inverses(ontology: Graph) -> tuple[list[tuple[URIRef, list[URIRef]]], list[tuple]]:
    chains = []
    for p, head in ontology.subject_objects(OWL.propertyChainAxiom):
        steps = _list(ontology, head)
        if isinstance(p, URIRef) and steps and all(isinstance(s, URIRef) for s in steps):
            chains.append((p, steps))
    inverses = [
        (p, q)
        for p, q in ontology.subject_objects(OWL.inverseOf)
        if isinstance(p, URIRef) and isinstance(q, URIRef)
    ]
    return sorted(chains), sorted(inverses)


def complete(triples: set[tuple], chains, inverses) -> set[tuple]:
    """Triples the property chains and inverses add to ``triples`` (not already there), to a
    fixpoint: a chain may run over values an inverse gives, and the other way round."""
    wanted = {s for _p, steps in chains for s in steps} | {x for pair in inverses for x in pair}
    wanted |= {p for p, _steps in chains}
    by_prop: dict[URIRef, set[tuple]] = defaultdict(set)
    names = {str(p): p for p in wanted}  # rdflib terms hash in Python; plain strings in C
    for s, p, o in triples:
        if str(p) in names and not isinstance(o, Literal):
            by_prop[names[str(p)]].add((s, o))
    added: set[tuple] = set()
    while True:
        new: set[tuple] = set()
        for p, q in inverses:
            new.update((o, q, s) for s, o in by_prop.get(p, ()))
            new.update((o, p, s) for s, o in by_prop.get(q, ()))
        for p, steps in chains:
            reach: dict = defaultdict(set)
            for s, o in by_prop.get(steps[0], ()):
                reach[s].add(o)
            for step in steps[1:]:
                nxt: dict = defaultdict(set)
                for s, o in by_prop.get(step, ()):
                    nxt[s].add(o)
                reach = {s: {z for y in ys for z in nxt.get(y, ())} for s, ys in reach.items()}
            new.update((s, p, o) for s, os in reach.items() for o in os)
        new = {t for t in new if (t[0], t[2]) not in by_prop[t[1]]}
        if not new:
            return added
        for s, p, o in new:
            by_prop[p].add((s, o))
        added |= new


def tbox_axioms(tbox: TBox) -> list[tuple]:
    """HermiT's classification as triples the RL engine reads."""
    out = [(URIRef(a), RDFS.subClassOf, URIRef(b)) for a, b in tbox.subclass]
    for group in tbox.equivalent:
        out += [(URIRef(a), OWL.equivalentClass, URIRef(b)) for a in group for b in group if a != b]
    return out


def literal_properties(ontology: Graph) -> set:
    """The properties whose literal values the OWL 2 RL rules can use: with a domain, in a
    restriction, in a property hierarchy, and the ``owl:`` terms of the axioms themselves. Other
    literal values (labels, quotes, notes: most of the graph) are left out of the engine's input.
    """
    found = set(ontology.subjects(RDFS.domain, None)) | set(ontology.objects(None, OWL.onProperty))
    for link in (RDFS.subPropertyOf, OWL.equivalentProperty):
        for a, b in ontology.subject_objects(link):
            found |= {a, b}
    found |= {p for p in ontology.predicates() if str(p).startswith(str(OWL))}
    return found


def materialise(view: set[tuple], ontology: Graph, tbox: TBox) -> set[tuple]:
    """Every triple OWL 2 RL (with property chains) entails from ``view`` and the classification."""
    import reasonable

    chains, inverses = _chains_and_inverses(ontology)
    keep = literal_properties(ontology)
    base = {t for t in view if not isinstance(t[2], Literal) or t[1] in keep}
    base |= complete(base, chains, inverses)  # usually all the engine misses, so one pass
    engine = reasonable.PyReasoner()
    engine.from_graph(list(base) + tbox_axioms(tbox))
    known = _reason(engine)
    while True:
        extra = complete(known, chains, inverses)
        if not extra:
            return known
        engine.from_graph(sorted(extra))
        known = _reason(engine)


def _reason(engine) -> set[tuple]:
    """The engine's answer. It builds every term with ``rdflib.URIRef``, which checks each IRI in
    Python: half of the time at 100k triples. The IRIs are the ones it was given (checked when
    the graph was built), so the check is switched off meanwhile."""
    import rdflib.term

    check = getattr(rdflib.term, "_is_valid_uri", None)
    if check is None:
        return set(engine.reason())
    rdflib.term._is_valid_uri = lambda uri: True
    try:
        return set(engine.reason())
    finally:
        rdflib.term._is_valid_uri = check


def as_reported(known: Iterable[tuple], ontology: Graph, tbox: TBox) -> set[tuple]:
    """What HermiT reports of ``known``: types of named classes, with every named superclass, and
    object-property values, between IRIs (``owl:`` terms left out)."""
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    classes |= {URIRef(c) for pair in tbox.subclass for c in pair}
    classes -= {URIRef(c) for c in _SKIP_CLASSES}
    props = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    prop_names = {str(p) for p in props if not str(p).startswith(str(OWL))}
    ancestors = _ancestors(tbox.subclass, tbox.equivalent)
    # keyed by plain strings: rdflib terms hash and compare in Python, strings in C
    with_ancestors = {
        str(c): (c, *(URIRef(a) for a in sorted(ancestors.get(str(c), ())) if a not in _SKIP_CLASSES))
        for c in classes
    }
    rdf_type = str(RDF.type)
    out: set[tuple] = set()
    for s, p, o in known:
        if not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        name = str(p)
        if name == rdf_type:
            for c in with_ancestors.get(str(o), ()):
                out.add((s, p, c))
        elif name in prop_names:
            out.add((s, p, o))
    return out


Terms = set[Identifier]  # rdflib terms, ordered as SPARQL orders them


def problems(known: set[tuple], ontology: Graph, view: set[tuple]) -> list[str]:
    """The inconsistencies OWL 2 RL can see in the materialised triples (a short word each; the
    explanation is HermiT's, on the full path)."""
    irreflexive = cast(Terms, set(ontology.subjects(RDF.type, OWL.IrreflexiveProperty)))
    asymmetric = cast(Terms, set(ontology.subjects(RDF.type, OWL.AsymmetricProperty)))
    single = cast(Terms, set(ontology.subjects(RDF.type, OWL.FunctionalProperty)))
    max_one, max_none = _cardinality_restrictions(ontology)
    checked = irreflexive | asymmetric | single
    checked |= {p for ps in max_one.values() for p in ps} | {p for ps in max_none.values() for p in ps}
    # literal values as stated (the engine may write "x" as "x"^^xsd:string: one value, two terms)
    stated = [t for t in view if isinstance(t[2], Literal)]
    types, values = _types_and_values([t for t in known if not isinstance(t[2], Literal)] + stated, checked)
    found = _class_problems(ontology, types)
    for p in sorted(irreflexive):
        if any(s in os for s, os in values.get(p, {}).items()):
            found.append(f"{p} relates a thing to itself")
    for p in sorted(asymmetric):
        by_subject = values.get(p, {})
        if any(s in by_subject.get(o, ()) for s, os in by_subject.items() for o in os):
            found.append(f"{p} holds both ways")
    found += _cardinality_problems(single, max_one, max_none, types, values)
    found += _literal_problems(ontology, stated)
    return found


def _cardinality_restrictions(ontology: Graph) -> tuple[dict, dict]:
    """Class -> properties with at most one value, and class -> properties with no value."""
    max_one: dict = defaultdict(set)
    max_none: dict = defaultdict(set)
    for cls, restriction in ontology.subject_objects(RDFS.subClassOf):
        prop = ontology.value(restriction, OWL.onProperty) if isinstance(restriction, BNode) else None
        if prop is None:
            continue
        for key in (OWL.maxCardinality, OWL.cardinality):
            if str(ontology.value(restriction, key)) == "1":
                max_one[cls].add(prop)
        if str(ontology.value(restriction, OWL.maxCardinality)) == "0":
            max_none[cls].add(prop)
    return max_one, max_none


def _types_and_values(triples: list[tuple], checked: Terms) -> tuple[dict, dict]:
    """Subject -> its types, and property (of ``checked``) -> subject -> values."""
    checked_names = {str(p): p for p in checked}
    types: dict = defaultdict(set)
    values: dict = defaultdict(lambda: defaultdict(set))
    rdf_type = str(RDF.type)
    for s, p, o in triples:
        name = str(p)
        if name == rdf_type:
            types[s].add(o)
        elif name in checked_names:
            values[checked_names[name]][s].add(o)
    return types, values


def _class_problems(ontology: Graph, types: dict) -> list[str]:
    found: list[str] = []
    if any(OWL.Nothing in ts for ts in types.values()):
        found.append("a member of owl:Nothing")
    groups = [
        set(_list(ontology, m))
        for a in ontology.subjects(RDF.type, OWL.AllDisjointClasses)
        for m in ontology.objects(a, OWL.members)
    ]
    groups += [{a, b} for a, b in ontology.subject_objects(OWL.disjointWith)]
    for members in groups:
        if any(len(ts & members) >= 2 for ts in types.values()):
            found.append("an individual in two disjoint classes")
            break
    return found


def _cardinality_problems(
    single: Terms, max_one: dict, max_none: dict, types: dict, values: dict
) -> list[str]:
    found: list[str] = []
    none_of = {p for ps in max_none.values() for p in ps}
    for p in sorted(none_of & set(values)):
        if any(p in max_none.get(c, ()) for s in values[p] for c in types.get(s, ())):
            found.append(f"a value of {p} where none may be")
    one_of = {p for ps in max_one.values() for p in ps}
    for p in sorted((single | one_of) & set(values)):
        for s, os in values[p].items():
            if len(os) > 1 and (p in single or any(p in max_one.get(c, ()) for c in types.get(s, ()))):
                found.append(f"two values of the single-valued {p}")  # HermiT decides if they differ
                break
    return found


def _literal_problems(ontology: Graph, stated: list[tuple]) -> list[str]:
    found: list[str] = []
    by_prop: dict = defaultdict(list)
    for _s, p, o in stated:
        by_prop[p].append(o)
    ranges = [(p, r) for p, r in ontology.subject_objects(RDFS.range) if isinstance(r, URIRef)]
    for p, rng in ranges:
        if not (str(rng).startswith(_XSD_PREFIX) or rng in OWL2_DATATYPES):
            continue
        if any(not _fits(o, rng) for o in by_prop.get(p, ())):
            found.append(f"a value of {p} outside its range {rng}")
    if any(getattr(o, "ill_typed", False) for os in by_prop.values() for o in os):
        found.append("a literal that is not a valid value of its datatype")
    return found
