"""Bounded reads: datasets, gazetteers and route-cache entries are checked before they are used.

A device, a FIFO or a file over 32 MB is refused before it is read; numbers
too large for any figure are an error naming their line; a route-cache entry
that is corrupt or poisoned (NaN, out of range, one point, 100,000 levels of
JSON) is a miss, logged, and the route is computed again. Each case runs the
real command and asserts the exact message and exit code.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import os
from pathlib import Path
import re
import resource
import subprocess
import sys
from typing import Any

from click.testing import CliRunner
import numpy as np
import pytest

from shiproute.cli import main
from shiproute.gazetteer.safeyaml import YamlReadError, read_limited
from shiproute.routes.cache import FILE_NAME

from helpers import cache_entries, set_cache_entry

EXE = str(Path(sys.executable).with_name("shiproute"))
LEGS = ("title: t\nsources:\n  s1: {{title: S}}\nlegs:\n"
        "  - {{from: Rajin, to: Vladivostok, mode: air, volume: {a}, sources: [s1]}}\n"
        "  - {{from: Rajin, to: Vladivostok, mode: air, volume: {b}, sources: [s1]}}\n")
SITE = "sites:\n  x: {{name: X, kind: port, country: RU, lat: {lat}, lon: {lon}}}\n"
DIGITS_400 = "9" * 400
DIGITS_5000 = "9" * 5000


def _limit_memory() -> None:
    """Keep a regression (reading /dev/zero whole) from taking the machine down."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          preexec_fn=_limit_memory, env={**os.environ, **(env or {})})


# --- files that are not regular, or too big ----------------------------------------

DEVICE = "Error: /dev/zero: not a regular file (a character device); give a YAML file\n"


