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

Canals, straits narrower than the data and navigable rivers (Suez, the
Bosphorus, the Volga-Don, the Kiel Canal, the St Lawrence...) are lane edges
the coastline draws as land; a route through them names them, and the land
within :data:`CORRIDOR_KM` of them counts as water, for lanes and connectors
alike, so a river port joins its river where it lies. Elsewhere a port joins
the lanes over land only where no water path exists, over at most 100 km, and
each km of that land counts as ten when the entry is chosen and is reported
with the route; a port that can't join any lane or waterway within reach has
no sea route, and the error says why.

Routes that cross the antimeridian are worked on with continuous longitudes
(east of 180 as 180-360) and returned within [-180, 180].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import functools
import math
from typing import Any

import numpy as np
import shapely

from shiproute.errors import NoRouteError
from shiproute.gazetteer.earth import KM_PER_DEGREE, load_earth
from shiproute.routes._grid import MAX_CELLS, grid_path
from shiproute.routes._land import (
    disk,
    geodesic_length_km,
    land_within,
    line,
    path_length_km,
)
from shiproute.routes.lanes import ENTRY_RADIUS_KM, LaneNetwork, LanePath, load_lane_network
from shiproute.routes.model import LatLon

PORT_RADIUS_KM = 3.0
MAX_APPROACH_KM = 100.0
DIRECT_KM = 500.0  # ports closer than this also get a direct water-grid search
MARGINS_DEG = (0.3, 1.0)
LAND_WEIGHT = 10.0  # a km of land a port's connector can't avoid counts as 10 km of sea
MAX_REPAIRS = 4  # tries per port to re-route its links to the lanes around land
APPROACH_KM = 10.0  # a port this far inland at 10m scale may cross that land to the sea
CORRIDOR_KM = 2.0  # land this close to a waterway's centreline is the waterway
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
        Land still crossed outside the port disks and the waterways, in km:
        a port joining the lanes over land where the 10m coastline has no
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


@functools.cache
def _corridors(network: LaneNetwork) -> tuple[Any, list[str], shapely.STRtree]:
    """Return the waterway edges buffered by ``CORRIDOR_KM`` (lon/lat), their names, an index."""
    pairs = sorted(network.waterways)
    shapes = []
    for a, b in pairs:
        (lat_a, lon_a), (lat_b, lon_b) = _unwrapped([network.point(a), network.point(b)])
        scale = max(math.cos(math.radians((lat_a + lat_b) / 2)), 0.01)
        local = shapely.LineString([(lon_a * scale, lat_a), (lon_b * scale, lat_b)])
        shapes.append(shapely.transform(local.buffer(CORRIDOR_KM / KM_PER_DEGREE),
                                        lambda xy, s=scale: xy / [s, 1.0]))
    corridors = np.array(shapes, dtype=object)
    return corridors, [network.waterways[p] for p in pairs], shapely.STRtree(corridors)


def waterway_corridor(area: Any) -> Any:
    """Return the waterways that meet an area: land that counts as water.

    Canals, narrow straits and rivers are lane edges the 10m coastline draws
    as land (``data/sea-waterways.csv``); this is the area within
    :data:`CORRIDOR_KM` of them. Land tests of sea routes leave it out, as
    they leave out the ports.

    Parameters
    ----------
    area
        A shapely geometry, lon/lat; longitudes may run beyond +/-180 (a
        route across the antimeridian).

    Returns
    -------
    shapely geometry
        The union of the waterway corridors that meet ``area``, in its
        longitudes; empty where no waterway passes.
    """
    corridors, _names, tree = _corridors(load_lane_network())
    parts: list[Any] = []
    for turn in (-360.0, 0.0, 360.0):
        hits = tree.query(_shifted(area, -turn) if turn else area, predicate="intersects")
        parts.extend(corridors[hits] if turn == 0.0 else
                     [_shifted(g, turn) for g in corridors[hits]])
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _through(points: Sequence[LatLon]) -> tuple[str, ...]:
    """Return the waterways a connector follows over land, in order (its land is theirs)."""
    path = line(points).difference(disk(points[0], PORT_RADIUS_KM))
    if not _touch_land([path])[0]:
        return ()
    corridors, names, tree = _corridors(load_lane_network())
    hits = tree.query(path, predicate="intersects")
    along = sorted(hits, key=lambda i: path.project(corridors[i].centroid))
    return tuple(dict.fromkeys(names[i] for i in along))


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


@functools.lru_cache(maxsize=65_536)
def _approach_km(port: LatLon) -> float | None:
    """Return how far the coastline data puts a port inland, km, or None beyond ``APPROACH_KM``.

    A port a few km inland at 10m scale (an estuary, a harbour the data fills
    in) reaches the sea over that land; one further inland is a river port.
    """
    inland = load_earth().km_inland(*port, within_km=APPROACH_KM)
    return None if inland > APPROACH_KM else inland


