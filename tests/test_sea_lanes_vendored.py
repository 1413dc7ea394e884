"""The shipped sea lanes cross no land, and routing on them is fast and as long as before.

Issue "Scale": 100 port pairs took 80 s, because every route was checked and
repaired against land at run time. The lanes are now repaired once, by
``tools/vendor_lanes.py``; these tests check every shipped edge against
Natural Earth 10m land themselves, and compare 100 seeded port pairs with the
distances the old code gave (``tests/data/sea-baseline.json``, recorded by
``bench/sea_pairs.py`` before the change).
"""

from __future__ import annotations

from importlib.resources import files
import io
import itertools
import json
from pathlib import Path
import sys
import time
from typing import Any

import numpy as np
import pytest
import shapely

from shiproute.gazetteer.earth import load_earth
from shiproute.routes._land import geodesic_length_km
from shiproute.routes.lanes import load_lane_network
from shiproute.routes.model import LatLon
from shiproute.routes.routing import RouteRequest, Stop, is_unrouted, route_many
from shiproute.routes.sea import sea_path, sea_paths

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).with_name("data") / "sea-baseline.json"
NARROWS = {"bosporus", "dardanelles", "panama", "suez"}
# where each kept passage lies: (south, west, north, east)
NARROWS_BOXES = {"suez": (27.5, 32.0, 31.5, 34.0), "panama": (8.5, -80.2, 9.9, -79.3),
                 "bosporus": (40.9, 28.8, 41.3, 29.3), "dardanelles": (40.0, 26.0, 41.0, 28.6),
                 "volga_don": (45.5, 39.0, 49.0, 48.5)}
PORT_KM = 3.0
CORRIDOR_KM = 2.0
# CPU time of route_many on the 100 pairs, lanes and land not yet loaded: 300 s before the
# lanes were vendored (the old code, measured on the development machine, 2 cores)
PAIRS_LIMIT_S = 150.0


def _arrays() -> dict[str, Any]:
    raw = files("shiproute.routes").joinpath("data", "sea-lanes.npz").read_bytes()
    with np.load(io.BytesIO(raw)) as data:
        return {name: data[name] for name in data.files}


def _edge_lines(data: dict[str, Any]) -> list[shapely.LineString]:
    """Edges as lines, the second end's longitude within 180 degrees of the first's."""
    lat, lon = data["lat"], data["lon"]
    a, b = data["edge_a"], data["edge_b"]
    lon_b = lon[a] + (lon[b] - lon[a] + 180.0) % 360.0 - 180.0
    return [shapely.LineString([(x1, y1), (x2, y2)])
            for x1, y1, x2, y2 in zip(lon[a], lat[a], lon_b, lat[b], strict=True)]


def _land_km_per_edge(lines: list[shapely.LineString]) -> np.ndarray:
    """Km of valid Natural Earth 10m land under each line (shifted copies across +/-180)."""
    land = load_earth().land.copy()
    broken = ~shapely.is_valid(land)
    land[broken] = shapely.make_valid(land[broken])
    land = np.array([shapely.union_all([p for p in shapely.get_parts(g) if p.area > 0])
                     for g in land], dtype=object)
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
    data = _arrays()
    data["measured"] = _land_km_per_edge(_edge_lines(data))
    return data


def test_no_lane_edge_crosses_land_except_the_kept_canals_and_straits(
        edges: dict[str, Any]) -> None:
    kept = edges["land_km"] > 0
    assert edges["measured"][~kept].sum() == 0.0
    assert len(edges["km"]) > 15_000


def test_only_the_canals_narrow_straits_and_listed_waterways_are_kept_over_land(
        edges: dict[str, Any]) -> None:
    kept = np.flatnonzero(edges["land_km"] > 0)
    passages = edges["passages"][edges["passage"][kept]]
    assert set(passages[~edges["extra"][kept]].tolist()) == NARROWS
    # the extra edges of sea-extra-edges.csv: the Volga-Don route, the Caspian's outlet
    assert set(passages[edges["extra"][kept]].tolist()) == {"volga_don"}
    assert edges["extra"].sum() == 56
    for n, passage in zip(kept, passages, strict=True):
        south, west, north, east = NARROWS_BOXES[passage]
        for node in (edges["edge_a"][n], edges["edge_b"][n]):
            assert south <= edges["lat"][node] <= north and west <= edges["lon"][node] <= east
    # the stored land is what this test measures, so routes through them report it
    assert edges["land_km"][kept] == pytest.approx(edges["measured"][kept], abs=0.05)


