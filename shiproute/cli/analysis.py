"""``shiproute stats`` and ``shiproute timeline``: what moved where and when, and the claims.

Tables show each unit (and each scope: one shipment, or a total over a
period) in its own column and end with the rule the numbers follow; ``--format
json`` and ``csv`` carry numbers as numbers, dates as ISO 8601 with their
first and last day, and snake_case keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from shiproute.cli.common import (
    EMPTY_DATE,
    as_json,
    cache_options,
    dataset_argument,
    dataset_path,
    echo_rows,
    echo_table,
    flatten,
    format_option,
    gazetteer_option,
    handles_errors,
    load_dataset,
    route_loaded,
)

if TYPE_CHECKING:
    from pathlib import Path

    from shiproute.routes.model import Dataset
    from shiproute.routes.quantity import Total

unit_option = click.option("--unit", help="Only this unit; default: every unit, each apart.")
reported_only_option = click.option("--reported-only", is_flag=True,
                                    help="Leave out legs marked basis: inferred.")


def _check_unit(data: Dataset, unit: str | None, path: Path) -> None:
    from shiproute.routes.analysis import units

    present = units(data)
    if unit is not None and unit not in present:
        if not present:
            raise click.ClickException(f"{path}: no leg or claim states a volume; leave "
                                       "--unit out")
        listed = ", ".join(f"'{u}'" for u in present)
        raise click.ClickException(f"{path}: no volumes in '{unit}'; its units are {listed}; "
                                   f"use --unit '{present[0]}' or leave --unit out for all")


def _column(total: Total) -> str:
    return total.unit if total.scope == "shipment" else f"{total.unit} (totals)"


@click.command()
@dataset_argument
@click.option("--by", type=click.Choice(["site", "mode", "carrier", "month", "source"]),
              default="site", show_default=True)
@unit_option
@reported_only_option
@format_option
@gazetteer_option
@cache_options
@handles_errors
def stats(dataset: str | None, by: str, unit: str | None, reported_only: bool, fmt: str,
          gazetteers: tuple[str, ...], no_cache: bool, cache_dir: str | None) -> None:
    """Legs, volumes per unit and distance per site, mode, carrier, month or source.

    By site, also the legs in and out and each site's role; then the chains
    of legs through transshipment sites whose dates fit. By month, legs
    dated to spans are shared among their months by days.
    """
    from shiproute.routes.analysis import MONTH_RULE
    from shiproute.routes.analysis import stats as compute
    from shiproute.routes.graph import chains
    from shiproute.routes.quantity import RULE

    data = load_dataset(dataset, gazetteers)
    _check_unit(data, unit, dataset_path(dataset))
    routed = route_loaded(data, dataset_path(dataset), no_cache, cache_dir)
    rows = compute(routed, by=by, unit=unit, reported_only=reported_only)  # type: ignore[arg-type]
    rules = [RULE] + ([MONTH_RULE] if by == "month" else [])
    if fmt == "json":
        echo_rows([{"group": r.group, "legs": r.legs, "distance_km": r.distance_km,
                    "volumes": [t.to_json() for t in r.volumes],
                    **({"inbound": r.inbound, "outbound": r.outbound, "role": r.role}
                       if by == "site" else {})} for r in rows],
                  "json", meta={"by": by, "reported_only": reported_only, "rules": rules})
        return
    if fmt == "csv":
        flat: list[dict[str, Any]] = []
        for r in rows:
            site = {"inbound": r.inbound, "outbound": r.outbound, "role": r.role} \
                if by == "site" else {}
            for total in r.volumes or (None,):
                volume = total.to_json() if total else dict.fromkeys(
                    ("unit", "scope", "count", "stated", "low", "high"))
                flat.append({"group": r.group, "legs": r.legs, "distance_km": r.distance_km,
                             **{f"volume_{k}" if k in ("count", "stated", "low", "high")
                                else k: v for k, v in volume.items()}, **site})
        echo_rows(flat, "csv")
        return
    columns = list(dict.fromkeys(_column(t) for r in rows for t in r.volumes))
    headers = [by, "legs", "distance km", *columns]
    table = []
    for r in rows:
        cells = {_column(t): t.label() for t in r.volumes}
        legs = f"{r.legs:g}" if r.legs == int(r.legs) else f"{r.legs:.2f}"
        line = [r.group, legs, f"{r.distance_km:,.0f}", *(cells.get(c, "") for c in columns)]
        table.append(line + ([str(r.inbound), str(r.outbound), r.role] if by == "site" else []))
    echo_table(headers + (["in", "out", "role"] if by == "site" else []), table)
    for rule in rules:
        click.echo(f"note: {rule}")
    if by == "site":
        for chain in chains(routed.graph):
            steps = [data.sites[chain[0].origin].name]
            steps += [f"-{leg.mode}-> {data.sites[leg.destination].name}" for leg in chain]
            dates = ", ".join(f"{leg.id} {period.label()}" for leg in chain
                              if (period := leg.period) is not None)
            click.echo(f"chain: {' '.join(steps)} ({dates})")


@click.command()
@dataset_argument
@unit_option
@reported_only_option
@format_option
@gazetteer_option
@handles_errors
def timeline(dataset: str | None, unit: str | None, reported_only: bool, fmt: str,
             gazetteers: tuple[str, ...]) -> None:
    """Volume claims in date order with their envelope, the floor so far, and disagreements.

    Each claim is read with its qualifier: "about" allows 20 % either side,
    "more than" and "at least" have no upper bound. The table then lists the
    dated legs in date order (claims are reported by nature; --reported-only
    leaves out inferred legs).
    """
    import math

    from shiproute.routes.analysis import timeline as compute
    from shiproute.routes.quantity import RULE

    data = load_dataset(dataset, gazetteers)
    _check_unit(data, unit, dataset_path(dataset))
    rows = compute(data, unit=unit)
    if fmt in ("json", "csv"):
        claims = [{"date": row.date.to_json(), "unit": row.unit, "claimant": c.claimant,
                   "quantity": c.volume.to_json(),
                   "period": as_json(c.period, fmt, EMPTY_DATE),
                   "sources": list(c.sources), "note": c.note,
                   "envelope_low": row.low,
                   "envelope_high": None if row.open_ended else row.high,
                   "at_least_so_far": row.floor, "disagree": row.disagree}
                  for row in rows for c in row.claims]
        if fmt == "json":
            echo_rows(claims, "json", meta={"rules": [RULE]})
        else:
            echo_rows([flatten(claim) for claim in claims], "csv")
        return
    table = []
    for row in rows:
        listed = "; ".join(f"{c.volume.text()} {c.unit} ({c.claimant})" for c in row.claims)
        high = "open" if math.isinf(row.high) else f"{row.high:,.0f}"
        table.append([row.date.label(), row.unit, f"{row.low:,.0f}", high,
                      f"{row.floor:,.0f}", "yes" if row.disagree else "", listed])
    echo_table(["date", "unit", "low", "high", "at least so far", "disagree", "claims"], table)
    click.echo(f"note: {RULE}")
    dated = [(leg, leg.period) for leg in data.legs if unit in (None, leg.unit)
             and not (reported_only and leg.basis == "inferred")]
    for leg, period in sorted(((g, p) for g, p in dated if p is not None),
                              key=lambda pair: pair[1].anchor):
        when = period.label()
        volume = leg.volume.label(leg.unit) if leg.volume else "volume not stated"
        basis = " [inferred]" if leg.basis == "inferred" else ""
        click.echo(f"leg {when}: {data.sites[leg.origin].name} -> "
                   f"{data.sites[leg.destination].name} ({leg.mode}), {volume}{basis}")
