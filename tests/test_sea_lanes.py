"""Sea routes join the Marnet lanes where the whole route is shortest, never doubling back.

Issue: ``route Astara Olya --mode sea`` ran 90 km south to the lane node off
Anzali and back (1,108 km with searoute 1.6, while Anzali -> Olya is 1,021 km),
and the route text named the lanes twice.
"""

from __future__ import annotations

import itertools

import pytest

from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.geodesic import geodesic_km
from shiproute.routes.lanes import build_lane_network, load_lane_network
from shiproute.routes.model import LatLon, Route
from shiproute.routes.routing import RouteRequest, Stop, route_many
from shiproute.routes.sea import sea_path

ASTARA = Stop("Astara", 38.43, 48.88, "IR")
ANZALI = Stop("Anzali", 37.47, 49.46, "IR")
OLYA = Stop("Olya", 45.78, 47.55, "RU")
MAKHACHKALA = Stop("Makhachkala", 42.983, 47.516, "RU")
AMIRABAD = Stop("Amirabad", 36.857, 53.378, "IR")
SHANGHAI = Stop("Shanghai", 31.23, 121.49, "CN")
LOS_ANGELES = Stop("Los Angeles", 33.74, -118.26, "US")
BUSAN = Stop("Busan", 35.10, 129.04, "KR")
NOVOROSSIYSK = Stop("Novorossiysk", 44.72, 37.79, "RU")

# searoute 1.6 (searoute.searoute, append_orig_dest=True), as the issue reports them
SEAROUTE_ANZALI_OLYA_KM = 1021.0
SEAROUTE_ASTARA_OLYA_KM = 1108.0

FIRST_KM = 50.0
DOUBLING_BACK_MARGIN_KM = 10.0


def _stops(gazetteer: Gazetteer, *places: Stop | str) -> tuple[Stop, ...]:
    """The stops, names looked up in the bundled gazetteer."""
    sites = {p: gazetteer.resolve(p) for p in places if isinstance(p, str)}
    return tuple(p if isinstance(p, Stop) else
                 Stop(sites[p].name, sites[p].lat, sites[p].lon, sites[p].country) for p in places)


def _sea(*stops: Stop) -> Route:
    return route_many({"leg": RouteRequest("sea", stops)})["leg"]


def _doubling_back_km(points: tuple[LatLon, ...] | list[LatLon], destination: LatLon,
                      first_km: float = FIRST_KM, step_km: float = 0.5) -> float:
    """How far the first ``first_km`` of a path move away from ``destination`` at most.

    Samples the path every ``step_km`` (straight in lat/lon, as drawn; across
    the antimeridian the short way) and returns the largest rise of the
    distance to the destination above the least distance reached before it.
    """
    closest = geodesic_km(points[0], destination)
    worst = 0.0
    along = 0.0
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        lon2 = lon1 + (lon2 - lon1 + 180.0) % 360.0 - 180.0
        km = geodesic_km((lat1, lon1), (lat2, lon2))
        steps = max(1, int(km / step_km))
        for i in range(1, steps + 1):
            if along + km * i / steps > first_km:
                return worst
            lon = lon1 + (lon2 - lon1) * i / steps
            here = (lat1 + (lat2 - lat1) * i / steps, (lon + 180.0) % 360.0 - 180.0)
            gap = geodesic_km(here, destination)
            worst = max(worst, gap - closest)
            closest = min(closest, gap)
        along += km
    return worst


def test_astara_to_olya_is_shorter_than_anzali_to_olya() -> None:
    astara = _sea(ASTARA, OLYA).distance_km
    anzali = _sea(ANZALI, OLYA).distance_km
    assert astara < anzali
    # never shorter than the great circle; Astara is ~105 km nearer Olya than Anzali is
    assert geodesic_km(ASTARA.point, OLYA.point) < astara < 1.15 * geodesic_km(ASTARA.point,
                                                                              OLYA.point)
    assert astara < SEAROUTE_ASTARA_OLYA_KM - 150
    assert geodesic_km(ANZALI.point, OLYA.point) < anzali <= SEAROUTE_ANZALI_OLYA_KM


def test_doubling_back_check_catches_searoute_s_own_astara_route() -> None:
    import searoute

    feature = searoute.searoute([ASTARA.lon, ASTARA.lat], [OLYA.lon, OLYA.lat], units="km",
                                append_orig_dest=True)
    points = [(lat, lon) for lon, lat in feature["geometry"]["coordinates"]]
    assert _doubling_back_km(points, OLYA.point) > 40  # it heads south-east, away from Olya


@pytest.mark.parametrize("pair", [
    (ASTARA, OLYA), ("Rajin", "Vladivostok"), ("Rajin", "Dunay"), (ANZALI, OLYA),
    (AMIRABAD, MAKHACHKALA),
], ids=lambda pair: "-".join(p if isinstance(p, str) else p.name for p in pair))
def test_first_50_km_of_a_sea_route_never_move_away_from_the_destination(
    gazetteer: Gazetteer, pair: tuple[Stop | str, Stop | str]
) -> None:
    origin, destination = _stops(gazetteer, *pair)
    route = _sea(origin, destination)
    assert route.flags == ()
    assert _doubling_back_km(route.points, destination.point) <= DOUBLING_BACK_MARGIN_KM


