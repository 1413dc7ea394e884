"""Benchmark rendering 10,000 legs: shiproute against folium scripts, whole processes.

Workloads (generated, deterministic):

- shared: 10,000 legs among 200 sites on 600 distinct drawn routes of 50-500
  points (the dataset's ``paths:``), the way many shipments share a lane;
- worst: 10,000 legs, each with its own 50-point path.

Sides, each a fresh process per run, run in turn by :mod:`harness` (median of
several runs, min-max, peak memory, HTML size):

- ``shiproute render --no-cache`` on the YAML file;
- folium as used: the script a folium user writes (``yaml.safe_load``, which
  is PyYAML's pure-Python reader, and one ``folium.PolyLine`` with a popup per
  leg, so a shared route is drawn once per leg on it);
- folium, fast reader: the same script reading with yaml-rs, the reader
  shiproute uses, so the parser is no longer part of the ratio;
- folium like-for-like: yaml-rs, and one ``PolyLine`` per distinct route with
  a popup listing the legs on it, as shiproute draws them (in the worst case
  every leg has its own route, so this is one line per leg too).

What still differs in the like-for-like row: shiproute's page also carries
its time slider, filters, legend, arrows and an offline basemap, with Leaflet
inlined; folium's links Leaflet, jQuery and Bootstrap from CDNs and adds an
OpenStreetMap tile layer. Drawing both pages in a browser is bench_browser.py's job.

Usage::

    pip install folium           # the comparison; shiproute does not need it
    python bench/bench_render.py [--quick] [--legs 10000] [--runs 3]

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
import random
import sys
import tempfile

import harness

SEED = 20240318

FOLIUM = r'''
import html, sys, folium
reader, grouped, source, out = sys.argv[1:]
if reader == "yaml_rs":
    import yaml_rs
    data = yaml_rs.loads(open(source, encoding="utf-8").read(), parse_datetime=False)
else:
    import yaml
    data = yaml.safe_load(open(source, encoding="utf-8"))
paths = data.get("paths", {})
lines = {}
for leg in data["legs"]:
    shared = isinstance(leg["path"], str)
    points = paths[leg["path"]] if shared else leg["path"]
    key = leg["path"] if shared and grouped == "grouped" else id(leg)
    text = html.escape(f"{leg['from']} -> {leg['to']} {leg['mode']} {leg.get('depart')} "
                       f"{leg.get('volume')} {leg.get('unit')} {leg.get('carrier')} "
                       f"{leg.get('sources')}")
    lines.setdefault(key, (points, []))[1].append(text)
fmap = folium.Map(location=[50, 90], zoom_start=3)
for points, texts in lines.values():
    folium.PolyLine(points, popup=folium.Popup("<br>".join(texts)), color="blue").add_to(fmap)
fmap.save(out)
'''
"""A folium script: ``reader`` is ``safe_load`` or ``yaml_rs``; ``grouped`` draws one line
per distinct route (``grouped``) or one per leg (``per-leg``, the naive way)."""

SIDES = {
    "shiproute render": None,
    "folium as used (yaml.safe_load, a PolyLine per leg)": ("safe_load", "per-leg"),
    "folium, fast reader (yaml-rs, a PolyLine per leg)": ("yaml_rs", "per-leg"),
    "folium like-for-like (yaml-rs, a PolyLine per distinct route)": ("yaml_rs", "grouped"),
}


def _walk(rng: random.Random, a: tuple[float, float], b: tuple[float, float],
          n: int) -> list[list[float]]:
    points = []
    for i in range(n):
        t = i / (n - 1)
        wiggle = math.sin(t * math.pi) * rng.uniform(-0.5, 0.5)
        points.append([round(a[0] + (b[0] - a[0]) * t + wiggle, 5),
                       round(a[1] + (b[1] - a[1]) * t + wiggle, 5)])
    return points


def generate(path: Path, *, shared: bool, legs: int = 10_000, routes: int = 600,
             points: tuple[int, int] = (50, 500)) -> None:
    """Write a dataset of ``legs`` legs among 200 sites in Russia.

    Parameters
    ----------
    path
        The YAML file to write.
    shared
        Whether the legs follow the drawn routes (the dataset's ``paths:``)
        or each has a 50-point path of its own between the ends of a route.
    legs
        How many legs to write.
    routes
        How many distinct routes (pairs of sites) the legs pick from.
    points
        The fewest and most points of a drawn route.
    """
    rng = random.Random(SEED)
    sites = {f"s{i}": (round(rng.uniform(56, 64), 4), round(rng.uniform(44, 130), 4))
             for i in range(200)}
    ids = list(sites)
    lines = [f"title: benchmark, {legs:,} legs", "sites:"]
    for site_id, (lat, lon) in sites.items():
        lines.append(f"  {site_id}: {{name: Site {site_id}, kind: rail_station, country: RU, "
                     f"lat: {lat}, lon: {lon}}}")
    lines.append("sources:")
    for i in range(20):
        lines.append(f"  src{i}: {{title: Report {i}, publisher: Outlet {i % 5}, "
                     f"date: 2023-{1 + i % 12:02d}, url: 'https://example.org/r/{i}'}}")
    pairs = [tuple(rng.sample(ids, 2)) for _ in range(routes)]
    if shared:
        lines.append("paths:")
        for n, (a, b) in enumerate(pairs):
            lines.append(f"  r{n}: {_walk(rng, sites[a], sites[b], rng.randint(*points))}")
    lines.append("legs:")
    for i in range(legs):
        n = rng.randrange(routes)
        a, b = pairs[n]
        month, day = 1 + rng.randrange(12), 1 + rng.randrange(28)
        drawn = f"r{n}" if shared else str(_walk(rng, sites[a], sites[b], 50))
        lines.append(
            f"  - {{id: leg{i}, from: {a}, to: {b}, mode: rail, "
            f"depart: 2023-{month:02d}-{day:02d}, "
            f"volume: {{value: {rng.randint(1, 500)}, qualifier: about}}, unit: containers, "
            f"carrier: Train {i % 50}, sources: [src{i % 20}], path: {drawn}}}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def sides(data: Path, work: Path) -> list[harness.Side]:
    """Return the commands to compare on ``data``, each writing its own page in ``work``."""
    out = []
    for n, (name, folium) in enumerate(SIDES.items()):
        page = str(work / f"side-{n}.html")
        argv = ([harness.EXE, "render", str(data), "-o", page, "--no-cache", "--force"]
                if folium is None else [sys.executable, "-c", FOLIUM, *folium, str(data), page])
        out.append(harness.Side(name, argv))
    return out


def workload_rows(label: str, data: Path, work: Path, runs: int,
                  warmups: int) -> list[list[str]]:
    """Measure every side on one workload; return its table rows."""
    stats = harness.compare(sides(data, work), runs=runs, warmups=warmups)
    ours = stats["shiproute render"]
    ours_mb = (work / "side-0.html").stat().st_size / 1e6
    rows = []
    for n, (name, measured) in enumerate(stats.items()):
        html_mb = (work / f"side-{n}.html").stat().st_size / 1e6
        versus = "" if measured is ours else (
            f"{harness.ratio(measured, ours)}, {html_mb / ours_mb:.1f}x larger HTML")
        rows.append([label, name, measured.cell(), f"{html_mb:.1f} MB", versus])
    return rows


def main() -> None:
    """Generate the workloads, run every side on them, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, help="legs per workload (10,000; 2,000 with --quick)")
    harness.add_run_options(parser, runs=3, quick_runs=1)
    args = parser.parse_args()
    legs = args.legs or (2_000 if args.quick else 10_000)
    runs = harness.runs_of(args)
    print(harness.header() + "\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, shared in (("shared routes", True), ("worst case", False)):
            data = work / f"{name.replace(' ', '-')}.yaml"
            generate(data, shared=shared, legs=legs)
            label = f"{name}: {legs:,} legs, YAML {data.stat().st_size / 1e6:.1f} MB"
            rows += workload_rows(label, data, work, runs, args.warmups)
    print(harness.table(["workload", "side", "wall median (min-max), peak memory", "HTML",
                         "shiproute vs this side"], rows))
    print("\n" + harness.method(runs, args.warmups))


if __name__ == "__main__":
    main()
