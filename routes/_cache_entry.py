"""One route-cache entry: a route as two values, and the checks that read one back.

An entry is ``meta``, UTF-8 JSON of the route's scalar fields and the number
of points of each of its lines (the path first, then each connector), and
``points``, every point of those lines as little-endian float64 (lat, lon)
pairs, one line after another. Reading raw numbers takes a few numpy calls
where JSON lists of a map's millions of points took seconds.

:func:`decode_many` trusts nothing it reads: deep nesting is refused, not a
crash; every field has its type; every line has at least two points; the
counts add up to the bytes there are; every number is finite and every
point a latitude in [-90, 90] and a longitude in [-180, 180]; an entry is at
most :data:`MAX_ENTRY_BYTES`. A bad entry gives the :class:`ValueError` (or
:class:`KeyError`) naming its first bad value, for the caller to log.
"""

from __future__ import annotations

from collections.abc import Sequence
import itertools
import json
import math
from typing import Any

import numpy as np

from shiproute.gazetteer.safeyaml import shorten
from shiproute.routes.model import Line, Route

MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""Largest cache entry read, in bytes; a route of a million points is smaller."""
_LIMITS = np.array([90.0, 180.0])
"""The largest latitude and longitude."""
_POINT_BYTES = 16


def encode(route: Route) -> tuple[bytes, bytes]:
    """Return a route's ``meta`` and ``points`` (see the module docstring)."""
    lines = (route.points, *route.connectors)
    meta = {
        "distance_km": route.distance_km,
        "source": route.source,
        "flags": route.flags,
        "rule": route.rule,
        "countries": route.countries,
        "lines": [len(line) for line in lines],
    }
    points = b"".join(line.array.astype("<f8").tobytes() for line in lines)
    return json.dumps(meta).encode(), points


def _number(value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{shorten(repr(value))} is not a number")
    try:
        number = float(value)
    except OverflowError:  # an int of 400 digits
        raise ValueError(f"{shorten(repr(value))} is beyond the range of numbers") from None
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"{number!r} is not a finite number in [{low:g}, {high:g}]")
    return number


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{shorten(repr(value))} is not a list of texts")
    return tuple(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{shorten(repr(value))} is not a text")
    return value


def _sizes(value: Any) -> list[int]:
    """Return the point counts of the lines, path first; each must be at least two."""
    if not isinstance(value, list) or not value or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in value):
        raise ValueError(f"{shorten(repr(value))} is not a list of point counts")
    if min(value) < 2:
        raise ValueError("a line needs at least two points")
    return value


def _points(points: Any, sizes: list[int]) -> bytes:
    """Return the points' bytes, if they hold exactly the points of ``sizes``."""
    if not isinstance(points, bytes):
        raise ValueError(f"the points are {type(points).__name__}, not bytes")
    if len(points) % _POINT_BYTES:
        raise ValueError(f"{len(points)} bytes are not whole (lat, lon) points of 16 bytes")
    if sum(sizes) * _POINT_BYTES != len(points):
        raise ValueError(f"the lines have {sum(sizes)} points but the entry holds "
                         f"{len(points) // _POINT_BYTES}")
    return points


def _head(meta: Any, points: Any) -> tuple[dict[str, Any], list[int], bytes]:
    """Return an entry's fields, its line sizes and its points, checked but for the numbers."""
    if not isinstance(meta, bytes):
        raise ValueError(f"the entry's data is {type(meta).__name__}, not bytes")
    if len(meta) + (len(points) if isinstance(points, bytes) else 0) > MAX_ENTRY_BYTES:
        raise ValueError(f"over {MAX_ENTRY_BYTES // 1024 // 1024} MB")
    try:
        data = json.loads(meta)  # UnicodeDecodeError and JSONDecodeError are ValueErrors
    except RecursionError:  # json refuses deep nesting this way, before the stack runs out
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("the entry is not a JSON object")
    sizes = _sizes(data["lines"])
    return data, sizes, _points(points, sizes)


def _off_the_globe(grid: np.ndarray[Any, np.dtype[np.float64]]) -> ValueError:
    """Return the error naming the first number of ``grid`` that is not on the globe."""
    row, column = np.argwhere(~(np.abs(grid) <= _LIMITS))[0]  # NaN is not <=
    limit, what = (90, "latitude") if column == 0 else (180, "longitude")
    return ValueError(f"{float(grid[row, column])!r} is not a finite {what} in "
                      f"[{-limit}, {limit}]")


def _route(data: dict[str, Any], lines: list[Line]) -> Route:
    return Route(
        points=lines[0],
        distance_km=_number(data["distance_km"], 0, math.inf),
        source=_text(data["source"]),
        flags=_texts(data["flags"]),
        rule=_text(data["rule"]),
        connectors=tuple(lines[1:]),
        countries=_texts(data["countries"]),
    )


def decode_many(entries: Sequence[tuple[Any, Any]]) -> list[Route | ValueError | KeyError]:
    """Build the routes of entries, checking every field; the points of all in one pass.

    Parameters
    ----------
    entries
        Each entry's ``meta`` and ``points``, as read: bytes, or anything a
        damaged or poisoned store holds.

    Returns
    -------
    list of Route, ValueError or KeyError
        For each entry in order, its route, or the error that makes it bad:
        a :class:`ValueError` naming the wrong type or the value out of range,
        or a :class:`KeyError` naming a missing field.
    """
    results: dict[int, Route | ValueError | KeyError] = {}
    good: list[tuple[int, dict[str, Any], list[int], bytes]] = []
    for index, (meta, points) in enumerate(entries):
        try:
            good.append((index, *_head(meta, points)))
        except (ValueError, KeyError) as err:
            results[index] = err
    if good:
        grid = np.frombuffer(b"".join(p for *_, p in good), dtype="<f8").reshape(-1, 2)
        counts = [sum(sizes) for _, _, sizes, _ in good]
        starts = [0, *itertools.accumulate(counts)][:-1]
        # column by column: a reduction along the short axis of an (n, 2) array is slow
        point_ok = (np.abs(grid[:, 0]) <= _LIMITS[0]) & (np.abs(grid[:, 1]) <= _LIMITS[1])
        on_globe = np.logical_and.reduceat(point_ok, starts)
        lines = iter(Line.split(grid, [size for _, _, sizes, _ in good for size in sizes]))
        for (index, data, sizes, _), start, count, ok in zip(
                good, starts, counts, on_globe.tolist(), strict=True):
            own = [next(lines) for _ in sizes]
            try:
                if not ok:
                    raise _off_the_globe(grid[start:start + count])
                results[index] = _route(data, own)
            except (ValueError, KeyError) as err:
                results[index] = err
    return [results[index] for index in range(len(entries))]
