"""Benchmark routing: one rail route, the bundled dataset cold and warm, and 400 rail pairs.

Every figure is a whole process (interpreter start, imports, loading the
network data and the dataset included), run several times in turn with the
other sides by :mod:`harness`; where the script also times its own routing
step, that in-process figure is given beside it.

The 400 origin-destination pairs among 150 places across Russia are also
routed by scgraph 2.x's ``get_shortest_path`` when a Python with scgraph 2.x
and scgraph-data 2.0.0 is given (``--scgraph-python``), twice:

- as used: on scgraph-data's whole world railway graph, which is what a
  scgraph user gets;
- like-for-like: on the graph shiproute searches for these legs (its repaired
  railway restricted to Russia and track off land), written once in
  scgraph's ``GeoGraph`` form before timing.

What still differs in the like-for-like row: shiproute runs one Dijkstra
search per origin for all of its destinations, scgraph one per pair (its
API's way), and scgraph reads the graph from JSON, shiproute from its arrays.

Usage::

    python bench/bench_routing.py [--quick] [--scgraph-python /path/to/venv/bin/python]

Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Any

import harness

PAIRS_SEED = 20231013

PAIRS = r"""
import json, numpy as np
from shiproute.routes.rail import load_rail_network
net = load_rail_network()
rng = np.random.default_rng(SEED)
main = np.bincount(net.piece).argmax()
candidates = np.flatnonzero((net.country == "RU") & (net.piece == main))
nodes = rng.choice(candidates, 150, replace=False)
places = [(float(net.lat[n]) + 0.01, float(net.lon[n]) + 0.01) for n in nodes]
pairs = set()
while len(pairs) < 400:
    a, b = rng.choice(150, 2, replace=False)
    pairs.add((int(a), int(b)))
print(json.dumps({"places": places, "pairs": sorted(pairs)}))
""".replace("SEED", str(PAIRS_SEED))

OURS_PAIRS = r"""
import json, sys, time
data = json.load(open(sys.argv[1]))
start = time.perf_counter()
from shiproute.routes.routing import RouteRequest, Stop, is_unrouted, route_many
stops = [Stop(f"p{i}", lat, lon, "RU") for i, (lat, lon) in enumerate(data["places"])]
requests = {f"{a}-{b}": RouteRequest("rail", (stops[a], stops[b])) for a, b in data["pairs"]}
routes = route_many(requests)
elapsed = time.perf_counter() - start
km = [routes[f"{a}-{b}"].distance_km for a, b in data["pairs"]]
unrouted = sum(is_unrouted(r) for r in routes.values())
print(json.dumps({"seconds": elapsed, "km": km, "unrouted": unrouted}))
"""

SCGRAPH_PAIRS = r"""
import json, sys, time
data = json.load(open(sys.argv[1]))
start = time.perf_counter()
if sys.argv[2] == "world":
    from scgraph_data.world_railways import world_railways_geograph as graph
else:
    from scgraph import GeoGraph
    with open(sys.argv[2]) as f:
        given = json.load(f)
    graph = GeoGraph(graph=[{int(k): v for k, v in node.items()} for node in given["graph"]],
                     nodes=given["nodes"])
loaded = time.perf_counter()
km = []
for a, b in data["pairs"]:
    (la, lo), (lb, lob) = data["places"][a], data["places"][b]
    try:
        out = graph.get_shortest_path(origin_node={"latitude": la, "longitude": lo},
                                      destination_node={"latitude": lb, "longitude": lob})
        km.append(out["length"])
    except Exception:  # scgraph raises when a pair is not connected
        km.append(None)
print(json.dumps({"seconds": time.perf_counter() - start, "load_seconds": loaded - start,
                  "km": km}))
"""
"""Route the pairs with scgraph on the world railways (``world``) or on a graph file."""

RUSSIA_GRAPH = r"""
import json, sys
from shiproute.routes.rail import load_rail_network
net = load_rail_network()
keep = net.allowed(["RU"])
kept = keep.nonzero()[0]
index = {int(n): i for i, n in enumerate(kept)}
coo = net.matrix.tocoo()
graph = [{} for _ in kept]
for row, col, km in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()):
    if row != col and keep[row] and keep[col]:
        graph[index[row]][index[col]] = km
nodes = [[float(net.lat[n]), float(net.lon[n])] for n in kept]
json.dump({"graph": graph, "nodes": nodes}, open(sys.argv[1], "w"))
"""
"""Write the graph shiproute searches for a Russia-only rail leg (Russian nodes and track
off land, the repairs included) in scgraph's GeoGraph form."""

