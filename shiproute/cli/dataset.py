"""``shiproute validate``, ``legs`` and ``sites``: check a dataset and list what it holds."""

from __future__ import annotations

import click

from shiproute.cli.common import (
    dataset_argument,
    dataset_path,
    echo_table,
    gazetteer_files,
    gazetteer_option,
    handles_errors,
    load_dataset,
)


@click.command()
@dataset_argument
@gazetteer_option
@handles_errors
def validate(dataset: str | None, gazetteers: tuple[str, ...]) -> None:
    """Check a dataset and print every problem with its line number."""
    from shiproute.errors import DatasetError
    from shiproute.gazetteer.load import load_layers
    from shiproute.routes.load import parse_dataset

    path = dataset_path(dataset)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise click.ClickException(f"{path}: can't read dataset: {err.strerror}") from None
    gaz, notes = load_layers(gazetteer_files(gazetteers))
    for note in notes:
        click.echo(f"note: {note}", err=True)
    loaded, problems = parse_dataset(data, str(path), gaz)
    if loaded is None:
        raise DatasetError(problems)
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(
        f"{path}: OK: {len(loaded.legs)} legs, {len(loaded.sites)} sites, "
        f"{len(loaded.sources)} sources, {len(loaded.events)} events, "
        f"{len(loaded.estimates)} estimates"
    )


@click.command()
@dataset_argument
@gazetteer_option
@handles_errors
def legs(dataset: str | None, gazetteers: tuple[str, ...]) -> None:
    """List the legs of a dataset as a table."""
    data = load_dataset(dataset, gazetteers)
    rows = [
        [
            leg.id,
            data.sites[leg.origin].name,
            data.sites[leg.destination].name,
            leg.mode,
            leg.depart.iso() if leg.depart else "",
            leg.arrive.iso() if leg.arrive else "",
            leg.volume.label(leg.unit) if leg.volume else "",
            leg.carrier or "",
            ", ".join(leg.sources),
        ]
        for leg in data.legs
    ]
    echo_table(["id", "from", "to", "mode", "depart", "arrive", "volume", "carrier", "sources"],
               rows)


@click.command()
@dataset_argument
@gazetteer_option
@handles_errors
def sites(dataset: str | None, gazetteers: tuple[str, ...]) -> None:
    """List the sites a dataset uses as a table, with their leg counts."""
    data = load_dataset(dataset, gazetteers)
    counts = dict.fromkeys(data.sites, 0)
    for leg in data.legs:
        counts[leg.origin] += 1
        counts[leg.destination] += 1
    rows = [
        [s.id, s.name, s.kind, s.country, f"{s.lat:.4f}", f"{s.lon:.4f}", str(counts[s.id])]
        for s in data.sites.values()
    ]
    echo_table(["id", "name", "kind", "country", "lat", "lon", "legs"], rows)
