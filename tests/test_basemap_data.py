"""The shipped basemap data: Natural Earth at two scales, lakes, cities and sea labels.

Every check reads the files the package ships (no network); the vendoring
scripts' ``--check`` proves the files match a fresh build from their sources.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from pyproj import Geod
import pytest
import shapely

from shiproute.gazetteer.earth import Scale, load_earth
from shiproute.maps.geodata import City, SeaLabel, load_cities, load_lakes, load_sea_labels

EXPECTED_LAND_KM2 = 146.8e6


def _geodesic_km2(polygons: Any) -> float:
    geod = Geod(ellps="WGS84")
    return sum(abs(geod.geometry_area_perimeter(p)[0]) for p in polygons) / 1e6


def test_110m_land_covers_the_earth_s_land_area_within_two_percent() -> None:
    area = _geodesic_km2(load_earth("110m").land)
    assert abs(area - EXPECTED_LAND_KM2) < 0.02 * EXPECTED_LAND_KM2


@pytest.mark.parametrize("scale", ["10m", "110m"])
def test_every_polygon_is_valid_as_shipped(scale: Scale) -> None:
    # at 10m, rounding to the storage grid once left 10 invalid land polygons (Eurasia among
    # them), and land tests near them raised GEOSException
    earth = load_earth(scale)
    assert shapely.is_valid(earth.land).all()
    assert shapely.is_valid(earth.countries).all()


def test_110m_keeps_the_antimeridian_cut_no_band_around_the_globe() -> None:
    earth = load_earth("110m")
    # The false strip GDAL makes from Fiji's geostitched rings runs along 16.8 S.
    pacific = np.array([-179.5, -170.0, -150.0, -120.0, 160.0, 170.0, 175.0])
    assert not earth.on_land(pacific, np.full(pacific.shape, -16.8)).any()
    assert earth.on_land(np.array([178.0, -64.0]), np.array([-17.8, -16.8])).all()  # Fiji, Bolivia
    west, _south, east, _north = shapely.total_bounds(earth.land)
    assert west >= -180.0 and east <= 180.0


def test_load_earth_defaults_to_10m_and_caches_each_scale() -> None:
    assert load_earth() is load_earth("10m")
    assert load_earth("110m") is load_earth("110m")
    assert len(load_earth("110m").countries) < len(load_earth().countries)
    with pytest.raises(ValueError, match="50m"):
        load_earth("50m")  # type: ignore[arg-type]


@pytest.mark.parametrize("scale", ["10m", "110m"])
def test_label_and_area_arrays_align_with_the_countries(scale: str) -> None:
    earth = load_earth(scale)  # type: ignore[arg-type]
    n = len(earth.codes)
    for values in (earth.label_lat, earth.label_lon, earth.area_km2):
        assert values.shape == (n,) and values.dtype == np.float64
    assert (earth.area_km2 > 0).all()
    russia = earth.area_km2[earth.codes.index("RU")]
    assert 16.5e6 < russia < 17.5e6


@pytest.mark.parametrize("scale", ["10m", "110m"])
@pytest.mark.parametrize("code", ["RU", "KP", "IR", "UA", "KZ"])
def test_country_label_point_lies_in_its_country(scale: str, code: str) -> None:
    earth = load_earth(scale)  # type: ignore[arg-type]
    index = earth.codes.index(code)
    km = earth.km_outside(float(earth.label_lat[index]), float(earth.label_lon[index]), code)
    assert km is not None and km <= 30.0


def test_world_atlas_names_for_the_countries_of_the_bundled_data() -> None:
    for scale in ("10m", "110m"):
        earth = load_earth(scale)  # type: ignore[arg-type]
        names = dict(zip(earth.codes, earth.names, strict=True))
        assert names["RU"] == "Russia"
        assert names["KP"] == "North Korea"
        assert names["KR"] == "South Korea"


def test_lakes_include_baikal_and_ladoga() -> None:
    lakes, areas = load_lakes()
    for lat, lon in ((53.5, 108.0), (61.0, 31.5)):
        inside = np.flatnonzero(shapely.contains_xy(lakes, lon, lat))
        assert len(inside) == 1
    baikal = int(np.flatnonzero(shapely.contains_xy(lakes, 108.0, 53.5))[0])
    assert 30_000 < areas[baikal] < 34_000


def test_lakes_include_khanka_on_the_russia_china_border() -> None:
    lakes, areas = load_lakes()
    (khanka,) = np.flatnonzero(shapely.contains_xy(lakes, 132.4, 45.0))
    assert 3_500 < areas[khanka] < 5_000


def test_no_lake_covers_the_open_caspian() -> None:
    lakes, _areas = load_lakes()
    assert not shapely.contains_xy(lakes, 50.5, 42.0).any()


def test_every_lake_polygon_is_valid_and_has_its_area() -> None:
    lakes, areas = load_lakes()
    assert len(lakes) == len(areas) > 500
    assert shapely.is_valid(lakes).all()
    assert set(shapely.get_type_id(lakes).tolist()) == {shapely.GeometryType.POLYGON}
    assert (np.diff(areas) <= 0).all()  # largest first
    assert areas.min() >= 1.0


def _city(name: str, country: str) -> City:
    (city,) = [c for c in load_cities() if c.name == name and c.country == country]
    return city


def test_cities_include_moscow_as_a_capital_of_over_ten_million() -> None:
    moscow = _city("Moscow", "RU")
    assert moscow.capital and moscow.population > 10_000_000
    assert abs(moscow.lat - 55.75) < 0.1 and abs(moscow.lon - 37.62) < 0.1


def test_cities_include_pyongyang_as_capital_and_vladivostok_and_tehran() -> None:
    assert _city("Pyongyang", "KP").capital
    assert not _city("Vladivostok", "RU").capital
    assert _city("Tehran", "IR").capital


def test_cities_are_large_or_capitals_and_sorted_by_population() -> None:
    cities = load_cities()
    assert all(c.population >= 100_000 or c.capital for c in cities)
    populations = [c.population for c in cities]
    assert populations == sorted(populations, reverse=True)
    assert len({c.geonameid for c in cities}) == len(cities)


def test_every_sea_label_is_on_water_at_10m() -> None:
    labels = load_sea_labels()
    lat = np.array([s.lat for s in labels])
    lon = np.array([s.lon for s in labels])
    on_land = load_earth().on_land(lon, lat)
    assert not on_land.any(), [s.name for s, land in zip(labels, on_land, strict=True) if land]


def test_sea_label_names_are_unique_but_for_the_two_sided_oceans() -> None:
    counts = Counter(s.name for s in load_sea_labels())
    assert counts.pop("Pacific Ocean") == 2
    assert counts.pop("Atlantic Ocean") == 2
    assert set(counts.values()) == {1}


def test_sea_labels_name_the_seas_around_the_bundled_data() -> None:
    by_name = {s.name: s for s in load_sea_labels()}
    for name in ("Sea of Japan (East Sea)", "Black Sea", "Caspian Sea", "Pacific Ocean"):
        assert name in by_name
    assert "Sea of Japan" not in by_name and "East Sea" not in by_name
    assert by_name["Pacific Ocean"].rank == 1
    assert by_name["Peter the Great Gulf"].rank == 3
    assert {s.rank for s in load_sea_labels()} == {1, 2, 3}


def test_sea_label_rejects_a_rank_outside_one_to_three() -> None:
    with pytest.raises(ValueError, match="rank 4"):
        SeaLabel(name="Nowhere Sea", lat=0.0, lon=0.0, rank=4)  # type: ignore[arg-type]
