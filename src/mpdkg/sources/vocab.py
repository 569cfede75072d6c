"""The closed lists (kinds of forum, agreement, engagement and source, roles, visa categories),
read from the ontology so that the ontology stays the one place where they are defined.

The visa categories are those of the open data (mpd:VisaCategoryScheme in ontology/opendata.ttl),
so that curated visa policies and open-data visa requirements share one list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import cast

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from mpdkg import paths
from mpdkg.namespaces import MPD, ONTOLOGY_NS


@dataclass(frozen=True)
class Vocabulary:
    forum_kinds: dict[str, URIRef]
    agreement_kinds: dict[str, URIRef]
    roles: dict[str, URIRef]
    engagement_kinds: dict[str, URIRef]
    source_kinds: dict[str, URIRef] = field(default_factory=dict)
    visa_categories: dict[str, URIRef] = field(default_factory=dict)


def _subclass_notations(graph: Graph, root: URIRef) -> dict[str, URIRef]:
    found: dict[str, URIRef] = {}
    for cls in graph.transitive_subjects(RDFS.subClassOf, root):
        for notation in graph.objects(cls, SKOS.notation):
            found[str(notation)] = cast(URIRef, cls)
    return dict(sorted(found.items()))


def _scheme_notations(graph: Graph, scheme: URIRef) -> dict[str, URIRef]:
    found = {
        str(n): cast(URIRef, concept)
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
        source_kinds=_scheme_notations(graph, ONTOLOGY_NS.SourceKindScheme),
        visa_categories=_scheme_notations(graph, ONTOLOGY_NS.VisaCategoryScheme),
    )


@cache
def load_ontology(path: Path | None = None) -> Graph:
    graph = Graph()
    graph.parse(path or paths.ontology_file(), format="turtle")
    return graph


#: The companion ontology file that defines the visa categories (owned by the open-data stage).
VISA_CATEGORIES_FILE = "opendata.ttl"


@cache
def _companion(path: Path) -> Graph:
    graph = Graph()
    if path.is_file():
        graph.parse(path, format="turtle")
    return graph


def vocabulary(path: Path | None = None) -> Vocabulary:
    """The closed lists of the ontology at ``path`` (default ontology/mpdkg.ttl) and of its
    companion opendata.ttl in the same folder (visa categories), read from the cache when these
    files were read before (parsing them is a tenth of a ``mpdkg validate``)."""
    import json

    from mpdkg.staging import cache_dir, cache_write

    main = Path(path or paths.ontology_file())
    companion = main.parent / VISA_CATEGORIES_FILE
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for file in (main, companion):
        digest.update((file.read_bytes() if file.is_file() else b"") + b"\0")
    cached = cache_dir() / "vocabulary" / f"{digest.hexdigest()}.json"
    try:
        lists = json.loads(cached.read_text(encoding="utf-8"))
        return Vocabulary(**{name: {k: URIRef(v) for k, v in items.items()} for name, items in lists.items()})
    except (OSError, ValueError, TypeError, AttributeError):
        pass  # not cached yet, or a damaged file: read the ontology
    vocab = _read_vocabulary(main)
    text = json.dumps({f.name: getattr(vocab, f.name) for f in fields(vocab)}, sort_keys=True)
    cache_write(cached, text.encode("utf-8"))
    return vocab


def _read_vocabulary(main: Path) -> Vocabulary:
    graph = Graph()
    for triple in load_ontology(main):
        graph.add(triple)
    for triple in _companion(main.parent / VISA_CATEGORIES_FILE):
        graph.add(triple)
    return vocabulary_from(graph)
