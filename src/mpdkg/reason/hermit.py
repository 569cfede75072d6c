"""OWL reasoning over the built graph (owlready2 + HermiT), with explanations a curator can act on.

The step, in order (``reason_into``):

1. **Rules.** Each ``ontology/rules/*.rq`` is a SPARQL CONSTRUCT run over the asserted graphs
   (ontology + curated). Rules derive what OWL cannot say, "exactly two parties" (OWL assumes
   there may be more parties than the graph lists) and "at least three *distinct* pillars", and
   what it says only slowly: "a country other than Canada" (a negation that makes HermiT test
   every country against every definition using it: a minute instead of seconds).
2. **OWL view.** Asserted triples plus the rules' triples, without the literals whose datatypes
   are outside the OWL 2 datatype map (``xsd:date``, ``xsd:gYear``, ``xsd:gYearMonth``: HermiT
   rejects them, and no axiom uses them), loaded into an owlready2 World.
3. **HermiT** (the reasoner bundled with owlready2; needs Java) classifies the ontology, checks
   consistency, realises every individual and lists every object-property value it entails.
   That is ``full=True`` (``mpdkg reason --full``, and every release). By default the step takes
   the fast path instead: HermiT classifies the ontology alone, once per ontology change
   (``tbox``, cached), and an OWL 2 RL engine materialises the facts (``rl``); the same triples
   come out (``tests/reason/test_fast_path.py``). Where the fast path sees a possible
   inconsistency it hands over to HermiT over everything, which decides and explains.
4. **Inferred triples**: every type (all named superclasses, not only the most specific) and
   every object-property value that is entailed but not asserted, plus the rules' results, go
   into the ``inferred`` named graph. No blank nodes; the same input gives the same triples.

When HermiT finds the graph inconsistent, or a class that can have no members, a diagnosis
names the individuals, the axioms (with their line in ``ontology/mpdkg.ttl``) and the source
rows (file:line) of the facts involved, and ``ReasoningFailed`` (exit code 1) carries it.

Where Java is missing the step is skipped with a plain message (status ``"skipped"``).
"""

from __future__ import annotations

import gc
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from mpdkg import paths
from mpdkg.errors import MpdkgError, Origin
from mpdkg.namespaces import BASE, GRAPHS, ONTOLOGY_NS, PREFIXES
from mpdkg.rdf.build import Built
from mpdkg.rdf.engine import from_ox, to_ox

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no flock; stale working folders are then only aged out
    fcntl = None

Step = Callable[[str], None]
MPD_NS = ONTOLOGY_NS

#: Seconds HermiT may run before the step gives up.
HERMIT_TIMEOUT = 600
#: Consistency checks the fallback diagnosis may spend (each starts a JVM: about a second).
FALLBACK_BUDGET = 60

# The OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps): HermiT supports
# these and only these. Literals of any other datatype are left out of the OWL view.
_XSD_OWL2 = [
    "decimal",
    "integer",
    "nonNegativeInteger",
    "nonPositiveInteger",
    "positiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "double",
    "float",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "boolean",
    "hexBinary",
    "base64Binary",
    "anyURI",
    "dateTime",
    "dateTimeStamp",
]
OWL2_DATATYPES = frozenset(
    [XSD[name] for name in _XSD_OWL2]
    + [RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational]
)
_XSD_PREFIX = str(XSD)


class ReasoningFailed(MpdkgError):
    """The graph is inconsistent or has a class that can have no members (or HermiT failed)."""

    exit_code = 1

    def __init__(self, text: str, problems: int = 1):
        self.text = text
        self.problems = problems
        super().__init__(text.splitlines()[0] if text else "reasoning failed")

    def report(self) -> str:
        return self.text


@dataclass
class ReasonReport:
    """What the reasoning step did: status ``ok`` or ``skipped`` (with the reason why)."""

    status: str
    message: str = ""
    inferred: int = 0
    members: dict[str, int] = field(default_factory=dict)
    rules: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    engine: str = "HermiT"

    def text(self) -> str:
        if self.status != "ok":
            return f"reasoning {self.status}: {self.message}"
        lines = [f"reasoning ok: {self.inferred} inferred triple(s) in {self.seconds:.1f} s ({self.engine})"]
        for name, count in self.rules.items():
            lines.append(f"  rule {name}: {count} triple(s)")
        for name, count in self.members.items():
            lines.append(f"  {name}: {count} member(s)")
        return "\n".join(lines)


# --- rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One SPARQL CONSTRUCT rule with its header (``# title:``, ``# derives:``, ``# description:``)."""

    name: str
    path: Path
    title: str
    derives: tuple[str, ...]
    description: str
    text: str


_HEADER = re.compile(r"^#\s*([a-z-]+)\s*:\s*(.*)$")


def rules_dir() -> Path:
    return paths.ontology_file().parent / "rules"


def parse_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if m:
            last = m.group(1)
            fields[last] = m.group(2).strip()
        elif last and line.startswith("#  "):
            fields[last] += " " + line[1:].strip()
    return Rule(
        name=path.stem,
        path=path,
        title=fields.get("title", path.stem),
        derives=tuple(fields.get("derives", "").split()),
        description=fields.get("description", ""),
        text=text,
    )


def load_rules(folder: Path | None = None) -> list[Rule]:
    folder = Path(folder) if folder else rules_dir()
    return [parse_rule(p) for p in sorted(folder.glob("*.rq"))] if folder.is_dir() else []


def run_rules(asserted: Iterable[tuple], rules: list[Rule]) -> dict[str, set[tuple]]:
    """Each rule's CONSTRUCT result (blank nodes dropped) over the asserted triples."""
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in asserted)  # a set: any order
    out: dict[str, set[tuple]] = {}
    for rule in rules:
        try:
            answer = store.query(rule.text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise ReasoningFailed(f"{_rel(rule.path)}: the rule is not valid SPARQL: {exc}") from None
        if isinstance(answer, ox.QuerySolutions | ox.QueryBoolean):
            raise ReasoningFailed(f"{_rel(rule.path)}: a rule must be a CONSTRUCT query")
        triples = set()
        for t in answer:
            s, p, o = from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)
            if not isinstance(s, BNode) and not isinstance(o, BNode):
                triples.add((s, p, o))
        out[rule.name] = triples
    return out


