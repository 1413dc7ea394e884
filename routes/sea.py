"""Sea routes along searoute's Marnet lanes, repaired where they cross land.

The lanes come from :mod:`shiproute.routes.lanes`, which joins each port to
the lane node that gives the shortest total route (not simply the nearest
node, which can lie behind the port). The lanes are coarse near small ports:
in Peter the Great Gulf they have two nodes, and routes from Rajin cut across
capes and headlands. Every segment of the route that crosses Natural Earth
land (outside 3 km disks around the two ports, which themselves lie on land at
10m scale) is replaced by a water-only path found on a 0.5 km grid around the
segment. For ports less than 500 km apart the shortest water path on that
grid is also searched, and used when it is shorter than the (repaired) lanes.

Where the coastline data has no water path at all (canals such as Suez,
straits narrower than the data such as the Bosphorus, river ports), the lane
is kept and the land it crosses is reported, so the map can flag it. A port
joins the lanes over land only where no water path exists, over at most
100 km, and each km of that land counts as ten when the entry is chosen, so a
river port joins where the least land lies between; a port that can't join
any lane within reach has no sea route.

Routes that cross the antimeridian are worked on with continuous longitudes
(east of 180 as 180-360) and returned within [-180, 180].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import itertools
from typing import Any

import numpy as np
import shapely

from shiproute.routes._grid import grid_path
from shiproute.routes._land import disk, geodesic_length_km, land_within, line, path_length_km
from shiproute.routes.lanes import LaneNetwork, load_lane_network
from shiproute.routes.model import LatLon

PORT_RADIUS_KM = 3.0
MAX_APPROACH_KM = 100.0
DIRECT_KM = 500.0  # ports closer than this also get a direct water-grid search
MARGINS_DEG = (0.3, 1.0)
LAND_WEIGHT = 10.0  # a km of land a port's connector can't avoid counts as 10 km of sea
MAX_REPAIRS = 4  # tries per port to re-route its links to the lanes around land


@dataclass(frozen=True, slots=True)
class SeaPath:
    """A sea route before it is attached to a leg.

    Parameters
    ----------
    points
        (lat, lon) from port to port, longitudes within [-180, 180].
    repaired
        How many of the lane route's segments were replaced to avoid land.
    land_km
        Land still crossed outside the port disks, in km, where no water path
        exists in the 10m coastline data: canals (Suez), straits narrower than
        the data (the Bosphorus), or a port up a river.
    direct
        Whether the path is the shortest water path on the coastline grid,
        which replaces the lanes for nearby ports when it is shorter.
    """

    points: tuple[LatLon, ...]
    repaired: int
    land_km: float
    direct: bool = False


def _unwrapped(points: Sequence[LatLon]) -> list[LatLon]:
    """Return the points with each longitude within 180 degrees of the one before."""
    out = [points[0]]
    for lat, lon in points[1:]:
        out.append((lat, lon + 360.0 * round((out[-1][1] - lon) / 360.0)))
    return out


def _wrapped(points: Sequence[LatLon], destination: LatLon) -> tuple[LatLon, ...]:
    """Return the points with longitudes within [-180, 180], ending exactly at ``destination``."""
    inner = ((lat, lon if -180.0 <= lon <= 180.0 else (lon + 180.0) % 360.0 - 180.0)
             for lat, lon in points[:-1])
    return (*inner, destination)


def _shifted(geometry: Any, degrees: float) -> Any:
    return shapely.transform(geometry, lambda xy: np.add(xy, [degrees, 0.0]))


def _land(bounds: tuple[float, float, float, float]) -> Any:
    """Return the land in a (west, south, east, north) box whose sides may lie beyond +/-180."""
    west, south, east, north = bounds
    parts = []
    for turn in (-360.0, 0.0, 360.0):
        low, high = max(west - turn, -180.0), min(east - turn, 180.0)
        if low < high:
            found = land_within((low, south, high, north))
            parts.append(found if turn == 0.0 else _shifted(found, turn))
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _padded(points: Sequence[LatLon], margin: float) -> tuple[float, float, float, float]:
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin)


def _repair(a: LatLon, b: LatLon, exempt: Any) -> tuple[LatLon, ...] | None:
    for margin in MARGINS_DEG:
        bounds = _padded((a, b), margin)
        found = grid_path(a, b, _land(bounds).difference(exempt), bounds)
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class _Connector:
    """A link between a port and a lane node: straight, re-routed around land, or over land."""

    points: tuple[LatLon, ...]  # port first, continuous longitudes
    km: float
    land_km: float = 0.0
    repaired: bool = False

    @property
    def cost(self) -> float:
        """Km for choosing lane entries; land counts ``LAND_WEIGHT`` times."""
        return self.km + LAND_WEIGHT * self.land_km


def _enclosed(port: LatLon) -> bool:
    """Whether the coastline data shuts a port in: all land 3-4 km around it (a river port)."""
    ring = disk(port, PORT_RADIUS_KM + 1.0).difference(disk(port, PORT_RADIUS_KM))
    return bool(ring.difference(_land(ring.bounds)).is_empty)


class _Connectors:
    """Links between ports and lane nodes, each found once, for :meth:`LaneNetwork.route`.

    A link that crosses land is re-routed over water if it can be; if not,
    it is kept straight when no longer than ``MAX_APPROACH_KM`` and refused
    otherwise. Repairs are not tried from a port the coastline data shuts in
    (:func:`_enclosed`), and at most ``MAX_REPAIRS`` times from any port, as
    each costs a grid search; the lane search asks first about the links of
    the routes that look shortest, so the tries go to the likeliest entries.
    """

    def __init__(self) -> None:
        self.found: dict[tuple[LatLon, LatLon], _Connector] = {}
        self.refused: set[tuple[LatLon, LatLon]] = set()
        self.repairs: dict[LatLon, int] = {}

    def cost(self, port: LatLon, node: LatLon) -> float | None:
        """Return the cost of joining ``node`` from ``port`` (km), or None if refused."""
        key = (port, node)
        if key not in self.found and key not in self.refused:
            connector = self._connect(port, node)
            if connector is None:
                self.refused.add(key)
            else:
                self.found[key] = connector
        return self.found[key].cost if key in self.found else None

    def _connect(self, port: LatLon, node: LatLon) -> _Connector | None:
        a, b = _unwrapped([port, node])
        exempt = disk(port, PORT_RADIUS_KM)
        land = _land(_padded((a, b), 0.05)).difference(exempt)
        straight = line([a, b])
        km = path_length_km([a, b])
        if not shapely.intersects(straight, land):
            return _Connector((a, b), km)
        if port not in self.repairs:
            self.repairs[port] = MAX_REPAIRS if _enclosed(port) else 0
        self.repairs[port] += 1
        fixed = _repair(a, b, exempt) if self.repairs[port] <= MAX_REPAIRS else None
        if fixed is not None:
            return _Connector(fixed, path_length_km(fixed), repaired=True)
        if km > MAX_APPROACH_KM:
            return None
        return _Connector((a, b), km, geodesic_length_km(shapely.intersection(straight, land)))


def _avoid_land(points: Sequence[LatLon], exempt: Any) -> tuple[list[LatLon], int]:
    """Re-route every segment that crosses land outside ``exempt``; return points, repairs."""
    out: list[LatLon] = [points[0]]
    repaired = 0
    for a, b in itertools.pairwise(points):
        land = _land(_padded((a, b), 0.05)).difference(exempt)
        fixed = _repair(a, b, exempt) if shapely.intersects(line([a, b]), land) else None
        out.extend([b] if fixed is None else fixed[1:])
        repaired += fixed is not None
    return out, repaired


def _land_km(points: Sequence[LatLon], exempt: Any) -> float:
    """Return the km of a path on land outside ``exempt`` (continuous longitudes)."""
    land = _land(_padded(points, 0.05)).difference(exempt)
    return geodesic_length_km(shapely.intersection(line(points), land))


def _lane_path(network: LaneNetwork, origin: LatLon, destination: LatLon
               ) -> tuple[list[LatLon], int]:
    """Return the lane route, land re-routed where it can be (continuous longitudes), repairs."""
    connectors = _Connectors()
    lane = network.route(origin, destination, connect=connectors.cost)
    middle = [network.point(n) for n in lane.nodes]
    head = connectors.found[origin, middle[0]]
    tail = connectors.found[destination, middle[-1]]
    points = _unwrapped([*head.points[:-1], *middle, *reversed(tail.points[:-1])])
    start = len(head.points) - 1
    stop = start + len(middle)
    exempt = _port_disks(points)
    clear, repaired = _avoid_land(points[start:stop], exempt)
    return [*points[:start], *clear, *points[stop:]], repaired + head.repaired + tail.repaired


def _port_disks(points: Sequence[LatLon]) -> Any:
    return shapely.union_all([disk(points[0], PORT_RADIUS_KM), disk(points[-1], PORT_RADIUS_KM)])


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
    points, repaired = _lane_path(load_lane_network(), origin, destination)
    exempt = _port_disks(points)
    lane_path = SeaPath(_wrapped(points, destination), repaired, _land_km(points, exempt))
    if path_length_km([points[0], points[-1]]) > DIRECT_KM:
        return lane_path
    direct = _repair(points[0], points[-1], exempt)
    if direct is None or path_length_km(direct) >= path_length_km(points):
        return lane_path
    return SeaPath(_wrapped(direct, destination), 0, 0.0, direct=True)
