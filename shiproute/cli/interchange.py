"""``shiproute export`` and ``shiproute import``: data in and out of other tools."""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path
import re
from typing import TYPE_CHECKING

import click

from shiproute.cli.common import (
    cache_options,
    check_outputs,
    dataset_argument,
    force_option,
    gazetteer_option,
    handles_errors,
    load_gazetteer,
    output_file,
    plural,
    routed_dataset,
)
from shiproute.files import Content, Foreign, Output, marked, unmarked, write_outputs

if TYPE_CHECKING:
    from shiproute.routes.importer import Imported
    from shiproute.routes.routed import RoutedDataset

KML_MARK = b"<!-- written by shiproute -->\n"
"""The comment after the XML declaration of a KML file shiproute wrote."""
KMZ_MARK = b"written by shiproute"
"""The zip archive comment of a KMZ file shiproute wrote."""
DATASET_MARK = "# written by shiproute import, sha256:"
"""The first line of a dataset ``import`` wrote, before the SHA-256 of the lines after it."""
_GEOJSON = re.compile(rb'\A\{"type": "FeatureCollection", "shiproute": \{"format": \d')
_KML = re.compile(rb"\A<\?xml [^<>]*\?>\n" + re.escape(KML_MARK) + rb"<kml[\s>]")
_DATASET = re.compile(re.escape(DATASET_MARK.encode()) + rb"([0-9a-f]{64})\n")


def _mark_kml(data: bytes) -> bytes:
    """Put :data:`KML_MARK` on the line after the XML declaration (first, when there is none)."""
    declaration = re.match(rb"<\?xml [^<>]*\?>", data)
    if declaration is None:
        return KML_MARK + data
    end = declaration.end()
    return data[:end] + b"\n" + KML_MARK + data[end:].lstrip(b"\r\n")


def _mark_kmz(data: bytes) -> bytes:
    """Give the KMZ (zip) archive the comment :data:`KMZ_MARK`."""
    import zipfile

    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = KMZ_MARK
    return buffer.getvalue()


def _is_kmz(tail: bytes) -> bool:
    """Whether a zip archive ending in ``tail`` has the comment :data:`KMZ_MARK`."""
    end = tail[-22 - len(KMZ_MARK):]
    return (end[:4] == b"PK\x05\x06" and end[20:22] == len(KMZ_MARK).to_bytes(2, "little")
            and end[22:] == KMZ_MARK)


def _mark_dataset(text: str) -> bytes:
    """Return dataset YAML with :data:`DATASET_MARK` and the digest of the text as first line."""
    body = text.encode("utf-8")
    return f"{DATASET_MARK}{hashlib.sha256(body).hexdigest()}\n".encode() + body


