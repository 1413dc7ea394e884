"""Searoute's Marnet sea lanes as arrays, and lane routes that join them where it pays.

The lanes are searoute's own Marnet network (``searoute.data.marnet_dict``:
9,708 nodes keyed by (lon, lat), edges weighted in km and tagged with the
passage they use, such as ``"suez"``). They are held as node arrays and one
scipy CSR matrix. Longitudes beyond 180 degrees (searoute keeps a few Bering
Sea nodes at 182-191 E) are normalised to [-180, 180), and nodes that then
coincide are merged: the two sides of the antimeridian, which searoute joins
by zero-length ``"pacific_ocean"`` links, become one node.

searoute joins a port to its single nearest lane node, which can lie behind
the port: from Astara it runs 90 km south to a node off Anzali and back. Here
each port may join any of its nearest nodes (:data:`ENTRY_CANDIDATES`, and
every node within :data:`ENTRY_RADIUS_KM`), and one Dijkstra search from a
virtual source linked to the origin's candidates picks the pair of entries
that gives the shortest total: connector + lane + connector. Connectors count
as straight (great-circle) links unless the caller says what they really cost:
:mod:`shiproute.routes.sea` re-routes those that cross land and refuses those
that can't reach the node over water, and the search is repeated until the
entries it picks have been checked.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
import functools
import logging
import math
import time
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from shiproute.errors import NoRouteError
from shiproute.routes.model import LatLon

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

Passage = Literal[
    "babalmandab", "bering", "bosporus", "chili", "dardanelles", "gibraltar", "malacca",
    "northwest", "ormuz", "panama", "south_africa", "suez", "sunda",
]
"""A passage tag of searoute's lane edges that a route may be kept out of."""

DEFAULT_RESTRICTIONS: frozenset[Passage] = frozenset({"northwest"})
"""Passages closed by default, as in ``searoute.searoute``: the Northwest Passage."""

ENTRY_CANDIDATES = 8
ENTRY_RADIUS_KM = 250.0
EARTH_RADIUS_KM = 6371.0  # searoute's haversine radius, so connectors match its lane weights

Node = tuple[float, float]
"""A searoute node key, (lon, lat)."""

Connect = Callable[[LatLon, LatLon], float | None]
"""``connect(port, node)``: the cost in km of joining a lane node from a port, or ``None``."""


@dataclass(frozen=True, slots=True)
class Entry:
    """Where a port joins the lanes.

    Parameters
    ----------
    node
        Lane node index.
    km
        Cost of the connector between the port and the node, km: its
        straight length, or what :meth:`LaneNetwork.route`'s ``connect`` gave.
    """

    node: int
    km: float


@dataclass(frozen=True, slots=True)
class LanePath:
    """A route on the lanes between two ports, before land is checked.

    Parameters
    ----------
    nodes
        Lane node indices from the origin's entry to the destination's exit.
    entry, exit
        Where the route joins and leaves the lanes.
    lane_km
        Length along the lane edges, km (searoute's weights).
    """

    nodes: tuple[int, ...]
    entry: Entry
    exit: Entry
    lane_km: float

    @property
    def km(self) -> float:
        """Total length: connector, lanes and connector, km."""
        return self.entry.km + self.lane_km + self.exit.km


def _unit_vectors(lat: NDArray[Any], lon: NDArray[Any]) -> NDArray[Any]:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord_to_km(chord: NDArray[Any]) -> NDArray[Any]:
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1)))


def _normalized_longitude(lon: NDArray[Any]) -> NDArray[Any]:
    """Return longitudes in [-180, 180) degrees."""
    return np.asarray((lon + 180.0) % 360.0 - 180.0)


