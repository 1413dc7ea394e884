"""Sea routes along the Marnet lanes of ``searoute``, repaired where they cross land.

searoute's network is coarse near small ports: in Peter the Great Gulf it has
two nodes, and its answers from Rajin cut across capes and headlands. Every
segment of its answer that crosses Natural Earth land (outside 3 km disks
around the two ports, which themselves lie on land at 10m scale) is replaced
by a water-only path found on a 0.5 km grid around the segment. For ports
less than 500 km apart the shortest water path on that grid is also searched,
and used when it is shorter than the (repaired) lane.

Where the coastline data has no water path at all (canals such as Suez,
straits narrower than the data such as the Bosphorus, river ports), the lane
is kept and the land it crosses is reported, so the map can flag it. A port
whose nearest lane is more than 100 km away over land has no sea route.
"""

from __future__ import annotations

from dataclasses import dataclass
import itertools

import shapely

from shiproute.errors import NoRouteError
from shiproute.routes._grid import grid_path
from shiproute.routes._land import disk, land_km, land_within, line, path_length_km
from shiproute.routes.model import LatLon

PORT_RADIUS_KM = 3.0
MAX_APPROACH_KM = 100.0
DIRECT_KM = 500.0  # ports closer than this also get a direct water-grid search
MARGINS_DEG = (0.3, 1.0)


@dataclass(frozen=True, slots=True)
class SeaPath:
    """A sea route before it is attached to a leg.

    Parameters
    ----------
    points
        (lat, lon) from port to port.
    repaired
        How many of searoute's segments were replaced to avoid land.
    land_km
        Land still crossed outside the port disks, in km, where no water path
        exists in the 10m coastline data: canals (Suez), straits narrower than
        the data (the Bosphorus), or a port up a river.
    direct
        Whether the path is the shortest water path on the coastline grid,
        which replaces the Marnet lane for nearby ports when it is shorter.
    """

    points: tuple[LatLon, ...]
    repaired: int
    land_km: float
    direct: bool = False


def _marnet(origin: LatLon, destination: LatLon) -> list[LatLon]:
    import searoute

    try:
        feature = searoute.searoute(
            [origin[1], origin[0]], [destination[1], destination[0]], units="km",
            append_orig_dest=True,
        )
    except Exception as err:  # searoute raises bare errors for unreachable points
        raise NoRouteError(f"searoute found no sea lane: {err}") from err
    coords = feature["geometry"]["coordinates"] if feature else []
    if len(coords) < 2:
        raise NoRouteError("searoute found no sea lane")
    return [(float(lat), float(lon)) for lon, lat in coords]


def _repair(a: LatLon, b: LatLon, exempt: shapely.Geometry) -> tuple[LatLon, ...] | None:
    for margin in MARGINS_DEG:
        bounds = (
            min(a[1], b[1]) - margin, min(a[0], b[0]) - margin,
            max(a[1], b[1]) + margin, max(a[0], b[0]) + margin,
        )
        blocked = land_within(bounds).difference(exempt)
        found = grid_path(a, b, blocked, bounds)
        if found is not None:
            return found
    return None


def sea_path(origin: LatLon, destination: LatLon) -> SeaPath:
    """Return a sea route between two ports that does not cross land.

    Parameters
    ----------
    origin, destination
        (lat, lon) of the ports.

    Returns
    -------
    SeaPath

    Raises
    ------
    NoRouteError
        If searoute has no lane, or no lane comes within 100 km of a port
        over water (a lake or sea without Marnet lanes).
    """
    lane = _marnet(origin, destination)
    exempt = shapely.union_all([disk(origin, PORT_RADIUS_KM), disk(destination, PORT_RADIUS_KM)])
    points: list[LatLon] = [lane[0]]
    repaired = 0
    last = len(lane) - 2
    for n, (a, b) in enumerate(itertools.pairwise(lane)):
        segment = line([a, b])
        west, south, east, north = segment.bounds
        land = land_within((west - 0.05, south - 0.05, east + 0.05, north + 0.05))
        fixed = None
        if shapely.intersects(segment, land.difference(exempt)):
            fixed = _repair(a, b, exempt)
            if fixed is None and n in (0, last) and path_length_km([a, b]) > MAX_APPROACH_KM:
                port = origin if n == 0 else destination
                raise NoRouteError(
                    f"no sea lane reaches {port[0]:.3f}, {port[1]:.3f}: the nearest lane is "
                    f"{path_length_km([a, b]):.0f} km away over land"
                )
        if fixed is None:
            points.append(b)
        else:
            points.extend(fixed[1:])
            repaired += 1
    remaining = land_km(points, (origin, destination), PORT_RADIUS_KM)
    lane_path = SeaPath(tuple(points), repaired, remaining)
    if path_length_km([origin, destination]) > DIRECT_KM:
        return lane_path
    direct = _repair(origin, destination, exempt)
    if direct is None or path_length_km(direct) >= path_length_km(points):
        return lane_path
    return SeaPath(direct, 0, 0.0, direct=True)
