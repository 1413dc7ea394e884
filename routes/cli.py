"""The ``shiproute`` command line: parse arguments, call the library, print.

Heavy libraries (folium, networkx, pyproj, rapidfuzz) are imported inside the
commands that use them, so ``--help`` and ``resolve`` start fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from routes._cli import (
    F,
    LazyGroup,
    dataset_argument,
    gazetteer_option,
    handles_errors,
    load_user_gazetteer,
    log_to_stderr,
    require_directory,
)

if TYPE_CHECKING:
    from routes.model import Dataset, Route
    from routes.routing import RouteRequest

def _dataset_path(dataset: str | None) -> Path:
    from routes.load import bundled_dataset_path

    return Path(dataset) if dataset else bundled_dataset_path()


_cache_options = [
    click.option("--no-cache", is_flag=True,
                 help="Route every leg afresh; don't read or write the route cache."),
    click.option("--cache-dir", type=click.Path(file_okay=False),
                 help="Route cache directory; default: the user cache directory."),
]


def _with_cache_options(command: F) -> F:
    for option in reversed(_cache_options):
        command = option(command)
    return command


class _Progress:
    """A progress bar on stderr that appears only once routing has taken a second."""

    def __init__(self, total: int, label: str) -> None:
        import sys
        import time

        self.total = total
        self.label = label
        self.done = 0
        self.started = time.monotonic()
        self.clock = time.monotonic
        self.enabled = sys.stderr.isatty()
        self.bar: Any = None

    def __call__(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.bar is None and self.clock() - self.started >= 1.0:
            self.bar = click.progressbar(length=self.total, label=self.label, file=None)
            self.bar.__enter__()
            self.bar.update(self.done - n)
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _route_all(requests: Mapping[str, RouteRequest], no_cache: bool, cache_dir: str | None
               ) -> dict[str, Route]:
    from routes.cache import RouteCache, cached_route_many, data_version, default_cache_dir
    from routes.routing import is_unrouted

    log_to_stderr()
    cache = None
    if not no_cache:
        cache = RouteCache(Path(cache_dir) if cache_dir else default_cache_dir(), data_version())
    progress = _Progress(len(requests), "Routing legs")
    try:
        routes = cached_route_many(requests, cache, progress=progress)
    finally:
        progress.close()
    for leg_id, route in routes.items():
        if is_unrouted(route):
            request = requests[leg_id]
            names = " -> ".join(stop.name for stop in request.stops)
            reason = "; ".join(route.flags)
            click.echo(f"warning: {request.mode} leg '{leg_id}' ({names}) is {reason}; "
                       "drawn as a great circle", err=True)
    return routes


def _refuse_foreign(target: Path) -> None:
    """Refuse to overwrite an existing file that is not a map shiproute wrote."""
    if not target.exists():
        return
    try:
        with target.open("rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        raise click.ClickException(f"can't write {target}: {err.strerror or err}") from None
    if b"shiproute" not in head:
        raise click.ClickException(f"{target} exists and is not a map made by shiproute; "
                                   "choose another name or remove it first")


def _dataset(dataset: str | None, gazetteers: Sequence[str]) -> Dataset:
    from routes.load import read_dataset

    log_to_stderr()
    return read_dataset(_dataset_path(dataset), load_user_gazetteer(gazetteers))


@click.group(
    cls=LazyGroup,
    lazy={
        "gazetteer": "routes.cli_gazetteer:gazetteer",
        "stats": "routes.cli_data:stats",
        "timeline": "routes.cli_data:timeline",
        "export": "routes.cli_data:export",
        "import": "routes.cli_data:import_command",
    },
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="shiproute")
@click.option("--debug", is_flag=True, help="Show a traceback for data errors too.")
def main(debug: bool) -> None:
    """Map documented shipments: resolve sites, check datasets, render maps.

    With no DATASET, commands use the bundled dataset of North Korea-Russia
    arms transfers, 2023-2024.
    """


@main.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@gazetteer_option
@handles_errors
def resolve(name: str, as_json: bool, gazetteers: tuple[str, ...]) -> None:
    """Print the site NAME resolves to (an id, name, alias or "A/B" form)."""
    site = load_user_gazetteer(gazetteers).resolve(name)
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
@dataset_argument
@gazetteer_option
@handles_errors
def validate(dataset: str | None, gazetteers: tuple[str, ...]) -> None:
    """Check a dataset and print every problem with its line number."""
    from routes.errors import DatasetError
    from routes.load import parse_dataset

    path = _dataset_path(dataset)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise click.ClickException(f"{path}: can't read dataset: {err.strerror}") from None
    from gazetteer.layers import gazetteer_layers
    from gazetteer.load import load_layers

    gaz, notes = load_layers([layer.path for layer in gazetteer_layers(gazetteers)[:-1]])
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


@main.command()
@dataset_argument
@gazetteer_option
@handles_errors
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
@dataset_argument
@gazetteer_option
@handles_errors
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
@dataset_argument
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False),
    help="HTML file to write; default: <dataset name>.html in the current directory.",
)
@click.option("--title", help="Map title; default: the dataset's title.")
@click.option("--subtitle", help="Line under the title; default: the dataset's description.")
@click.option("--banner", help="Marking line shown at the top and bottom (e.g. a classification).")
@click.option("--tiles", type=click.Choice(["offline", "osm", "carto-light", "carto-dark",
                                            "esri-imagery"]), default="offline",
              show_default=True,
              help="Default base layer; all but 'offline' need a network when viewed.")
@click.option("--embed", is_flag=True,
              help="Write an HTML fragment to paste into another page, not a whole document.")
@click.option("--png", "png", type=click.Path(dir_okay=False),
              help="Also save a screenshot of the map (needs a headless Chromium).")
@gazetteer_option
@_with_cache_options
@handles_errors
def render(
    dataset: str | None, output: str | None, title: str | None, subtitle: str | None,
    banner: str | None, tiles: str, embed: bool, png: str | None, gazetteers: tuple[str, ...],
    no_cache: bool, cache_dir: str | None,
) -> None:
    """Render a dataset as one self-contained HTML map and print its path.

    The map opens complete without a network. Sea legs follow sea lanes, rail
    legs the railway network; computed routes are cached, so a second render
    of the same dataset does no routing.
    """
    from gazetteer._atomic import write_atomic
    from maps.render import render_map
    from routes.routing import route_dataset

    if png:
        from maps.png import require_chromium

        require_chromium()
    data = _dataset(dataset, gazetteers)
    target = Path(output) if output else Path.cwd() / f"{data.name}.html"
    for path in (target, *([Path(png)] if png else [])):
        require_directory(path)
    _refuse_foreign(target)
    routes = route_dataset(data, lambda requests: _route_all(requests, no_cache, cache_dir))
    document = render_map(data, routes, title=title, subtitle=subtitle, banner=banner,
                          tiles=tiles, embed=embed)
    try:
        write_atomic(target, document.html.encode("utf-8"))
    except OSError as err:
        raise click.ClickException(f"can't write {target}: {err.strerror or err}") from None
    click.echo(str(target))
    if png:
        from maps.png import screenshot

        screenshot(document.page(), Path(png))
        click.echo(png)


@main.command()
@click.argument("origin", metavar="FROM")
@click.argument("destination", metavar="TO")
@click.option("--mode", required=True, type=click.Choice(["sea", "rail", "road", "air"]),
              help="Network to route on.")
@click.option("--via", multiple=True, metavar="SITE", help="Waypoint site, in order; repeatable.")
@click.option("--countries", multiple=True, metavar="CC",
              help="Country (ISO alpha-2) a rail route may cross; repeatable. "
                   "Default: the countries of FROM, TO and the waypoints.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a GeoJSON Feature (RFC 7946, lon/lat) of the route.")
@gazetteer_option
@_with_cache_options
@handles_errors
def route(
    origin: str, destination: str, mode: str, via: tuple[str, ...], countries: tuple[str, ...],
    as_json: bool, gazetteers: tuple[str, ...], no_cache: bool, cache_dir: str | None,
) -> None:
    """Route FROM to TO on a network; print the distance and what shaped the route."""
    from routes.routing import RouteRequest, Stop

    gazetteer = load_user_gazetteer(gazetteers)
    sites = [gazetteer.resolve(name) for name in (origin, *via, destination)]
    codes = tuple(c.upper() for c in countries)
    stops = tuple(Stop(s.name, s.lat, s.lon, s.country) for s in sites)
    request = RouteRequest(mode, stops, codes)  # type: ignore[arg-type]
    found = _route_all({"route": request}, no_cache, cache_dir)["route"]
    if as_json:
        feature = {
            "type": "Feature",
            "geometry": {"type": "LineString",
                         "coordinates": [[lon, lat] for lat, lon in found.points]},
            "properties": {
                "from": sites[0].id,
                "to": sites[-1].id,
                "via": [s.id for s in sites[1:-1]],
                "mode": mode,
                "distance_km": round(found.distance_km, 3),
                "distance_nm": round(found.distance_nm, 3),
                "route_source": found.source,
                "rule": found.rule,
                "flags": list(found.flags),
                "countries": list(found.countries),
                "connectors": [[[lon, lat] for lat, lon in c] for c in found.connectors],
            },
        }
        click.echo(json.dumps(feature, ensure_ascii=False))
        return
    names = " -> ".join(s.name for s in sites)
    click.echo(f"{names} by {mode}: {found.distance_km:,.0f} km "
               f"({found.distance_nm:,.0f} nmi)")
    click.echo(f"  route: {found.source}; {found.rule}")
    if found.countries:
        click.echo(f"  countries: {', '.join(found.countries)}")
    for flag in found.flags:
        click.echo(f"  flag: {flag}")
