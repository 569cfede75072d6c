"""Turn the curated records into RDF: stable IRIs, no blank nodes in the data, one named graph
for the ontology and one for the curated facts.

>>> from mpdkg.sources.load import load_sources
>>> built = build_dataset(load_sources())
>>> (built.curated.value(country_iri("CAN"), RDFS.label)).value
'Canada'
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from mpdkg import paths
from mpdkg.errors import Origin
from mpdkg.namespaces import (
    BASE,
    GRAPHS,
    MPD,
    ONTOLOGY_NS,
    PREFIXES,
    SCHEMA,
    WD,
    actor_iri,
    agreement_iri,
    country_iri,
    engagement_iri,
    engagement_kind_iri,
    forum_iri,
    line_of_effort_iri,
    membership_iri,
    objective_iri,
    pillar_iri,
    region_iri,
    role_iri,
    source_iri,
)
from mpdkg.rdf.engine import (
    distinct_triples,
    from_ox,
    memoised,
    ox_quads,
    rdflib_triples,
    sorted_quads,
    to_ox,
    written_triples,
)
from mpdkg.sources.dates import PartialDate
from mpdkg.sources.records import Records
from mpdkg.sources.vocab import Vocabulary, load_ontology, vocabulary_from
from mpdkg.staging import cache_dir, cache_write


class Built:
    """The dataset and, for every minted IRI, the source file and line it came from.

    The triples of a build are kept as plain tuples until something asks for ``dataset``: the
    rdflib Dataset is filled then, once, in the order they were written. Validation with rudof
    reads the tuples as N-Triples (``ntriples``) and never needs it.
    """

    def __init__(
        self,
        dataset: Dataset | None = None,
        origins: dict[URIRef, Origin] | None = None,
        influence: object | None = None,
    ):
        self._dataset = dataset
        self._pending: list[tuple[URIRef, list[tuple]]] = []
        self._quads: list[ox.Quad] | None = None  # the tuples as quads, until anything changes
        self._triples: tuple[list[ox.Quad], list[ox.Triple]] | None = None  # (of quads, triples)
        self._written: list[ox.Triple] | None = None  # the distinct tuples in written order
        self.origins: dict[URIRef, Origin] = origins if origins is not None else {}
        self.influence = influence  # the InfluenceResult, once the analysis has run

    @property
    def dataset(self) -> Dataset:
        self._quads = self._written = None  # whoever holds the Dataset may add to it
        if self._dataset is None:
            self._dataset = new_dataset()
        for name, triples in self._pending:
            graph = self._dataset.graph(name)
            for t in rdflib_triples(triples):
                graph.add(t)
        self._pending.clear()
        return self._dataset

    def add_graph(self, name: URIRef, triples: list[tuple]) -> None:
        """Add the triples of graph ``name`` (kept as tuples until ``dataset`` is read)."""
        self._quads = self._written = None
        self._pending.append((name, triples))

    def ntriples(self) -> str:
        """Every distinct triple of every graph as N-Triples, one string, in written order
        (``shacl_triples``): what rudof reads in one run."""
        written = ox.serialize(self.shacl_triples(), format=ox.RdfFormat.N_TRIPLES)
        return (written or b"").decode("utf-8")

    def size_hint(self) -> int:
        """The triples written, a duplicate counted each time (the quads once a Dataset is
        held): enough to choose between one SHACL run and slices without sorting anything."""
        if self._dataset is not None:
            return len(self.quads())
        return sum(len(triples) for _name, triples in self._pending)

    def quads(self) -> list[ox.Quad]:
        """Every quad as Oxigraph terms, distinct and in the dumps' order: from the tuples
        written by the build when no rdflib Dataset was asked for, else from the Dataset (which
        reasoning and analysis add to)."""
        if self._dataset is not None:
            return sorted_quads(self.dataset)
        if self._quads is None:
            self._quads = ox_quads(self._pending)
        return self._quads

    def triples(self) -> list[ox.Triple]:
        """The distinct triples of the union of the graphs, in the dumps' order: made once for
        the dumps and the count of one build (until its quads change), by sorting the list SHACL
        reads when the build wrote the tuples itself."""
        quads = self.quads()
        made = self._made_triples(quads)
        if made is None:
            made = (
                distinct_triples(quads)
                if self._dataset is not None
                else sorted(self.shacl_triples(), key=str)
            )
            self._triples = (quads, made)
        return made

    def shacl_triples(self) -> list[ox.Triple]:
        """The distinct triples of the union of the graphs for SHACL: in the order the build
        wrote them, unsorted (``written_triples``), so that ``mpdkg validate`` does not pay for
        the dumps' order; a build read from a Dataset gives ``triples()``."""
        if self._dataset is not None:
            return self.triples()
        if self._written is None:
            self._written = written_triples(self._pending)
        return self._written

    def _made_triples(self, quads: list[ox.Quad]) -> list[ox.Triple] | None:
        """The triples list, if it was made from these very quads (a build read from a Dataset
        makes new quads at every call, so its list is never taken for current)."""
        if self._triples is not None and self._triples[0] is quads:
            return self._triples[1]
        return None

    def triple_count(self) -> int:
        """The distinct triples of the union of the graphs (what the N-Triples dump holds); a
        count alone keeps no list (at a million triples the list is a few hundred MB)."""
        quads = self.quads()
        made = self._made_triples(quads)
        return len(made) if made is not None else len({q.triple for q in quads})

    @property
    def ontology(self) -> Graph:
        return self.dataset.graph(GRAPHS.ontology)

    @property
    def curated(self) -> Graph:
        return self.dataset.graph(GRAPHS.curated)

    def origin_of(self, node) -> Origin | None:
        """The origin of a node, or of the fact it is part of (an interval of a membership)."""
        text = str(node)
        while text.startswith(BASE):
            hit = self.origins.get(URIRef(text))
            if hit:
                return hit
            if "/" not in text[len(BASE) :]:
                return None
            text = text.rsplit("/", 1)[0]
        return None