def foreign_dataset(path: Path) -> str | None:
    """Say why an existing dataset may be replaced only with --force, or None if it may be.

    It may be when ``import`` wrote it (its first line is :data:`DATASET_MARK`
    and a SHA-256) and nobody has edited it since (the rest still has that
    digest): a dataset curated by hand is never lost to a second import.

    Parameters
    ----------
    path
        An existing regular file.

    Returns
    -------
    str or None
    """
    with path.open("rb") as handle:
        found = _DATASET.fullmatch(handle.readline(len(DATASET_MARK) + 66))
        if found is None:
            return "exists and is not a dataset written by shiproute import"
        digest = hashlib.sha256()
        for chunk in iter(functools.partial(handle.read, 1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != found.group(1).decode():
        return "was edited after shiproute import wrote it"
    return None


FOREIGN: dict[str, Foreign] = {
    "geojson": marked("GeoJSON export", lambda head: _GEOJSON.match(head) is not None),
    "kml": marked("KML export", lambda head: _KML.match(head) is not None),
    "kmz": marked("KMZ export", _is_kmz, at_end=True),
    "csv": unmarked("CSV"),
    "gpkg": unmarked("GeoPackage"),
}
"""Each export format's test of an existing file (see :mod:`shiproute.files`)."""


def _write_gpkg(routed: RoutedDataset, guard: bool, path: Path) -> None:
    """Write the GeoPackage; a failure of GDAL's (e.g. a full disk) becomes an OSError."""
    from pyogrio.errors import (  # type: ignore[import-untyped]
        DataLayerError,
        DataSourceError,
    )

    from shiproute.routes.export import write_gpkg

    try:
        write_gpkg(routed, path, guard=guard)
    except (DataSourceError, DataLayerError) as err:
        reason = " ".join(str(err).split())[:160]
        raise OSError(f"GDAL could not write the GeoPackage ({reason})") from err


def _content(routed: RoutedDataset, fmt: str, wkt: bool, guard: bool) -> Content:
    from shiproute.routes import export as out

    if fmt == "geojson":
        return out.geojson_text(routed).encode("utf-8")
    if fmt == "kml":
        return _mark_kml(out.to_kml(routed))
    if fmt == "kmz":
        return _mark_kmz(out.to_kmz(routed))
    if fmt == "gpkg":
        return functools.partial(_write_gpkg, routed, guard)
    return out.to_csv(routed, with_wkt=wkt, guard=guard).encode("utf-8")


@click.command("export")
@dataset_argument
@click.option("--format", "fmt", required=True,
              type=click.Choice(["geojson", "kml", "kmz", "gpkg", "csv"]),
              help="geojson is lossless: 'shiproute import' rebuilds the dataset from it.")
@click.option("-o", "--output", required=True, metavar="FILE", callback=output_file)
@click.option("--wkt", is_flag=True, help="CSV: add a WKT geometry column.")
@click.option("--no-formula-guard", "no_guard", is_flag=True,
              help="CSV and GeoPackage: write text starting with = + - @ as it is, without "
                   "the ' that keeps spreadsheets from running it as a formula.")
@force_option
@gazetteer_option
@cache_options
@handles_errors
def export(dataset: str | None, fmt: str, output: Path, wkt: bool, no_guard: bool,
           force: bool, gazetteers: tuple[str, ...], no_cache: bool,
           cache_dir: str | None) -> None:
    """Export sites and routed legs for QGIS, Google Earth or spreadsheets.

    Coordinates are rounded to 6 decimals (about 0.1 m) in every format. An
    existing GeoJSON, KML or KMZ file is replaced only if shiproute wrote it;
    CSV and GeoPackage files carry no such mark, so replacing one takes --force.
    In CSV and GeoPackage, text starting with = + - @, a tab or a carriage
    return gets a leading ' so that a spreadsheet shows it instead of running
    it (import takes the ' off again).
    """
    target = Output(output, FOREIGN[fmt])
    check_outputs([target], force=force)
    routed = routed_dataset(dataset, gazetteers, no_cache, cache_dir)
    write_outputs([(target, _content(routed, fmt, wkt, not no_guard))], force=force)
    click.echo(str(output))


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


def _summary(result: Imported) -> str:
    parts = [plural(result.count("legs"), "leg")]
    parts += [plural(result.count(part), word) for part, word in
              (("sites", "site"), ("sources", "source"), ("events", "event"),
               ("estimates", "estimate")) if result.count(part)]
    skipped = len(result.skipped)
    return ", ".join(parts) + (f"; {plural(skipped, 'problem')} in skipped rows"
                               if skipped else "")


@click.command("import")
@click.argument("source", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--sheet", help="XLSX sheet to read; the first by default.")
@click.option("-o", "--output", required=True, metavar="FILE", callback=output_file,
              help="Dataset YAML to write.")
@click.option("--skip-bad", is_flag=True, help="Leave rows with problems out and report them.")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="Read a column as a leg field (e.g. 'Ship=carrier'), or 'attributes' or "
                   "'ignore'; repeatable.")
@click.option("--max-rows", type=click.IntRange(1), default=200_000, show_default=True,
              help="Most rows under the header.")
@click.option("--max-columns", type=click.IntRange(1), default=1_000, show_default=True,
              help="Most columns in a row.")
@click.option("--max-cell", type=click.IntRange(1), default=100_000, show_default=True,
              help="Most characters in a cell.")
@click.option("--max-mb", type=click.IntRange(1), default=200, show_default=True,
              help="Most megabytes of the file, and of an XLSX once unzipped.")
@force_option
@gazetteer_option
@handles_errors
def import_command(source: str, sheet: str | None, output: Path, skip_bad: bool,
                   mapping: tuple[str, ...], max_rows: int, max_columns: int, max_cell: int,
                   max_mb: int, force: bool, gazetteers: tuple[str, ...]) -> None:
    """Turn a spreadsheet of legs (CSV, XLSX) or a GeoJSON export into a dataset.

    A spreadsheet has a header row and one leg per row (from, to, mode,
    depart, arrive, volume, unit, carrier, sources, ...; common headers such
    as Origin, Date, Vessel or Source are recognised). A .geojson written by
    'shiproute export --format geojson' comes back with every site, source,
    event and estimate. The dataset's first line marks it as written by
    import; once it is edited, import replaces it only with --force.
    """
    from shiproute.routes.importer import MB, Limits, dump_yaml, import_file

    path, target = Path(source), Output(output, foreign_dataset)
    _check_options(path, sheet, skip_bad, mapping)
    columns = _columns(mapping)
    check_outputs([target], force=force)
    limits = Limits(rows=max_rows, columns=max_columns, cell=max_cell, size=max_mb * MB)
    result = import_file(path, load_gazetteer(gazetteers), sheet=sheet, skip_bad=skip_bad,
                         columns=columns, limits=limits)
    for problem in result.skipped:
        click.echo(f"skipped: {problem}", err=True)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if skip_bad and not result.count("legs"):
        message = (f"{path}: every row has problems, so --skip-bad leaves no leg to import; "
                   "nothing was written")
        raise click.ClickException(message)
    write_outputs([(target, _mark_dataset(dump_yaml(result.dataset)))], force=force)
    click.echo(f"{output}: {_summary(result)}")
