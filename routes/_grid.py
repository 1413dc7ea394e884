"""Shortest paths that avoid a region, found on a fine grid and then straightened.

Used to repair sea routes that cut across capes (the region to avoid is land),
to join ports to the sea lanes over water, and to draw rail connectors that
must not cross the sea (the region to avoid is water). Cells that touch the
region are blocked, so every grid step is clear; the path is then straightened
by joining the farthest points that see each other, checked against the exact
geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.ndimage import find_objects, label
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
import shapely

from shiproute.gazetteer.earth import KM_PER_DEGREE
from shiproute.routes.model import LatLon

if TYPE_CHECKING:
    from numpy.typing import NDArray

MAX_CELLS = 600_000
COSTLY = 100.0  # a step on costly cells: taken only where the water way round is 100 times longer
# (row step, column step) of the four undirected neighbour directions
_STEPS = ((0, 1), (1, 0), (1, 1), (1, -1))


@dataclass(frozen=True, slots=True)
class _Raster:
    """The free cells of a window: centres at ``xs`` x ``ys``, ``dx`` by ``dy`` degrees.

    ``mid`` is the cosine of the window's middle latitude, which scales ``dx`` to km.
    """

    free: NDArray[Any]
    xs: NDArray[Any]
    ys: NDArray[Any]
    dx: float
    dy: float
    mid: float

    @classmethod
    def of(cls, blocked: Any, bounds: tuple[float, float, float, float], cell_km: float,
           max_cells: int) -> _Raster:
        """Return the raster of ``bounds`` with the cells that touch ``blocked`` taken out."""
        west, south, east, north = bounds
        mid = math.cos(math.radians((south + north) / 2))
        dy = cell_km / KM_PER_DEGREE
        dx = dy / max(mid, 0.05)
        while ((east - west) / dx) * ((north - south) / dy) > max_cells:
            dx, dy = dx * 1.5, dy * 1.5
        xs = west + dx * (np.arange(math.ceil((east - west) / dx)) + 0.5)
        ys = south + dy * (np.arange(math.ceil((north - south) / dy)) + 0.5)
        clear = ~_near_edge(shapely.boundary(blocked), xs, ys, dx, dy)
        return cls(clear & ~_inside(blocked, clear, xs, ys), xs, ys, dx, dy, mid)

    def index(self, lat: NDArray[Any], lon: NDArray[Any]) -> NDArray[Any]:
        """Return the flat indices of the cells holding points, or of the nearest edge cells."""
        rows, cols = self.free.shape
        r = np.floor((lat - self.ys[0]) / self.dy + 0.5).astype(np.int64).clip(0, rows - 1)
        c = np.floor((lon - self.xs[0]) / self.dx + 0.5).astype(np.int64).clip(0, cols - 1)
        found: NDArray[Any] = r * cols + c
        return found

    def flat(self, point: LatLon) -> int:
        """Return the flat index of the cell holding a point, or of the nearest edge cell."""
        return int(self.index(np.array([point[0]]), np.array([point[1]]))[0])

    def cell(self, point: LatLon) -> tuple[int, int]:
        """Return the (row, column) of the cell :meth:`flat` gives."""
        r, c = divmod(self.flat(point), self.free.shape[1])
        return r, c

    def centre(self, index: int) -> LatLon:
        """Return the (lat, lon) of a cell's centre, by flat index."""
        r, c = divmod(index, self.free.shape[1])
        return (float(self.ys[r]), float(self.xs[c]))

    def search(self, sources: dict[int, float], costly: Any = None
               ) -> tuple[NDArray[Any], NDArray[Any]]:
        """Return Dijkstra distances (degrees of latitude) and predecessors from some cells.

        Parameters
        ----------
        sources
            Flat cell index -> the distance the search starts it at.
        costly
            Shapely geometry whose cells (and those it touches) cost :data:`COSTLY`
            times their length, or None.

        Returns
        -------
        distances, previous
            Per cell; a source's predecessor is the number of cells (a
            virtual node linked to the sources).
        """
        free = self.free
        rows, cols = free.shape
        dear = None
        if costly is not None:
            shapely.prepare(costly)
            dear = shapely.contains_xy(costly, *np.meshgrid(self.xs, self.ys))
            dear |= _near_edge(shapely.boundary(costly), self.xs, self.ys, self.dx, self.dy)
        index = np.arange(rows * cols).reshape(rows, cols)
        starts, stops = [np.full(len(sources), rows * cols)], [np.fromiter(sources, np.int64)]
        weights = [np.fromiter(sources.values(), np.float64)]
        for sr, sc in _STEPS:
            r0, r1 = 0, rows - sr
            c0, c1 = max(0, -sc), cols - max(0, sc)
            a = free[r0:r1, c0:c1] & free[r0 + sr:r1 + sr, c0 + sc:c1 + sc]
            if sr and sc:  # a diagonal step needs both side cells free too
                a &= free[r0 + sr:r1 + sr, c0:c1] & free[r0:r1, c0 + sc:c1 + sc]
            step = math.hypot(sr * self.dy, sc * self.dx * self.mid)
            starts.append(index[r0:r1, c0:c1][a])
            stops.append(index[r0 + sr:r1 + sr, c0 + sc:c1 + sc][a])
            if dear is None:
                weights.append(np.full(int(a.sum()), step))
            else:
                both = dear[r0:r1, c0:c1][a] | dear[r0 + sr:r1 + sr, c0 + sc:c1 + sc][a]
                weights.append(np.where(both, COSTLY * step, step))
        size = rows * cols + 1
        graph = coo_matrix(
            (np.concatenate(weights), (np.concatenate(starts), np.concatenate(stops))),
            shape=(size, size),
        ).tocsr()
        distances, previous = dijkstra(graph, directed=False, indices=size - 1,
                                       return_predecessors=True)
        return distances[:-1], previous[:-1]

    def trace(self, previous: NDArray[Any], target: int) -> list[int]:
        """Return the cells from a source to ``target``, by flat index."""
        virtual = self.free.size
        chain = [target]
        while previous[chain[-1]] != virtual:
            chain.append(int(previous[chain[-1]]))
        return chain[::-1]


