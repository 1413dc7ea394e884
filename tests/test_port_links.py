"""Ports join the sea lanes by links found once, when the lanes were vendored.

Issue "Scale": sea routes were 29x slower than searoute, because every port's
links to the lanes were searched for on a grid at run time (1,000 grid
searches for 100 port pairs, 777 of them failing). The links of every known
port now ship in ``routes/data/sea-port-links.npz``; these tests check that
the file is the one the code and the shipped lanes give, and what the links
do where the old searches failed: a port up a fjord, a channel narrower than
the grid.
"""

from __future__ import annotations

from pathlib import Path
import random
import sqlite3
import sys
from typing import get_args

import pytest
import shapely

from shiproute.routes import _grid
from shiproute.routes.lanes import LaneNetwork, Passage, build_lane_network, load_lane_network
from shiproute.routes.links import (
    PortLink,
    PortLinks,
    essential,
    find_links,
    load_link_table,
)
from shiproute.routes.sea import sea_path, sea_paths

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.vendor_port_links import known_ports  # noqa: E402

TAHSIS = (49.916667, -126.666667)  # UNLOCODE:CAPTA, at the head of a fjord of Vancouver Island
TANABE = (33.721235, 135.380059)  # UNLOCODE:JPTAE


def test_the_shipped_links_were_built_on_the_shipped_lanes_for_every_known_port() -> None:
    table = load_link_table()
    assert table is not None  # None: the lanes changed since, and every port is searched
    ports = set(zip(table.port_lat.tolist(), table.port_lon.tolist(), strict=True))
    assert ports == set(known_ports())
    with sqlite3.connect(ROOT / "gazetteer" / "data" / "reference.sqlite") as db:
        reference = set(db.execute("SELECT lat, lon FROM places WHERE layer = 'ports'"))
    assert len(reference) == 3_913 and reference < ports
    assert ports - reference == {(42.2445, 130.3), (42.887, 132.345), (43.107, 131.893),
                                 (42.805, 132.888), (36.857, 53.378)}  # the bundled ports


def test_the_shipped_links_are_what_the_code_finds_now() -> None:
    table = load_link_table()
    assert table is not None
    network = load_lane_network()
    closed = load_lane_network(frozenset(get_args(Passage)))
    sample = [*random.Random(17).sample(known_ports(), 6), TAHSIS]
    for port in sample:
        assert table.get(port, network) == essential(find_links(port), closed), port


def test_a_known_port_is_routed_without_any_grid_search(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    searches = []
    monkeypatch.setattr(_grid, "_Raster", lambda *a: searches.append(a))  # any search fails
    links = PortLinks(load_lane_network())
    assert links.complete(TAHSIS) and links.complete(TANABE)
    assert searches == []


def test_a_fjord_port_reaches_the_open_sea_over_water() -> None:
    # Tahsis lies 2 km inland in the 10m data, at the head of a fjord narrower than the
    # grid of a search that reaches all its lane nodes; the fine cells near the port
    # take it out. Joined over land instead, its routes crossed 60 km of Vancouver Island.
    path = sea_path(TAHSIS, TANABE)
    assert path.land_km < 2.5  # the land the data draws around the port, reported
    assert path.points[1][1] < TAHSIS[1] + 0.05  # out through the fjord, west, not overland east


def test_a_place_that_is_not_a_known_port_gets_its_links_as_it_is_routed() -> None:
    near_tahsis = (49.9, -126.67)  # 2 km from the known port: not in the table
    links = PortLinks(load_lane_network())
    assert not links.complete(near_tahsis)  # nodes behind land: searched only when asked
    (path,) = sea_paths([(near_tahsis, TANABE)])
    assert not isinstance(path, Exception)
    assert path.land_km < 2.5
    known = sea_path(TAHSIS, TANABE)
    assert abs(sum(1 for _ in path.points) - len(known.points)) < 10
    assert abs(_km(path.points) - _km(known.points)) < 10.0


def _km(points: tuple[tuple[float, float], ...]) -> float:
    from shiproute.routes._land import path_length_km

    return path_length_km(points)


def _line_network() -> LaneNetwork:
    # three nodes on the equator, 111 km apart: (lon, lat) keys, as in searoute's Marnet
    return build_lane_network([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)],
                              {(0.0, 0.0): {(1.0, 0.0): {"weight": 111.0}},
                               (1.0, 0.0): {(2.0, 0.0): {"weight": 111.0}}})


