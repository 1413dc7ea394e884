"""Sea routes along the shipped sea lanes, joined to the ports over water.

The lanes (:mod:`shiproute.routes.lanes`) were checked against Natural Earth
10m land once, when they were vendored (``tools/vendor_lanes.py``, which uses
:func:`crossing_km` and :func:`water_path` from here): no lane edge crosses
land except the canals and narrow straits kept on purpose, whose land is
stored with them. So a route is one Dijkstra search on the lanes plus a
connector at each end, and only the connectors are checked at run time.

Each port joins the lane node that gives the shortest total route (not simply
the nearest node, which can lie behind the port). A connector that crosses
land (outside a 3 km disk around the port, which itself may lie on land at 10m
scale) is replaced by a water-only path found on a grid around it: at most
60,000 cells first, which is ten times faster, then 0.5 km cells. For ports
less than 500 km apart the shortest water path on the 0.5 km grid is also
searched, and used when it is shorter than the lanes.

Where the coastline data has no water path at all (Suez, Panama, straits
narrower than the data such as the Bosphorus, river ports), the land crossed is
reported, so the map can flag it. A port joins the lanes over land only where
no water path exists, over at most 100 km, and each km of that land counts as
ten when the entry is chosen, so a river port joins where the least land lies
between; a port that can't join any lane within reach has no sea route.

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
from shiproute.gazetteer.earth import load_earth
from shiproute.routes._grid import MAX_CELLS, grid_path
from shiproute.routes._land import (
    disk,
    geodesic_length_km,
    land_within,
    line,
    path_length_km,
    valid_land,
)
from shiproute.routes.lanes import LaneNetwork, LanePath, load_lane_network
from shiproute.routes.model import LatLon

PORT_RADIUS_KM = 3.0
MAX_APPROACH_KM = 100.0
DIRECT_KM = 500.0  # ports closer than this also get a direct water-grid search
MARGINS_DEG = (0.3, 1.0)
LAND_WEIGHT = 10.0  # a km of land a port's connector can't avoid counts as 10 km of sea
MAX_REPAIRS = 4  # tries per port to re-route its links to the lanes around land
CONNECTOR_CELLS = 60_000  # a connector's first grid search: coarser cells, 10 times faster
REPAIR_GAIN = 0.01  # connectors are re-routed only when that may shorten a route by 1%


@dataclass(frozen=True, slots=True)
class SeaPath:
    """A sea route before it is attached to a leg.

    Parameters
    ----------
    points
        (lat, lon) from port to port, longitudes within [-180, 180].
    repaired
        How many segments were replaced to avoid land: Marnet lane edges
        re-routed when the lanes were vendored, and connectors.
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


def _repair(a: LatLon, b: LatLon, exempt: Any, max_cells: int = MAX_CELLS
            ) -> tuple[LatLon, ...] | None:
    for margin in MARGINS_DEG:
        bounds = _padded((a, b), margin)
        found = grid_path(a, b, _land(bounds).difference(exempt), bounds, max_cells=max_cells)
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
        self.blocked: set[tuple[LatLon, LatLon]] = set()  # straight link crosses land

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

    def clear_cost(self, port: LatLon, node: LatLon) -> float | None:
        """Return the straight length from ``port`` to ``node`` (km) if it crosses no land.

        :meth:`see` must have checked the link; a re-routed link found before counts too.
        """
        return self.found[port, node].cost if (port, node) in self.found else None

    def see(self, port: LatLon, nodes: Sequence[LatLon]) -> None:
        """Check at once which of ``nodes`` a port reaches in a straight line over water."""
        todo = [n for n in nodes if (port, n) not in self.found and (port, n) not in self.blocked]
        if not todo:
            return
        exempt = disk(port, PORT_RADIUS_KM)
        ends = [_unwrapped([port, node]) for node in todo]
        lines = shapely.difference(np.array([line(pair) for pair in ends], dtype=object), exempt)
        for node, pair, touching in zip(todo, ends, _touch_land(lines), strict=True):
            if touching:
                self.blocked.add((port, node))
            else:
                self.found[port, node] = _Connector(tuple(pair), path_length_km(pair))

    def _connect(self, port: LatLon, node: LatLon) -> _Connector | None:
        a, b = _unwrapped([port, node])
        exempt = disk(port, PORT_RADIUS_KM)
        straight = line([a, b])
        km = path_length_km([a, b])
        if not _touch_land([straight.difference(exempt)])[0]:
            return _Connector((a, b), km)
        land = _land(_padded((a, b), 0.05)).difference(exempt)
        if port not in self.repairs:
            self.repairs[port] = MAX_REPAIRS if _enclosed(port) else 0
        self.repairs[port] += 1
        fixed = None
        if self.repairs[port] <= MAX_REPAIRS:  # a coarse grid first, as it is 10 times faster
            fixed = _repair(a, b, exempt, CONNECTOR_CELLS) or _repair(a, b, exempt)
        if fixed is not None:
            return _Connector(fixed, path_length_km(fixed), repaired=True)
        if km > MAX_APPROACH_KM:
            return None
        return _Connector((a, b), km, geodesic_length_km(shapely.intersection(straight, land)))


def _port_disks(points: Sequence[LatLon]) -> Any:
    return shapely.union_all([disk(points[0], PORT_RADIUS_KM), disk(points[-1], PORT_RADIUS_KM)])


