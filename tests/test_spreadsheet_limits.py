"""Spreadsheet import reads within limits, refuses hostile workbooks and loses no data."""

from __future__ import annotations

from collections.abc import Callable
import datetime as dt
import os
from pathlib import Path
import re
import subprocess
import sys
import zipfile

from click.testing import CliRunner, Result
from openpyxl import Workbook
import pytest

from shiproute.cli import main
from shiproute.errors import DatasetError
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.importer import LIMITS, Limits, dump_yaml, import_file, import_legs
from shiproute.routes.load import read_dataset

Write = Callable[[str, str], Path]
EXE = str(Path(sys.executable).with_name("shiproute"))
MB = 2**20
SHEET = "xl/worksheets/sheet1.xml"


def _import(sheet: Path, out: Path, *extra: str) -> Result:
    result = CliRunner().invoke(main, ["import", str(sheet), "-o", str(out), *extra])
    assert "Traceback" not in result.stderr
    return result


def _refused(sheet: Path, out: Path, message: str) -> None:
    """The CLI exits 1 with one error line naming the file, and writes nothing."""
    result = _import(sheet, out)
    assert (result.exit_code, result.stderr, result.stdout) == (1, f"Error: {message}\n", "")
    assert not out.exists()


def _problem(path: Path, gazetteer: Gazetteer, limits: Limits = LIMITS) -> str:
    with pytest.raises(DatasetError) as caught:
        import_legs(path, gazetteer, limits=limits)
    return str(caught.value)


