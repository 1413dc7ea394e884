"""Rail routes on the OpenStreetMap-derived world railway network, held offline.

The network (``routes/data/rail-world.npz``) is converted from scgraph-data
by ``tools/build_rail_network.py``: node positions, edges in km as a CSR
matrix, each node's country and network piece, and the joins that repaired
gaps between pieces. Routing is one Dijkstra search (scipy) per origin on the
nodes of the allowed countries.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
import functools
import hashlib
from importlib.resources import files
import io
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from shiproute.errors import NoRouteError
from shiproute.routes.model import LatLon

if TYPE_CHECKING:
    from numpy.typing import NDArray

DATA_FILE = "rail-world.npz"
EARTH_RADIUS_KM = 6371.0088
SNAP_CANDIDATES = 256
SEARCH_CELLS = 4_000_000
"""Distances and predecessors held at once by :meth:`RailNetwork.paths`: its Dijkstra
searches run in batches of origins of about this many nodes in all (about 48 MB)."""

Snap = tuple[tuple[int, float], tuple[int, float]]
"""Where a pair of places joins the network: (node, km away) of each."""


def _unit_vectors(lat: NDArray[Any], lon: NDArray[Any]) -> NDArray[Any]:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord_to_km(chord: NDArray[Any] | float) -> NDArray[Any]:
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1)))


@dataclass(frozen=True, slots=True)
class RailPath:
    """A path on the rail network between two places, before it is drawn.

    Parameters
    ----------
    nodes
        Network node indices, in order.
    km
        Length along the network's edges.
    snap_km
        Straight distance from each end place to its network node.
    """

    nodes: tuple[int, ...]
    km: float
    snap_km: tuple[float, float]


@dataclass(frozen=True, eq=False)
class RailNetwork:
    """The world railway network as arrays.

    Parameters
    ----------
    lat, lon
        Node positions, degrees.
    matrix
        Symmetric CSR matrix of edge lengths, km.
    piece
        Connected piece of each node (after repairs).
    country
        ISO alpha-2 code of each node, ``""`` off land.
    version
        SHA-256 of the data file, for cache keys.
    """

    lat: NDArray[Any]
    lon: NDArray[Any]
    matrix: csr_matrix
    piece: NDArray[Any]
    country: NDArray[Any]
    version: str

    @functools.cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(_unit_vectors(self.lat, self.lon))

    @functools.cached_property
    def _edge_rows(self) -> NDArray[Any]:
        return np.repeat(np.arange(len(self.lat)), np.diff(self.matrix.indptr))

    def points(self, nodes: Sequence[int]) -> list[LatLon]:
        """Return the (lat, lon) of each node, in order."""
        index = np.asarray(nodes, dtype=np.int64)
        return list(zip(self.lat[index].astype(float).tolist(),
                        self.lon[index].astype(float).tolist(), strict=True))

    def allowed(self, countries: Collection[str] | None) -> NDArray[Any]:
        """Return a node mask for ``countries`` (all nodes when ``None``).

        Nodes off land (``""``: coastal track at the data's resolution) are
        always allowed; they can't join two countries on their own.
        """
        if countries is None:
            return np.ones(len(self.lat), dtype=bool)
        return np.isin(self.country, [*countries, ""])

    def _masked(self, mask: NDArray[Any]) -> csr_matrix:
        keep = mask[self._edge_rows] & mask[self.matrix.indices]
        counts = np.bincount(self._edge_rows[keep], minlength=len(self.lat))
        indptr = np.concatenate([[0], np.cumsum(counts)])
        return csr_matrix(
            (self.matrix.data[keep], self.matrix.indices[keep], indptr),
            shape=self.matrix.shape,
        )

    def candidates(self, place: LatLon, mask: NDArray[Any]) -> list[tuple[int, float]]:
        """Return the nearest allowed node of each nearby piece, as (node, km), nearest first."""
        k = min(SNAP_CANDIDATES, len(self.lat))
        here = _unit_vectors(np.array([place[0]]), np.array([place[1]]))[0]
        chord, index = self._tree.query(here, k=k)
        best: dict[int, tuple[int, float]] = {}
        for node, km in zip(index.tolist(), _chord_to_km(chord).tolist(), strict=True):
            if mask[node] and int(self.piece[node]) not in best:
                best[int(self.piece[node])] = (node, km)
        if not best and mask.any():
            allowed = np.flatnonzero(mask)
            gaps = np.linalg.norm(_unit_vectors(self.lat[allowed], self.lon[allowed]) - here,
                                  axis=1)
            nearest = int(np.argmin(gaps))
            node = int(allowed[nearest])
            best[int(self.piece[node])] = (node, float(_chord_to_km(float(gaps[nearest]))))
        return sorted(best.values(), key=lambda item: item[1])

    def _snap_pair(self, near_origin: list[tuple[int, float]],
                   near_destination: list[tuple[int, float]]) -> Snap:
        """Snap two places to one piece they can route on, least total snapping first.

        ``near_origin`` and ``near_destination`` are their :meth:`candidates`.

        Raises
        ------
        NoRouteError
            If no allowed piece lies near both places.
        """
        starts = {int(self.piece[n]): (n, km) for n, km in near_origin}
        ends = {int(self.piece[n]): (n, km) for n, km in near_destination}
        shared = set(starts) & set(ends)
        if not shared:
            raise NoRouteError("no rail network piece reaches both places")
        piece = min(shared, key=lambda p: starts[p][1] + ends[p][1])
        return starts[piece], ends[piece]

    def shortest(self, sources: Sequence[int], mask: NDArray[Any]
                 ) -> tuple[NDArray[Any], NDArray[Any]]:
        """Run one Dijkstra search per source on the allowed nodes.

        Returns
        -------
        tuple of numpy.ndarray
            Distances (km) and predecessors, one row per source.
        """
        graph = self.matrix if mask.all() else self._masked(mask)
        distances, previous = dijkstra(graph, directed=False, indices=list(sources),
                                       return_predecessors=True)
        return np.atleast_2d(distances), np.atleast_2d(previous)

    @staticmethod
    def walk(previous: NDArray[Any], source: int, target: int) -> tuple[int, ...]:
        """Return the node path from ``source`` to ``target`` from a predecessor row."""
        chain = [target]
        while chain[-1] != source:
            step = int(previous[chain[-1]])
            if step < 0:
                raise NoRouteError("the rail network does not connect these places")
            chain.append(step)
        return tuple(reversed(chain))

    def path(self, origin: LatLon, destination: LatLon, mask: NDArray[Any]) -> RailPath:
        """Return the shortest rail path between two places on the allowed nodes.

        Raises
        ------
        NoRouteError
            If the allowed network does not connect them.
        """
        (result,) = self.paths([(origin, destination)], mask)
        if isinstance(result, NoRouteError):
            raise result
        return result

    def paths(self, pairs: Sequence[tuple[LatLon, LatLon]], mask: NDArray[Any]
              ) -> list[RailPath | NoRouteError]:
        """Return the shortest path of each (origin, destination) pair.

        Pairs whose origins snap to the same node share one Dijkstra search,
        so routing many destinations from few origins costs one search per
        origin, not per pair.

        Parameters
        ----------
        pairs
            (origin, destination) places.
        mask
            Allowed nodes, from :meth:`allowed`.

        Returns
        -------
        list of RailPath or NoRouteError
            In the order of ``pairs``; an error where a pair has no path.
        """
        snaps: list[Snap | None] = []
        places = dict.fromkeys(place for pair in pairs for place in pair)
        near = {place: self.candidates(place, mask) for place in places}  # once per place
        for origin, destination in pairs:
            try:
                snaps.append(self._snap_pair(near[origin], near[destination]))
            except NoRouteError:
                snaps.append(None)
        results: list[RailPath | NoRouteError] = [
            NoRouteError("no rail network piece reaches both places") for _ in pairs]
        from_source: dict[int, list[tuple[int, Snap]]] = {}
        for k, snap in enumerate(snaps):
            if snap is not None:
                from_source.setdefault(snap[0][0], []).append((k, snap))
        sources = sorted(from_source)
        batch = max(1, SEARCH_CELLS // len(self.lat))
        for first in range(0, len(sources), batch):
            chunk = sources[first:first + batch]
            distances, previous = self.shortest(chunk, mask)
            for row, start in enumerate(chunk):
                for k, snap in from_source[start]:
                    results[k] = self._found(snap, distances[row], previous[row])
        return results

    def _found(self, snap: Snap, distances: NDArray[Any], previous: NDArray[Any]
               ) -> RailPath | NoRouteError:
        """Return the path of one snapped pair from its origin's search, or why there is none."""
        (start, start_km), (end, end_km) = snap
        km = distances[end]
        if not math.isfinite(km):
            return NoRouteError("the rail network does not connect these places")
        return RailPath(self.walk(previous, start, end), float(km), (start_km, end_km))

    def countries_along(self, nodes: Sequence[int]) -> tuple[str, ...]:
        """Return the countries a node path passes through, in order, without repeats."""
        seen: list[str] = []
        for code in self.country[list(nodes)].tolist():
            if code and (not seen or seen[-1] != code):
                seen.append(code)
        return tuple(dict.fromkeys(seen))


@functools.cache
def load_rail_network() -> RailNetwork:
    """Load the shipped railway network (cached after the first call).

    Returns
    -------
    RailNetwork
    """
    raw = files("shiproute.routes").joinpath("data", DATA_FILE).read_bytes()
    with np.load(io.BytesIO(raw)) as arrays:
        n = len(arrays["lat"])
        matrix = csr_matrix(
            (arrays["km"].astype(np.float64), arrays["indices"], arrays["indptr"]), shape=(n, n)
        )
        codes = arrays["country_codes"]
        return RailNetwork(
            lat=arrays["lat"].astype(np.float64),
            lon=arrays["lon"].astype(np.float64),
            matrix=matrix,
            piece=arrays["piece"],
            country=codes[arrays["country"]],
            version=hashlib.sha256(raw).hexdigest()[:16],
        )
