"""Natural Earth land, countries and borders at 1:10m and 1:110m, shipped with the package.

The data comes from the npm package world-atlas (Natural Earth, public
domain), decoded and cut at the antimeridian by
``tools/vendor_naturalearth.py``; see ``gazetteer/data/README.md``. At 1:10m
positions are accurate to a few hundred metres (the TopoJSON quantisation), so
land and water features under ~0.5 km are noise; 1:110m is a much coarser
outline for world-scale maps. Both carry a label point and the area of each
country.
"""

from __future__ import annotations

from dataclasses import dataclass
import functools
from importlib.resources import files
import io
import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import shapely

if TYPE_CHECKING:
    from numpy.typing import NDArray

DATA_FILE = "naturalearth-10m.npz"
"""The 1:10m file, the default scale (routing and the route cache depend on it)."""
Scale = Literal["10m", "110m"]
"""A Natural Earth scale shipped with the package."""
KM_PER_DEGREE = 111.32
NEAR_COAST_DEGREES = 0.1
"""How far a point may lie off Natural Earth's country outlines and still get its country."""
"""Kilometres per degree of latitude (and of longitude at the equator), for short distances."""


def _geometries(arrays: Any, prefix: str, kind: shapely.GeometryType) -> NDArray[Any]:
    grid = float(arrays["grid"])
    coords = np.cumsum(arrays[f"{prefix}_delta"], axis=0, dtype=np.int64) * grid
    offsets = []
    n = 0
    while f"{prefix}_offsets{n}" in arrays:
        offsets.append(arrays[f"{prefix}_offsets{n}"].astype(np.int64))
        n += 1
    geometries: NDArray[Any] = shapely.from_ragged_array(kind, coords, tuple(offsets))
    return geometries