def new_dataset() -> Dataset:
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    return ds


def ontology_files() -> list[Path]:
    """The ontology (mpdkg.ttl) and its companions (analysis.ttl, ...), in the order they are read."""
    main = paths.ontology_file()
    return [main] + [p for p in sorted(main.parent.glob("*.ttl")) if p != main]


def _canonical_ontology() -> Graph:
    graph = Graph()
    for triple in load_ontology(paths.ontology_file()):
        graph.add(triple)
    for path in ontology_files()[1:]:
        graph.parse(path, format="turtle")
    return to_canonical_graph(graph)


def _ontology_cache_path() -> Path:
    """Where the canonical ontology of these exact files is kept: named by a digest of their
    names and bytes, of this module and of rdflib's version (which does the canonicalisation)."""
    import rdflib

    h = hashlib.sha256(f"rdflib {rdflib.__version__}\n".encode() + Path(__file__).read_bytes())
    for path in ontology_files():
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return cache_dir() / "ontology" / f"{h.hexdigest()}.nt"


def ontology_graph() -> Graph:
    """The ontology (mpdkg.ttl and its companions such as analysis.ttl) with its blank nodes
    given canonical, run-independent labels.

    Canonicalising costs a second or two; the result is cached (``mpdkg.staging.cache_dir``) as
    N-Triples named by a digest of the ontology files, so it is redone only when they change.
    """
    path = _ontology_cache_path()
    graph = Graph()
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is not None:
        try:
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
                graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
            return graph
        except (SyntaxError, ValueError):
            graph = Graph()  # a damaged cache file: canonicalise again
    graph = _canonical_ontology()
    lines = sorted(" ".join(term.n3() for term in t) + " ." for t in graph)
    cache_write(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return graph


class _Triples(list):
    """A list of triples with Graph's ``add``: what ``_Writer`` writes into."""

    def add(self, triple: tuple) -> None:
        self.append(triple)


_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_BOOLEAN = ox.NamedNode(str(XSD.boolean))
_XSD_DATE = ox.NamedNode(str(XSD.date))


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_XSD_INTEGER)


