"""'shiproute gazetteer check': every problem, with its position; schema; hostile files."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path

from click.testing import CliRunner
import jsonschema
import pytest
import yaml

from shiproute.cli import main
from shiproute.gazetteer.check import check_gazetteer
from shiproute.gazetteer.load import bundled_path
from shiproute.gazetteer.schema import gazetteer_schema


def test_bundled_gazetteer_is_clean() -> None:
    assert check_gazetteer(bundled_path()) == []


def test_every_problem_is_reported_with_its_position(write: Callable[[str, str], Path]) -> None:
    path = write("bad.yaml", """
    sites:
      a: {name: A, kind: port, country: RU, lat: 132.3, lon: 42.9}
      b: {name: B, kind: port, country: RU, lat: 48.0, lon: 2.3}
      c: {name: C, kind: shipyard, country: Russia, lat: 43, lon: 131, colour: red}
      b: {name: B2, kind: port, country: RU, lat: 43, lon: 131}
      t: {name: Tikhoretsk copy, kind: city, country: RU, lat: 40.125, lon: 45.853}
      d: {name: D, aliases: [Harbour], kind: port, country: RU, lat: 43.1, lon: 131.9}
      e: {name: E, aliases: [harbour], kind: port, country: RU, lat: 43.2, lon: 131.9}
      f: {name: F, kind: port, country: RU, lat: 43.2}
    """)
    assert [str(p) for p in check_gazetteer(path)] == [
        f"{path}:2:46: site 'a': latitude 132.3 is outside [-90, 90]; lat and lon look swapped",
        f"{path}:3:46: site 'b': 48, 2.3 lies 1,476 km outside RU",
        f"{path}:4:22: site 'c': unknown kind 'shipyard'; use one of port, rail_station, "
        "border_crossing, depot, city, airfield, cosmodrome, other",
        f"{path}:4:41: site 'c': country 'Russia' is not an ISO 3166-1 alpha-2 code",
        f"{path}:4:68: site 'c': unknown field 'colour'; known fields: name, aliases, kind, "
        "country, lat, lon, note",
        f"{path}:5:3: duplicate key 'b' (first at line 3); remove one of them",
        f"{path}:6:60: site 't': 40.125, 45.853 lies 195 km outside RU; lat and lon look swapped",
        f"{path}:8:3: site 'e': name or alias 'harbour' also names site 'd' ('Harbour'); "
        "it would be ambiguous",
        f"{path}:9:6: site 'f': missing field 'lon'",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"sites: !!python/object/apply:os.system [ls]\n",
         ":1:8: YAML tag '!!python/object/apply:os.system' is not allowed"),
        (b"- a\n- b\n", ":1:1: a gazetteer must be a mapping of fields, not a list"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ":1:1: not UTF-8 text (byte 0x89)"),
        (b"sites:\n  a: " + b"x" * (50 * 1024 * 1024) + b"\n",
         ": file is 50.0 MB, over the 32 MB limit for YAML"),
    ],
)
def test_hostile_or_broken_files_get_one_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "g.yaml"
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["gazetteer", "check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}{message}")
    assert "Traceback" not in result.stderr


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["gazetteer", "check", str(path)])
    assert result.exit_code == 1 and "alias bomb" in result.stderr


def test_schema_validates_the_bundled_file_and_rejects_a_bad_one() -> None:
    schema = gazetteer_schema()
    jsonschema.validate(yaml.safe_load(bundled_path().read_text(encoding="utf-8")), schema)
    bad = {"sites": {"x": {"name": "X", "kind": "shipyard", "country": "RU", "lat": 1, "lon": 2}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_shipped_schema_file_and_modeline_match_the_schema() -> None:
    shipped = json.loads(bundled_path().with_name("sites.schema.json").read_text())
    assert shipped == gazetteer_schema()
    first = bundled_path().read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=sites.schema.json"
    result = CliRunner().invoke(main, ["gazetteer", "schema"])
    assert json.loads(result.stdout) == shipped
