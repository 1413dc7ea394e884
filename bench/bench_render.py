"""Benchmark rendering 10,000 legs: shiproute against a naive folium script, in one run.

Workloads (generated, deterministic):

- shared: 10,000 legs among 200 sites on 600 distinct drawn routes of 50-500
  points (the dataset's ``paths:``), the way many shipments share a lane;
- worst: 10,000 legs, each with its own 50-point path.

For each, the whole process is timed: ``shiproute render`` on the YAML file,
and a naive folium script (``yaml.safe_load``, one ``folium.PolyLine`` with a
popup per leg, save), the way maps are made with folium today. File sizes
are compared. Then the 10,000-leg map is opened in headless Chromium
(offline) to time how long it takes to be drawn and interactive, and how long
moving the time slider takes to re-filter.

Usage::

    pip install folium           # the comparison; shiproute does not need it
    python bench/bench_render.py [--chromium /usr/bin/chromium]

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
import random
import shutil
import subprocess
import sys
import tempfile
import time

EXE = Path(sys.executable).with_name("shiproute")
SEED = 20240318

NAIVE_FOLIUM = r'''
import sys, html, yaml, folium
data = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
sites, paths = data["sites"], data.get("paths", {})
fmap = folium.Map(location=[50, 90], zoom_start=3)
for leg in data["legs"]:
    points = leg["path"] if isinstance(leg["path"], list) else paths[leg["path"]]
    popup = html.escape(f"{leg['from']} -> {leg['to']} {leg['mode']} {leg.get('depart')} "
                        f"{leg.get('volume')} {leg.get('unit')} {leg.get('carrier')} "
                        f"{leg.get('sources')}")
    folium.PolyLine(points, popup=folium.Popup(popup), color="blue").add_to(fmap)
fmap.save(sys.argv[2])
'''


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


def timed(args: list[str]) -> float:
    """Run a command and return its wall time."""
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--proxy-server=127.0.0.1:9",
                 "--host-resolver-rules=MAP * ~NOTFOUND"]
"""Headless and offline: requests to anything but loopback fail."""

SHIPROUTE_READY = "() => document.querySelector('.sr-root').srReady"
"""True once the map's runtime has drawn every layer and wired every control."""

DRAWN = """() => new Promise(done => requestAnimationFrame(
    () => requestAnimationFrame(() => done(performance.now()))))"""
"""Resolve with the time (ms since navigation) once two more frames have run: anything
drawn in the next frame (a canvas redraw) is painted by then."""

MOVE_SLIDER = """(fraction) => new Promise(done => {
    const end = document.querySelector('.sr-end');
    const start = performance.now();
    end.value = Math.floor(+end.min + (+end.max - +end.min) * fraction);
    end.dispatchEvent(new Event('input'));
    const filtered = performance.now() - start;
    requestAnimationFrame(() => requestAnimationFrame(
        () => done([filtered, performance.now() - start])));
})"""
"""Move the end of the time window to ``fraction`` of its range; resolve with the ms the
re-filter took and the ms until it was repainted."""


def browser_times(page_path: Path, chromium: str) -> tuple[float, float]:
    """Return (ms from navigation to drawn and interactive, ms to re-filter by the slider)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_path.as_uri(), wait_until="commit")
        page.wait_for_function(SHIPROUTE_READY, timeout=60_000)
        ready = page.evaluate(DRAWN)
        _, refilter = page.evaluate(MOVE_SLIDER, 0.5)
        browser.close()
    return float(ready), float(refilter)


def main() -> None:
    """Generate the workloads, run both renderers, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, shared in (("shared routes", True), ("worst case", False)):
            data = work / f"{name.replace(' ', '-')}.yaml"
            generate(data, shared=shared)
            ours_html, naive_html = work / "ours.html", work / "naive.html"
            ours = min(timed([str(EXE), "render", str(data), "-o", str(ours_html),
                              "--no-cache"]) for _ in range(3))
            naive = timed([sys.executable, "-c", NAIVE_FOLIUM, str(data), str(naive_html)])
            ours_mb, naive_mb = ours_html.stat().st_size / 1e6, naive_html.stat().st_size / 1e6
            rows.append((f"{name}: YAML {data.stat().st_size / 1e6:.1f} MB, whole process",
                         f"{ours:.2f} s, {ours_mb:.1f} MB", f"{naive:.1f} s, {naive_mb:.1f} MB",
                         f"{naive / ours:.1f}x faster, {naive_mb / ours_mb:.1f}x smaller"))
            if shared:
                ready, refilter = browser_times(ours_html, args.chromium)
                rows.append(("shared routes in headless Chromium: drawn and interactive",
                             f"{ready / 1000:.2f} s after navigation", "", "target < 3 s"))
                rows.append(("moving the time slider: re-filter and repaint",
                             f"{refilter:.0f} ms", "", "target < 200 ms"))
    print("| workload | shiproute | naive folium | ratio / target |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