# --- Java and HermiT ------------------------------------------------------------------------------


def java_executable() -> str | None:
    """The Java runtime owlready2 will use, or None when there is none."""
    import owlready2

    return shutil.which(owlready2.JAVA_EXE)


def _owl_view(graph: Iterable[tuple]) -> Graph:
    """The triples HermiT can read: literals outside the OWL 2 datatype map are left out."""
    view = Graph()
    for t in owl_view_triples(graph):
        view.add(t)
    return view


def owl_view_triples(triples: Iterable[tuple]) -> set[tuple]:
    """``_owl_view`` as a plain set (what the OWL 2 RL engine reads)."""
    view = set()
    lang_string, plain = str(RDF.langString), RDF.PlainLiteral
    for s, p, o in triples:
        if isinstance(o, Literal):
            if o.datatype is not None and o.datatype not in OWL2_DATATYPES:
                continue
        elif isinstance(o, URIRef):
            name = str(o)
            if name.startswith(_XSD_PREFIX) and o not in OWL2_DATATYPES:
                continue  # a range such as xsd:date
            if name == lang_string:
                o = plain  # OWL 2's name for language-tagged (and plain) strings
        view.add((s, p, o))
    return view


def _owlready_ntriples(view: Graph) -> bytes:
    """Load the view into an owlready2 World and serialise it as HermiT will read it."""
    import owlready2

    world = owlready2.World()
    data = view.serialize(format="nt", encoding="utf-8")
    world.get_ontology(BASE + "owl-view").load(fileobj=io.BytesIO(data), format="ntriples")
    buffer = io.BytesIO()
    world.save(buffer, format="ntriples")
    world.close()
    return buffer.getvalue()


def _hermit_command(java: str, args: list[str], path: Path) -> list[str]:
    import owlready2
    from owlready2 import reasoning

    return [
        java,
        f"-Xmx{owlready2.reasoning.JAVA_MEMORY}M",
        "-cp",
        reasoning._HERMIT_CLASSPATH,
        "org.semanticweb.HermiT.cli.CommandLine",
        *args,
        path.resolve().as_uri(),
    ]


@dataclass
class HermitOutput:
    inconsistent: bool
    subclass: list[tuple[str, str]] = field(default_factory=list)
    equivalent: list[list[str]] = field(default_factory=list)
    types: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


_RESULT = re.compile(r"^([A-Za-z]+)\( ((?:<[^>]+>\s*)+)\)$", re.MULTILINE)
_PROP = re.compile(r"^<([^>]+)> \(known instances:\s*(.*?)\s*\|\s*possible instances:", re.MULTILINE)
_PAIR = re.compile(r"\(<([^>]+)>, <([^>]+)>\)")


def parse_hermit_output(text: str) -> HermitOutput:
    out = HermitOutput(inconsistent=False)
    for relation, iris in _RESULT.findall(text):
        items = re.findall(r"<([^>]+)>", iris)
        if relation == "SubClassOf" and len(items) == 2:
            out.subclass.append((items[0], items[1]))
        elif relation == "EquivalentClasses":
            out.equivalent.append(items)
        elif relation == "Type" and len(items) == 2:
            out.types.append((items[0], items[1]))
    for prop, known in _PROP.findall(text):
        out.values[prop] = _PAIR.findall(known)
    return out


#: HermiT's working folders, in the system's temporary folder.
WORKDIR_PREFIX = "mpdkg-hermit-"
_IN_USE = ".in-use"  # a lock file, held (flock) while the folder is in use
#: A working folder without a lock file (an older mpdkg's) is stale once older than this.
STALE_AFTER = 2 * HERMIT_TIMEOUT


