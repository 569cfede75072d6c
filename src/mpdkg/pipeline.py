"""The main job, step by step: load the sources, build, validate, write dist/ atomically.

Each step is a plain function so the CLI (with a progress display) and the tests call the same
code; the one-direction flow of DESIGN.md is the order of the calls here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mpdkg.build import Built, build_dataset
from mpdkg.dumps import write_dumps
from mpdkg.errors import ValidationFailed
from mpdkg.sources import load_sources
from mpdkg.staging import staged
from mpdkg.validate import Report, load_shapes, validate_built

Step = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class BuildResult:
    built: Built
    report: Report | None
    out: Path


def build_and_validate(
    graph_root: Path | None = None,
    step: Step = _quiet,
    validate: bool = True,
    extra_shapes: list[Path] | None = None,
    engine: str = "pyshacl",
):
    step("loading curated sources")
    records = load_sources(graph_root)
    step("building RDF")
    built = build_dataset(records)
    report = None
    if validate:
        step("validating with SHACL")
        shapes = load_shapes()
        for path in extra_shapes or []:
            shapes.parse(path, format="turtle")
        report = validate_built(built, shapes, engine)
        if not report.conforms:
            raise ValidationFailed(report.text(), len(report.violations))
    return records, built, report


def build(
    out: Path, graph_root: Path | None = None, step: Step = _quiet, validate: bool = True
) -> BuildResult:
    """Build the dumps into ``out``; on any failure ``out`` is left exactly as it was."""
    _records, built, report = build_and_validate(graph_root, step, validate)
    with staged(out) as stage:
        step("writing dumps")
        write_dumps(built.dataset, stage)
    return BuildResult(built, report, Path(out))


def full_dataset(
    graph_root: Path | None = None, step: Step = _quiet, require_reasoning: bool = False
) -> Built:
    """The built dataset with every named graph the main job adds: curated facts validated, the
    inferred graph from OWL reasoning, and the analysis graph from the influence analysis.

    Without Java, reasoning is skipped with a warning (``step``), unless ``require_reasoning``.
    """
    from mpdkg.influence import InfluenceConfig, analyse
    from mpdkg.namespaces import GRAPHS
    from mpdkg.reason import reason_into

    _records, built, _report = build_and_validate(graph_root, step)
    step("reasoning (OWL, HermiT)")
    report = reason_into(built, step)
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


def run_all(out: Path, graph_root: Path | None = None, step: Step = _quiet) -> BuildResult:
    """The main job (``make run``): everything the build produces, written to ``out`` at once."""
    from mpdkg import __version__
    from mpdkg.diff import diff_datasets, load_build
    from mpdkg.maps import origins_from_built, write_maps
    from mpdkg.publish import write_void
    from mpdkg.release import latest_release
    from mpdkg.stats import compute_stats, stats_json

    built = full_dataset(graph_root, step)
    with staged(out) as stage:
        step("writing dumps")
        write_dumps(built.dataset, stage)
        write_void(built.dataset, stage, __version__)
        step("writing statistics and influence")
        (stage / "stats.json").write_text(stats_json(compute_stats(built.dataset)), encoding="utf-8")
        (stage / "influence.csv").write_text(built.influence.to_csv(), encoding="utf-8")
        (stage / "influence.json").write_text(built.influence.to_json(), encoding="utf-8")
        previous = latest_release(out)
        if previous is not None:
            step(f"comparing with release {previous.name}")
            change = diff_datasets(load_build(previous), built.dataset)
            (stage / "diff.md").write_text(
                change.to_markdown(f"release {previous.name}", "this build"), encoding="utf-8"
            )
            (stage / "diff.json").write_text(change.to_json(), encoding="utf-8")
        step("drawing the maps and the report")
        write_maps(built.dataset, stage, origins=origins_from_built(built), step=step)
    return BuildResult(built, None, Path(out))
