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

Every run is a fresh process; the table gives wall time, peak resident memory
of the process (``ru_maxrss``) and the size of the HTML written.

Usage::

    python bench/bench_pipeline.py [--sizes 10000 100000] [--before /old/venv/bin/python]

Cold routing of 100,000 legs takes minutes; ``--sizes 10000`` is a quick look.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import random
import subprocess
import sys
import tempfile
import time

SEED = 20241128
STATIONS = 300
RUN = """import resource, runpy, sys
sys.argv = sys.argv[1:]
code = 0
try:
    if sys.argv[0] == "shiproute":
        from shiproute.cli import main
        main(prog_name="shiproute")
    else:
        runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as stop:
    code = stop.code or 0
print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""
"""Runs the CLI or a script in this process and prints its exit code and peak memory."""
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


def measure(python: str, args: list[str]) -> tuple[float, float]:
    """Return wall time (s) and peak memory (MB) of the CLI or a script run by ``python``."""
    start = time.perf_counter()
    done = subprocess.run([python, "-c", RUN, *args], capture_output=True, text=True)
    wall = time.perf_counter() - start
    code, peak = done.stderr.split()[-2:]
    if code != "0":
        raise SystemExit(f"{python} {' '.join(args)} failed:\n{done.stderr}")
    return wall, int(peak) / 1024


def _cell(wall: float, mb: float, html: Path) -> str:
    return f"{wall:.1f} s, {mb:,.0f} MB, {html.stat().st_size / 1e6:.1f} MB HTML"


def main() -> None:
    """Generate the workloads, run every renderer on them, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--before", help="a Python with another shiproute installed")
    args = parser.parse_args()
    pythons = {"shiproute": sys.executable, **({"before": args.before} if args.before else {})}
    print("| legs | run | wall, peak memory, HTML | vs shiproute |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = Path(tmp, f"legs-{n}.yaml")
            data.write_text(dataset(n), encoding="utf-8")
            rows: dict[str, tuple[float, str]] = {}
            for name, python in pythons.items():
                html, cache = Path(tmp, f"{name}-{n}.html"), Path(tmp, f"{name}-cache-{n}")
                command = ["shiproute", "render", str(data), "-o", str(html), "--force",
                           "--cache-dir", str(cache)]
                for run in ("cold", "warm"):
                    wall, mb = measure(python, command)
                    rows[f"{name}, {run}"] = wall, _cell(wall, mb, html)
            geojson, page = Path(tmp, f"legs-{n}.geojson"), Path(tmp, f"folium-{n}.html")
            measure(sys.executable, ["shiproute", "export", str(data), "--format",
                                     "geojson", "-o", str(geojson), "--cache-dir",
                                     str(Path(tmp, f"shiproute-cache-{n}"))])
            script = Path(tmp, "folium_map.py")
            script.write_text(FOLIUM, encoding="utf-8")
            wall, mb = measure(sys.executable, [str(script), str(geojson), str(page)])
            rows["folium GeoJson (routes given)"] = wall, _cell(wall, mb, page)
            ours = rows["shiproute, warm"][0]
            for name, (wall, cell) in rows.items():
                print(f"| {n:,} | {name} | {cell} | {wall / ours:.1f}x |")



if __name__ == "__main__":
    main()
