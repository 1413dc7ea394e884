"""bench/compare.py: a rerun's figures checked against the spreads of the run the README quotes."""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import compare

EARLIER = """\
## bench_sea

| measurement | result | note |
|---|---|---|
| 200 pairs | shiproute 1.64 s (1.52-1.94), 205 MB; searoute 2.62 s (2.61-2.84), 53 MB | 0.6x |
| 100 port pairs | 1.08 s (1.06-1.14), 164 MB | 1 unrouted |

## bench_browser

| n | shiproute: interactive | slider |
|---|---|---|
| 10k | 0.84 s (0.82-0.86), 28 MB (28-28) heap | filter 14 ms (10-18), settled 134 ms (128-139) |
"""

RERUN = """\
## bench_sea

| measurement | result | note |
|---|---|---|
| 200 pairs | shiproute 1.70 s (1.60-1.80), 207 MB; searoute 2.90 s (2.85-2.95), 53 MB | 0.6x |
| 100 port pairs | 1.10 s (1.07-1.12), 160 MB | 2 unrouted |
| new row | 3.00 s (2.00-4.00) | |

## bench_browser

| n | shiproute: interactive | slider |
|---|---|---|
| 10k | 0.85 s (0.80-0.90), 30 MB (29-31) heap | filter 19 ms (19-20), settled 130 ms (120-140) |
"""


def test_figures_are_keyed_by_section_row_column_and_the_words_before_them():
    found = dict(compare.figures(EARLIER))
    assert sorted(found) == [
        "bench_browser / 10k / shiproute: interactive",
        "bench_browser / 10k / shiproute: interactive / heap",
        "bench_browser / 10k / slider / filter",
        "bench_browser / 10k / slider / settled",
        "bench_sea / 100 port pairs / result",
        "bench_sea / 200 pairs / result / searoute",
        "bench_sea / 200 pairs / result / shiproute",
    ]
    filter_ms = found["bench_browser / 10k / slider / filter"]
    assert (filter_ms.median, filter_ms.low, filter_ms.high) == pytest.approx((0.014, 0.010, 0.018))
    assert found["bench_sea / 200 pairs / result / searoute"].text == "2.62 s (2.61-2.84)"


def test_medians_out_of_the_earlier_range_come_first_with_their_change():
    rows, summary = compare.compare(dict(compare.figures(EARLIER)), dict(compare.figures(RERUN)))
    verdicts = {row[0]: row[3:] for row in rows}
    assert verdicts["bench_sea / 200 pairs / result / searoute"] == ["no", "no", "+11%"]
    assert verdicts["bench_browser / 10k / slider / filter"] == ["no", "no", "+36%"]
    assert verdicts["bench_browser / 10k / shiproute: interactive / heap"] == [
        "no", "no", "+7%"]
    assert verdicts["bench_sea / 200 pairs / result / shiproute"] == ["yes", "yes", "+4%"]
    assert verdicts["bench_browser / 10k / slider / settled"] == [
        "yes", "yes", "-3%"]
    assert [row[3] for row in rows] == ["no"] * 3 + ["yes"] * 4
    assert summary == ("7 figures in both runs: 4 medians within the earlier range, "
                       "4 ranges overlapping; medians moved by 4% (median), at most 36%; "
                       "0 only in the earlier run, 1 only in the rerun.")


def test_the_command_prints_the_table_and_the_summary(tmp_path):
    earlier, rerun = tmp_path / "earlier.md", tmp_path / "rerun.md"
    earlier.write_text(EARLIER, encoding="utf-8")
    rerun.write_text(RERUN, encoding="utf-8")
    done = subprocess.run([sys.executable, str(Path(compare.__file__)), str(earlier), str(rerun)],
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[2] == ("| bench_sea / 200 pairs / result / searoute | 2.62 s (2.61-2.84) "
                        "| 2.90 s (2.85-2.95) | no | no | +11% |")
    assert lines[-1].startswith("7 figures in both runs: 4 medians within")
