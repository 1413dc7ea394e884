"""Clusters of sites that are far from the rest: the map's one-click views and its inset.

A dataset like the bundled one has a dense hub (Rajin, Dunay, Vladivostok and
Tumangang lie within about 200 km) and a destination 6,500 km away
(Tikhoretsk). Fitted to everything, the hub is a few pixels wide; the map
offers a view per cluster, and an inset of the densest one.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from shiproute.routes.model import Dataset

if TYPE_CHECKING:
    from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088
LINK_FRACTION = 1 / 20  # sites closer than this share of the data's extent join a cluster
MAX_SPREAD_FRACTION = 1 / 4  # a cluster wider than this share of the extent is no hub
MAX_VIEWS = 6


@dataclass(frozen=True, slots=True)
class View:
    """A named part of the map worth a view of its own.

    Parameters
    ----------
    name
        Button label, e.g. ``"Rajin area"``.
    bounds
        (south, west, north, east) of its sites, degrees.
    sites
        Indices of its sites in the dataset's site order.
    """

    name: str
    bounds: tuple[float, float, float, float]
    sites: tuple[int, ...]

    def to_json(self) -> dict[str, object]:
        """Return the view for the page data."""
        return {"name": self.name, "bounds": list(self.bounds), "sites": list(self.sites)}


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _chord(km: float) -> float:
    return 2 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2)


def _linked_groups(xyz: NDArray[Any], link: float) -> list[list[int]]:
    """Return the groups of points joined by chains of steps shorter than ``link`` (chord).

    Points are bucketed in a 3-D grid of ``link``-sized cells, so each is
    compared only with the points of its own and the 26 neighbouring cells
    (union-find keeps the groups).
    """
    parent = list(range(len(xyz)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cells: dict[tuple[int, ...], list[int]] = {}
    keys = [tuple(k) for k in np.floor(xyz / link).astype(np.int64).tolist()]
    for i, key in enumerate(keys):
        cells.setdefault(key, []).append(i)
    steps = [(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)]
    for i, key in enumerate(keys):
        for dx, dy, dz in steps:
            for j in cells.get((key[0] + dx, key[1] + dy, key[2] + dz), ()):
                if j > i and float(np.linalg.norm(xyz[i] - xyz[j])) < link:
                    parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(xyz)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def cluster_views(dataset: Dataset) -> list[View]:
    """Return the clusters of two or more sites that are small next to the whole map.

    Sites closer than 1/20 of the data's extent are linked (single linkage);
    a linked group of two or more sites spanning less than a quarter of the
    extent is a cluster. The largest clusters come first, at most six.

    Parameters
    ----------
    dataset
        The dataset.

    Returns
    -------
    list of View
        Empty when the sites are not spread out enough to need views.
    """
    sites = list(dataset.sites.values())
    if len(sites) < 3:
        return []
    xyz = np.array([_unit(s.lat, s.lon) for s in sites])
    # the diameter, by two sweeps: the farthest site from any site, then from that one
    far = int(np.argmax(np.linalg.norm(xyz - xyz[0], axis=1)))
    extent_chord = float(np.linalg.norm(xyz - xyz[far], axis=1).max())
    extent_km = 2 * EARTH_RADIUS_KM * math.asin(min(extent_chord / 2, 1.0))
    if extent_km <= 0:
        return []
    weight = dict.fromkeys(dataset.sites, 0)
    for leg in dataset.legs:
        weight[leg.origin] += 1
        weight[leg.destination] += 1
    for event in dataset.events:
        weight[event.site] += 1
    views = []
    for members in _linked_groups(xyz, _chord(extent_km * LINK_FRACTION)):
        if len(members) < 2 or len(members) == len(sites):
            continue
        points = xyz[members]
        far = int(np.argmax(np.linalg.norm(points - points[0], axis=1)))
        spread = float(np.linalg.norm(points - points[far], axis=1).max())
        if 2 * EARTH_RADIUS_KM * math.asin(min(spread / 2, 1.0)) > extent_km * MAX_SPREAD_FRACTION:
            continue
        lats = [sites[i].lat for i in members]
        lons = [sites[i].lon for i in members]
        hub = max(members, key=lambda i: (weight[sites[i].id], -i))
        views.append(View(f"{sites[hub].name} area",
                          (min(lats), min(lons), max(lats), max(lons)), tuple(members)))
    views.sort(key=lambda v: (-len(v.sites), v.sites[0]))
    return views[:MAX_VIEWS]
