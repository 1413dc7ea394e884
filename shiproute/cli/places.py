"""``shiproute resolve`` and ``shiproute route``: one place, one route."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import click

from shiproute.cli.common import (
    cache_options,
    echo_site,
    gazetteer_option,
    handles_errors,
    load_dataset,
    load_gazetteer,
    router,
)
from shiproute.routes.model import MODES

if TYPE_CHECKING:
    from shiproute.gazetteer.model import Site
    from shiproute.gazetteer.resolve import Gazetteer

POSITION = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*")
"""A place given as ``LAT,LON`` in decimal degrees."""

dataset_option = click.option(
    "--dataset", "dataset", type=click.Path(exists=True, dir_okay=False),
    help="Also resolve the sites this dataset defines under 'sites:'.")


def _country_codes(_ctx: click.Context, _param: click.Parameter,
                   values: tuple[str, ...]) -> tuple[str, ...]:
    """Return the --countries codes in upper case, refusing one that is not ISO 3166-1 alpha-2."""
    from shiproute.gazetteer.load import country_codes

    codes = tuple(value.strip().upper() for value in values)
    for value, code in zip(values, codes, strict=True):
        if code not in country_codes():
            raise click.BadParameter(f"unknown country code '{value}'; give ISO 3166-1 alpha-2 "
                                     "codes such as RU or KZ")
    return codes


def _distinct_stops(names: list[str], labels: list[str], sites: list[Site]) -> None:
    """Refuse a route whose next stop is the site it is at (also under another name)."""
    for n in range(len(sites) - 1):
        site = sites[n]
        if site.id != sites[n + 1].id:
            continue
        how = (f" ('{site.id}', {site.name})" if names[n] == names[n + 1] else
               f": '{names[n]}' and '{names[n + 1]}' both resolve to '{site.id}' ({site.name})")
        raise click.UsageError(f"{labels[n]} and {labels[n + 1]} are the same site{how}; "
                               "give two different places")


def _position(text: str, label: str) -> Site | None:
    """Return the place ``LAT,LON`` stands for, or None if ``text`` is not a position.

    Its country is Natural Earth's at the point (or within 0.1 degree of a coast).

    Raises
    ------
    click.UsageError
        If a coordinate is out of range or the point lies in no country.
    """
    from shiproute.gazetteer.model import Site

    found = POSITION.fullmatch(text)
    if found is None:
        return None
    lat, lon = float(found[1]), float(found[2])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise click.UsageError(f"{label} '{text}': a position is LAT,LON with latitude in "
                               "-90..90 and longitude in -180..180, e.g. 42.35,130.40")
    from shiproute.gazetteer.earth import country_at

    country = country_at(lat, lon)
    if not country:
        raise click.UsageError(f"{label} '{text}' lies in no country, farther than 0.1 degree "
                               "off every coast; give a port or a place on land")
    where = f"{lat:g},{lon:g}"
    return Site(where, where, "other", country, lat, lon)


class _PositionsCommand(click.Command):
    """A command whose arguments may be positions with a negative latitude (``-33.9,18.4``).

    Such a token would read as an unknown option; it is passed on with a leading
    space, which :data:`POSITION` allows, so that every other unknown option is
    still refused by name.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, [f" {arg}" if arg.startswith("-") and POSITION.fullmatch(arg)
                                        else arg for arg in args])


def _places(gazetteers: tuple[str, ...], dataset: str | None) -> Gazetteer:
    """Return the gazetteer layers in use, with a dataset's own sites on top."""
    places = load_gazetteer(gazetteers)
    return places if dataset is None else places.layered(load_dataset(dataset, gazetteers).sites)


@click.command()
@click.argument("name")
@click.option("--mode", type=click.Choice(MODES),
              help="Resolve as a leg of this mode does: among reference places of one name, "
                   "sea takes the port and air the airport.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@dataset_option
@gazetteer_option
@handles_errors
def resolve(name: str, mode: str | None, as_json: bool, dataset: str | None,
            gazetteers: tuple[str, ...]) -> None:
    """Print the site NAME resolves to, and where it comes from.

    NAME is an id, name, alias or "A/B" form of a gazetteer site; else a
    place of the world reference layers by name ("Astrakhan", "Alexandria,
    EG") or code ("IKA", "UUWW", "RUNJK", "geonames:524901").
    """
    from shiproute.routes.load import PREFERRED_KIND

    found = _places(gazetteers, dataset).explain(name, PREFERRED_KIND.get(mode or ""))
    echo_site(found.site, as_json=as_json, how=found.how)


@click.command(cls=_PositionsCommand)
@click.argument("origin", metavar="FROM")
@click.argument("destination", metavar="TO")
@click.option("--mode", required=True, type=click.Choice(MODES), help="Network to route on.")
@click.option("--via", multiple=True, metavar="SITE",
              help="Waypoint (a place or LAT,LON), in order; repeatable.")
@click.option("--countries", multiple=True, metavar="CC", callback=_country_codes,
              help="Country (ISO alpha-2) a rail route may cross; repeatable. "
                   "Default: the countries of FROM, TO and the waypoints.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a GeoJSON Feature (RFC 7946, lon/lat) of the route.")
@dataset_option
@gazetteer_option
@cache_options
@handles_errors
def route(
    origin: str, destination: str, mode: str, via: tuple[str, ...], countries: tuple[str, ...],
    as_json: bool, dataset: str | None, gazetteers: tuple[str, ...], no_cache: bool,
    cache_dir: str | None,
) -> None:
    """Route FROM to TO on a network; print the distance and what shaped the route.

    FROM, TO and each --via are what 'shiproute resolve' takes, or a
    position as LAT,LON in decimal degrees (e.g. 49.9,-126.67); a position
    gets Natural Earth's country at the point.
    """
    from shiproute.routes.routing import RouteRequest, Stop

    gazetteer = _places(gazetteers, dataset)
    from shiproute.routes.load import PREFERRED_KIND

    prefer = PREFERRED_KIND.get(mode)
    names = [origin, *via, destination]
    labels = ["FROM", *["--via"] * len(via), "TO"]
    sites = [_position(name, label) or gazetteer.resolve(name, prefer)
             for name, label in zip(names, labels, strict=True)]
    _distinct_stops(names, labels, sites)
    stops = tuple(Stop(s.name, s.lat, s.lon, s.country) for s in sites)
    request = RouteRequest(mode, stops, countries)  # type: ignore[arg-type]
    with router(no_cache, cache_dir) as service:
        (found,) = service.route_requests([request])
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
    path = " -> ".join(s.name for s in sites)
    click.echo(f"{path} by {mode}: {found.distance_label()}")
    click.echo(f"  route: {found.source}")
    if found.rule and found.rule != found.source:
        click.echo(f"  rule: {found.rule}")
    if found.countries:
        click.echo(f"  countries: {', '.join(found.countries)}")
    for flag in found.flags:
        click.echo(f"  flag: {flag}")