DATASET = r"""
import json, sys, time
from pathlib import Path
from shiproute.gazetteer.load import load_gazetteer
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.router import Router
dataset = read_dataset(bundled_dataset_path(), load_gazetteer())
start = time.perf_counter()
Router.with_cache_dir(Path(sys.argv[1])).route_dataset(dataset)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""
"""Route the bundled dataset with a route cache; print the in-process routing time."""

def single_route(runs: int, warmups: int) -> str:
    """Time one rail route across Russia against an empty interpreter; return the table."""
    stats = harness.compare([
        harness.Side("`python -c pass`", [sys.executable, "-c", "pass"]),
        harness.Side("`shiproute route Vladivostok Tikhoretsk --mode rail --no-cache`",
                     [harness.EXE, "route", "Vladivostok", "Tikhoretsk", "--mode", "rail",
                      "--no-cache"]),
    ], runs=runs, warmups=warmups)
    rows = [[name, s.cell()] for name, s in stats.items()]
    return harness.table(["command", "wall median (min-max), peak memory"], rows)


def bundled_dataset(work: Path, runs: int, warmups: int) -> str:
    """Time routing the bundled dataset cold and warm; return the table."""
    cache = work / "cache"
    empty = functools.partial(shutil.rmtree, cache, ignore_errors=True)
    script = [sys.executable, "-c", DATASET, str(cache)]
    page = str(work / "bundled.html")
    stats = harness.compare([
        harness.Side("`shiproute render --no-cache` (the bundled dataset)",
                     [harness.EXE, "render", "-o", page, "--no-cache", "--force"]),
        harness.Side("read the dataset, route every leg: cold (empty route cache)", script,
                     before=empty),
    ], runs=runs, warmups=warmups)
    stats |= harness.compare([harness.Side("the same, warm (route cache filled)", script)],
                             runs=runs, warmups=warmups)
    rows = []
    for name, s in stats.items():
        inner = harness.reported(s, "seconds")
        rows.append([name, s.cell(), "" if inner is None else f"{inner:.3f} s"])
    return harness.table(["whole process", "wall median (min-max), peak memory",
                          "routing alone, in-process (median)"], rows)


def pair_sides(pairs: Path, graph: Path, scgraph: str | None) -> list[harness.Side]:
    """Return shiproute's side of the pairs and, given a scgraph Python, scgraph's two."""
    sides = [harness.Side("shiproute `route_many` (Russia only, one search per origin)",
                          [sys.executable, "-c", OURS_PAIRS, str(pairs)])]
    if scgraph:
        sides += [
            harness.Side("scgraph as used (whole world graph, one search per pair)",
                         [scgraph, "-c", SCGRAPH_PAIRS, str(pairs), "world"]),
            harness.Side("scgraph like-for-like (shiproute's Russia graph, one search per pair)",
                         [scgraph, "-c", SCGRAPH_PAIRS, str(pairs), str(graph)]),
        ]
    return sides


def agreement(ours: dict[str, list[float]], theirs: dict[str, list[float | None]]) -> str:
    """Describe unrouted pairs and distance differences of scgraph against shiproute."""
    failed = sum(km is None for km in theirs["km"])
    diffs = [abs(a - b) / b for a, b in zip(ours["km"], theirs["km"], strict=True) if b]
    return (f"{failed} unrouted; distance vs shiproute: median {statistics.median(diffs):.1%}, "
            f"max {max(diffs):.1%}")


def json_of(stats: harness.Stats) -> dict[str, Any]:
    """Return what the last run of a pairs script printed."""
    out = harness.printed(stats.samples[-1])
    if out is None:
        raise RuntimeError("a pairs script printed no JSON")
    return out


def rail_pairs(work: Path, runs: int, warmups: int, scgraph: str | None) -> str:
    """Route 400 pairs with shiproute and (given its Python) scgraph; return the table."""
    pairs, graph = work / "pairs.json", work / "russia-graph.json"
    pairs.write_text(subprocess.run([sys.executable, "-c", PAIRS], check=True, text=True,
                                    capture_output=True).stdout, encoding="utf-8")
    if scgraph:
        subprocess.run([sys.executable, "-c", RUSSIA_GRAPH, str(graph)], check=True)
    stats = harness.compare(pair_sides(pairs, graph, scgraph), runs=runs, warmups=warmups)
    ours_name = next(iter(stats))
    ours = json_of(stats[ours_name])
    rows = []
    for name, s in stats.items():
        out = json_of(s)
        inner = f"{harness.reported(s, 'seconds'):.2f} s"
        if "load_seconds" in out:
            inner += f", of which {harness.reported(s, 'load_seconds'):.2f} s loading the graph"
        note = (f"{ours['unrouted']} unrouted" if name == ours_name
                else f"{harness.ratio(s, stats[ours_name])}; {agreement(ours, out)}")
        rows.append([name, s.cell(), inner, note])
    return harness.table(["400 rail pairs among 150 places in Russia",
                          "whole process: median (min-max), peak memory",
                          "in-process (median)", "shiproute vs this side"], rows)


def main() -> None:
    """Run every measurement and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scgraph-python", help="a Python with scgraph 2.x and scgraph-data")
    harness.add_run_options(parser, runs=5, quick_runs=2)
    args = parser.parse_args()
    runs = harness.runs_of(args)
    print(harness.header() + "\n")
    with tempfile.TemporaryDirectory() as tmp:
        print(single_route(runs, args.warmups) + "\n")
        print(bundled_dataset(Path(tmp), runs, args.warmups) + "\n")
        print(rail_pairs(Path(tmp), runs, args.warmups, args.scgraph_python) + "\n")
    print(harness.method(runs, args.warmups))
    if not args.scgraph_python:
        print("scgraph not measured: no --scgraph-python given.")


if __name__ == "__main__":
    main()
