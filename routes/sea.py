"""Sea routes along the shipped sea lanes, joined to the ports over water.

The lanes (:mod:`shiproute.routes.lanes`) were checked against Natural Earth
10m land once, when they were vendored (``tools/vendor_lanes.py``, which uses
:func:`crossing_km` and :func:`water_path` from here): no lane edge crosses
land except the waterways kept on purpose (:mod:`shiproute.routes.waterways`),
whose land is stored with them. A port joins the lanes by its links
(:mod:`shiproute.routes.links`), which were found when they were vendored for
the reference ports. So a route is one Dijkstra search on the lanes, from the
origin's links to the destination's, choosing the pair that gives the shortest
total, not simply the nearest node, which can lie behind the port. For ports
less than 500 km apart the shortest water path on a 0.5 km grid is also
searched, and used when it is shorter than the lanes.

A port that can't join any lane or waterway within reach has no sea route,
and the error says why.

Routes that cross the antimeridian are worked on with continuous longitudes
(east of 180 as 180-360) and returned within [-180, 180].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from shiproute.errors import NoRouteError
from shiproute.routes._grid import grid_path
from shiproute.routes._land import (
    box_around,
    disk,
    geodesic_length_km,
    land_around,
    line,
    path_length_km,
    touches_land,
    unwrapped,
)
from shiproute.routes.lanes import LaneNetwork, LanePath, load_lane_network
from shiproute.routes.links import PORT_RADIUS_KM, PortLinks
from shiproute.routes.model import LatLon

DIRECT_KM = 500.0  # ports closer than this also get a direct water-grid search
MARGINS_DEG = (0.3, 1.0)
REPAIR_GAIN = 0.01  # links and direct paths are searched for only if they may gain 1%


@dataclass(frozen=True, slots=True)
class SeaPath:
    """A sea route before it is attached to a leg.

    Parameters
    ----------
    points
        (lat, lon) from port to port, longitudes within [-180, 180].
    repaired
        How many segments were replaced to avoid land: Marnet lane edges
        re-routed when the lanes were vendored, and port links.
    land_km
        Land still crossed outside the port disks and the waterways, in km:
        a port linked to the lanes over land where the 10m coastline has no
        water path to it.
    direct
        Whether the path is the shortest water path on the coastline grid,
        which replaces the lanes for nearby ports when it is shorter.
    waterways
        The canals, narrow straits and rivers the path goes through, in order
        (``"the Suez Canal"``).
    """

    points: tuple[LatLon, ...]
    repaired: int
    land_km: float
    direct: bool = False
    waterways: tuple[str, ...] = ()


def _wrapped(points: Sequence[LatLon], destination: LatLon) -> tuple[LatLon, ...]:
    """Return the points with longitudes within [-180, 180], ending exactly at ``destination``."""
    inner = ((lat, lon if -180.0 <= lon <= 180.0 else (lon + 180.0) % 360.0 - 180.0)
             for lat, lon in points[:-1])
    return (*inner, destination)


def _repair(a: LatLon, b: LatLon, exempt: Any) -> tuple[LatLon, ...] | None:
    for margin in MARGINS_DEG:
        bounds = box_around((a, b), margin)
        found = grid_path(a, b, land_around(bounds).difference(exempt), bounds)
        if found is not None:
            return found
    return None


def _port_disks(points: Sequence[LatLon]) -> Any:
    return shapely.union_all([disk(points[0], PORT_RADIUS_KM), disk(points[-1], PORT_RADIUS_KM)])


def crossing_km(segments: Sequence[tuple[LatLon, LatLon]]) -> list[float]:
    """Return how many km of Natural Earth 10m land each straight segment crosses.

    Segments may cross the antimeridian (the short way round). Used to check
    the lanes when they are vendored, and by the tests that prove it.

    Parameters
    ----------
    segments
        ((lat, lon), (lat, lon)) pairs.

    Returns
    -------
    list of float
        Km on land per segment, in order; 0.0 for a segment that at most
        touches the coast.
    """
    lines = [line(unwrapped([a, b])) for a, b in segments]
    km = [0.0] * len(segments)
    for n in np.flatnonzero(touches_land(lines)):
        km[n] = geodesic_length_km(shapely.intersection(lines[n], land_around(box_around(
            [(y, x) for x, y in lines[n].coords], 0.05))))
    return km


def water_path(a: LatLon, b: LatLon) -> tuple[LatLon, ...] | None:
    """Return the shortest path from ``a`` to ``b`` over water, straightened, or None.

    Searched on a 0.5 km grid in a window around the segment (0.3, then 1
    degree wider), as :mod:`shiproute.routes._grid` does. Longitudes of the
    result are continuous from ``a``.

    Parameters
    ----------
    a, b
        (lat, lon) ends.

    Returns
    -------
    tuple of (lat, lon) or None
        ``None`` when the window holds no water path.
    """
    start, end = unwrapped([a, b])
    return _repair(start, end, shapely.Polygon())


def _sea_path(network: LaneNetwork, links: PortLinks, origin: LatLon,
              destination: LatLon, lane: LanePath,
              direct_paths: dict[tuple[LatLon, LatLon], tuple[LatLon, ...] | None]) -> SeaPath:
    """Return the sea path of a lane route: port links, lanes, and a direct path if shorter.

    A direct path found for one direction serves the other one, reversed
    (``direct_paths``, shared by a batch).
    """
    middle = [network.point(n) for n in lane.nodes]
    head = links.link(origin, middle[0])
    tail = links.link(destination, middle[-1])
    points = unwrapped([*head.points[:-1], *middle, *reversed(tail.points[:-1])])
    repaired = network.repairs(lane.nodes) + head.repaired + tail.repaired
    waterways = (*links.through(origin, middle[0]), *network.waterways_of(lane.nodes),
                 *reversed(links.through(destination, middle[-1])))
    lane_path = SeaPath(_wrapped(points, destination), repaired, head.land_km + tail.land_km,
                        waterways=tuple(dict.fromkeys(waterways)))
    crow = path_length_km([points[0], points[-1]])
    if crow > DIRECT_KM:
        return lane_path
    km = path_length_km(points)
    if km <= crow * (1 + REPAIR_GAIN):  # no water path can be 1% shorter
        return lane_path
    if (origin, destination) not in direct_paths:
        found = _repair(points[0], points[-1], _port_disks(points))
        direct_paths[origin, destination] = found
        direct_paths[destination, origin] = None if found is None else found[::-1]
    direct = direct_paths[origin, destination]
    if direct is None or path_length_km(direct) >= km:
        return lane_path
    return SeaPath(_wrapped(direct, destination), 0, 0.0, direct=True)


def sea_paths(pairs: Sequence[tuple[LatLon, LatLon]]) -> list[SeaPath | NoRouteError]:
    """Return sea routes between pairs of ports; one lane search per origin.

    Parameters
    ----------
    pairs
        (origin, destination) pairs of (lat, lon); repeats are routed once.

    Returns
    -------
    list
        Per pair, in order, the :class:`SeaPath` (starting and ending
        exactly at the ports), or the :class:`~shiproute.errors.NoRouteError`
        saying why there is none: no lane node within reach of a port can be
        joined over water or over less than 100 km of land (a lake or sea
        without lanes), or the lanes do not connect the ports.
    """
    network = load_lane_network()
    links = PortLinks(network)
    by_origin: dict[LatLon, list[LatLon]] = {}
    for origin, destination in dict.fromkeys(pairs):
        by_origin.setdefault(origin, []).append(destination)
    found: dict[tuple[LatLon, LatLon], SeaPath | NoRouteError] = {}
    direct_paths: dict[tuple[LatLon, LatLon], tuple[LatLon, ...] | None] = {}
    for origin, destinations in by_origin.items():
        lanes = _lanes_from(network, links, origin, destinations)
        for destination, lane in zip(destinations, lanes, strict=True):
            found[origin, destination] = lane if isinstance(lane, NoRouteError) else \
                _sea_path(network, links, origin, destination, lane, direct_paths)
    return [found[pair] for pair in pairs]


def _lanes_from(network: LaneNetwork, links: PortLinks, origin: LatLon,
                destinations: list[LatLon]) -> list[LanePath | NoRouteError]:
    """Return the lane routes from one port, searching for port links only where it pays.

    First every port joins only the lane nodes of the links known without a
    grid search: every link of a reference port, the straight ones of another
    place. A route is kept when both its ports' links are all known, or when
    it is within :data:`REPAIR_GAIN` of the bound that straight links to every
    node give; for the others, the missing links are searched for
    (:meth:`PortLinks.cost`).
    """
    clear = network.routes(origin, destinations, priced=links.known,
                           unreachable=links.unreachable)
    if links.complete(origin) and all(links.complete(d) for d in destinations):
        return clear
    bound = network.routes(origin, destinations)
    redo = [d for d, lane, least in zip(destinations, clear, bound, strict=True)
            if not (links.complete(origin) and links.complete(d))
            and (isinstance(lane, NoRouteError) or (not isinstance(least, NoRouteError)
                                                     and least.km * (1 + REPAIR_GAIN) < lane.km))]
    if redo:
        again = dict(zip(redo, network.routes(origin, redo, connect=links.cost,
                                              unreachable=links.unreachable), strict=True))
        clear = [again.get(d, lane) for d, lane in zip(destinations, clear, strict=True)]
    return clear


def sea_path(origin: LatLon, destination: LatLon) -> SeaPath:
    """Return a sea route between two ports that does not cross land.

    Parameters
    ----------
    origin, destination
        (lat, lon) of the ports.

    Returns
    -------
    SeaPath
        Starts and ends exactly at the ports.

    Raises
    ------
    NoRouteError
        If no lane node within reach of a port can be joined over water or
        over less than 100 km of land (a lake or sea without lanes), or the
        lanes do not connect the ports.
    """
    (found,) = sea_paths([(origin, destination)])
    if isinstance(found, NoRouteError):
        raise found
    return found
