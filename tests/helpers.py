"""Helpers the test modules share (pytest puts tests/ on sys.path)."""

from __future__ import annotations

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
