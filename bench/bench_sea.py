"""Benchmark sea routing against searoute: port pairs worldwide, and 100,000 legs cold.

Every run is a whole process, so cold costs (imports, loading the lanes and
the land) count, run by ``bench/harness.py``: searoute and shiproute in turn,
3 measured runs each after a discarded warm-up round (``--quick``: 1 run),
median wall time (min-max) and peak memory. Land is measured
independently, as ``tests/sea_land.py`` does: the route sampled every 100 m,
points on Natural Earth 10m land counted, except within 3 km of either port
and within 2 km of the waterway edges (canals, narrow straits and rivers of
``routes/data/sea-waterways.csv``). The parts:

- ``world``: 200 seeded pairs of any two ports of the reference list (inland
  river ports included, as a new user picks them), routed by both: crashes,
  the share routed and why the rest are not, land outside the ports and the
  waterways, and lengths beside searoute's where searoute crosses no land;
- ``pairs``: the 100 seeded coastal port pairs of
  ``tests/data/sea-baseline.json`` (picked by ``bench/sea_pairs.py``), routed
  by shiproute's API (``route_many``) and by ``searoute.searoute``: time,
  land, and distances beside the baseline the fixture recorded with the code
  before the lanes were vendored, and beside searoute's own;
- ``many``: 100,000 sea legs among 200 coastal ports (seeded; about 36,000
  distinct requests), routed cold through ``Router`` without a cache, as
  ``shiproute render --no-cache`` routes them.

Usage::

    python bench/bench_sea.py [--parts world pairs many] [--world 200] [--quick]
                              [--runs N] [--warmups N]

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
from collections import Counter
import itertools
import json
import math
from pathlib import Path
import statistics
import sys
import tempfile
from typing import Any

from harness import (
    Side,
    Stats,
    add_run_options,
    compare,
    header,
    method,
    printed,
    runs_of,
    table,
)
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "sea-baseline.json"
LEGS = 100_000
SITES = 200
LEGS_SEED = 20261201
WORLD_SEED = 16
WORLD_PAIRS = 200
PARTS = ("world", "pairs", "many")
STEP_KM = 0.1
PORT_KM = 3.0
CORRIDOR_KM = 2.0

SEAROUTE = r"""
import json, sys
import searoute
pairs = json.load(open(sys.argv[1]))["pairs"]
out = []
for pair in pairs:
    a, b = pair["origin"], pair["destination"]
    feature = searoute.searoute([a[3], a[2]], [b[3], b[2]], units="km", append_orig_dest=True)
    out.append({"km": feature["properties"]["length"],
                "points": [[lat, lon] for lon, lat in feature["geometry"]["coordinates"]]})
json.dump({"routes": out}, open(sys.argv[2], "w"))
"""

OURS = r"""
import json, sys
from shiproute.routes.routing import RouteRequest, Stop, is_unrouted, route_many
pairs = json.load(open(sys.argv[1]))["pairs"]
requests = {n: RouteRequest("sea", (Stop(p["origin"][1], p["origin"][2], p["origin"][3], ""),
                                    Stop(p["destination"][1], p["destination"][2],
                                         p["destination"][3], "")))
            for n, p in enumerate(pairs)}
routes = route_many(requests)
out = [{"unrouted": routes[n].flags[0]} if is_unrouted(routes[n]) else
       {"km": routes[n].distance_km, "points": [list(p) for p in routes[n].points],
        "flags": list(routes[n].flags)}
       for n in range(len(pairs))]