class _Connectors:
    """Links between ports and lane nodes, each found once, for :meth:`LaneNetwork.route`.

    A link that crosses land is re-routed over water if it can be (from a
    port the data puts a few km inland, across that land first, which is
    reported); if not, it is kept straight when no longer than
    ``MAX_APPROACH_KM`` and refused otherwise. Repairs are not tried from a
    river port (:func:`_approach_km`), and at most ``MAX_REPAIRS`` times from
    any port, as each costs grid searches; the lane search asks first about
    the links of the routes that look shortest, so the tries go to the
    likeliest entries.
    """

    def __init__(self) -> None:
        self.exempt: dict[LatLon, Any] = {}  # per port: its disk, and the waterways near it
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

    def unreachable(self, port: LatLon, nearest_km: float) -> NoRouteError:
        """Return why no lane entry of a port could be joined: inland, or out of the lanes' reach.

        A port within ``APPROACH_KM`` of the sea in the 10m data (a fjord, a
        harbour behind islands) is on the coast, so the lanes, not the port,
        are what is missing there.
        """
        if _approach_km(port) is None:
            return NoRouteError(
                f"port inland with no waterway: no sea lane or waterway reaches {port[0]:.3f}, "
                f"{port[1]:.3f} over water, and the nearest is {nearest_km:.0f} km away over "
                "land")
        return NoRouteError(
            f"lane network gap: the coast at {port[0]:.3f}, {port[1]:.3f} has no sea lane in "
            f"reach over water in the 10m coastline data; the nearest is {nearest_km:.0f} km "
            "away, behind land")

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
        ends = [_unwrapped([port, node]) for node in todo]
        exempt = self._exempt(port, [p for pair in ends for p in pair])
        lines = shapely.difference(np.array([line(pair) for pair in ends], dtype=object), exempt)
        for node, pair, touching in zip(todo, ends, _touch_land(lines), strict=True):
            if touching:
                self.blocked.add((port, node))
            else:
                self.found[port, node] = _Connector(tuple(pair), path_length_km(pair))

    def _exempt(self, port: LatLon, reach: Sequence[LatLon]) -> Any:
        """Return the land a port's connectors may cross: its disk and waterways within reach."""
        if port not in self.exempt:
            self.exempt[port] = shapely.union_all([
                disk(port, PORT_RADIUS_KM),
                waterway_corridor(shapely.box(*_padded([port], ENTRY_RADIUS_KM / KM_PER_DEGREE
                                                       / max(math.cos(math.radians(port[0])),
                                                             0.1))))])
        area = self.exempt[port]
        west, south, east, north = area.bounds
        if all(west <= lon <= east and south <= lat <= north for lat, lon in reach):
            return area
        return shapely.union_all([area, waterway_corridor(shapely.box(*_padded(reach, 0.05)))])

    def _connect(self, port: LatLon, node: LatLon) -> _Connector | None:
        a, b = _unwrapped([port, node])
        exempt = self._exempt(port, [a, b])
        straight = line([a, b])
        km = path_length_km([a, b])
        if not _touch_land([straight.difference(exempt)])[0]:
            return _Connector((a, b), km)
        approach = _approach_km(port)
        self.repairs[port] = self.repairs.get(port, 0) + 1
        if approach is not None and self.repairs[port] <= MAX_REPAIRS:
            # from the port's disk; where the data puts the port on land, also from a wider
            # disk across that land (reported), as the water by it may be too narrow for the grid
            wider = shapely.union_all([exempt, disk(port, max(approach, PORT_RADIUS_KM) + 2.0)])
            starts = [exempt] if approach <= PORT_RADIUS_KM else []
            for start in starts + [wider] * (approach > 0):
                # a coarse grid first, as it is 10 times faster
                fixed = _repair(a, b, start, CONNECTOR_CELLS) or _repair(a, b, start)
                if fixed is not None:  # its first grid step may cross land too, reported
                    around = _land(_padded(fixed, 0.05)).difference(self._exempt(port, fixed))
                    crossed = geodesic_length_km(shapely.intersection(line(fixed), around))
                    return _Connector(fixed, path_length_km(fixed), crossed, repaired=True)
        if km > MAX_APPROACH_KM:
            return None
        land = _land(_padded((a, b), 0.05)).difference(exempt)
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

    Uses the prepared polygons as loaded, so it costs microseconds per geometry.
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
    earth = load_earth()
    land, tree = earth.land, earth.land_tree
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
    waterways = (*_through(head.points), *network.waterways_of(lane.nodes),
                 *reversed(_through(tail.points)))
    lane_path = SeaPath(_wrapped(points, destination), repaired, head.land_km + tail.land_km,
                        waterways=tuple(dict.fromkeys(waterways)))
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
    clear = network.routes(origin, destinations, connect=connectors.clear_cost, eager=True,
                           unreachable=connectors.unreachable)
    bound = network.routes(origin, destinations)
    redo = [d for d, lane, least in zip(destinations, clear, bound, strict=True)
            if isinstance(lane, NoRouteError) or (not isinstance(least, NoRouteError)
                                                   and least.km * (1 + REPAIR_GAIN) < lane.km)]
    if redo:
        again = dict(zip(redo, network.routes(origin, redo, connect=connectors.cost,
                                              unreachable=connectors.unreachable), strict=True))
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
