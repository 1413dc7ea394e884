"""Compact encodings for geometry in the page: the polyline algorithm at 1e-5 degrees.

Paths are stored as the "encoded polyline" text format (deltas of (lat, lon)
at 1e-5 degree, about 1 m, zig-zag coded in 5-bit groups as ASCII 63-126),
which takes 2-4 characters per number instead of 8-10 for JSON decimals.
The page decodes it with a few lines of JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

SCALE = 100_000  # 1e-5 degree, about 1 m
BATCH_POINTS = 100_000
"""Points encoded in one pass of :func:`encode_paths` (about 60 MB of temporaries)."""


def encode_path(points: Any, scale: int = SCALE) -> str:
    """Return a (lat, lon) path in the encoded polyline format, at 1e-5 degrees by default.

    Parameters
    ----------
    points
        (lat, lon) degrees: pairs or an (n, 2) array.
    scale
        Units per degree: 100,000 (about 1 m) for routes; coarse map layers
        use fewer (1,000, about 100 m, for the 1:110m world), which saves a
        character or two per number. The page must decode with the same scale.

    Returns
    -------
    str
        ASCII characters 63-126 only, so safe inside JSON and HTML.
    """
    return encode_paths([points], scale)[0]


def encode_paths(paths: Sequence[Any], scale: int = SCALE) -> list[str]:
    """Encode many paths as :func:`encode_path` does, in whole-array steps.

    All the paths are encoded as one array (each starts again from zero), so
    tens of thousands of short routes cost a few numpy calls, not a few each.

    Parameters
    ----------
    paths
        Paths of at least one (lat, lon) point each: pairs or (n, 2) arrays.
    scale
        Units per degree, as for :func:`encode_path`.

    Returns
    -------
    list of str
        One encoded text per path, in order.
    """
    return [text for batch in _batches(paths) for text in _encode_batch(batch, scale)]


def _batches(paths: Sequence[Any]) -> Iterator[list[Any]]:
    """Yield the paths as (n, 2) arrays, in runs of about :data:`BATCH_POINTS` points in all.

    Whole-array steps over all the routes of a big map at once would need
    gigabytes of temporaries; runs of this size keep them to tens of MB.
    """
    grids = [as_grid(path) for path in paths]
    first = 0
    while first < len(grids):
        last, points = first, 0
        while last < len(grids) and (points < BATCH_POINTS or last == first):
            points += len(grids[last])
            last += 1
        yield grids[first:last]
        first = last


def _encode_batch(grids: Sequence[Any], scale: int) -> list[str]:
    """Encode (n, 2) arrays of at least one point each in one pass; see :func:`encode_paths`."""
    grid = np.round(np.concatenate(grids) * scale).astype(np.int64)
    _sizes, starts = _offsets(grids)
    deltas = np.diff(grid, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    deltas[starts] = grid[starts]  # each path starts from zero
    value = deltas.ravel()
    value = np.where(value < 0, ~(value << 1), value << 1)
    length = np.ones(len(value), dtype=np.int64)
    for k in range(1, 7):  # how many 5-bit groups each number needs
        length += value >= (1 << (5 * k))
    first = np.cumsum(length) - length  # where each number's characters start
    chars = np.empty(int(length.sum()), dtype=np.uint8)
    rest = length
    for k in range(7):  # the k-th 5-bit group of the numbers that have one; most have 1-3
        more = rest > 1
        chars[first + k] = ((value >> (5 * k)) & 0x1F) + 63 + 0x20 * more
        if not more.any():
            break
        value, first, rest = value[more], first[more], rest[more] - 1
    text = chars.tobytes()
    ends = np.cumsum(np.add.reduceat(length, 2 * starts)).tolist()
    out = text.decode("ascii")
    return [out[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def as_grid(points: Any) -> Any:
    """Return (lat, lon) points, or an array of them, as a float (n, 2) array."""
    return np.asarray(points, dtype=float).reshape(-1, 2)


def split_at_antimeridian(points: Any) -> list[Any]:
    """Cut a path where it crosses the antimeridian, so a web map draws it as two short pieces.

    A step from 179.9 to -179.9 degrees would otherwise be drawn as a line
    across the whole world. Each crossing ends one piece at +/-180 degrees
    and starts the next at the opposite edge, at the latitude where the step
    crosses.

    Parameters
    ----------
    points
        (lat, lon) degrees, longitudes within [-180, 180]: a sequence of
        pairs or an (n, 2) array.

    Returns
    -------
    list of numpy.ndarray
        The pieces, (n, 2) arrays in order; one piece when the path does not cross.
    """
    grid = as_grid(points)
    steps = np.diff(grid[:, 1])
    pieces = []
    start = 0
    enter = grid[:0]
    for i in np.flatnonzero(np.abs(steps) > 180).tolist():
        (lat1, lon1), (lat2, lon2) = grid[i], grid[i + 1]
        edge = 180.0 if steps[i] < 0 else -180.0  # eastward across +180, or westward across -180
        target = lon2 + 360.0 if steps[i] < 0 else lon2 - 360.0
        fraction = (edge - lon1) / (target - lon1) if target != lon1 else 0.0
        lat = lat1 + (lat2 - lat1) * fraction
        pieces.append(np.vstack([enter, grid[start:i + 1], [[lat, edge]]]))
        enter, start = np.array([[lat, -edge]]), i + 1
    pieces.append(np.vstack([enter, grid[start:]]) if len(enter) else grid[start:])
    return pieces


def _mercator(grid: Any) -> tuple[Any, Any]:
    """Return Web Mercator x and y (radians) of an (n, 2) array of (lat, lon) points."""
    lat = np.radians(np.clip(grid[:, 0], -85.0, 85.0))
    return np.radians(grid[:, 1]), np.log(np.tan(np.pi / 4 + lat / 2))


def mercator_length(grid: Any) -> float:
    """Return how long a path (an (n, 2) array) looks on a Web Mercator map (radians)."""
    x, y = _mercator(grid)
    return float(np.hypot(np.diff(x), np.diff(y)).sum())


def _offsets(grids: Sequence[Any]) -> tuple[Any, Any]:
    """Return the sizes of (n, 2) arrays and where each starts once they are concatenated."""
    sizes = np.fromiter(map(len, grids), dtype=np.int64, count=len(grids))
    return sizes, np.cumsum(sizes) - sizes


def split_all(paths: Sequence[Any]) -> list[list[Any]]:
    """Return :func:`split_at_antimeridian` of each path; one test of all finds those that cross.

    Parameters
    ----------
    paths
        (lat, lon) paths: pairs or (n, 2) arrays.

    Returns
    -------
    list of list of numpy.ndarray
        The pieces of each path, in order.
    """
    return [pieces for batch in _batches(paths) for pieces in _split_batch(batch)]


def _split_batch(grids: list[Any]) -> list[list[Any]]:
    sizes, starts = _offsets(grids)
    jumps = np.abs(np.diff(np.concatenate([g[:, 1] for g in grids]))) > 180
    jumps[(starts[1:] - 1)[starts[1:] > 0]] = False  # from one path's end to the next one
    crossing = set(np.searchsorted(starts + sizes, np.flatnonzero(jumps), side="right").tolist())
    return [split_at_antimeridian(g) if i in crossing else [g] for i, g in enumerate(grids)]


def extent(paths: Sequence[Any]) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Return the smallest and the largest latitude and longitude of all the points of ``paths``.

    The points are measured a batch at a time, not path by path.

    Parameters
    ----------
    paths
        (lat, lon) paths: pairs or (n, 2) arrays; empty ones are skipped.

    Returns
    -------
    tuple of (lat, lon) tuples, or None
        ``((south, west), (north, east))``; ``None`` when there is no point.
    """
    grids = [grid for grid in map(as_grid, paths) if len(grid)]
    if not grids:
        return None
    lows, highs = [], []
    for batch in _batches(grids):
        block = np.concatenate(batch)
        columns = block[:, 0], block[:, 1]  # column by column: 50x faster than axis=0 here
        lows.append([float(c.min()) for c in columns])
        highs.append([float(c.max()) for c in columns])
    south, west = (min(values) for values in zip(*lows, strict=True))
    north, east = (max(values) for values in zip(*highs, strict=True))
    return (south, west), (north, east)