@dataclass(frozen=True, eq=False)
class LaneNetwork:
    """The sea lanes as arrays.

    Parameters
    ----------
    lat, lon
        Node positions, degrees; longitudes in [-180, 180).
    matrix
        Symmetric CSR matrix of edge lengths, km; explicit zeros are edges
        (searoute has a few zero-length links between nearly equal nodes).
    """

    lat: NDArray[Any]
    lon: NDArray[Any]
    matrix: csr_matrix

    @functools.cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(_unit_vectors(self.lat, self.lon))

    def point(self, node: int) -> LatLon:
        """Return a node's (lat, lon)."""
        return (float(self.lat[node]), float(self.lon[node]))

    def entries(self, place: LatLon) -> tuple[Entry, ...]:
        """Return the lane nodes a port may join, nearest first.

        Parameters
        ----------
        place
            (lat, lon) of the port.

        Returns
        -------
        tuple of Entry
            The :data:`ENTRY_CANDIDATES` nearest nodes and every node within
            :data:`ENTRY_RADIUS_KM`, with their straight connector lengths.
        """
        here = _unit_vectors(np.array([place[0]]), np.array([place[1]]))[0]
        _chord, nearest = self._tree.query(here, k=min(ENTRY_CANDIDATES, len(self.lat)))
        radius = 2 * math.sin(ENTRY_RADIUS_KM / EARTH_RADIUS_KM / 2)
        within = self._tree.query_ball_point(here, radius)
        nodes = np.union1d(np.atleast_1d(nearest), np.asarray(within, dtype=np.int64))
        gaps = np.linalg.norm(self._tree.data[nodes] - here, axis=1)
        order = np.argsort(gaps, kind="stable")
        km = _chord_to_km(gaps[order])
        return tuple(Entry(int(n), float(d)) for n, d in zip(nodes[order], km, strict=True))

    def _from_source(self, entries: Collection[Entry]) -> csr_matrix:
        """Return the lane matrix plus a virtual source node (the last) linked to ``entries``."""
        n = len(self.lat)
        graph = self.matrix
        indptr = np.append(graph.indptr, graph.indptr[-1] + len(entries))
        indices = np.append(graph.indices, [e.node for e in entries])
        data = np.append(graph.data, [e.km for e in entries])
        return csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))

    def _shortest(self, starts: Collection[Entry], ends: Sequence[Entry]) -> LanePath:
        """Return the shortest route from any of ``starts`` to any of ``ends``, with connectors."""
        source = len(self.lat)
        distances, previous = dijkstra(self._from_source(starts), directed=True,
                                       indices=source, return_predecessors=True)
        totals = [distances[e.node] + e.km for e in ends]
        best = int(np.argmin(totals))
        if not math.isfinite(totals[best]):
            raise NoRouteError("the sea lanes do not connect these ports")
        exit_ = ends[best]
        chain = [exit_.node]
        while previous[chain[-1]] != source:
            chain.append(int(previous[chain[-1]]))
        entry = next(e for e in starts if e.node == chain[-1])
        lane_km = float(distances[exit_.node]) - entry.km
        return LanePath(tuple(reversed(chain)), entry, exit_, lane_km)

    def route(self, origin: LatLon, destination: LatLon, *, connect: Connect | None = None
              ) -> LanePath:
        """Return the shortest lane route between two ports, over their best entries.

        Each port may join any of its :meth:`entries`; the entry and exit
        minimise connector + lane + connector, so the route never runs out to
        a node behind the port and back. Connectors count as straight lines
        unless ``connect`` gives their real cost. As a straight line is never
        longer than the real connector, ``connect`` is asked only about the
        entries the best route uses, and the search is run again until both
        the entry and the exit of the best route have been checked.

        Parameters
        ----------
        origin, destination
            (lat, lon) of the ports.
        connect
            ``connect(port, node)`` returns the cost of joining the lane node
            at ``node`` (lat, lon) from ``port``, in km, at least the straight
            distance; or ``None`` when the port can't reach that node over
            water (:mod:`shiproute.routes.sea` passes one).

        Returns
        -------
        LanePath

        Raises
        ------
        NoRouteError
            If ``connect`` refuses every entry of a port (the message gives
            the nearest lane's distance), or no lane path joins the ports'
            entries (lanes cut off by the restrictions).
        """
        ports = (origin, destination)
        candidates = [{e.node: e for e in self.entries(port)} for port in ports]
        nearest = [min(e.km for e in side.values()) for side in candidates]
        checked: set[tuple[int, int]] = set()
        while True:
            for port, side, km in zip(ports, candidates, nearest, strict=True):
                if not side:
                    raise _unreachable(port, km)
            lane = self._shortest(candidates[0].values(), list(candidates[1].values()))
            unchecked = [(n, e) for n, e in enumerate((lane.entry, lane.exit))
                         if (n, e.node) not in checked]
            if connect is None or not unchecked:
                return lane
            for n, entry in unchecked:
                checked.add((n, entry.node))
                cost = connect(ports[n], self.point(entry.node))
                if cost is None:
                    del candidates[n][entry.node]
                else:
                    candidates[n][entry.node] = Entry(entry.node, cost)


