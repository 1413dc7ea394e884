"""``shiproute validate``, ``legs`` and ``sites``: check a dataset and list what it holds."""

from __future__ import annotations

import click

from shiproute.cli.common import (
    EMPTY_DATE,
    EMPTY_QUANTITY,
    as_json,
    cache_options,
    dataset_argument,
    dataset_path,
    echo_rows,
    echo_table,
    flatten,
    format_option,
    gazetteer_files,
    gazetteer_option,
    handles_errors,
    load_dataset,
    plural,
    router,
    use_reference,
)


@click.command()
@dataset_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--no-routes", is_flag=True,
              help="Skip routing the legs (and the route warnings): a quick check.")
@gazetteer_option
@cache_options
@handles_errors
def validate(dataset: str | None, strict: bool, no_routes: bool, gazetteers: tuple[str, ...],
             no_cache: bool, cache_dir: str | None) -> None:
    """Check a dataset and print every problem with its line number.

    Besides reading every field, this gives the dataset's own sites the
    checks of 'gazetteer check' (country, swapped coordinates, shared
    names), warns about legs, events and claims that cite no source, and
    (unless --no-routes) routes the legs to warn about any that cannot be
    routed or whose sea route crosses land.
    """
    from shiproute.errors import DatasetError
    from shiproute.gazetteer.load import load_layers
    from shiproute.routes.checks import provenance_warnings, reference_note, route_warnings
    from shiproute.routes.load import dataset_bytes, parse_dataset

    path = dataset_path(dataset)
    data = dataset_bytes(path)
    gaz, notes = load_layers(gazetteer_files(gazetteers), reference=use_reference())
    for note in notes:
        click.echo(f"note: {note}", err=True)
    loaded, problems = parse_dataset(data, str(path), gaz)
    if loaded is None:
        raise DatasetError(problems)
    referenced = reference_note(loaded)
    if referenced:
        click.echo(f"{path}: note: {referenced}", err=True)
    warnings = [str(p) for p in problems] + \
        [f"{path}: warning: {w}" for w in provenance_warnings(loaded)]
    if not no_routes:
        with router(no_cache, cache_dir) as service:
            routed = service.route_dataset(loaded)
        warnings += [f"{path}: warning: {w}" for w in route_warnings(routed)]
    for warning in warnings:
        click.echo(warning, err=True)
    if strict and warnings:
        raise click.ClickException(f"{path}: {plural(len(warnings), 'warning')} "
                                   "(--strict makes them errors)")
    counts = [plural(len(loaded.legs), "leg"), plural(len(loaded.sites), "site"),
              plural(len(loaded.sources), "source"), plural(len(loaded.events), "event"),
              plural(len(loaded.estimates), "estimate")]
    if warnings:
        counts[-1] += f"; {plural(len(warnings), 'warning')}"
    click.echo(f"{path}: OK: {', '.join(counts)}")

@click.command()
@dataset_argument
@format_option
@gazetteer_option
@handles_errors
def legs(dataset: str | None, fmt: str, gazetteers: tuple[str, ...]) -> None:
    """List the legs of a dataset (as a table, or JSON/CSV with numbers and ISO dates)."""
    data = load_dataset(dataset, gazetteers)
    if fmt != "table":
        records = [{
            "id": leg.id, "from": leg.origin, "to": leg.destination,
            "from_name": data.sites[leg.origin].name, "to_name": data.sites[leg.destination].name,
            "from_reported_as": leg.origin_reported_as,
            "to_reported_as": leg.destination_reported_as, "mode": leg.mode,
            "depart": as_json(leg.depart, fmt, EMPTY_DATE),
            "arrive": as_json(leg.arrive, fmt, EMPTY_DATE),
            "volume": as_json(leg.volume, fmt, EMPTY_QUANTITY), "unit": leg.unit,
            "carrier": leg.carrier, "basis": leg.basis, "reasoning": leg.reasoning,
            "sources": list(leg.sources), "note": leg.note,
        } for leg in data.legs]
        echo_rows(records if fmt == "json" else [flatten(r) for r in records], fmt)
        return
    rows = [
        [
            leg.id,
            data.sites[leg.origin].name,
            data.sites[leg.destination].name,
            leg.mode,
            leg.depart.label() if leg.depart else "",
            leg.arrive.label() if leg.arrive else "",
            leg.volume.label(leg.unit) if leg.volume else "",
            leg.carrier or "",
            leg.basis,
            ", ".join(leg.sources),
        ]
        for leg in data.legs
    ]
    echo_table(["id", "from", "to", "mode", "depart", "arrive", "volume", "carrier", "basis",
                "sources"], rows)


@click.command()
@dataset_argument
@format_option
@gazetteer_option
@handles_errors
def sites(dataset: str | None, fmt: str, gazetteers: tuple[str, ...]) -> None:
    """List the sites a dataset uses, with their leg counts."""
    data = load_dataset(dataset, gazetteers)
    counts = dict.fromkeys(data.sites, 0)
    for leg in data.legs:
        counts[leg.origin] += 1
        counts[leg.destination] += 1
    if fmt != "table":
        echo_rows([{"id": s.id, "name": s.name, "kind": s.kind, "country": s.country,
                    "lat": round(s.lat, 6), "lon": round(s.lon, 6),
                    "aliases": list(s.aliases) if fmt == "json" else "; ".join(s.aliases),
                    "note": s.note, "legs": counts[s.id]} for s in data.sites.values()], fmt)
        return
    rows = [
        [s.id, s.name, s.kind, s.country, f"{s.lat:.4f}", f"{s.lon:.4f}", str(counts[s.id])]
        for s in data.sites.values()
    ]
    echo_table(["id", "name", "kind", "country", "lat", "lon", "legs"], rows)
