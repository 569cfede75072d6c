"""The main job, step by step: load the sources, build, validate, write dist/ atomically.

Each step is a plain function so the CLI (with a progress display) and the tests call the same
code; the one-direction flow of docs/architecture.md is the order of the calls here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from mpdkg.errors import UsageError, ValidationFailed
from mpdkg.rdf.build import Built, build_dataset
from mpdkg.sources.load import load_sources
from mpdkg.sources.records import Records
from mpdkg.staging import staged
from mpdkg.validate.shacl import DEFAULT_ENGINE, Report, load_shapes, validate_built

Step = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class BuildResult:
    records: Records
    built: Built
    report: Report | None
    out: Path


def build_and_validate(
    graph_root: Path | None = None,
    step: Step = _quiet,
    validate: bool = True,
    extra_shapes: list[Path] | None = None,
    engine: str = DEFAULT_ENGINE,
):
    step("loading curated sources")
    records = load_sources(graph_root)
    step("building RDF")
    built = build_dataset(records)
    report = None
    if validate:
        step(f"validating with SHACL ({engine})")
        shapes = load_shapes()
        for path in extra_shapes or []:
            shapes.parse(path, format="turtle")
        report = validate_built(built, shapes, engine)
        if not report.conforms:
            raise ValidationFailed(report.text(), len(report.violations))
    return records, built, report


#: What ``run`` (and ``reason``, ``map``, ``void``) write into an output folder and ``build`` does not.
RUN_OUTPUTS = (
    "void.ttl",
    "stats.json",
    "influence.csv",
    "influence.json",
    "diff.md",
    "diff.json",
    "inferred.ttl",
    "maps",
    "report",
    "open-data.nq.gz",
)


def outputs_build_would_delete(out: Path) -> list[str]:
    """The published outputs in ``out`` that ``build`` does not write, so would delete: the files
    of a full run, and the inferred and analysis graphs inside its dumps."""
    import mmap

    from mpdkg.namespaces import GRAPHS
    from mpdkg.rdf.dumps import DUMP_NAMES

    out = Path(out)
    if not out.is_dir():
        return []
    found = [name + ("/" if (out / name).is_dir() else "") for name in RUN_OUTPUTS if (out / name).exists()]
    trig = out / DUMP_NAMES["trig"]
    if trig.is_file() and trig.stat().st_size:
        with trig.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            graphs = [
                g for g in ("inferred", "analysis") if data.find(f"<{getattr(GRAPHS, g)}>".encode()) >= 0
            ]
        if graphs:
            found.append(f"the {' and '.join(graphs)} graph(s) in {DUMP_NAMES['trig']} and the other dumps")
    return found


def refuse_to_replace_a_run(out: Path) -> None:
    """``build`` writes only the curated dumps: into a folder holding a full run it would delete
    the rest (VoID, statistics, influence, maps, report, inferred and analysis graphs), so it refuses."""
    lost = outputs_build_would_delete(out)
    if lost:
        raise UsageError(
            f"{out}/ holds the outputs of a full run (mpdkg run), which mpdkg build does not write and "
            f"would delete: {', '.join(lost)}. Nothing was written. Rebuild everything with "
            f"'mpdkg run --out {out}', write the dumps to another folder ('mpdkg build --out OTHER'), "
            f"or remove {out}/ first."
        )


def build(
    out: Path,
    graph_root: Path | None = None,
    step: Step = _quiet,
    validate: bool = True,
    *,
    replace_run: bool = False,
) -> BuildResult:
    """Build the dumps into ``out``; on any failure ``out`` is left exactly as it was.

    Into a folder that holds a full run (``mpdkg run``) it refuses (UsageError), since it would
    delete what it does not rebuild, unless ``replace_run``. Runs into the same folder take turns.
    """
    check = None if replace_run else refuse_to_replace_a_run
    if check is not None:
        check(out)  # fail before the work; checked again under the folder's lock
    step("loading curated sources")
    records = load_sources(graph_root)
    step("building RDF")
    built = build_dataset(records)
    report, dumps = validated_dumps(built, step, validate)
    with staged(out, check=check, on_wait=step) as stage:
        step("writing dumps")
        for name, content in dumps:  # a large graph's are made one at a time, as written
            (stage / name).write_bytes(content)
    return BuildResult(records, built, report, Path(out))


def validated_dumps(
    built: Built, step: Step = _quiet, validate: bool = True
) -> tuple[Report | None, Iterable[tuple[str, bytes]]]:
    """The dumps of a build (file name, bytes) and its SHACL report; ValidationFailed when it
    does not conform. rudof runs in a thread while the dumps are rendered (it lets go of the
    GIL: 2.5 s -> 1.8 s on the curated graph), except for a graph large enough to be validated
    in slices, where the two at once would add their peaks of memory: there the dumps are made
    after the check, one at a time as they are written (``iter_dumps``)."""
    from concurrent.futures import ThreadPoolExecutor

    from mpdkg.rdf.dumps import iter_dumps, render_dumps
    from mpdkg.validate.chunks import CHUNK_FROM

    if not validate:
        return None, iter_dumps(built)
    step(f"validating with SHACL ({DEFAULT_ENGINE}) and rendering the dumps")
    shapes = load_shapes()
    if len(built.quads()) >= CHUNK_FROM:  # quads() first: both threads read the same list
        report, dumps = validate_built(built, shapes), None
    else:
        built.triples()  # and the triples: made once, read by both
        with ThreadPoolExecutor(max_workers=1) as pool:
            checking = pool.submit(validate_built, built, shapes)
            dumps = render_dumps(built)
            report = checking.result()
    if not report.conforms:
        raise ValidationFailed(report.text(), len(report.violations))
    return report, dumps.items() if dumps is not None else iter_dumps(built)


def full_dataset(
    graph_root: Path | None = None, step: Step = _quiet, require_reasoning: bool = False
) -> Built:
    """The built dataset with every named graph the main job adds: curated facts validated, the
    inferred graph from OWL reasoning, and the analysis graph from the influence analysis.

    Without Java, reasoning is skipped with a warning (``step``), unless ``require_reasoning``.
    """
    from mpdkg.influence.analysis import InfluenceConfig, analyse
    from mpdkg.namespaces import GRAPHS
    from mpdkg.reason.hermit import reason_into

    # a release (require_reasoning) is checked by the reference engines: pySHACL and HermiT
    engine = "pyshacl" if require_reasoning else DEFAULT_ENGINE
    _records, built, _report = build_and_validate(graph_root, step, engine=engine)
    step("reasoning (OWL: HermiT over everything)" if require_reasoning else "reasoning (OWL)")
    report = reason_into(built, step, full=require_reasoning)  # a release: HermiT over everything
    if report.status != "ok":
        if require_reasoning:
            raise ReasoningSkipped(f"reasoning could not run: {report.message}")
        step(f"warning: {report.message}")
    step("analysing influence")
    built.influence = analyse(built.dataset, InfluenceConfig.load())
    built.influence.add_to(built.dataset.graph(GRAPHS.analysis))
    return built


class ReasoningSkipped(ValidationFailed):
    """A release needs the reasoner; without it nothing is released."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message, 1)


