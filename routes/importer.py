"""Import legs from a spreadsheet (CSV or XLSX) into a dataset.

Columns are matched case-insensitively; the ones shiproute knows become leg
fields, the ones it derives on export (names, distance, route, citations,
WKT) are ignored, and any other column is kept in the leg's ``attributes``.
Each row is checked like a dataset leg, and problems name the row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
import io
from pathlib import Path
from typing import Any

from shiproute.errors import DatasetError, Problem
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.load import parse_value

FIELDS = ("id", "from", "to", "mode", "depart", "arrive", "volume", "qualifier", "unit",
          "carrier", "sources", "note", "via", "countries")
DERIVED = ("from_name", "to_name", "distance_km", "route_source", "route_rule", "flags",
           "citations", "wkt")
LISTS = ("sources", "via", "countries")


@dataclass(frozen=True, slots=True)
class Imported:
    """A spreadsheet read into dataset form.

    Parameters
    ----------
    dataset
        The YAML-ready mapping: title, sources and legs.
    skipped
        Problems of the rows left out (only with ``skip_bad``).
    """

    dataset: dict[str, Any]
    skipped: tuple[Problem, ...]


def read_rows(path: Path, sheet: str | None = None) -> list[dict[str, str]]:
    """Read a CSV or XLSX file into rows keyed by lower-case header.

    Raises
    ------
    DatasetError
        If the file can't be read or has no ``from``, ``to`` and ``mode`` columns.
    """
    name = str(path)
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            if sheet is not None and sheet not in book.sheetnames:
                listed = ", ".join(book.sheetnames)
                raise DatasetError([Problem(name, 0, 0, f"no sheet '{sheet}'; sheets: {listed}")])
            table = [["" if c is None else str(c) for c in row]
                     for row in book[sheet or book.sheetnames[0]].iter_rows(values_only=True)]
        else:
            table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as err:
        raise DatasetError([Problem(name, 0, 0, f"can't read spreadsheet: {err}")]) from None
    if not table:
        raise DatasetError([Problem(name, 0, 0, "empty spreadsheet; expected a header row")])
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in ("from", "to", "mode") if c not in header]
    if missing:
        message = f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)} in the header"
        raise DatasetError([Problem(name, 1, 0, message)])
    return [dict(zip(header, (c.strip() for c in row), strict=False))
            for row in table[1:] if any(c.strip() for c in row)]


def _leg(row: dict[str, str]) -> dict[str, Any]:
    leg: dict[str, Any] = {}
    attributes = {}
    for key, value in row.items():
        if not value or key in DERIVED or key == "qualifier":
            continue
        if key in LISTS:
            leg[key] = [part.strip() for part in value.split(",") if part.strip()]
        elif key == "volume":
            number: Any = value
            try:
                number = float(value.replace(",", ""))
                number = int(number) if number.is_integer() else number
            except ValueError:
                pass
            qualifier = row.get("qualifier") or "exact"
            leg["volume"] = {"value": number, "qualifier": qualifier}
        elif key in FIELDS:
            leg[key] = value
        else:
            attributes[key] = value
    if attributes:
        leg["attributes"] = attributes
    return leg


def import_legs(path: Path, gazetteer: Gazetteer, *, sheet: str | None = None,
                skip_bad: bool = False, title: str | None = None) -> Imported:
    """Turn a spreadsheet of legs into a dataset mapping, checking every row.

    Parameters
    ----------
    path
        CSV or XLSX file.
    gazetteer
        Sites the rows may name.
    sheet
        XLSX sheet; the first by default.
    skip_bad
        Leave out bad rows (and report them) instead of failing.
    title
        Dataset title; the file name by default.

    Returns
    -------
    Imported

    Raises
    ------
    DatasetError
        With every row's problems, unless ``skip_bad``.
    """
    rows = read_rows(path, sheet)
    legs, problems = [], []
    cited: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        leg = _leg(row)
        sources = {s: {"title": s} for s in leg.get("sources", [])}
        _dataset, found = parse_value({"legs": [leg], "sources": sources}, (),
                                       f"{path}, row {number}", gazetteer)
        if found:
            problems.extend(found)
            continue
        cited.update(sources)
        legs.append(leg)
    if problems and not skip_bad:
        raise DatasetError(problems)
    dataset = {"title": title or path.stem, "sources": cited, "legs": legs}
    return Imported(dataset, tuple(problems))
