"""Benchmark the load path at 10,000 and 100,000 legs, with and without leg ids.

Legs without ids get generated ones (``from-to-mode-date``, ``-2``, ``-3``
for repeats), which was once quadratic: 5,000 such legs took 90 s. Each
dataset is read three ways, each in a fresh process: ``validate --no-routes``
(read and check), ``legs --format csv`` (read and list) and ``render`` (read,
build the page; the legs follow 600 drawn paths, so no routing is timed).
The ratio of 100,000 to 10,000 legs shows whether a step grows faster than
its input (linear is 10x; the target is under 15x). The three steps of a
dataset run in turn by :mod:`harness` (median of several runs, min-max,
largest peak resident memory).

Usage::

    python bench/bench_load.py [--quick] [--runs 3]

``--quick`` measures 1,000 and 10,000 legs instead.

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import random
import tempfile

import harness

SEED = 20241130
SITES = 200
PATHS = 600
STEPS = ("validate --no-routes", "legs --format csv", "render")


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


def sides(path: Path) -> list[harness.Side]:
    """Return the three steps on the dataset file ``path``."""
    argvs = {
        "validate --no-routes": ["validate", "--no-routes", str(path)],
        "legs --format csv": ["legs", "--format", "csv", str(path)],
        "render": ["render", str(path), "-o", str(path.with_suffix(".html")), "--no-cache",
                   "--force"],
    }
    return [harness.Side(step, [harness.EXE, *argvs[step]]) for step in STEPS]


def main() -> None:
    """Print the machine facts and a Markdown table of times, peak memory and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_run_options(parser, runs=3, quick_runs=1)
    args = parser.parse_args()
    runs = harness.runs_of(args)
    sizes = (1_000, 10_000) if args.quick else (10_000, 100_000)
    print(harness.header() + "\n")
    results: dict[tuple[str, bool, int], harness.Stats] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for ids in (True, False):
                path = Path(tmp) / f"legs-{n}-{'ids' if ids else 'noids'}.yaml"
                path.write_text(dataset(n, ids), encoding="utf-8")
                stats = harness.compare(sides(path), runs=runs, warmups=args.warmups)
                results |= {(step, ids, n): stats[step] for step in STEPS}
    rows = []
    for step in STEPS:
        for ids in (True, False):
            small, big = (results[step, ids, n] for n in sizes)
            rows.append([f"`{step}`", "given" if ids else "generated", small.cell(), big.cell(),
                         f"{big.median_s / small.median_s:.1f}x"])
    print(harness.table(["step", "leg ids", f"{sizes[0]:,} legs", f"{sizes[1]:,} legs",
                         "ratio"], rows))
    print("\n" + harness.method(runs, args.warmups))


if __name__ == "__main__":
    main()
