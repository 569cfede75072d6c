"""The memberships of a large graph cut into slices for rudof, whose memory grows with the triples
it holds (about 10 kB each: 10 GiB at a million synthetic triples in one run).

A membership's shapes read only its own triples, those of its period and dates (IRIs under the
membership's own), and nodes every slice keeps: the ontology, countries, fora, roles, sources,
agreements and engagements. No shape reads one membership from another, and the period-order
check (a SPARQL constraint on the ontology node) reads each period by itself. So the findings of
the slices together are those of one run over everything; ``tests/validate/test_chunks.py``
checks it on planted violations spread over many slices.
"""

from __future__ import annotations

import pyoxigraph as ox

from mpdkg.namespaces import BASE, MPD
from mpdkg.rdf.engine import slices_for_validation

#: Graphs with fewer triples are validated in one run (the curated graph is about 45,000).
CHUNK_FROM = 200_000
#: Membership triples per slice; each slice also holds every triple that is not a membership's.
CHUNK_TRIPLES = 100_000

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_MEMBERSHIP = ox.NamedNode(str(MPD.Membership))


def _record_of(subject: object, records: set[str], seen: dict[str, str | None]) -> str | None:
    """The membership whose IRI the subject's IRI extends (itself included), or None."""
    if not isinstance(subject, ox.NamedNode):
        return None
    text = subject.value
    if text in seen:
        return seen[text]
    probe, found = text, None
    while len(probe) > len(BASE):
        if probe in records:
            found = probe
            break
        probe = probe.rsplit("/", 1)[0]
    seen[text] = found
    return found


def membership_chunks(triples: list[ox.Triple], chunk: int = CHUNK_TRIPLES) -> list[list[ox.Triple]]:
    """The triples as slices of at most ``chunk`` membership triples, each with every triple that
    is not about a membership (see the module's docstring for why the findings are the same)."""
    records = {
        t.subject.value
        for t in triples
        if t.predicate == _TYPE and t.object == _MEMBERSHIP and isinstance(t.subject, ox.NamedNode)
    }
    seen: dict[str, str | None] = {}
    shared: list[ox.Triple] = []
    by_record: dict[str, list[ox.Triple]] = {}
    for t in triples:
        record = _record_of(t.subject, records, seen)
        if record is None:
            shared.append(t)
        else:
            by_record.setdefault(record, []).append(t)
    return slices_for_validation(shared, by_record, chunk)