def _workbook(path: Path, *rows: list[object]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of a workbook (zip) in place."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return path


@pytest.fixture
def legs_xlsx(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "legs.xlsx", ["from", "to", "mode", "carrier"],
                     ["Rajin", "Dunay", "sea", "Angara"])


# --- limits ---------------------------------------------------------------------------------

def test_rows_over_the_limit_name_the_first_row_over_it(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", "from,to,mode\n\nRajin,Dunay,sea\nRajin,Dunay,sea\n"
                              "Rajin,Dunay,air\n")
    assert _problem(sheet, gazetteer, Limits(rows=2)) == (
        f"{sheet}: row 5: more than 2 rows under the header, the most import reads; split the "
        "spreadsheet into smaller files, or raise --max-rows")
    assert len(import_legs(sheet, gazetteer, limits=Limits(rows=3)).dataset["legs"]) == 3


def test_default_limit_is_200000_rows(tmp_path: Path) -> None:
    sheet = tmp_path / "many.csv"
    sheet.write_text("from,to,mode\n" + "Rajin,Dunay,sea\n" * 200_001, encoding="utf-8")
    _refused(sheet, tmp_path / "many.yaml",
             f"{sheet}: row 200002: more than 200,000 rows under the header, the most import "
             "reads; split the spreadsheet into smaller files, or raise --max-rows")


def test_a_cell_over_100000_characters_is_refused_before_anything_is_written(
    tmp_path: Path
) -> None:
    sheet = tmp_path / "long.csv"
    sheet.write_text("from,to,mode,note\nRajin,Dunay,sea,short\nRajin,Dunay,sea,"
                     + "x" * 1_000_000 + "\n", encoding="utf-8")
    _refused(sheet, tmp_path / "long.yaml",
             f"{sheet}: row 3: a cell has more than 100,000 characters, the most import reads "
             "in a cell; shorten it, or raise --max-cell")


def test_cell_limit_is_exact_and_names_the_workbook_cell(
    tmp_path: Path, write: Write, gazetteer: Gazetteer
) -> None:
    limits = Limits(cell=10)
    fits = write("fits.csv", "from,to,mode,note\nRajin,Dunay,sea,0123456789\n")
    assert import_legs(fits, gazetteer, limits=limits).dataset["legs"][0]["note"] == \
        "0123456789"
    book = _workbook(tmp_path / "long.xlsx", ["from", "to", "mode", "note"],
                     ["Rajin", "Dunay", "sea", "0123456789!"])
    assert _problem(book, gazetteer, limits) == (
        f"{book}: row 2: cell D2 has more than 10 characters, the most import reads in a "
        "cell; shorten it, or raise --max-cell")


def test_a_row_wider_than_the_column_limit_is_refused(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("wide.csv", "from,to,mode\nRajin,Dunay,sea,,,,x\nRajin,Dunay,sea,,,,,,,,\n")
    assert _problem(sheet, gazetteer, Limits(columns=6)) == (
        f"{sheet}: row 2: the row has cells past column F (6 columns), the most import reads; "
        "delete them, or raise --max-columns")
    assert len(import_legs(sheet, gazetteer, limits=Limits(columns=7)).dataset["legs"]) == 2


def test_a_300_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    sheet = tmp_path / "huge.csv"
    with sheet.open("wb") as handle:   # sparse: 300 MB that take no disk and no time
        handle.truncate(300 * MB)
    out = tmp_path / "huge.yaml"
    done = subprocess.run([EXE, "import", str(sheet), "-o", str(out)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (1, f"Error: {sheet}: the file has 300 MB, more "
                                                 "than the 200 MB import reads; split it into "
                                                 "smaller files, or raise --max-mb\n")
    assert not out.exists()


def test_a_geojson_over_the_size_limit_is_refused(write: Write, gazetteer: Gazetteer) -> None:
    exported = write("big.geojson", '{"type": "FeatureCollection", "features": []}' + " " * 2000)
    with pytest.raises(DatasetError) as caught:
        import_file(exported, gazetteer, limits=Limits(size=2000))
    assert str(caught.value) == (f"{exported}: the file has 2,045 bytes, more than the 2,000 "
                                 "bytes import reads; split it into smaller files, or raise "
                                 "--max-mb")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "legs.csv"
    os.mkfifo(fifo)
    done = subprocess.run([EXE, "import", str(fifo), "-o", str(tmp_path / "d.yaml")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (
        1, f"Error: {fifo}: not a regular file (a named pipe (FIFO)); give a CSV, XLSX or "
           "GeoJSON file\n")


def test_a_workbook_that_inflates_past_200_mb_is_refused_before_inflating(
    tmp_path: Path, legs_xlsx: Path
) -> None:
    with (zipfile.ZipFile(legs_xlsx, "a", zipfile.ZIP_DEFLATED) as book,
          book.open("xl/media/zeros.bin", "w") as zeros):
        for _ in range(201):
            zeros.write(bytes(MB))
    assert legs_xlsx.stat().st_size < MB
    _refused(legs_xlsx, tmp_path / "d.yaml",
             f"{legs_xlsx}: the workbook inflates to 201 MB, more than the 200 MB import "
             "reads; split it into smaller workbooks, or raise --max-mb")


# --- hostile workbooks ----------------------------------------------------------------------

def test_an_xlsx_that_is_not_a_zip_is_one_clear_error(tmp_path: Path, write: Write) -> None:
    sheet = write("legs.xlsx", "from,to,mode\nRajin,Dunay,sea\n")
    _refused(sheet, tmp_path / "d.yaml", f"{sheet}: not an XLSX workbook (not a zip archive); "
                                         "save it as .xlsx from a spreadsheet program, or as CSV")


def test_a_zip_without_a_workbook_is_one_clear_error(tmp_path: Path) -> None:
    sheet = tmp_path / "legs.xlsx"
    with zipfile.ZipFile(sheet, "w") as archive:
        archive.writestr("notes.txt", "hello")
    _refused(sheet, tmp_path / "d.yaml",
             f"{sheet}: can't read the workbook (KeyError: \"There is no item named "
             "'[Content_Types].xml' in the archive\"); save it again from a spreadsheet "
             "program, or as CSV")


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;")
                                                 * 10) for n in range(1, 10)) + b"]>")
XXE = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(("member", "prologue", "cell"), [
    (SHEET, LAUGHS, b"&lol9;"),
    (SHEET, XXE, b"&x;"),
    ("xl/workbook.xml", LAUGHS, None),      # declared and never used: refused all the same
])
def test_billion_laughs_and_external_entities_are_refused_before_parsing(
    tmp_path: Path, legs_xlsx: Path, member: str, prologue: bytes, cell: bytes | None
) -> None:
    def poison(data: bytes) -> bytes:
        data = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
        return prologue + (data.replace(b"<t>Angara</t>", b"<t>" + cell + b"</t>")
                           if cell else data)

    _rewrite(legs_xlsx, member, poison)
    _refused(legs_xlsx, tmp_path / "d.yaml",
             f"{legs_xlsx}: its part '{member}' declares a DOCTYPE, which spreadsheet programs "
             "never write and which could expand XML entities without end or read other "
             "files; save the workbook again from a spreadsheet program")


def test_a_sheet_past_the_last_row_of_a_workbook_is_refused(
    legs_xlsx: Path, gazetteer: Gazetteer
) -> None:
    _rewrite(legs_xlsx, SHEET, lambda data: data.replace(b'<row r="2"', b'<row r="1048577"')
             .replace(b'r="A2"', b'r="A1048577"').replace(b'r="B2"', b'r="B1048577"')
             .replace(b'r="C2"', b'r="C1048577"').replace(b'r="D2"', b'r="D1048577"'))
    assert _problem(legs_xlsx, gazetteer) == (
        f"{legs_xlsx}: the sheet goes past row 1,048,576, the last a workbook can have; save "
        "it again from a spreadsheet program")


def test_chart_sheets_are_passed_over_and_refused_by_name(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    rows = book.active
    rows.title = "legs"
    for row in (["from", "to", "mode", "volume"], ["Rajin", "Dunay", "sea", 3]):
        rows.append(row)
    chart = BarChart()
    chart.add_data(Reference(rows, min_col=4, min_row=1, max_row=2), titles_from_data=True)
    book.create_chartsheet("Chart1", 0).add_chart(chart)
    path = tmp_path / "chart.xlsx"
    book.save(path)
    assert import_legs(path, gazetteer).dataset["legs"] == [
        {"from": "Rajin", "to": "Dunay", "mode": "sea", "volume": 3}]
    with pytest.raises(DatasetError) as caught:
        import_legs(path, gazetteer, sheet="Chart1")
    assert str(caught.value) == (f"{path}: sheet 'Chart1' is a chart, not rows of legs; sheets "
                                 "with rows: legs")
    book.remove(rows)
    book.save(path)
    assert _problem(path, gazetteer) == (f"{path}: the workbook has no sheet with rows, only "
                                         "charts; put the legs in a sheet")


def test_a_zip_of_more_than_10000_parts_is_refused_before_it_is_opened(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(10_001):
            archive.writestr(f"xl/p{number}.xml", "<p/>")
    assert _problem(path, gazetteer) == (f"{path}: the workbook has more than 10,000 parts, "
                                         "the most import reads; save it again from a "
                                         "spreadsheet program")


# --- no silent data loss --------------------------------------------------------------------

def test_excel_dates_are_days_and_a_time_of_day_is_dropped_with_a_warning(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    sheet = _workbook(tmp_path / "dates.xlsx", ["From", "To", "Mode", "Departure", "Arrival"],
                      ["Rajin", "Dunay", "sea", dt.datetime(2023, 9, 12),
                       dt.datetime(2023, 9, 14, 14, 30)])
    out = tmp_path / "dates.yaml"
    result = _import(sheet, out)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"{sheet}: warning: row 2, column 'Arrival': '2023-09-14T14:30:00' has a time of day, "
        "which a dataset date can't hold; the day, 2023-09-14, is kept\n")
    (leg,) = read_dataset(out, gazetteer).legs
    assert leg.depart is not None and leg.arrive is not None
    assert (leg.depart.text(), leg.arrive.text()) == ("2023-09-12", "2023-09-14")


def test_csv_date_times_at_midnight_are_days_without_a_warning(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", "from,to,mode,depart,arrive\n"
                              "Rajin,Dunay,sea,2023-09-12 00:00:00,2023-09-13T00:00\n")
    imported = import_legs(sheet, gazetteer)
    assert imported.dataset["legs"] == [{"from": "Rajin", "to": "Dunay", "mode": "sea",
                                         "depart": "2023-09-12", "arrive": "2023-09-13"}]
    assert imported.warnings == ()


def _formulas(tmp_path: Path, cached: bool) -> Path:
    """A workbook whose volume cells are formulas, with or without saved values."""
    book = _workbook(tmp_path / "formulas.xlsx", ["from", "to", "mode", "volume"],
                     ["Rajin", "Dunay", "sea", "=100*3"], ["Rajin", "Dunay", "sea", "=D2+1"],
                     ["Rajin", "Dunay", "sea", "=D3+1"])
    if cached:
        values = iter([b"300", b"301", b"302"])
        return _rewrite(book, SHEET, lambda data: re.sub(
            rb"(<f>[^<]*</f>)<v\s*/>|(<f>[^<]*</f>)(?:<v></v>)?",
            lambda m: (m.group(1) or m.group(2)) + b"<v>" + next(values) + b"</v>", data))
    return book


def test_a_formula_without_a_saved_value_is_an_error_naming_its_cell(
    tmp_path: Path
) -> None:
    book = _formulas(tmp_path, cached=False)
    _refused(book, tmp_path / "d.yaml",
             f"{book}: row 2: cell D2 has the formula =100*3 but no value saved with it (and "
             "so do 2 other cells); open the workbook in a spreadsheet program and save it, so "
             "that it stores the values")


def test_formulas_with_saved_values_import_the_values(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    book = _formulas(tmp_path, cached=True)
    assert [leg["volume"] for leg in import_legs(book, gazetteer).dataset["legs"]] == [
        300, 301, 302]


def test_a_dimension_that_understates_the_sheet_hides_no_row(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    book = _workbook(tmp_path / "legs.xlsx", ["from", "to", "mode", "carrier"],
                     *[["Rajin", "Dunay", "sea", f"ship {n}"] for n in range(5)])
    _rewrite(book, SHEET, lambda data: re.sub(rb'<dimension ref="[^"]*"',
                                              b'<dimension ref="A1:D2"', data))
    assert b'<dimension ref="A1:D2"' in zipfile.ZipFile(book).read(SHEET)
    assert [leg["carrier"] for leg in import_legs(book, gazetteer).dataset["legs"]] == [
        f"ship {n}" for n in range(5)]


def test_the_same_header_twice_is_an_error_saying_to_rename_one(
    write: Write, gazetteer: Gazetteer
) -> None:
    sheet = write("legs.csv", "from,to,mode,IMO,Ship Name,IMO,ship_name\n"
                              "Rajin,Dunay,sea,1,Angara,2,Angara\n")
    with pytest.raises(DatasetError) as caught:
        import_legs(sheet, gazetteer)
    assert [p.message for p in caught.value.problems] == [
        "row 1: the header 'IMO' is there twice (columns D and F); rename one, or delete it",
        "row 1: the headers 'Ship Name' and 'ship_name' (columns E and G) read as the same "
        "name; rename one, or delete it"]


@pytest.mark.parametrize(("text", "message"), [
    ('from,to,mode,note\nRajin,Dunay,sea,ok\nRajin,Dunay,sea,"never closed\n'
     "Rajin,Dunay,sea,swallowed\n",
     'row 3: a quote (") opens a cell here and is never closed; close it, and write a quote '
     'inside a quoted cell as two ("")'),
    ('from,to,mode,note\nRajin,Dunay,sea,"closed" then more\n',
     "row 2: text follows the closing quote of a quoted cell; put the whole cell in quotes, "
     'and write a quote inside it as two ("")'),
])
def test_broken_csv_quotes_are_errors_naming_the_row(
    write: Write, gazetteer: Gazetteer, text: str, message: str
) -> None:
    sheet = write("legs.csv", text)
    assert _problem(sheet, gazetteer) == f"{sheet}: {message}"


def test_invalid_utf8_names_its_byte(write: Write, gazetteer: Gazetteer) -> None:
    sheet = write("legs.csv", "")
    sheet.write_bytes(b"\xef\xbb\xbffrom,to,mode\nRajin,Du\xffnay,sea\n")
    assert _problem(sheet, gazetteer) == (f"{sheet}: not UTF-8 text (invalid start byte at byte "
                                          "24); save it as CSV UTF-8")


@pytest.mark.parametrize(("text", "message"), [
    ('{"type": "FeatureCollection", "features": [], "x": NaN}',
     "not JSON that import reads: NaN is not a JSON number"),
    ("[" * 100_000 + "]" * 100_000,
     "not JSON that import reads: it nests lists or objects too deep; import reads the GeoJSON "
     "that 'shiproute export --format geojson' writes"),
    ('{"x": ' + "1" * 5000 + "}", "not JSON that import reads: a number has more than 4,300 "
                                  "digits"),
])
def test_geojson_that_python_would_misread_is_one_clear_error(
    tmp_path: Path, write: Write, text: str, message: str
) -> None:
    exported = write("d.geojson", text)
    _refused(exported, tmp_path / "d.yaml", f"{exported}: {message}")


def test_written_yaml_keeps_yaml_1_1_line_breaks(tmp_path: Path) -> None:
    document = {"title": "a\x85b\u2028c\u2029d", "legs": []}
    path = tmp_path / "t.yaml"
    path.write_text(dump_yaml(document), encoding="utf-8")
    assert read_dataset(path, Gazetteer({})).title == "a\x85b\u2028c\u2029d"


@pytest.mark.parametrize("enabled", [True, False])
def test_import_leaves_the_garbage_collector_as_it_found_it(
    write: Write, gazetteer: Gazetteer, enabled: bool
) -> None:
    import gc

    sheet = write("legs.csv", "from,to,mode\nRajin,Dunay,sea\n")
    (gc.enable if enabled else gc.disable)()
    try:
        assert import_file(sheet, gazetteer).count("legs") == 1
        assert "from: Rajin" in dump_yaml(import_file(sheet, gazetteer).dataset)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_the_import_options_default_to_the_documented_limits() -> None:
    # the CLI states the limits in --help without importing the importer at start-up
    from shiproute.cli.interchange import import_command
    from shiproute.routes.importer import LIMITS, MB

    defaults = {p.name: p.default for p in import_command.params}
    assert (defaults["max_rows"], defaults["max_columns"], defaults["max_cell"],
            defaults["max_mb"] * MB) == (LIMITS.rows, LIMITS.columns, LIMITS.cell, LIMITS.size)
