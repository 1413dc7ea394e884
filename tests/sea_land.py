"""The independent land test of sea routes, shared by the sea tests (tests/ is on sys.path).

A route is sampled every 100 m and the samples on Natural Earth 10m land are
counted, except within 3 km of its ports and within 2 km of the waterway
edges of the shipped lanes (canals, narrow straits and rivers the 10m data
draws as land). It reads the shipped arrays itself, not the routing code.
"""

from __future__ import annotations

from collections.abc import Sequence
import functools
from importlib.resources import files
import io
import itertools
from typing import Any

import numpy as np
import shapely

from shiproute.gazetteer.earth import load_earth
from shiproute.routes.model import LatLon

PORT_KM = 3.0
CORRIDOR_KM = 2.0
STEP_KM = 0.1


def lane_arrays() -> dict[str, Any]:
    """Return the arrays of the shipped ``sea-lanes.npz``."""
    raw = files("shiproute.routes").joinpath("data", "sea-lanes.npz").read_bytes()
    with np.load(io.BytesIO(raw)) as data:
        return {name: data[name] for name in data.files}


def edge_lines(data: dict[str, Any]) -> list[shapely.LineString]:
    """Return the edges as lines, the second end's longitude within 180 degrees of the first's."""
    lat, lon = data["lat"], data["lon"]
    a, b = data["edge_a"], data["edge_b"]
    lon_b = lon[a] + (lon[b] - lon[a] + 180.0) % 360.0 - 180.0
    return [shapely.LineString([(x1, y1), (x2, y2)])
            for x1, y1, x2, y2 in zip(lon[a], lat[a], lon_b, lat[b], strict=True)]


def is_waterway(data: dict[str, Any]) -> np.ndarray:
    """Return, per edge, whether it belongs to a named waterway."""
    return np.asarray(data["waterway_names"][data["passage"]] != "")


def _buffered_km(line: shapely.LineString, km: float) -> Any:
    """The area within ``km`` of a short line, in degrees (longitudes scaled at its latitude)."""
    scale = np.cos(np.radians(line.centroid.y))
    local = shapely.transform(line, lambda xy: xy * [scale, 1.0])
    return shapely.transform(local.buffer(km / 111.2), lambda xy: xy / [scale, 1.0])


@functools.cache
def waterway_corridors() -> Any:
    """Return the area within ``CORRIDOR_KM`` of every waterway edge, prepared."""
    data = lane_arrays()
    lines = np.array(edge_lines(data), dtype=object)[is_waterway(data)]
    corridors = shapely.union_all([_buffered_km(each, CORRIDOR_KM) for each in lines])
    shapely.prepare(corridors)
    return corridors


def _samples(points: Sequence[LatLon]) -> np.ndarray:
    out = []
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        lon2 = lon1 + (lon2 - lon1 + 180.0) % 360.0 - 180.0
        km = 111.2 * np.hypot(lat2 - lat1, (lon2 - lon1) * np.cos(np.radians(lat1)))
        t = np.arange(max(1, int(km / STEP_KM))) / max(1, int(km / STEP_KM))
        out.append(np.column_stack([lat1 + (lat2 - lat1) * t, lon1 + (lon2 - lon1) * t]))
    samples = np.concatenate([*out, np.array([points[-1]])])
    samples[:, 1] = (samples[:, 1] + 180.0) % 360.0 - 180.0
    return samples


def land_outside_km(points: Sequence[LatLon], ports: Sequence[LatLon] = ()) -> float:
    """Return the km of a route on land, beyond 3 km of its ports and 2 km of the waterways.

    Parameters
    ----------
    points
        The route, (lat, lon).
    ports
        The ports it calls at; its two ends when empty.
    """
    samples = _samples(points)
    ends = np.array(ports or [points[0], points[-1]])
    gap = np.hypot(samples[:, None, 0] - ends[None, :, 0],
                   (samples[:, None, 1] - ends[None, :, 1])
                   * np.cos(np.radians(samples[:, None, 0]))) * 111.2
    keep = (gap.min(axis=1) > PORT_KM) & ~shapely.contains_xy(
        waterway_corridors(), samples[:, 1], samples[:, 0])
    return float(load_earth().on_land(samples[keep, 1], samples[keep, 0]).sum()) * STEP_KM
