"""Compact encodings for geometry in the page: the polyline algorithm at 1e-5 degrees.

Paths are stored as the "encoded polyline" text format (deltas of (lat, lon)
at 1e-5 degree, about 1 m, zig-zag coded in 5-bit groups as ASCII 63-126),
which takes 2-4 characters per number instead of 8-10 for JSON decimals.
The page decodes it with a few lines of JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
import itertools
import math
from typing import Any

import numpy as np

SCALE = 100_000  # 1e-5 degree, about 1 m


def encode_path(points: Sequence[tuple[float, float]], scale: int = SCALE) -> str:
    """Return a (lat, lon) path in the encoded polyline format, at 1e-5 degrees by default.

    Parameters
    ----------
    points
        (lat, lon) degrees.
    scale
        Units per degree: 100,000 (about 1 m) for routes; coarse map layers
        use fewer (1,000, about 100 m, for the 1:110m world), which saves a
        character or two per number. The page must decode with the same scale.

    Returns
    -------
    str
        ASCII characters 63-126 only, so safe inside JSON and HTML.
    """
    grid = np.round(np.asarray(points, dtype=float).reshape(-1, 2) * scale).astype(np.int64)
    deltas = np.diff(grid, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    value = np.where(deltas < 0, ~(deltas << 1), deltas << 1)
    groups = np.stack([(value >> (5 * k)) & 0x1F for k in range(7)], axis=1)
    length = np.maximum(1, (np.floor(np.log2(np.maximum(value, 1))) // 5 + 1).astype(np.int64))
    used = np.arange(7) < length[:, None]
    more = np.arange(7) < (length - 1)[:, None]
    chars = (groups | np.where(more, 0x20, 0)) + 63
    return chars[used].astype(np.uint8).tobytes().decode("ascii")


def split_at_antimeridian(points: Sequence[tuple[float, float]]
                          ) -> list[list[tuple[float, float]]]:
    """Cut a path where it crosses the antimeridian, so a web map draws it as two short pieces.

    A step from 179.9 to -179.9 degrees would otherwise be drawn as a line
    across the whole world. Each crossing ends one piece at +/-180 degrees
    and starts the next at the opposite edge, at the latitude where the step
    crosses.

    Parameters
    ----------
    points
        (lat, lon) degrees, longitudes within [-180, 180].

    Returns
    -------
    list of list of tuple of float
        The pieces, in order; one piece when the path does not cross.
    """
    if len(points) < 2 or not (np.abs(np.diff(np.asarray(points, dtype=float)[:, 1])) > 180).any():
        return [list(points)]
    pieces: list[list[tuple[float, float]]] = [[(points[0][0], points[0][1])]]
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        step = lon2 - lon1
        if abs(step) > 180:
            edge = 180.0 if step < 0 else -180.0  # eastward across +180, or westward across -180
            target = lon2 + 360.0 if step < 0 else lon2 - 360.0
            fraction = (edge - lon1) / (target - lon1) if target != lon1 else 0.0
            lat = lat1 + (lat2 - lat1) * fraction
            pieces[-1].append((lat, edge))
            pieces.append([(lat, -edge)])
        pieces[-1].append((lat2, lon2))
    return pieces


def _mercator(points: Sequence[tuple[float, float]]) -> tuple[Any, Any]:
    """Return Web Mercator x and y (radians) of (lat, lon) points."""
    lat = np.radians(np.clip(np.asarray([p[0] for p in points]), -85.0, 85.0))
    return np.radians(np.asarray([p[1] for p in points])), np.log(np.tan(np.pi / 4 + lat / 2))


def mercator_length(points: Sequence[tuple[float, float]]) -> float:
    """Return how long a path looks on a Web Mercator map (radians; for comparisons)."""
    x, y = _mercator(points)
    return float(np.hypot(np.diff(x), np.diff(y)).sum())


def mercator_midpoint(points: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Return the point half-way along a path and its heading on a Web Mercator map.

    Parameters
    ----------
    points
        (lat, lon) degrees, at least two.

    Returns
    -------
    tuple of float
        (lat, lon, degrees clockwise from screen-up), for a direction arrow.
    """
    x, y = _mercator(points)
    steps = np.hypot(np.diff(x), np.diff(y))
    if not steps.sum():
        return (points[0][0], points[0][1], 0.0)
    half = steps.sum() / 2
    i = int(np.searchsorted(np.cumsum(steps), half))
    i = min(i, len(steps) - 1)
    done = float(np.cumsum(steps)[i] - steps[i])
    t = (half - done) / steps[i] if steps[i] else 0.0
    mx, my = x[i] + t * (x[i + 1] - x[i]), y[i] + t * (y[i + 1] - y[i])
    heading = math.degrees(math.atan2(x[i + 1] - x[i], y[i + 1] - y[i]))
    mid_lat = math.degrees(2 * math.atan(math.exp(my)) - math.pi / 2)
    return (round(mid_lat, 5), round(math.degrees(mx), 5), round(heading, 1))
