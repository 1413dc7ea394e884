"""Time whole processes fairly: the runner every comparison in bench/ uses.

Every run is a fresh process started by a small wrapper process, which times
the command and reads its peak resident memory with
``resource.getrusage(RUSAGE_CHILDREN)`` (the wrapper's own memory is not in
it). The sides of a comparison run in turn, in a rotating order (A B, B A,
...), so that other load on the machine hits all of them alike; the first
``warmups`` rounds fill the disk cache and are discarded. Each side is
reported as the median wall time with its minimum and maximum, and its
largest peak memory over the measured runs.

Also here: the machine facts printed at the top of every bench's output, and
small Markdown helpers.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import importlib.metadata
import json
import os
from pathlib import Path
import platform
import statistics
import subprocess
import sys
from typing import Any

EXE = str(Path(sys.executable).with_name("shiproute"))
"""The ``shiproute`` command of the Python running the bench."""

WRAPPER = """import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"\\nharness: {code} {wall!r} {peak}", file=sys.stderr)
"""
"""Runs argv as a child (stdout and stderr passed through), then reports its exit code,
wall time (s) and peak resident memory (KiB) as the last line of stderr."""

VERSIONS = ("shiproute", "folium", "searoute", "numpy", "PyYAML", "yaml-rs")


@dataclass(frozen=True)
class Side:
    """One command of a comparison.

    Parameters
    ----------
    name
        The label in tables.
    argv
        The command, run as a fresh process each time.
    before
        Called (untimed) before each run, e.g. to empty a cache for a cold run.
    """

    name: str
    argv: Sequence[str]
    before: Callable[[], None] | None = None


@dataclass(frozen=True)
class Sample:
    """One run: wall time (s), peak resident memory (MB) and what it printed."""

    wall_s: float
    peak_mb: float
    stdout: str


@dataclass(frozen=True)
class Stats:
    """The measured (not warm-up) runs of one side."""

    samples: tuple[Sample, ...] = field(default=())

    @property
    def median_s(self) -> float:
        """Median wall time, s."""
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def min_s(self) -> float:
        """Fastest wall time, s."""
        return min(s.wall_s for s in self.samples)

    @property
    def max_s(self) -> float:
        """Slowest wall time, s."""
        return max(s.wall_s for s in self.samples)

    @property
    def peak_mb(self) -> float:
        """Largest peak resident memory of the runs, MB."""
        return max(s.peak_mb for s in self.samples)

    def cell(self, unit: str = "s") -> str:
        """Format as ``median (min-max), peak MB`` with times in ``unit`` (``s`` or ``ms``)."""
        scale, digits = (1000, 0) if unit == "ms" else (1, 2)
        return (f"{spread([x.wall_s * scale for x in self.samples], unit, digits)}, "
                f"{self.peak_mb:,.0f} MB")


def spread(values: Sequence[float], unit: str, digits: int = 0) -> str:
    """Format the median of ``values`` in ``unit`` with their range: ``1.08 s (1.06-1.14)``."""
    low, mid, high = (f"{v:,.{digits}f}" for v in (min(values), statistics.median(values),
                                                   max(values)))
    return f"{mid} {unit} ({low}-{high})"


def reported(stats: Stats, key: str) -> float | None:
    """Return the median of ``key`` in the JSON each run printed last, or None if it printed none.

    Parameters
    ----------
    stats
        The measured runs of a side whose command prints a JSON object as its last line
        (e.g. the seconds of a step it timed itself).
    key
        The field to read.

    Returns
    -------
    float or None
        The median over the runs.
    """
    values = [printed(sample) for sample in stats.samples]
    if any(value is None for value in values):
        return None
    return statistics.median(float(value[key]) for value in values if value is not None)


def printed(sample: Sample) -> dict[str, Any] | None:
    """Return the JSON object a run printed as its last line, or None if it printed none."""
    last = sample.stdout.strip().rpartition("\n")[2]
    return json.loads(last) if last.startswith("{") else None


def run_once(argv: Sequence[str]) -> Sample:
    """Run ``argv`` once through the wrapper and return what it cost.

    Parameters
    ----------
    argv
        The command.

    Returns
    -------
    Sample
        Wall time of the child process, its peak memory and its stdout.

    Raises
    ------
    RuntimeError
        If the command exits with a non-zero status.
    """
    done = subprocess.run([sys.executable, "-c", WRAPPER, *argv], capture_output=True,
                          text=True, check=False)
    head, _, last = done.stderr.rpartition("\nharness: ")
    code, wall, peak = last.split()
    if code != "0":
        message = f"{' '.join(argv)} exited with {code}:\n{head[-2000:]}"
        raise RuntimeError(message)
    return Sample(float(wall), int(peak) / 1024, done.stdout)


def order(names: Sequence[str], rounds: int) -> list[str]:
    """Return the run order: every side once per round, the order reversed every other round.

    Parameters
    ----------
    names
        The sides, in the order of the first round.
    rounds
        How many rounds (warm-ups included).

    Returns
    -------
    list of str
        One entry per run, e.g. ``A B B A A B`` for two sides and three rounds.
    """
    return [name for r in range(rounds) for name in (names if r % 2 == 0 else names[::-1])]


def compare(sides: Sequence[Side], *, runs: int, warmups: int = 1) -> dict[str, Stats]:
    """Run every side ``warmups + runs`` times in turn; return the measured runs by name.

    Parameters
    ----------
    sides
        The commands to compare (one side alone is fine).
    runs
        Measured runs of each side.
    warmups
        Leading rounds whose runs are discarded.

    Returns
    -------
    dict
        :class:`Stats` of each side's measured runs, by side name.
    """
    by_name = {side.name: side for side in sides}
    kept: dict[str, list[Sample]] = {name: [] for name in by_name}
    for n, name in enumerate(order(list(by_name), warmups + runs)):
        side = by_name[name]
        if side.before is not None:
            side.before()
        sample = run_once(side.argv)
        if n >= warmups * len(sides):
            kept[name].append(sample)
    return {name: Stats(tuple(samples)) for name, samples in kept.items()}


def add_run_options(parser: argparse.ArgumentParser, *, runs: int, quick_runs: int,
                    warmups: int = 1) -> None:
    """Add ``--quick``, ``--runs`` and ``--warmups`` to a bench's command line.

    Parameters
    ----------
    parser
        The bench's parser.
    runs, quick_runs
        Measured runs of each side by default, and with ``--quick``.
    warmups
        Discarded warm-up rounds by default.
    """
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and fewer runs, for a look while developing")
    parser.add_argument("--runs", type=int,
                        help=f"measured runs of each side (default {runs}, {quick_runs} "
                        "with --quick)")
    parser.add_argument("--warmups", type=int, default=warmups,
                        help=f"discarded warm-up rounds (default {warmups})")
    parser.set_defaults(full_runs=runs, quick_runs=quick_runs)


def runs_of(args: argparse.Namespace) -> int:
    """Return the measured runs asked for by the options of :func:`add_run_options`."""
    return int(args.runs or (args.quick_runs if args.quick else args.full_runs))


def ratio(other: Stats, ours: Stats) -> str:
    """Say how ``ours`` compares with ``other``: times faster or slower, memory less or more."""
    speed, memory = other.median_s / ours.median_s, other.peak_mb / ours.peak_mb
    return (f"{speed:.1f}x faster" if speed >= 1 else f"{1 / speed:.1f}x slower") + ", " + (
        f"{memory:.1f}x less memory" if memory >= 1 else f"{1 / memory:.1f}x more memory")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


def _proc_field(path: str, key: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return "unknown"


def _os_name() -> str:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return platform.platform()
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    return f"{fields.get('PRETTY_NAME', '').strip(chr(34))}, {platform.release()}"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_facts() -> dict[str, str]:
    """Return the facts a reader needs to judge a figure: CPUs, RAM, OS, versions, load."""
    ram_kib = _proc_field("/proc/meminfo", "MemTotal").split()[0]
    ram = f"{int(ram_kib) / 1024**2:.1f} GiB" if ram_kib.isdigit() else "unknown"
    facts = {
        "CPUs": f"{os.cpu_count()} x {_proc_field('/proc/cpuinfo', 'model name')}",
        "RAM": ram,
        "OS": _os_name(),
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
    }
    facts |= {package: _version(package) for package in VERSIONS}
    facts["load average (1 min)"] = f"{os.getloadavg()[0]:.2f}"
    return facts


def header() -> str:
    """Return the machine facts as one line, for the top of a bench's output."""
    return "Machine: " + "; ".join(f"{k} {v}" for k, v in machine_facts().items())


def method(runs: int, warmups: int) -> str:
    """Return the sentence that says how the figures of a table were taken."""
    return (f"Each figure: median wall time of {runs} run(s) in fresh processes (min-max), "
            f"after {warmups} discarded warm-up round(s), sides in turn; peak memory is the "
            "largest resident set of those runs.")
