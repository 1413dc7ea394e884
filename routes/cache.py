"""An on-disk cache of computed routes, so a second render does no routing.

Each route is one JSON file named by the SHA-256 of its request (stops'
coordinates and countries, mode, allowed countries), the network data
version, the package version and the cache format. Any change makes a new
key, so no entry can go stale; a changed coordinate misses only its own legs.
Files are written to a temporary name and renamed; a corrupt entry is a miss.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import functools
import hashlib
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
import json
import logging
from pathlib import Path
from typing import Any

from gazetteer._atomic import write_atomic
from routes.model import Route
from routes.routing import RouteRequest, route_many, share_identical

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
_DATA_FILES = (("routes", "data/rail-world.npz"), ("gazetteer", "data/naturalearth-10m.npz"))


def default_cache_dir() -> Path:
    """Return the user's cache directory for routes (platformdirs)."""
    from platformdirs import user_cache_path

    return user_cache_path("shiproute") / "routes"


@functools.cache
def data_version() -> str:
    """Return a hash of the network data, the routing code version and searoute's version."""
    digest = hashlib.sha256()
    for package, name in _DATA_FILES:
        digest.update(files(package).joinpath(name).read_bytes())
    for distribution in ("shiproute", "searoute"):
        try:
            digest.update(version(distribution).encode())
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


def _decode(leg_id: str, data: dict[str, Any]) -> Route:
    return Route(
        leg_id=leg_id,
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
        Network data version; part of every key.
    """

    def __init__(self, directory: Path, version: str) -> None:
        self.directory = directory
        self.version = version

    def path(self, request: RouteRequest) -> Path:
        """Return the file that holds the route of ``request``."""
        key = {"format": CACHE_FORMAT, "data": self.version, "request": request.key()}
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, leg_id: str, request: RouteRequest) -> Route | None:
        """Return the cached route, or ``None`` on a miss or a corrupt entry."""
        path = self.path(request)
        try:
            return _decode(leg_id, json.loads(path.read_bytes()))
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


def cached_route_many(
    requests: Mapping[str, RouteRequest],
    cache: RouteCache | None,
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Route]:
    """Route requests, taking what it can from the cache and storing the rest.

    Parameters
    ----------
    requests
        Requests by leg id.
    cache
        The cache, or ``None`` to route everything.
    progress
        See :func:`routes.routing.route_many`.

    Returns
    -------
    dict of str to Route
        By leg id, in the order of ``requests``.
    """
    shared = share_identical(
        requests, lambda unique: cached_route_many(unique, cache, progress=progress))
    if shared is not None:
        return shared
    found: dict[str, Route] = {}
    if cache is not None:
        for leg_id, request in requests.items():
            route = cache.get(leg_id, request)
            if route is not None:
                found[leg_id] = route
    missing = {k: r for k, r in requests.items() if k not in found}
    if missing:
        routed = route_many(missing, progress=progress)
        if cache is not None:
            for leg_id, route in routed.items():
                cache.put(missing[leg_id], route)
        found.update(routed)
    return {leg_id: found[leg_id] for leg_id in requests}
