"""The closed lists (kinds of forum and agreement, roles, engagement kinds), read from the
ontology so that the ontology stays the one place where they are defined."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from mpdkg import paths
from mpdkg.namespaces import MPD


@dataclass(frozen=True)
class Vocabulary:
    forum_kinds: dict[str, URIRef]
    agreement_kinds: dict[str, URIRef]
    roles: dict[str, URIRef]
    engagement_kinds: dict[str, URIRef]


def _subclass_notations(graph: Graph, root: URIRef) -> dict[str, URIRef]:
    found: dict[str, URIRef] = {}
    for cls in graph.transitive_subjects(RDFS.subClassOf, root):
        for notation in graph.objects(cls, SKOS.notation):
            found[str(notation)] = cls
    return dict(sorted(found.items()))


def _scheme_notations(graph: Graph, scheme: URIRef) -> dict[str, URIRef]:
    found = {
        str(n): concept
        for concept in graph.subjects(SKOS.inScheme, scheme)
        for n in graph.objects(concept, SKOS.notation)
    }
    return dict(sorted(found.items()))


def vocabulary_from(graph: Graph) -> Vocabulary:
    return Vocabulary(
        forum_kinds=_subclass_notations(graph, MPD.Forum),
        agreement_kinds=_subclass_notations(graph, MPD.Agreement),
        roles=_scheme_notations(graph, MPD.RoleScheme),
        engagement_kinds=_scheme_notations(graph, MPD.EngagementKindScheme),
    )


@cache
def load_ontology(path: Path | None = None) -> Graph:
    graph = Graph()
    graph.parse(path or paths.ontology_file(), format="turtle")
    return graph


def vocabulary(path: Path | None = None) -> Vocabulary:
    return vocabulary_from(load_ontology(path))
