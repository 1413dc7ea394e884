"""Sea lanes as arrays: searoute's Marnet network, repaired against land once, at vendoring time.

The lanes are searoute's Marnet network as ``tools/vendor_lanes.py`` ships it
in ``data/sea-lanes.npz``: every edge that crossed Natural Earth 10m land was
replaced by a water path (its bends are nodes) or dropped, except the
waterways the data draws as land: canals, narrow straits and navigable rivers
(Suez, the Bosphorus, the Volga-Don, the Kiel Canal...), whose edges carry the
waterway's name (see ``data/README.md`` and ``data/sea-waterways.csv``).
Longitudes are in [-180, 180); the two sides of the antimeridian are one node.
Edges are weighted in km and tagged with the passage they use, such as
``"suez"``, so a route can be kept out of it. The network is held as node
arrays and one scipy CSR matrix.

searoute joins a port to its single nearest lane node, which can lie behind
the port: from Astara it runs 90 km south to a node off Anzali and back. Here
each port may join any of its nearest nodes (:data:`ENTRY_CANDIDATES`, and
every node within :data:`ENTRY_RADIUS_KM`), and one Dijkstra search from a
virtual source linked to the origin's candidates picks, for every destination
at once, the pair of entries that gives the shortest total: connector + lane +
connector. Connectors count as straight (great-circle) links unless the caller
says what they really cost: :mod:`shiproute.routes.sea` prices them with the
ports' links (:mod:`shiproute.routes.links`), around land or refused, and the
search is repeated until the entries it picks have been priced.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import functools
from importlib.resources import files
import io
import itertools
import logging
import math
import time
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from shiproute.errors import NoRouteError
from shiproute.routes.model import LatLon

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

DATA_FILE = "sea-lanes.npz"

Passage = Literal[
    "babalmandab", "bering", "bosporus", "chili", "columbia", "congo", "dardanelles", "elbe",
    "gibraltar", "kiel", "lower_volga", "malacca", "mississippi", "northwest", "ormuz",
    "panama", "parana", "rhine_meuse", "south_africa", "st_lawrence", "suez", "sunda",
    "thames", "volga_don",
]
"""A passage tag of the lane edges that a route may be kept out of: searoute's, and the
waterways of ``data/sea-waterways.csv``."""

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
    detours
        For the edges of a water path that replaced a Marnet edge crossing
        land, by (lower, higher) node pair: which replaced edge it belongs to.
    waterways
        For the edges of a canal, narrow strait or river the 10m coastline
        draws as land, by (lower, higher) node pair: the waterway's name
        (``"the Suez Canal"``).
    closed
        The passages left out (:func:`load_lane_network`'s restrictions).
    reach
        Per node, a label shared by the nodes the lanes would join with no
        passage closed, or ``None``: tells a gap from a closed passage.
    """

    lat: NDArray[Any]
    lon: NDArray[Any]
    matrix: csr_matrix
    detours: Mapping[tuple[int, int], int] = field(default_factory=dict)
    waterways: Mapping[tuple[int, int], str] = field(default_factory=dict)
    closed: frozenset[str] = frozenset()
    reach: NDArray[Any] | None = None

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

    def waterways_of(self, nodes: Sequence[int]) -> tuple[str, ...]:
        """Return the names of the waterways a lane path goes through, in order, each once."""
        found = (self.waterways.get(_pair(a, b)) for a, b in itertools.pairwise(nodes))
        return tuple(dict.fromkeys(name for name in found if name))

    def repairs(self, nodes: Sequence[int]) -> int:
        """Return how many Marnet edges along a lane path were re-routed around land."""
        return len({self.detours[p] for p in itertools.starmap(_pair, itertools.pairwise(nodes))
                    if p in self.detours})

    def _search(self, starts: Collection[Entry]) -> tuple[NDArray[Any], NDArray[Any]]:
        """Return Dijkstra distances and predecessors from a virtual source linked to ``starts``."""
        distances, previous = dijkstra(self._from_source(starts), directed=True,
                                       indices=len(self.lat), return_predecessors=True)
        return distances, previous

    def _trace(self, search: tuple[NDArray[Any], NDArray[Any]], starts: Mapping[int, Entry],
               ends: Sequence[Entry]) -> LanePath:
        """Return the shortest route of a search to any of ``ends``, with connectors."""
        distances, previous = search
        totals = [distances[e.node] + e.km for e in ends]
        best = int(np.argmin(totals))
        if not math.isfinite(totals[best]):
            raise self._gap(starts, ends)
        exit_ = ends[best]
        source = len(self.lat)
        chain = [exit_.node]
        while previous[chain[-1]] != source:
            chain.append(int(previous[chain[-1]]))
        entry = starts[chain[-1]]
        lane_km = float(distances[exit_.node]) - entry.km
        return LanePath(tuple(reversed(chain)), entry, exit_, lane_km)

    def _gap(self, starts: Mapping[int, Entry], ends: Sequence[Entry]) -> NoRouteError:
        """Return why no lane path joins two ports' entries: a gap, or a closed passage."""
        if self.reach is not None and self.closed and \
                set(self.reach[list(starts)]) & set(self.reach[[e.node for e in ends]]):
            closed = ", ".join(sorted(self.closed))
            return NoRouteError(f"blocked by a closed passage: the sea lanes join these ports "
                                f"only through {closed}, which the routing rules keep closed")
        return NoRouteError("lane network gap: no sea lane or waterway joins these ports")

    def route(self, origin: LatLon, destination: LatLon, *, connect: Connect | None = None
              ) -> LanePath:
        """Return the shortest lane route between two ports, over their best entries.

        See :meth:`routes`, which this calls with one destination.

        Parameters
        ----------
        origin, destination
            (lat, lon) of the ports.
        connect
            As for :meth:`routes`.

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
        (found,) = self.routes(origin, [destination], connect=connect)
        if isinstance(found, NoRouteError):
            raise found
        return found

    def routes(self, origin: LatLon, destinations: Sequence[LatLon], *,
               connect: Connect | None = None,
               priced: Callable[[LatLon], Mapping[int, Entry]] | None = None,
               unreachable: Callable[[LatLon, float], NoRouteError] | None = None
               ) -> list[LanePath | NoRouteError]:
        """Return the shortest lane routes from one port to several, over their best entries.

        Each port may join any of its :meth:`entries`; the entry and exit
        minimise connector + lane + connector, so a route never runs out to a
        node behind the port and back. Connectors count as straight lines
        unless ``connect`` gives their real cost. As a straight line is never
        longer than the real connector, ``connect`` is asked only about the
        entries the best routes use, and the search (one for all the
        destinations) is run again until the entry and exit of every best
        route have been checked.

        Parameters
        ----------
        origin
            (lat, lon) of the port the routes start at.
        destinations
            (lat, lon) of the ports they end at.
        connect
            ``connect(port, node)`` returns the cost of joining the lane node
            at ``node`` (lat, lon) from ``port``, in km, at least the straight
            distance; or ``None`` when the port can't reach that node over
            water (:mod:`shiproute.routes.sea` passes one).
        priced
            ``priced(port)`` gives every entry a port can join with its real
            cost, by node index, when the caller knows them all (a lookup):
            then ``connect`` is not asked, and one search serves every
            destination instead of a search per round of answers.
        unreachable
            ``unreachable(port, nearest_km)`` makes the error for a port
            ``connect`` refuses every entry of; by default "port inland with
            no waterway".

        Returns
        -------
        list
            Per destination, in order, the :class:`LanePath`, or the
            :class:`NoRouteError` saying why there is none: ``connect``
            refuses every entry of a port (the message gives the nearest
            lane's distance), or no lane path joins the ports' entries (lanes
            cut off by the restrictions).
        """
        refused = unreachable or _unreachable
        ports = list(dict.fromkeys([origin, *destinations]))
        if priced is not None:
            candidates = {p: dict(priced(p)) for p in ports}
            connect = None
        else:
            candidates = {p: {e.node: e for e in self.entries(p)} for p in ports}
        checked: set[tuple[LatLon, int]] = set()

        def nearest(port: LatLon) -> float:
            return self.entries(port)[0].km

        def ask(price: Connect, port: LatLon, node: int) -> None:  # price one entry, once
            checked.add((port, node))
            cost = price(port, self.point(node))
            if cost is None:
                del candidates[port][node]
            else:
                candidates[port][node] = Entry(node, cost)

        found: dict[LatLon, LanePath | NoRouteError] = {}
        pending = list(dict.fromkeys(destinations))
        while pending:
            if not candidates[origin]:
                found.update((d, refused(origin, nearest(origin))) for d in pending)
                break
            search = self._search(candidates[origin].values())
            starts = dict(candidates[origin])
            searched = {node for port, node in checked if port == origin}
            again = []
            for destination in pending:
                if not candidates[destination]:
                    found[destination] = refused(destination, nearest(destination))
                    continue
                try:
                    lane = self._trace(search, starts, list(candidates[destination].values()))
                except NoRouteError as err:
                    found[destination] = err
                    continue
                # an entry checked since the search (for another destination) needs a new search
                unchecked = [(origin, lane.entry)] if lane.entry.node not in searched else []
                if (destination, lane.exit.node) not in checked:
                    unchecked.append((destination, lane.exit))
                if connect is None or not unchecked:
                    found[destination] = lane
                    continue
                again.append(destination)
                for port, entry in unchecked:
                    if (port, entry.node) not in checked:
                        ask(connect, port, entry.node)
            pending = again
        return [found[d] for d in destinations]


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _unreachable(port: LatLon, nearest_km: float) -> NoRouteError:
    message = (f"port inland with no waterway: no sea lane or waterway reaches "
               f"{port[0]:.3f}, {port[1]:.3f} over water, and the nearest is {nearest_km:.0f} km "
               "away over land")
    return NoRouteError(message)


def _symmetric(rows: NDArray[Any], cols: NDArray[Any], km: NDArray[Any], n: int) -> csr_matrix:
    """Return the CSR matrix of undirected edges, both ways, the shortest of repeats, no loops."""
    rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    km = np.concatenate([km, km])
    order = np.lexsort((km, cols, rows))  # per (row, col), the shortest edge first
    rows, cols, km = rows[order], cols[order], km[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    keep = first & (rows != cols)
    return csr_matrix((km[keep], (rows[keep], cols[keep])), shape=(n, n))


def build_lane_network(
    nodes: Iterable[Node],
    edges: Mapping[Node, Mapping[Node, Mapping[str, Any]]],
    *,
    restrictions: Collection[str] = DEFAULT_RESTRICTIONS,
) -> LaneNetwork:
    """Build a lane network from nodes and edges in searoute's Marnet format, as they are.

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
        Nodes that coincide once longitudes are normalised are one node. No
        edge is checked against land (:func:`load_lane_network` loads lanes
        that were).
    """
    keys = list(nodes)
    raw = np.array(keys, dtype=np.float64).reshape(-1, 2)
    position = np.round(np.column_stack([raw[:, 1], _normalized_longitude(raw[:, 0])]), 6)
    merged, inverse = np.unique(position, axis=0, return_inverse=True)
    index = dict(zip(keys, inverse.ravel().tolist(), strict=True))
    found = [(index[u], index[v], float(data["weight"]))
             for u, adjacent in edges.items() for v, data in adjacent.items()
             if data.get("passage") not in restrictions]
    rows, cols, km = (np.array(column) for column in zip(*found, strict=True))
    matrix = _symmetric(rows, cols, km, len(merged))
    return LaneNetwork(lat=merged[:, 0].copy(), lon=merged[:, 1].copy(), matrix=matrix)


@functools.cache
def load_lane_network(restrictions: frozenset[Passage] = DEFAULT_RESTRICTIONS) -> LaneNetwork:
    """Load the shipped sea lanes, repaired against land (cached per set of restrictions).

    Reads ``data/sea-lanes.npz`` (built by ``tools/vendor_lanes.py``); the
    first call takes a few hundredths of a second.

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
    raw = files("shiproute.routes").joinpath("data", DATA_FILE).read_bytes()
    with np.load(io.BytesIO(raw)) as data:
        lat, lon, a, b = data["lat"], data["lon"], data["edge_a"], data["edge_b"]
        km, detour, passage = data["km"], data["detour"], data["passage"]
        names = data["waterway_names"]
        closed = np.isin(data["passages"], sorted(restrictions))
    _count, reach = connected_components(_symmetric(a, b, km, len(lat)), directed=False)
    open_ = ~closed[passage]
    a, b, km, detour, passage = a[open_], b[open_], km[open_], detour[open_], passage[open_]
    detours = {(int(i), int(j)): int(d) for i, j, d in zip(a, b, detour, strict=True) if d >= 0}
    waterways = {(int(i), int(j)): str(names[p])
                 for i, j, p in zip(a, b, passage, strict=True) if names[p]}
    network = LaneNetwork(lat=lat, lon=lon, matrix=_symmetric(a, b, km, len(lat)),
                          detours=detours, waterways=waterways,
                          closed=frozenset(restrictions), reach=reach)
    log.debug("loaded %d sea lane nodes in %.2f s", len(network.lat),
              time.perf_counter() - started)
    return network