def _inside(tree: shapely.STRtree, shapes: NDArray[Any], lon: NDArray[Any],
            lat: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Return (point, shape) index pairs where a point lies inside a shape.

    Candidates come from the tree's bounding boxes; each shape then tests its
    candidates at once with ``contains_xy`` on the prepared polygon, which is
    much faster for continent-sized polygons than a per-point predicate query.
    """
    point_index, shape_index = tree.query(shapely.points(lon, lat))
    keep = np.zeros(point_index.shape, dtype=bool)
    for shape in np.unique(shape_index):
        rows = np.flatnonzero(shape_index == shape)
        chosen = point_index[rows]
        keep[rows] = shapely.contains_xy(shapes[shape], lon[chosen], lat[chosen])
    return point_index[keep], shape_index[keep]


@dataclass(frozen=True, eq=False)
class Earth:
    """Land polygons, country polygons with ISO codes, and land borders.

    Parameters
    ----------
    land
        Land polygons (lon/lat), one per island or continent part.
    countries
        One MultiPolygon per country, aligned with ``codes`` and ``names``.
    codes
        ISO 3166-1 alpha-2 codes; ``""`` for places without one.
    names
        Natural Earth names.
    borders
        Land borders between countries, as lines.
    label_lat, label_lon
        Where to write each country's name, in WGS84 degrees, aligned with
        ``codes``: the pole of inaccessibility of the country's largest part.
    area_km2
        Each country's geodesic area in km2 (all its parts), aligned with
        ``codes``; lets a map show small countries' names only when zoomed in.
    """

    land: NDArray[Any]
    countries: NDArray[Any]
    codes: tuple[str, ...]
    names: tuple[str, ...]
    borders: NDArray[Any]
    label_lat: NDArray[np.float64]
    label_lon: NDArray[np.float64]
    area_km2: NDArray[np.float64]

    @functools.cached_property
    def land_tree(self) -> shapely.STRtree:
        """Spatial index over :attr:`land` (whose polygons it prepares for fast tests)."""
        shapely.prepare(self.land)
        return shapely.STRtree(self.land)

    @functools.cached_property
    def country_tree(self) -> shapely.STRtree:
        """Spatial index over :attr:`countries` (whose polygons it prepares)."""
        shapely.prepare(self.countries)
        return shapely.STRtree(self.countries)

    def on_land(self, lon: NDArray[Any], lat: NDArray[Any]) -> NDArray[Any]:
        """Return whether each point lies on land (lakes and rivers count as land).

        Parameters
        ----------
        lon, lat
            Arrays of WGS84 degrees.

        Returns
        -------
        numpy.ndarray of bool
        """
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        out = np.zeros(lon.shape, dtype=bool)
        point_index, _land_index = _inside(self.land_tree, self.land, lon, lat)
        out[point_index] = True
        return out

    def country_of(self, lon: NDArray[Any], lat: NDArray[Any]) -> NDArray[Any]:
        """Return the country code at each point, ``""`` at sea or in no country.

        Parameters
        ----------
        lon, lat
            Arrays of WGS84 degrees.

        Returns
        -------
        numpy.ndarray of str
        """
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        out = np.full(lon.shape, "", dtype="<U2")
        point_index, country_index = _inside(self.country_tree, self.countries, lon, lat)
        out[point_index] = np.asarray(self.codes, dtype="<U2")[country_index]
        return out

    def km_outside(self, lat: float, lon: float, code: str) -> float | None:
        """Return how far a point lies outside a country, in km (0 inside).

        The distance is measured in degrees and scaled at the point's
        latitude, good to a few percent at the distances that matter here.

        Parameters
        ----------
        lat, lon
            The point.
        code
            ISO 3166-1 alpha-2 code.

        Returns
        -------
        float or None
            ``None`` when Natural Earth has no polygon for ``code``.
        """
        if code not in self.codes:
            return None
        shape = self.countries[self.codes.index(code)]
        point = shapely.Point(lon, lat)
        if shape.covers(point):
            return 0.0
        return _km_to(point, shape)

    def km_inland(self, lat: float, lon: float, *, within_km: float = 500.0) -> float:
        """Return how far a point lies from the coast of the land it is on, in km (0 at sea).

        Lakes count as land (see :meth:`on_land`); the Caspian is sea.

        Parameters
        ----------
        lat, lon
            The point.
        within_km
            How far to look for the coast.

        Returns
        -------
        float
            ``math.inf`` when no coast lies within ``within_km``.
        """
        point = shapely.Point(lon, lat)
        hits = self.land_tree.query(point, predicate="intersects")
        if not len(hits):
            return 0.0
        dy = within_km / KM_PER_DEGREE
        dx = min(180.0, dy / max(np.cos(np.radians(lat)), 0.01))
        coast = shapely.union_all(clip_to_box(shapely.boundary(self.land[hits]),
                                              lon - dx, lat - dy, lon + dx, lat + dy))
        km = math.inf if coast.is_empty else _km_to(point, coast)
        return km if km <= within_km else math.inf


def clip_to_box(geometries: Any, west: float, south: float, east: float, north: float
                ) -> Any:
    """Return geometries clipped to a (west, south, east, north) box, never raising on valid ones.

    GEOS's fast rectangle clip (``shapely.clip_by_rect``) can fail on a valid
    polygon, leaving a ring of 3 points at the cut (an Ionian islet off
    Lefkada does); then the general, slower intersection is used.

    Parameters
    ----------
    geometries
        A shapely geometry or an array of them (lon/lat).
    west, south, east, north
        The box, degrees.

    Returns
    -------
    shapely geometry or array
        As ``shapely.clip_by_rect`` returns; pieces may be invalid where the
        cut touches a hole, as with it.
    """
    try:
        return shapely.clip_by_rect(geometries, west, south, east, north)
    except shapely.errors.GEOSException:
        return shapely.intersection(geometries, shapely.box(west, south, east, north))


def _km_to(point: shapely.Point, shape: shapely.Geometry) -> float:
    """Return the distance from a point to a shape in km, scaled at the point's latitude."""
    nearest = shapely.shortest_line(point, shape).coords[-1]
    dx = (nearest[0] - point.x) * np.cos(np.radians(point.y))
    dy = nearest[1] - point.y
    return float(np.hypot(dx, dy) * KM_PER_DEGREE)


def load_earth(scale: Scale = "10m") -> Earth:
    """Load the shipped Natural Earth data at one scale (cached per scale).

    Parameters
    ----------
    scale
        ``"10m"`` (1:10m, the detailed outline that routing and place checks
        use) or ``"110m"`` (1:110m, a light outline for world-scale maps).

    Returns
    -------
    Earth
        The same object on every call with the same scale.

    Raises
    ------
    ValueError
        If ``scale`` is not a shipped scale.
    """
    if scale not in ("10m", "110m"):
        message = f"Unknown Natural Earth scale {scale!r}; use '10m' or '110m'."
        raise ValueError(message)
    return _load(scale)


@functools.cache
def _load(scale: Scale) -> Earth:
    """Read one scale's file, once: ``load_earth()`` and ``load_earth("10m")`` share it."""
    name = DATA_FILE if scale == "10m" else f"naturalearth-{scale}.npz"
    raw = files("shiproute.gazetteer").joinpath("data", name).read_bytes()
    with np.load(io.BytesIO(raw)) as arrays:
        return Earth(
            land=_geometries(arrays, "land", shapely.GeometryType.POLYGON),
            countries=_geometries(arrays, "countries", shapely.GeometryType.MULTIPOLYGON),
            codes=tuple(str(c) for c in arrays["country_codes"]),
            names=tuple(str(n) for n in arrays["country_names"]),
            borders=_geometries(arrays, "borders", shapely.GeometryType.LINESTRING),
            label_lat=np.asarray(arrays["country_label_lat"], dtype=np.float64),
            label_lon=np.asarray(arrays["country_label_lon"], dtype=np.float64),
            area_km2=np.asarray(arrays["country_area_km2"], dtype=np.float64),
        )


def country_at(lat: float, lon: float) -> str:
    """Return the Natural Earth country at a point, or within 0.1 degree of it.

    Parameters
    ----------
    lat, lon
        WGS84 degrees.

    Returns
    -------
    str
        The ISO 3166-1 alpha-2 code; ``""`` at sea, farther off every coast.
    """
    earth = load_earth("10m")
    code = str(earth.country_of(np.array([lon]), np.array([lat]))[0])
    if code:
        return code
    near = earth.country_tree.query_nearest(shapely.Point(lon, lat),
                                            max_distance=NEAR_COAST_DEGREES)
    return earth.codes[int(near[0])] if len(near) else ""
