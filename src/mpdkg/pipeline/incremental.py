"""``mpdkg run`` stage by stage, redoing only the stages whose inputs changed (see ``stages``).

The whole run happens under the output folder's lock, inside the staging folder that replaces
the output folder at the end (``mpdkg.staging.staged``): a fresh stage's files are hard-linked
from the current output folder into the staging folder, a stale one is run again. Whatever a
stage still to run needs in memory (the built graph, the inferred or analysis graph) is read
back from the intermediate products of the last run (``OUT/.stages/*.nq``, checked by digest
like every other output), so a fresh stage is never run for the sake of a later one.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from mpdkg import paths
from mpdkg.errors import Origin, ValidationFailed
from mpdkg.namespaces import GRAPHS
from mpdkg.pipeline import stages as S
from mpdkg.rdf.build import Built, build_dataset, new_dataset
from mpdkg.rdf.engine import from_ox, ox_quads

if TYPE_CHECKING:
    from mpdkg.pipeline.beside import OpenDataBeside

Step = Callable[[str], None]

BUILD_NQ = f"{S.PRODUCTS}/build.nq"
ORIGINS = f"{S.PRODUCTS}/origins.json"
INFERRED_NQ = f"{S.PRODUCTS}/inferred.nq"
ANALYSIS_NQ = f"{S.PRODUCTS}/analysis.nq"


@dataclass
class StageResult:
    name: str
    status: str  # "ran", "fresh"
    seconds: float
    why: str = ""


@dataclass
class RunState:
    """One run: the old manifest, the new one, and what has been loaded into memory."""

    out: Path
    stage: Path
    digests: dict[str, str]
    force: bool
    step: Step
    old: dict[str, dict] = field(default_factory=dict)
    new: dict[str, dict] = field(default_factory=dict)
    results: list[StageResult] = field(default_factory=list)
    built: Built | None = None
    pending: list[str] = field(default_factory=list)  # products to add when the graph is loaded

    def why_run(self, name: str) -> str | None:
        """None when the stage is fresh, else why it must run."""
        if self.force:
            return "--force"
        entry = self.old.get(name)
        if entry is None:
            return "no earlier run"
        if entry.get("digest") != self.digests[name]:
            return "inputs changed"
        if not S.outputs_intact(self.out, entry.get("outputs", {})):
            return "outputs missing or changed"
        return None

    def carry(self, name: str) -> None:
        """Take a fresh stage's files from the current output folder."""
        entry = self.old[name]
        for rel in entry.get("outputs", {}):
            target = self.stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(self.out / rel, target)
        self.new[name] = entry
        self.results.append(StageResult(name, "fresh", 0.0))
        if entry.get("note"):
            self.step(f"{name}: {entry['note']} (recorded by the earlier run)")

    def run(self, name: str, why: str, work: Callable[[], str | None], *, outputs=None) -> None:
        """Run a stage and record the files it wrote (``outputs`` filters them by name)."""
        before = S.snapshot(self.stage)
        started = time.perf_counter()
        note = work() or ""
        seconds = time.perf_counter() - started
        written = sorted(S.snapshot(self.stage) - before)
        if outputs is not None:
            written = [w for w in written if outputs(w)]
        self.new[name] = {"digest": self.digests[name], "outputs": S.record_outputs(self.stage, written)}
        if note:
            self.new[name]["note"] = note
        self.results.append(StageResult(name, "ran", seconds, why))

    def graph(self) -> Built:
        """The built graph with every graph of the stages so far, from memory or the products."""
        if self.built is None:
            self.built = read_built(self.stage)
        for rel in self.pending:
            add_nquads(self.built, (self.stage / rel).read_bytes())
        self.pending.clear()
        return self.built


def write_nquads(path: Path, quads: list[ox.Quad]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")


def add_nquads(built: Built, data: bytes) -> None:
    ds = built.dataset
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        ds.graph(from_ox(q.graph_name)).add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))


def read_built(folder: Path) -> Built:
    """The built graph (ontology and curated facts) and its origins, from a run's products."""
    built = Built(new_dataset())
    add_nquads(built, (folder / BUILD_NQ).read_bytes())
    origins = json.loads((folder / ORIGINS).read_text(encoding="utf-8"))
    for iri, (file, line) in origins.items():
        built.origins[from_ox(ox.NamedNode(iri))] = Origin(file, line)
    return built


