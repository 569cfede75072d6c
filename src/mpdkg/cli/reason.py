"""mpdkg reason: OWL reasoning over the built graph, with curator-readable explanations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mpdkg.cli.common import GraphDir, OutDir, err, out, progress, reported


def register(app: typer.Typer) -> None:
    @app.command()
    def reason(
        graph_dir: GraphDir = None,
        out_dir: OutDir = Path("dist"),
        full: Annotated[
            bool,
            typer.Option(
                "--full",
                help="Run HermiT over everything (the consistency check of a release) instead of "
                "the fast path (ontology classified by HermiT, cached; facts by an OWL 2 RL engine). "
                "Both infer the same triples.",
            ),
        ] = False,
    ) -> None:
        """Check consistency and infer types and property values (OWL 2); write OUT/inferred.ttl.

        By default HermiT classifies the ontology (once per ontology change, cached) and an OWL 2 RL engine materialises the facts; where that path sees a possible inconsistency, HermiT reasons over everything, as --full always does.

        An inconsistency names the individuals, the axioms and the source rows behind them (exit 1).
        Without Java the step is skipped with a message (exit 0).

        Example: mpdkg reason --out dist   (mpdkg reason --full: HermiT over everything)
        """
        from mpdkg.pipeline import build_and_validate
        from mpdkg.reason.hermit import inferred_turtle, reason_into
        from mpdkg.staging import output_lock, write_atomic

        with reported(), progress("reason") as step:
            _records, built, _report = build_and_validate(graph_dir, step)
            report = reason_into(built, step, full=full)
            if report.status == "ok":
                with output_lock(out_dir, on_wait=step):  # not while a run swaps the folder
                    write_atomic(Path(out_dir) / "inferred.ttl", inferred_turtle(built))
        if report.status != "ok":
            err.print(f"warning: {report.message}", highlight=False, soft_wrap=True)
            return
        out.print(report.text(), markup=False, highlight=False, soft_wrap=True)
