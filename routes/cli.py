"""The ``shiproute`` command line: parse arguments, call the library, print.

Heavy libraries (folium, networkx, pyproj, rapidfuzz) are imported inside the
commands that use them, so ``--help`` and ``resolve`` start fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
import functools
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gazetteer.errors import DataError, ShiprouteError

if TYPE_CHECKING:
    from gazetteer.resolve import Gazetteer
    from routes.model import Dataset

F = TypeVar("F", bound=Callable[..., Any])


def _report(err: DataError) -> click.ClickException:
    """Print all problems of a data error; return the one-line summary error."""
    if len(err.problems) == 1:
        return click.ClickException(str(err.problems[0]))
    for problem in err.problems:
        click.echo(str(problem), err=True)
    path = err.problems[0].path
    count = len(err.errors)
    return click.ClickException(f"{path}: {count} error{'s' * (count != 1)}; nothing was written")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn shiproute errors into click errors: one message, exit 1, no traceback."""
    debug = click.get_current_context().find_root().params.get("debug", False)
    try:
        yield
    except DataError as err:
        if debug:
            raise
        raise _report(err) from None
    except ShiprouteError as err:
        if debug:
            raise
        raise click.ClickException(str(err)) from None


def _handles_errors(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _user_errors():
            return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


_gazetteer_option = click.option(
    "--gazetteer",
    "gazetteers",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Gazetteer file layered over the bundled one (its ids and names win); repeatable.",
)
_dataset_argument = click.argument(
    "dataset", required=False, type=click.Path(exists=True, dir_okay=False)
)


def _gazetteer(files: Sequence[str]) -> Gazetteer:
    from gazetteer.load import load_gazetteer

    return load_gazetteer(files)


def _dataset_path(dataset: str | None) -> Path:
    from routes.load import bundled_dataset_path

    return Path(dataset) if dataset else bundled_dataset_path()


def _dataset(dataset: str | None, gazetteers: Sequence[str]) -> Dataset:
    from routes.load import read_dataset

    return read_dataset(_dataset_path(dataset), _gazetteer(gazetteers))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shiproute")
@click.option("--debug", is_flag=True, help="Show a traceback for data errors too.")
def main(debug: bool) -> None:
    """Map documented shipments: resolve sites, check datasets, render maps.

    With no DATASET, commands use the bundled dataset of North Korea-Russia
    arms transfers, 2023-2024.
    """
    logging.basicConfig(format="%(message)s", level=logging.WARNING)


@main.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_gazetteer_option
@_handles_errors
def resolve(name: str, as_json: bool, gazetteers: tuple[str, ...]) -> None:
    """Print the site NAME resolves to (an id, name, alias or "A/B" form)."""
    site = _gazetteer(gazetteers).resolve(name)
    if as_json:
        fields = ("id", "name", "kind", "country", "lat", "lon", "aliases", "note")
        record = {f: getattr(site, f) for f in fields}
        record["aliases"] = list(site.aliases)
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    click.echo(f"{site.id}: {site.name} ({site.kind.replace('_', ' ')}, {site.country})")
    click.echo(f"  at {site.lat:.4f}, {site.lon:.4f}")
    if site.aliases:
        click.echo(f"  aliases: {', '.join(site.aliases)}")
    if site.note:
        click.echo(f"  note: {site.note}")


@main.command()
@_dataset_argument
@_gazetteer_option
@_handles_errors
def validate(dataset: str | None, gazetteers: tuple[str, ...]) -> None:
    """Check a dataset and print every problem with its line number."""
    from routes.errors import DatasetError
    from routes.load import parse_dataset

    path = _dataset_path(dataset)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise click.ClickException(f"{path}: can't read dataset: {err.strerror}") from None
    loaded, problems = parse_dataset(data, str(path), _gazetteer(gazetteers))
    if loaded is None:
        raise DatasetError(problems)
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(
        f"{path}: OK: {len(loaded.legs)} legs, {len(loaded.sites)} sites, "
        f"{len(loaded.sources)} sources, {len(loaded.events)} events, "
        f"{len(loaded.estimates)} estimates"
    )


@main.command()
@_dataset_argument
@_gazetteer_option
@_handles_errors
def legs(dataset: str | None, gazetteers: tuple[str, ...]) -> None:
    """List the legs of a dataset as a table."""
    from routes._table import format_table

    data = _dataset(dataset, gazetteers)
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
    headers = ["id", "from", "to", "mode", "depart", "arrive", "volume", "carrier", "sources"]
    click.echo(format_table(headers, rows))


@main.command()
@_dataset_argument
@_gazetteer_option
@_handles_errors
def sites(dataset: str | None, gazetteers: tuple[str, ...]) -> None:
    """List the sites a dataset uses as a table, with their leg counts."""
    from routes._table import format_table

    data = _dataset(dataset, gazetteers)
    counts = {site_id: 0 for site_id in data.sites}
    for leg in data.legs:
        counts[leg.origin] += 1
        counts[leg.destination] += 1
    rows = [
        [s.id, s.name, s.kind, s.country, f"{s.lat:.4f}", f"{s.lon:.4f}", str(counts[s.id])]
        for s in data.sites.values()
    ]
    click.echo(format_table(["id", "name", "kind", "country", "lat", "lon", "legs"], rows))


@main.command()
@_dataset_argument
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False),
    help="HTML file to write; default: <dataset name>.html in the current directory.",
)
@click.option("--title", help="Map title; default: the dataset's title.")
@_gazetteer_option
@_handles_errors
def render(
    dataset: str | None, output: str | None, title: str | None, gazetteers: tuple[str, ...]
) -> None:
    """Render a dataset as an interactive HTML map and print its path."""
    from gazetteer._atomic import write_atomic
    from maps.render import render_map
    from routes.geodesic import geodesic_route

    data = _dataset(dataset, gazetteers)
    target = Path(output) if output else Path.cwd() / f"{data.name}.html"
    if not target.parent.is_dir():
        message = f"can't write {target}: directory {target.parent} does not exist"
        raise click.ClickException(message)
    routes = {leg.id: geodesic_route(leg, data.sites) for leg in data.legs}
    document = render_map(data, routes, title=title)
    try:
        write_atomic(target, document.html.encode("utf-8"))
    except OSError as err:
        raise click.ClickException(f"can't write {target}: {err.strerror or err}") from None
    click.echo(str(target))