def test_port_joins_a_farther_node_when_the_nearest_lies_behind_it() -> None:
    # lanes along the equator: N behind the port, F ahead of it, D by the destination
    n, f, d = (-0.5, 0.0), (1.0, 0.0), (9.5, 0.0)
    edges = {n: {f: {"weight": 166.8}}, f: {n: {"weight": 166.8}, d: {"weight": 945.2}},
             d: {f: {"weight": 945.2}}}
    network = build_lane_network([n, f, d], edges)
    port, destination = (0.0, 0.0), (0.0, 10.0)
    nearest = network.entries(port)[0]
    assert network.point(nearest.node) == (0.0, -0.5)
    path = network.route(port, destination)
    assert path.entry.node != nearest.node
    assert path.km == pytest.approx(111.2 + 945.2 + 55.6, abs=0.5)  # straight on to D
    assert path.km < nearest.km + 166.8 + 945.2 + path.exit.km - 100  # 55.6 km back, then on


def test_astara_joins_the_lanes_ahead_of_it_not_its_nearest_node_off_anzali() -> None:
    network = load_lane_network()
    nearest = network.entries(ASTARA.point)[0]
    assert geodesic_km(network.point(nearest.node), ANZALI.point) < 25
    best = network.route(ASTARA.point, OLYA.point)
    assert best.entry.node != nearest.node

    def only_nearest(port: LatLon, node: LatLon) -> float | None:
        if port == ASTARA.point and node != network.point(nearest.node):
            return None
        return geodesic_km(port, node)

    forced = network.route(ASTARA.point, OLYA.point, connect=only_nearest)
    assert forced.entry.node == nearest.node
    assert best.km < forced.km - 100


@pytest.mark.parametrize("stops", [
    (ASTARA, OLYA), (ANZALI, MAKHACHKALA, OLYA), ("Rajin", "Dunay"),
    ("Rajin", "Dunay", "Nakhodka"), ("Rajin", "Vladivostok", BUSAN),
], ids=["lanes", "via", "water-grid", "water-grid-via", "water-grid-then-lanes"])
def test_route_text_names_each_source_and_rule_once(
    gazetteer: Gazetteer, stops: tuple[Stop | str, ...]
) -> None:
    route = _sea(*_stops(gazetteer, *stops))
    text = f"{route.source}; {route.rule}"  # as `shiproute route` prints it
    parts = [p for piece in text.split("; ") for p in piece.split(" + ")]
    assert len(parts) == len(set(parts)), text
    for word in ("Marnet", "searoute", "grid", "lane segment", "via"):
        assert text.count(word) <= 1, text


def test_route_text_says_how_the_lanes_were_joined_and_repaired() -> None:
    route = _sea(ASTARA, OLYA)
    assert route.source == "Marnet sea lanes (searoute data)"
    assert route.rule == ("enters and leaves the lanes where the whole route is shortest; "
                          "2 segments re-routed around land")


def test_shanghai_to_los_angeles_crosses_the_pacific_as_searoute_does() -> None:
    import searoute

    route = _sea(SHANGHAI, LOS_ANGELES)
    lons = [lon for _lat, lon in route.points]
    assert route.points[0] == SHANGHAI.point and route.points[-1] == LOS_ANGELES.point
    assert all(-180 <= lon <= 180 for lon in lons)
    assert any(abs(b - a) > 180 for a, b in itertools.pairwise(lons))  # across the antimeridian
    assert all(lon >= 115 or lon <= -110 for lon in lons)  # not west via Suez or the Cape
    feature = searoute.searoute([SHANGHAI.lon, SHANGHAI.lat], [LOS_ANGELES.lon, LOS_ANGELES.lat],
                                units="km", append_orig_dest=True)
    assert route.distance_km == pytest.approx(feature["properties"]["length"], rel=0.05)


def test_lane_network_normalises_longitudes_and_joins_the_antimeridian() -> None:
    from searoute.data.marnet_dict import node_list

    network = load_lane_network()
    assert network.lon.min() >= -180 and network.lon.max() < 180
    on_antimeridian = network.lat[network.lon == -180.0].tolist()
    # +180/-180 twins are one node
    assert len(set(on_antimeridian)) == len(on_antimeridian) < sum(
        abs(lon) == 180 for lon, _lat in node_list)
    path = network.route(SHANGHAI.point, LOS_ANGELES.point)
    assert 10_000 < path.km < 11_000


def test_closing_a_passage_reroutes_around_it() -> None:
    rotterdam, singapore = (51.95, 4.05), (1.26, 103.83)
    open_km = load_lane_network().route(rotterdam, singapore).km
    closed_km = load_lane_network(frozenset({"northwest", "suez"})).route(rotterdam,
                                                                          singapore).km
    assert open_km < 16_000 < 21_000 < closed_km  # 15,467 km by Suez, 21,917 around the Cape


def test_river_port_joins_the_lanes_over_little_land(gazetteer: Gazetteer) -> None:
    # Shanghai's quays on the Huangpu lie inland in the 10m data: some land can't be avoided,
    # but joining a far node over it (or refusing the port) would be wrong
    shanghai, vladivostok = _stops(gazetteer, SHANGHAI, "Vladivostok")
    path = sea_path(shanghai.point, vladivostok.point)
    assert 0 < path.land_km < 30


def test_shanghai_to_busan_survives_invalid_land_polygons() -> None:
    # the union of clipped Natural Earth land raised a GEOS TopologyException here
    assert sea_path(SHANGHAI.point, BUSAN.point).land_km < 30