@pytest.mark.parametrize("args", [
    ["legs", "/dev/zero"],
    ["validate", "/dev/zero"],
    ["render", "/dev/zero", "-o", "map.html"],
    ["resolve", "X", "--gazetteer", "/dev/zero"],
    ["gazetteer", "check", "/dev/zero"],
], ids=" ".join)
def test_a_device_is_refused_before_it_is_read(args: list[str], tmp_path: Path) -> None:
    result = _run(*args, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, DEVICE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [
    ["legs", "{path}"],
    ["resolve", "X", "--gazetteer", "{path}"],
    ["gazetteer", "check", "{path}"],
], ids=" ".join)
def test_a_fifo_is_refused_without_waiting_for_a_writer(args: list[str], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = _run(*[a.format(path=fifo.name) for a in args], cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        1, "Error: pipe.yaml: not a regular file (a named pipe (FIFO)); give a YAML file\n")


def test_a_symlink_to_a_device_is_refused_as_the_device(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").symlink_to("/dev/zero")
    result = _run("legs", "data.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        1, "Error: data.yaml: not a regular file (a character device); give a YAML file\n")


def test_a_gazetteer_directory_named_by_the_environment_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    result = _run("resolve", "Rajin", cwd=tmp_path, env={"SHIPROUTE_GAZETTEER": "sites"})
    assert (result.returncode, result.stderr) == (
        1, "Error: sites: not a regular file (a directory); give a YAML file\n")


TOO_BIG = ("Error: {name}: file is 33.0 MB, over the 32 MB limit for YAML; split it, or keep "
           "bulk legs in a CSV file\n")


@pytest.mark.parametrize("args", [
    ["legs", "big.yaml"],
    ["validate", "big.yaml"],
    ["resolve", "X", "--gazetteer", "big.yaml"],
    ["gazetteer", "check", "big.yaml"],
], ids=" ".join)
def test_a_33_mb_file_is_refused_by_its_size(args: list[str], tmp_path: Path) -> None:
    with (tmp_path / "big.yaml").open("wb") as handle:
        handle.truncate(33 * 1024 * 1024)  # sparse: the size alone must refuse it
    result = _run(*args, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, TOO_BIG.format(name="big.yaml"))


def test_the_reader_takes_at_most_the_cap_and_names_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_bytes(b"a: 1\n" * 10)
    assert read_limited(path, "dataset", max_bytes=50) == b"a: 1\n" * 10
    with pytest.raises(YamlReadError) as caught:
        read_limited(path, "dataset", max_bytes=49)
    assert str(caught.value) == (f"{path}: file is 0.0 MB, over the 0 MB limit for YAML; "
                                 "split it, or keep bulk legs in a CSV file")
    with pytest.raises(YamlReadError) as caught:
        read_limited(tmp_path / "gone.yaml", "gazetteer")
    assert str(caught.value) == f"{tmp_path / 'gone.yaml'}: can't read gazetteer: " \
                                "No such file or directory"


# --- numbers ---------------------------------------------------------------------

@pytest.mark.parametrize(("volume", "column", "message"), [
    (DIGITS_400, 55, "'volume' is a number of 400 digits, too large for any figure; "
                     "check the value"),
    ("1e400", 55, "'volume' must be a finite number, not inf"),
    (f"{DIGITS_400}.5", 55, "'volume' must be a finite number, not inf"),
    (".nan", 55, "'volume' must be a finite number, not nan"),
    ("1e308", 55, "1e+308 is not a figure from 0 to 1e+15"),
    (f"'{DIGITS_400}'", 55, "9999999999… (400 characters) is more than 1e+15"),
    (f"{{min: 1, max: {DIGITS_400}}}", 69,
     "'max' is a number of 400 digits, too large for any figure; check the value"),
], ids=["400 digits", "1e400", "400 digits and a fraction", "NaN", "1e308", "400 digits quoted",
        "max of 400 digits"])
def test_a_huge_volume_is_an_error_on_its_line_in_every_command(
    volume: str, column: int, message: str, tmp_path: Path
) -> None:
    dataset = tmp_path / "n.yaml"
    dataset.write_text(LEGS.format(a=volume, b=volume))
    expected = (f"{dataset}:5:{column}: leg 1: {message}\n"
                f"{dataset}:6:{column}: leg 2: {message}\n"
                f"Error: {dataset}: 2 errors; nothing was written\n")
    for command in (["stats", "--format", "json"], ["legs", "--format", "json"], ["validate"]):
        result = CliRunner().invoke(main, [*command, str(dataset)])
        assert (result.exit_code, result.stderr, result.stdout) == (1, expected, ""), command


def test_an_integer_of_5000_digits_is_refused_where_it_is_written(tmp_path: Path) -> None:
    (tmp_path / "n.yaml").write_text(LEGS.format(a=DIGITS_5000, b=1))
    result = _run("stats", "--format", "json", "n.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        1, "Error: n.yaml:5:55: a number of 5,000 digits is too long to read; no figure is "
           "that long: check it, or quote it if it is text\n")


def test_the_largest_volumes_add_up_to_finite_json(tmp_path: Path) -> None:
    dataset = tmp_path / "n.yaml"
    dataset.write_text(LEGS.format(a="1e15, unit: t", b="1e15, unit: t"))
    result = CliRunner().invoke(main, ["stats", "--format", "json", str(dataset)])
    assert result.exit_code == 0, result.stderr
    rows = _strict_json(result.stdout)["rows"]  # type: ignore[index]
    assert [(r["group"], r["volumes"]) for r in rows] == [
        (site, [{"unit": "t", "scope": "shipment", "count": 2, "stated": 2e15, "low": 2e15,
                 "high": 2e15}]) for site in ("rajin", "vladivostok")]


@pytest.mark.parametrize(("lat", "message"), [
    (DIGITS_400, "site 'x': 'lat' is a number of 400 digits, too large for any figure; "
                 "check the value"),
    (f"-{DIGITS_400}", "site 'x': 'lat' is a number of 400 digits, too large for any "
                       "figure; check the value"),
    ("1e400", "site 'x': 'lat' must be a finite number, not inf"),
    (DIGITS_5000, "a number of 5,000 digits is too long to read; no figure is that long: "
                  "check it, or quote it if it is text"),
], ids=["400 digits", "minus 400 digits", "1e400", "5000 digits"])
def test_a_huge_latitude_breaks_no_gazetteer_command(lat: str, message: str,
                                                     tmp_path: Path) -> None:
    mine = tmp_path / "g.yaml"
    mine.write_text(SITE.format(lat=lat, lon=131))
    expected = f"Error: {mine}:2:46: {message}\n"
    for args in (["resolve", "Rajin", "--gazetteer", str(mine)],
                 ["gazetteer", "check", str(mine)],
                 ["gazetteer", "list", "--gazetteer", str(mine)],
                 ["legs", "--gazetteer", str(mine)]):
        result = CliRunner().invoke(main, args)
        assert (result.exit_code, result.stderr) == (1, expected), args


def test_a_huge_number_in_a_drawn_path_is_a_path_error(tmp_path: Path) -> None:
    dataset = tmp_path / "p.yaml"
    dataset.write_text("legs:\n  - {from: Rajin, to: Vladivostok, mode: sea,\n"
                       f"     path: [[42, 130], [{DIGITS_400}, 131]]}}\n")
    result = CliRunner().invoke(main, ["legs", str(dataset)])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {dataset}:3:12: leg 1: a path is a list of at least two [lat, lon] "
           "pairs in decimal degrees\n")


def test_a_long_text_is_quoted_short_in_a_message(tmp_path: Path) -> None:
    dataset = tmp_path / "t.yaml"
    dataset.write_text("legs:\n  - {from: Rajin, to: Vladivostok, mode: sea, volume: "
                       f"'about {'x' * 100_000}'}}\n")
    result = CliRunner().invoke(main, ["legs", str(dataset)])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {dataset}:2:55: leg 1: 'about xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… "
           "(100,006 characters)' is not a quantity; write e.g. 300, about 300, 300-400, "
           "300+, more than 300, at least 300, at most 300\n")


# --- the route cache ---------------------------------------------------------------

AIR = "title: t\nlegs:\n  - {from: Rajin, to: Vladivostok, mode: air}\n"
_DATA = re.compile(r"<script type='application/json' id='[^']*-data'>(.*?)</script>", re.S)


def _strict_json(text: str) -> object:
    """Parse JSON as a browser's JSON.parse does: NaN and Infinity are errors."""
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _render(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], list[object]]:
    out = tmp_path / "map.html"
    result = _run("render", "air.yaml", "--cache-dir", "cache", "-o", str(out), cwd=tmp_path)
    page = out.read_text(encoding="utf-8") if out.exists() else ""
    return result, [_strict_json(found) for found in _DATA.findall(page)]


