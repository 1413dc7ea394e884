"""Benchmark the load path at 10,000 and 100,000 legs, with and without leg ids.

Legs without ids get generated ones (``from-to-mode-date``, ``-2``, ``-3``
for repeats), which was once quadratic. Each dataset is read three ways, each
in a fresh process: ``validate --no-routes`` (read and check), ``legs --format
csv`` (read and list) and ``render`` (read, build the page; the legs follow 600
drawn paths, so no routing is timed). The legs of the dataset with ids, listed
as CSV and saved as XLSX (openpyxl), are then read back by ``import``, the way a
spreadsheet of legs comes in.

The ratio of 100,000 to 10,000 legs shows whether a step grows faster than
its input (linear is 10x; the target is under 15x). The steps of a
dataset run in turn by :mod:`harness` (median of several runs, min-max,
largest peak resident memory).

Usage::

    python bench/bench_load.py [--quick] [--runs 3]

``--quick`` measures 1,000 and 10,000 legs instead.

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
import random
import tempfile

import harness
import openpyxl

SEED = 20241130
SITES = 200
PATHS = 600
STEPS = ("validate --no-routes", "legs --format csv", "render")
IMPORTS = ("import LEGS.csv", "import LEGS.xlsx")


Site = tuple[str, float, float]
Leg = tuple[int, int, int, str, int]


def world(n: int) -> tuple[list[Site], list[list[int]], list[Leg]]:
    """Return 200 sites in Russia, 600 paths between them and ``n`` legs on those paths.

    A leg is its path's index, its two sites' indices, its month and its volume.
    """
    rng = random.Random(SEED)
    sites = [(f"s{i}", round(rng.uniform(55, 62), 4), round(rng.uniform(40, 80), 4))
             for i in range(SITES)]
    pairs = [rng.sample(range(SITES), 2) for _ in range(PATHS)]
    legs = []
    for _ in range(n):
        k = rng.randrange(PATHS)
        legs.append((k, *pairs[k], f"2023-{rng.randint(1, 12):02d}", rng.randint(1, 500)))
    return sites, pairs, legs


def dataset(n: int, ids: bool) -> str:
    """Return a dataset of ``n`` legs among 200 sites in Russia on 600 shared paths."""
    sites, pairs, legs = world(n)
    lines = ["title: load benchmark", "sources:", "  r: {title: '[generated]'}", "sites:"]
    lines += [f"  {sid}: {{name: Place {sid}, kind: city, country: RU, lat: {lat}, lon: {lon}}}"
              for sid, lat, lon in sites]
    lines.append("paths:")
    for k, (a, b) in enumerate(pairs):
        (_, la, lo), (_, lb, lob) = sites[a], sites[b]
        points = ", ".join(f"[{la + (lb - la) * t / 4:.4f}, {lo + (lob - lo) * t / 4:.4f}]"
                           for t in range(5))
        lines.append(f"  p{k}: [{points}]")
    lines.append("legs:")
    for i, (k, a, b, month, volume) in enumerate(legs):
        leg_id = f"id: leg-{i}, " if ids else ""
        lines.append(f"  - {{{leg_id}from: s{a}, to: s{b}, mode: rail, path: p{k}, "
                     f"depart: {month}, volume: {volume}, unit: containers, sources: [r]}}")
    return "\n".join(lines) + "\n"


def spreadsheet(n: int) -> list[list[str | float | int]]:
    """Return the legs of :func:`dataset` as the rows of a spreadsheet, header first.

    The sites are named by their positions, as in a spreadsheet kept by hand.
    """
    sites, _, legs = world(n)
    rows: list[list[str | float | int]] = [[
        "id", "from", "from_lat", "from_lon", "to", "to_lat", "to_lon", "mode", "depart",
        "volume", "unit", "source"]]
    for i, (_, a, b, month, volume) in enumerate(legs):
        (sa, la, lo), (sb, lb, lob) = sites[a], sites[b]
        rows.append([f"leg-{i}", f"Place {sa}", la, lo, f"Place {sb}", lb, lob, "rail", month,
                     volume, "containers", "[generated]"])
    return rows


def sides(path: Path) -> list[harness.Side]:
    """Return the three steps on the dataset file ``path``."""
    argvs = {
        "validate --no-routes": ["validate", "--no-routes", str(path)],
        "legs --format csv": ["legs", "--format", "csv", str(path)],
        "render": ["render", str(path), "-o", str(path.with_suffix(".html")), "--no-cache",
                   "--force"],
    }
    return [harness.Side(step, [harness.EXE, *argvs[step]]) for step in STEPS]


def import_sides(n: int, work: Path) -> list[harness.Side]:
    """Return ``import`` of the legs of :func:`spreadsheet` as CSV and as XLSX, written here."""
    rows = spreadsheet(n)
    csv_file, xlsx_file = work / f"legs-{n}.csv", work / f"legs-{n}.xlsx"
    with csv_file.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("legs")
    for row in rows:
        sheet.append(row)
    book.save(xlsx_file)
    return [harness.Side(step, [harness.EXE, "import", str(source), "-o",
                                str(source.with_suffix(f"{source.suffix}.yaml")), "--force"])
            for step, source in zip(IMPORTS, (csv_file, xlsx_file), strict=True)]


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
            stats = harness.compare(import_sides(n, Path(tmp)), runs=runs, warmups=args.warmups)
            results |= {(step, True, n): stats[step] for step in IMPORTS}
    rows = []
    for step in STEPS + IMPORTS:
        for ids in (True, False) if step in STEPS else (True,):
            small, big = (results[step, ids, n] for n in sizes)
            rows.append([f"`{step}`", "given" if ids else "generated", small.cell(), big.cell(),
                         f"{big.median_s / small.median_s:.1f}x"])
    print(harness.table(["step", "leg ids", f"{sizes[0]:,} legs", f"{sizes[1]:,} legs",
                         "ratio"], rows))
    print("\n" + harness.method(runs, args.warmups))


if __name__ == "__main__":
    main()
