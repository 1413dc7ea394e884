"""An on-disk store of computed routes, so a second render does no routing.

Each route is one JSON file named by the SHA-256 of its request (stops'
coordinates and countries, mode, allowed countries), the network data,
the source of the routing modules, the package version and the cache format. Any change makes a new
key, so no entry can go stale; a changed coordinate misses only its own legs.
Files are written to a temporary name and renamed; a corrupt entry is a miss.
This module only stores and loads: :class:`~shiproute.routes.router.Router`
decides when to use it.
"""

from __future__ import annotations

import functools
import hashlib
from importlib.resources import files
import json
import logging
from pathlib import Path
from typing import Any

from shiproute.files import write_atomic
from shiproute.routes.model import Route
from shiproute.routes.routing import RouteRequest
from shiproute.settings import package_version

log = logging.getLogger(__name__)

CACHE_FORMAT = 2
_DATA_FILES = (("shiproute.routes", "data/rail-world.npz"),
               ("shiproute.gazetteer", "data/naturalearth-10m.npz"))
_CODE_FILES = tuple(("shiproute.routes", name) for name in (
    "routing.py", "sea.py", "lanes.py", "rail.py", "_grid.py", "_land.py", "geodesic.py"))
"""The modules that shape a route: editing one (a development install) must not
serve routes the old code drew."""


@functools.cache
def data_version() -> str:
    """Return a hash of the network data, the routing code, its version and searoute's."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for package, name in (*_DATA_FILES, *_CODE_FILES):
        digest.update(files(package).joinpath(name).read_bytes())
    digest.update(package_version().encode())
    try:
        digest.update(version("searoute").encode())
    except PackageNotFoundError:
        digest.update(b"-")
    return digest.hexdigest()[:16]


def _encode(route: Route) -> dict[str, Any]:
    return {
        "points": route.points,
        "distance_km": route.distance_km,
        "source": route.source,
        "flags": route.flags,
        "rule": route.rule,
        "connectors": route.connectors,
        "countries": route.countries,
    }


def _decode(data: dict[str, Any]) -> Route:
    return Route(
        points=tuple((float(a), float(b)) for a, b in data["points"]),
        distance_km=float(data["distance_km"]),
        source=str(data["source"]),
        flags=tuple(str(f) for f in data["flags"]),
        rule=str(data["rule"]),
        connectors=tuple(tuple((float(a), float(b)) for a, b in c) for c in data["connectors"]),
        countries=tuple(str(c) for c in data["countries"]),
    )


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
        """Return the cached route, or ``None`` on a miss or a corrupt entry."""
        path = self.path(request)
        try:
            return _decode(json.loads(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.info("ignoring corrupt route cache entry %s: %s", path, err)
            return None

    def put(self, request: RouteRequest, route: Route) -> None:
        """Store a route; a failure to write is logged, not raised."""
        path = self.path(request)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(_encode(route)).encode())
        except OSError as err:
            log.warning("warning: can't write route cache %s: %s", path, err.strerror or err)
