"""The shipped sea lanes cross no land, and routing on them is fast and as long as before.

Issue "Scale": 100 port pairs took 80 s, because every route was checked and
repaired against land at run time. The lanes are now repaired once, by
``tools/vendor_lanes.py``; these tests check every shipped edge against
Natural Earth 10m land themselves, and compare 100 seeded port pairs with the
distances the old code gave (``tests/data/sea-baseline.json``, recorded by
``bench/sea_pairs.py`` before the change).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
import sys
from typing import Any

import numpy as np
import pytest
import shapely

from shiproute.gazetteer.earth import load_earth
from shiproute.routes._land import geodesic_length_km
from shiproute.routes.lanes import load_lane_network
from shiproute.routes.routing import RouteRequest, Stop, is_unrouted, route_many
from shiproute.routes.sea import sea_path, sea_paths

from sea_land import edge_lines, is_waterway, land_outside_km, lane_arrays

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).with_name("data") / "sea-baseline.json"
WATERWAYS = ROOT / "routes" / "data" / "sea-waterways.csv"


def _land_km_per_edge(lines: list[shapely.LineString]) -> np.ndarray:
    """Km of Natural Earth 10m land under each line (shifted copies across +/-180)."""
    land = load_earth().land.copy()
    shapely.prepare(land)
    tree = shapely.STRtree(land)
    copies, owner = [], []
    for n, geometry in enumerate(lines):
        for turn in (0.0, -360.0, 360.0):
            west, _s, east, _n = geometry.bounds
            if west + turn < 180.0 and east + turn > -180.0:
                copies.append(shapely.transform(geometry, lambda xy, t=turn: np.add(xy, [t, 0.0])))
                owner.append(n)
    shapes = np.array(copies, dtype=object)
    which, hits = tree.query(shapes)
    touching = shapely.intersects(land[hits], shapes[which])
    km = np.zeros(len(lines))
    for i, j in zip(which[touching], hits[touching], strict=True):
        box = shapes[i].buffer(0.01).bounds
        part = shapely.intersection(shapes[i], shapely.clip_by_rect(land[j], *box))
        km[owner[i]] += geodesic_length_km(part)
    return km


@pytest.fixture(scope="module")
def edges() -> dict[str, Any]:
    """The shipped arrays, with the land km this test measures under every edge."""
    data = lane_arrays()
    data["measured"] = _land_km_per_edge(edge_lines(data))
    return data


def _waterways() -> dict[str, dict[str, str]]:
    with WATERWAYS.open(encoding="utf-8") as handle:
        return {row["passage"]: row for row in csv.DictReader(
            line for line in handle if not line.startswith("#"))}


def test_no_lane_edge_crosses_land_except_the_waterways(edges: dict[str, Any]) -> None:
    assert edges["measured"][~is_waterway(edges)].sum() == 0.0
    assert len(edges["km"]) > 15_000


def test_waterway_edges_are_the_listed_waterways_inside_their_boxes(
        edges: dict[str, Any]) -> None:
    listed = _waterways()
    on_land = edges["land_km"] > 0
    passages = edges["passages"][edges["passage"]]
    assert set(passages[on_land].tolist()) == set(listed)
    names = dict(zip(edges["passages"].tolist(), edges["waterway_names"].tolist(), strict=True))
    assert {p: names[p] for p in listed} == {p: row["name"] for p, row in listed.items()}
    for n in np.flatnonzero(on_land):  # tags also mark approaches at sea (Panama's)
        row = listed[passages[n]]
        for node in (edges["edge_a"][n], edges["edge_b"][n]):
            assert float(row["south"]) <= edges["lat"][node] <= float(row["north"])
            assert float(row["west"]) <= edges["lon"][node] <= float(row["east"])
    # the Kiel Canal is the one waterway not in Marnet: sea-extra-edges.csv, cut in 5 km pieces
    assert set(passages[edges["extra"]].tolist()) == {"kiel"}
    assert edges["km"][edges["extra"]].max() <= 5.0
    # the stored land is what this test measures
    assert edges["land_km"][on_land] == pytest.approx(edges["measured"][on_land], abs=0.05)


def test_lanes_record_the_pinned_sdist_and_the_natural_earth_file_they_were_built_from(
) -> None:
    sys.path.insert(0, str(ROOT))
    from tools._vendoring import sha256
    from tools.vendor_lanes import EXTRA_FILE, MARNET, NATURAL_EARTH, WATERWAYS_FILE

    inputs = json.loads(str(lane_arrays()["inputs"]))
    assert inputs["searoute"] == f"searoute-1.6.0.tar.gz {MARNET.sha256}"
    assert inputs["naturalearth"] == f"naturalearth-10m.npz {sha256(NATURAL_EARTH)}"
    assert inputs["extra"] == f"{EXTRA_FILE} {sha256(ROOT / 'routes' / 'data' / EXTRA_FILE)}"
    assert inputs["waterways"] == f"{WATERWAYS_FILE} {sha256(WATERWAYS)}"


def test_no_lane_leads_nowhere_from_the_great_lakes_rivers_removed() -> None:
    network = load_lane_network(frozenset())
    degree = np.diff(network.matrix.indptr)
    assert (degree > 0).all()  # nodes left without edges were dropped


def _baseline() -> list[dict[str, Any]]:
    pairs: list[dict[str, Any]] = json.loads(BASELINE.read_text())["pairs"]
    return pairs


def test_100_port_pairs_cross_no_new_land_and_keep_their_distances_within_2_percent() -> None:
    pairs = _baseline()
    requests = {n: RouteRequest("sea", (Stop("a", *p["origin"][2:], ""),
                                        Stop("b", *p["destination"][2:], "")))
                for n, p in enumerate(pairs)}
    routes = route_many(requests)
    # Trois-Rivieres, up the St Lawrence, routes again since the river is a waterway
    unrouted = [pairs[n]["destination"][1] for n in routes if is_unrouted(routes[n])
                and pairs[n]["km"] is not None]
    assert unrouted == []
    routed = [n for n in routes if not is_unrouted(routes[n])]
    land = {n: land_outside_km(routes[n].points) for n in routed}
    # land left is where a port lies up a river or estuary; the route says so, and no
    # route crosses more land than before
    assert {n for n in routed if land[n] > 0.5 and not routes[n].flags} == set()
    assert {n: km for n, km in land.items() if km > pairs[n]["land_km"] + 0.5} == {}
    off = {n: routes[n].distance_km / pairs[n]["km"] - 1 for n in routed}
    # longer only where the old route cut across land outside the canals (Port Royal, Jamaica);
    # shorter for Baltic ports now reached through the Kiel Canal, and for Harbour Grace,
    # whose old connector crossed 10 km of land and which now joins the lanes over water
    over = {pairs[n]["origin"][1]: round(off[n], 3) for n in routed if abs(off[n]) > 0.02}
    assert over.pop("Port Royal") == pytest.approx(0.056, abs=0.005)  # 12.8 km of land before
    assert over.pop("Santa Cruz de Tenerife") == pytest.approx(-0.029, abs=0.005)
    # the ports' links are found on the fine cells near the port: Atimonan (Luzon) no longer
    # crosses 9.1 km of land to the lanes, and Mistley (on the Stour) reaches the sea by water
    # instead of across 4.9 km of Essex
    assert over.pop("Atimonan") == pytest.approx(0.042, abs=0.005)
    assert over.pop("Cuxhaven") == pytest.approx(-0.044, abs=0.005)
    through_kiel = {pairs[n]["origin"][1] for n in routed
                    if "the Kiel Canal" in routes[n].rule and off[n] < -0.02}
    assert set(over) == through_kiel == {"Jose Ignacio Terminal", "New Holland", "Onoda",
                                         "Porto Empedocle"}


def test_one_search_per_origin_gives_the_routes_of_one_search_per_pair() -> None:
    pairs = [((p["origin"][2], p["origin"][3]), (p["destination"][2], p["destination"][3]))
             for p in _baseline()[:12] if p["km"] is not None]
    origin = pairs[0][0]
    fan = [(origin, destination) for _o, destination in pairs]
    together = sea_paths(fan)
    for pair, path in zip(fan, together, strict=True):
        assert path == sea_path(*pair)
