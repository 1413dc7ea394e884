"""Land and water tests for routing, on the shipped Natural Earth 10m land."""

from __future__ import annotations

from collections.abc import Sequence
import math
from typing import Any

import numpy as np
from pyproj import Geod
import shapely

from shiproute.gazetteer.earth import KM_PER_DEGREE, clip_to_box, load_earth
from shiproute.routes.model import LatLon

_WGS84 = Geod(ellps="WGS84")


def line(points: Sequence[LatLon]) -> shapely.LineString:
    """Return a shapely line (lon, lat order) through (lat, lon) points."""
    return shapely.LineString([(lon, lat) for lat, lon in points])


def disk(centre: LatLon, radius_km: float) -> shapely.Polygon:
    """Return a polygon in degrees approximating a disk of ``radius_km`` on the ground."""
    lat, lon = centre
    circle = shapely.Point(0.0, 0.0).buffer(radius_km / KM_PER_DEGREE, quad_segs=16)
    scale = 1.0 / max(math.cos(math.radians(lat)), 0.01)
    return shapely.transform(circle, lambda xy: xy * [scale, 1.0] + [lon, lat])


def land_within(bounds: tuple[float, float, float, float]) -> Any:
    """Return the land inside a (west, south, east, north) box as one geometry."""
    earth = load_earth()
    west, south, east, north = bounds
    hits = earth.land_tree.query(shapely.box(west, south, east, north), predicate="intersects")
    if not len(hits):
        return shapely.Polygon()
    pieces = clip_to_box(earth.land[hits], west, south, east, north)
    # clipping valid polygons to a box can leave invalid pieces (a hole touching the cut),
    # which make the union raise; repairing the few that are is cheap
    broken = ~shapely.is_valid(pieces)
    pieces[broken] = shapely.make_valid(pieces[broken])
    return shapely.union_all(pieces)


def geodesic_length_km(geometry: Any) -> float:
    """Return the WGS84 length of a (multi)line in km."""
    if geometry.is_empty:
        return 0.0
    return float(_WGS84.geometry_length(geometry)) / 1000


def path_length_km(points: Sequence[LatLon]) -> float:
    """Return the WGS84 length along (lat, lon) points, in km."""
    if len(points) < 2:
        return 0.0
    lats, lons = zip(*points, strict=True)
    return float(_WGS84.line_length(lons, lats)) / 1000


def land_km(points: Sequence[LatLon], exempt: Sequence[LatLon] = (), radius_km: float = 3.0,
            *, waterways: Any = None) -> float:
    """Return how many km of a path lie on land outside disks around ``exempt`` points.

    Parameters
    ----------
    points
        The path.
    exempt
        Points (the ports a sea route joins) whose surroundings may be land.
    radius_km
        Radius of the exempt disks.
    waterways
        Land that counts as water, such as
        :func:`~shiproute.routes.sea.waterway_corridor` gives, or None.

    Returns
    -------
    float
        Length on land, km.
    """
    path = line(points)
    land = land_within(_padded(path.bounds, 0.05))
    if exempt:
        land = land.difference(shapely.union_all([disk(p, radius_km) for p in exempt]))
    if waterways is not None:
        land = land.difference(waterways)
    return geodesic_length_km(shapely.intersection(path, land))


def water_km(points: Sequence[LatLon]) -> float:
    """Return how many km of a path lie off land (sea, or Caspian-like lakes)."""
    path = line(points)
    land = land_within(_padded(path.bounds, 0.05))
    return geodesic_length_km(shapely.difference(path, land))


def _padded(bounds: tuple[float, float, float, float], pad: float
            ) -> tuple[float, float, float, float]:
    west, south, east, north = bounds
    return (west - pad, south - pad, east + pad, north + pad)


def unwrapped(points: Sequence[LatLon]) -> list[LatLon]:
    """Return the points with each longitude within 180 degrees of the one before."""
    out = [points[0]]
    for lat, lon in points[1:]:
        out.append((lat, lon + 360.0 * round((out[-1][1] - lon) / 360.0)))
    return out


def box_around(points: Sequence[LatLon], margin: float) -> tuple[float, float, float, float]:
    """Return the (west, south, east, north) box of (lat, lon) points, ``margin`` degrees wider."""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin)


def shifted(geometry: Any, degrees: float) -> Any:
    """Return a lon/lat geometry moved ``degrees`` east."""
    return shapely.transform(geometry, lambda xy: np.add(xy, [degrees, 0.0]))


def land_around(bounds: tuple[float, float, float, float]) -> Any:
    """Return the land in a (west, south, east, north) box whose sides may lie beyond +/-180."""
    west, south, east, north = bounds
    parts = []
    for turn in (-360.0, 0.0, 360.0):
        low, high = max(west - turn, -180.0), min(east - turn, 180.0)
        if low < high:
            found = land_within((low, south, high, north))
            parts.append(found if turn == 0.0 else shifted(found, turn))
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def copies(geometry: Any) -> list[Any]:
    """Return a geometry and its copies shifted by 360 degrees that overlap [-180, 180]."""
    west, _south, east, _north = geometry.bounds
    return [geometry if turn == 0.0 else shifted(geometry, turn)
            for turn in (0.0, -360.0, 360.0) if west + turn < 180.0 and east + turn > -180.0]


def touches_land(geometries: Any) -> Any:
    """Return whether each (continuous-longitude) geometry touches Natural Earth 10m land; fast.

    Uses the prepared polygons as loaded, so it costs microseconds per geometry.
    """
    earth = load_earth()
    pieces = [(n, copy) for n, geometry in enumerate(geometries) for copy in copies(geometry)]
    shapes = np.array([copy for _n, copy in pieces], dtype=object)
    out = np.zeros(len(geometries), dtype=bool)
    if not len(shapes):
        return out
    which, hits = earth.land_tree.query(shapes)
    touching = shapely.intersects(earth.land[hits], shapes[which])
    out[[pieces[i][0] for i in which[touching]]] = True
    return out