json.dump({"routes": out}, open(sys.argv[2], "w"))
"""

MANY = r"""
import json, sys
from shiproute.routes.router import Router
from shiproute.routes.routing import RouteRequest, Stop, is_unrouted
data = json.load(open(sys.argv[1]))
stops = [Stop(name, lat, lon, "") for name, lat, lon in data["sites"]]
requests = [RouteRequest("sea", (stops[a], stops[b])) for a, b in data["legs"]]
routes = Router().route_requests(requests)
unrouted = sum(is_unrouted(r) for r in {id(r): r for r in routes}.values())
print(json.dumps({"distinct": len(set(requests)), "unrouted": unrouted}))
"""


def _samples(points: list[list[float]]) -> np.ndarray:
    """Return (lat, lon) points every ``STEP_KM`` along a path, straight in lat/lon as drawn."""
    out = []
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        lon2 = lon1 + (lon2 - lon1 + 180.0) % 360.0 - 180.0  # across the antimeridian
        km = 111.2 * math.hypot(lat2 - lat1, (lon2 - lon1) * math.cos(math.radians(lat1)))
        n = max(1, int(km / STEP_KM))
        t = np.arange(n) / n
        out.append(np.column_stack([lat1 + (lat2 - lat1) * t, lon1 + (lon2 - lon1) * t]))
    out.append(np.array([points[-1]]))
    samples = np.concatenate(out)
    samples[:, 1] = (samples[:, 1] + 180.0) % 360.0 - 180.0
    return samples


def _corridors() -> Any:
    """Return the areas within ``CORRIDOR_KM`` of the waterway edges (canals, straits, rivers)."""
    import shapely

    from shiproute.routes.lanes import load_lane_network

    network = load_lane_network(frozenset())
    areas = []
    for pair in network.waterways:
        lat, lon = network.lat[list(pair)], network.lon[list(pair)]
        scale = math.cos(math.radians(float(lat.mean())))
        local = shapely.LineString(np.column_stack([lon * scale, lat]))
        areas.append(shapely.transform(local.buffer(CORRIDOR_KM / 111.2),
                                       lambda xy, s=scale: xy / [s, 1.0]))
    return shapely.union_all(areas)


def _routed(route: dict[str, Any] | None) -> bool:
    return route is not None and "points" in route


def land_km(points: list[list[float]], corridors: Any) -> float:
    """Return the km of a route on land, outside the port disks and the kept corridors."""
    import shapely

    from shiproute.gazetteer.earth import load_earth

    samples = _samples(points)
    ends = np.array([points[0], points[-1]])
    gap = np.hypot(samples[:, None, 0] - ends[None, :, 0],
                   (samples[:, None, 1] - ends[None, :, 1])
                   * np.cos(np.radians(samples[:, None, 0]))) * 111.2
    keep = gap.min(axis=1) > PORT_KM
    keep &= ~shapely.contains_xy(corridors, samples[:, 1], samples[:, 0])
    lat, lon = samples[keep, 0], samples[keep, 1]
    return float(load_earth().on_land(lon, lat).sum()) * STEP_KM


def _both(tmp: Path, name: str, pairs_file: Path, args: argparse.Namespace
          ) -> tuple[dict[str, Stats], dict[str, Any], dict[str, Any]]:
    """Run searoute and shiproute on a pairs file in turn (harness); return stats and routes."""
    out = {side: tmp / f"{name}-{side}.json" for side in ("searoute", "shiproute")}
    stats = compare([Side("searoute", [sys.executable, "-c", SEAROUTE, str(pairs_file),
                                       str(out["searoute"])]),
                     Side("shiproute", [sys.executable, "-c", OURS, str(pairs_file),
                                        str(out["shiproute"])])],
                    runs=runs_of(args), warmups=args.warmups)
    found = {side: json.loads(path.read_text()) for side, path in out.items()}
    return stats, found["shiproute"], found["searoute"]


def _legs(tmp: Path) -> Path:
    """Write the 100,000-leg request set among ``SITES`` coastal ports; return its path."""
    sys.path.insert(0, str(ROOT / "bench"))
    from sea_pairs import pick_pairs

    ports = {tuple(p[key]) for p in pick_pairs(LEGS_SEED, SITES) for key in
             ("origin", "destination")}
    sites = sorted(ports)[:SITES]
    rng = np.random.default_rng(LEGS_SEED)
    pairs = [[int(i) for i in rng.choice(SITES, 2, replace=False)] for _ in range(LEGS)]
    path = tmp / "legs.json"
    path.write_text(json.dumps({"sites": [s[1:] for s in sites], "legs": pairs}))
    return path


def _compare(rows: list[tuple[str, str, str]], ours: dict[str, Any],
             theirs: dict[str, Any], baseline: list[dict[str, Any]]) -> None:
    corridors = _corridors()
    our_land = [land_km(r["points"], corridors) for r in ours["routes"] if _routed(r)]
    their_land = [land_km(r["points"], corridors) for r in theirs["routes"]]
    rows.append(("land crossed outside 3 km port disks and 2 km waterway corridors",
                 f"shiproute {sum(our_land):.1f} km on {sum(k > 0 for k in our_land)} routes",
                 f"searoute {sum(their_land):.1f} km on {sum(k > 0 for k in their_land)} "
                 "routes"))
    old = [(r["km"], b["km"]) for r, b in zip(ours["routes"], baseline, strict=True)
           if _routed(r) and b["km"]]
    deltas = [abs(a - b) / b for a, b in old]
    rows.append(("distance vs the code before (fixture), absolute delta median / max",
                 f"{statistics.median(deltas):.2%} / {max(deltas):.2%}",
                 f"{sum(d > 0.02 for d in deltas)} of {len(deltas)} pairs over 2%"))
    clean = [(r["km"], t["km"]) for r, t, land in
             zip(ours["routes"], theirs["routes"], their_land, strict=True)
             if _routed(r) and land == 0]
    deltas = [(a - b) / b for a, b in clean]
    rows.append(("distance vs searoute where searoute crosses no land, median / max",
                 f"{statistics.median(deltas):+.2%} / {max(deltas, key=abs):+.2%}",
                 f"{len(clean)} pairs"))


def _world_pairs(count: int) -> list[dict[str, Any]]:
    """Return ``count`` seeded pairs of distinct ports from the whole reference list."""
    import sqlite3

    from shiproute.gazetteer.reference import bundled_reference_path

    uri = f"{bundled_reference_path().resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        ports = db.execute("SELECT ref, name, lat, lon FROM places WHERE layer = 'ports' "
                           "ORDER BY ref").fetchall()
    rng = np.random.default_rng(WORLD_SEED)
    return [{"origin": list(ports[int(a)]), "destination": list(ports[int(b)])}
            for a, b in (rng.choice(len(ports), 2, replace=False) for _ in range(count))]


def _world(tmp: Path, args: argparse.Namespace, rows: list[tuple[str, str, str]]) -> None:
    """Route seeded pairs of any two reference ports, beside searoute, and compare."""
    count = args.world
    path = tmp / "world.json"
    path.write_text(json.dumps({"pairs": _world_pairs(count)}))
    stats, ours, theirs = _both(tmp, "world", path, args)  # a crash stops the benchmark
    routed = [n for n, r in enumerate(ours["routes"]) if _routed(r)]
    reasons = Counter(r["unrouted"].removeprefix("unrouted: ").split(":")[0]
                      for r in ours["routes"] if not _routed(r))
    times = stats["shiproute"].median_s / stats["searoute"].median_s
    rows.append((f"{count} pairs of any two reference ports (seed {WORLD_SEED})",
                 f"shiproute {stats['shiproute'].cell()}; searoute {stats['searoute'].cell()}",
                 f"{times:.1f}x searoute's time; 0 crashes; {len(routed)} routed "
                 f"({len(routed) / count:.0%}); unrouted: "
                 + ", ".join(f"{k} {v}" for k, v in reasons.most_common())))
    corridors = _corridors()
    ours_land = {n: land_km(ours["routes"][n]["points"], corridors) for n in routed}
    theirs_land = [land_km(r["points"], corridors) for r in theirs["routes"]]
    over = [n for n, km in ours_land.items() if km > 0.5]
    rows.append(("land outside 3 km port disks and 2 km waterway corridors, routed pairs",
                 f"shiproute {sum(ours_land.values()):.1f} km on {len(over)} routes, "
                 f"{sum(not ours['routes'][n]['flags'] for n in over)} of them unflagged",
                 f"searoute {sum(theirs_land):.1f} km on {sum(k > 0.5 for k in theirs_land)} "
                 f"of {count} routes"))
    clean = [(ours["routes"][n]["km"], theirs["routes"][n]["km"]) for n in routed
             if theirs_land[n] == 0]
    deltas = [(a - b) / b for a, b in clean]
    rows.append(("length vs searoute where searoute crosses no land",
                 f"median {statistics.median(deltas):+.2%}; "
                 f"{sum(abs(d) <= 0.05 for d in deltas)} of {len(deltas)} within 5%"
                 if deltas else "no such pair",
                 "beyond 5%: " + (", ".join(f"{d:+.0%}" for d in sorted(deltas) if abs(d) > 0.05)
                                  or "none")))


def main() -> None:
    """Run the measurements asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--world", type=int, default=WORLD_PAIRS, metavar="PAIRS")
    add_run_options(parser, runs=3, quick_runs=1)
    args = parser.parse_args()
    print(header())
    print(method(runs_of(args), args.warmups) + "\n")
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if "world" in args.parts:
            _world(Path(tmp), args, rows)
        if "pairs" in args.parts:
            _pairs(Path(tmp), args, rows)
        if "many" in args.parts:
            _many(Path(tmp), args, rows)
    print(table(("measurement", "result", "note"), rows))


