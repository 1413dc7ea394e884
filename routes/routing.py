"""Route legs along the real world: sea lanes, railways, great circles.

Pure functions: a :class:`RouteRequest` (the leg's stops, mode and allowed
countries) in, a :class:`~shiproute.routes.model.Route` out. A leg that no
network can connect is not an error for the map: it gets a great-circle line
flagged "unrouted" (see :func:`is_unrouted`), which the CLI reports on stderr.
Caching and the sharing of identical requests belong to
:class:`shiproute.routes.router.Router`, which calls :func:`route_many`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
import functools
import itertools
from typing import TYPE_CHECKING, Any, TypeVar

from shiproute.errors import NoRouteError
from shiproute.gazetteer.model import Site
from shiproute.routes.geodesic import geodesic_km, geodesic_points
from shiproute.routes.model import LatLon, Leg, Line, Mode, Route

if TYPE_CHECKING:
    from shiproute.routes.rail import RailNetwork, RailPath
    from shiproute.routes.sea import SeaPath

LONG_CONNECTOR_KM = 15.0
MAX_CONNECTOR_WATER_KM = 0.3
SEA_SOURCE = "Marnet sea lanes (searoute data)"
WATER_SOURCE = "water grid on Natural Earth 10m coastlines"
RAIL_SOURCE = "OpenStreetMap railways (scgraph-data)"
AIR_SOURCE = "great circle"
FALLBACK_SOURCE = "great circle (unrouted)"
ROAD_SOURCE = "great circle (no offline road network)"
DRAWN_SOURCE = "drawn in the dataset"

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Stop:
    """A place a route starts at, passes through or ends at.

    Parameters
    ----------
    name
        Display name, for messages and rules.
    lat, lon
        Position, degrees.
    country
        ISO alpha-2 code of the site.
    """

    name: str
    lat: float
    lon: float
    country: str

    @property
    def point(self) -> LatLon:
        """(lat, lon)."""
        return (self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """What to route: the stops in order, the mode and the countries allowed.

    Parameters
    ----------
    mode
        Network to use.
    stops
        Origin, ``via`` waypoints, destination.
    countries
        Countries the route may cross, as the leg states them; empty means
        the countries of the stops.
    """

    mode: Mode
    stops: tuple[Stop, ...]
    countries: tuple[str, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        """The countries a rail route may cross, sorted."""
        return tuple(sorted(set(self.countries) | {s.country for s in self.stops}))

    def key(self) -> dict[str, Any]:
        """Return the request as canonical JSON-able data, for cache keys."""
        return {
            "mode": self.mode,
            "stops": [[round(s.lat, 6), round(s.lon, 6), s.country] for s in self.stops],
            "countries": sorted(self.countries),
        }


def request_for(leg: Leg, sites: Mapping[str, Site]) -> RouteRequest:
    """Return the route request of a leg.

    Parameters
    ----------
    leg
        The leg.
    sites
        Sites by id; must hold the leg's ends and ``via`` sites.

    Returns
    -------
    RouteRequest
    """
    ids = (leg.origin, *leg.via, leg.destination)
    stops = tuple(Stop(sites[i].name, sites[i].lat, sites[i].lon, sites[i].country) for i in ids)
    return RouteRequest(leg.mode, stops, tuple(leg.countries))


def _great_circle(request: RouteRequest) -> tuple[list[LatLon], float]:
    points: list[LatLon] = [request.stops[0].point]
    km = 0.0
    for a, b in itertools.pairwise(request.stops):
        points.extend(geodesic_points(a.point, b.point)[1:])
        km += geodesic_km(a.point, b.point)
    return points, km


def _fallback(request: RouteRequest, reason: str) -> Route:
    points, km = _great_circle(request)
    return Route(Line(points), km, FALLBACK_SOURCE, (f"unrouted: {reason}",),
                 rule="no network path")


def _sea_many(requests: Mapping[K, RouteRequest]) -> dict[K, Route | NoRouteError]:
    """Route sea requests; all their hops are routed together, one lane search per origin."""
    from shiproute.routes.sea import sea_paths

    hops = {k: list(itertools.pairwise(s.point for s in r.stops)) for k, r in requests.items()}
    pairs = list(dict.fromkeys(pair for legs in hops.values() for pair in legs))
    found = dict(zip(pairs, sea_paths(pairs), strict=True))
    out: dict[K, Route | NoRouteError] = {}
    for key, request in requests.items():
        paths = [found[pair] for pair in hops[key]]
        failed = [p for p in paths if isinstance(p, NoRouteError)]
        out[key] = failed[0] if failed else _sea(request, paths)  # type: ignore[arg-type]
    return out


def _sea(request: RouteRequest, paths: Sequence[SeaPath]) -> Route:
    from shiproute.routes._land import path_length_km

    points: list[LatLon] = [request.stops[0].point]
    for path in paths:
        points.extend(path.points[1:])
    land = sum(path.land_km for path in paths)
    repaired = sum(path.repaired for path in paths)
    direct = sum(path.direct for path in paths)
    waterways = tuple(dict.fromkeys(name for path in paths for name in path.waterways))
    flags = []
    if land > 0.05:
        flags.append(f"crosses {land:.1f} km of land in the 10m coastline data outside the "
                     "ports and waterways (a port inland, or behind coarse coastline)")
    sources: list[str] = []
    rules: list[str] = []
    if direct < len(request.stops) - 1:
        sources.append(SEA_SOURCE)
        rules.append("enters and leaves the lanes where the whole route is shortest")
    if direct:
        sources.append(WATER_SOURCE)
        rules.append("direct path for ports under 500 km apart, where shorter than the lanes")
    if waterways:
        rules.append("through " + ", ".join(waterways))
    if repaired:
        rules.append(f"{repaired} segment{'s' * (repaired > 1)} re-routed around land")
    via = request.stops[1:-1]
    if via:
        rules.append("via " + ", ".join(s.name for s in via))
    return Route(Line(points), path_length_km(points), " + ".join(sources), tuple(flags),
                 "; ".join(rules))


@functools.lru_cache(maxsize=65_536)
def _connector(site: LatLon, node: LatLon) -> tuple[LatLon, ...] | None:
    """Return a land-only link from a site to a network node, or None if there is none.

    Remembered: thousands of legs from one station share its link to the railway.
    """
    from shapely import box

    from shiproute.routes._grid import grid_path
    from shiproute.routes._land import land_within, water_km

    straight = (site, node)
    if water_km(straight) <= MAX_CONNECTOR_WATER_KM:
        return straight
    for margin in (0.2, 0.6):
        bounds = (min(site[1], node[1]) - margin, min(site[0], node[0]) - margin,
                  max(site[1], node[1]) + margin, max(site[0], node[0]) + margin)
        water = box(*bounds).difference(land_within(bounds))
        found = grid_path(site, node, water, bounds)
        if found is not None:
            return found
    return None


def _rail_route(request: RouteRequest, network: RailNetwork, hops: list[RailPath],
                rule: str, flags: list[str]) -> Route:
    from shiproute.routes._land import path_length_km

    points: list[LatLon] = []
    connectors: list[tuple[LatLon, ...]] = []
    km = 0.0
    for (a, b), hop in zip(itertools.pairwise(request.stops), hops,
                           strict=True):
        track = network.points(hop.nodes)
        km += hop.km
        ends = ((a, track[0], hop.snap_km[0], False), (b, track[-1], hop.snap_km[1], True))
        pieces: dict[bool, tuple[LatLon, ...]] = {}
        for stop, node, snap_km, at_end in ends:
            if snap_km < 0.05:
                continue
            link = _connector(stop.point, node)
            if link is None:
                flags.append(f"no land-only link from {stop.name} to the railway "
                             f"({snap_km:.0f} km); not drawn")
                continue
            link_km = path_length_km(link)
            km += link_km
            if snap_km > LONG_CONNECTOR_KM:
                connectors.append(link)
                flags.append(f"{stop.name} is {snap_km:.0f} km from the railway "
                             "network: dashed connector")
            else:
                pieces[at_end] = link
        start = list(pieces[False]) if False in pieces else []
        end = list(reversed(pieces[True])) if True in pieces else []
        segment = start[:-1] + track + end[1:] if start or end else track
        points.extend(segment if not points else segment[1:])
    nodes = [n for hop in hops for n in hop.nodes]
    if len(points) < 2:
        points = [request.stops[0].point, request.stops[-1].point]
    # the stops' own countries count too: a station on a border river may sample as
    # the neighbour's territory at Natural Earth's resolution (Tumangang, KP)
    countries = (request.stops[0].country, *network.countries_along(nodes),
                 *(s.country for s in request.stops[1:]))
    return Route(Line(points), km, RAIL_SOURCE, tuple(flags), rule,
                 tuple(map(Line, connectors)), tuple(dict.fromkeys(c for c in countries if c)))


def _rail_rule(request: RouteRequest) -> str:
    via = request.stops[1:-1]
    parts = []
    if via:
        parts.append("via " + ", ".join(s.name for s in via))
    allowed = ", ".join(request.allowed)
    parts.append(f"countries {allowed} (as the leg allows)" if request.countries
                 else f"within {allowed} (the countries of its stops)")
    return "; ".join(parts)


def _rail_many(requests: Mapping[K, RouteRequest], network: RailNetwork
               ) -> dict[K, Route | NoRouteError]:
    """Route rail requests; requests with the same allowed countries share searches."""
    hops_of: dict[K, list[RailPath]] = {}
    failed: dict[K, NoRouteError] = {}
    by_mask: dict[tuple[str, ...] | None, list[tuple[K, int, tuple[LatLon, LatLon]]]] = {}
    for leg_id, request in requests.items():
        for n, (a, b) in enumerate(itertools.pairwise(request.stops)):
            by_mask.setdefault(request.allowed, []).append((leg_id, n, (a.point, b.point)))
    for allowed, items in by_mask.items():
        mask = network.allowed(allowed)
        results = network.paths([pair for _id, _n, pair in items], mask)
        for (leg_id, _n, _pair), result in zip(items, results, strict=True):
            if isinstance(result, NoRouteError):
                failed.setdefault(leg_id, result)
            else:
                hops_of.setdefault(leg_id, []).append(result)
    out: dict[K, Route | NoRouteError] = {}
    for leg_id, request in requests.items():
        if leg_id not in failed:
            out[leg_id] = _rail_route(request, network, hops_of[leg_id], _rail_rule(request), [])
            continue
        try:  # no path within the allowed countries: take the shortest anywhere, and say so
            mask = network.allowed(None)
            hops = [network.path(a.point, b.point, mask)
                    for a, b in itertools.pairwise(request.stops)]
        except NoRouteError as err:
            out[leg_id] = err
            continue
        route = _rail_route(request, network, hops, "", [])
        outside = [c for c in route.countries if c not in request.allowed]
        within = ", ".join(request.allowed)
        flag = f"no rail path within {within}: crosses {', '.join(outside) or 'other countries'}"
        out[leg_id] = replace(route, flags=(flag, *route.flags),
                              rule=f"shortest path anywhere (none within {within})")
    return out


def route_many(
    requests: Mapping[K, RouteRequest],
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[K, Route]:
    """Route requests on the networks; rail and sea requests share one search per origin.

    Parameters
    ----------
    requests
        Requests by any key (the :class:`~shiproute.routes.router.Router`
        passes each distinct request once).
    progress
        Called with the number of requests finished since the last call.

    Returns
    -------
    dict
        Routes by key, in the order of ``requests``. Requests no network
        connects get a great circle flagged "unrouted".
    """
    results: dict[K, Route | NoRouteError] = {}
    rail = {k: r for k, r in requests.items() if r.mode == "rail"}
    if rail:
        from shiproute.routes.rail import load_rail_network

        results.update(_rail_many(rail, load_rail_network()))
        if progress:
            progress(len(rail))
    sea = {k: r for k, r in requests.items() if r.mode == "sea"}
    if sea:
        results.update(_sea_many(sea))
        if progress:
            progress(len(sea))
    for key, request in requests.items():
        if request.mode in ("rail", "sea"):
            continue
        results[key] = _route_one(request)
        if progress:
            progress(1)
    out: dict[K, Route] = {}
    for key, request in requests.items():
        result = results[key]
        out[key] = _fallback(request, str(result)) if isinstance(result, NoRouteError) else result
    return out


def is_unrouted(route: Route) -> bool:
    """Whether no network could route the leg (it is drawn as a great circle)."""
    return route.source == FALLBACK_SOURCE


def _route_one(request: RouteRequest) -> Route:
    points, km = _great_circle(request)
    if request.mode == "road":
        flag = "no offline road network: drawn as a great circle"
        return Route(Line(points), km, ROAD_SOURCE, (flag,), rule="straight line")
    return Route(Line(points), km, AIR_SOURCE, rule="great circle")


def drawn_route(points: tuple[LatLon, ...]) -> Route:
    """Return the route of a leg whose path the dataset draws itself."""
    from shiproute.routes._land import path_length_km

    return Route(Line(points), path_length_km(points), DRAWN_SOURCE, rule="as drawn in the dataset")