def _copies(geometry: Any) -> list[Any]:
    """Return a geometry and its copies shifted by 360 degrees that overlap [-180, 180]."""
    west, _south, east, _north = geometry.bounds
    return [geometry if turn == 0.0 else _shifted(geometry, turn)
            for turn in (0.0, -360.0, 360.0) if west + turn < 180.0 and east + turn > -180.0]


def _touch_land(geometries: Any) -> Any:
    """Return whether each (continuous-longitude) geometry touches Natural Earth 10m land; fast.

    Uses the prepared polygons as loaded (no ``make_valid``), so it costs
    microseconds per geometry.
    """
    earth = load_earth()
    copies = [(n, copy) for n, geometry in enumerate(geometries) for copy in _copies(geometry)]
    shapes = np.array([copy for _n, copy in copies], dtype=object)
    out = np.zeros(len(geometries), dtype=bool)
    if not len(shapes):
        return out
    which, hits = earth.land_tree.query(shapes)
    touching = shapely.intersects(earth.land[hits], shapes[which])
    out[[copies[i][0] for i in which[touching]]] = True
    return out


def crossing_km(segments: Sequence[tuple[LatLon, LatLon]]) -> list[float]:
    """Return how many km of Natural Earth 10m land each straight segment crosses.

    Land is taken made valid (:func:`~shiproute.routes._land.valid_land`);
    segments may cross the antimeridian (the short way round). Used to check
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
    land, tree = valid_land()
    lines = [line(_unwrapped([a, b])) for a, b in segments]
    copies = [(n, copy) for n, geometry in enumerate(lines) for copy in _copies(geometry)]
    shapes = np.array([copy for _n, copy in copies], dtype=object)
    which, hits = tree.query(shapes)
    touching = shapely.intersects(land[hits], shapes[which])
    km = [0.0] * len(segments)
    for n in sorted({copies[i][0] for i in which[touching]}):
        km[n] = geodesic_length_km(shapely.intersection(lines[n], _land(_padded(
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
    start, end = _unwrapped([a, b])
    return _repair(start, end, shapely.Polygon())


def _sea_path(network: LaneNetwork, connectors: _Connectors, origin: LatLon,
              destination: LatLon, lane: LanePath,
              direct_paths: dict[tuple[LatLon, LatLon], tuple[LatLon, ...] | None]) -> SeaPath:
    """Return the sea path of a lane route: connectors, lanes, and a direct path if shorter.

    A direct path found for one direction serves the other one, reversed
    (``direct_paths``, shared by a batch).
    """
    middle = [network.point(n) for n in lane.nodes]
    head = connectors.found[origin, middle[0]]
    tail = connectors.found[destination, middle[-1]]
    points = _unwrapped([*head.points[:-1], *middle, *reversed(tail.points[:-1])])
    repaired = network.repairs(lane.nodes) + head.repaired + tail.repaired
    land_km = head.land_km + tail.land_km + network.land_km(lane.nodes)
    lane_path = SeaPath(_wrapped(points, destination), repaired, land_km)
    if path_length_km([points[0], points[-1]]) > DIRECT_KM:
        return lane_path
    if (origin, destination) not in direct_paths:
        found = _repair(points[0], points[-1], _port_disks(points))
        direct_paths[origin, destination] = found
        direct_paths[destination, origin] = None if found is None else found[::-1]
    direct = direct_paths[origin, destination]
    if direct is None or path_length_km(direct) >= path_length_km(points):
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
    connectors = _Connectors()
    by_origin: dict[LatLon, list[LatLon]] = {}
    for origin, destination in dict.fromkeys(pairs):
        by_origin.setdefault(origin, []).append(destination)
    found: dict[tuple[LatLon, LatLon], SeaPath | NoRouteError] = {}
    direct_paths: dict[tuple[LatLon, LatLon], tuple[LatLon, ...] | None] = {}
    for origin, destinations in by_origin.items():
        lanes = _lanes_from(network, connectors, origin, destinations)
        for destination, lane in zip(destinations, lanes, strict=True):
            found[origin, destination] = lane if isinstance(lane, NoRouteError) else \
                _sea_path(network, connectors, origin, destination, lane, direct_paths)
    return [found[pair] for pair in pairs]


def _lanes_from(network: LaneNetwork, connectors: _Connectors, origin: LatLon,
                destinations: list[LatLon]) -> list[LanePath | NoRouteError]:
    """Return the lane routes from one port, re-routing connectors only where it pays.

    First every port joins only the lane nodes it sees over water in a
    straight line (no grid search). A route is kept when it is within
    :data:`REPAIR_GAIN` of the bound that straight connectors to every node
    give; for the others, connectors that cross land are re-routed as
    :class:`_Connectors` does.
    """
    for port in (origin, *destinations):
        connectors.see(port, [network.point(e.node) for e in network.entries(port)])
    clear = network.routes(origin, destinations, connect=connectors.clear_cost, eager=True)
    bound = network.routes(origin, destinations)
    redo = [d for d, lane, least in zip(destinations, clear, bound, strict=True)
            if isinstance(lane, NoRouteError) or (not isinstance(least, NoRouteError)
                                                   and least.km * (1 + REPAIR_GAIN) < lane.km)]
    if redo:
        again = dict(zip(redo, network.routes(origin, redo, connect=connectors.cost),
                         strict=True))
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
