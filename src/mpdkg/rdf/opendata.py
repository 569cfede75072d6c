"""The vendored open data (``graph/open-data/``) as RDF, built straight into Oxigraph quads.

The open data is one to two orders of magnitude larger than the curated graph, so it never goes
through rdflib: each extract row becomes :class:`pyoxigraph.Quad` objects in a named graph per
dataset, and the quads are written as one sorted, gzipped N-Quads dump (``open-data.nq.gz``),
byte-identical for identical extracts. The curated dataset (``mpdkg.trig``) does not contain them;
the embedded query engine loads the dump beside it when it is there.

Model (terms in ``ontology/opendata.ttl``, shapes in ``shapes/opendata.ttl``):

- UNHCR figures are W3C Data Cube observations: ``qb:Observation`` in one ``qb:DataSet`` per
  table (``solutions``, ``asylum-applications``), with the dimensions year (``mpd:refYear``),
  country of origin (``mpd:origin``), country of asylum (``mpd:asylumCountry``), the measure type
  (``qb:measureType``: one observation per measure, the Data Cube "measure dimension" pattern)
  and, for asylum applications, procedure type, application type and decision level; the unit
  (persons or cases) is ``sdmx-attribute:unitMeasure``.
- Passport Index rows are dated, directed relations: one ``mpd:VisaRequirement`` per snapshot,
  nationality (the passport) and destination, with its ``mpd:visaCategory``, visa-free days
  when the source gives them, the snapshot date and the upstream value unchanged.
- Every observation and requirement is ``prov:wasDerivedFrom`` one ``mpd:OpenDataRelease`` per
  dataset (title, publisher, licence, citation, upstream repository and commit, retrieval date),
  all taken from the dataset's ``MANIFEST.json``.

Countries are the curated country IRIs (``https://w3id.org/mpdkg/country/ISO3``); the few codes
that are not ISO 3166-1 countries of the curated graph (UNHCR's ``UNK`` unknown, ``XXA``
stateless, ``TIB`` Tibetan; Passport Index ``XKX`` Kosovo) are ``mpd:StatisticalArea`` nodes
under ``https://w3id.org/mpdkg/open-data/area/``, labelled, in the graph that uses them.

>>> GRAPHS["passport-index"]
'https://w3id.org/mpdkg/graph/open-data/visas'
>>> visa_category_iri("eta").value
'https://w3id.org/mpdkg/visa-category/eta'
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from mpdkg.namespaces import BASE
from mpdkg.rdf.engine import slices_for_validation
from mpdkg.rdf.opendata_base import (
    AREA,
    CONCEPT,
    CONCEPT_SCHEME,
    DERIVED,
    IN_DATASET,
    IN_SCHEME,
    LABEL,
    MEASURE_TYPE,
    NOTATION,
    OBSERVATION,
    OPEN,
    TYPE,
    UNIT,
    UNIT_MEASURE,
    VISA_CATEGORY,
    curated_countries,
    mpd,
    release_iri,
    unit_iri,
)
from mpdkg.rdf.opendata_base import (
    XSD_DATE as _XSD_DATE,
)
from mpdkg.rdf.opendata_base import (
    Emitter as _Emitter,
)
from mpdkg.rdf.opendata_base import N as _N
from mpdkg.rdf.opendata_base import data_set as _data_set
from mpdkg.rdf.opendata_base import en_lit as _en
from mpdkg.rdf.opendata_base import int_lit as _int
from mpdkg.rdf.opendata_base import release_node as _release
from mpdkg.sources import opendata

DUMP_NAME = "open-data.nq.gz"

GRAPH_UNHCR = BASE + "graph/open-data/unhcr"
GRAPH_VISAS = BASE + "graph/open-data/visas"
#: dataset folder under graph/open-data/ -> named graph
GRAPHS = {
    "unhcr": GRAPH_UNHCR,
    "passport-index": GRAPH_VISAS,
    "unvotes": BASE + "graph/open-data/unvotes",
    "cow-igo": BASE + "graph/open-data/cow-igo",
    "manytrade": BASE + "graph/open-data/manytrade",
    "ircc": BASE + "graph/open-data/ircc",
}

#: UNHCR solutions columns -> measure property (one observation per non-empty cell).
SOLUTION_MEASURES = {
    "resettlement": "resettlementArrivals",
    "returned_refugees": "returnedRefugees",
    "naturalisation": "naturalisations",
    "returned_idps": "returnedIDPs",
}
ASYLUM_MEASURE = "asylumApplications"
#: population_by_asylum.csv columns -> measure (end-year stocks hosted, all origins summed).
HOSTED_MEASURES = {
    "refugees": "refugeesHosted",
    "asylum_seekers": "asylumSeekersHosted",
    "oip": "oipHosted",
}
UNRWA_MEASURE = "unrwaRefugees"
#: the origin of an observation summed over every country of origin (SDMX's "total" code)
ALL_ORIGINS = "ALL"

#: UNHCR's asylum code lists: (dimension, IRI segment, code -> label). Labels say only what the
#: package and graph/open-data/README.md establish; other codes are labelled by their code.
UNHCR_CODES = {
    "procedure_type": (
        "procedureType",
        "procedure-type",
        {"G": "government procedure", "U": "UNHCR procedure", "J": "joint procedure"},
    ),
    "app_type": (
        "applicationType",
        "application-type",
        {"N": "new application", "A": "appeal", "R": "repeat or reopened application"},
    ),
    "dec_level": (
        "decisionLevel",
        "decision-level",
        {
            "FI": "first instance",
            "AR": "administrative review",
            "RA": "repeat application",
            "JR": "judicial review",
        },
    ),
}
UNITS = {"P": "persons", "C": "cases"}

#: Passport Index requirement (normalised by the extraction) -> visa category; ``self``
#: (passport = destination) is not a requirement and is skipped.
VISA_CATEGORIES = (
    "visa-free",
    "visa-on-arrival",
    "eta",
    "e-visa",
    "visa-required",
    "no-admission",
    "covid-ban",
    "hayya-entry-permit",
)


def visa_category_iri(slug: str) -> ox.NamedNode:
    return _N(VISA_CATEGORY + slug)


def unhcr_quads(root: Path | None = None, countries: frozenset[str] | None = None) -> list[ox.Quad]:
    """Resettlement and other solutions, and asylum applications, for Canada (asylum or origin)."""
    ds = opendata.dataset("unhcr", root)
    em = _Emitter(_N(GRAPH_UNHCR), countries if countries is not None else curated_countries())
    release = _release(em, ds)
    persons = unit_iri("persons")

    solutions = _data_set(
        em,
        release,
        "unhcr/solutions",
        "UNHCR durable solutions (resettlement arrivals, returns, naturalisations), Canada as country of asylum or origin",
        ["refYear", "origin", "asylumCountry", "qb:measureType"],
        list(SOLUTION_MEASURES.values()),
    )
    for row in opendata.read_rows("unhcr", "solutions_canada.csv", root):
        origin = em.place(row["coo_iso"], row["coo_name"])
        asylum = em.place(row["coa_iso"], row["coa_name"])
        for column, measure in SOLUTION_MEASURES.items():
            value = row[column]
            if value is None:
                continue
            obs = _N(f"{OPEN}unhcr/solutions/{row['year']}/{row['coo_iso']}/{row['coa_iso']}/{measure}")
            em.add(obs, TYPE, OBSERVATION)
            em.add(obs, IN_DATASET, solutions)
            em.add(obs, mpd("refYear"), _int(row["year"]))
            em.add(obs, mpd("origin"), origin)
            em.add(obs, mpd("asylumCountry"), asylum)
            em.add(obs, MEASURE_TYPE, mpd(measure))
            em.add(obs, mpd(measure), _int(value))
            em.add(obs, UNIT_MEASURE, persons)
            em.add(obs, DERIVED, release)

    asylum_ds = _data_set(
        em,
        release,
        "unhcr/asylum-applications",
        "UNHCR asylum applications lodged, Canada as country of asylum or origin",
        [
            "refYear",
            "origin",
            "asylumCountry",
            "procedureType",
            "applicationType",
            "decisionLevel",
            "qb:measureType",
        ],
        [ASYLUM_MEASURE],
    )
    used: dict[str, set[str]] = {column: set() for column in UNHCR_CODES}
    for row in opendata.read_rows("unhcr", "asylum_applications_canada.csv", root):
        if row["applied"] is None:
            continue
        origin = em.place(row["coo_iso"], row["coo_name"])
        asylum = em.place(row["coa_iso"], row["coa_name"])
        key = "-".join(row[c] or "NA" for c in ("procedure_type", "app_type", "dec_level", "app_pc"))
        obs = _N(f"{OPEN}unhcr/asylum-applications/{row['year']}/{row['coo_iso']}/{row['coa_iso']}/{key}")
        em.add(obs, TYPE, OBSERVATION)
        em.add(obs, IN_DATASET, asylum_ds)
        em.add(obs, mpd("refYear"), _int(row["year"]))
        em.add(obs, mpd("origin"), origin)
        em.add(obs, mpd("asylumCountry"), asylum)
        for column, (prop, segment, _labels) in UNHCR_CODES.items():
            if row[column] is not None:
                used[column].add(row[column])
                em.add(obs, mpd(prop), _N(f"{OPEN}unhcr/{segment}/{row[column]}"))
        em.add(obs, MEASURE_TYPE, mpd(ASYLUM_MEASURE))
        em.add(obs, mpd(ASYLUM_MEASURE), _int(row["applied"]))
        if row["app_pc"] not in UNITS:
            raise opendata.OpenDataError(f"unhcr/asylum_applications_canada.csv: app_pc {row['app_pc']!r}")
        em.add(obs, UNIT_MEASURE, unit_iri(UNITS[row["app_pc"]]))
        em.add(obs, DERIVED, release)
    _unhcr_code_schemes(em, used)
    _hosted_observations(em, release, ds, root)
    return em.finish()


def _observation(
    em: _Emitter, release, data_set, iri: str, year: int, where: tuple, measure: str, value: int
):
    """One persons-counted observation: ``where`` is (origin, asylum country) nodes."""
    obs = _N(iri)
    em.add(obs, TYPE, OBSERVATION)
    em.add(obs, IN_DATASET, data_set)
    em.add(obs, mpd("refYear"), _int(year))
    em.add(obs, mpd("origin"), where[0])
    em.add(obs, mpd("asylumCountry"), where[1])
    em.add(obs, MEASURE_TYPE, mpd(measure))
    em.add(obs, mpd(measure), _int(value))
    em.add(obs, UNIT_MEASURE, unit_iri("persons"))
    em.add(obs, DERIVED, release)


def _hosted_observations(em: _Emitter, release, ds: opendata.Dataset, root: Path | None) -> None:
    """The population hosted by every country of asylum at the end of each year (refugees,
    asylum-seekers, oip; origin ``area/ALL``, the total over every origin) and, when the release
    has UNRWA's table, the Palestine refugees under UNRWA's mandate per field of operation."""
    files = {f["path"] for f in ds.manifest["files"]}
    if "population_by_asylum.csv" in files:
        hosted = _data_set(
            em,
            release,
            "unhcr/population-by-asylum",
            "UNHCR population hosted at the end of the year by every country of asylum, all origins "
            "summed: refugees, asylum-seekers, other people in need of international protection",
            ["refYear", "origin", "asylumCountry", "qb:measureType"],
            list(HOSTED_MEASURES.values()),
        )
        everyone = em.place(ALL_ORIGINS)
        for row in opendata.read_rows("unhcr", "population_by_asylum.csv", root):
            where = (everyone, em.place(row["coa_iso"], row["coa_name"]))
            for column, measure in HOSTED_MEASURES.items():
                if row.get(column) is not None:
                    iri = f"{OPEN}unhcr/population-by-asylum/{row['year']}/{row['coa_iso']}/{measure}"
                    _observation(em, release, hosted, iri, row["year"], where, measure, row[column])
    if "unrwa.csv" in files:
        unrwa = _data_set(
            em,
            release,
            "unhcr/unrwa",
            "Palestine refugees registered under UNRWA's mandate at the end of the year, by field of "
            "operation (UNHCR Refugee Data Finder)",
            ["refYear", "origin", "asylumCountry", "qb:measureType"],
            [UNRWA_MEASURE],
        )
        for row in opendata.read_rows("unhcr", "unrwa.csv", root):
            if row["total"] is None:
                continue
            where = (em.place(row["coo_iso"], row["coo_name"]), em.place(row["coa_iso"], row["coa_name"]))
            iri = f"{OPEN}unhcr/unrwa/{row['year']}/{row['coo_iso']}/{row['coa_iso']}/{UNRWA_MEASURE}"
            _observation(em, release, unrwa, iri, row["year"], where, UNRWA_MEASURE, row["total"])


def _unhcr_code_schemes(em: _Emitter, used: dict[str, set[str]]) -> None:
    """One SKOS concept scheme per UNHCR code column, with the codes the observations use."""
    for column, (_prop, segment, labels) in UNHCR_CODES.items():
        scheme = _N(f"{OPEN}unhcr/{segment}")
        em.add(scheme, TYPE, CONCEPT_SCHEME)
        em.add(scheme, LABEL, _en(f"UNHCR {segment.replace('-', ' ')} codes"))
        for code in sorted(used[column]):
            concept = _N(f"{OPEN}unhcr/{segment}/{code}")
            em.add(concept, TYPE, CONCEPT)
            em.add(concept, IN_SCHEME, scheme)
            em.add(concept, NOTATION, ox.Literal(code))
            em.add(concept, LABEL, _en(labels.get(code, f"UNHCR {segment.replace('-', ' ')} code {code}")))


def visa_quads(root: Path | None = None, countries: frozenset[str] | None = None) -> list[ox.Quad]:
    """What Canada requires of each nationality and each country of Canadians, per snapshot."""
    ds = opendata.dataset("passport-index", root)
    em = _Emitter(_N(GRAPH_VISAS), countries if countries is not None else curated_countries())
    release = _release(em, ds)
    for row in opendata.read_rows("passport-index", "canada_visa_requirements.csv", root):
        category = row["requirement"]
        if category == "self":
            continue
        if category not in VISA_CATEGORIES:
            raise opendata.OpenDataError(
                f"passport-index/canada_visa_requirements.csv: requirement {category!r} is not one of "
                f"{', '.join(VISA_CATEGORIES)} (add it to the ontology's visa categories first)"
            )
        snapshot = row["snapshot"].isoformat()
        node = _N(f"{OPEN}visas/{snapshot}/{row['passport']}/{row['destination']}")
        em.add(node, TYPE, mpd("VisaRequirement"))
        em.add(node, mpd("nationality"), em.place(row["passport"]))
        em.add(node, mpd("destination"), em.place(row["destination"]))
        em.add(node, mpd("visaCategory"), visa_category_iri(category))
        if row["days"] is not None:
            em.add(node, mpd("visaFreeDays"), _int(row["days"]))
        em.add(node, mpd("snapshotDate"), ox.Literal(snapshot, datatype=_XSD_DATE))
        em.add(node, mpd("upstreamValue"), ox.Literal(row["value"] or ""))
        em.add(node, DERIVED, release)
    return em.finish()


def open_data_quads(root: Path | None = None, graph_dir: Path | None = None) -> list[ox.Quad]:
    """Every open-data quad, deduplicated, in the builders' order (the same in every run; the
    dump sorts its lines itself, so a sort here would only repeat that work)."""
    from mpdkg.rdf.opendata_unvotes import unvotes_quads

    countries = curated_countries(graph_dir)
    quads = unhcr_quads(root, countries) + visa_quads(root, countries)
    if any(d.name == "unvotes" for d in opendata.datasets(root)):
        quads += unvotes_quads(root, countries, graph_dir)
    if any(d.name == "cow-igo" for d in opendata.datasets(root)):
        from mpdkg.rdf.opendata_cow import cow_quads

        quads += cow_quads(root, countries, graph_dir)
    if any(d.name == "manytrade" for d in opendata.datasets(root)):
        from mpdkg.rdf.opendata_trade import trade_quads

        quads += trade_quads(root, countries, graph_dir)
    if any(d.name == "ircc" for d in opendata.datasets(root)):
        from mpdkg.rdf.opendata_ircc import ircc_quads

        quads += ircc_quads(root, countries)
    return list(dict.fromkeys(quads))


def _iri(term: object) -> str:
    """The IRI of a subject or graph name that is a named node (every one the builders make)."""
    return cast(ox.NamedNode, term).value


def render_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Sorted N-Quads lines (byte order), one per distinct quad."""
    text = cast(bytes, ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS))
    lines = sorted(set(text.splitlines()))
    return b"\n".join(line for line in lines if line.strip()) + b"\n"


