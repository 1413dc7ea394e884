"""Exports are safe to open: no formulas in spreadsheets, valid XML, GeoPackages under any name."""

from __future__ import annotations

from collections.abc import Callable
import csv
import dataclasses
import io
import json
from pathlib import Path
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile

from click.testing import CliRunner, Result
import geopandas as gpd
import pytest

from shiproute.api import route
from shiproute.cli import main
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes import export
from shiproute.routes.importer import dump_yaml, import_geojson
from shiproute.routes.load import read_dataset
from shiproute.routes.routed import RoutedDataset

Write = Callable[[str, str], Path]
KML = "{http://www.opengis.net/kml/2.2}"

# Two sites west of Greenwich and south of the equator, so coordinates are negative numbers.
HOSTILE = """
title: Hostile cells
sites:
  plains: {name: Plains, kind: airfield, country: US, lat: 39.0, lon: -98.0}
  brasilia: {name: Brasilia, kind: airfield, country: BR, lat: -15.78, lon: -47.93}
sources:
  s1: {title: '=HYPERLINK("http://evil.example/?x=1")', publisher: '@SUM(A1)'}
legs:
  - id: l1
    from: plains
    to: brasilia
    mode: air
    unit: "-2+3+cmd|' /C calc'!A0"
    carrier: '=cmd|"/C calc"!A0'
    note: '+1 555 0100'
    sources: [s1]
    attributes: {formula: '=1+1', minus: '-12.5', plus: '+7', at: '@x', plain: 'Lady R'}
"""


