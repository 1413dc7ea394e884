"""Benchmark the load path at 10,000 and 100,000 legs, with and without leg ids.

Legs without ids get generated ones (``from-to-mode-date``, ``-2``, ``-3``
for repeats), which was once quadratic: 5,000 such legs took 90 s. Each
dataset is read three ways, each in a fresh process: ``validate --no-routes``
(read and check), ``legs --format csv`` (read and list) and ``render`` (read,
build the page; the legs follow 600 drawn paths, so no routing is timed).
The ratio of 100,000 to 10,000 legs shows whether a step grows faster than
its input (linear is 10x; the target is under 15x). Peak memory is the
largest resident set of the process.

Usage::

    python bench/bench_load.py

Prints a Markdown table.
"""

from __future__ import annotations

from pathlib import Path
import random
import subprocess
import sys
import tempfile
import time

EXE = Path(sys.executable).with_name("shiproute")
SEED = 20241130
SIZES = (10_000, 100_000)
SITES = 200
PATHS = 600
PEAK = ("import resource, subprocess, sys; "
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def dataset(n: int, ids: bool) -> str:
    """Return a dataset of ``n`` legs among 200 sites in Russia on 600 shared paths."""
    rng = random.Random(SEED)
    sites = [(f"s{i}", round(rng.uniform(55, 62), 4), round(rng.uniform(40, 80), 4))
             for i in range(SITES)]
    lines = ["title: load benchmark", "sources:", "  r: {title: '[generated]'}", "sites:"]
    lines += [f"  {sid}: {{name: Place {sid}, kind: city, country: RU, lat: {lat}, lon: {lon}}}"
              for sid, lat, lon in sites]
    pairs = [rng.sample(range(SITES), 2) for _ in range(PATHS)]
    lines.append("paths:")
    for k, (a, b) in enumerate(pairs):
        (_, la, lo), (_, lb, lob) = sites[a], sites[b]
        points = ", ".join(f"[{la + (lb - la) * t / 4:.4f}, {lo + (lob - lo) * t / 4:.4f}]"
                           for t in range(5))
        lines.append(f"  p{k}: [{points}]")
    lines.append("legs:")
    for i in range(n):
        k = rng.randrange(PATHS)
        a, b = pairs[k]
        month = f"2023-{rng.randint(1, 12):02d}"
        leg_id = f"id: leg-{i}, " if ids else ""
        lines.append(f"  - {{{leg_id}from: s{a}, to: s{b}, mode: rail, path: p{k}, "
                     f"depart: {month}, volume: {rng.randint(1, 500)}, unit: containers, "
                     "sources: [r]}")
    return "\n".join(lines) + "\n"


def measure(args: list[str]) -> tuple[float, float]:
    """Return the wall time (s) and peak memory (MB) of one fresh run of ``args``."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PEAK, *args], check=True, capture_output=True,
                         text=True).stdout.split()
    wall = time.perf_counter() - start
    if out[0] != "0":
        raise SystemExit(f"{' '.join(args)} failed with exit code {out[0]}")
    return wall, int(out[1]) / 1024


def main() -> None:
    """Print a Markdown table of times, peak memory and the 100k/10k ratios."""
    results: dict[tuple[str, bool, int], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            for ids in (True, False):
                path = Path(tmp) / f"legs-{n}-{'ids' if ids else 'noids'}.yaml"
                path.write_text(dataset(n, ids), encoding="utf-8")
                steps = {
                    "validate --no-routes": ["validate", "--no-routes", str(path)],
                    "legs --format csv": ["legs", "--format", "csv", str(path)],
                    "render": ["render", str(path), "-o", str(path.with_suffix(".html")),
                               "--no-cache"],
                }
                for step, args in steps.items():
                    results[step, ids, n] = measure([str(EXE), *args])
    print("| step | leg ids | 10,000 legs | 100,000 legs | ratio |\n|---|---|---|---|---|")
    for step in ("validate --no-routes", "legs --format csv", "render"):
        for ids in (True, False):
            (small, small_mb), (big, big_mb) = (results[step, ids, n] for n in SIZES)
            print(f"| `{step}` | {'given' if ids else 'generated'} | {small:.1f} s, "
                  f"{small_mb:.0f} MB | {big:.1f} s, {big_mb:.0f} MB | {big / small:.1f}x |")


if __name__ == "__main__":
    main()