def _points(points: list[list[float]]) -> bytes:
    return np.asarray(points, dtype="<f8").tobytes()


def _meta(change: Callable[[dict[str, Any]], Any]) -> Callable[[bytes, bytes], tuple[Any, Any]]:
    """Return a poison that changes the entry's JSON fields."""
    return lambda meta, points: (json.dumps(change(json.loads(meta))).encode(), points)


def _first(point: list[float]) -> Callable[[bytes, bytes], tuple[Any, Any]]:
    """Return a poison that moves the route's first point."""
    return lambda meta, points: (meta, _points([point]) + points[16:])


POISONS: dict[str, Callable[[bytes, bytes], tuple[Any, Any]]] = {
    "NaN": _first([float("nan"), 130.0]),
    "Infinity": _meta(lambda e: {**e, "distance_km": float("inf")}),
    "lat 95": _first([95.0, 130.0]),
    "lon 490.4": _first([42.0, 490.4]),
    "one point": lambda meta, points: (
        json.dumps({**json.loads(meta), "lines": [1]}).encode(), points[:16]),
    "no points": lambda meta, points: (
        json.dumps({**json.loads(meta), "lines": [2]}).encode(), b""),
    "half a point": lambda meta, points: (meta, _points([[42.0, 130.0, 43.0]])),
    "text": lambda meta, points: (meta, "42.0, 130.0"),
    "null": lambda meta, points: (meta, None),
    "no lines": _meta(lambda e: {k: v for k, v in e.items() if k != "lines"}),
    "counts": _meta(lambda e: {**e, "lines": [[2]]}),
    "list": _meta(lambda e: [e]),
    "deep": lambda meta, points: (b"[" * 100_000 + b"]" * 100_000, points),
    "truncated": lambda meta, points: (b'{"lines": [2', points),
    "not UTF-8": lambda meta, points: (b"\xff" + meta, points),
    "over 16 MB": lambda meta, points: (meta, bytes(16 * 1024 * 1024)),
}
REASONS = {
    "NaN": "ValueError: nan is not a finite latitude in [-90, 90]",
    "Infinity": "ValueError: inf is not a finite number in [0, inf]",
    "lat 95": "ValueError: 95.0 is not a finite latitude in [-90, 90]",
    "lon 490.4": "ValueError: 490.4 is not a finite longitude in [-180, 180]",
    "one point": "ValueError: a line needs at least two points",
    "no points": "ValueError: the lines have 2 points but the entry holds 0",
    "half a point": "ValueError: 24 bytes are not whole (lat, lon) points of 16 bytes",
    "text": "ValueError: 11 bytes are not whole (lat, lon) points of 16 bytes",
    "null": "ValueError: the points are NoneType, not bytes",
    "no lines": "KeyError: 'lines'",
    "counts": "ValueError: [[2]] is not a list of point counts",
    "list": "ValueError: the entry is not a JSON object",
    "deep": "ValueError: JSON nested too deeply",
    "truncated": "JSONDecodeError: Expecting ',' delimiter: line 1 column 13 (char 12)",
    "not UTF-8": "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: "
                 "invalid start byte",
    "over 16 MB": "ValueError: over 16 MB",
}


@pytest.mark.parametrize("poison", list(REASONS))
def test_a_poisoned_cache_entry_is_a_logged_miss_and_never_reaches_the_page(
    poison: str, tmp_path: Path
) -> None:
    (tmp_path / "air.yaml").write_text(AIR)
    first, good = _render(tmp_path)
    assert first.returncode == 0, first.stderr
    cache = tmp_path / "cache" / "routes"
    ((key, clean),) = cache_entries(cache).items()
    set_cache_entry(cache, key, *POISONS[poison](*clean))
    second, data = _render(tmp_path)
    where = Path("cache", "routes", FILE_NAME)
    assert (second.returncode, second.stderr) == (
        0, f"warning: ignoring bad route cache entry {key[:16]} in {where} ({REASONS[poison]}); "
           "routing the leg again\n")
    assert data == good  # the page has the route computed afresh, as strict JSON
    assert cache_entries(cache) == {key: clean}  # and the entry is rewritten
