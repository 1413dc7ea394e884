"""Great-circle paths between sites, densified so they curve on a web map."""

from __future__ import annotations

from pyproj import Geod

from shiproute.routes.model import LatLon

_WGS84 = Geod(ellps="WGS84")


def geodesic_points(start: LatLon, end: LatLon, *, step_km: float = 25.0) -> tuple[LatLon, ...]:
    """Return points along the WGS84 geodesic from ``start`` to ``end``.

    Parameters
    ----------
    start, end
        (lat, lon) ends.
    step_km
        Largest spacing between consecutive points, in km; short enough that
        the path curves correctly on a Web Mercator map.

    Returns
    -------
    tuple of (lat, lon)
        Both ends included.
    """
    (lat1, lon1), (lat2, lon2) = start, end
    _az1, _az2, metres = _WGS84.inv(lon1, lat1, lon2, lat2)
    between = max(int(metres / 1000 / step_km), 0)
    inner = _WGS84.npts(lon1, lat1, lon2, lat2, between) if between else []
    return (start, *((lat, lon) for lon, lat in inner), end)


def geodesic_km(start: LatLon, end: LatLon) -> float:
    """Return the WGS84 geodesic distance between two (lat, lon) points, in km."""
    (lat1, lon1), (lat2, lon2) = start, end
    return float(_WGS84.inv(lon1, lat1, lon2, lat2)[2]) / 1000
