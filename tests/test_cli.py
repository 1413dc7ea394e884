"""The shiproute command line, through click's CliRunner and real subprocesses."""

from __future__ import annotations

from collections.abc import Callable
import json
import os
from pathlib import Path
import subprocess
import sys

from click.testing import CliRunner
import pytest

from shiproute.cli import main

from helpers import cache_entries

COMMANDS = ["resolve", "validate", "legs", "sites", "render", "route"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _single_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_resolve_prints_the_site(runner: CliRunner) -> None:
    result = runner.invoke(main, ["resolve", "Najin"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["rajin: Rajin (port, KP)", "  at 42.2445, 130.3000"]


def test_resolve_json_has_the_contract_fields(runner: CliRunner) -> None:
    result = runner.invoke(main, ["resolve", "Rajin/Najin", "--json"])
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["id"] == "rajin" and record["country"] == "KP" and record["kind"] == "port"
    assert (record["lat"], record["lon"]) == (42.2445, 130.3)
    assert "Najin" in record["aliases"] and "나진" in record["aliases"]


def test_resolve_unknown_place_is_one_error_line_exit_1(runner: CliRunner) -> None:
    result = runner.invoke(main, ["resolve", "Tikhoretck"])
    assert result.exit_code == 1
    assert _single_error(result.stderr) == (
        "Error: Unknown place 'Tikhoretck'; did you mean 'Tikhoretsk', 'Tikhoretsk ammunition "
        "depot' or 'Tikhoretsk, RU'? Add it to the dataset's 'sites:' or to a --gazetteer file, "
        "or add an alias."
    )


def test_gazetteer_file_is_layered_over_the_bundled_one(
    runner: CliRunner, write: Callable[[str, str], Path]
) -> None:
    mine = write("mine.yaml", """
    sites:
      dunay: {name: Dunay, kind: port, country: RU, lat: 42.9, lon: 132.4, aliases: [Dunai pier]}
      kamenny: {name: Kamenny, kind: rail_station, country: RU, lat: 45.88, lon: 40.04}
    """)
    result = runner.invoke(main, ["resolve", "Dunai pier", "--json", "--gazetteer", str(mine)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["lon"] == 132.4
    result = runner.invoke(main, ["resolve", "Kamenny", "--gazetteer", str(mine)])
    assert result.stdout.startswith("kamenny: Kamenny (rail station, RU)")


def test_bad_gazetteer_file_is_reported_with_its_line(
    runner: CliRunner, write: Callable[[str, str], Path]
) -> None:
    mine = write("mine.yaml", """
    sites:
      x: {name: X, kind: shipyard, country: RU, lat: 1, lon: 2}
    """)
    result = runner.invoke(main, ["resolve", "X", "--gazetteer", str(mine)])
    assert result.exit_code == 1
    assert _single_error(result.stderr) == (
        f"Error: {mine}:2:22: site 'x': unknown kind 'shipyard'; use one of port, rail_station, "
        "border_crossing, depot, city, airfield, cosmodrome, other"
    )


def test_validate_bundled_dataset_is_ok(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0
    assert result.stdout.strip().endswith(
        "OK: 4 legs, 9 sites, 5 sources, 8 events, 5 estimates"
    )


def test_validate_prints_every_problem_then_a_summary(
    runner: CliRunner, write: Callable[[str, str], Path]
) -> None:
    bad = write("bad.yaml", """
    legs:
      - {from: Rajin, to: Dunay, mode: boat}
      - {from: Rajin, to: Dunay, mode: sea, volume: -1}
    """)
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:2:36: leg 1: unknown mode 'boat'; use one of sea, rail, road, air",
        f"{bad}:3:49: leg 2: volume -1 is negative; volumes count what moved",
        f"Error: {bad}: 2 errors; nothing was written",
    ]


def test_validate_bad_yaml_names_line_and_column(
    runner: CliRunner, write: Callable[[str, str], Path]
) -> None:
    bad = write("bad.yaml", "legs:\n  - {from: Rajin\n")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert _single_error(result.stderr).startswith(f"Error: {bad}:3:1: invalid YAML:")


def test_missing_dataset_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_legs_and_sites_tables(runner: CliRunner) -> None:
    legs = runner.invoke(main, ["legs"]).stdout.splitlines()
    assert legs[0].split() == ["id", "from", "to", "mode", "depart", "arrive", "volume",
                               "carrier", "basis", "sources"]
    assert len(legs) == 2 + 4
    assert legs[2].split()[:7] == ["angara-rajin-dunay", "Rajin", "Dunay", "sea", "8-12", "Sep",
                                   "2023"]
    sites = runner.invoke(main, ["sites"]).stdout.splitlines()
    assert len(sites) == 2 + 9
    assert sites[2].split()[:4] == ["rajin", "Rajin", "port", "KP"]


def test_render_default_writes_dataset_name_html_in_cwd(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["render"])
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "nk-ru-arms-2023-2024.html"
    assert result.stdout.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    assert '"legs":{"id":[' in page and "ShipRoute.mount(" in page
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_render_output_and_title(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    result = runner.invoke(main, ["render", "-o", str(out), "--title", "Briefing <draft>"])
    assert result.exit_code == 0
    assert "<title>Briefing &lt;draft&gt;</title>" in out.read_text(encoding="utf-8")


def test_render_of_a_bad_dataset_writes_nothing(
    runner: CliRunner, tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    bad = write("bad.yaml", "legs:\n  - {from: Ruritania, to: Dunay, mode: sea}\n")
    out = tmp_path / "out.html"
    result = runner.invoke(main, ["render", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert _single_error(result.stderr).startswith(f"Error: {bad}:2:12: leg 1: Unknown place")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_render_into_missing_directory_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "nope" / "map.html"
    result = runner.invoke(main, ["render", "-o", str(out)])
    assert result.exit_code == 1
    assert _single_error(result.stderr) == (
        f"Error: {out}: directory {out.parent} does not exist; create it or choose another "
        "directory"
    )


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_of_every_command(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")


def test_cli_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, shiproute.cli; "
        "print(sorted(m for m in ('folium', 'branca', 'networkx', 'geopandas', 'pandas', "
        "'pyproj', 'shapely', 'scipy', 'searoute', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_installed_command_runs_as_a_real_process(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("shiproute")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([str(exe), "resolve", "Tikhoretsk ammunition depot"], cwd=tmp_path,
                         capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("tikhoretsk-depot: Tikhoretsk ammunition depot (depot, RU)")


def test_route_prints_distance_rule_and_countries(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["route", "Vladivostok", "Tikhoretsk", "--mode", "rail",
                                  "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    km = int(lines[0].split(": ")[1].split(" km")[0].replace(",", ""))
    assert lines[0].startswith("Vladivostok -> Tikhoretsk by rail: ")
    assert 8500 < km < 10500
    assert lines[1:] == [
        "  route: OpenStreetMap railways (scgraph-data)",
        "  rule: within RU (the countries of its stops)",
        "  countries: RU",
    ]


def test_route_json_is_a_geojson_feature_in_lon_lat_order(runner: CliRunner) -> None:
    result = runner.invoke(main, ["route", "Rajin", "Dunay", "--mode", "sea", "--json"])
    assert result.exit_code == 0, result.stderr
    feature = json.loads(result.stdout)
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "LineString"
    coords = feature["geometry"]["coordinates"]
    assert coords[0] == [130.3, 42.2445] and coords[-1] == [132.345, 42.887]
    props = feature["properties"]
    assert props["mode"] == "sea" and props["flags"] == [] and 150 < props["distance_km"] < 400
    assert props["route_source"] == "water grid on Natural Earth 10m coastlines"
    assert props["distance_nm"] == pytest.approx(props["distance_km"] / 1.852, abs=0.01)


def test_route_takes_positions_as_lat_lon_southern_and_western_too(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["route", "43.12,131.9", "Khabarovsk", "--mode", "rail",
                                  "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("43.12,131.9 -> Khabarovsk by rail: ")
    assert 650 < int(first.split(": ")[1].split(" km")[0].replace(",", "")) < 850
    result = runner.invoke(main, ["route", "-33.92,18.42", "Tanabe", "--mode", "sea", "--json",
                                  "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    feature = json.loads(result.stdout)
    assert feature["properties"]["from"] == "-33.92,18.42"
    assert feature["geometry"]["coordinates"][0] == [18.42, -33.92]
    assert 13000 < feature["properties"]["distance_km"] < 17000
    result = runner.invoke(main, ["route", "Rajin", "Dunay", "--mdoe", "sea"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: No such option '--mdoe'. "
                                              "Did you mean '--mode'?")


@pytest.mark.parametrize(("args", "message"), [
    (["95,40", "Moscow"], "Error: FROM '95,40': a position is LAT,LON with latitude in -90..90 "
                          "and longitude in -180..180, e.g. 42.35,130.40"),
    (["Rajin", "0,-150"], "Error: TO '0,-150' lies in no country, farther than 0.1 degree off "
                          "every coast; give a port or a place on land"),
])
def test_a_position_out_of_range_or_at_sea_is_one_usage_error(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["route", *args, "--mode", "sea"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == message


def test_route_with_unknown_place_is_one_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["route", "Rajin", "Dunai port x", "--mode", "sea"])
    assert result.exit_code == 1
    assert _single_error(result.stderr).startswith("Error: Unknown place 'Dunai port x'")


def test_unrouted_leg_warns_on_stderr_and_is_flagged_in_the_popup(
    runner: CliRunner, tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    data = write("lake.yaml", """
    sites:
      listvyanka: {name: Listvyanka, kind: port, country: RU, lat: 51.85, lon: 104.87}
    legs:
      - {id: lake, from: Listvyanka, to: Vladivostok, mode: sea}
    """)
    out = tmp_path / "lake.html"
    result = runner.invoke(main, ["render", str(data), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{data}:2:64: warning: site 'listvyanka': port at 51.85, 104.87 lies more than 500 km "
        "from the coast; if it is a river or lake port this is fine, else check its coordinates",
        f"{data}: warning: sea leg 'lake' (Listvyanka -> Vladivostok) could not be routed "
        "(unrouted: port inland with no waterway: no sea lane or waterway reaches 51.850, "
        "104.870 over water, and the nearest is 1743 km away over land); it is drawn as a "
        "great circle",
    ]
    assert "unrouted: port inland with no waterway" in out.read_text(encoding="utf-8")


def test_no_cache_writes_no_cache_files(runner: CliRunner, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runner.invoke(main, ["route", "Rajin", "Dunay", "--mode", "sea", "--no-cache",
                         "--cache-dir", str(cache)])
    assert not cache.exists()
    runner.invoke(main, ["route", "Rajin", "Dunay", "--mode", "sea", "--cache-dir", str(cache)])
    assert len(cache_entries(cache / "routes")) == 1