@dataclass
class RunResult:
    """What ``run_all`` did: each stage, run or fresh, and the output folder."""

    out: Path
    stages: list  # of mpdkg.pipeline.incremental.StageResult
    built: Built | None  # None when no stage needed the graph in memory

    @property
    def triples(self) -> int:
        """The triples of the published N-Triples dump (one per line)."""
        from mpdkg.rdf.dumps import DUMP_NAMES

        with open(self.out / DUMP_NAMES["nt"], "rb") as fh:
            return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def run_all(
    out: Path,
    graph_root: Path | None = None,
    step: Step = _quiet,
    *,
    force: bool = False,
    weights: Path | None = None,
) -> RunResult:
    """The main job (``make run``): everything the build produces, written to ``out`` at once.

    Only the stages whose inputs changed since the run that wrote ``out`` run again (the
    manifest ``out/.stages.json``, see ``mpdkg.pipeline.stages``); ``force`` runs them all.
    """
    from mpdkg.pipeline.incremental import run_stages

    with staged(out, on_wait=step) as stage:
        state = run_stages(out, stage, graph_root, step, force=force, weights=weights)
    prepare_query_store(Path(out), step)
    return RunResult(Path(out), state.results, state.built)


def prepare_query_store(out: Path, step: Step = _quiet) -> None:
    """The persisted Oxigraph store that ``mpdkg query`` opens instead of parsing the dumps
    (``mpdkg.query.store``; in the cache, not in ``out``). A failure here costs only speed."""
    from mpdkg.query.engines import with_open_data
    from mpdkg.query.store import prepare_store
    from mpdkg.rdf.dumps import DUMP_NAMES

    dumps = with_open_data([Path(out) / DUMP_NAMES["trig"]])
    if not dumps[0].is_file():
        return
    try:
        prepare_store(dumps, on_build=lambda: step("preparing the query store (once per build)"))
    except OSError as exc:
        step(f"warning: no query store ({exc}); queries will read the dumps")


def write_open_data_step(stage: Path, graph_root: Path | None = None, step: Step = _quiet) -> None:
    """The vendored open data (graph/open-data/) as the separate dump open-data.nq.gz, built
    Oxigraph-native and checked with its SHACL shapes; skipped for a graph/ without open data."""
    import time

    from mpdkg import paths
    from mpdkg.rdf import opendata as od

    graph_dir = Path(graph_root) if graph_root is not None else paths.graph_dir()
    root = graph_dir / "open-data"
    if not any(root.glob("*/MANIFEST.json")):
        step(f"no open data in {root}: {od.DUMP_NAME} not written")
        return
    started = time.perf_counter()
    step(
        "building the open-data graphs (UNHCR, IRCC admissions, visas, UN votes, COW IGO memberships, manytrade)"
    )
    quads = od.open_data_quads(root, graph_dir)
    step(f"validating {len(quads):,} open-data triples with SHACL (rudof)")
    problems = od.validate_quads(quads)
    if problems:
        raise ValidationFailed("open data (shapes/opendata.ttl):\n" + "\n".join(problems[:50]), len(problems))
    written = od.write_open_data(stage, quads=quads)
    step(f"wrote {written.path.name}: {written.quads:,} triples in {time.perf_counter() - started:.1f} s")
    del quads
    _prepare_open_data_store(written.path, step)


def _prepare_open_data_store(dump: Path, step: Step) -> None:
    """The query store's base for this open-data dump, made now (beside the maps in a run) so
    that preparing the query store after the stages only adds the curated dumps."""
    from mpdkg.query.store import prepare_base

    try:
        if prepare_base(dump) is not None:
            step(f"loaded {dump.name} into the query store's base")
    except OSError as exc:
        step(f"warning: no query store base ({exc}); it is made after the stages")


def release(
    dist: Path, version: str | None = None, graph_root: Path | None = None, step=lambda s: None
) -> Path:
    """Build, validate and reason; then write ``dist/releases/VERSION/`` atomically."""
    from mpdkg.publish.release import check_version, write_release

    version = check_version(version)
    target = Path(dist) / "releases" / version
    if target.exists():
        raise UsageError(f"{target} exists already; remove it or choose another --version")
    built = full_dataset(graph_root, step, require_reasoning=True)
    return write_release(built, dist, version, step)
