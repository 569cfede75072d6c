"""How well the curated facts are sourced (#19): source kinds, and the facts that rest on a single
source or only on secondary copies. Counted on the records, so `mpdkg stats` needs no build.

>>> from mpdkg.sources.load import load_sources
>>> q = source_quality(load_sources())
>>> q.facts >= q.single_source >= 0
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from mpdkg.sources.records import Records

SECONDARY = "secondary-copy"


@dataclass(frozen=True)
class SourceQuality:
    sources_by_kind: dict[str, int]  # "" = kind not stated yet
    sources_read_from_copy: int
    facts: int
    single_source: int
    secondary_only: int
    quotable: int  # facts with a quote column (fora, memberships, agreements, engagements, visa policies)
    quoted: int  # of those, the facts whose row quotes the sentence of the source that states them


def _cited(records: Records) -> Iterator[tuple[tuple[str, ...], str | None]]:
    """Each fact's source ids, and its quote (None for the facts taken from the seed text and the
    ISO list, which have no quote column)."""
    groups = (
        records.objectives,
        records.pillars,
        records.lines_of_effort,
        records.countries.values(),
        records.fora.values(),
        records.memberships,
        records.agreements.values(),
        records.engagements.values(),
        records.visa_policies.values(),
    )
    for group in groups:
        for fact in group:
            yield tuple(sorted(set(fact.sources))), getattr(fact, "quote", None)


def source_quality(records: Records) -> SourceQuality:
    """The counts `mpdkg stats` shows; the same facts as queries/weak-sources.rq lists."""
    kinds = Counter(s.kind for s in records.sources.values())
    facts = single = secondary = quotable = quoted = 0
    for ids, quote in _cited(records):
        facts += 1
        quotable += quote is not None
        quoted += bool(quote and quote.strip())
        single += len(ids) == 1
        known = [records.sources[i] for i in ids if i in records.sources]
        secondary += bool(known) and all(s.kind == SECONDARY for s in known)
    return SourceQuality(
        sources_by_kind=dict(sorted(kinds.items())),
        sources_read_from_copy=sum(1 for s in records.sources.values() if s.read_from),
        facts=facts,
        single_source=single,
        secondary_only=secondary,
        quotable=quotable,
        quoted=quoted,
    )
