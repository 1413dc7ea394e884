"""How a port joins the sea lanes: its links to the lane nodes around it.

A port may join any lane node within reach (:meth:`LaneNetwork.entries
<shiproute.routes.lanes.LaneNetwork.entries>`). A link is straight where it
crosses no land outside the port's disk (:data:`PORT_RADIUS_KM`; the port
itself may lie on land at 10m scale) and the waterways. The others are the
shortest water paths on a grid around the port, found by one search for all of
its nodes at once (:func:`~shiproute.routes._grid.grid_paths`), on cells half
as wide near the port, so a harbour or fjord keeps its water; from a port the
data puts a few km inland, the path crosses that land only where the way round
by water is :data:`~shiproute.routes._grid.COSTLY` times longer, and the land
is reported. A node no water path reaches is joined
in a straight line over land when at most :data:`MAX_APPROACH_KM` away (the
land is reported, and counts :data:`LAND_WEIGHT` times when entries are
chosen), and not at all otherwise. A river port (more than
:data:`APPROACH_KM` inland) gets no grid search: it joins its river through
the waterway corridor, or over land.

The links of the known ports are found once, when the lanes are vendored
(``tools/vendor_port_links.py`` writes ``data/sea-port-links.npz``), keeping
only the links that no other link of the same port beats by way of the lanes
with every passage closed, so the routes are the same under any restrictions.
Any other place gets its links when it is first routed: the straight ones at
once, the grid search only when a route may use one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
import functools
import hashlib
from importlib.resources import files
import io
import logging
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse.csgraph import dijkstra
import shapely

from shiproute.errors import NoRouteError
from shiproute.gazetteer.earth import KM_PER_DEGREE, load_earth
from shiproute.routes._grid import grid_paths
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
from shiproute.routes.lanes import DATA_FILE as LANES_FILE
from shiproute.routes.lanes import Entry, LaneNetwork, load_lane_network
from shiproute.routes.model import LatLon
from shiproute.routes.waterways import waterway_corridor, waterways_through

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

DATA_FILE = "sea-port-links.npz"
PORT_RADIUS_KM = 3.0
MAX_APPROACH_KM = 100.0
LAND_WEIGHT = 10.0  # a km of land a port's link can't avoid counts as 10 km of sea
APPROACH_KM = 10.0  # a port this far inland at 10m scale may cross that land to the sea
FIELD_MARGIN_DEG = 0.5  # the grid of a port's links reaches this far beyond its nodes
NEAR_KM = 40.0  # and within this of the port, its cells are half as wide


@dataclass(frozen=True, slots=True)
class PortLink:
    """A link from a port to a lane node: straight, around land over water, or over land.

    Parameters
    ----------
    node
        The lane node's index.
    points
        (lat, lon) from the port to the node, longitudes continuous from the port's.
    km
        Length along the points.
    land_km
        Land crossed outside the port's disk and the waterways, km.
    repaired
        Whether the link goes around land instead of straight.
    """

    node: int
    points: tuple[LatLon, ...]
    km: float
    land_km: float = 0.0
    repaired: bool = False

    @property
    def cost(self) -> float:
        """Km for choosing lane entries; land counts :data:`LAND_WEIGHT` times."""
        return self.km + LAND_WEIGHT * self.land_km


@functools.lru_cache(maxsize=65_536)
def approach_km(port: LatLon) -> float | None:
    """Return how far the coastline data puts a port inland, km, or None beyond ``APPROACH_KM``.

    A port a few km inland at 10m scale (an estuary, a harbour the data fills
    in) reaches the sea over that land; one further inland is a river port.
    """
    inland = load_earth().km_inland(*port, within_km=APPROACH_KM)
    return None if inland > APPROACH_KM else inland


def _exempt(port: LatLon, ends: Sequence[LatLon]) -> Any:
    """Return the land a port's links may cross: its disk, and the waterways within reach."""
    reach = shapely.box(*box_around([port, *ends], 0.05))
    return shapely.union_all([disk(port, PORT_RADIUS_KM), waterway_corridor(reach)])


@dataclass(slots=True)
class _Pending:
    """A port whose straight links are known, and the nodes it can't see in a straight line."""

    links: dict[int, PortLink]
    nodes: list[int]
    ends: list[LatLon]  # the nodes' positions, longitudes continuous from the port's
    exempt: Any


def _straight(port: LatLon, network: LaneNetwork) -> _Pending:
    """Return a port's straight links over water, and the nodes behind land."""
    entries = network.entries(port)
    ends = [unwrapped([port, network.point(e.node)])[1] for e in entries]
    exempt = _exempt(port, ends)
    lines = shapely.difference(np.array([line([port, end]) for end in ends], dtype=object),
                               exempt)
    pending = _Pending({}, [], [], exempt)
    for entry, end, touching in zip(entries, ends, touches_land(lines), strict=True):
        if touching:
            pending.nodes.append(entry.node)
            pending.ends.append(end)
        else:
            pending.links[entry.node] = PortLink(entry.node, (port, end),
                                                 path_length_km([port, end]))
    return pending


