"""Helpers the test modules share (pytest puts tests/ on sys.path)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
import sqlite3
import threading
from typing import Any

from shiproute.routes.cache import FILE_NAME
from shiproute.routes.geodesic import geodesic_km, geodesic_points
from shiproute.routes.model import Dataset, Route
from shiproute.routes.routed import RoutedDataset


def great_circles(dataset: Dataset) -> RoutedDataset:
    """Route every leg as a great circle: renders and analyses without touching a network."""
    geometries = []
    for leg in dataset.legs:
        a = (dataset.sites[leg.origin].lat, dataset.sites[leg.origin].lon)
        b = (dataset.sites[leg.destination].lat, dataset.sites[leg.destination].lon)
        geometries.append(Route(geodesic_points(a, b), geodesic_km(a, b), "great circle"))
    return RoutedDataset(dataset, tuple(geometries),
                         {leg.id: i for i, leg in enumerate(dataset.legs)})


class _QuietServer(ThreadingHTTPServer):
    """Keeps request errors out of stderr, which tests capture."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 in a thread; yield ``"127.0.0.1:PORT"``."""
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def cache_entries(directory: Path) -> dict[str, tuple[Any, Any]]:
    """Return the route cache entries under ``directory``: key to (meta, points)."""
    with closing(sqlite3.connect(directory / FILE_NAME)) as db:
        return {key: (meta, points) for key, meta, points
                in db.execute("SELECT key, meta, points FROM routes")}


def set_cache_entry(directory: Path, key: str, meta: Any, points: Any) -> None:
    """Overwrite one route cache entry under ``directory`` with any values (poison it)."""
    with closing(sqlite3.connect(directory / FILE_NAME)) as db, db:
        db.execute("UPDATE routes SET meta = ?, points = ? WHERE key = ?", (meta, points, key))
