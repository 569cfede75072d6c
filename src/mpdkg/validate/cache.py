"""rudof's findings for one slice of the graph, kept in the cache under a digest of everything
that decides them: the slice's triples, the shapes, pyrudof's version and this package's SHACL
code. A curator's one-line edit changes one slice (``membership_slices(..., buckets=...)``), so
``mpdkg build`` and ``mpdkg validate`` check that slice again and read the others' findings back.

A cached finding has no origin (file and line): lines move when a file is edited, so the origin
is looked up again in the build that reads it. The cache lives in ``mpdkg.staging.cache_dir()``
(``$MPDKG_CACHE_DIR`` to move it); a file that cannot be read or written is a miss, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from mpdkg.rdf.build import Built
from mpdkg.rdf.engine import SLICE_WORKERS
from mpdkg.staging import SHACL_CACHE, cache_dir, cache_entry, read_cached_list, write_cached_list
from mpdkg.validate.chunks import MembershipSlices, membership_slices

if TYPE_CHECKING:
    from mpdkg.validate.shacl import Finding

#: Bumped when a cached entry's layout changes.
FORMAT = 1
#: The modules whose code decides a finding: any change to them is a new cache.
_CODE = ("shacl.py", "chunks.py", "cache.py")


@cache
def _code_digest() -> str:
    import pyrudof

    h = hashlib.sha256(f"format {FORMAT}; pyrudof {pyrudof.__version__}\n".encode())
    for name in _CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


def shapes_digest(shapes: Graph) -> str | None:
    """The digest of the shapes and of the code that applies them; None (no caching) for shapes
    whose blank nodes form a cycle. A blank node is named by a digest of what it holds (its
    properties and, recursively, their values), since a parse names it anew every time.

    >>> from rdflib import Graph
    >>> ttl = "@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> sh:property [ sh:path <urn:%s> ] ."
    >>> one, two = (Graph().parse(data=ttl % p, format="turtle") for p in ("p", "p"))
    >>> shapes_digest(one) == shapes_digest(two) != shapes_digest(Graph().parse(data=ttl % "q", format="turtle"))
    True
    >>> print(shapes_digest(Graph().parse(data="_:a <urn:p> _:b . _:b <urn:p> _:a .", format="turtle")))
    None
    """
    held: dict[BNode, list[tuple[Node, Node]]] = {}
    for s, p, o in shapes:
        if isinstance(s, BNode):
            held.setdefault(s, []).append((p, o))
    names: dict[Node, str] = {}

    def name(node: Node, within: frozenset[Node] = frozenset()) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if node not in names:
            if node in within:
                raise _Cycle
            inner = within | {node}
            text = "\n".join(sorted(f"{p.n3()} {name(o, inner)}" for p, o in held.get(node, ())))
            names[node] = "_:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        return names[node]

    try:
        lines = sorted({f"{name(s)} {name(p)} {name(o)}" for s, p, o in shapes})
    except _Cycle:
        return None
    return hashlib.sha256("\n".join([_code_digest(), *lines]).encode("utf-8")).hexdigest()


class _Cycle(Exception):
    pass


def _path(shapes: str, ntriples: str) -> Path:
    return cache_entry(SHACL_CACHE, hashlib.sha256(f"{shapes}\n{ntriples}".encode()).hexdigest())


def read_findings(shapes: str, ntriples: str) -> list[dict[str, str]] | None:
    """The findings cached for these triples under these shapes, or None (not checked yet); a
    hit is touched, so that pruning removes the entries read least recently."""
    return read_cached_list(_path(shapes, ntriples), FORMAT)


def write_findings(shapes: str, ntriples: str, findings: list[dict[str, str]]) -> None:
    write_cached_list(_path(shapes, ntriples), findings, FORMAT)


#: Entries kept in the cache: the 17 slices of the curated graph for each of about 100 recent
#: states of it; older ones are removed when a check writes new ones.
KEEP = 1700


def prune(keep: int | None = None) -> int:
    """Remove all but the ``keep`` (default ``KEEP``) entries read or written most recently;
    the number removed."""
    keep = KEEP if keep is None else keep
    try:
        entries = [(p.stat().st_mtime, p) for p in (cache_dir() / SHACL_CACHE).glob("*/*.json")]
    except OSError:
        return 0
    removed = 0
    for _mtime, path in sorted(entries, reverse=True)[keep:]:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


#: Graphs with at least this many triples are checked as slices (the curated graph: 47,000, as
#: the slice of everything that is not a membership and ``BUCKETS`` slices of memberships); a
#: smaller graph is one slice.
SLICES_FROM = 10_000
#: Membership slices: at 8 (2026-12-04, curated graph, 2 cores) the slice of everything else
#: took 0.33 s in rudof, each membership slice about 0.2 s, one run over everything 1.1 s.
BUCKETS = 16
#: With more slices than this to check, rudof runs once over everything and its findings are
#: shared out to the slices (each run costs about 0.12 s whatever its size: nine cost 0.6-1.4 s
#: more than one on an empty cache).
SLICE_RUNS_AT_MOST = 2


def cached_findings(built: Built, shapes: Graph) -> list[Finding]:
    """The findings of rudof over the build (without origins), each slice's read from the cache
    when it was checked before; the slices that were not are checked and cached."""
    from mpdkg.validate import shacl  # at call time: shacl imports this module

    digest = shapes_digest(shapes)
    triples = built.shacl_triples()
    slices = membership_slices(triples, buckets=BUCKETS) if len(triples) >= SLICES_FROM else None
    parts = [slices.shared, *slices.parts] if slices else [triples]
    texts = [_ntriples(part) for part in parts]  # in the build's order: the same triples, the same text
    found = [read_findings(digest, text) if digest else None for text in texts]
    missing = [i for i, f in enumerate(found) if f is None]
    if slices is not None and len(missing) > SLICE_RUNS_AT_MOST:
        whole = shacl.validate_graph_rudof(built.ntriples(), shapes).findings
        shared_out = _share_out(whole, slices)
        if shared_out is None:  # a finding no slice owns: nothing is cached
            return whole
        for i in missing:
            found[i] = [_entry(f) for f in shared_out.get(i, [])]
    else:

        def check(i: int) -> list[dict[str, str]]:
            raw = shacl.validate_graph_rudof(texts[i], shapes).findings
            own = raw if slices is None or i == 0 else [f for f in raw if slices.about_membership(f.focus)]
            return [_entry(f) for f in own]  # a membership slice's, not its context's

        with ThreadPoolExecutor(max_workers=SLICE_WORKERS) as pool:  # rudof lets go of the GIL
            for i, entries in zip(missing, pool.map(check, missing), strict=True):
                found[i] = entries
    if digest and missing:
        for i in missing:
            write_findings(digest, texts[i], found[i] or [])
        prune()
    return [shacl.Finding(origin=None, **entry) for entries in found for entry in entries or []]


def _ntriples(part: list[ox.Triple]) -> str:
    return (ox.serialize(part, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def _entry(finding: Finding) -> dict[str, str]:
    return {k: v for k, v in dataclasses.asdict(finding).items() if k != "origin"}


def _share_out(findings: list[Finding], slices: MembershipSlices) -> dict[int, list[Finding]] | None:
    """Each finding of one run under the slice that owns it: a membership's in the slice holding
    that membership, any other in the first; None if a membership's finding has no slice."""
    owner = {
        t.subject.value: i
        for i, part in enumerate(slices.parts, 1)
        for t in part
        if isinstance(t.subject, ox.NamedNode) and t.subject.value in slices.records
    }
    out: dict[int, list[Finding]] = {}
    for f in findings:
        record = slices.record_of(f.focus)
        i = 0 if record is None else owner.get(record)
        if i is None:
            return None
        out.setdefault(i, []).append(f)
    return out