def grid_path(
    start: LatLon,
    end: LatLon,
    blocked: Any,
    bounds: tuple[float, float, float, float],
    *,
    cell_km: float = 0.5,
    max_cells: int = MAX_CELLS,
) -> tuple[LatLon, ...] | None:
    """Return a path from ``start`` to ``end`` that never touches ``blocked``.

    Parameters
    ----------
    start, end
        (lat, lon) ends; they may lie in ``blocked`` (a port on the coast).
    blocked
        Shapely geometry (lon/lat) the path must not touch.
    bounds
        (west, south, east, north) window the search stays in.
    cell_km
        Grid spacing; coarsened when the window would need more than
        ``max_cells`` cells.
    max_cells
        Most cells searched; fewer make a faster, coarser search.

    Returns
    -------
    tuple of (lat, lon) or None
        The straightened path with the exact ends, or ``None`` when no path
        exists inside the window.
    """
    (found,) = grid_paths(start, [end], blocked, bounds, cell_km=cell_km, max_cells=max_cells)
    return found


def grid_paths(
    start: LatLon,
    ends: Sequence[LatLon],
    blocked: Any,
    bounds: tuple[float, float, float, float],
    *,
    near: tuple[float, float, float, float] | None = None,
    costly: Any = None,
    cell_km: float = 0.5,
    max_cells: int = MAX_CELLS,
) -> list[tuple[LatLon, ...] | None]:
    """Return paths from ``start`` to each of ``ends`` that never touch ``blocked``; one search.

    Parameters
    ----------
    start
        (lat, lon) the paths start at; it may lie in ``blocked``.
    ends
        (lat, lon) the paths end at; each may lie in ``blocked``.
    blocked
        Shapely geometry (lon/lat) the paths must not touch.
    bounds
        (west, south, east, north) window the search stays in.
    near
        A smaller window around ``start``, searched first on cells half as
        wide: the paths leave narrow water there (a fjord, a harbour behind
        islands) that the cells of a big window would block, then go on in
        ``bounds``.
    costly
        Shapely geometry (lon/lat), outside ``blocked``, whose cells cost
        :data:`COSTLY` times their length: land a path may cross where it must,
        such as the land the data draws around a port.
    cell_km, max_cells
        As for :func:`grid_path`, for ``bounds``.

    Returns
    -------
    list
        Per end, in order, the straightened path with the exact ends, or
        ``None`` when no path to it exists inside the window.
    """
    raster = _Raster.of(blocked, bounds, cell_km, max_cells)
    for point in (start, *ends):
        raster.free[raster.cell(point)] = True
    origin = raster.flat(start)
    sources = {origin: 0.0}
    inner = None
    if near is not None:  # start from every coarse cell the fine search reaches
        inner = _Raster.of(blocked, near, cell_km / 2, max_cells)
        inner.free[inner.cell(start)] = True
        reached, inner_previous = inner.search({inner.flat(start): 0.0}, costly)
        seeds = np.flatnonzero(raster.free.ravel())
        rows, cols = np.divmod(seeds, raster.free.shape[1])
        lat, lon = raster.ys[rows], raster.xs[cols]
        inside = (lon > near[0]) & (lon < near[2]) & (lat > near[1]) & (lat < near[3])
        seeds, lat, lon = seeds[inside], lat[inside], lon[inside]
        at = inner.index(lat, lon)
        known = np.isfinite(reached[at])
        sources.update(zip(seeds[known].tolist(), reached[at][known].tolist(), strict=True))
        sources[origin] = 0.0
    # a step joins cells that share a side or, diagonally, whose two side cells are free
    # too: the cells one search can reach are the 4-connected pieces of the free cells
    pieces, _count = label(raster.free)
    reachable = np.unique(pieces.ravel()[np.fromiter(sources, np.int64)])
    targets = [raster.flat(end) for end in ends]
    if not np.isin(pieces.ravel()[targets], reachable).any():
        return [None] * len(ends)
    distances, previous = raster.search(sources, costly)
    avoid = blocked if costly is None else shapely.union_all([blocked, costly])
    out: list[tuple[LatLon, ...] | None] = []
    for end, target in zip(ends, targets, strict=True):
        if not np.isfinite(distances[target]):
            out.append(None)
            continue
        chain = raster.trace(previous, target)
        middle = [raster.centre(i) for i in chain[1:-1]]
        if inner is not None and chain[0] != origin:  # the way out is on the fine cells
            way_out = inner.trace(inner_previous, inner.flat(raster.centre(chain[0])))
            middle = [inner.centre(i) for i in way_out[1:]] + \
                [raster.centre(i) for i in chain[:-1]]
        out.append(straighten([start, *middle, end], avoid))  # keeps the costly steps taken
    return out


