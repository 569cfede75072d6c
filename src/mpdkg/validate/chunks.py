"""The memberships of a large graph cut into slices for rudof, whose memory grows with the triples
it holds (about 10 kB each: 10 GiB at a million synthetic triples in one run).

A membership's shapes read only its own triples, those of its period and dates (IRIs under the
membership's own), and, for ``sh:class``, the types of the nodes it points to (its member, forum,
role and sources) with the class hierarchy. No shape reads one membership from another, and the
period-order check (a SPARQL constraint on the ontology node) reads each period by itself. So the
graph is checked as one slice of everything that is not a membership, then slices of memberships,
each with only that context; the findings of a membership slice about its context nodes (a
country there has its type and nothing else) are not findings and are dropped. Together they are
those of one run over everything: ``tests/validate/test_chunks.py`` checks it on planted
violations of every membership shape spread over many slices.

Before 2026-12-03 every slice carried the whole non-membership part (38,000 triples at a million
synthetic triples): rudof checked the countries, fora and sources once per slice.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import pyoxigraph as ox

from mpdkg.namespaces import BASE, MPD
from mpdkg.rdf.engine import slices_for_validation

#: Graphs with fewer triples are validated in one run (the curated graph is about 45,000).
CHUNK_FROM = 200_000
#: Membership triples per slice, halved for the slices checked at once (``SLICE_WORKERS``). At a
#: million synthetic triples, load 3.7 (2026-12-03): 24,000 gave SHACL 56 s and a peak of 1.75 GiB,
#: 48,000 55 s and 1.93 GiB, 8,000 108 s (rudof's cost per run dominates), and the slices of
#: before, 100,000 each with all 38,000 non-membership triples, 106 s and 2.6 GiB.
CHUNK_TRIPLES = 24_000

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


_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


@dataclass
class MembershipSlices:
    """``shared`` (everything that is not a membership) and the membership slices, each with its
    context; ``about_membership`` says whether a finding's focus is a membership's own node."""

    shared: list[ox.Triple]
    parts: list[list[ox.Triple]]
    records: set[str]
    seen: dict[str, str | None] = field(default_factory=dict)

    def about_membership(self, iri: str) -> bool:
        return self.record_of(iri) is not None

    def record_of(self, iri: str) -> str | None:
        """The membership a node belongs to (its IRI under the membership's), or None."""
        # only our IRIs can be a membership's (and a blank node's label is no IRI to parse)
        return _record_of(ox.NamedNode(iri), self.records, self.seen) if iri.startswith(BASE) else None


def membership_slices(
    triples: list[ox.Triple], chunk: int = CHUNK_TRIPLES, *, buckets: int | None = None
) -> MembershipSlices:
    """The triples as ``shared`` and slices of at most ``chunk`` membership triples, each with the
    class hierarchy and the types of the nodes it points to (see the module's docstring).

    With ``buckets``, a membership goes to the slice its IRI's checksum names instead, so that an
    edit changes the slices of the memberships it touches and no other (``mpdkg.validate.cache``).
    """
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
    hierarchy = [t for t in shared if t.predicate == _SUBCLASS]
    types: dict[object, list[ox.Triple]] = {}
    for t in shared:
        if t.predicate == _TYPE:
            types.setdefault(t.subject, []).append(t)
    parts = []
    packed = _by_checksum(by_record, buckets) if buckets else slices_for_validation([], by_record, chunk)
    for part in packed if by_record else []:
        pointed = dict.fromkeys(t.object for t in part if isinstance(t.object, ox.NamedNode))
        parts.append(hierarchy + [t for node in pointed for t in types.get(node, ())] + part)
    return MembershipSlices(shared, parts, records, seen)


def _by_checksum(by_record: dict[str, list[ox.Triple]], buckets: int) -> list[list[ox.Triple]]:
    """The records' triples in ``buckets`` slices chosen by the CRC-32 of the record's IRI (stable
    from run to run, unlike ``hash``), each slice's records in IRI order; empty slices dropped."""
    slices: list[list[ox.Triple]] = [[] for _ in range(buckets)]
    for record in sorted(by_record):
        slices[zlib.crc32(record.encode("utf-8")) % buckets] += by_record[record]
    return [part for part in slices if part]
