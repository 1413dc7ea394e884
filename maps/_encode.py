"""Compact encodings for geometry in the page: the polyline algorithm at 1e-5 degrees.

Paths are stored as the "encoded polyline" text format (deltas of (lat, lon)
at 1e-5 degree, about 1 m, zig-zag coded in 5-bit groups as ASCII 63-126),
which takes 2-4 characters per number instead of 8-10 for JSON decimals.
The page decodes it with a few lines of JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
import math

import numpy as np

SCALE = 100_000  # 1e-5 degree, about 1 m


def encode_path(points: Sequence[tuple[float, float]]) -> str:
    """Return a (lat, lon) path in the encoded polyline format at 1e-5 degrees.

    Parameters
    ----------
    points
        (lat, lon) degrees.

    Returns
    -------
    str
        ASCII characters 63-126 only, so safe inside JSON and HTML.
    """
    grid = np.round(np.asarray(points, dtype=float).reshape(-1, 2) * SCALE).astype(np.int64)
    deltas = np.diff(grid, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    value = np.where(deltas < 0, ~(deltas << 1), deltas << 1)
    groups = np.stack([(value >> (5 * k)) & 0x1F for k in range(7)], axis=1)
    length = np.maximum(1, (np.floor(np.log2(np.maximum(value, 1))) // 5 + 1).astype(np.int64))
    used = np.arange(7) < length[:, None]
    more = np.arange(7) < (length - 1)[:, None]
    chars = (groups | np.where(more, 0x20, 0)) + 63
    return chars[used].astype(np.uint8).tobytes().decode("ascii")


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
    lat = np.radians(np.clip(np.asarray([p[0] for p in points]), -85.0, 85.0))
    x = np.radians(np.asarray([p[1] for p in points]))
    y = np.log(np.tan(np.pi / 4 + lat / 2))
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
