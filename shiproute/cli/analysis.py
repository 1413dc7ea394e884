"""``shiproute stats`` and ``shiproute timeline``: what moved where and when, and the claims."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click

from shiproute.cli.common import (
    cache_options,
    dataset_argument,
    echo_table,
    gazetteer_option,
    handles_errors,
    load_dataset,
    routed_dataset,
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
        echo_table(headers, [[_cell(c) for c in row] for row in rows])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return "" if value is None else str(value)


@click.command()
@dataset_argument
@click.option("--by", type=click.Choice(["site", "mode", "carrier", "month", "source"]),
              default="site", show_default=True)
@click.option("--unit", default="containers", show_default=True,
              help="Unit to sum volumes in; other units are never mixed in.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@gazetteer_option
@cache_options
@handles_errors
def stats(dataset: str | None, by: str, unit: str, fmt: str, gazetteers: tuple[str, ...],
          no_cache: bool, cache_dir: str | None) -> None:
    """Legs, documented volume and distance per site, mode, carrier, month or source.

    By site, also the legs in and out and each site's role; then the chains
    of legs through transshipment sites whose dates fit.
    """
    from shiproute.routes.analysis import stats as compute
    from shiproute.routes.graph import chains

    routed = routed_dataset(dataset, gazetteers, no_cache, cache_dir)
    data = routed.dataset
    rows = compute(routed, by=by, unit=unit)  # type: ignore[arg-type]
    headers = [by, "legs", f"volume ({unit})", "legs with volume", "distance km"]
    table = [[r.group, r.legs, r.volume, r.volume_legs, r.distance_km] for r in rows]
    if by == "site":
        headers += ["in", "out", "role"]
        table = [[*t, r.inbound, r.outbound, r.role] for t, r in zip(table, rows, strict=True)]
    _emit(headers, table, fmt)
    if by == "site" and fmt == "table":
        for chain in chains(routed.graph):
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
    from shiproute.routes.analysis import timeline as compute

    data = load_dataset(dataset, gazetteers)
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
