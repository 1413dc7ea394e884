"""Spreadsheet import: recognised headers, --map, volumes, row numbers, sites from coordinates."""

from __future__ import annotations

from collections.abc import Callable
import datetime as dt
from pathlib import Path

from click.testing import CliRunner, Result
import pytest

from shiproute.cli import main
from shiproute.errors import DatasetError
from shiproute.gazetteer.model import Site
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.dates import parse_when
from shiproute.routes.importer import dump_yaml, import_legs, parse_column_map
from shiproute.routes.load import read_dataset
from shiproute.routes.model import Leg, Source
from shiproute.routes.quantity import Quantity

Write = Callable[[str, str], Path]


def _import(sheet: Path, out: Path, *extra: str) -> Result:
    result = CliRunner().invoke(main, ["import", str(sheet), "-o", str(out), *extra])
    assert "Traceback" not in result.stderr
    return result


def _error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error: ")]


ANALYST = """
Origin,Destination,Mode,Date,Vessel,Volume,Unit,Source
Rajin,Dunay,sea,2023-09-08,Angara,more than 300,containers,NSC briefing 13 Oct 2023
Najin,Vladivostok,sea,2023-Q4,Lady R,300-400,containers,"Reuters, 20 Oct 2023; JCS"
"""


def test_analyst_csv_columns_become_dates_carriers_volumes_and_sources(
    tmp_path: Path, write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("analyst.csv", ANALYST)
    out = tmp_path / "analyst.yaml"
    result = _import(sheet, out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{out}: 2 legs, 3 sources\n"
    assert result.stderr == (
        f"{sheet}: warning: sources were made with their id as title (NSC briefing 13 Oct "
        "2023, Reuters, 20 Oct 2023, JCS): a spreadsheet has no citations; give each its "
        "title, publisher and date under 'sources:'\n")
    dataset = read_dataset(out, gazetteer)
    assert dataset.legs == (
        Leg(id="rajin-dunay-sea-2023-09-08", origin="rajin", destination="dunay", mode="sea",
            depart=parse_when("2023-09-08"), volume=Quantity.of(300, "more than"),
            unit="containers", carrier="Angara", sources=("NSC briefing 13 Oct 2023",)),
        Leg(id="rajin-vladivostok-sea-2023-10-2023-12", origin="rajin",
            destination="vladivostok", mode="sea", depart=parse_when("2023-Q4"),
            volume=Quantity(300, 400), unit="containers", carrier="Lady R",
            sources=("Reuters, 20 Oct 2023", "JCS")),
    )
    assert dataset.sources["JCS"] == Source("JCS", "JCS")
    assert "volume: more than 300" in out.read_text(encoding="utf-8")


def test_recognised_headers_ignore_case_spaces_and_underscores(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", """
    FROM ,to_site,Transport Mode,departed,ARRIVAL,qty,Units,Ship Name,notes,Leg ID
    Rajin,Dunay,sea,2023-09-08,2023-09-12,300,containers,Angara,seen at the quay,a-1
    """)
    (leg,) = import_legs(sheet, gazetteer).dataset["legs"]
    assert leg == {"id": "a-1", "from": "Rajin", "to": "Dunay", "mode": "sea",
                   "depart": "2023-09-08", "arrive": "2023-09-12", "volume": 300,
                   "unit": "containers", "carrier": "Angara", "note": "seen at the quay"}


@pytest.mark.parametrize(("cells", "volume"), [
    ("about 300,,", "about 300"),
    ("300,about,", "about 300"),
    ("about 300,about,", "about 300"),        # the CSV export repeats the qualifier
    ("300+,,total", {"value": "at least 300", "scope": "total"}),
    ("\"1,000-2,000\",,", "1,000-2,000"),
    ("2.5k,exact,shipment", 2500),
])
def test_volume_cells_take_qualifiers_ranges_and_scope(
    write: Write, gazetteer: Gazetteer, cells: str, volume: object
) -> None:
    sheet = write("legs.csv", f"from,to,mode,volume,qualifier,scope\nRajin,Dunay,sea,{cells}\n")
    (leg,) = import_legs(sheet, gazetteer).dataset["legs"]
    assert leg["volume"] == volume


def test_volume_qualified_twice_names_the_row_and_column(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", "from,to,mode,volume,qualifier\nRajin,Dunay,sea,more than 300,"
                              "about\n")
    with pytest.raises(DatasetError) as caught:
        import_legs(sheet, gazetteer)
    assert [str(p) for p in caught.value.problems] == [
        f"{sheet}: row 2, column 'volume': 'more than 300' is qualified twice (and "
        "'qualifier: about'); keep one"]


def test_every_message_names_the_spreadsheet_row_and_column(
    tmp_path: Path, write: Write
) -> None:
    sheet = write("legs.csv", """
    id,From,To,Mode,Depart,Arrive
    a,Rajin,Dunay,sea,2023-09-08,

    b,Rajin,Dunay,boat,2023-09-08,
    a,Rajin,Dunay,sea,2023-09-08,2023-09-01
    c,Rajin,Dunay,sea,2023-02-30,
    """)
    out = tmp_path / "d.yaml"
    result = _import(sheet, out)
    assert result.exit_code == 1 and not out.exists()
    assert result.stderr.splitlines() == [
        f"{sheet}: row 4, column 'Mode': unknown mode 'boat'; use one of sea, rail, road, air",
        f"{sheet}: row 5, column 'id': duplicate leg id 'a' (first in row 2)",
        f"{sheet}: row 5, column 'Arrive': arrives (2023-09-01) before it departs "
        "(2023-09-08); check the dates",
        f"{sheet}: row 6, column 'Depart': bad date in 'depart': '2023-02-30' is not a real "
        "date: February 2023 has no day 30 (1-28)",
        f"Error: {sheet}: 4 errors; nothing was written",
    ]


def test_skip_bad_writes_the_good_rows_and_reports_the_others(
    tmp_path: Path, write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", """
    from,to,mode
    Rajin,Dunay,sea
    Rajin,Nowhere,sea
    """)
    out = tmp_path / "d.yaml"
    result = _import(sheet, out, "--skip-bad")
    assert result.exit_code == 0
    assert result.stdout == f"{out}: 1 leg; 1 problem in skipped rows\n"
    assert result.stderr.startswith(f"skipped: {sheet}: row 3, column 'to': Unknown place "
                                    "'Nowhere'")
    assert [leg.destination for leg in read_dataset(out, gazetteer).legs] == ["dunay"]


def test_skip_bad_with_every_row_bad_exits_1_and_writes_nothing(
    tmp_path: Path, write: Write
) -> None:
    sheet = write("legs.csv", """
    from,to,mode
    Rajin,Nowhere,sea
    Rajin,Dunay,boat
    """)
    out = tmp_path / "d.yaml"
    result = _import(sheet, out, "--skip-bad")
    assert result.exit_code == 1 and not out.exists()
    assert _error_lines(result) == [
        f"Error: {sheet}: every row has problems, so --skip-bad leaves no leg to import; "
        "nothing was written"]
    assert [line.split(":")[0] for line in result.stderr.splitlines()[:2]] == ["skipped"] * 2


def test_unknown_place_says_to_use_gazetteer_or_coordinate_columns(
    tmp_path: Path, write: Write
) -> None:
    sheet = write("legs.csv", "from,to,mode\nRuritania,Dunay,rail\n")
    result = _import(sheet, tmp_path / "d.yaml")
    assert result.exit_code == 1
    assert _error_lines(result) == [
        f"Error: {sheet}: row 2, column 'from': Unknown place 'Ruritania'. Add it to the "
        "dataset's 'sites:' or to a --gazetteer file, or add an alias. Or give its position "
        "in 'from_lat' and 'from_lon' columns ('from_country' and 'from_kind' are optional)."]


def test_gazetteer_option_resolves_places_of_the_sheet(
    tmp_path: Path, write: Write
) -> None:
    mine = write("mine.yaml", """
    sites:
      kamenny: {name: Kamenny, kind: rail_station, country: RU, lat: 45.88, lon: 40.04}
    """)
    sheet = write("legs.csv", "from,to,mode\nDunay,Kamenny,rail\n")
    result = _import(sheet, tmp_path / "d.yaml", "--gazetteer", str(mine))
    assert result.exit_code == 0, result.stderr


def test_coordinate_columns_become_the_dataset_s_own_sites(
    tmp_path: Path, write: Write
) -> None:
    sheet = write("legs.csv", """
    from,from_lat,from_lon,from_country,to,to_lat,to_lon,to_country,to_kind,mode
    Depot 7,45.1,39.5,RU,Kamenny,45.88,40.04,RU,rail_station,rail
    Kamenny,,,,Novy Port,43.0,131.9,,,rail
    """)
    out = tmp_path / "d.yaml"
    result = _import(sheet, out)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (f"{sheet}: warning: row 3: site 'novy-port' lies in RU by Natural "
                             "Earth; give 'to_country' to say otherwise\n")
    dataset = read_dataset(out, Gazetteer({}))   # no gazetteer at all: the sites are its own
    assert dict(dataset.sites) == {
        "depot-7": Site("depot-7", "Depot 7", "other", "RU", 45.1, 39.5),
        "kamenny": Site("kamenny", "Kamenny", "rail_station", "RU", 45.88, 40.04),
        "novy-port": Site("novy-port", "Novy Port", "other", "RU", 43.0, 131.9),
    }
    assert [(leg.origin, leg.destination) for leg in dataset.legs] == [
        ("depot-7", "kamenny"), ("kamenny", "novy-port")]


def test_coordinates_of_a_gazetteer_site_reuse_it_and_other_ones_replace_it(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", """
    from,from_lat,from_lon,to,to_lat,to_lon,mode
    rajin,42.2445,130.3,Dunay,42.9,132.3,sea
    """)
    imported = import_legs(sheet, gazetteer)
    assert imported.dataset["legs"] == [{"from": "rajin", "to": "dunay", "mode": "sea"}]
    assert imported.dataset["sites"] == {"dunay": {
        "name": "Dunay", "kind": "other", "country": "RU", "lat": 42.9, "lon": 132.3}}
    assert [str(w) for w in imported.warnings] == [
        f"{sheet}: warning: row 2: site 'dunay' is Dunay at (42.9, 132.3), other, RU; it "
        "replaces the gazetteer's, Dunay at (42.887, 132.345), port, RU",
        f"{sheet}: warning: row 2: site 'dunay' lies in RU by Natural Earth; give 'to_country' "
        "to say otherwise",
    ]


def test_bad_coordinates_are_errors_of_their_cells(write: Write, gazetteer: Gazetteer) -> None:
    sheet = write("legs.csv", """
    from,from_lat,from_lon,to,to_lat,to_lon,to_country,to_name,mode
    Kamenny,95,40,Dunay,,,,,rail
    Kamenny,45.88,40.04,Mid Pacific,0,-150,,,sea
    Kamenny,45.9,40.04,Dunay,42.887,,,,rail
    Kamenny,45.88,40.04,Depot 7,45.1,39.5,UA,,rail
    """)
    with pytest.raises(DatasetError) as caught:
        import_legs(sheet, gazetteer)
    assert [p.message for p in caught.value.problems] == [
        "row 2, column 'from_lat': '95' is not a latitude: give decimal degrees, -90 to 90",
        "row 3, column 'to_lat': (0, -150) lies in no country; give its ISO code in a "
        "'to_country' column",
        "row 4, column 'from_lat': site 'kamenny' is Kamenny at (45.9, 40.04), other, RU here "
        "but Kamenny at (45.88, 40.04), other, RU in row 3; give one per place",
        "row 4, column 'to_lat': give 'to_lat' and 'to_lon' together, or neither",
        "row 5, column 'to_lat': site 'depot-7': 45.1, 39.5 lies 241 km outside UA",
    ]


def test_map_gives_columns_fields_or_drops_them(write: Write, gazetteer: Gazetteer) -> None:
    sheet = write("legs.csv", """
    Start,End,How,Date,Boat,Scratch
    Rajin,Dunay,sea,2023-10-13,Angara,x
    """)
    columns = parse_column_map(["start=from", "End=to", "HOW=mode", "Date=attributes",
                                "Boat=vessel", "scratch=ignore"])
    (leg,) = import_legs(sheet, gazetteer, columns=columns).dataset["legs"]
    assert leg == {"from": "Rajin", "to": "Dunay", "mode": "sea", "carrier": "Angara",
                   "attributes": {"Date": "2023-10-13"}}


def test_cli_map_option_and_its_mistakes(tmp_path: Path, write: Write) -> None:
    sheet = write("legs.csv", "Start,End,mode\nRajin,Dunay,sea\n")
    out = tmp_path / "d.yaml"
    good = _import(sheet, out, "--map", "Start=from", "--map", "End=to")
    assert good.exit_code == 0, good.stderr
    bad_field = _import(sheet, out, "--map", "Start=frm")
    assert bad_field.exit_code == 2
    assert "Invalid value for '--map': 'Start=frm': unknown field 'frm'; did you mean " \
           "'from'" in bad_field.stderr
    missing = _import(sheet, out, "--map", "Begin=from", "--map", "End=to")
    assert missing.exit_code == 1
    assert missing.stderr.splitlines()[:2] == [
        f"{sheet}: row 1: --map names column 'begin', which the header lacks; columns: Start, "
        "End, mode",
        f"{sheet}: row 1: no column gives 'from' (recognised headers: from, origin, from_site, "
        "origin_site); name yours with --map COLUMN=from",
    ]


def test_two_columns_for_one_field_is_a_header_error(write: Write, gazetteer: Gazetteer
                                                     ) -> None:
    sheet = write("legs.csv", "from,to,mode,Vessel,Ship\nRajin,Dunay,sea,Angara,Angara\n")
    with pytest.raises(DatasetError) as caught:
        import_legs(sheet, gazetteer)
    assert [p.message for p in caught.value.problems] == [
        "row 1: columns 'Vessel' and 'Ship' both give 'carrier'; keep one, or map one "
        "elsewhere with --map 'Ship=attributes' (or =ignore)"]


def test_other_columns_are_kept_as_attributes(write: Write, gazetteer: Gazetteer) -> None:
    sheet = write("legs.csv", "from,to,mode,IMO number,attributes.flag,\n"
                              "Rajin,Dunay,sea,9179011,RU,loose\n")
    out = sheet.with_suffix(".yaml")
    out.write_text(dump_yaml(import_legs(sheet, gazetteer).dataset), encoding="utf-8")
    (leg,) = read_dataset(out, gazetteer).legs
    assert leg.attributes == (("IMO number", "9179011"), ("flag", "RU"), ("column 6", "loose"))


def test_semicolon_separated_csv_is_read(write: Write, gazetteer: Gazetteer) -> None:
    sheet = write("legs.csv", "from;to;mode;volume\nRajin;Dunay;sea;about 300\n")
    (leg,) = import_legs(sheet, gazetteer).dataset["legs"]
    assert leg == {"from": "Rajin", "to": "Dunay", "mode": "sea", "volume": "about 300"}


def test_xlsx_rows_dates_and_numbers_are_read_as_the_sheet_shows_them(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["From", "To", "Mode", "Date", "Volume"])
    sheet.append(["Rajin", "Dunay", "sea", dt.datetime(2023, 9, 8), 300.0])
    sheet.append([])
    sheet.append(["Rajin", "Dunay", "ship", dt.date(2023, 9, 9), 2.5])
    path = tmp_path / "legs.xlsx"
    book.save(path)
    with pytest.raises(DatasetError) as caught:
        import_legs(path, gazetteer)
    assert [p.message for p in caught.value.problems] == [
        "row 4, column 'Mode': unknown mode 'ship'; use one of sea, rail, road, air"]
    imported = import_legs(path, gazetteer, skip_bad=True)
    assert imported.dataset["legs"] == [{"from": "Rajin", "to": "Dunay", "mode": "sea",
                                         "depart": "2023-09-08", "volume": 300}]


def test_sheet_option_is_for_workbooks_only(tmp_path: Path, write: Write) -> None:
    sheet = write("legs.csv", "from,to,mode\nRajin,Dunay,sea\n")
    result = _import(sheet, tmp_path / "d.yaml", "--sheet", "legs")
    assert result.exit_code == 2
    assert "--sheet applies to XLSX workbooks only" in result.stderr


def test_header_only_sheet_is_an_error(write: Write, gazetteer: Gazetteer) -> None:
    sheet = write("legs.csv", "from,to,mode\n")
    with pytest.raises(DatasetError, match="row 1: no rows under the header"):
        import_legs(sheet, gazetteer)


def test_csv_export_of_a_dataset_with_its_own_sites_imports_without_a_gazetteer_file(
    tmp_path: Path, write: Write, gazetteer: Gazetteer
) -> None:
    dataset = write("own.yaml", """
    title: Own sites
    sites:
      kamenny: {name: Kamenny, kind: rail_station, country: RU, lat: 45.88, lon: 40.04}
    sources:
      s1: {title: A report}
    legs:
      - {from: {site: Dunay, reported_as: Dunai}, to: kamenny, mode: air, depart: 2023-Q4,
         volume: {value: 300, qualifier: about, scope: total}, unit: containers,
         sources: [s1], basis: inferred, reasoning: the photos match,
         attributes: {flag: RU}}
    """)
    exported = tmp_path / "legs.csv"
    result = CliRunner().invoke(main, ["export", str(dataset), "--format", "csv",
                                       "-o", str(exported), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    back = tmp_path / "back.yaml"
    imported = _import(exported, back)
    assert imported.exit_code == 0, imported.stderr
    original, again = read_dataset(dataset, gazetteer), read_dataset(back, gazetteer)
    assert again.legs == original.legs
    assert again.sites["kamenny"] == original.sites["kamenny"]


def test_many_countries_from_natural_earth_are_one_warning(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", """
    from,from_lat,from_lon,to,to_lat,to_lon,mode
    Depot A,55.1,40.1,Depot B,56.1,41.1,rail
    Depot C,57.1,42.1,Depot D,58.1,43.1,rail
    Depot A,55.1,40.1,Pier E,42.3,130.4,sea
    """)
    imported = import_legs(sheet, gazetteer)
    assert len(imported.dataset["sites"]) == 5
    assert [str(w) for w in imported.warnings] == [
        f"{sheet}: warning: row 2: 5 sites got their country from Natural Earth by their "
        "positions (4 in RU, 1 in KP): 'depot-a', 'depot-b', 'depot-c' and 2 more, up to row 4; "
        "give 'from_country' or 'to_country' to say otherwise",
    ]
