"""Statistics and the claims timeline: bounds carried, units and scopes kept apart, spans shared."""

from __future__ import annotations

from collections.abc import Callable
import json
import math
from pathlib import Path

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.analysis import stats, timeline
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.model import Dataset

from helpers import great_circles

CASPIAN = """
title: Drones across the Caspian (test case)
sites:
  amirabad: {name: Amirabad, kind: port, country: IR, lat: 36.857, lon: 53.378}
  makhachkala: {name: Makhachkala, kind: port, country: RU, lat: 42.983, lon: 47.516}
  alabuga: {name: Alabuga, kind: depot, country: RU, lat: 55.83, lon: 52.17}
sources:
  s: {title: "[Invented for the test]"}
legs:
  - {id: a, from: Amirabad, to: Makhachkala, mode: air, depart: 2022-10, volume: more than 300,
     unit: drones, sources: [s]}
  - {id: b, from: Amirabad, to: Makhachkala, mode: air, depart: 2022-11-02, volume: 100,
     unit: crates, sources: [s]}
  - {id: c, from: Makhachkala, to: Alabuga, mode: air, depart: 2022-08-20,
     volume: {value: 40, qualifier: at least}, unit: drones, sources: [s]}
  - {id: d, from: Makhachkala, to: Alabuga, mode: air, depart: 2022-08-25, volume: about 60,
     unit: drones, sources: [s]}
  - {id: e, from: Amirabad, to: Alabuga, mode: air, depart: 2023, volume: 1200, unit: drones,
     sources: [s]}
  - {id: f, from: Amirabad, to: Alabuga, mode: air, depart: 2022-12-20/2023-01-10, volume: 21,
     unit: crates, sources: [s], basis: inferred, reasoning: invented for the test}
"""


@pytest.fixture
def caspian(write: Callable[[str, str], Path], gazetteer: Gazetteer) -> Path:
    return write("caspian.yaml", CASPIAN)


@pytest.fixture(scope="module")
def seeds(gazetteer: Gazetteer) -> Dataset:
    return read_dataset(bundled_dataset_path(), gazetteer)


def _volumes(row: object) -> dict[tuple[str, str], tuple[float, float]]:
    return {(t.unit, t.scope): (round(t.low, 2), round(t.high, 2))
            for t in row.volumes}  # type: ignore[attr-defined]


def test_drones_and_crates_never_share_a_total(caspian: Path, gazetteer: Gazetteer) -> None:
    routed = great_circles(read_dataset(caspian, gazetteer))
    by_mode = stats(routed, by="mode")
    (air,) = by_mode
    assert _volumes(air) == {("drones", "shipment"): (1588, math.inf),
                             ("crates", "shipment"): (121, 121)}


def test_months_are_in_order_and_spans_are_shared_by_days(
    caspian: Path, gazetteer: Gazetteer
) -> None:
    rows = stats(great_circles(read_dataset(caspian, gazetteer)), by="month")
    assert [r.group for r in rows] == ["2022-08", "2022-10", "2022-11", "2022-12",
                                       *(f"2023-{m:02d}" for m in range(1, 13))]
    month = {r.group: r for r in rows}
    # "at least 40" + "about 60" drones in August: 40 + 48 and no upper bound
    assert _volumes(month["2022-08"]) == {("drones", "shipment"): (88, math.inf)}
    # "more than 300" stays open above
    assert _volumes(month["2022-10"]) == {("drones", "shipment"): (300, math.inf)}
    # a leg dated "2023" is shared over the year by days, not put in January
    assert _volumes(month["2023-01"])[("drones", "shipment")] == (
        pytest.approx(1200 * 31 / 365, abs=0.01),) * 2
    # a leg from 20 Dec 2022 to 10 Jan 2023: 12 of its 22 days in December
    assert month["2022-12"].legs == pytest.approx(12 / 22, abs=1e-4)
    assert _volumes(month["2022-12"])[("crates", "shipment")] == (round(21 * 12 / 22, 2),) * 2


def test_reported_only_leaves_out_inferred_legs(caspian: Path, gazetteer: Gazetteer) -> None:
    routed = great_circles(read_dataset(caspian, gazetteer))
    (everything,) = stats(routed, by="mode")
    (reported,) = stats(routed, by="mode", reported_only=True)
    assert (everything.legs, reported.legs) == (6, 5)


