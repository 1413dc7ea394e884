"""Exports carry every field at 6 decimals, and the GeoJSON export imports back losslessly."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import re
import tempfile
from typing import Any
import xml.etree.ElementTree as ET
import zipfile

from click.testing import CliRunner, Result
import geopandas as gpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest
import shapely.wkt

from shiproute.api import route
from shiproute.cli import main
from shiproute.errors import DatasetError
from shiproute.gazetteer.model import KINDS
from shiproute.gazetteer.resolve import Gazetteer, normalize_name
from shiproute.routes.dates import parse_when
from shiproute.routes.export import LEG_FIELDS, geojson_text
from shiproute.routes.importer import dump_yaml, import_geojson
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.model import RELIABILITIES, Dataset
from shiproute.routes.quantity import QUALIFIERS

KML = "{http://www.opengis.net/kml/2.2}"
Write = Callable[[str, str], Path]
PARTS = ("title", "description", "sources", "legs", "events", "estimates")


def assert_equivalent(back: Dataset, original: Dataset) -> None:
    """Equal in everything but the name, which comes from the file name."""
    assert dict(back.sites) == dict(original.sites)
    for part in PARTS:
        assert getattr(back, part) == getattr(original, part), part


def _cli(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr
    return result


# --- the property: import(export(D)) == D -------------------------------------------------

TRICKY = ["no", "yes", "on", "1e3", "0o17", "0x1F", "null", "~", "2023-09-08", "- x", "a: b",
          "#x", "'q'", '"dq"', "3.14", ".inf", "@at", "*star", "&anchor", "!tag", "%p", "[x]",
          "{y}", "|", ">", "line one\nline two", "Ünïcödé 라진 Раджин", "a  b", "x # y"]
_characters = st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co"))
text = st.one_of(st.sampled_from(TRICKY), st.text(_characters, min_size=1, max_size=12)
                 ).map(str.strip).filter(bool)
ident = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
degrees = st.integers(-89_999_999, 89_999_999).map(lambda i: i / 1e6)
longitude = st.integers(-179_999_999, 179_999_999).map(lambda i: i / 1e6)
year = st.integers(2000, 2030)
point = st.one_of(
    year.map(str),
    st.tuples(year, st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(year, st.integers(1, 12), st.integers(1, 28)).map(
        lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
)


def _valid_date(value: str) -> bool:
    try:
        parse_when(value)
    except ValueError:
        return False
    return True


dates = st.one_of(
    point,
    st.tuples(year, st.integers(1, 4)).map(lambda t: f"{t[0]}-Q{t[1]}"),
    st.tuples(year, st.integers(1, 2)).map(lambda t: f"{t[0]}-H{t[1]}"),
    st.tuples(st.sampled_from(["early", "mid", "late"]), point.filter(lambda p: len(p) < 10)
              ).map(" ".join),
    point.map(lambda p: f"../{p}"), point.map(lambda p: f"{p}/.."),
    point.map(lambda p: f"on or before {p}"), point.map(lambda p: f"since {p}"),
    st.tuples(point, point).map("/".join).filter(_valid_date),
)
figure = st.one_of(st.integers(0, 10**7),
                   st.floats(0, 1e7, allow_nan=False, allow_infinity=False))


@st.composite
def quantities(draw: st.DrawFn, *, scopes: bool = True) -> dict[str, Any]:
    low, high = sorted((draw(figure), draw(figure)))
    bounds = {"min": low, "max": high} if draw(st.booleans()) else {"value": low}
    extra = {"scope": draw(st.sampled_from(["shipment", "total"]))} if scopes else {}
    return {**bounds, "qualifier": draw(st.sampled_from(QUALIFIERS)), **extra}


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _compact(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


@st.composite
def places(draw: st.DrawFn, sites: list[str]) -> Any:
    site = draw(st.sampled_from(sites))
    return {"site": site, "reported_as": draw(text)} if draw(st.booleans()) else site


@st.composite
def basis(draw: st.DrawFn) -> dict[str, Any]:
    inferred = draw(st.booleans())
    reasoning = draw(text) if inferred else draw(optional(text))
    return _compact({"basis": "inferred" if inferred else draw(optional(st.just("reported"))),
                     "reasoning": reasoning})


path_points = st.lists(st.tuples(degrees, longitude).map(list), min_size=2, max_size=4)


@st.composite
def legs(draw: st.DrawFn, sites: list[str], sources: list[str], paths: list[str],
         leg_id: str | None) -> dict[str, Any]:
    origin, destination = draw(st.lists(st.sampled_from(sites), min_size=2, max_size=2,
                                        unique=True))
    depart, arrive = draw(optional(dates)), draw(optional(dates))
    if depart and arrive and parse_when(arrive).last < parse_when(depart).first:
        arrive = None
    path = draw(st.one_of(st.none(), path_points, *([st.sampled_from(paths)] if paths else [])))
    return _compact({
        "id": leg_id,
        "from": draw(places([origin])), "to": draw(places([destination])), "mode": "air",
        "via": draw(optional(st.lists(st.sampled_from(sites), max_size=2))),
        "depart": depart, "arrive": arrive, "volume": draw(optional(quantities())),
        "unit": draw(optional(text)), "carrier": draw(optional(text)),
        "sources": draw(st.lists(st.sampled_from(sources), max_size=2, unique=True))
        if sources else None,
        "note": draw(optional(text)), "countries": draw(optional(st.sampled_from([["RU"],
                                                                                   ["KP", "RU"]]))),
        "path": path, "attributes": draw(optional(st.dictionaries(text, text, max_size=2))),
        **draw(basis()),
    })


# Places well inside their countries (micro-degrees), as the dataset reader checks a site's
# country; each site lies within about 2 km of one.
ANCHORS = [(55_750_000, 37_620_000, "RU"), (39_020_000, 125_750_000, "KP"),
           (52_520_000, 13_400_000, "DE"), (39_900_000, 116_400_000, "CN"),
           (50_450_000, 30_520_000, "UA"), (-15_780_000, -47_930_000, "BR"),
           (-25_000_000, 134_000_000, "AU"), (39_000_000, -98_000_000, "US")]
jitter = st.integers(-20_000, 20_000)
INLAND_KINDS = [kind for kind in KINDS if kind != "port"]  # an inland port gets a warning


@st.composite
def sites(draw: st.DrawFn, site_ids: list[str]) -> dict[str, Any]:
    """Sites whose names and aliases are all distinct, as the reader requires."""
    labels = draw(st.lists(text, min_size=len(site_ids), max_size=len(site_ids) + 6,
                           unique_by=normalize_name))
    names, aliases = labels[:len(site_ids)], labels[len(site_ids):]
    found = {}
    for key, name in zip(site_ids, names, strict=True):
        lat, lon, country = draw(st.sampled_from(ANCHORS))
        count = draw(st.integers(0, 2))
        own, aliases = aliases[:count], aliases[count:]
        found[key] = _compact({
            "name": name, "kind": draw(st.sampled_from(INLAND_KINDS)), "country": country,
            "lat": (lat + draw(jitter)) / 1e6, "lon": (lon + draw(jitter)) / 1e6,
            "aliases": own or None, "note": draw(optional(text)),
        })
    return found


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    site_ids = draw(st.lists(ident, min_size=1, max_size=6, unique=True))
    sources = {key: _compact({
        "title": draw(text), "publisher": draw(optional(text)), "date": draw(optional(dates)),
        "url": draw(optional(ident.map(lambda s: f"https://example.org/{s}?q=1"))),
        "reliability": draw(optional(st.sampled_from(RELIABILITIES))),
        "note": draw(optional(text)),
    }) for key in draw(st.lists(ident, max_size=3, unique=True))}
    paths = draw(st.dictionaries(ident, path_points, max_size=2))
    leg_ids = draw(st.lists(optional(ident), max_size=5).filter(
        lambda ids: len([i for i in ids if i]) == len({i for i in ids if i})))
    cited = list(sources)
    found_legs = [draw(legs(site_ids, cited, list(paths), leg_id)) for leg_id in leg_ids] \
        if len(site_ids) > 1 else []
    events = [_compact({"at": draw(places(site_ids)), "date": draw(dates), "what": draw(text),
                        "sources": draw(st.lists(st.sampled_from(cited), max_size=2))
                        if cited else None, **draw(basis())})
              for _ in range(draw(st.integers(0, 3)))]
    estimates = [_compact({"date": draw(dates), **draw(quantities(scopes=False)),
                           "unit": draw(text), "claimant": draw(text),
                           "period": draw(optional(dates)), "note": draw(optional(text)),
                           "sources": draw(st.lists(st.sampled_from(cited), max_size=2))
                           if cited else None})
                 for _ in range(draw(st.integers(0, 3)))]
    return _compact({"title": draw(optional(text)), "description": draw(optional(text)),
                     "sites": draw(sites(site_ids)), "sources": sources or None,
                     "paths": paths or None, "legs": found_legs, "events": events or None,
                     "estimates": estimates or None})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_geojson_export_imports_back_to_an_equal_dataset(document: dict[str, Any]) -> None:
    gazetteer = Gazetteer({})
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "generated.yaml"  # written as JSON, which is YAML too
        source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        original = read_dataset(source, gazetteer)
        exported = Path(tmp) / "generated.geojson"
        exported.write_text(geojson_text(route(original, cache=False)), encoding="utf-8")
        back = Path(tmp) / "back.yaml"
        back.write_text(dump_yaml(import_geojson(exported).dataset), encoding="utf-8")
        assert_equivalent(read_dataset(back, gazetteer), original)


# --- the lossless export through the CLI --------------------------------------------------

def test_cli_round_trip_of_the_bundled_dataset(tmp_path: Path, gazetteer: Gazetteer) -> None:
    exported, back = tmp_path / "d.geojson", tmp_path / "back.yaml"
    assert _cli("export", "--format", "geojson", "-o", str(exported)).exit_code == 0
    result = _cli("import", str(exported), "-o", str(back))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{back}: 4 legs, 9 sites, 5 sources, 8 events, 5 estimates\n"
    assert_equivalent(read_dataset(back, Gazetteer({})),
                      read_dataset(bundled_dataset_path(), gazetteer))


NOISY = """
title: Noisy
sites:
  a: {name: A, kind: airfield, country: CH, lat: 47.50400161743164, lon: 8.123456789012}
  b: {name: B, kind: airfield, country: DE, lat: 52.3667, lon: 13.5033}
