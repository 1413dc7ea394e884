"""``shiproute export`` and ``shiproute import``: data in and out of other tools."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from shiproute.routes.importer import Imported
    from shiproute.routes.routed import RoutedDataset


def _write_gpkg(routed: RoutedDataset, target: Path) -> None:
    """Write the GeoPackage beside the target, then rename it into place."""
    import os
    import tempfile

    from shiproute.routes.export import write_gpkg

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".gpkg")
    os.close(fd)
    os.unlink(tmp)
    try:
        write_gpkg(routed, Path(tmp))
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _content(routed: RoutedDataset, fmt: str, wkt: bool) -> bytes:
    from shiproute.routes import export as out

    if fmt == "geojson":
        return out.geojson_text(routed).encode("utf-8")
    if fmt == "kml":
        return out.to_kml(routed)
    if fmt == "kmz":
        return out.to_kmz(routed)
    return out.to_csv(routed, with_wkt=wkt).encode("utf-8")


@click.command("export")
@dataset_argument
@click.option("--format", "fmt", required=True,
              type=click.Choice(["geojson", "kml", "kmz", "gpkg", "csv"]),
              help="geojson is lossless: 'shiproute import' rebuilds the dataset from it.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--wkt", is_flag=True, help="CSV: add a WKT geometry column.")
@gazetteer_option
@cache_options
@handles_errors
def export(dataset: str | None, fmt: str, output: str, wkt: bool, gazetteers: tuple[str, ...],
           no_cache: bool, cache_dir: str | None) -> None:
    """Export sites and routed legs for QGIS, Google Earth or spreadsheets.

    Coordinates are rounded to 6 decimals (about 0.1 m) in every format.
    """
    target = Path(output)
    require_directory(target)
    routed = routed_dataset(dataset, gazetteers, no_cache, cache_dir)
    if fmt == "gpkg":
        _write_gpkg(routed, target)
    else:
        write_output(target, _content(routed, fmt, wkt))
    click.echo(str(target))


def _columns(mapping: tuple[str, ...]) -> dict[str, str]:
    from shiproute.routes.importer import parse_column_map

    try:
        return parse_column_map(mapping)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="'--map'") from None


def _check_options(source: Path, sheet: str | None, skip_bad: bool,
                   mapping: tuple[str, ...]) -> None:
    """Refuse options that don't apply to the file's kind (exit 2)."""
    from shiproute.routes.importer import GEOJSON_SUFFIXES

    if source.suffix.lower() in GEOJSON_SUFFIXES and (sheet or skip_bad or mapping):
        raise click.UsageError("--sheet, --skip-bad and --map apply to spreadsheets, not to "
                               "the GeoJSON export")
    if sheet is not None and source.suffix.lower() != ".xlsx":
        raise click.UsageError("--sheet applies to XLSX workbooks only")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _summary(result: Imported) -> str:
    parts = [_plural(result.count("legs"), "leg")]
    parts += [_plural(result.count(part), word) for part, word in
              (("sites", "site"), ("sources", "source"), ("events", "event"),
               ("estimates", "estimate")) if result.count(part)]
    skipped = len(result.skipped)
    return ", ".join(parts) + (f"; {_plural(skipped, 'problem')} in skipped rows"
                               if skipped else "")


@click.command("import")
@click.argument("source", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--sheet", help="XLSX sheet to read; the first by default.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Dataset YAML to write.")
@click.option("--skip-bad", is_flag=True, help="Leave rows with problems out and report them.")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="Read a column as a leg field (e.g. 'Ship=carrier'), or 'attributes' or "
                   "'ignore'; repeatable.")
@gazetteer_option
@handles_errors
def import_command(source: str, sheet: str | None, output: str, skip_bad: bool,
                   mapping: tuple[str, ...], gazetteers: tuple[str, ...]) -> None:
    """Turn a spreadsheet of legs (CSV, XLSX) or a GeoJSON export into a dataset.

    A spreadsheet has a header row and one leg per row (from, to, mode,
    depart, arrive, volume, unit, carrier, sources, ...; common headers such
    as Origin, Date, Vessel or Source are recognised). A .geojson written by
    'shiproute export --format geojson' comes back with every site, source,
    event and estimate.
    """
    from shiproute.routes.importer import dump_yaml, import_file

    path, target = Path(source), Path(output)
    _check_options(path, sheet, skip_bad, mapping)
    columns = _columns(mapping)
    require_directory(target)
    result = import_file(path, load_gazetteer(gazetteers), sheet=sheet, skip_bad=skip_bad,
                         columns=columns)
    for problem in result.skipped:
        click.echo(f"skipped: {problem}", err=True)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if skip_bad and not result.count("legs"):
        message = (f"{path}: every row has problems, so --skip-bad leaves no leg to import; "
                   "nothing was written")
        raise click.ClickException(message)
    write_output(target, dump_yaml(result.dataset).encode("utf-8"))
    click.echo(f"{target}: {_summary(result)}")
