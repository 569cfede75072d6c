"""mpdkg map: the relationship maps, the world map, slide figures and the influence report (a thin
layer over mpdkg.maps.write_maps)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mpdkg.cli.common import GraphDir, OutDir, err, progress, reported


def register(app: typer.Typer) -> None:
    @app.command("map")
    def map_(
        pillar: Annotated[
            int | None, typer.Option("--pillar", help="Only this pillar (1-6); default: all, with a filter.")
        ] = None,
        region: Annotated[
            str | None,
            typer.Option(
                "--region", help="Only the countries of this UN M49 region or sub-region (e.g. Africa)."
            ),
        ] = None,
        as_of: Annotated[
            int | None,
            typer.Option(
                "--as-of", metavar="YEAR", help="Relationships in force that year (default: the latest)."
            ),
        ] = None,
        out_dir: OutDir = Path("dist"),
        data: Annotated[
            list[Path] | None,
            typer.Option(
                "--data", help="Dump(s) to read (default dist/mpdkg.trig, else build from the sources)."
            ),
        ] = None,
        graph_dir: GraphDir = None,
        country: Annotated[
            str | None,
            typer.Option(
                "--country",
                metavar="ISO3",
                help="Only this country's slide, OUT/maps/country-ISO3.png and .svg (an ISO 3166-1 "
                "alpha-3 code, e.g. IND); nothing else is written.",
            ),
        ] = None,
    ) -> None:
        """Draw the maps and the influence report: OUT/maps/ (network.html, world.html, PNG and SVG
        figures) and OUT/report/index.html. Everything works offline, with nothing loaded from a CDN.

        Example: mpdkg map --pillar 5 --as-of 2020 --out dist

        One country's slide (channels with Canada over time, refugees resettled and asylum claims):
        mpdkg map --country IND --out dist
        """
        from mpdkg.maps.slides import check_country_form
        from mpdkg.maps.write import origins_from_built, write_country_slide, write_maps
        from mpdkg.query.engines import default_data, load_store

        with reported(), progress("map") as step:
            if country is not None:
                check_country_form(country)  # before anything is read
            paths_ = list(data or [])
            if not paths_ and graph_dir is None and (found := default_data()) is not None:
                paths_ = [found]
            if paths_:
                step(f"loading {', '.join(map(str, paths_))}")
                source, origins = load_store(paths_), None
            else:
                from mpdkg.pipeline import build_and_validate

                _records, built, _report = build_and_validate(graph_dir, step)
                source, origins = built.dataset, origins_from_built(built)
            from mpdkg.staging import output_lock

            with output_lock(out_dir, on_wait=step):  # not while a run swaps the folder
                if country is not None:
                    written = write_country_slide(source, out_dir, country, pillar, as_of, step=step)
                else:
                    written = write_maps(
                        source, out_dir, pillar=pillar, region=region, as_of=as_of, origins=origins, step=step
                    )
        for path in written:
            err.print(f"wrote {path}", highlight=False)
        if country is not None:
            return
        err.print(
            f"open {out_dir / 'report' / 'index.html'} in a browser (it works offline)", highlight=False
        )