class _Writer:
    """Writes the curated facts as Oxigraph terms (IRIs are named as rdflib URIRefs by the
    builders, each turned into an Oxigraph node once): the dumps and SHACL read them as they
    are, and only a consumer of the rdflib Dataset pays for terms of its kind."""

    def __init__(self, triples: _Triples, origins: dict[URIRef, Origin]):
        self.g = triples
        self.origins = origins
        self.node = memoised(to_ox)  # each IRI turned into an Oxigraph node once

    def add(self, s, p, o) -> None:
        """A triple; ``o`` an IRI (a URIRef) or an Oxigraph literal, no triple for an empty one."""
        if o is None or (isinstance(o, str) and not o):  # an empty cell: no triple
            return
        self.g.add((self.node(s), self.node(p), self.node(o) if isinstance(o, URIRef) else o))

    def text(self, s, p, value: str, lang: str | None = None) -> None:
        if value:
            literal = ox.Literal(value, language=lang) if lang else ox.Literal(value)
            self.g.add((self.node(s), self.node(p), literal))

    def fact(self, iri: URIRef, origin: Origin, sources, quote: str = "") -> None:
        self.origins.setdefault(iri, origin)
        for sid in sources:
            self.add(iri, PROV.wasDerivedFrom, source_iri(sid))
        self.text(iri, MPD.quote, quote)

    def date(self, s, p, value: PartialDate | None) -> None:
        if value is not None:
            self.add(s, p, value.literal())

    def interval(self, owner: URIRef, start: PartialDate | None, end: PartialDate | None) -> URIRef | None:
        if start is None and end is None:
            return None
        interval = URIRef(f"{owner}/during")
        self.add(interval, RDF.type, TIME.Interval)
        for value, link, name in ((start, TIME.hasBeginning, "begin"), (end, TIME.hasEnd, "end")):
            if value is None:
                continue
            instant = URIRef(f"{interval}/{name}")
            self.add(interval, link, instant)
            self.add(instant, RDF.type, TIME.Instant)
            self.add(instant, value.time_property(), value.literal())
        if start is not None:
            self.add(owner, MPD.startYear, _integer(start.year))
        if end is not None:
            self.add(owner, MPD.endYear, _integer(end.year))
        return interval

    def wikidata(self, s, qid: str) -> None:
        if qid:
            self.add(s, SKOS.exactMatch, WD[qid])

    def pillars(self, s, numbers) -> None:
        for n in numbers:
            self.add(s, MPD.servesPillar, pillar_iri(n))


def build_dataset(records: Records, vocab: Vocabulary | None = None) -> Built:
    """The full dataset: the ontology graph and the curated graph."""
    onto = ontology_graph()
    vocab = vocab or vocabulary_from(onto)
    built = Built()
    built.add_graph(GRAPHS.ontology, sorted(onto))
    curated = _Triples()
    w = _Writer(curated, built.origins)
    _sources(w, records)
    _framework(w, records)
    _countries(w, records)
    _fora(w, records, vocab)
    _memberships(w, records)
    _agreements(w, records, vocab)
    _engagements(w, records)
    _source_kinds_and_visa_policies(w, records, vocab)
    built.add_graph(GRAPHS.curated, list(dict.fromkeys(curated)))
    return built


def _sources(w: _Writer, records: Records) -> None:
    for s in records.sources.values():
        iri = source_iri(s.id)
        w.origins[iri] = s.origin
        w.add(iri, RDF.type, MPD.Source)
        w.text(iri, RDFS.label, s.title, "en")
        w.text(iri, DCTERMS.title, s.title, "en")
        w.text(iri, DCTERMS.publisher, s.publisher)
        w.add(iri, SCHEMA.url, URIRef(s.url))
        w.add(iri, MPD.accessedOn, ox.Literal(s.accessed.isoformat(), datatype=_XSD_DATE))
        w.text(iri, MPD.note, s.note)


def _framework(w: _Writer, records: Records) -> None:
    for o in records.objectives:
        iri = objective_iri(o.number)
        w.add(iri, RDF.type, MPD.Objective)
        w.text(iri, RDFS.label, o.label, "en")
        w.add(iri, MPD.number, _integer(o.number))
        w.fact(iri, o.origin, o.sources)
    for p in records.pillars:
        iri = pillar_iri(p.number)
        w.add(iri, RDF.type, MPD.Pillar)
        w.text(iri, RDFS.label, p.label, "en")
        w.add(iri, MPD.number, _integer(p.number))
        for n in p.objectives:
            w.add(iri, MPD.advancesObjective, objective_iri(n))
        w.fact(iri, p.origin, p.sources)
    for x in records.lines_of_effort:
        iri = line_of_effort_iri(x.pillar, x.number)
        w.add(iri, RDF.type, MPD.LineOfEffort)
        w.text(iri, RDFS.label, x.label, "en")
        w.add(iri, MPD.number, _integer(x.number))
        w.add(iri, SKOS.notation, ox.Literal(f"{x.pillar}.{x.number}"))
        w.add(iri, MPD.partOfPillar, pillar_iri(x.pillar))
        w.fact(iri, x.origin, x.sources)


