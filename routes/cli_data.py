"""``shiproute stats``, ``timeline``, ``export`` and ``import``: numbers and interchange."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from routes._cli import (
    dataset_argument,
    gazetteer_option,
    handles_errors,
    load_user_gazetteer,
    require_directory,
)

FORMATS = ["table", "csv", "json"]


def _emit(headers: list[str], rows: list[list[Any]], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([dict(zip(headers, row, strict=True)) for row in rows],
                              ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([headers, *rows])
        click.echo(out.getvalue(), nl=False)
    else:
        from routes._table import format_table

        click.echo(format_table(headers, [[_cell(c) for c in row] for row in rows]))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return "" if value is None else str(value)


def _routed(dataset: str | None, gazetteers: tuple[str, ...], no_cache: bool = False) -> Any:
    from routes.cli import _dataset, _route_all
    from routes.routing import route_dataset

    data = _dataset(dataset, gazetteers)
    return data, route_dataset(data, lambda requests: _route_all(requests, no_cache, None))


@click.command()
@dataset_argument
@click.option("--by", type=click.Choice(["site", "mode", "carrier", "month", "source"]),
              default="site", show_default=True)
@click.option("--unit", default="containers", show_default=True,
              help="Unit to sum volumes in; other units are never mixed in.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@gazetteer_option
@handles_errors
def stats(dataset: str | None, by: str, unit: str, fmt: str, gazetteers: tuple[str, ...]) -> None:
    """Legs, documented volume and distance per site, mode, carrier, month or source.

    By site, also the legs in and out and each site's role; then the chains
    of legs through transshipment sites whose dates fit.
    """
    from routes.analysis import stats as compute
    from routes.graph import build_graph, chains

    data, routes = _routed(dataset, gazetteers)
    rows = compute(data, routes, by=by, unit=unit)  # type: ignore[arg-type]
    headers = [by, "legs", f"volume ({unit})", "legs with volume", "distance km"]
    table = [[r.group, r.legs, r.volume, r.volume_legs, r.distance_km] for r in rows]
    if by == "site":
        headers += ["in", "out", "role"]
        table = [[*t, r.inbound, r.outbound, r.role] for t, r in zip(table, rows, strict=True)]
    _emit(headers, table, fmt)
    if by == "site" and fmt == "table":
        for chain in chains(build_graph(data)):
            steps = [data.sites[chain[0].origin].name]
            steps += [f"-{leg.mode}-> {data.sites[leg.destination].name}" for leg in chain]
            dates = ", ".join(f"{leg.id} {when.label()}" for leg in chain
                              if (when := leg.arrive or leg.depart) is not None)
            click.echo(f"chain: {' '.join(steps)} ({dates})")


@click.command()
@dataset_argument
@click.option("--unit", default="containers", show_default=True, help="Unit of the claims.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@gazetteer_option
@handles_errors
def timeline(dataset: str | None, unit: str, fmt: str, gazetteers: tuple[str, ...]) -> None:
    """Volume claims in date order with the low/high envelope and disagreements."""
    from routes.analysis import timeline as compute
    from routes.cli import _dataset

    data = _dataset(dataset, gazetteers)
    rows = []
    for row in compute(data, unit=unit):
        claims = "; ".join(f"{c.volume.label(c.unit)} ({c.claimant})" for c in row.claims)
        high = f"{row.high:,.0f}{'+' if row.open_ended else ''}"
        rows.append([row.date, f"{row.low:,.0f}", high, f"{row.floor:,.0f}",
                     "yes" if row.disagree else "", claims])
    _emit(["date", "low", "high", "at least so far", "disagree", "claims"], rows, fmt)
    if fmt == "table":
        for leg in sorted((g for g in data.legs if g.unit == unit and (g.depart or g.arrive)),
                          key=lambda g: (g.depart or g.arrive).first):  # type: ignore[union-attr]
            when = (leg.depart or leg.arrive).label()  # type: ignore[union-attr]
            volume = leg.volume.label(unit) if leg.volume else "volume not stated"
            click.echo(f"leg {when}: {data.sites[leg.origin].name} -> "
                       f"{data.sites[leg.destination].name} ({leg.mode}), {volume}")


@click.command("export")
@dataset_argument
@click.option("--format", "fmt", required=True,
              type=click.Choice(["geojson", "kml", "kmz", "gpkg", "csv"]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--wkt", is_flag=True, help="CSV: add a WKT geometry column.")
@click.option("--no-cache", is_flag=True, help="Route every leg afresh.")
@gazetteer_option
@handles_errors
def export(dataset: str | None, fmt: str, output: str, wkt: bool, no_cache: bool,
           gazetteers: tuple[str, ...]) -> None:
    """Export sites and routed legs for QGIS, Google Earth or spreadsheets."""
    import os
    import tempfile

    from gazetteer._atomic import write_atomic
    from routes import export as out

    target = Path(output)
    require_directory(target)
    data, routes = _routed(dataset, gazetteers, no_cache)
    if fmt == "gpkg":
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".gpkg")
        os.close(fd)
        os.unlink(tmp)
        try:
            out.write_gpkg(data, routes, Path(tmp))
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    else:
        content = {
            "geojson": lambda: out.geojson_text(data, routes).encode("utf-8"),
            "kml": lambda: out.to_kml(data, routes),
            "kmz": lambda: out.to_kmz(data, routes),
            "csv": lambda: out.to_csv(data, routes, wkt=wkt).encode("utf-8"),
        }[fmt]()
        write_atomic(target, content)
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

    from gazetteer._atomic import write_atomic
    from routes.importer import import_legs

    target = Path(output)
    require_directory(target)
    result = import_legs(Path(spreadsheet), load_user_gazetteer(gazetteers), sheet=sheet,
                         skip_bad=skip_bad)
    for problem in result.skipped:
        click.echo(f"skipped: {problem}", err=True)
    text = yaml.safe_dump(result.dataset, sort_keys=False, allow_unicode=True, width=100)
    write_atomic(target, text.encode("utf-8"))
    click.echo(f"{target}: {len(result.dataset['legs'])} legs"
               + (f", {len(result.skipped)} problems in skipped rows" if result.skipped else ""))
