"""Routes on the real networks: sea lanes that avoid land, railways that stay in a country."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from shiproute.gazetteer.earth import load_earth
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.model import LatLon, Route
from shiproute.routes.routing import RouteRequest, Stop, is_unrouted, route_many


def _stop(gazetteer: Gazetteer, name: str) -> Stop:
    site = gazetteer.resolve(name)
    return Stop(site.name, site.lat, site.lon, site.country)


def _route(gazetteer: Gazetteer, mode: str, *names: str, countries: tuple[str, ...] = ()
           ) -> Route:
    request = RouteRequest(mode, tuple(_stop(gazetteer, n) for n in names), countries)  # type: ignore[arg-type]
    return route_many({"leg": request})["leg"]


def _km(a: LatLon, b: LatLon) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    cos = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(min(1.0, max(-1.0, cos)))


def _samples(points: tuple[LatLon, ...], step_km: float = 0.1) -> list[LatLon]:
    """Points every ``step_km`` along a path (straight in lon/lat, as drawn)."""
    out = []
    for a, b in itertools.pairwise(points):
        n = max(1, int(_km(a, b) / step_km))
        out.extend((a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n))
    return [*out, points[-1]]


def _land_samples_km(route: Route, ends: tuple[LatLon, LatLon], radius_km: float = 3.0) -> float:
    """Km of a route on land, >radius from both ends, by 100 m sampling (independent check)."""
    samples = [p for p in _samples(route.points) if min(_km(p, e) for e in ends) > radius_km]
    lat = np.array([p[0] for p in samples])
    lon = np.array([p[1] for p in samples])
    return float(load_earth().on_land(lon, lat).sum()) * 0.1


@pytest.mark.parametrize("port", ["Dunay", "Vladivostok", "Nakhodka"])
def test_sea_routes_from_rajin_never_cross_land(gazetteer: Gazetteer, port: str) -> None:
    route = _route(gazetteer, "sea", "Rajin", port)
    ends = (route.points[0], route.points[-1])
    assert _land_samples_km(route, ends) == 0.0
    assert route.flags == ()
    assert 150 < route.distance_km < 400
    assert route.distance_nm == pytest.approx(route.distance_km / 1.852)


def test_sea_route_reaches_both_ports(gazetteer: Gazetteer) -> None:
    route = _route(gazetteer, "sea", "Rajin", "Dunay")
    assert route.points[0] == (42.2445, 130.3) and route.points[-1] == (42.887, 132.345)


def test_rail_vladivostok_tikhoretsk_stays_in_russia_via_khabarovsk(gazetteer: Gazetteer) -> None:
    route = _route(gazetteer, "rail", "Vladivostok", "Tikhoretsk")
    assert 8500 < route.distance_km < 10500
    assert route.countries == ("RU",)
    lat = np.array([p[0] for p in route.points])
    lon = np.array([p[1] for p in route.points])
    on_land = {c for c in load_earth().country_of(lon, lat).tolist() if c}
    assert on_land == {"RU"}
    khabarovsk = (48.491, 135.088)
    assert min(_km(p, khabarovsk) for p in route.points) < 25
    assert route.rule == "within RU (the countries of its stops)"


def test_rail_shortest_path_anywhere_runs_through_china(gazetteer: Gazetteer) -> None:
    route = _route(gazetteer, "rail", "Vladivostok", "Tikhoretsk", countries=("CN", "KZ"))
    assert "CN" in route.countries
    assert route.distance_km < _route(gazetteer, "rail", "Vladivostok", "Tikhoretsk").distance_km
    assert route.rule == "countries CN, KZ, RU (as the leg allows)"


def test_rail_via_waypoint_passes_it(gazetteer: Gazetteer) -> None:
    route = _route(gazetteer, "rail", "Vladivostok", "Vostochny Cosmodrome", "Khabarovsk")
    cosmodrome = (51.884, 128.334)
    assert min(_km(p, cosmodrome) for p in route.points) < 25
    assert route.rule.startswith("via Vostochny Cosmodrome; within RU")


def test_rail_dunay_to_tikhoretsk_never_crosses_water(gazetteer: Gazetteer) -> None:
    route = _route(gazetteer, "rail", "Dunay", "Tikhoretsk ammunition depot")
    assert 8500 < route.distance_km < 10500
    for path in (route.points, *route.connectors):
        samples = _samples(path, step_km=0.5)
        lat = np.array([p[0] for p in samples])
        lon = np.array([p[1] for p in samples])
        off_land = int((~load_earth().on_land(lon, lat)).sum())
        assert off_land * 0.5 <= 1.0  # coastal track within the data's ~0.3 km noise
    (connector,) = route.connectors
    assert connector[0] == (42.887, 132.345)
    assert route.flags == ("Dunay is 40 km from the railway network: dashed connector",)


def test_unroutable_sea_leg_falls_back_to_a_flagged_great_circle(gazetteer: Gazetteer) -> None:
    baikal = Stop("Listvyanka", 51.85, 104.87, "RU")
    request = RouteRequest("sea", (baikal, _stop(gazetteer, "Vladivostok")))
    route = route_many({"leg": request})["leg"]
    assert is_unrouted(route)
    assert route.flags[0].startswith(
        "unrouted: port inland with no waterway: no sea lane or waterway reaches 51.850, "
        "104.870 over water, and the nearest is ")
    assert len(route.points) > 50  # densified great circle
    assert route.distance_km == pytest.approx(_km(baikal.point, (43.107, 131.893)), rel=0.01)


def test_unroutable_rail_leg_between_continents_falls_back(gazetteer: Gazetteer) -> None:
    sydney = Stop("Sydney", -33.88, 151.2, "AU")
    request = RouteRequest("rail", (_stop(gazetteer, "Vladivostok"), sydney))
    route = route_many({"leg": request})["leg"]
    assert is_unrouted(route)
    assert route.flags == ("unrouted: no rail network piece reaches both places",)


def test_air_leg_is_a_densified_great_circle(gazetteer: Gazetteer) -> None:
    route = _route(gazetteer, "air", "Pyongyang Sunan airport", "Tikhoretsk")
    assert len(route.points) > 200
    assert route.distance_km == pytest.approx(_km(route.points[0], route.points[-1]), rel=0.005)
    assert max(p[0] for p in route.points) > 51  # bulges north of both ends (39 N, 46 N)
    assert route.flags == ()


def test_road_leg_is_flagged_as_not_on_a_road_network(gazetteer: Gazetteer) -> None:
    route = _route(gazetteer, "road", "Khasan", "Vladivostok")
    assert route.flags == ("no offline road network: drawn as a great circle",)


def test_rail_searches_in_batches_of_origins_give_the_paths_of_one_search(
    gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shiproute.routes import rail

    network = rail.load_rail_network()
    mask = network.allowed(("RU",))
    names = ["Vladivostok", "Khabarovsk", "Tikhoretsk", "Novorossiysk", "Moscow"]
    places = [(site.lat, site.lon) for site in map(gazetteer.resolve, names)]
    pairs = list(itertools.permutations(places, 2))
    whole = network.paths(pairs, mask)
    monkeypatch.setattr(rail, "SEARCH_CELLS", 2 * len(network.lat))  # two origins a search
    searched: list[int] = []
    shortest = rail.RailNetwork.shortest

    def counted(self: rail.RailNetwork, sources: list[int], allowed: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        searched.append(len(sources))
        return shortest(self, sources, allowed)

    monkeypatch.setattr(rail.RailNetwork, "shortest", counted)
    batched = network.paths(pairs, mask)
    assert searched == [2, 2, 1]
    assert [(p.nodes, p.km) for p in batched] == [(p.nodes, p.km) for p in whole]
    assert all(isinstance(p, rail.RailPath) and p.km > 100 for p in whole)
