"""Benchmark the render pipeline at 10,000 and 100,000 routed legs, beside folium, in one run.

Workload (generated, deterministic): legs by rail between random pairs of 300
stations across European Russia, each leg routed on the railway network, so
most legs have a route of their own (about 60,000 distinct routes at 100,000
legs, 320 points each on average). Each size is rendered:

- cold: ``shiproute render`` with an empty route cache (routing included);
- warm: the same command again, every route read from the cache;
- before (with ``--before PYTHON``): the same cold and warm commands run by
  another installation, e.g. the last release, on the same files;
- folium: the same routed lines (exported once with ``shiproute export
  --format geojson``) drawn by one ``folium.GeoJson`` layer with a popup per
  leg and saved, the way a folium user maps them (the routing is not timed).

Every run is a fresh process, the sides of a run kind (cold; warm and
folium) in turn, by :mod:`harness`; the table gives the median wall time
(min-max), the largest peak resident memory and the size of the HTML written.
No warm-up round by default: each run costs minutes at 100,000 legs, and the
files were just written, so they are in the disk cache.

Usage::

    python bench/bench_pipeline.py [--sizes 10000 100000] [--before /old/venv/bin/python]
                                   [--quick] [--runs 3]

Cold routing of 100,000 legs takes minutes (a full run with three runs of each
side about an hour); ``--quick`` measures 10,000 legs once.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path
import random
import shutil
import subprocess
import sys
import tempfile

import harness

SEED = 20241128
STATIONS = 300
FOLIUM = r'''
import html, json, sys
import folium
data = json.load(open(sys.argv[1], encoding="utf-8"))
legs = [f for f in data["features"] if f["geometry"]["type"] != "Point"]
for f in legs:
    p = f["properties"]
    f["properties"] = {"popup": html.escape(
        f"{p.get('from')} -> {p.get('to')} {p.get('mode')} {p.get('depart')} "
        f"{p.get('volume')} {p.get('unit')} {p.get('carrier')} {p.get('sources')}")}
fmap = folium.Map(location=[57, 50], zoom_start=4)
folium.GeoJson({"type": "FeatureCollection", "features": legs},
               popup=folium.GeoJsonPopup(fields=["popup"], labels=False)).add_to(fmap)
fmap.save(sys.argv[2])
'''


def dataset(n: int) -> str:
    """Return a dataset of ``n`` rail legs between random pairs of 300 stations."""
    rng = random.Random(SEED)
    lines = [f"title: pipeline benchmark, {n} legs", "sources:",
             "  r: {title: '[generated]', url: 'https://example.org/report'}", "sites:"]
    for i in range(STATIONS):
        lines.append(f"  s{i}: {{name: Station {i}, kind: rail_station, country: RU, "
                     f"lat: {rng.uniform(54, 60):.4f}, lon: {rng.uniform(40, 60):.4f}}}")
    lines.append("legs:")
    for i in range(n):
        a, b = rng.sample(range(STATIONS), 2)
        lines.append(f"  - {{id: leg{i}, from: s{a}, to: s{b}, mode: rail, "
                     f"depart: 2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}, "
                     f"volume: {{value: {rng.randint(1, 500)}, qualifier: about}}, "
                     f"unit: containers, carrier: Train {i % 50}, sources: [r]}}")
    return "\n".join(lines) + "\n"


def commands(n: int, data: Path, work: Path,
             pythons: dict[str, str]) -> tuple[list[harness.Side], list[harness.Side]]:
    """Return the cold sides (route cache emptied first) and the warm ones of ``n`` legs."""
    cold, warm = [], []
    for name, python in pythons.items():
        cache = work / f"{name}-cache-{n}"
        argv = [str(Path(python).with_name("shiproute")), "render", str(data), "-o",
                str(work / f"{name}-{n}.html"), "--force", "--cache-dir", str(cache)]
        cold.append(harness.Side(f"{name}, cold", argv,
                                 before=functools.partial(shutil.rmtree, cache,
                                                          ignore_errors=True)))
        warm.append(harness.Side(f"{name}, warm", argv))
    return cold, warm


def folium_side(n: int, data: Path, work: Path) -> harness.Side:
    """Export the routed legs of ``data`` once (untimed); return folium's side drawing them."""
    geojson, script = work / f"legs-{n}.geojson", work / "folium_map.py"
    subprocess.run([harness.EXE, "export", str(data), "--format", "geojson", "-o",
                    str(geojson), "--cache-dir", str(work / f"shiproute-cache-{n}")],
                   check=True, capture_output=True)
    script.write_text(FOLIUM, encoding="utf-8")
    return harness.Side("folium GeoJson (routes given)",
                        [sys.executable, str(script), str(geojson),
                         str(work / f"folium GeoJson (routes given)-{n}.html")])


def _cell(stats: harness.Stats, html: Path) -> str:
    return f"{stats.cell()}, {html.stat().st_size / 1e6:.1f} MB HTML"


def main() -> None:
    """Generate the workloads, run every renderer on them, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        help="legs per workload (10,000 and 100,000; 10,000 with --quick)")
    parser.add_argument("--before", help="a Python with another shiproute installed")
    harness.add_run_options(parser, runs=3, quick_runs=1, warmups=0)
    args = parser.parse_args()
    runs = harness.runs_of(args)
    sizes = args.sizes or ([10_000] if args.quick else [10_000, 100_000])
    pythons = {"shiproute": sys.executable, **({"before": args.before} if args.before else {})}
    print(harness.header() + "\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in sizes:
            data = work / f"legs-{n}.yaml"
            data.write_text(dataset(n), encoding="utf-8")
            cold, warm = commands(n, data, work, pythons)
            stats = harness.compare(cold, runs=runs, warmups=args.warmups)
            stats |= harness.compare([*warm, folium_side(n, data, work)], runs=runs,
                                     warmups=args.warmups)
            ours = stats["shiproute, warm"]
            for name, measured in stats.items():
                html = work / f"{name.split(',')[0]}-{n}.html"
                rows.append([f"{n:,}", name, _cell(measured, html),
                             f"{measured.median_s / ours.median_s:.1f}x"])
    print(harness.table(["legs", "run", "wall median (min-max), peak memory, HTML",
                         "time vs shiproute warm"], rows))
    print("\n" + harness.method(runs, args.warmups))


if __name__ == "__main__":
    main()
