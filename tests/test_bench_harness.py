"""The bench harness: run order, discarded warm-ups, what a run reports."""

from __future__ import annotations

from pathlib import Path
import sys

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import harness

COUNT = ("import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
         "n = int(p.read_text()) + 1 if p.exists() else 1; p.write_text(str(n)); print(n)")


def test_order_alternates_sides_and_reverses_every_other_round():
    assert harness.order(["A", "B"], 3) == ["A", "B", "B", "A", "A", "B"]
    assert harness.order(["A", "B", "C"], 2) == ["A", "B", "C", "C", "B", "A"]


def test_compare_discards_warmups_and_runs_sides_in_turn(tmp_path):
    seen: list[str] = []
    sides = [harness.Side(name, [sys.executable, "-c", COUNT, str(tmp_path / name)],
                          before=lambda name=name: seen.append(name))
             for name in ("A", "B")]
    stats = harness.compare(sides, runs=2, warmups=1)
    assert seen == ["A", "B", "B", "A", "A", "B"]
    assert [s.stdout.strip() for s in stats["A"].samples] == ["2", "3"]
    assert [s.stdout.strip() for s in stats["B"].samples] == ["2", "3"]


def test_a_run_reports_its_own_peak_memory_not_the_wrappers():
    grab = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    big = harness.run_once([sys.executable, "-c", grab])
    small = harness.run_once([sys.executable, "-c", "pass"])
    assert big.peak_mb > 200 > small.peak_mb
    assert 0 < small.wall_s < big.wall_s + 5


def test_stats_give_median_min_max_and_largest_peak():
    stats = harness.Stats(tuple(harness.Sample(w, m, "") for w, m in
                                ((3.0, 10.0), (1.0, 30.0), (2.0, 20.0))))
    assert (stats.median_s, stats.min_s, stats.max_s, stats.peak_mb) == (2.0, 1.0, 3.0, 30.0)
    assert stats.cell() == "2.00 s (1.00-3.00), 30 MB"


def test_a_failing_command_raises_with_its_output():
    with pytest.raises(RuntimeError, match="exited with 3"):
        harness.run_once([sys.executable, "-c", "import sys; print('bad'); sys.exit(3)"])


def test_reported_reads_the_json_each_run_printed_last():
    printed = [harness.Sample(1.0, 1.0, f'warming up\n{{"seconds": {s}}}\n') for s in (3, 1, 2)]
    assert harness.reported(harness.Stats(tuple(printed)), "seconds") == 2.0
    quiet = harness.Stats((harness.Sample(1.0, 1.0, "out.html\n"),))
    assert harness.reported(quiet, "seconds") is None