def test_lanes_record_the_pinned_sdist_and_the_natural_earth_file_they_were_built_from(
) -> None:
    sys.path.insert(0, str(ROOT))
    from tools._vendoring import sha256
    from tools.vendor_lanes import EXTRA_FILE, MARNET, NATURAL_EARTH

    inputs = json.loads(str(_arrays()["inputs"]))
    assert inputs["searoute"] == f"searoute-1.6.0.tar.gz {MARNET.sha256}"
    assert inputs["naturalearth"] == f"naturalearth-10m.npz {sha256(NATURAL_EARTH)}"
    assert inputs["extra"] == f"{EXTRA_FILE} {sha256(ROOT / 'routes' / 'data' / EXTRA_FILE)}"


def test_no_lane_leads_nowhere_from_the_great_lakes_rivers_removed() -> None:
    network = load_lane_network(frozenset())
    degree = np.diff(network.matrix.indptr)
    assert (degree > 0).all()  # nodes left without edges were dropped


def _baseline() -> list[dict[str, Any]]:
    pairs: list[dict[str, Any]] = json.loads(BASELINE.read_text())["pairs"]
    return pairs


def _samples(points: tuple[LatLon, ...], step_km: float = 0.1) -> np.ndarray:
    out = []
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        lon2 = lon1 + (lon2 - lon1 + 180.0) % 360.0 - 180.0
        km = 111.2 * np.hypot(lat2 - lat1, (lon2 - lon1) * np.cos(np.radians(lat1)))
        t = np.arange(max(1, int(km / step_km))) / max(1, int(km / step_km))
        out.append(np.column_stack([lat1 + (lat2 - lat1) * t, lon1 + (lon2 - lon1) * t]))
    samples = np.concatenate([*out, np.array([points[-1]])])
    samples[:, 1] = (samples[:, 1] + 180.0) % 360.0 - 180.0
    return samples


def _land_outside_ports_and_narrows_km(points: tuple[LatLon, ...], corridors: Any) -> float:
    """Km on land by 100 m sampling, beyond 3 km of the ends and 2 km of the kept narrows."""
    samples = _samples(points)
    ends = np.array([points[0], points[-1]])
    gap = np.hypot(samples[:, None, 0] - ends[None, :, 0],
                   (samples[:, None, 1] - ends[None, :, 1])
                   * np.cos(np.radians(samples[:, None, 0]))) * 111.2
    keep = (gap.min(axis=1) > PORT_KM) & ~shapely.contains_xy(corridors, samples[:, 1],
                                                              samples[:, 0])
    return float(load_earth().on_land(samples[keep, 1], samples[keep, 0]).sum()) * 0.1


def test_100_port_pairs_cross_no_new_land_and_keep_their_distances_within_2_percent() -> None:
    data = _arrays()
    kept = data["land_km"] > 0
    lines = np.array(_edge_lines(data), dtype=object)[kept]
    corridors = shapely.union_all(shapely.buffer(lines, CORRIDOR_KM / 111.2))
    pairs = _baseline()
    requests = {n: RouteRequest("sea", (Stop("a", *p["origin"][2:], ""),
                                        Stop("b", *p["destination"][2:], "")))
                for n, p in enumerate(pairs)}
    started = time.process_time()
    routes = route_many(requests)
    seconds = time.process_time() - started
    # Trois-Rivieres lies up the St Lawrence, which is land in the 10m data: its river lanes
    # were dropped, so it waits for the inland waterways (sea-extra-edges.csv)
    unrouted = [pairs[n]["destination"][1] for n in routes if is_unrouted(routes[n])
                and pairs[n]["km"] is not None]
    assert unrouted == ["Trois-Rivieres"]
    routed = [n for n in routes if not is_unrouted(routes[n])]
    land = {n: _land_outside_ports_and_narrows_km(routes[n].points, corridors) for n in routed}
    # land left is where a port lies up a river or estuary; the route says so, and no
    # route crosses more land than before
    assert {n for n in routed if land[n] > 0.5 and not routes[n].flags} == set()
    assert {n: km for n, km in land.items() if km > pairs[n]["land_km"] + 0.5} == {}
    off = {n: routes[n].distance_km / pairs[n]["km"] - 1 for n in routed}
    # longer only where the old route cut across land outside the canals (Port Royal, Jamaica)
    over = {pairs[n]["origin"][1]: round(off[n], 3) for n in routed if abs(off[n]) > 0.02}
    assert over == {"Port Royal": pytest.approx(0.056, abs=0.005)}  # 12.8 km of land before
    assert seconds < PAIRS_LIMIT_S


def test_one_search_per_origin_gives_the_routes_of_one_search_per_pair() -> None:
    pairs = [((p["origin"][2], p["origin"][3]), (p["destination"][2], p["destination"][3]))
             for p in _baseline()[:12] if p["km"] is not None]
    origin = pairs[0][0]
    fan = [(origin, destination) for _o, destination in pairs]
    together = sea_paths(fan)
    for pair, path in zip(fan, together, strict=True):
        assert path == sea_path(*pair)