def render_dump(quads: Iterable[ox.Quad]) -> bytes:
    """The gzipped dump: no file name, zero timestamp, so the same quads give the same bytes."""
    return gzip.compress(render_nquads(quads), compresslevel=6, mtime=0)


@dataclass(frozen=True)
class Written:
    path: Path
    quads: int
    per_graph: dict[str, int]


def count_per_graph(quads: Iterable[ox.Quad]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in quads:
        graph = _iri(q.graph_name)
        counts[graph] = counts.get(graph, 0) + 1
    return dict(sorted(counts.items()))


def write_open_data(folder: Path, root: Path | None = None, quads: list[ox.Quad] | None = None) -> Written:
    """Write ``open-data.nq.gz`` into ``folder``; the quads are built unless given."""
    quads = quads if quads is not None else open_data_quads(root)
    path = Path(folder) / DUMP_NAME
    path.write_bytes(render_dump(quads))
    return Written(path, len(quads), count_per_graph(quads))


def shapes_file() -> Path:
    from mpdkg import paths

    return paths.shapes_dir() / "opendata.ttl"


#: The classes of the many small records, each checked on its own (see :func:`validate_quads`).
_BULK = (OBSERVATION, mpd("VisaRequirement"), mpd("CowMembership"), mpd("RollCall"))
#: Triples of bulk records per rudof run: rudof holds about 10 kB per triple it checks (7.5 GB
#: for the open data in one run), so the records are checked a slice at a time.
CHUNK_TRIPLES = 100_000
#: rudof names an unnamed property shape by a blank node label drawn anew in every run.
_BLANK_SHAPE = re.compile(r"Shape _:[0-9a-f]+")


def _validation_chunks(triples: list[ox.Triple], chunk: int) -> list[list[ox.Triple]]:
    """The triples cut into runs of at most ``chunk`` bulk triples, each with every triple that
    is not about a bulk record (releases, data sets, code lists, areas): the shapes of
    a bulk record read only its own triples and those shared nodes, so a run reports for its
    records exactly what one run over everything reports."""
    bulk_subjects = {t.subject for t in triples if t.predicate == TYPE and t.object in _BULK}
    shared = [t for t in triples if t.subject not in bulk_subjects]
    by_subject: dict[object, list[ox.Triple]] = {}
    for t in triples:
        if t.subject in bulk_subjects:
            by_subject.setdefault(t.subject, []).append(t)
    return slices_for_validation(shared, by_subject, chunk)


def validate_quads(quads: list[ox.Quad], shapes: Path | None = None, chunk: int = CHUNK_TRIPLES) -> list[str]:
    """SHACL (rudof, fast enough for the whole open-data graph) on the union of the quads with
    the ontology's visa categories; one line per violation, empty when the graph conforms. The
    bulk records are checked in slices (:func:`_validation_chunks`), which bounds rudof's memory
    and gives the same findings: ``SLICE_WORKERS`` slices at once, each ``chunk / SLICE_WORKERS``
    bulk triples, so rudof holds about the memory of one slice of ``chunk``."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from mpdkg import paths
    from mpdkg.rdf.engine import SLICE_WORKERS
    from mpdkg.staging import SHACL_CACHE, cache_entry, read_cached_list, write_cached_list

    problems = _vote_problems(quads)
    quads = _thin_votes(quads)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    onto = ox.Store()
    onto.load(path=str(paths.ontology_file().parent / "opendata.ttl"), format=ox.RdfFormat.TURTLE)
    triples += [ox.Triple(q.subject, q.predicate, q.object) for q in onto]
    parts = _validation_chunks(triples, max(1, chunk // SLICE_WORKERS))
    del triples
    shapes_path = str(shapes or shapes_file())
    decided_by = _shapes_key(Path(shapes_path))
    found: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:

        def check(numbered: tuple[int, list[ox.Triple]]) -> set[str]:
            number, part = numbered
            text = cast(bytes, ox.serialize(part, format=ox.RdfFormat.N_TRIPLES))
            entry = cache_entry(SHACL_CACHE, hashlib.sha256(decided_by + text).hexdigest())
            cached = read_cached_list(entry, _CACHE_FORMAT)
            if cached is not None:
                return set(cached)
            data = Path(tmp) / f"data-{number}.nt"
            data.write_bytes(text)
            try:
                violations = _rudof_violations(data, shapes_path)
            finally:
                data.unlink()
            write_cached_list(entry, sorted(violations), _CACHE_FORMAT)
            return violations

        with ThreadPoolExecutor(max_workers=SLICE_WORKERS) as pool:  # rudof lets go of the GIL
            for violations in pool.map(check, enumerate(parts)):
                found |= violations
    return problems + sorted(found)


#: Bumped when the layout of a cached slice's findings changes.
_CACHE_FORMAT = 1


def _shapes_key(shapes: Path) -> bytes:
    """What decides a slice's findings besides its triples: the shapes, pyrudof's version and
    the code that runs it and words its findings (this module, the SHACL cache's format)."""
    import pyrudof

    head = f"open data; format {_CACHE_FORMAT}; pyrudof {pyrudof.__version__}\n".encode()
    return (
        hashlib.sha256(head + Path(__file__).read_bytes() + shapes.read_bytes()).hexdigest().encode() + b"\n"
    )


def _rudof_violations(data: Path, shapes: str) -> set[str]:
    """One rudof run over an N-Triples file, its violations as lines without rudof's random
    blank-node labels for unnamed shapes."""
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes)
    report = rudof.validate_shacl()
    return {
        _BLANK_SHAPE.sub(
            "A property shape", f"{v.focus_node}: {v.message or v.constraint_component} ({v.path or ''})"
        )
        for v in report.violations
    }


_VOTES = {mpd(p) for p in ("yesVote", "noVote", "abstention", "absence")}
_PLACE = re.compile(r"https://w3id\.org/mpdkg/(country|open-data/area)/[A-Z]{3}")
_ROLL_CALL = re.compile(r"https://w3id\.org/mpdkg/open-data/unvotes/rollcall/([0-9]+)")


def _vote_problems(quads: list[ox.Quad]) -> list[str]:
    """The one constraint on the 943k vote triples (a roll call votes a country or area), checked
    in Python on every one of them: SHACL sees the votes of every 25th roll call only."""
    return sorted(
        f"{_iri(q.subject)}: a vote must name a country or statistical area, not {q.object} ({q.predicate.value})"
        for q in quads
        if q.predicate in _VOTES
        and not (_PLACE.fullmatch(getattr(q.object, "value", "")) and _ROLL_CALL.fullmatch(_iri(q.subject)))
    )


def _thin_votes(quads: list[ox.Quad], every: int = 25) -> list[ox.Quad]:
    def kept(q: ox.Quad) -> bool:
        if q.predicate not in _VOTES:
            return True
        match = _ROLL_CALL.fullmatch(_iri(q.subject))
        return match is None or int(match.group(1)) % every == 0

    return [q for q in quads if kept(q)]


def sample_quads(quads: list[ox.Quad], every: int = 20) -> list[ox.Quad]:
    """Every ``every``-th bulk record (observation, visa requirement, CoW membership: in IRI
    order; roll calls: by number), the votes of every ``5 * every``-th roll call, with everything
    else (releases, data sets, structures, code lists, areas), for a quick SHACL check."""
    bulk = set(_BULK) - {mpd("RollCall")}
    many = sorted({_iri(q.subject) for q in quads if q.predicate == TYPE and q.object in bulk})
    drop = set(many) - set(many[::every])

    def kept(q: ox.Quad) -> bool:
        subject = _iri(q.subject)
        match = _ROLL_CALL.fullmatch(subject)
        return subject not in drop and (match is None or int(match.group(1)) % every == 0)

    return _thin_votes([q for q in quads if kept(q)], every * 5)


def read_dump(path: Path) -> Iterator[ox.Quad]:
    """The quads of a written dump (for checks; the query engine loads the file itself)."""
    data = gzip.decompress(Path(path).read_bytes())
    yield from ox.parse(data, format=ox.RdfFormat.N_QUADS)


__all__ = [
    "AREA",
    "OPEN",
    "UNIT",
    "curated_countries",
    "mpd",
    "release_iri",
    "unit_iri",
    "visa_category_iri",
    "DUMP_NAME",
    "GRAPHS",
    "GRAPH_UNHCR",
    "GRAPH_VISAS",
    "Written",
    "count_per_graph",
    "open_data_quads",
    "read_dump",
    "render_dump",
    "render_nquads",
    "sample_quads",
    "unhcr_quads",
    "validate_quads",
    "visa_quads",
    "write_open_data",
]
