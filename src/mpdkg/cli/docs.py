"""mpdkg docs: regenerate the generated documentation in docs/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mpdkg.cli.common import err, progress, reported


def register(app: typer.Typer) -> None:
    @app.command()
    def docs(
        out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the generated pages.")] = Path(
            "docs"
        ),
    ) -> None:
        """Regenerate docs/queries.md (catalogue with answers), docs/coverage.md, docs/ontology.md and
        docs/influence-figures.md (the validity card and rankings) from the data.

        Example: mpdkg docs --out docs
        """
        from mpdkg.pipeline import build_and_validate
        from mpdkg.publish.docgen import write_docs
        from mpdkg.query.engines import OxigraphEngine
        from mpdkg.rdf.engine import store_from_dataset

        with reported(), progress("docs") as step:
            _records, built, _report = build_and_validate(None, step, validate=False)
            from mpdkg.influence.analysis import analyse
            from mpdkg.influence.figures_doc import render_influence_figures

            step("analysing influence, for the figures of docs/influence.md")
            info = json.loads(analyse(built.dataset).to_json())
            figures = Path(out_dir) / "influence-figures.md"
            figures.parent.mkdir(parents=True, exist_ok=True)
            figures.write_text(render_influence_figures(info), encoding="utf-8")
            err.print(f"wrote {figures}")
            from mpdkg.reason.hermit import reason_into

            step("reasoning, for the defined classes' members")
            reason_into(built, step)
            from mpdkg.rdf.opendata import open_data_quads

            step("building the open data, for the open-data queries' answers")
            store = store_from_dataset(built.dataset)
            store.bulk_extend(open_data_quads())
            for path in write_docs(out_dir, OxigraphEngine(store), built.dataset):
                err.print(f"wrote {path}")