paths:
  lane: [[47.50400161743164, 8.123456789012], [50.1234567891, 10.98765432101],
         [52.3667, 13.5033]]
sources:
  s1: {title: A report, publisher: Daily, date: 2023-10, url: "https://example.org/a",
       reliability: B, note: n}
legs:
  - id: drawn
    from: {site: a, reported_as: Zurich-Kloten}
    to: b
    mode: air
    depart: 2023-Q4
    arrive: 2023-10/..
    volume: {min: 300, max: 400, qualifier: about, scope: total}
    unit: shells
    sources: [s1]
    basis: inferred
    reasoning: the timing fits
    path: lane
  - {id: flown, from: b, to: a, mode: air, depart: early 2023-09, arrive: ../2023-09-30}
events:
  - {at: {site: b, reported_as: Schoenefeld}, date: 2023-10-02, what: unloaded, sources: [s1]}
"""


@pytest.fixture
def noisy(write: Write) -> Path:
    return write("noisy.yaml", NOISY)


def test_geojson_round_trip_rounds_noisy_coordinates_to_6_decimals(
    tmp_path: Path, noisy: Path
) -> None:
    exported, back = tmp_path / "n.geojson", tmp_path / "back.yaml"
    assert _cli("export", str(noisy), "--format", "geojson", "-o", str(exported),
                "--no-cache").exit_code == 0
    assert _cli("import", str(exported), "-o", str(back)).exit_code == 0
    original, again = read_dataset(noisy, Gazetteer({})), read_dataset(back, Gazetteer({}))
    assert (again.sites["a"].lat, again.sites["a"].lon) == (47.504002, 8.123457)
    assert again.legs[0].path == ((47.504002, 8.123457), (50.123457, 10.987654), (52.3667, 13.5033))
    assert again.legs[0].path_name == "lane"
    assert (again.legs[1], again.events, again.sources) == (
        original.legs[1], original.events, original.sources)


def _decimals(value: float) -> int:
    text = repr(float(value))
    assert "e" not in text, text
    return len(text.split(".")[1].rstrip("0"))


def _coordinates_of(fmt: str, path: Path) -> list[float]:
    if fmt == "geojson":
        data = json.loads(path.read_text(encoding="utf-8"))
        found = [c for f in data["features"] for c in _flatten(f["geometry"]["coordinates"])]
        found += [v for f in data["features"] for k, v in f["properties"].items()
                  if k.endswith(("lat", "lon")) and v is not None]
        return found + list(_flatten(list(data["shiproute"]["paths"].values())))
    if fmt in ("kml", "kmz"):
        text = zipfile.ZipFile(path).read("doc.kml").decode() if fmt == "kmz" else \
            path.read_text(encoding="utf-8")
        root = ET.fromstring(text)
        numbers = [c for e in root.iter(f"{KML}coordinates") for c in re.split(r"[ ,]", e.text)]
        numbers += [d.findtext(f"{KML}value") for d in root.iter(f"{KML}Data")
                    if d.get("name", "").endswith(("lat", "lon"))]
        return [float(n) for n in numbers]
    if fmt == "csv":
        import csv

        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        found = [c for row in rows for c in _flatten(
            [list(p) for p in shapely.wkt.loads(row["wkt"]).coords])]
        return found + [float(row[k]) for row in rows for k in row if k.endswith(("lat", "lon"))]
    layers = [gpd.read_file(path, layer=layer, engine="pyogrio") for layer in ("sites", "legs")]
    found = [c for layer in layers for g in layer.geometry for c in _flatten(
        [list(p) for p in g.coords])]
    return found + [v for layer in layers for k in layer.columns if k.endswith(("lat", "lon"))
                    for v in layer[k]]


def _flatten(value: Any) -> list[float]:
    if isinstance(value, list):
        return [c for item in value for c in _flatten(item)]
    return [value]


@pytest.mark.parametrize("fmt", ["geojson", "kml", "kmz", "csv", "gpkg"])
def test_every_export_rounds_coordinates_to_6_decimals(
    tmp_path: Path, noisy: Path, fmt: str
) -> None:
    out = tmp_path / f"n.{fmt}"
    extra = ["--wkt"] if fmt == "csv" else []
    result = _cli("export", str(noisy), "--format", fmt, "-o", str(out), "--no-cache", *extra)
    assert result.exit_code == 0, result.stderr
    coordinates = _coordinates_of(fmt, out)
    assert len(coordinates) > 20
    assert max(_decimals(c) for c in coordinates) == 6
    assert 47.504002 in coordinates and 8.123457 in coordinates


def test_geojson_leg_carries_dates_volumes_basis_and_names_as_reported(
    tmp_path: Path, noisy: Path
) -> None:
    out = tmp_path / "n.geojson"
    assert _cli("export", str(noisy), "--format", "geojson", "-o", str(out),
                "--no-cache").exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    leg = next(f["properties"] for f in data["features"] if f["properties"]["id"] == "drawn")
    assert list(leg) == ["feature", *LEG_FIELDS, "attributes"]
    picked = {key: leg[key] for key in (
        "from_reported_as", "to_reported_as", "depart", "depart_iso", "depart_first",
        "depart_last", "depart_precision", "arrive", "arrive_iso", "arrive_first",
        "arrive_last", "arrive_precision", "volume", "volume_low", "volume_high", "qualifier",
        "scope", "basis", "reasoning", "sources", "citations", "drawn", "path")}
    assert picked == {
        "from_reported_as": "Zurich-Kloten", "to_reported_as": None,
        "depart": "2023-Q4", "depart_iso": "2023-10/2023-12", "depart_first": "2023-10-01",
        "depart_last": "2023-12-31", "depart_precision": "quarter",
        "arrive": "2023-10/..", "arrive_iso": "2023-10/..", "arrive_first": "2023-10-01",
        "arrive_last": None, "arrive_precision": "open",
        "volume": "about 300-400", "volume_low": 300.0, "volume_high": 400.0,
        "qualifier": "about", "scope": "total", "basis": "inferred",
        "reasoning": "the timing fits", "sources": ["s1"],
        "citations": "A report, Daily, Oct 2023, https://example.org/a, reliability B",
        "drawn": True, "path": "lane",
    }
    assert data["shiproute"]["events"] == [{
        "site": "b", "reported_as": "Schoenefeld",
        "date": {"iso": "2023-10-02", "text": "2023-10-02", "precision": "day",
                 "first": "2023-10-02", "last": "2023-10-02"},
        "what": "unloaded", "sources": ["s1"], "basis": "reported", "reasoning": None}]
    site = next(f["properties"] for f in data["features"] if f["properties"]["id"] == "b")
    assert site["events"] == "2023-10-02: unloaded [s1] (reported as Schoenefeld)"


def test_csv_joins_lists_with_semicolons(tmp_path: Path, write: Write) -> None:
    dataset = write("two.yaml", """
    sources: {s1: {title: One}, s2: {title: Two}}
    legs:
      - {from: Rajin, to: Dunay, mode: air, sources: [s1, s2], countries: [KP, RU]}
    """)
    out = tmp_path / "two.csv"
    assert _cli("export", str(dataset), "--format", "csv", "-o", str(out),
                "--no-cache").exit_code == 0
    import csv

    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["sources"], row["countries"], row["citations"]) == ("s1; s2", "KP; RU",
                                                                   "One; Two")


def test_kml_time_spans_follow_quarters_thirds_and_open_ends(
    tmp_path: Path, noisy: Path
) -> None:
    out = tmp_path / "n.kml"
    assert _cli("export", str(noisy), "--format", "kml", "-o", str(out),
                "--no-cache").exit_code == 0
    root = ET.parse(out).getroot()
    spans = {p.findtext(f"{KML}ExtendedData/{KML}Data[@name='id']/{KML}value"): (
        p.findtext(f"{KML}TimeSpan/{KML}begin"), p.findtext(f"{KML}TimeSpan/{KML}end"))
        for p in root.iter(f"{KML}Placemark") if p.find(f"{KML}LineString") is not None}
    # 2023-Q4 -> 2023-10 (its first month) and an arrival still open: no end;
    # "early 2023-09" -> its first day, the arrival "../2023-09-30" -> its last
    assert spans == {"drawn": ("2023-10", None), "flown": ("2023-09-01", "2023-09-30")}


def test_import_refuses_geojson_that_is_not_a_shiproute_export(write: Write) -> None:
    plain = write("plain.geojson", '{"type": "FeatureCollection", "features": []}')
    with pytest.raises(DatasetError) as caught:
        import_geojson(plain)
    assert str(caught.value) == (
        f"{plain}: no 'shiproute' member: this is not the GeoJSON of 'shiproute export "
        "--format geojson'; import a spreadsheet of legs (CSV or XLSX) instead")
    broken = write("broken.geojson", '{"type": ')
    with pytest.raises(DatasetError, match=r"broken.geojson:1:10: not valid JSON"):
        import_geojson(broken)


def test_import_of_an_edited_geojson_reports_the_dataset_s_problems(
    tmp_path: Path, noisy: Path
) -> None:
    exported = tmp_path / "n.geojson"
    assert _cli("export", str(noisy), "--format", "geojson", "-o", str(exported),
                "--no-cache").exit_code == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["id"] != "b"]
    exported.write_text(json.dumps(data), encoding="utf-8")
    result = _cli("import", str(exported), "-o", str(tmp_path / "back.yaml"))
    assert result.exit_code == 1 and not (tmp_path / "back.yaml").exists()
    assert f"{exported}: leg 'drawn': Unknown place 'b'" in result.stderr


def test_spreadsheet_options_are_refused_for_geojson(tmp_path: Path, noisy: Path) -> None:
    exported = tmp_path / "n.geojson"
    assert _cli("export", str(noisy), "--format", "geojson", "-o", str(exported),
                "--no-cache").exit_code == 0
    result = _cli("import", str(exported), "-o", str(tmp_path / "b.yaml"), "--skip-bad")
    assert result.exit_code == 2
    assert "--sheet, --skip-bad and --map apply to spreadsheets" in result.stderr


def test_written_yaml_quotes_text_that_yaml_1_2_would_read_as_numbers() -> None:
    text = dump_yaml({"title": "1e3", "description": "0o17", "legs": [
        {"from": "a", "sources": ["no", "x"], "volume": {"value": "about 300", "scope": "total"}}]})
    assert text == ("title: '1e3'\ndescription: '0o17'\nlegs:\n- from: a\n"
                    "  sources: ['no', x]\n  volume:\n    value: about 300\n    scope: total\n")