def _countries(w: _Writer, records: Records) -> None:
    region_sources: dict[URIRef, set[str]] = defaultdict(set)
    region_names: dict[URIRef, str] = {}
    region_origin: dict[URIRef, Origin] = {}
    for c in records.countries.values():
        iri = country_iri(c.alpha3)
        w.add(iri, RDF.type, MPD.Country)
        w.text(iri, RDFS.label, c.name, "en")
        w.text(iri, MPD.iso3166Alpha3, c.alpha3)
        w.text(iri, MPD.iso3166Alpha2, c.alpha2)
        w.text(iri, MPD.iso3166Numeric, c.numeric)
        w.text(iri, MPD.officialName, c.official_name, "en")
        for name, prop in (
            (c.region, MPD.inRegion),
            (c.subregion, MPD.inSubregion),
            (c.intermediate_region, MPD.inIntermediateRegion),
        ):
            if name:
                region = region_iri(name)
                w.add(iri, prop, region)
                region_names[region] = name
                region_sources[region].update(c.sources)
                region_origin.setdefault(region, c.origin)
        w.wikidata(iri, c.wikidata)
        w.fact(iri, c.origin, c.sources)
    for region, name in sorted(region_names.items()):
        w.add(region, RDF.type, MPD.Region)
        w.text(region, RDFS.label, name, "en")
        w.fact(region, region_origin[region], sorted(region_sources[region]))


def _fora(w: _Writer, records: Records, vocab: Vocabulary) -> None:
    for f in records.fora.values():
        iri = forum_iri(f.id)
        w.add(iri, RDF.type, MPD.Forum)
        w.add(iri, RDF.type, vocab.forum_kinds[f.kind])
        w.text(iri, RDFS.label, f.label, "en")
        for alt in f.alt_labels:
            w.text(iri, SKOS.altLabel, alt, "en")
        w.pillars(iri, f.pillars)
        w.date(iri, MPD.establishedIn, f.established)
        w.date(iri, MPD.endedIn, f.ended)
        if f.homepage:
            w.add(iri, MPD.homepage, URIRef(f.homepage))
        w.wikidata(iri, f.wikidata)
        w.add(
            iri,
            MPD.membersComplete,
            ox.Literal("true" if f.members_complete else "false", datatype=_XSD_BOOLEAN),
        )
        for sid in f.members_source:
            w.add(iri, MPD.memberListSource, source_iri(sid))
        w.date(iri, MPD.memberListAsOf, f.members_as_of)
        for role, count in sorted(f.member_counts.items()):
            node = URIRef(f"{iri}/count/{role}")
            w.add(iri, MPD.statedMemberCount, node)
            w.add(node, RDF.type, MPD.MemberCount)
            w.add(node, MPD.countedRole, role_iri(role))
            w.add(node, MPD.count, _integer(count))
        w.text(iri, DCTERMS.description, f.description, "en")
        w.fact(iri, f.origin, f.sources, f.quote)


def _membership_date(start: PartialDate | None, as_of: PartialDate | None) -> datetime.date:
    """The earliest day of a membership's start, else of the date the source shows it on."""
    when = start if start else as_of
    assert when is not None  # the loader requires start or as_of
    return when.earliest()


def _memberships(w: _Writer, records: Records) -> None:
    ordinals: dict[tuple[str, str, str], int] = defaultdict(int)
    for m in sorted(
        records.memberships,
        key=lambda m: (
            m.forum,
            m.member,
            m.role,
            _membership_date(m.start, m.as_of),
            m.origin,
        ),
    ):
        key = (m.forum, m.member, m.role)
        ordinals[key] += 1
        iri = membership_iri(m.forum, m.member, m.role, ordinals[key])
        w.add(iri, RDF.type, MPD.Membership)
        w.add(iri, RDF.type, ORG.Membership)
        w.add(iri, ORG.member, actor_iri(m.member))
        w.add(iri, ORG.organization, forum_iri(m.forum))
        w.add(iri, ORG.role, role_iri(m.role))
        interval = w.interval(iri, m.start, m.end)
        if interval is not None:
            w.add(iri, ORG.memberDuring, interval)
        w.date(iri, MPD.attestedOn, m.as_of)
        w.text(iri, MPD.note, m.note)
        w.fact(iri, m.origin, m.sources, m.quote)