def mercator_midpoints(paths: Sequence[Any]) -> list[tuple[float, float, float]]:
    """Return the point half-way along each path and its heading on a Web Mercator map.

    All the paths are measured in one pass over their concatenated points.

    Parameters
    ----------
    paths
        (n, 2) arrays of (lat, lon) degrees, at least two points each.

    Returns
    -------
    list of tuple of float
        (lat, lon, degrees clockwise from screen-up) of each path, for a direction arrow.
    """
    return [arrow for batch in _batches(paths) for arrow in _midpoint_batch(batch)]


def _midpoint_batch(grids: list[Any]) -> list[tuple[float, float, float]]:
    sizes, starts = _offsets(grids)
    x, y = _mercator(np.concatenate(grids))
    steps = np.hypot(np.diff(x), np.diff(y))
    steps[starts[1:] - 1] = 0.0  # no step from one path to the next
    along = np.concatenate([[0.0], np.cumsum(steps)])  # from the first point to each point
    first, last = along[starts], along[starts + sizes - 1]
    half = (first + last) / 2
    i = np.clip(np.searchsorted(along, half) - 1, starts, starts + sizes - 2)
    step = along[i + 1] - along[i]
    t = np.divide(half - along[i], step, out=np.zeros_like(step), where=step > 0)
    dx, dy = x[i + 1] - x[i], y[i + 1] - y[i]
    mid_lat = np.degrees(2 * np.arctan(np.exp(y[i] + t * dy)) - np.pi / 2)
    mid_lon = np.degrees(x[i] + t * dx)
    heading = np.degrees(np.arctan2(dx, dy))
    out = []
    for k, (lat, lon, angle) in enumerate(zip(mid_lat.tolist(), mid_lon.tolist(),
                                              heading.tolist(), strict=True)):
        if last[k] == first[k]:  # a path of one place
            out.append((float(grids[k][0, 0]), float(grids[k][0, 1]), 0.0))
        else:
            out.append((round(lat, 5), round(lon, 5), round(angle, 1)))
    return out
