"""Run every benchmark and write their tables to ``bench/results.md``.

Each bench runs as its own process, one after another (never two at once:
they would time each other). ``results.md`` starts with the machine facts,
then gives each bench's command, exactly as run, and the Markdown it printed.
A bench that needs something not given (folium's npm assets for the browser
bench, a Python with scgraph for the scgraph rows, an older installation for
"before") is skipped, or run without those rows, and the reason is written
in its place.

Usage::

    python bench/run_all.py [--quick] [--runs N] [--folium-assets DIR]
                            [--scgraph-python PY] [--before PY] [--only NAME ...]

``--quick`` passes ``--quick`` to every bench: small sizes and fewer runs
(minutes instead of hours; bench_pipeline at 10,000 legs only). ``--runs N``
passes ``--runs N`` to every bench, so that each figure is a
median of N runs with its spread (``--quick --runs 3``: about 15 minutes). In the file,
paths given on the command line appear as the placeholders ``FOLIUM_ASSETS``,
``SCGRAPH_PYTHON`` and ``BEFORE_PYTHON``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
import subprocess
import sys
import time

import harness

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Bench:
    """One bench script and the options of this run it takes, with placeholders for paths."""

    name: str
    options: tuple[tuple[str, str], ...] = ()
    """(option, attribute of the parsed arguments) pairs, passed when given."""
    needs: str | None = None
    """An attribute that must be given, else the bench is skipped."""
    quick: bool = True
    """Whether the bench has a ``--quick`` mode (else it is skipped under ``--quick``)."""


BENCHES = (
    Bench("bench_startup"),
    Bench("bench_reference"),
    Bench("bench_load"),
    Bench("bench_render"),
    Bench("bench_routing", options=(("--scgraph-python", "scgraph_python"),)),
    Bench("bench_pipeline", options=(("--before", "before"),)),
    Bench("bench_browser", options=(("--folium-assets", "folium_assets"),),
          needs="folium_assets"),
    Bench("bench_sea"),
)
PLACEHOLDERS = {"folium_assets": "FOLIUM_ASSETS", "scgraph_python": "SCGRAPH_PYTHON",
                "before": "BEFORE_PYTHON"}


def command(bench: Bench, args: argparse.Namespace) -> tuple[list[str], str]:
    """Return the argv to run ``bench`` and the command to print (paths as placeholders)."""
    argv, shown = [sys.executable, str(HERE / f"{bench.name}.py")], [f"bench/{bench.name}.py"]
    if args.quick and bench.quick:
        argv.append("--quick")
        shown.append("--quick")
    if args.runs:
        argv += ["--runs", str(args.runs)]
        shown += ["--runs", str(args.runs)]
    for option, attribute in bench.options:
        value = getattr(args, attribute)
        if value:
            argv += [option, str(value)]
            shown += [option, PLACEHOLDERS[attribute]]
    return argv, "python " + " ".join(shown)


def skip_reason(bench: Bench, args: argparse.Namespace) -> str | None:
    """Return why ``bench`` is not run this time, or None."""
    if bench.needs and not getattr(args, bench.needs):
        option = bench.needs.replace("_", "-")
        return f"skipped: it needs --{option} (see the bench's docstring)"
    if args.quick and not bench.quick:
        return "skipped under --quick: the bench has no quick mode (run it without --quick)"
    return None


def run(bench: Bench, args: argparse.Namespace) -> str:
    """Run one bench; return its section of ``results.md``."""
    argv, shown = command(bench, args)
    reason = skip_reason(bench, args)
    if reason:
        print(f"{bench.name}: {reason}", file=sys.stderr, flush=True)
        return f"## {bench.name}\n\n`{shown}`: {reason}.\n"
    print(f"{bench.name}: {shown}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=HERE, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return (f"## {bench.name}\n\n`{shown}` failed (exit {done.returncode}); "
                f"the end of its error output:\n\n```\n{done.stderr[-1500:]}\n```\n")
    return f"## {bench.name}\n\n`{shown}` ({took / 60:.1f} min)\n\n{done.stdout.strip()}\n"


def main() -> None:
    """Run the benches asked for and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and fewer runs")
    parser.add_argument("--runs", type=int, help="measured runs of each side in every bench")
    parser.add_argument("--folium-assets", type=Path, help="npm tarballs for bench_browser")
    parser.add_argument("--scgraph-python", help="a Python with scgraph 2.x and scgraph-data")
    parser.add_argument("--before", help="a Python with an older shiproute, for bench_pipeline")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHES],
                        help="run these benches only")
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    facts = harness.machine_facts()
    sections = [run(bench, args) for bench in BENCHES if not args.only or bench.name in args.only]
    shown = "python bench/run_all.py" + (" --quick" if args.quick else "") + \
        (f" --runs {args.runs}" if args.runs else "")
    text = "\n".join([
        "# Benchmark results", "",
        f"Written by `{shown}` (with the options named in each section's command). "
        "Every figure below can be reproduced by running the command above it.", "",
        harness.table(["machine", ""], list(facts.items())), "", *sections])
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
