"""Benchmark start-up: the quick commands of shiproute against `python -c pass`.

The commands: ``--help``, ``resolve Najin``, and ``validate`` of the bundled
dataset, both ``--no-routes`` (read and check) and in full (routes read from
a route cache that the warm-up round fills). Each is a fresh process, run in
turn with the others by :mod:`harness`. Run it with the Python of an
environment where shiproute is installed from its wheel (an editable install
adds its import hook to every start, about 20 ms).

Usage::

    python bench/bench_startup.py [--quick] [--runs 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile

import harness


def sides(cache_dir: str) -> list[harness.Side]:
    """Return the commands to time; full ``validate`` uses the route cache in ``cache_dir``."""
    commands = {
        "`shiproute --help`": ["--help"],
        "`shiproute resolve Najin`": ["resolve", "Najin"],
        "`shiproute validate --no-routes` (bundled dataset)": ["validate", "--no-routes"],
        "`shiproute validate` (bundled dataset, route cache warm)":
            ["validate", "--cache-dir", cache_dir],
    }
    return [harness.Side("`python -c pass`", [sys.executable, "-c", "pass"]),
            *(harness.Side(name, [harness.EXE, *args]) for name, args in commands.items())]


def main() -> None:
    """Print the machine facts and a Markdown table of the start-up times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_run_options(parser, runs=20, quick_runs=5, warmups=2)
    args = parser.parse_args()
    runs = harness.runs_of(args)
    print(harness.header() + "\n")
    with tempfile.TemporaryDirectory() as cache:
        stats = harness.compare(sides(cache), runs=runs, warmups=max(1, args.warmups))
    baseline = stats["`python -c pass`"].median_s
    rows = [[name, s.cell("ms"), f"+{(s.median_s - baseline) * 1000:.0f} ms" if i else ""]
            for i, (name, s) in enumerate(stats.items())]
    print(harness.table(["command", "wall median (min-max), peak memory",
                         "over `python -c pass`"], rows))
    print("\n" + harness.method(runs, max(1, args.warmups)))


if __name__ == "__main__":
    main()