def remove_stale_workdirs(root: Path | None = None) -> list[Path]:
    """Remove the HermiT working folders that no living process uses (left by a killed run).

    A folder is in use while its ``.in-use`` lock file is locked; the kernel releases the lock
    when its process dies, however it dies. Only this user's folders are touched.
    """
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in root.glob(WORKDIR_PREFIX + "*"):
        try:
            info = folder.lstat()
        except OSError:
            continue
        if not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid():
            continue
        if fcntl is None:
            if time.time() - info.st_mtime > STALE_AFTER:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        try:
            fd = os.open(folder / _IN_USE, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            if time.time() - info.st_mtime > STALE_AFTER:  # an older mpdkg's, long finished
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # in use
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            os.close(fd)
    return removed


@contextmanager
def hermit_workdir() -> Iterator[Path]:
    """A private working folder for HermiT, removed afterwards, and by the next run if this one is
    killed (its lock dies with it)."""
    remove_stale_workdirs()
    folder = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    if fcntl is None:
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    # Lock under another name, then rename: a sweeper never sees an unlocked .in-use of a live run.
    pending = folder / (_IN_USE + ".new")
    fd = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(pending, folder / _IN_USE)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def run_hermit(
    java: str, ntriples: bytes, args: list[str], timeout: float = HERMIT_TIMEOUT
) -> tuple[int, str]:
    with hermit_workdir() as tmp:
        path = Path(tmp) / "view.nt"
        path.write_bytes(ntriples)
        try:
            proc = subprocess.run(
                _hermit_command(java, args, path), capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise ReasoningFailed(f"HermiT did not finish within {timeout:.0f} s") from None
    output = proc.stdout.decode("utf-8", "replace") + "\n" + proc.stderr.decode("utf-8", "replace")
    return proc.returncode, output


def _is_inconsistent(returncode: int, output: str) -> bool:
    return returncode != 0 and "Inconsistent ontology" in output


def classify(java: str, view: Graph) -> HermitOutput:
    code, output = run_hermit(java, _owlready_ntriples(view), ["-c", "-O", "-D", "-I", "-Y"])
    if _is_inconsistent(code, output):
        return HermitOutput(inconsistent=True)
    if code != 0:
        last = [line for line in output.splitlines() if line.strip()][:6]
        raise ReasoningFailed("HermiT failed:\n" + "\n".join(last))
    return parse_hermit_output(output)


def consistent(java: str, view: Graph) -> bool:
    code, output = run_hermit(java, _owlready_ntriples(view), ["-k"])
    if _is_inconsistent(code, output) or "is not satisfiable" in output:
        return False
    if code == 0 and "is satisfiable" in output:
        return True
    last = [line for line in output.splitlines() if line.strip()][:6]
    raise ReasoningFailed("HermiT failed:\n" + "\n".join(last))


# --- the step -------------------------------------------------------------------------------------


def _asserted(built: Built) -> Graph:
    g = Graph()
    for graph in (built.ontology, built.curated):
        for t in graph:
            g.add(t)
    return g


def defined_classes(ontology: Graph, rules: list[Rule]) -> list[URIRef]:
    """Classes whose members are inferred: OWL definitions (owl:equivalentClass) and rule results."""
    found = {c for c in ontology.subjects(OWL.equivalentClass, None) if isinstance(c, URIRef)}
    for rule in rules:
        for curie in rule.derives:
            iri = _expand(curie)
            if iri is not None and (iri, RDF.type, OWL.Class) in ontology:
                found.add(iri)
    return sorted(found)


def _expand(curie: str) -> URIRef | None:
    if ":" not in curie:
        return None
    prefix, local = curie.split(":", 1)
    ns = PREFIXES.get(prefix)
    return URIRef(str(ns) + local) if ns is not None else None


def _ancestors(subclass: list[tuple[str, str]], equivalent: list[list[str]]) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in subclass:
        parents[child].add(parent)
    for group in equivalent:
        for a in group:
            parents[a].update(b for b in group if b != a)
    closed: dict[str, set[str]] = {}

    def visit(c: str) -> set[str]:
        if c in closed:
            return closed[c]
        closed[c] = set()
        seen: set[str] = set()
        stack = list(parents.get(c, ()))
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            stack.extend(parents.get(x, ()))
        closed[c] = seen
        return seen

    for c in list(parents):
        visit(c)
    return closed


_SKIP_CLASSES = {str(OWL.Thing), str(OWL.NamedIndividual), str(OWL.Nothing)}


def inferred_triples(result: HermitOutput) -> set[tuple]:
    """Every entailed type (with all named superclasses) and object-property value."""
    ancestors = _ancestors(result.subclass, result.equivalent)
    triples: set[tuple] = set()
    for ind, cls in result.types:
        for c in {cls} | ancestors.get(cls, set()):
            if c not in _SKIP_CLASSES:
                triples.add((URIRef(ind), RDF.type, URIRef(c)))
    for prop, pairs in result.values.items():
        if prop.startswith(str(OWL)):
            continue
        for a, b in pairs:
            triples.add((URIRef(a), URIRef(prop), URIRef(b)))
    return triples


def unsatisfiable(result: HermitOutput) -> list[str]:
    found: set[str] = set()
    for group in result.equivalent:
        if str(OWL.Nothing) in group:
            found.update(c for c in group if c not in _SKIP_CLASSES)
    return sorted(found)


def reason_into(
    built: Built,
    step: Step = lambda s: None,
    rules_folder: Path | None = None,
    full: bool = False,
    cache_dir: Path | None = None,
) -> ReasonReport:
    """Reason over ``built`` and add the inferred triples to its ``inferred`` named graph.

    By default the ontology is classified by HermiT (cached per ontology change, ``tbox``) and
    the facts are materialised by an OWL 2 RL engine (``rl``); when that path sees a possible
    inconsistency, or ``full`` is set, HermiT reasons over everything (consistency, realisation,
    explanations). Both give the same triples (``tests/reason/test_equivalence.py``).

    Returns a report (``skipped`` when Java is missing); raises ReasoningFailed when the graph
    is inconsistent or a class can have no members.
    """
    java = java_executable()
    if java is None:
        return ReasonReport(
            status="skipped",
            message="Java was not found, so OWL reasoning (HermiT) did not run and nothing was inferred. "
            "Install a Java runtime (Debian: apt-get install default-jre-headless) to reason.",
        )
    started = time.monotonic()
    asserted = set(built.ontology) | set(built.curated)
    rules = load_rules(rules_folder)
    step("applying rules")
    by_rule = run_rules(asserted, rules)
    derived = set().union(*by_rule.values()) if by_rule else set()
    view_triples = owl_view_triples(asserted | derived)

    def diagnosis() -> Diagnosis:
        whole = _asserted(built)  # in the graphs' order: the explanations read in that order
        for t in sorted(derived):
            whole.add(t)
        return Diagnosis(built, whole, derived, by_rule)

    engine: str | None = None
    entailed, note = None, ""
    if not full:
        engine, entailed, note = _fast(java, built, view_triples, diagnosis, step, cache_dir)
    if entailed is None:
        engine, entailed = "HermiT", _hermit(java, view_triples, diagnosis, step, note)
    assert engine is not None  # the fast path names its engine whenever it answers
    found = entailed | derived
    new = sorted(
        (t for t in found if t not in asserted and not any(isinstance(x, BNode) for x in t)),
        key=lambda t: (str(t[0]), str(t[1]), str(t[2])),
    )
    target = built.dataset.graph(GRAPHS.inferred)
    for t in new:
        target.add(t)
    members = {}
    nsm = built.dataset.namespace_manager
    stated_types: dict = defaultdict(set)
    rdf_type = RDF.type
    for s, p, o in asserted:
        if p == rdf_type:
            stated_types[o].add(s)
    for cls in defined_classes(built.ontology, rules):
        count = len(stated_types[cls] | set(target.subjects(RDF.type, cls)))
        members[cls.n3(nsm)] = count
    rule_counts = {rule.name: len(by_rule.get(rule.name, ())) for rule in rules}
    return ReasonReport(
        status="ok",
        inferred=len(new),
        members=members,
        rules=rule_counts,
        seconds=time.monotonic() - started,
        engine=engine,
    )


def _hermit(
    java: str, view_triples: set[tuple], diagnosis: Callable[[], Diagnosis], step: Step, note: str
) -> set[tuple]:
    """The full path: HermiT classifies and realises everything (``note``: why it must)."""
    step("reasoning with HermiT" + (f" ({note})" if note else ""))
    view = _owl_view(view_triples)
    result = classify(java, view)
    if result.inconsistent:
        step("explaining the inconsistency")
        raise ReasoningFailed(*diagnosis().explain_inconsistency(java, view))
    bad = unsatisfiable(result)
    if bad:
        raise ReasoningFailed(*diagnosis().explain_unsatisfiable(bad))
    return inferred_triples(result)


def _fast(java, built, view_triples, diagnosis, step, cache_dir):
    """The fast path: (engine, entailed triples, "") or (None, None, why HermiT must decide)."""
    from mpdkg.reason import rl, tbox

    unchecked = rl.unchecked_constructs(built.ontology)
    if unchecked:
        return None, None, "the ontology uses " + ", ".join(unchecked)
    step("classifying the ontology (HermiT, once per ontology change)")
    classified = tbox.classify_tbox(java, built.ontology, cache_dir)
    if classified.unsatisfiable:
        raise ReasoningFailed(*diagnosis().explain_unsatisfiable(classified.unsatisfiable))
    if classified.inconsistent:
        return None, None, "the ontology alone is inconsistent"
    step("materialising the facts (OWL 2 RL)")
    gc_was_on = gc.isenabled()
    gc.disable()  # hundreds of thousands of new tuples and no cycles: the collector only costs time
    try:
        known = rl.materialise(view_triples, built.ontology, classified)
        found = rl.problems(known, built.ontology, view_triples)
        entailed = None if found else rl.as_reported(known, built.ontology, classified)
    finally:
        if gc_was_on:
            gc.enable()
    if found:
        return None, None, "OWL 2 RL found " + found[0]
    cache = "cached" if classified.cached else "classified now"
    return f"OWL 2 RL; ontology by HermiT, {cache}", entailed, ""


def inferred_turtle(built: Built) -> bytes:
    """The inferred graph as Turtle, sorted and byte-identical for identical input."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    for t in built.dataset.graph(GRAPHS.inferred):
        g.add(t)
    return g.serialize(format="turtle", encoding="utf-8")


# --- explanations ---------------------------------------------------------------------------------


def _uri_values(o: Graph, predicate: URIRef) -> dict[Node, set[URIRef]]:
    """Subject -> the IRIs it has as ``predicate`` (a property's domains, ranges)."""
    values: dict[Node, set[URIRef]] = defaultdict(set)
    for p, v in o.subject_objects(predicate):
        if isinstance(v, URIRef):
            values[p].add(v)
    return values


def _rel(path: Path) -> str:
    root = paths.data_root()
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


@cache
def _file_lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


@cache
def _ontology_lines(path: Path) -> tuple[dict[str, int], list[tuple[int, frozenset[str]]]]:
    """Where each term is defined in the ontology file, and where each disjointness axiom is."""
    terms: dict[str, int] = {}
    disjoint: list[tuple[int, frozenset[str]]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    name = re.compile(r"^(<[^>]+>|[A-Za-z][\w-]*:[A-Za-z_][\w-]*)\s")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = name.match(line)
        if m and m.group(1) not in terms:
            terms[m.group(1)] = i + 1
        if "owl:AllDisjointClasses" in line or "owl:disjointWith" in line:
            start, chunk = i + 1, [line]
            while not chunk[-1].rstrip().endswith(".") and i + 1 < len(lines):
                i += 1
                chunk.append(lines[i])
            body = " ".join(chunk)
            disjoint.append((start, frozenset(re.findall(r"[A-Za-z][\w-]*:[A-Za-z_][\w-]*", body))))
        i += 1
    return terms, disjoint


@dataclass(frozen=True)
class Support:
    """Why an individual has a type or a value: the stated triples and the axioms used."""

    facts: tuple[tuple, ...]
    axioms: tuple[str, ...]
    via: tuple[str, ...] = ()


class Diagnosis:
    """Finds, in plain terms, why HermiT rejected the graph.

    The common causes are checked directly over the triples (disjoint types, two values of a
    single-valued property, a value of the wrong datatype, a relation that may not hold of
    itself or both ways, a class that can have no members). If none is found, the source rows
    are narrowed down with HermiT itself (QuickXplain), within a budget of checks.
    """

    def __init__(self, built: Built, graph: Graph, derived: set[tuple], by_rule: dict[str, set[tuple]]):
        self.built = built
        self.g = graph
        self.onto = built.ontology
        self.curated = built.curated
        self.derived = derived
        self.rule_of = {t: name for name, ts in sorted(by_rule.items()) for t in ts}
        self.nsm = built.dataset.namespace_manager
        self.onto_file = paths.ontology_file()
        self.term_lines, self.disjoint_lines = _ontology_lines(self.onto_file)
        self._schema()

    # -- the schema, as plain Python structures --

    def _schema(self) -> None:
        o = self.onto
        self.parents: dict[URIRef, set[URIRef]] = self._parents(o)
        self.disjoint: list[tuple[URIRef, ...]] = self._disjoint(o)
        self.domain: dict[Node, set[URIRef]] = _uri_values(o, RDFS.domain)
        self.range: dict[Node, set[URIRef]] = _uri_values(o, RDFS.range)
        self.inverse: dict[URIRef, URIRef] = {}
        for p, q in o.subject_objects(OWL.inverseOf):
            if isinstance(p, URIRef) and isinstance(q, URIRef):
                self.inverse[p], self.inverse[q] = q, p
        self.chains = {
            p: [x for x in self._list(chain) if isinstance(x, URIRef)]
            for p, chain in o.subject_objects(OWL.propertyChainAxiom)
        }
        self.characteristic: dict[URIRef, set[Node]] = defaultdict(set)
        for kind in (
            OWL.FunctionalProperty,
            OWL.IrreflexiveProperty,
            OWL.AsymmetricProperty,
            OWL.SymmetricProperty,
        ):
            for p in o.subjects(RDF.type, kind):
                self.characteristic[kind].add(p)
        self.object_props = set(o.subjects(RDF.type, OWL.ObjectProperty))
        self.max_one: dict[Node, set[URIRef]] = self._max_one(o)  # class -> properties

    def _parents(self, o: Graph) -> dict[URIRef, set[URIRef]]:
        parents: dict[URIRef, set[URIRef]] = defaultdict(set)
        for c, d in o.subject_objects(RDFS.subClassOf):
            if isinstance(c, URIRef) and isinstance(d, URIRef):
                parents[c].add(d)
        for c, e in o.subject_objects(OWL.equivalentClass):
            if isinstance(c, URIRef) and isinstance(e, URIRef):
                parents[c].add(e)
                parents[e].add(c)
            elif isinstance(c, URIRef):
                for member in self._list(o.value(e, OWL.intersectionOf)):
                    if isinstance(member, URIRef):
                        parents[c].add(member)
        return parents

    def _disjoint(self, o: Graph) -> list[tuple[URIRef, ...]]:
        disjoint: list[tuple[URIRef, ...]] = []
        for axiom in o.subjects(RDF.type, OWL.AllDisjointClasses):
            members = tuple(m for m in self._list(o.value(axiom, OWL.members)) if isinstance(m, URIRef))
            disjoint.append(members)
        for a, b in o.subject_objects(OWL.disjointWith):
            if isinstance(a, URIRef) and isinstance(b, URIRef):
                disjoint.append((a, b))
        disjoint.sort(key=lambda members: sorted(str(m) for m in members))
        return disjoint

    @staticmethod
    def _max_one(o: Graph) -> dict[Node, set[URIRef]]:
        """Class -> the properties it restricts to at most one value."""
        max_one: dict[Node, set[URIRef]] = defaultdict(set)
        for cls, restriction in o.subject_objects(RDFS.subClassOf):
            if not isinstance(restriction, BNode):
                continue
            prop = o.value(restriction, OWL.onProperty)
            for key in (OWL.maxCardinality, OWL.cardinality):
                value = o.value(restriction, key)
                if value is not None and str(value) == "1" and isinstance(prop, URIRef):
                    max_one[cls].add(prop)
        return max_one

    def _list(self, node) -> list:
        out = []
        while node is not None and node != RDF.nil:
            first = self.onto.value(node, RDF.first)
            if first is not None:
                out.append(first)
            node = self.onto.value(node, RDF.rest)
        return out

    def ancestors(self, cls: URIRef) -> list[URIRef]:
        seen, order, stack = {cls}, [cls], [cls]
        while stack:
            for parent in sorted(self.parents.get(stack.pop(), ())):
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
                    stack.append(parent)
        return order

    # -- words --

    def short(self, node) -> str:
        if isinstance(node, Literal):
            return repr(str(node)) if len(str(node)) < 60 else repr(str(node)[:57] + "...")
        if isinstance(node, URIRef):
            return node.n3(self.nsm)
        return str(node)

    def name(self, node) -> str:
        """A thing as a curator knows it: its label, short IRI and source row."""
        label = self.curated.value(node, RDFS.label) or self.onto.value(node, RDFS.label)
        origin = self.built.origin_of(node) if isinstance(node, URIRef) else None
        inner = ", ".join(x for x in (self.short(node), str(origin) if origin else "") if x)
        return f"{label} ({inner})" if label else inner

    def cls_label(self, cls) -> str:
        label = self.onto.value(cls, RDFS.label)
        return str(label) if label else self.short(cls)

    def cls_name(self, cls) -> str:
        label = self.onto.value(cls, RDFS.label)
        return f"{label} ({self.short(cls)})" if label else self.short(cls)

    def where_term(self, term, word: str = "") -> str:
        """The line where ``term`` is defined; with ``word``, the first line that starts with the
        term and mentions the word (say ``IrreflexiveProperty``), if there is one."""
        key = term.n3(self.nsm) if isinstance(term, URIRef) else str(term)
        line = None
        if word:
            for number, text in enumerate(_file_lines(self.onto_file), 1):
                if text.startswith((key + " ", f"<{term}> ")) and word in text:
                    line = number
                    break
        line = line or self.term_lines.get(key) or self.term_lines.get(f"<{term}>")
        return (
            f"{_rel(self.onto_file)}:{line}"
            if line
            else f"no line of {_rel(self.onto_file)} (added elsewhere)"
        )

    def where_disjoint(self, members: Iterable[URIRef]) -> str:
        names = {m.n3(self.nsm) for m in members}
        for line, found in self.disjoint_lines:
            if names <= found:
                return f"{_rel(self.onto_file)}:{line}"
        return f"no line of {_rel(self.onto_file)} (added elsewhere)"

    def origin(self, triple: tuple) -> str:
        if triple in self.rule_of:
            return f"derived by the rule ontology/rules/{self.rule_of[triple]}.rq"
        if triple in self.onto and triple not in self.curated:
            return f"stated in {self.where_term(triple[0])}"
        s, _p, o = triple
        hit: Origin | None = self.built.origin_of(s) or (
            self.built.origin_of(o) if isinstance(o, URIRef) else None
        )
        return f"{hit}" if hit else "stated in the curated graph (no source row)"

    def fact(self, triple: tuple) -> str:
        s, p, o = triple
        return f"{self.short(s)} {self.short(p)} {self.short(o)} — {self.origin(triple)}"

    # -- relations with their support (inverses, symmetry, chains) --

    def _relations(self) -> dict[tuple, Support]:
        rel: dict[tuple, Support] = {}
        for t in self.g:
            s, p, o = t
            if p == RDF.type or not isinstance(o, URIRef) or p not in self.object_props:
                continue
            rel.setdefault(t, Support(facts=(t,), axioms=()))
        for (s, p, o), sup in list(rel.items()):
            q = self.inverse.get(p)
            if q is not None:
                rel.setdefault(
                    (o, q, s),
                    Support(
                        sup.facts,
                        (
                            *sup.axioms,
                            f"{self.short(p)} is the inverse of {self.short(q)} ({self.where_term(p)})",
                        ),
                    ),
                )
            if p in self.characteristic[OWL.SymmetricProperty]:
                rel.setdefault(
                    (o, p, s),
                    Support(
                        sup.facts,
                        (
                            *sup.axioms,
                            f"{self.short(p)} is symmetric ({self.where_term(p, 'SymmetricProperty')})",
                        ),
                    ),
                )
        for p, chain in sorted(self.chains.items()):
            if len(chain) != 2:
                continue
            first = [(t, s) for t, s in rel.items() if t[1] == chain[0]]
            by_subject: dict[Node, list[tuple[tuple, Support]]] = defaultdict(list)
            for t, sup in rel.items():
                if t[1] == chain[1]:
                    by_subject[t[0]].append((t, sup))
            for (a, _p1, m), sup1 in first:
                for (_m, _p2, b), sup2 in by_subject.get(m, ()):
                    axiom = f"{self.short(p)} is {self.short(chain[0])} followed by {self.short(chain[1])} ({self.where_term(p)})"
                    rel.setdefault(
                        (a, p, b), Support(sup1.facts + sup2.facts, (*sup1.axioms, *sup2.axioms, axiom))
                    )
        return rel

    def _types(self, rel: dict[tuple, Support]) -> dict[URIRef, dict[URIRef, Support]]:
        types: dict[URIRef, dict[URIRef, Support]] = defaultdict(dict)

        def add(node, cls, sup: Support) -> None:
            if not isinstance(node, URIRef):
                return
            for i, anc in enumerate(self.ancestors(cls)):
                via = () if i == 0 else (cls,)
                types[node].setdefault(anc, Support(sup.facts, sup.axioms, sup.via + via))

        for s, o in self.g.subject_objects(RDF.type):
            if isinstance(o, URIRef) and (s, RDF.type, o) not in self.onto:
                add(s, o, Support(facts=((s, RDF.type, o),), axioms=()))
        for (s, p, o), sup in sorted(rel.items(), key=lambda kv: [str(x) for x in kv[0]]):
            for d in sorted(self.domain.get(p, ())):
                axiom = (
                    f"whatever has a {self.short(p)} is a {self.cls_label(d)} (domain, {self.where_term(p)})"
                )
                add(s, d, Support(sup.facts, (*sup.axioms, axiom)))
            for r in sorted(self.range.get(p, ())):
                axiom = f"every {self.short(p)} value is a {self.cls_label(r)} (range, {self.where_term(p)})"
                add(o, r, Support(sup.facts, (*sup.axioms, axiom)))
        return types

    def _facts_behind(self, node: URIRef, cls: URIRef, limit: int = 6) -> tuple[tuple, ...]:
        """The stated facts about ``node`` that use a property named in the definition of ``cls``."""
        props: set[URIRef] = set()
        for definition in self.onto.objects(cls, OWL.equivalentClass):
            for _s, p, o in _bnode_closure(self.onto, definition):
                if p in (OWL.onProperty, OWL.inverseOf) and isinstance(o, URIRef):
                    props.add(o)
        props |= {self.inverse[p] for p in list(props) if p in self.inverse}
        facts = [t for t in self.g.triples((node, None, None)) if t[1] in props]
        facts += [t for t in self.g.triples((None, None, node)) if t[1] in props]
        return tuple(sorted(facts, key=lambda t: [str(x) for x in t])[:limit])

    def _support_lines(self, what: str, sup: Support) -> list[str]:
        via = f" (as a {self.cls_label(sup.via[-1])})" if sup.via else ""
        lines = [f"  - {what}{via}:"]
        lines += [f"      {self.fact(t)}" for t in sup.facts]
        lines += [f"      because {a}" for a in sup.axioms]
        return lines

    # -- checks --

    def _disjoint_problems(self, types) -> list[list[str]]:
        problems = []
        for node in sorted(types):
            known = types[node]
            # the most direct clash: types stated or inferred in the fewest steps
            found = []
            for members in self.disjoint:
                clash = [m for m in members if m in known]
                if len(clash) >= 2:
                    a, b = sorted(clash, key=lambda m: (len(known[m].via), members.index(m)))[:2]
                    found.append((len(known[a].via) + len(known[b].via), members, a, b))
            for _steps, members, a, b in sorted(found, key=lambda x: x[0])[:1]:
                lines = [
                    f"{self.name(node)} is both a {self.cls_label(a)} and a {self.cls_label(b)}, "
                    f"and nothing can be both."
                ]
                lines += self._support_lines(f"a {self.cls_label(a)}", known[a])
                lines += self._support_lines(f"a {self.cls_label(b)}", known[b])
                kinds = ", ".join(self.cls_label(m) for m in members)
                lines.append(f"  - axiom: these kinds are disjoint: {kinds} ({self.where_disjoint(members)})")
                lines.append(f"  Correct the facts above so that {self.short(node)} is one kind of thing.")
                problems.append(lines)
        return problems

    def _values(self, rel) -> dict[tuple, list[tuple]]:
        values: dict[tuple, list[tuple]] = defaultdict(list)
        for (s, p, o), sup in rel.items():
            values[(s, p)].append((o, sup))
        for s, p, o in self.g:
            if isinstance(o, Literal):
                values[(s, p)].append((o, Support(((s, p, o),), ())))
        return values

    def _single_valued_problems(self, values, types) -> list[list[str]]:
        problems = []
        functional = self.characteristic[OWL.FunctionalProperty]
        for (s, p), found in sorted(values.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
            distinct: dict[Node, Support] = {}
            for o, sup in found:
                distinct.setdefault(o, sup)
            if len(distinct) < 2:
                continue
            why = None
            if p in functional:
                why = f"{self.short(p)} is single-valued (functional, {self.where_term(p, 'FunctionalProperty')})"
            else:
                for cls in sorted(types.get(s, {})):
                    if p in self.max_one.get(cls, ()):
                        why = f"a {self.cls_label(cls)} has at most one {self.short(p)} ({self.where_term(cls)})"
                        break
            if why is None:
                continue
            if not all(isinstance(o, Literal) or str(o).startswith(BASE) for o in distinct):
                continue  # two outside IRIs may name one thing; only our own IRIs are known distinct
            shown = ", ".join(self.short(o) for o in sorted(distinct, key=str))
            lines = [
                f"{self.name(s)} has {len(distinct)} values of {self.short(p)} ({shown}), but can have only one."
            ]
            for o, sup in sorted(distinct.items(), key=lambda kv: str(kv[0])):
                lines += self._support_lines(f"{self.short(o)}", sup)
            lines.append(f"  - axiom: {why}")
            lines.append("  Keep one value and correct or remove the others.")
            problems.append(lines)
        return problems

    def _datatype_problems(self) -> list[list[str]]:
        problems = []
        for p, rng in sorted((p, r) for p, rs in self.range.items() for r in rs):
            if not (str(rng).startswith(_XSD_PREFIX) or rng in (RDF.langString, RDF.PlainLiteral)):
                continue
            for s, o in sorted(self.g.subject_objects(p), key=lambda so: (str(so[0]), str(so[1]))):
                if isinstance(o, Literal) and not _fits(o, rng):
                    lines = [
                        f"{self.name(s)} has {self.short(p)} {self.short(o)} of type {self.short(_literal_type(o))}, "
                        f"but its values must be {self.short(rng)}."
                    ]
                    lines.append(f"  - {self.fact((s, p, o))}")
                    lines.append(
                        f"  - axiom: the range of {self.short(p)} is {self.short(rng)} ({self.where_term(p)})"
                    )
                    lines.append("  Correct the value, or the range in the ontology if the value is right.")
                    problems.append(lines)
                    break  # one example per property is enough to see the pattern
        return problems

    def _self_problems(self, rel) -> list[list[str]]:
        problems = []
        irreflexive = self.characteristic[OWL.IrreflexiveProperty]
        asymmetric = self.characteristic[OWL.AsymmetricProperty]
        for (s, p, o), sup in sorted(rel.items(), key=lambda kv: [str(x) for x in kv[0]]):
            if p in irreflexive and s == o:
                lines = [f"{self.name(s)} is its own {self.short(p)}, which cannot be."]
                lines += self._support_lines("stated", sup)
                lines.append(
                    f"  - axiom: {self.short(p)} never relates a thing to itself "
                    f"({self.where_term(p, 'IrreflexiveProperty')})"
                )
                lines.append("  Remove or correct the fact above.")
                problems.append(lines)
            elif p in asymmetric and (o, p, s) in rel and str(s) < str(o):
                lines = [
                    f"{self.name(s)} and {self.name(o)} are each other's {self.short(p)}, which cannot be."
                ]
                lines += self._support_lines("one way", sup)
                lines += self._support_lines("the other way", rel[(o, p, s)])
                lines.append(
                    f"  - axiom: {self.short(p)} never holds both ways ({self.where_term(p, 'AsymmetricProperty')})"
                )
                lines.append("  Keep the direction that is right and remove the other.")
                problems.append(lines)
        return problems

    def unsatisfiable_problems(self, classes: Iterable[URIRef] | None = None) -> list[list[str]]:
        problems = []
        candidates = (
            classes
            if classes is not None
            else sorted(c for c in self.onto.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
        )
        for cls in candidates:
            cls = URIRef(cls)
            anc = self.ancestors(cls)
            found = []
            for members in self.disjoint:
                clash = sorted((m for m in members if m in anc), key=anc.index)
                if len(clash) >= 2:
                    found.append((anc.index(clash[1]), members, clash[0], clash[1]))
            if found:
                _depth, members, a, b = min(found, key=lambda x: x[0])
                kinds = ", ".join(self.cls_label(m) for m in members)
                problems.append(
                    [
                        f"The class {self.cls_name(cls)} can have no members: it is a kind of "
                        f"{self.cls_label(a)} and a kind of {self.cls_label(b)}, and nothing can be both.",
                        f"  - {self.short(cls)}: {self.where_term(cls)}",
                        f"  - axiom: these kinds are disjoint: {kinds} ({self.where_disjoint(members)})",
                        "  Correct the class's subclass or equivalence axioms in the ontology.",
                    ]
                )
            elif classes is not None:
                problems.append(
                    [
                        f"The class {self.cls_name(cls)} can have no members (HermiT says so). "
                        f"It is defined at {self.where_term(cls)}; check its axioms."
                    ]
                )
        return problems

    # -- reports --

    def _render(self, title: str, problems: list[list[str]], tail: str) -> tuple[str, int]:
        out = [title, ""]
        for i, lines in enumerate(problems, 1):
            out.append(f"Problem {i}: {lines[0]}")
            out += lines[1:]
            out.append("")
        out.append(tail)
        return "\n".join(out), len(problems)

    def explain_unsatisfiable(self, classes: list[str]) -> tuple[str, int]:
        problems = self.unsatisfiable_problems([URIRef(c) for c in classes])
        return self._render(
            "OWL reasoning (HermiT) found classes that can have no members.",
            problems,
            "Nothing was written.",
        )

    def structural_problems(self, entailed: HermitOutput | None = None) -> list[list[str]]:
        """The common causes, checked over the triples (and over what HermiT entails from the
        graph without its negative axioms, when ``entailed`` is given)."""
        rel = self._relations()
        if entailed is not None:
            for prop, pairs in entailed.values.items():
                for a, b in pairs:
                    t = (URIRef(a), URIRef(prop), URIRef(b))
                    rel.setdefault(t, Support((), ("HermiT infers it from the definitions",)))
        types = self._types(rel)
        if entailed is not None:
            for ind, cls in sorted(entailed.types):
                node, c = URIRef(ind), URIRef(cls)
                if c in types.get(node, {}) or cls in _SKIP_CLASSES:
                    continue
                why = f"HermiT infers that it is a {self.cls_label(c)} from the definition ({self.where_term(c)})"
                facts = self._facts_behind(node, c)
                for i, anc in enumerate(self.ancestors(c)):
                    types[node].setdefault(anc, Support(facts, (why,), () if i == 0 else (c,)))
        problems = self._disjoint_problems(types)
        problems += self._single_valued_problems(self._values(rel), types)
        problems += self._datatype_problems()
        problems += self._self_problems(rel)
        problems += self.unsatisfiable_problems()
        return problems

    def explain_inconsistency(self, java: str, view: Graph) -> tuple[str, int]:
        title = "OWL reasoning (HermiT) found facts that cannot all be true: the graph is inconsistent."
        problems = self.structural_problems()
        if not problems:
            # Drop the axioms that forbid (disjointness, single values, ...): what HermiT then
            # entails (members of defined classes, say) shows which facts clash.
            relaxed = classify(java, relaxed_view(view))
            if not relaxed.inconsistent:
                problems = self.structural_problems(relaxed)
        if not problems:
            problems = self._narrowed(java, view)
        return self._render(title, problems, "Nothing was written.")

    def _narrowed(self, java: str, view: Graph) -> list[list[str]]:
        """Narrow the graph down with HermiT itself (QuickXplain): first to a minimal set of
        source rows that cannot all be true, then to a minimal set of their facts."""
        background = Graph()
        groups: dict[str, list[tuple]] = defaultdict(list)
        for t in view:
            if t in self.onto and t not in self.curated:
                background.add(t)
            else:
                groups[self.origin(t)].append(t)
        calls = 0

        def check(triples: Iterable[tuple]) -> bool:
            nonlocal calls
            calls += 1
            if calls > FALLBACK_BUDGET:
                raise _OutOfBudget
            g = Graph()
            for t in background:
                g.add(t)
            for t in triples:
                g.add(t)
            return consistent(java, g)

        try:
            rows = quickxplain(
                sorted(groups), lambda keys: check(t for k in keys for t in groups[k]), known=False
            )
            facts = rows and quickxplain(sorted(t for k in rows for t in groups[k]), check, known=False)
        except _OutOfBudget:
            return [
                [
                    "HermiT rejects the graph, but no simple cause was found and the source rows "
                    f"could not be narrowed down within {FALLBACK_BUDGET} checks.",
                    "  Look at recent edits to graph/ and ontology/mpdkg.ttl.",
                ]
            ]
        if not rows:
            return [[f"The ontology itself is inconsistent: check recent edits to {_rel(self.onto_file)}."]]
        lines = [
            "These facts cannot all be true together (HermiT rejects them, and accepts any smaller set):"
        ]
        assert facts is not None  # known=False: quickxplain returns a list
        lines += [f"  - {self.fact(t)}" for t in facts]
        lines.append(f"  Check these facts against the definitions in {_rel(self.onto_file)}.")
        return [lines]


_NEGATIVE_TYPES = {
    OWL.AllDisjointClasses,
    OWL.AllDisjointProperties,
    OWL.AllDifferent,
    OWL.NegativePropertyAssertion,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.IrreflexiveProperty,
    OWL.AsymmetricProperty,
}
_NEGATIVE_LINKS = {OWL.disjointWith, OWL.propertyDisjointWith, OWL.differentFrom, OWL.disjointUnionOf}
_CARDINALITY = {OWL.maxCardinality, OWL.cardinality, OWL.maxQualifiedCardinality, OWL.qualifiedCardinality}


def _bnode_closure(graph: Graph, node) -> set[tuple]:
    found: set[tuple] = set()
    stack = [node]
    while stack:
        for t in graph.triples((stack.pop(), None, None)):
            if t not in found:
                found.add(t)
                if isinstance(t[2], BNode):
                    stack.append(t[2])
    return found


def _forbids(s, p, o) -> bool:
    if p in _NEGATIVE_LINKS:
        return True
    if o == OWL.Nothing and p in (RDFS.subClassOf, OWL.equivalentClass):
        return True
    return p == RDFS.range and (str(o).startswith(_XSD_PREFIX) or o in OWL2_DATATYPES)


def relaxed_view(view: Graph) -> Graph:
    """The view without the axioms that forbid: disjointness, single values, irreflexivity,
    asymmetry, maximum cardinalities, datatype ranges. What is left cannot be inconsistent
    through them, so HermiT can say what it entails."""
    drop: set[tuple] = set()
    for s, p, o in view:
        if p == RDF.type and o in _NEGATIVE_TYPES:
            drop.add((s, p, o))
            if isinstance(s, BNode):
                drop |= _bnode_closure(view, s)
        elif _forbids(s, p, o):
            drop.add((s, p, o))
        elif (
            p == RDFS.subClassOf
            and isinstance(o, BNode)
            and any(view.triples((o, k, None)) for k in _CARDINALITY)
        ):
            drop.add((s, p, o))
            drop |= _bnode_closure(view, o)
    relaxed = Graph()
    for t in view:
        if t not in drop:
            relaxed.add(t)
    return relaxed


class _OutOfBudget(Exception):
    pass


def quickxplain(
    items: list, consistent_with: Callable[[list], bool], known: bool | None = None
) -> list | None:
    """A minimal subset of ``items`` that is inconsistent (Junker's QuickXplain), or None when
    all of them together are consistent (``known=False``: already known not to be).

    >>> quickxplain(list("abcdef"), lambda chosen: not {"b", "e"} <= set(chosen))
    ['b', 'e']
    """
    if known is None and consistent_with(list(items)):
        return None

    def qx(background: list, delta: list, candidates: list) -> list:
        if delta and not consistent_with(background):
            return []
        if len(candidates) == 1:
            return list(candidates)
        half = len(candidates) // 2
        c1, c2 = candidates[:half], candidates[half:]
        d2 = qx(background + c1, c1, c2)
        d1 = qx(background + d2, d2, c1)
        return d1 + d2

    return sorted(qx([], [], list(items)), key=items.index)


_NUMERIC = {XSD[n] for n in _XSD_OWL2[:14]} | {XSD.double, XSD.float, OWL.real, OWL.rational}
_INTEGERS = {XSD[n] for n in _XSD_OWL2[1:14]}
_STRINGS = {XSD.string, XSD.normalizedString, XSD.token, XSD.language, XSD.Name, XSD.NCName, XSD.NMTOKEN}


def _literal_type(lit: Literal) -> URIRef:
    if lit.language:
        return RDF.langString
    return lit.datatype or XSD.string


def _fits(lit: Literal, rng: URIRef) -> bool:
    kind = _literal_type(lit)
    if rng in (RDFS.Literal, RDF.PlainLiteral) and kind in _STRINGS | {RDF.langString}:
        return True
    if rng == RDFS.Literal or kind == rng:
        return True
    if rng == XSD.string:
        return kind in _STRINGS
    if rng == XSD.integer:
        return kind in _INTEGERS
    if rng == XSD.decimal:
        return kind in _INTEGERS | {XSD.decimal}
    if rng in (OWL.real, OWL.rational):
        return kind in _NUMERIC
    return False


__all__ = [
    "Diagnosis",
    "ReasonReport",
    "ReasoningFailed",
    "Rule",
    "defined_classes",
    "inferred_turtle",
    "java_executable",
    "load_rules",
    "quickxplain",
    "reason_into",
    "run_rules",
]
