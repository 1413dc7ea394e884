"""The offline basemap: Natural Earth land and borders around the map's extent."""

from __future__ import annotations

from typing import Any

import shapely

from shiproute.gazetteer.earth import load_earth
from shiproute.maps._encode import encode_path

MARGIN_DEG = 5.0


def basemap(bounds: tuple[float, float, float, float]) -> dict[str, list[Any]]:
    """Return land rings and border lines clipped to ``bounds`` plus a margin, simplified.

    The simplification tolerance grows with the extent (1/8000 of it: 1.5 km
    for the bundled dataset), which keeps coasts faithful down to regional
    zoom levels and the file small (about 90 kB for the bundled dataset).

    Parameters
    ----------
    bounds
        (south, west, north, east) of the data, degrees.

    Returns
    -------
    dict
        ``land``: polygons, each a list of encoded rings (outer first);
        ``borders``: encoded lines.
    """
    south, west, north, east = bounds
    box = (max(west - MARGIN_DEG, -180.0), max(south - MARGIN_DEG, -85.0),
           min(east + MARGIN_DEG, 180.0), min(north + MARGIN_DEG, 85.0))
    tolerance = max(box[2] - box[0], box[3] - box[1]) / 8000
    earth = load_earth()
    window = shapely.box(*box)
    land: list[list[str]] = []
    for index in earth.land_tree.query(window, predicate="intersects"):
        clipped = shapely.clip_by_rect(earth.land[index], *box).simplify(tolerance)
        for polygon in getattr(clipped, "geoms", [clipped]):
            if isinstance(polygon, shapely.Polygon) and not polygon.is_empty:
                rings = (polygon.exterior, *polygon.interiors)
                land.append([_encode_ring(ring) for ring in rings])
    borders = []
    hits = shapely.STRtree(earth.borders).query(window, predicate="intersects")
    for index in hits:
        clipped = shapely.clip_by_rect(earth.borders[index], *box).simplify(tolerance)
        for line in getattr(clipped, "geoms", [clipped]):
            if isinstance(line, shapely.LineString) and len(line.coords) > 1:
                borders.append(_encode_ring(line))
    return {"land": land, "borders": borders}


def _encode_ring(geometry: Any) -> str:
    return encode_path([(lat, lon) for lon, lat in geometry.coords])
