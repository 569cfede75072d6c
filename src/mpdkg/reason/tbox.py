"""The ontology (TBox) classified by HermiT, once per ontology change.

HermiT classifies the ontology alone (no curated facts) in a few seconds: the named superclasses
of every class (what the fast path adds to each inferred type) and the classes that can have no
members. The answer is cached in a JSON file named by a digest of

- the ontology as loaded (the canonical N-Triples of ``ontology/*.ttl``, blank nodes already
  given run-independent labels by ``mpdkg.rdf.build.ontology_graph``; an axiom added in memory
  counts too), and
- the code version: mpdkg's version, the source of this package (``reason/*.py``) and the
  owlready2 (HermiT) version.

Any change to one of them is another file name, so a cached classification is never used for
another ontology. The cache lives in ``$MPDKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/mpdkg``, else
``~/.cache/mpdkg``; a cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph

from mpdkg.reason.hermit import (
    HermitOutput,
    ReasoningFailed,
    _is_inconsistent,
    _owl_view,
    _owlready_ntriples,
    parse_hermit_output,
    run_hermit,
    unsatisfiable,
)
from mpdkg.staging import cache_dir

#: Bumped when the cached format changes.
FORMAT = 1


@dataclass
class TBox:
    """What HermiT says about the ontology alone."""

    digest: str
    inconsistent: bool = False
    subclass: list[tuple[str, str]] = field(default_factory=list)
    equivalent: list[list[str]] = field(default_factory=list)
    unsatisfiable: list[str] = field(default_factory=list)
    cached: bool = False

    def as_output(self) -> HermitOutput:
        return HermitOutput(
            inconsistent=self.inconsistent, subclass=self.subclass, equivalent=self.equivalent
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "digest": self.digest,
                "inconsistent": self.inconsistent,
                "subclass": sorted(self.subclass),
                "equivalent": sorted(sorted(group) for group in self.equivalent),
                "unsatisfiable": sorted(self.unsatisfiable),
            },
            indent=0,
        )

    @classmethod
    def from_json(cls, text: str, digest: str) -> TBox | None:
        data = json.loads(text)
        if data.get("format") != FORMAT or data.get("digest") != digest:
            return None
        return cls(
            digest=digest,
            inconsistent=bool(data["inconsistent"]),
            subclass=[(a, b) for a, b in data["subclass"]],
            equivalent=[list(group) for group in data["equivalent"]],
            unsatisfiable=list(data["unsatisfiable"]),
            cached=True,
        )


@cache
def code_version() -> str:
    import owlready2

    from mpdkg import __version__

    h = hashlib.sha256(f"mpdkg {__version__}; owlready2 {owlready2.VERSION}; format {FORMAT}\n".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def ontology_digest(ontology: Graph) -> str:
    """The cache key: the ontology's triples (sorted N-Triples) and the code version."""
    h = hashlib.sha256(code_version().encode() + b"\n")
    lines = sorted(" ".join(term.n3() for term in t) for t in ontology)
    for line in lines:
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()


def classify_tbox(java: str, ontology: Graph, folder: Path | None = None) -> TBox:
    """HermiT's classification of ``ontology``, from the cache when the digest matches."""
    digest = ontology_digest(ontology)
    folder = Path(folder) if folder is not None else cache_dir()
    path = folder / "tbox" / f"{digest}.json"
    try:
        found = TBox.from_json(path.read_text(encoding="utf-8"), digest)
    except (OSError, ValueError, KeyError, TypeError):
        found = None
    if found is not None:
        return found
    code, output = run_hermit(java, _owlready_ntriples(_owl_view(ontology)), ["-c", "-O", "-D"])
    if _is_inconsistent(code, output):
        tbox = TBox(digest=digest, inconsistent=True)
    elif code != 0:
        last = [line for line in output.splitlines() if line.strip()][:6]
        raise ReasoningFailed("HermiT failed:\n" + "\n".join(last))
    else:
        result = parse_hermit_output(output)
        tbox = TBox(
            digest=digest,
            subclass=result.subclass,
            equivalent=result.equivalent,
            unsatisfiable=unsatisfiable(result),
        )
    _store(path, tbox.to_json())
    return tbox


def _store(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tbox-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache: the next run classifies again