def _around(port: LatLon, pending: _Pending) -> dict[int, PortLink]:
    """Return the links to the nodes behind land: over water if found, else over land."""
    if not pending.nodes:
        return {}
    bounds = box_around([port, *pending.ends], FIELD_MARGIN_DEG)
    land = land_around(bounds).difference(pending.exempt)
    shapely.prepare(land)
    inland = approach_km(port)
    paths: list[tuple[LatLon, ...] | None] = [None] * len(pending.nodes)
    if inland is not None:
        blocked, costly = land, None
        if inland > 0:  # the water by a port on land in the data may be too narrow for the grid
            wider = disk(port, max(inland, PORT_RADIUS_KM) + 2.0)
            blocked, costly = land.difference(wider), land.intersection(wider)
        reach = NEAR_KM / KM_PER_DEGREE
        wide = reach / max(math.cos(math.radians(port[0])), 0.1)
        near = (port[1] - wide, port[0] - reach, port[1] + wide, port[0] + reach)
        paths = grid_paths(port, pending.ends, blocked, bounds, near=near, costly=costly)
    out = {}
    for node, end, path in zip(pending.nodes, pending.ends, paths, strict=True):
        points = path if path is not None else (port, end)
        km = path_length_km(points)
        if path is None and km > MAX_APPROACH_KM:
            continue
        track = line(points)
        crossed = geodesic_length_km(shapely.intersection(track, land)) \
            if shapely.intersects(land, track) else 0.0
        out[node] = PortLink(node, points, km, crossed, repaired=path is not None)
    return out


def find_links(port: LatLon, network: LaneNetwork | None = None) -> tuple[PortLink, ...]:
    """Return every link a port has to the lane nodes within its reach.

    Parameters
    ----------
    port
        (lat, lon).
    network
        The lanes; the shipped ones by default.

    Returns
    -------
    tuple of PortLink
        In the order of :meth:`LaneNetwork.entries`, nearest node first; none
        for the nodes the port can't join.
    """
    network = network or load_lane_network()
    pending = _straight(port, network)
    found = {**pending.links, **_around(port, pending)}
    return tuple(found[e.node] for e in network.entries(port) if e.node in found)


def essential(links: Sequence[PortLink], network: LaneNetwork) -> tuple[PortLink, ...]:
    """Return the links that no other link of the port beats by way of the lanes.

    A link to node B is left out when another link to node A costs at most
    as much with the lane path from A to B added: every route through B does
    as well through A.

    Parameters
    ----------
    links
        One port's links.
    network
        The lanes to compare on; with every passage closed, the links kept
        serve any restrictions.

    Returns
    -------
    tuple of PortLink
        The links kept, in their order.
    """
    if len(links) < 2:
        return tuple(links)
    nodes = [link.node for link in links]
    costs = np.array([link.cost for link in links])
    lanes = dijkstra(network.matrix, directed=False, indices=nodes, limit=float(costs.max()))
    kept: list[int] = []
    for j in np.argsort(costs, kind="stable"):  # a link is beaten only by cheaper ones
        if not any(costs[i] + lanes[i, nodes[j]] <= costs[j] + 1e-9 for i in kept):
            kept.append(int(j))
    return tuple(links[j] for j in sorted(kept))


@dataclass(frozen=True)
class LinkTable:
    """The vendored links of the known ports, as arrays (``data/sea-port-links.npz``).

    Per port ``p`` (sorted by position): links ``link_start[p]`` to
    ``link_start[p + 1]``; per link ``k``: the points between the port and the
    node, ``point_start[k]`` to ``point_start[k + 1]`` (none for a straight link).
    """

    port_lat: NDArray[Any]
    port_lon: NDArray[Any]
    link_start: NDArray[Any]
    node: NDArray[Any]
    km: NDArray[Any]
    land_km: NDArray[Any]
    repaired: NDArray[Any]
    point_start: NDArray[Any]
    lat: NDArray[Any]
    lon: NDArray[Any]

    @functools.cached_property
    def _index(self) -> dict[LatLon, int]:
        return {(float(a), float(b)): n
                for n, (a, b) in enumerate(zip(self.port_lat, self.port_lon, strict=True))}

    def get(self, port: LatLon, network: LaneNetwork) -> tuple[PortLink, ...] | None:
        """Return a known port's links, or None for a place not in the table."""
        n = self._index.get(port)
        if n is None:
            return None
        out = []
        for k in range(int(self.link_start[n]), int(self.link_start[n + 1])):
            span = slice(int(self.point_start[k]), int(self.point_start[k + 1]))
            node = int(self.node[k])
            end = unwrapped([port, network.point(node)])[1]
            points = (port, *zip(self.lat[span].tolist(), self.lon[span].tolist(), strict=True),
                      end)
            out.append(PortLink(node, points, float(self.km[k]), float(self.land_km[k]),
                                bool(self.repaired[k])))
        return tuple(out)

    @classmethod
    def of(cls, ports: Iterable[tuple[LatLon, Sequence[PortLink]]]) -> LinkTable:
        """Return the table of ports' links, sorted by position."""
        rows = sorted(ports)
        links = [link for _port, found in rows for link in found]
        points = [p for link in links for p in link.points[1:-1]]
        return cls(
            port_lat=np.array([p[0] for p, _ in rows], dtype=np.float64),
            port_lon=np.array([p[1] for p, _ in rows], dtype=np.float64),
            link_start=np.cumsum([0, *(len(found) for _p, found in rows)]).astype(np.int32),
            node=np.array([link.node for link in links], dtype=np.int32),
            km=np.array([link.km for link in links], dtype=np.float64),
            land_km=np.array([link.land_km for link in links], dtype=np.float64),
            repaired=np.array([link.repaired for link in links], dtype=bool),
            point_start=np.cumsum([0, *(len(link.points) - 2 for link in links)])
            .astype(np.int32),
            lat=np.array([p[0] for p in points], dtype=np.float64),
            lon=np.array([p[1] for p in points], dtype=np.float64),
        )