def test_a_link_beaten_by_another_link_and_the_lanes_is_left_out() -> None:
    network = _line_network()
    near = PortLink(0, ((0.5, 0.0), (0.0, 0.0)), 60.0)
    far_cheap = PortLink(2, ((0.5, 0.0), (0.0, 2.0)), 150.0)  # cheaper than 60 + 222 km
    far_dear = PortLink(1, ((0.5, 0.0), (0.0, 1.0)), 180.0)  # dearer than 60 + 111 km
    assert essential([near, far_dear, far_cheap], network) == (near, far_cheap)


def test_of_two_equal_links_joined_by_a_free_lane_one_is_kept() -> None:
    network = build_lane_network([(0.0, 0.0), (0.000001, 0.0)],
                                 {(0.0, 0.0): {(0.000001, 0.0): {"weight": 0.0}}})
    first = PortLink(0, ((0.5, 0.0), (0.0, 0.0)), 55.0)
    second = PortLink(1, ((0.5, 0.0), (0.0, 0.000001)), 55.0)
    assert essential([first, second], network) == (first,)


def test_a_channel_narrower_than_the_grid_is_passed_on_the_fine_cells_near_the_start() -> None:
    # a basin joined to the open sea (west of 0) by a 0.6 km channel: cells of 0.5 km that
    # touch its shores block it; the half-size cells of the window near the basin do not
    half = 0.3 / 111.2
    land = shapely.box(0.0, -1.0, 1.0, 1.0).difference(shapely.union_all([
        shapely.box(0.0, -half, 0.2, half), shapely.box(0.2, -0.05, 0.3, 0.05)]))
    basin, sea = (0.0, 0.25), (0.0, -0.5)
    bounds = (-1.0, -1.0, 1.0, 1.0)
    assert _grid.grid_paths(basin, [sea], land, bounds) == [None]
    (found,) = _grid.grid_paths(basin, [sea], land, bounds, near=(-0.05, -0.3, 0.55, 0.3))
    assert found is not None
    assert found[0] == basin and found[-1] == sea
    assert not shapely.intersects(land, shapely.LineString([(x, y) for y, x in found]))


def _wall(north: float) -> shapely.Polygon:
    return shapely.box(0.02, -0.2, 0.035, north)  # 1.7 km thick, from the window's south edge


def _land_km(wall: shapely.Polygon, path: tuple[tuple[float, float], ...]) -> float:
    from shiproute.routes._land import geodesic_length_km

    track = shapely.LineString([(lon, lat) for lat, lon in path])
    return geodesic_length_km(shapely.intersection(track, wall))


def test_costly_cells_are_crossed_only_where_no_water_path_exists() -> None:
    start, end = (0.0, 0.0), (0.0, 0.055)
    bounds = (-0.2, -0.2, 0.2, 0.2)
    # open to the north: around it by water (13 km) beats 1.7 km of land counted 10 times
    (around,) = _grid.grid_paths(start, [end], shapely.Polygon(), bounds, costly=_wall(0.03))
    assert around is not None
    assert _land_km(_wall(0.03), around) < 0.75  # at most its two corners, cut by grid steps
    assert max(lat for lat, _lon in around) > 0.03
    # closed from edge to edge: straight across, the only way
    (across,) = _grid.grid_paths(start, [end], shapely.Polygon(), bounds, costly=_wall(0.2))
    assert across is not None
    assert _land_km(_wall(0.2), across) == pytest.approx(1.67, abs=0.05)
    assert max(abs(lat) for lat, _lon in across) < 0.01


@pytest.mark.parametrize("bounds", [
    (129.5, 41.8, 133.5, 43.8),  # Rajin to Nakhodka: bays, islands, the Tumen mouth
    (4.5, 59.5, 7.5, 61.0),  # the fjords around Bergen
    (-127.5, 49.3, -125.8, 50.6),  # Tahsis and the islands off Vancouver Island
    (120.5, 13.0, 123.0, 15.0),  # Luzon's Lamon Bay and Hondagua
])
def test_the_raster_is_the_point_in_polygon_test_of_every_cell(
        bounds: tuple[float, float, float, float]) -> None:
    # the grid tests one point per piece of cells clear of the coast, not every cell
    import numpy as np

    from shiproute.routes._land import land_around

    land = land_around(bounds)
    raster = _grid._Raster.of(land, bounds, 0.5, 300_000)
    cells = np.meshgrid(raster.xs, raster.ys)
    each = ~shapely.contains_xy(land, *cells) & ~_grid._near_edge(
        shapely.boundary(land), raster.xs, raster.ys, raster.dx, raster.dy)
    assert raster.free.sum() > 10_000 and (~raster.free).sum() > 10_000
    assert np.array_equal(raster.free, each)