def _cli(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def hostile(write: Write) -> Path:
    return write("hostile.yaml", HOSTILE)


def _layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    """Read a GeoPackage layer from a copy with a plain name (GDAL reads ';' as a URI's)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(shutil.copy(path, Path(folder) / "copy.gpkg"))
        return gpd.read_file(copy, layer=layer, engine="pyogrio")


def _routed(path: Path) -> RoutedDataset:
    return route(read_dataset(path, Gazetteer({})), cache=False)


# --- formulas -------------------------------------------------------------------------------

def test_csv_export_puts_a_quote_before_formulas_but_not_before_numbers(
    tmp_path: Path, hostile: Path
) -> None:
    out = tmp_path / "legs.csv"
    result = _cli("export", str(hostile), "--format", "csv", "-o", str(out), "--no-cache")
    assert result.exit_code == 0, result.stderr
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert {key: row[key] for key in (
        "unit", "carrier", "note", "citations", "from_lon", "to_lat", "attributes.formula",
        "attributes.minus", "attributes.plus", "attributes.at", "attributes.plain")} == {
        "unit": "'-2+3+cmd|' /C calc'!A0",
        "carrier": "'=cmd|\"/C calc\"!A0",
        "note": "'+1 555 0100",
        "citations": "'=HYPERLINK(\"http://evil.example/?x=1\"), @SUM(A1)",
        "from_lon": "-98.0",             # a number, not text
        "to_lat": "-15.78",
        "attributes.formula": "'=1+1",
        "attributes.minus": "-12.5",     # text that is only a number can't be a formula
        "attributes.plus": "+7",
        "attributes.at": "'@x",
        "attributes.plain": "Lady R",
    }


def test_csv_export_without_the_guard_writes_text_as_it_is(hostile: Path) -> None:
    text = export.to_csv(_routed(hostile), guard=False)
    (row,) = csv.DictReader(text.splitlines())
    assert (row["carrier"], row["attributes.formula"]) == ('=cmd|"/C calc"!A0', "=1+1")


def test_tab_and_carriage_return_at_the_start_are_guarded_too() -> None:
    assert [export.formula_guard(value) for value in ("\tx", "\rx", "x=1", "", -3.5, 7)] == [
        "'\tx", "'\rx", "x=1", "", -3.5, 7]


def test_guarded_csv_imports_back_to_the_same_legs(tmp_path: Path, hostile: Path) -> None:
    exported, back = tmp_path / "legs.csv", tmp_path / "back.yaml"
    assert _cli("export", str(hostile), "--format", "csv", "-o", str(exported),
                "--no-cache").exit_code == 0
    result = _cli("import", str(exported), "-o", str(back))
    assert result.exit_code == 0, result.stderr
    original, again = read_dataset(hostile, Gazetteer({})), read_dataset(back, Gazetteer({}))
    assert again.legs == original.legs


def test_gpkg_attributes_are_guarded_and_numbers_stay_numbers(
    tmp_path: Path, hostile: Path
) -> None:
    out = tmp_path / "legs.gpkg"
    result = _cli("export", str(hostile), "--format", "gpkg", "-o", str(out), "--no-cache")
    assert result.exit_code == 0, result.stderr
    legs = _layer(out, "legs")
    assert legs.loc[0, ["carrier", "unit", "attributes.formula", "attributes.minus"]].tolist(
    ) == ["'=cmd|\"/C calc\"!A0", "'-2+3+cmd|' /C calc'!A0", "'=1+1", "-12.5"]
    assert legs.loc[0, "from_lon"] == -98.0
    sites = _layer(out, "sites")
    assert sites["lon"].tolist() == [-98.0, -47.93]


def test_geojson_is_not_guarded_and_imports_back_equal(tmp_path: Path, hostile: Path) -> None:
    exported = tmp_path / "h.geojson"
    assert _cli("export", str(hostile), "--format", "geojson", "-o", str(exported),
                "--no-cache").exit_code == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    leg = next(f["properties"] for f in data["features"] if f["properties"]["feature"] == "leg")
    assert (leg["carrier"], leg["attributes"]["formula"]) == ('=cmd|"/C calc"!A0', "=1+1")
    back = tmp_path / "back.yaml"
    back.write_text(dump_yaml(import_geojson(exported).dataset), encoding="utf-8")
    original, again = read_dataset(hostile, Gazetteer({})), read_dataset(back, Gazetteer({}))
    assert (again.legs, again.sources) == (original.legs, original.sources)


# --- control characters ---------------------------------------------------------------------

CONTROLS = "".join(chr(c) for c in range(32)) + "\ufffe\uffff"


@pytest.fixture
def controlled(hostile: Path) -> RoutedDataset:
    """The hostile dataset with every C0 control (NUL too), U+FFFE and U+FFFF in its texts."""
    dataset = read_dataset(hostile, Gazetteer({}))
    leg = dataclasses.replace(dataset.legs[0], carrier=f"Lady{CONTROLS}R",
                              note=f"seen{CONTROLS}", attributes=((f"k{CONTROLS}", "v\x01"),))
    site = dataclasses.replace(dataset.sites["plains"], note=f"dusty{CONTROLS}")
    return route(dataclasses.replace(dataset, title=f"T{CONTROLS}", legs=(leg,),
                                     sites={**dataset.sites, "plains": site}), cache=False)


def _ogrinfo(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ogrinfo", "-ro", "-al", "-q", str(path)], capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize("fmt", ["kml", "kmz", "csv", "geojson", "gpkg"])
def test_every_export_with_control_characters_parses_in_gdal(
    tmp_path: Path, controlled: RoutedDataset, fmt: str
) -> None:
    out = tmp_path / f"c.{fmt}"
    if fmt == "gpkg":
        export.write_gpkg(controlled, out)
    else:
        content = {"kml": export.to_kml, "kmz": export.to_kmz,
                   "geojson": lambda r: export.geojson_text(r).encode("utf-8"),
                   "csv": lambda r: export.to_csv(r).encode("utf-8")}[fmt](controlled)
        out.write_bytes(content)
    found = _ogrinfo(out)
    assert found.returncode == 0, found.stderr
    assert "ERROR" not in found.stderr


def test_gpkg_writes_nul_as_the_replacement_character(
    tmp_path: Path, controlled: RoutedDataset
) -> None:
    out = tmp_path / "c.gpkg"
    export.write_gpkg(controlled, out)
    legs = _layer(out, "legs")
    name = f"attributes.k{CONTROLS}".replace("\0", "\ufffd")
    assert legs.loc[0, ["carrier", name]].tolist() == [
        f"Lady{CONTROLS}R".replace("\0", "\ufffd"), "v\x01"]


def test_kml_replaces_characters_xml_cannot_hold(controlled: RoutedDataset) -> None:
    root = ET.fromstring(export.to_kml(controlled))
    written = "".join(c if c in "\t\n\r" else "\ufffd" for c in CONTROLS)
    expected = written.replace("\r", "\n")   # a parser reads a lone CR in text as a line feed
    assert root.findtext(f"{KML}Document/{KML}name") == f"T{expected}"
    data = {d.get("name"): d.findtext(f"{KML}value") for d in root.iter(f"{KML}Data")}
    assert data["carrier"] == f"Lady{expected}R"
    assert data[f"attributes.k{written}"] == "v\ufffd"   # attributes escape CR: kept
    kmz = zipfile.ZipFile(io.BytesIO(export.to_kmz(controlled)))
    assert ET.fromstring(kmz.read("doc.kml")).findtext(f"{KML}Document/{KML}name") == \
        f"T{expected}"


# --- GeoPackage names -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a;b.gpkg", "it's \"quoted\".gpkg", "with space.gpkg",
                                  "x!y?z#%.gpkg"])
def test_gpkg_named_with_uri_signs_quotes_or_spaces_is_written_and_nothing_else(
    tmp_path: Path, hostile: Path, name: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = _cli("export", str(hostile), "--format", "gpkg", "-o", str(folder / name),
                  "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{folder / name}\n"
    assert [p.name for p in folder.iterdir()] == [name]
    assert _layer(folder / name, "legs")["id"].tolist() == ["l1"]


def test_gpkg_in_a_folder_gdal_would_misread_is_written_there(
    tmp_path: Path, hostile: Path
) -> None:
    folder = tmp_path / "a!b;c"
    folder.mkdir()
    export.write_gpkg(_routed(hostile), folder / "legs.gpkg")
    assert [p.name for p in folder.iterdir()] == ["legs.gpkg"]
    assert [p.name for p in tmp_path.iterdir()] == ["a!b;c", "hostile.yaml"]
    assert _layer(folder / "legs.gpkg", "sites")["id"].tolist() \
        == ["plains", "brasilia"]


def test_gpkg_attribute_names_that_differ_only_in_case_get_a_number(
    tmp_path: Path, write: Write
) -> None:
    dataset = write("cases.yaml", HOSTILE.replace(
        "attributes: {formula: '=1+1', minus: '-12.5', plus: '+7', at: '@x', plain: 'Lady R'}",
        "attributes: {Flag: RU, flag: KP, FLAG: CN}"))
    out = tmp_path / "cases.gpkg"
    result = _cli("export", str(dataset), "--format", "gpkg", "-o", str(out), "--no-cache")
    assert result.exit_code == 0, result.stderr
    legs = _layer(out, "legs")
    assert legs.loc[0, ["attributes.Flag", "attributes.flag (2)", "attributes.FLAG (3)"]
                    ].tolist() == ["RU", "KP", "CN"]
