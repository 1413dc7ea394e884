"""Helpers the test modules share (pytest puts tests/ on sys.path)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading

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