def _agreements(w: _Writer, records: Records, vocab: Vocabulary) -> None:
    for a in records.agreements.values():
        iri = agreement_iri(a.id)
        w.add(iri, RDF.type, MPD.Agreement)
        w.add(iri, RDF.type, vocab.agreement_kinds[a.kind])
        w.text(iri, RDFS.label, a.label, "en")
        for alt in a.alt_labels:
            w.text(iri, SKOS.altLabel, alt, "en")
        w.pillars(iri, a.pillars)
        for party in sorted(set(a.parties)):
            w.add(iri, MPD.party, actor_iri(party))
        w.date(iri, MPD.signedOn, a.signed)
        w.date(iri, MPD.inForceFrom, a.in_force)
        w.date(iri, MPD.terminatedOn, a.ended)
        began = a.in_force or a.signed
        if began is not None:
            w.add(iri, MPD.startYear, _integer(began.year))
        if a.ended is not None:
            w.add(iri, MPD.endYear, _integer(a.ended.year))
        if a.amends:
            w.add(iri, MPD.amends, agreement_iri(a.amends))
        if a.homepage:
            w.add(iri, MPD.homepage, URIRef(a.homepage))
        w.wikidata(iri, a.wikidata)
        w.text(iri, DCTERMS.description, a.description, "en")
        w.fact(iri, a.origin, a.sources, a.quote)


def _engagements(w: _Writer, records: Records) -> None:
    for e in records.engagements.values():
        iri = engagement_iri(e.id)
        channel = forum_iri(e.channel) if e.channel in records.fora else agreement_iri(e.channel)
        w.add(iri, RDF.type, MPD.Engagement)
        w.add(iri, MPD.engagementKind, engagement_kind_iri(e.kind))
        w.add(iri, MPD.actor, actor_iri(e.actor))
        w.add(iri, MPD.through, channel)
        for p in e.partners:
            w.add(iri, MPD.partner, actor_iri(p))
        label = e.label or f"{e.kind} of {e.channel} ({e.start})"
        w.text(iri, RDFS.label, label, "en")
        interval = w.interval(iri, e.start, e.end)
        if interval is not None:
            w.add(iri, MPD.during, interval)
        w.pillars(iri, e.pillars)
        w.fact(iri, e.origin, e.sources, e.quote)


def _source_kinds_and_visa_policies(w: _Writer, records: Records, vocab: Vocabulary) -> None:
    """What each source is and the copy read (#19), and the curated visa policies, which share
    the open data's country IRIs and visa-category concepts. Terms from the open namespace
    until the closed MPD lists them."""
    for s in records.sources.values():
        if s.kind:
            w.add(source_iri(s.id), ONTOLOGY_NS.sourceKind, vocab.source_kinds[s.kind])
        if s.read_from:
            w.add(source_iri(s.id), ONTOLOGY_NS.readFrom, URIRef(s.read_from))
    for v in records.visa_policies.values():
        iri = URIRef(f"{BASE}visa-policy/{v.id}")
        w.add(iri, RDF.type, ONTOLOGY_NS.VisaPolicy)
        w.add(iri, ONTOLOGY_NS.policyNationality, country_iri(v.nationality))
        w.add(iri, ONTOLOGY_NS.policyDestination, country_iri(v.destination))
        w.add(iri, ONTOLOGY_NS.policyCategory, vocab.visa_categories[v.category])
        label = (
            v.label or f"{v.category} for {v.nationality} nationals entering {v.destination} from {v.start}"
        )
        w.text(iri, RDFS.label, label, "en")
        w.text(iri, ONTOLOGY_NS.scope, v.scope)
        w.text(iri, MPD.note, v.note)
        interval = w.interval(iri, v.start, v.end)
        if interval is not None:
            w.add(iri, ONTOLOGY_NS.inEffectDuring, interval)
        w.fact(iri, v.origin, v.sources, v.quote)
