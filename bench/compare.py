"""Check a rerun of the benchmarks against the spreads an earlier run reported.

Every timed figure in a results file written by :mod:`run_all` (or printed by
a bench) reads ``MEDIAN UNIT (MIN-MAX)``. This script reads two such files,
pairs their figures by section, row, column and the words just before the
figure (``filter``, ``searoute``, ...) or just after it (``heap``), and says
for each figure whether the rerun's median falls within the earlier run's
range, and whether the two ranges overlap. Figures found in one file only are counted, not compared.

Usage::

    python bench/compare.py bench/results.md NEW-results.md

Prints a Markdown table, the figures out of range first, then a summary line.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
import re
import statistics

NUMBER = r"\d[\d,]*(?:\.\d+)?"
FIGURE = re.compile(rf"(?P<median>{NUMBER}) ?(?P<unit>ms|s|MB)? \((?P<low>{NUMBER})-"
                    rf"(?P<high>{NUMBER})\)(?: ?(?P<after>ms|s|MB)\b)?")
"""A figure with its spread: ``1.08 s (1.06-1.14)``, ``80 (79-87) ms``, ``28 MB (27-28)``."""

UNITS = {"ms": 0.001, "s": 1.0, "MB": 1.0}
"""Each unit's scale to the unit figures are compared in (seconds, or MB)."""


@dataclass(frozen=True)
class Figure:
    """One figure: its median and range, in seconds (or MB), and its text as written."""

    median: float
    low: float
    high: float
    text: str


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _words(text: str) -> list[str]:
    """Return the words of ``text``, without figures, units and marks."""
    return [word for word in re.sub(r"[^A-Za-z' -]", " ", FIGURE.sub(" ", text)).split()
            if word not in UNITS]


def _label(before: str, after: str) -> str:
    """Name a figure by the last words before it, else the words after it up to a comma."""
    return " ".join(_words(before)[-3:] or _words(re.split(r"[,;]", after)[0]))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def figures(text: str) -> Iterator[tuple[str, Figure]]:
    """Yield a key naming each timed figure of a results file, and the figure.

    Parameters
    ----------
    text
        The Markdown of a results file or of a bench's output.

    Yields
    ------
    tuple of str and Figure
        ``section / row / column / words before`` and the figure.
    """
    section, header = "", []
    for line in text.splitlines():
        if line.startswith("## "):
            section, header = line[3:].strip(), []
            continue
        if not line.startswith("|") or set(line) <= set("|-: "):
            header = header if line.startswith("|") else []
            continue
        cells = _cells(line)
        if not header:
            header = cells
            continue
        first = next((i for i, cell in enumerate(cells) if FIGURE.search(cell)), len(cells))
        row = " / ".join(cells[:first])
        for column, cell in zip(header, cells, strict=False):
            start = 0
            for match in FIGURE.finditer(cell):
                scale = UNITS[match["unit"] or match["after"] or "s"]
                figure = Figure(*(_number(match[k]) * scale for k in ("median", "low", "high")),
                                match[0])
                label = _label(cell[start:match.start()], cell[match.end():])
                key = " / ".join(part for part in (section, row, column, label) if part)
                start = match.end()
                yield key, figure


def compare(old: dict[str, Figure], new: dict[str, Figure]) -> tuple[list[list[str]], str]:
    """Return the table rows comparing the figures of both runs, and a summary line."""
    rows, within, overlap, changes = [], 0, 0, []
    shared = [key for key in new if key in old]
    for key in shared:
        a, b = old[key], new[key]
        inside, overlapping = a.low <= b.median <= a.high, b.low <= a.high and a.low <= b.high
        within += inside
        overlap += overlapping
        change = (b.median - a.median) / a.median if a.median else 0.0
        changes.append(abs(change))
        rows.append([key, a.text, b.text, "yes" if inside else "no",
                     "yes" if overlapping else "no", f"{change:+.0%}"])
    rows.sort(key=lambda row: (row[3] == "yes", row[4] == "yes"))
    moved = (f"; medians moved by {statistics.median(changes):.0%} (median), at most "
             f"{max(changes):.0%}" if changes else "")
    summary = (f"{len(shared)} figures in both runs: {within} medians within the earlier range, "
               f"{overlap} ranges overlapping{moved}; {len(old) - len(shared)} only in the "
               f"earlier run, {len(new) - len(shared)} only in the rerun.")
    return rows, summary


def main() -> None:
    """Read both files and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("earlier", type=Path, help="the results the README quotes")
    parser.add_argument("rerun", type=Path, help="a rerun with the same commands")
    args = parser.parse_args()
    old, new = (dict(figures(path.read_text(encoding="utf-8")))
                for path in (args.earlier, args.rerun))
    rows, summary = compare(old, new)
    print("| figure | earlier | rerun | rerun's median within the earlier range | ranges "
          "overlap | change |\n|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\n" + summary)


if __name__ == "__main__":
    main()
