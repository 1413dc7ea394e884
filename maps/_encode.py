"""Compact encodings for geometry in the page: integer deltas at 1e-5 degrees."""

from __future__ import annotations

from collections.abc import Sequence
import math

import numpy as np

SCALE = 100_000  # 1e-5 degree, about 1 m


def encode_path(points: Sequence[tuple[float, float]]) -> list[int]:
    """Return a (lat, lon) path as flat integer deltas: lat0, lon0, dlat1, dlon1, ...

    Parameters
    ----------
    points
        (lat, lon) degrees.

    Returns
    -------
    list of int
        Decoded in the page by a running sum divided by ``SCALE``.
    """
    grid = np.round(np.asarray(points, dtype=float).reshape(-1, 2) * SCALE).astype(np.int64)
    deltas = np.diff(grid, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    flat: list[int] = deltas.ravel().tolist()
    return flat


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