def test_bundled_single_shipment_and_aggregate_total_are_kept_apart(seeds: Dataset) -> None:
    rows = {r.group: r for r in stats(great_circles(seeds), by="site")}
    assert _volumes(rows["rajin"]) == {("containers", "shipment"): (240, 360),
                                       ("containers", "total"): (1600, 2400)}
    assert (rows["dunay"].inbound, rows["dunay"].outbound, rows["dunay"].role) == \
        (1, 1, "transshipment")


def test_timeline_envelope_reads_every_claim_with_its_qualifier(seeds: Dataset) -> None:
    rows = timeline(seeds, unit="containers")
    assert [(r.date.label(), r.low, r.high, r.floor, r.disagree) for r in rows] == [
        ("on or after Oct 2023", 1600, 2400, 1600, False),
        ("13 Oct 2023", 1000, math.inf, 1600, False),
        ("Mar 2024", 7000, math.inf, 10000, True),
    ]
    for row in rows:  # the floor so far is never below what a row's own claims allow
        assert row.floor >= min(c.volume.bounds()[0] for c in row.claims)


def test_open_ended_claim_makes_the_high_end_open(write: Callable[[str, str], Path],
                                                  gazetteer: Gazetteer) -> None:
    path = write("d.yaml", """
    estimates:
      - {date: 2023-05, value: more than 300, unit: drones, claimant: A}
      - {date: 2023-05, value: 1000, qualifier: about, unit: drones, claimant: B}
    """)
    (row,) = timeline(read_dataset(path, gazetteer))
    assert (row.low, row.high, row.open_ended, row.disagree) == (300, math.inf, True, False)


def test_json_outputs_carry_numbers_and_iso_dates(caspian: Path) -> None:
    result = CliRunner().invoke(main, ["stats", str(caspian), "--by", "month", "--format",
                                       "json", "--no-cache"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    august = data["rows"][0]
    assert august["group"] == "2022-08" and august["legs"] == 2
    (drones,) = august["volumes"]
    assert drones == {"unit": "drones", "scope": "shipment", "count": 2, "stated": 100.0,
                      "low": 88.0, "high": None}
    assert any("shared among its months by days" in rule for rule in data["rules"])
    result = CliRunner().invoke(main, ["timeline", "--format", "json"])
    claims = json.loads(result.stdout)["rows"]
    nsc = next(c for c in claims if c["claimant"].startswith("U.S. National Security"))
    assert nsc["date"] == {"iso": "2023-10-13", "text": "2023-10-13", "precision": "day",
                           "first": "2023-10-13", "last": "2023-10-13"}
    assert nsc["quantity"]["low"] == 1000.0 and nsc["quantity"]["max"] is None
    assert nsc["period"]["first"] == "2023-09-07" and isinstance(nsc["envelope_low"], float)


def test_csv_outputs_have_stable_snake_case_columns(caspian: Path) -> None:
    result = CliRunner().invoke(main, ["stats", str(caspian), "--by", "mode", "--format",
                                       "csv", "--no-cache"])
    lines = result.stdout.splitlines()
    assert lines[0] == ("group,legs,distance_km,unit,scope,volume_count,volume_stated,"
                        "volume_low,volume_high")
    assert lines[1].startswith("air,6.0,") and lines[1].endswith(",drones,shipment,4,1600.0,"
                                                                 "1588.0,")


def test_a_unit_that_matches_nothing_lists_the_units_there_are(caspian: Path) -> None:
    result = CliRunner().invoke(main, ["stats", str(caspian), "--no-cache"])
    assert result.exit_code == 0
    result = CliRunner().invoke(main, ["stats", str(caspian), "--unit", "containers",
                                       "--no-cache"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {caspian}: no volumes in 'containers'; its units are "
                             "'drones', 'crates'; use --unit 'drones' or leave --unit out for "
                             "all\n")
    result = CliRunner().invoke(main, ["timeline", str(caspian), "--unit", "shells"])
    assert result.exit_code == 1 and "its units are 'drones', 'crates'" in result.stderr


def test_tables_state_the_rule_they_follow(caspian: Path) -> None:
    result = CliRunner().invoke(main, ["stats", str(caspian), "--by", "month", "--no-cache"])
    assert "note: totals add the bounds of each figure within one unit: 'about' is +/-20 %" \
        in result.stdout
    assert "note: legs dated to a span are shared among its months by days" in result.stdout
    header = result.stdout.splitlines()[0].split()
    assert header == ["month", "legs", "distance", "km", "drones", "crates"]
