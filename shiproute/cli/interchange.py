"""``shiproute export`` and ``shiproute import``: data in and out of other tools."""

from __future__ import annotations

from pathlib import Path

import click

from shiproute.cli.common import (
    cache_options,
    dataset_argument,
    gazetteer_option,
    handles_errors,
    load_gazetteer,
    require_directory,
    routed_dataset,
    write_output,
)


@click.command("export")
@dataset_argument
@click.option("--format", "fmt", required=True,
              type=click.Choice(["geojson", "kml", "kmz", "gpkg", "csv"]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--wkt", is_flag=True, help="CSV: add a WKT geometry column.")
@gazetteer_option
@cache_options
@handles_errors
def export(dataset: str | None, fmt: str, output: str, wkt: bool, gazetteers: tuple[str, ...],
           no_cache: bool, cache_dir: str | None) -> None:
    """Export sites and routed legs for QGIS, Google Earth or spreadsheets."""
    import os
    import tempfile

    from shiproute.routes import export as out

    target = Path(output)
    require_directory(target)
    routed = routed_dataset(dataset, gazetteers, no_cache, cache_dir)
    if fmt == "gpkg":
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".gpkg")
        os.close(fd)
        os.unlink(tmp)
        try:
            out.write_gpkg(routed, Path(tmp))
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    else:
        content = {
            "geojson": lambda: out.geojson_text(routed).encode("utf-8"),
            "kml": lambda: out.to_kml(routed),
            "kmz": lambda: out.to_kmz(routed),
            "csv": lambda: out.to_csv(routed, wkt=wkt).encode("utf-8"),
        }[fmt]()
        write_output(target, content)
    click.echo(str(target))


@click.command("import")
@click.argument("spreadsheet", type=click.Path(exists=True, dir_okay=False))
@click.option("--sheet", help="XLSX sheet to read; the first by default.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Dataset YAML to write.")
@click.option("--skip-bad", is_flag=True, help="Leave bad rows out and report them.")
@gazetteer_option
@handles_errors
def import_command(spreadsheet: str, sheet: str | None, output: str, skip_bad: bool,
                   gazetteers: tuple[str, ...]) -> None:
    """Turn a CSV or XLSX of legs (from, to, mode, depart, ...) into a dataset."""
    import yaml

    from shiproute.routes.importer import import_legs

    target = Path(output)
    require_directory(target)
    result = import_legs(Path(spreadsheet), load_gazetteer(gazetteers), sheet=sheet,
                         skip_bad=skip_bad)
    for problem in result.skipped:
        click.echo(f"skipped: {problem}", err=True)
    text = yaml.safe_dump(result.dataset, sort_keys=False, allow_unicode=True, width=100)
    write_output(target, text.encode("utf-8"))
    click.echo(f"{target}: {len(result.dataset['legs'])} legs"
               + (f", {len(result.skipped)} problems in skipped rows" if result.skipped else ""))
