"""Stats by site, exports read back by independent readers, and import."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import subprocess
import xml.etree.ElementTree as ET
import zipfile

from click.testing import CliRunner
import geopandas as gpd
import pytest

from shiproute.cli import main
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.analysis import stats
from shiproute.routes.importer import import_legs
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.model import Dataset

from helpers import great_circles

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def seeds(gazetteer: Gazetteer) -> Dataset:
    return read_dataset(bundled_dataset_path(), gazetteer)


def test_stats_by_site_give_throughput_and_roles(seeds: Dataset) -> None:
    rows = stats(great_circles(seeds), by="site", unit="containers")
    volumes = {r.group: {t.scope: t.stated for t in r.volumes} for r in rows}
    assert [(r.group, r.legs, r.inbound, r.outbound, r.role) for r in rows] == [
        ("rajin", 2, 0, 2, "origin"),
        ("dunay", 2, 1, 1, "transshipment"),
        ("tikhoretsk-depot", 1, 1, 0, "destination"),
        ("vladivostok", 1, 1, 0, "destination"),
        ("tumangang", 1, 0, 1, "origin"),
        ("khasan", 1, 1, 0, "destination"),
    ]
    assert volumes["rajin"] == {"shipment": 300.0, "total": 2000.0}  # never 2,300
    assert volumes["tikhoretsk-depot"] == {}  # the train's load is not stated


def test_cli_stats_prints_the_chain() -> None:
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 0, result.stderr
    assert ("chain: Rajin -sea-> Dunay -rail-> Tikhoretsk ammunition depot "
            "(angara-rajin-dunay 8-12 Sep 2023, dunay-tikhoretsk-rail 12 Sep - 1 Oct 2023)"
            ) in result.stdout


def _export(fmt: str, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out), *extra])
    assert result.exit_code == 0, result.stderr


def test_geojson_is_rfc7946_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "d.geojson"
    _export("geojson", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "crs" not in data
    frame = gpd.read_file(out, engine="pyogrio")
    legs = frame[frame["feature"] == "leg"]
    assert len(frame) == 13 and len(legs) == 4
    angara = legs[legs["id"] == "angara-rajin-dunay"].iloc[0]
    assert angara["depart"] == "2023-09-08/2023-09-12" and angara["qualifier"] == "about"
    assert angara.geometry.coords[0] == (130.3, 42.2445)  # lon, lat
    assert "The Asia Business Daily" in angara["citations"]


def test_geopackage_has_sites_and_legs_layers_for_qgis(tmp_path: Path) -> None:
    out = tmp_path / "d.gpkg"
    _export("gpkg", out)
    assert len(gpd.read_file(out, layer="sites", engine="pyogrio")) == 9
    legs = gpd.read_file(out, layer="legs", engine="pyogrio")
    assert sorted(legs["mode"]) == ["rail", "rail", "sea", "sea"]
    info = subprocess.run(["ogrinfo", "-ro", "-so", str(out), "legs"], capture_output=True,
                          text=True, check=True).stdout
    assert "Feature Count: 4" in info and "Geometry: Line String" in info


def test_kml_has_a_timespan_per_dated_leg_and_reads_in_gdal(tmp_path: Path) -> None:
    out = tmp_path / "d.kml"
    _export("kml", out)
    root = ET.parse(out).getroot()
    spans = {
        p.find(f"{KML}ExtendedData/{KML}Data[@name='id']/{KML}value").text: (
            p.findtext(f"{KML}TimeSpan/{KML}begin"), p.findtext(f"{KML}TimeSpan/{KML}end"))
        for p in root.iter(f"{KML}Placemark") if p.find(f"{KML}TimeSpan") is not None
    }
    assert spans == {  # open-ended dates ("since 2023-08", "on or before ...") keep one end
        "angara-rajin-dunay": ("2023-09-08", "2023-09-12"),
        "dunay-tikhoretsk-rail": ("2023-09-12", "2023-10-01"),
        "rajin-vladivostok-2023": ("2023-08", None),
        "tumangang-khasan-rail-2023-10": (None, "2023-10-07"),
    }
    info = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(out)], capture_output=True,
                          text=True, check=True).stdout
    assert "Layer name: Legs" in info and "Feature Count: 4" in info


def test_kmz_zips_the_kml(tmp_path: Path) -> None:
    out = tmp_path / "d.kmz"
    _export("kmz", out)
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["doc.kml"]
        assert b"<TimeSpan>" in archive.read("doc.kml")


def test_csv_export_imports_back_to_the_same_legs(
    tmp_path: Path, seeds: Dataset, gazetteer: Gazetteer
) -> None:
    exported = tmp_path / "legs.csv"
    _export("csv", exported, "--wkt")
    assert "LINESTRING (130.3 42.2445" in exported.read_text(encoding="utf-8")
    dataset_path = tmp_path / "back.yaml"
    result = CliRunner().invoke(main, ["import", str(exported), "-o", str(dataset_path)])
    assert result.exit_code == 0, result.stderr
    back = read_dataset(dataset_path, gazetteer)
    assert back.legs == seeds.legs


def test_import_reports_bad_rows_and_writes_nothing(
    tmp_path: Path, write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", """
    From,To,Mode,Depart,Volume,Unit,Ship Name
    Rajin,Dunay,sea,2023-09-08,300,containers,Angara
    Rajin,Tikhoretck,rail,2023-09,,,
    Najin,Vladivostok,boat,2023-13,lots,containers,
    """)
    out = tmp_path / "d.yaml"
    result = CliRunner().invoke(main, ["import", str(sheet), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{sheet}: row 3, column 'To': Unknown place 'Tikhoretck'; did "
                               "you mean 'Tikhoretsk'")
    assert [line.split(", ")[0] for line in lines[1:4]] == [f"{sheet}: row 4"] * 3
    skipped = CliRunner().invoke(main, ["import", str(sheet), "-o", str(out), "--skip-bad"])
    assert skipped.exit_code == 0
    assert skipped.stdout.strip() == f"{out}: 1 leg; 4 problems in skipped rows"
    (leg,) = read_dataset(out, gazetteer).legs
    assert (leg.carrier, leg.attributes) == ("Angara", ())  # "Ship Name" is a carrier header


def test_xlsx_import_reads_the_named_sheet(tmp_path: Path, gazetteer: Gazetteer) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("legs")
    sheet.append(["FROM", "TO", "MODE", "ARRIVE"])
    sheet.append(["Tumangang", "Khasan", "rail", "2023-10"])
    path = tmp_path / "legs.xlsx"
    book.save(path)
    imported = import_legs(path, gazetteer, sheet="legs")
    assert imported.dataset["legs"] == [{"from": "Tumangang", "to": "Khasan", "mode": "rail",
                                         "arrive": "2023-10"}]
