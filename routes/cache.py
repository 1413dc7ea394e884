"""An on-disk store of computed routes, so a second render does no routing.

Each route is one JSON file named by the SHA-256 of its request (stops'
coordinates and countries, mode, allowed countries), the network data,
the source of the routing modules, the package version and the cache format. Any change makes a new
key, so no entry can go stale; a changed coordinate misses only its own legs.
Files are written to a temporary name and renamed. An entry is checked when
it is read: at most :data:`MAX_ENTRY_BYTES`, JSON of the entry's shape (deep
nesting is refused, not a crash), lines (base64 of float64 pairs) of at least
two points, every number finite and every point a latitude in [-90, 90] and a
longitude in [-180, 180].
A corrupt or poisoned entry is a miss, logged as a warning; the route is
computed again and the entry rewritten.
This module only stores and loads: :class:`~shiproute.routes.router.Router`
decides when to use it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from importlib.resources import files
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from shiproute.files import write_atomic
from shiproute.gazetteer.safeyaml import shorten
from shiproute.routes.model import Line, Route
from shiproute.routes.routing import RouteRequest
from shiproute.settings import package_version

log = logging.getLogger(__name__)

CACHE_FORMAT = 3
MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""Largest cache entry read, in bytes; a route of a million points is smaller."""
_DATA_FILES = (("shiproute.routes", "data/rail-world.npz"),
               ("shiproute.routes", "data/sea-lanes.npz"),
               ("shiproute.gazetteer", "data/naturalearth-10m.npz"))
_CODE_FILES = tuple(("shiproute.routes", name) for name in (
    "routing.py", "sea.py", "lanes.py", "rail.py", "_grid.py", "_land.py", "geodesic.py"))
"""The modules that shape a route: editing one (a development install) must not
serve routes the old code drew."""


@functools.cache
def data_version() -> str:
    """Return a hash of the network data (lanes, railways, land), the routing code and its version.

    The sea lanes are the shipped ``sea-lanes.npz``, so the installed
    searoute's version no longer shapes a route.
    """
    digest = hashlib.sha256()
    for package, name in (*_DATA_FILES, *_CODE_FILES):
        digest.update(files(package).joinpath(name).read_bytes())
    digest.update(package_version().encode())
    return digest.hexdigest()[:16]


def _encode(route: Route) -> dict[str, Any]:
    return {
        "points": _line_text(route.points),
        "distance_km": route.distance_km,
        "source": route.source,
        "flags": route.flags,
        "rule": route.rule,
        "connectors": [_line_text(c) for c in route.connectors],
        "countries": route.countries,
    }


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


_LIMITS = np.array([90.0, 180.0])
"""The largest latitude and longitude."""


def _line_text(line: Line) -> str:
    """Return a line as base64 of little-endian float64 (lat, lon) pairs."""
    return base64.b64encode(line.array.astype("<f8").tobytes()).decode("ascii")


def _points(value: Any) -> Line:
    """Return the line of an entry's base64 text; raise ValueError unless it is good.

    A good line is at least two points, every latitude in [-90, 90] and every
    longitude in [-180, 180] (NaN is neither). Base64 of raw numbers is read
    ten times faster than JSON lists of them, and a cached map of 100,000
    legs has millions of points.
    """
    if not isinstance(value, str):
        raise ValueError(f"{shorten(repr(value))} is not base64 text")
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as err:
        raise ValueError(f"the points are not base64 ({err})") from None
    if len(raw) % 16:
        raise ValueError(f"{len(raw)} bytes are not whole (lat, lon) points of 16 bytes")
    grid = np.frombuffer(raw, dtype="<f8").reshape(-1, 2)
    if len(grid) < 2:
        raise ValueError("a line needs at least two points")
    good = np.abs(grid) <= _LIMITS  # NaN is not
    if not good.all():
        row, column = np.argwhere(~good)[0]
        limit, what = (90, "latitude") if column == 0 else (180, "longitude")
        raise ValueError(f"{float(grid[row, column])!r} is not a finite {what} in "
                         f"[{-limit}, {limit}]")
    return Line(grid)


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{shorten(repr(value))} is not a list of texts")
    return tuple(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{shorten(repr(value))} is not a text")
    return value


def _decode(data: Any) -> Route:
    """Build a route from a cache entry, checking every field; raise ValueError if bad."""
    if not isinstance(data, dict):
        raise ValueError("the entry is not a JSON object")
    connectors = data["connectors"]
    if not isinstance(connectors, list):
        raise ValueError("'connectors' is not a list")
    return Route(
        points=_points(data["points"]),
        distance_km=_number(data["distance_km"], 0, math.inf),
        source=_text(data["source"]),
        flags=_texts(data["flags"]),
        rule=_text(data["rule"]),
        connectors=tuple(_points(c) for c in connectors),
        countries=_texts(data["countries"]),
    )


def _load(path: Path) -> Route:
    """Read and check one entry; raise OSError, ValueError or KeyError if it is bad."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_ENTRY_BYTES + 1)
    if len(raw) > MAX_ENTRY_BYTES:
        raise ValueError(f"over {MAX_ENTRY_BYTES // 1024 // 1024} MB")
    try:
        data = json.loads(raw)
    except RecursionError:  # json refuses deep nesting this way, before the stack runs out
        raise ValueError("JSON nested too deeply") from None
    return _decode(data)


class RouteCache:
    """Routes on disk, one JSON file per request.

    Parameters
    ----------
    directory
        Where the files go; created on first write.
    version
        Network data version (:func:`data_version`); part of every key.
    """

    def __init__(self, directory: Path, version: str) -> None:
        self.directory = directory
        self.version = version

    def __repr__(self) -> str:
        return f"RouteCache({str(self.directory)!r})"

    def path(self, request: RouteRequest) -> Path:
        """Return the file that holds the route of ``request``."""
        key = {"format": CACHE_FORMAT, "data": self.version, "request": request.key()}
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, request: RouteRequest) -> Route | None:
        """Return the cached route, or ``None`` on a miss or a bad entry (logged)."""
        path = self.path(request)
        try:
            return _load(path)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError) as err:  # UnicodeDecodeError is a ValueError
            reason = (err.strerror if isinstance(err, OSError) else None) or \
                f"{type(err).__name__}: {err}"
            log.warning("warning: ignoring bad route cache entry %s (%s); routing the leg "
                        "again", path, reason)
            return None

    def put(self, request: RouteRequest, route: Route) -> None:
        """Store a route; a failure to write is logged, not raised."""
        path = self.path(request)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(_encode(route)).encode(), sync=False)
        except OSError as err:
            log.warning("warning: can't write route cache %s: %s", path, err.strerror or err)
