"""Waterways: the canals, narrow straits and rivers the 10m coastline draws as land.

They are lane edges tagged with their names (``data/sea-waterways.csv``, see
:mod:`shiproute.routes.lanes`). Land within :data:`CORRIDOR_KM` of them counts
as water, for the lanes, the port links and the land tests of sea routes alike,
so a river port joins its river where it lies.
"""

from __future__ import annotations

from collections.abc import Sequence
import functools
import math
from typing import Any

import numpy as np
import shapely

from shiproute.gazetteer.earth import KM_PER_DEGREE
from shiproute.routes._land import disk, line, shifted, touches_land, unwrapped
from shiproute.routes.lanes import LaneNetwork, load_lane_network
from shiproute.routes.model import LatLon

CORRIDOR_KM = 2.0  # land this close to a waterway's centreline is the waterway


@functools.cache
def _corridors(network: LaneNetwork) -> tuple[Any, list[str], shapely.STRtree]:
    """Return the waterway edges buffered by ``CORRIDOR_KM`` (lon/lat), their names, an index."""
    pairs = sorted(network.waterways)
    shapes = []
    for a, b in pairs:
        (lat_a, lon_a), (lat_b, lon_b) = unwrapped([network.point(a), network.point(b)])
        scale = max(math.cos(math.radians((lat_a + lat_b) / 2)), 0.01)
        local = shapely.LineString([(lon_a * scale, lat_a), (lon_b * scale, lat_b)])
        shapes.append(shapely.transform(local.buffer(CORRIDOR_KM / KM_PER_DEGREE),
                                        lambda xy, s=scale: xy / [s, 1.0]))
    corridors = np.array(shapes, dtype=object)
    return corridors, [network.waterways[p] for p in pairs], shapely.STRtree(corridors)


def waterway_corridor(area: Any) -> Any:
    """Return the waterways that meet an area: land that counts as water.

    Land tests of sea routes leave it out, as they leave out the ports.

    Parameters
    ----------
    area
        A shapely geometry, lon/lat; longitudes may run beyond +/-180 (a
        route across the antimeridian).

    Returns
    -------
    shapely geometry
        The union of the waterway corridors that meet ``area``, in its
        longitudes; empty where no waterway passes.
    """
    corridors, _names, tree = _corridors(load_lane_network())
    parts: list[Any] = []
    for turn in (-360.0, 0.0, 360.0):
        hits = tree.query(shifted(area, -turn) if turn else area, predicate="intersects")
        parts.extend(corridors[hits] if turn == 0.0 else
                     [shifted(g, turn) for g in corridors[hits]])
    return shapely.union_all(parts) if parts else shapely.Polygon()


def waterways_through(points: Sequence[LatLon], port_km: float) -> tuple[str, ...]:
    """Return the waterways a port link follows over land, in order (its land is theirs).

    Parameters
    ----------
    points
        The link, port first.
    port_km
        Radius of the disk around the port whose land is the port's.

    Returns
    -------
    tuple of str
        Waterway names (``"the lower Volga (Volga-Caspian canal)"``), each once.
    """
    path = line(points).difference(disk(points[0], port_km))
    if not touches_land([path])[0]:
        return ()
    corridors, names, tree = _corridors(load_lane_network())
    hits = tree.query(path, predicate="intersects")
    along = sorted(hits, key=lambda i: path.project(corridors[i].centroid))
    return tuple(dict.fromkeys(names[i] for i in along))