def _unreachable(port: LatLon, nearest_km: float) -> NoRouteError:
    message = (f"no sea lane reaches {port[0]:.3f}, {port[1]:.3f}: the nearest lane is "
               f"{nearest_km:.0f} km away over land")
    return NoRouteError(message)


def _edge_arrays(edges: Mapping[Node, Mapping[Node, Mapping[str, Any]]],
                 index: Mapping[Node, int], restrictions: Collection[str]
                 ) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Return (rows, cols, km) of the open edges, both ways, without self-loops or repeats."""
    found = [(index[u], index[v], float(data["weight"]))
             for u, adjacent in edges.items() for v, data in adjacent.items()
             if data.get("passage") not in restrictions]
    rows, cols, km = (np.array(column) for column in zip(*found, strict=True))
    rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    km = np.concatenate([km, km])
    order = np.lexsort((km, cols, rows))  # per (row, col), the shortest edge first
    rows, cols, km = rows[order], cols[order], km[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    keep = first & (rows != cols)
    return rows[keep], cols[keep], km[keep]


def build_lane_network(
    nodes: Iterable[Node],
    edges: Mapping[Node, Mapping[Node, Mapping[str, Any]]],
    *,
    restrictions: Collection[str] = DEFAULT_RESTRICTIONS,
) -> LaneNetwork:
    """Build a lane network from nodes and edges in searoute's Marnet format.

    Parameters
    ----------
    nodes
        Node keys, (lon, lat) degrees; longitudes may exceed 180.
    edges
        Adjacency: ``edges[u][v]`` holds ``"weight"`` (km) and optionally
        ``"passage"``.
    restrictions
        Passages whose edges are left out.

    Returns
    -------
    LaneNetwork
        Nodes that coincide once longitudes are normalised are one node.
    """
    keys = list(nodes)
    raw = np.array(keys, dtype=np.float64).reshape(-1, 2)
    position = np.round(np.column_stack([raw[:, 1], _normalized_longitude(raw[:, 0])]), 6)
    merged, inverse = np.unique(position, axis=0, return_inverse=True)
    index = dict(zip(keys, inverse.ravel().tolist(), strict=True))
    rows, cols, km = _edge_arrays(edges, index, restrictions)
    n = len(merged)
    matrix = csr_matrix((km, (rows, cols)), shape=(n, n))
    return LaneNetwork(lat=merged[:, 0].copy(), lon=merged[:, 1].copy(), matrix=matrix)


@functools.cache
def load_lane_network(restrictions: frozenset[Passage] = DEFAULT_RESTRICTIONS) -> LaneNetwork:
    """Load searoute's Marnet lanes (cached per set of restrictions).

    The first call takes about 0.2 s: 0.13 s to import searoute's data
    module, 0.04 s to build the arrays (measured on a 2-core machine).

    Parameters
    ----------
    restrictions
        Passages to keep routes out of; by default the Northwest Passage,
        as ``searoute.searoute`` does.

    Returns
    -------
    LaneNetwork
    """
    started = time.perf_counter()
    from searoute.data.marnet_dict import edge_list, node_list

    network = build_lane_network(node_list, edge_list, restrictions=restrictions)
    log.debug("loaded %d sea lane nodes in %.2f s", len(network.lat),
              time.perf_counter() - started)
    return network
