"""mpdkg reason: OWL reasoning (HermiT) over the built graph, with curator-readable explanations."""

from __future__ import annotations

from pathlib import Path

import typer

from mpdkg.cli.common import GraphDir, OutDir, err, out, progress, reported


def register(app: typer.Typer) -> None:
    @app.command()
    def reason(graph_dir: GraphDir = None, out_dir: OutDir = Path("dist")) -> None:
        """Check consistency and infer types and property values (OWL 2, HermiT); write OUT/inferred.ttl.

        An inconsistency names the individuals, the axioms and the source rows behind them (exit 1).
        Without Java the step is skipped with a message (exit 0).

        Example: mpdkg reason --out dist
        """
        from mpdkg.pipeline import build_and_validate
        from mpdkg.reason.hermit import inferred_turtle, reason_into
        from mpdkg.staging import output_lock, write_atomic

        with reported(), progress("reason") as step:
            _records, built, _report = build_and_validate(graph_dir, step)
            report = reason_into(built, step)
            if report.status == "ok":
                with output_lock(out_dir, on_wait=step):  # not while a run swaps the folder
                    write_atomic(Path(out_dir) / "inferred.ttl", inferred_turtle(built))
        if report.status != "ok":
            err.print(f"warning: {report.message}", highlight=False, soft_wrap=True)
            return
        out.print(report.text(), markup=False, highlight=False, soft_wrap=True)
