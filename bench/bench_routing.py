"""Benchmark routing: cold start, the bundled dataset cold and warm, and 400 rail pairs.

Each measurement runs in a fresh Python process so "cold" means cold: the
network data is loaded inside the timed part. The 400 origin-destination
pairs among 150 places across Russia are also routed with scgraph 2.x's own
``get_shortest_path`` on the same railway data, in the same run, when a
Python with scgraph 2.x and scgraph-data 2.0.0 is given (``--scgraph-python``;
installing them takes about a minute and several GB of memory, which is why
shiproute converts the data instead).

Usage::

    python bench/bench_routing.py [--scgraph-python /path/to/venv/bin/python]

Prints a Markdown table of wall times and peak memory.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

EXE = Path(sys.executable).with_name("shiproute")
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
import json, resource, sys, time
data = json.load(open(sys.argv[1]))
start = time.perf_counter()
from shiproute.routes.routing import RouteRequest, Stop, is_unrouted, route_many
stops = [Stop(f"p{i}", lat, lon, "RU") for i, (lat, lon) in enumerate(data["places"])]
requests = {f"{a}-{b}": RouteRequest("rail", (stops[a], stops[b])) for a, b in data["pairs"]}
routes = route_many(requests)
elapsed = time.perf_counter() - start
km = [routes[f"{a}-{b}"].distance_km for a, b in data["pairs"]]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
unrouted = sum(is_unrouted(r) for r in routes.values())
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "km": km, "unrouted": unrouted}))
"""

SCGRAPH_PAIRS = r"""
import json, resource, sys, time
data = json.load(open(sys.argv[1]))
start = time.perf_counter()
from scgraph_data.world_railways import world_railways_geograph as graph
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
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "load_seconds": loaded - start, "peak_mb": peak,
                  "km": km}))
"""

DATASET = r"""
import json, sys, time
start = time.perf_counter()
from pathlib import Path
from shiproute.gazetteer.load import load_gazetteer
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.router import Router
dataset = read_dataset(bundled_dataset_path(), load_gazetteer())
loaded = time.perf_counter()
Router.with_cache_dir(Path(sys.argv[1])).route_dataset(dataset)
print(json.dumps({"seconds": time.perf_counter() - loaded}))
"""


def run(args: list[str], **kwargs: object) -> tuple[float, str]:
    """Run a command; return its wall time and stdout."""
    start = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start, out.stdout


def best_of(n: int, args: list[str]) -> float:
    """Median wall time of ``n`` runs."""
    return statistics.median(run(args)[0] for _ in range(n))


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scgraph-python", help="a Python with scgraph 2.x and scgraph-data")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cold = best_of(5, [str(EXE), "route", "Vladivostok", "Tikhoretsk", "--mode", "rail",
                           "--no-cache"])
        baseline = best_of(5, [sys.executable, "-c", "pass"])
        rows.append(("`shiproute route Vladivostok Tikhoretsk --mode rail --no-cache` (wall)",
                     f"{cold:.2f} s", f"python -c pass: {baseline:.2f} s"))
        cache = Path(tmp) / "cache"
        colds, warms = [], []
        for _ in range(3):
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(json.loads(run([sys.executable, "-c", DATASET, str(cache)])[1])["seconds"])
            warms.append(json.loads(run([sys.executable, "-c", DATASET, str(cache)])[1])["seconds"])
        rows.append(("routing every leg of the bundled dataset, cold (fresh process, no cache)",
                     f"{statistics.median(colds):.2f} s", "target < 3 s"))
        rows.append(("the same, warm (route cache)", f"{statistics.median(warms):.3f} s",
                     "target < 0.3 s"))
        pairs_file = Path(tmp) / "pairs.json"
        pairs_file.write_text(run([sys.executable, "-c", PAIRS])[1])
        ours = json.loads(run([sys.executable, "-c", OURS_PAIRS, str(pairs_file)])[1])
        rows.append(("400 rail pairs among 150 places in Russia, cold (shiproute)",
                     f"{ours['seconds']:.2f} s, peak {ours['peak_mb']:.0f} MB",
                     "target < 10 s, < 1 GB"))
        if args.scgraph_python:
            theirs = json.loads(run([args.scgraph_python, "-c", SCGRAPH_PAIRS,
                                     str(pairs_file)])[1].splitlines()[-1])
            ratio = theirs["seconds"] / ours["seconds"]
            rows.append(("the same pairs, scgraph 2.x `get_shortest_path`",
                         f"{theirs['seconds']:.2f} s (of which {theirs['load_seconds']:.1f} s "
                         f"import), peak {theirs['peak_mb']:.0f} MB",
                         f"shiproute is {ratio:.1f}x faster"))
            failed = sum(b is None for b in theirs["km"])
            rows.append(("pairs scgraph could not route (no path on its unrepaired graph)",
                         f"{failed} of 400", f"shiproute: {ours['unrouted']} unrouted"))
            diffs = [abs(a - b) / b for a, b in zip(ours["km"], theirs["km"], strict=True) if b]
            rows.append(("distance difference, shiproute vs scgraph (median, max)",
                         f"{statistics.median(diffs):.1%}, {max(diffs):.1%}",
                         "shiproute keeps routes inside Russia; scgraph takes the shortest"))
    print("| measurement | result | note |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