def graph_quads(built: Built, name) -> list[ox.Quad]:
    return ox_quads([(name, built.dataset.graph(name))])


def build_stage(state: RunState, graph_root: Path | None) -> None:
    """load + build: the records and the built graph, kept as N-Quads and origins."""
    from mpdkg.sources.load import load_sources

    why = state.why_run("build")
    if why is None:
        state.carry("load")
        state.carry("build")
        return
    holder: dict = {}

    def load() -> None:
        state.step("loading curated sources")
        holder["records"] = load_sources(graph_root)

    def build() -> None:
        state.step("building RDF")
        built = build_dataset(holder["records"])
        write_nquads(state.stage / BUILD_NQ, built.quads())
        origins = {str(k): [v.file, v.line] for k, v in sorted(built.origins.items())}
        (state.stage / ORIGINS).write_text(json.dumps(origins, indent=0, sort_keys=True), encoding="utf-8")
        state.built = built

    state.run("load", why, load)
    state.run("build", why, build)


def validate_stage(state: RunState, engine: str) -> None:
    from mpdkg.validate.shacl import load_shapes, validate_built

    why = state.why_run("validate")
    if why is None:
        state.carry("validate")
        return

    def work() -> None:
        state.step(f"validating with SHACL ({engine})")
        report = validate_built(state.graph(), load_shapes(), engine)
        if not report.conforms:
            raise ValidationFailed(report.text(), len(report.violations))

    state.run("validate", why, work)


def reason_stage(state: RunState) -> None:
    from mpdkg.reason.hermit import inferred_turtle, reason_into

    why = state.why_run("reason")
    if why is None:
        state.carry("reason")
        state.pending.append(INFERRED_NQ)
        return

    def work() -> str | None:
        state.step("reasoning (OWL)")
        built = state.graph()
        report = reason_into(built, state.step)
        write_nquads(state.stage / INFERRED_NQ, graph_quads(built, GRAPHS.inferred))
        if report.status != "ok":
            state.step(f"warning: {report.message}")
            return f"warning: {report.message}"
        (state.stage / "inferred.ttl").write_bytes(inferred_turtle(built))
        return None

    state.run("reason", why, work)


def analyse_stage(state: RunState, weights: Path | None) -> None:
    from mpdkg.influence.analysis import analyse
    from mpdkg.influence.config import InfluenceConfig

    why = state.why_run("analyse")
    if why is None:
        state.carry("analyse")
        state.pending.append(ANALYSIS_NQ)
        return

    def work() -> None:
        state.step("analysing influence")
        built = state.graph()
        built.influence = analyse(built.dataset, InfluenceConfig.load(weights))
        built.influence.add_to(built.dataset.graph(GRAPHS.analysis))
        write_nquads(state.stage / ANALYSIS_NQ, graph_quads(built, GRAPHS.analysis))
        (state.stage / "influence.csv").write_text(built.influence.to_csv(), encoding="utf-8")
        (state.stage / "influence.json").write_text(built.influence.to_json(), encoding="utf-8")

    state.run("analyse", why, work)


def dumps_stage(state: RunState) -> None:
    from mpdkg import __version__
    from mpdkg.publish.diff import diff_datasets, load_build
    from mpdkg.publish.release import latest_release
    from mpdkg.publish.stats import compute_stats, stats_json
    from mpdkg.publish.void import write_void
    from mpdkg.rdf.dumps import write_dumps

    why = state.why_run("dumps")
    if why is None:
        state.carry("dumps")
        return

    def work() -> None:
        state.step("writing dumps")
        built = state.graph()
        ds = built.dataset
        write_dumps(built, state.stage)
        write_void(ds, state.stage, __version__)
        state.step("writing statistics")
        (state.stage / "stats.json").write_text(stats_json(compute_stats(ds)), encoding="utf-8")
        previous = latest_release(state.out)
        if previous is not None:
            state.step(f"comparing with release {previous.name}")
            change = diff_datasets(load_build(previous), ds)
            text = change.to_markdown(f"release {previous.name}", "this build")
            (state.stage / "diff.md").write_text(text, encoding="utf-8")
            (state.stage / "diff.json").write_text(change.to_json(), encoding="utf-8")

    state.run("dumps", why, work)