def _pairs(tmp: Path, args: argparse.Namespace, rows: list[tuple[str, str, str]]) -> None:
    """Route the 100 coastal pairs of the fixture beside searoute, and compare."""
    stats, ours, theirs = _both(tmp, "pairs", FIXTURE, args)
    rows.append(("100 port pairs, `searoute.searoute`", stats["searoute"].cell(), "reference"))
    times = stats["shiproute"].median_s / stats["searoute"].median_s
    rows.append(("100 port pairs, shiproute `route_many`", stats["shiproute"].cell(),
                 f"{times:.1f}x searoute's time (target <= 3x); "
                 f"{sum(not _routed(r) for r in ours['routes'])} unrouted"))
    _compare(rows, ours, theirs, json.loads(FIXTURE.read_text())["pairs"])


def _many(tmp: Path, args: argparse.Namespace, rows: list[tuple[str, str, str]]) -> None:
    """Route 100,000 sea legs cold, as ``render --no-cache`` does."""
    stats = compare([Side("shiproute", [sys.executable, "-c", MANY, str(_legs(tmp))])],
                    runs=runs_of(args), warmups=0)["shiproute"]
    many = printed(stats.samples[-1]) or {}
    rows.append((f"{LEGS:,} sea legs among {SITES} ports, cold, no cache", stats.cell(),
                 f"{many['distinct']:,} distinct requests, {many['unrouted']} unrouted; "
                 "target <= 60 s"))


if __name__ == "__main__":
    main()