def _inside(blocked: Any, clear: NDArray[Any], xs: NDArray[Any], ys: NDArray[Any]
            ) -> NDArray[Any]:
    """Return which of the ``clear`` cells (none near the edge of ``blocked``) lie in it.

    Cells that share a side step less than the distance :func:`_near_edge`
    keeps clear of the edge, so a 4-connected piece of clear cells never
    crosses it: one point in ``blocked`` or not tells for the whole piece,
    instead of a point-in-polygon test per cell.
    """
    pieces, count = label(clear)
    inside = np.zeros(count + 1, dtype=bool)
    if count:
        boxes = find_objects(pieces)
        where = [np.argwhere(pieces[box] == n)[0] + [box[0].start, box[1].start]
                 for n, box in enumerate(boxes, 1)]
        rows, cols = np.array(where).T
        shapely.prepare(blocked)
        inside[1:] = shapely.contains_xy(blocked, xs[cols], ys[rows])
    cells: NDArray[Any] = inside[pieces]
    return cells


def _near_edge(edge: Any, xs: NDArray[Any], ys: NDArray[Any], dx: float, dy: float
               ) -> NDArray[Any]:
    """Return the cells whose centre lies within half a cell diagonal of ``edge``.

    The edge is sampled every eighth of a cell, and each sample marks the cells
    around it whose centre lies within half a diagonal of it: the same cells as
    a distance test per cell, up to a sixteenth of a cell, and about 50 times
    faster. The path found is checked against the exact geometry when it is
    straightened.
    """
    near = np.zeros((len(ys), len(xs)), dtype=bool)
    if edge.is_empty:
        return near
    step = min(dx, dy) / 8
    x, y = shapely.get_coordinates(shapely.segmentize(edge, step)).T
    reach = 0.71 * math.hypot(dx, dy)
    r0 = np.floor((y - ys[0]) / dy + 0.5).astype(np.int64)
    c0 = np.floor((x - xs[0]) / dx + 0.5).astype(np.int64)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r, c = r0 + dr, c0 + dc
            inside = (r >= 0) & (r < len(ys)) & (c >= 0) & (c < len(xs))
            r, c = r[inside], c[inside]
            close = np.hypot(xs[c] - x[inside], ys[r] - y[inside]) <= reach
            near[r[close], c[close]] = True
    return near


def _clear(a: LatLon, b: LatLon, blocked: Any) -> bool:
    segment = shapely.LineString([(a[1], a[0]), (b[1], b[0])])
    return not shapely.intersects(blocked, segment)


def straighten(points: list[LatLon], blocked: Any) -> tuple[LatLon, ...]:
    """Drop every point that the points before and after it can see past.

    Greedy line of sight: from each kept point, go as far along the path as
    a straight segment stays clear of ``blocked``. The first and last grid
    steps may touch ``blocked`` (ends on the coast); they are kept as they are.

    Parameters
    ----------
    points
        The grid path, ends included.
    blocked
        Geometry (lon/lat) that segments must not touch.

    Returns
    -------
    tuple of (lat, lon)
    """
    kept = [points[0]]
    i = 0
    while i < len(points) - 1:
        j = i + 1
        while j + 1 < len(points) and _clear(points[i], points[j + 1], blocked):
            j += 1
        kept.append(points[j])
        i = j
    return tuple(kept)