def maps_stage(state: RunState) -> None:
    """Maps and report are drawn by one call (the report shows the maps' figures)."""
    from mpdkg.maps.write import origins_from_built, write_maps

    why = state.why_run("maps") or state.why_run("report")
    if why is None:
        state.carry("maps")
        state.carry("report")
        return
    started = time.perf_counter()
    state.step("drawing the maps and the report")
    built = state.graph()
    before = S.snapshot(state.stage)
    write_maps(built.dataset, state.stage, origins=origins_from_built(built), step=state.step)
    written = S.snapshot(state.stage) - before
    seconds = time.perf_counter() - started
    for name, prefix in (("maps", "maps/"), ("report", "report/")):
        mine = [w for w in written if w.startswith(prefix)]
        state.new[name] = {"digest": state.digests[name], "outputs": S.record_outputs(state.stage, mine)}
    state.results.append(StageResult("maps", "ran", seconds, why))
    state.results.append(StageResult("report", "ran", 0.0, why + " (drawn with the maps)"))


def start_open_data(state: RunState, graph_root: Path | None, why: str | None) -> OpenDataBeside | None:
    """The open-data stage started in a second process when it must run (``why``), there are
    open data and two cores (``mpdkg.pipeline.beside``); None when it runs in line or is fresh."""
    from mpdkg.pipeline.beside import OpenDataBeside, has_open_data

    graph = Path(graph_root) if graph_root is not None else paths.graph_dir()
    if why is None or not has_open_data(graph) or (os.cpu_count() or 1) < 2:
        return None
    return OpenDataBeside(state.stage, graph.resolve(), state.step)


def open_data_stage(
    state: RunState, graph_root: Path | None, why: str | None, beside: OpenDataBeside | None = None
) -> None:
    """The open-data stage: carried when fresh (``why`` None), else waited for or run in line."""
    from mpdkg.pipeline import write_open_data_step

    if why is None:
        state.carry("open data")
        return
    if beside is None:
        state.run("open data", why, lambda: write_open_data_step(state.stage, graph_root, state.step))
        return
    names = beside.wait()
    state.new["open data"] = {
        "digest": state.digests["open data"],
        "outputs": S.record_outputs(state.stage, names),
    }
    state.results.append(StageResult("open data", "ran", time.perf_counter() - beside.started, why))


def inputs_of(out: Path, graph_root: Path | None, weights: Path | None) -> S.Inputs:
    from mpdkg.influence.config import DEFAULT_WEIGHTS
    from mpdkg.reason.hermit import java_executable

    releases = Path(out) / "releases"
    names = tuple(sorted(p.name for p in releases.iterdir())) if releases.is_dir() else ()
    graph = Path(graph_root) if graph_root is not None else paths.graph_dir()
    return S.Inputs(
        graph_dir=graph.resolve(),
        weights=Path(weights or DEFAULT_WEIGHTS).resolve(),
        java=java_executable() is not None,
        releases=names,
    )


def run_stages(
    out: Path,
    stage: Path,
    graph_root: Path | None,
    step: Step,
    *,
    force: bool = False,
    weights: Path | None = None,
    engine: str = "rudof",
) -> RunState:
    """Every stage of ``mpdkg run`` into the staging folder ``stage`` (under ``out``'s lock)."""
    out = Path(out).resolve()
    digests = S.stage_digests(inputs_of(out, graph_root, weights))
    state = RunState(out, Path(stage), digests, force, step, old=S.read_manifest(out))
    with paths.using_graph_dir(graph_root):  # the analysis, maps and report read the graph built
        why_open = state.why_run("open data")  # once: it hashes the recorded dump
        beside = start_open_data(state, graph_root, why_open)  # reads only graph/open-data/: runs beside
        try:
            build_stage(state, graph_root)
            validate_stage(state, engine)
            reason_stage(state)
            analyse_stage(state, weights)
            dumps_stage(state)
            maps_stage(state)
            open_data_stage(state, graph_root, why_open, beside)
        finally:
            if beside is not None:
                beside.abandon()  # a stage failed: stop it, remove what it wrote
    (state.stage / S.MANIFEST).write_text(S.manifest_text(state.new), encoding="utf-8")
    return state
