"""Benchmark start-up: `shiproute --help` and `shiproute resolve Najin` against `python -c pass`.

Runs each command 20 times in fresh processes and reports medians. Run it
with the Python of an environment where shiproute is installed from its
wheel (an editable install adds its import hook to every start).

Usage::

    python bench/bench_startup.py
"""

from __future__ import annotations

from pathlib import Path
import statistics
import subprocess
import sys
import time

RUNS = 20


def median_wall(args: list[str]) -> float:
    """Median wall time of ``RUNS`` runs, in seconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print a Markdown table of the medians."""
    exe = str(Path(sys.executable).with_name("shiproute"))
    baseline = median_wall([sys.executable, "-c", "pass"])
    print("| command | median wall | over `python -c pass` |\n|---|---|---|")
    print(f"| `python -c pass` | {baseline * 1000:.0f} ms | |")
    for args in (["--help"], ["resolve", "Najin"]):
        wall = median_wall([exe, *args])
        print(f"| `shiproute {' '.join(args)}` | {wall * 1000:.0f} ms | "
              f"+{(wall - baseline) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