def lanes_digest() -> str:
    """Return the SHA-256 of the shipped lanes, which the vendored links were found on."""
    raw = files("shiproute.routes").joinpath("data", LANES_FILE).read_bytes()
    return hashlib.sha256(raw).hexdigest()


@functools.cache
def load_link_table() -> LinkTable | None:
    """Load the reference ports' links, or None when they were found on other lanes (logged)."""
    raw = files("shiproute.routes").joinpath("data", DATA_FILE).read_bytes()
    with np.load(io.BytesIO(raw)) as data:
        if str(data["lanes_sha256"]) != lanes_digest():
            log.warning("%s was built on other sea lanes; re-run tools/vendor_port_links.py: "
                        "ports' links are found as they are routed", DATA_FILE)
            return None
        return LinkTable(**{name: data[name] for name in LinkTable.__dataclass_fields__})


class PortLinks:
    """The links of the ports of one batch of routes, each port's found once.

    A reference port's come from the vendored table. Another place's
    straight links are found at once, and the grid search for the rest only
    when :meth:`cost` asks about one of them.
    """

    def __init__(self, network: LaneNetwork) -> None:
        self.network = network
        self.table = load_link_table()
        self.links: dict[LatLon, dict[LatLon, PortLink]] = {}
        self.pending: dict[LatLon, _Pending] = {}
        self.entries: dict[LatLon, dict[int, Entry]] = {}
        self.names: dict[tuple[LatLon, LatLon], tuple[str, ...]] = {}

    def _of(self, port: LatLon) -> dict[LatLon, PortLink]:
        if port not in self.links:
            vendored = self.table.get(port, self.network) if self.table is not None else None
            if vendored is None:
                pending = _straight(port, self.network)
                found = pending.links
                if approach_km(port) is None:  # a river port: no grid search, so no waiting
                    found = {**found, **_around(port, pending)}
                elif pending.nodes:
                    self.pending[port] = pending
                vendored = tuple(found.values())
            self.links[port] = {self.network.point(link.node): link for link in vendored}
        return self.links[port]

    def complete(self, port: LatLon) -> bool:
        """Whether every link of a port is known, so :meth:`cost` won't search."""
        self._of(port)
        return port not in self.pending

    def known(self, port: LatLon) -> dict[int, Entry]:
        """Return the lane entries of the links known without a grid search, priced, by node."""
        if port not in self.entries:
            self.entries[port] = {link.node: Entry(link.node, link.cost)
                                  for link in self._of(port).values()}
        return self.entries[port]

    def cost(self, port: LatLon, node: LatLon) -> float | None:
        """Return the cost of joining ``node`` from ``port`` (km), or None if it can't."""
        links = self._of(port)
        if node not in links and port in self.pending:
            found = _around(port, self.pending.pop(port))
            links.update((self.network.point(n), link) for n, link in found.items())
            self.entries.pop(port, None)
        link = links.get(node)
        return None if link is None else link.cost

    def link(self, port: LatLon, node: LatLon) -> PortLink:
        """Return a link :meth:`cost` or :meth:`known` priced."""
        return self._of(port)[node]

    def through(self, port: LatLon, node: LatLon) -> tuple[str, ...]:
        """Return the waterways a link follows over land, in order (found once per link)."""
        if (port, node) not in self.names:
            self.names[port, node] = waterways_through(self.link(port, node).points,
                                                       PORT_RADIUS_KM)
        return self.names[port, node]

    def unreachable(self, port: LatLon, nearest_km: float) -> NoRouteError:
        """Return why no lane node of a port could be joined: inland, or out of the lanes' reach.

        A port within ``APPROACH_KM`` of the sea in the 10m data (a fjord, a
        harbour behind islands) is on the coast, so the lanes, not the port,
        are what is missing there.
        """
        if approach_km(port) is None:
            return NoRouteError(
                f"port inland with no waterway: no sea lane or waterway reaches {port[0]:.3f}, "
                f"{port[1]:.3f} over water, and the nearest is {nearest_km:.0f} km away over "
                "land")
        return NoRouteError(
            f"lane network gap: the coast at {port[0]:.3f}, {port[1]:.3f} has no sea lane in "
            f"reach over water in the 10m coastline data; the nearest is {nearest_km:.0f} km "
            "away, behind land")
