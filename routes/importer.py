"""Import a dataset: a spreadsheet of legs (CSV, XLSX) or shiproute's lossless GeoJSON.

Spreadsheets
------------
One leg per row under a header row. A header names a leg field in any case,
with spaces, hyphens or underscores alike (``Ship Name`` = ``ship_name``):

==================  ===========================================================
field               recognised headers
==================  ===========================================================
id                  id, leg id
from                from, origin, from site, origin site
to                  to, destination, dest, to site, destination site
mode                mode, transport, transport mode, means
depart              depart, departed, departure, departure date, date,
                    start date
arrive              arrive, arrived, arrival, arrival date, end date
volume              volume, qty, quantity, amount, count
qualifier           qualifier
scope               scope
unit                unit, units
carrier             carrier, vessel, vessel name, ship, ship name, train,
                    aircraft, flight
sources             sources, source, source id, source ids, citation,
                    reference, references
note                note, notes, comment, comments, remarks
basis               basis
reasoning           reasoning, rationale
via                 via
countries           countries
from_reported_as    from reported as, from as reported, origin reported as,
                    origin as reported (``to_...``: to, destination)
from_name           from name, origin name
from_lat            from lat, from latitude, origin lat, origin latitude
from_lon            from lon, from lng, from long, from longitude, origin lon,
                    origin lng, origin long, origin longitude
from_country        from country, origin country
from_kind           from kind, origin kind
==================  ===========================================================

The ``to_`` columns (``to_lat``, ``destination_lat``, ...) mirror the
``from_`` ones. ``--map COLUMN=FIELD`` (``columns`` here) gives any header a
field, or ``ignore`` to drop the column, or ``attributes`` to keep it as an
attribute. Columns that ``shiproute export`` derives (``depart_iso``,
``depart_first``, ``depart_last``, ``depart_precision`` and the ``arrive_``
ones, ``volume_low``, ``volume_high``, ``citations``, ``distance_km``,
``distance_nm``, ``route_source``, ``route_rule``, ``route_countries``,
``flags``, ``drawn``, ``path``, ``wkt``) are ignored. A column
``attributes.NAME`` becomes the attribute NAME, and every other column is
kept in the leg's ``attributes`` under its header (``column N`` for a
column without one). Two columns giving one
field (the same header twice too: it can only be renamed), or no column
giving ``from``, ``to`` or ``mode``, is an error of the header.

Cells:

- dates in any dataset form (``2023-09-08``, ``2023-Q4``, ``../2023-09-12``);
  an XLSX date cell is its day, and so is a date-time in a date column
  (``2023-09-12 00:00:00``, ``2023-09-12T14:30``), with a warning when it
  has a time of day, which a dataset date can't hold;
- a volume as reports write it: ``300``, ``about 300``, ``300-400``,
  ``300+``, ``more than 1,000``; a ``qualifier`` column qualifies a bare
  figure (and may repeat the cell's own qualifier); ``scope`` is
  ``shipment`` (the default) or ``total``;
- ``sources`` lists source ids separated by ``;`` (a comma stays part of the
  id, as in ``Reuters, 13 Oct 2023``); ``via`` and ``countries`` take ``;``
  or ``,``. Each cited id becomes a source whose title is the id, and a
  warning says so: a spreadsheet has no room for citations;
- a CSV is UTF-8 (a BOM is fine), comma-separated unless the header row has
  no comma but semicolons or tabs; a quote that opens a cell must close it,
  right before a separator or the line's end (an unclosed quote would take
  in every later row), else the row is an error;
- a ``'`` that ``shiproute export`` put before a formula-like cell
  (``'=x``; see :func:`~shiproute.routes.export.formula_guard`) is taken off;
- an XLSX formula cell is the value saved with it; a formula saved without
  a value (as programs other than spreadsheets write them) is an error
  naming the cell.

Rows are checked together, as the legs of one dataset: a problem names the
spreadsheet row (the header is the first non-empty row, usually row 1) and
the column. Nothing is imported if a row has a problem, unless ``skip_bad``,
which leaves such rows out and reports them.

Limits and hostile files
------------------------
A file is read only if it is a regular file (a FIFO or device is refused
without waiting), and only within :class:`Limits`, each checked before what
it bounds is read, each its own error naming the file: at most 200 MB (the
file, and an XLSX's parts once inflated, by the sizes its zip directory
states: Python's zip reader never inflates past them), 200,000 rows under
the header, 1,000 columns and 100,000 characters a cell. ``limits=Limits(...)``
changes them. An XLSX is a zip of XML parts: a part that declares a DOCTYPE
(the door to "billion laughs" entity expansion and to external entities)
is refused before openpyxl parses anything, as are more than
:data:`MAX_PARTS` parts and rows past Excel's last, 1,048,576. A sheet is
read to its last row whatever its ``<dimension>`` says.

Sites from coordinates
----------------------
A place resolves through the gazetteer (and the sites other rows define)
unless its row gives ``from_lat`` and ``from_lon`` (or the ``to_`` pair),
both or neither. With coordinates:

- if the name resolves to a site at the same position (to 6 decimals), that
  site is used;
- otherwise the row defines a dataset site: its id is the resolved site's id
  (the dataset's site then overrides the gazetteer's, with a warning) or the
  name in lower case with runs of other characters as ``-``; its name is
  ``from_name`` or the cell; its kind ``from_kind`` or ``other``; its country
  ``from_country``, or else the Natural Earth (1:10m) country at the point or
  within 0.1 degree of it (ports lie on the coastline), with a warning. A
  point in no country needs a ``from_country``;
- two rows that define one site differently are an error, and so is
  anything the dataset reader finds wrong with a dataset's own site (a
  country the point lies more than 25 km outside of, a name or alias that
  another site has).

The sites become the dataset's own ``sites:``, so the dataset needs no
gazetteer file for them.

GeoJSON
-------
:func:`import_geojson` reads what ``shiproute export --format geojson``
writes (see :mod:`shiproute.routes.export`) back into an equivalent dataset:
every site as the dataset's own ``sites:`` (the point geometry gives its
position), every source with every field, the legs with all their fields
(volume from ``volume_low``, ``volume_high``, ``qualifier`` and ``scope``; a
drawn leg's points from its geometry, or its named ``paths:`` entry), the
events and the estimates. The dataset read from the written YAML equals the
exported one in title, description, sites, sources, legs, events and
estimates (its name comes from the file name), for coordinates of at most 6
decimals.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
import contextlib
import csv
from dataclasses import dataclass, field, replace
import datetime as dt
import functools
import gc
import io
import itertools
import json
import math
from pathlib import Path
import re
import sys
from typing import TYPE_CHECKING, Any
import warnings
import zipfile
import zlib

from shiproute.errors import DatasetError, Problem
from shiproute.files import FileTooBigError, NotRegularFileError, read_bounded
from shiproute.gazetteer.load import parse_site
from shiproute.gazetteer.model import Site
from shiproute.gazetteer.records import Problems, describe
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.gazetteer.safeyaml import YamlMap, YamlSeq, resolve_plain, shorten
from shiproute.gazetteer.suggest import did_you_mean
from shiproute.routes.export import (
    ATTRIBUTE_PREFIX,
    DATE_SUFFIXES,
    FOREIGN_MEMBER,
    GEOJSON_FORMAT,
    rounded,
    unguard,
)
from shiproute.routes.load import parse_value
from shiproute.routes.quantity import Quantity, parse_quantity

if TYPE_CHECKING:
    import yaml

_END_HEADERS = {"reported_as": ("reported_as", "as_reported"), "name": ("name",),
                "lat": ("lat", "latitude"), "lon": ("lon", "lng", "long", "longitude"),
                "country": ("country",), "kind": ("kind",)}
_ENDS = (("from", "origin"), ("to", "destination"))
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "leg_id"),
    "from": ("from", "origin", "from_site", "origin_site"),
    "to": ("to", "destination", "dest", "to_site", "destination_site"),
    "mode": ("mode", "transport", "transport_mode", "means"),
    "depart": ("depart", "departed", "departure", "departure_date", "date", "start_date"),
    "arrive": ("arrive", "arrived", "arrival", "arrival_date", "end_date"),
    "volume": ("volume", "qty", "quantity", "amount", "count"),
    "qualifier": ("qualifier",),
    "scope": ("scope",),
    "unit": ("unit", "units"),
    "carrier": ("carrier", "vessel", "vessel_name", "ship", "ship_name", "train", "aircraft",
                "flight"),
    "sources": ("sources", "source", "source_id", "source_ids", "citation", "reference",
                "references"),
    "note": ("note", "notes", "comment", "comments", "remarks"),
    "basis": ("basis",),
    "reasoning": ("reasoning", "rationale"),
    "via": ("via",),
    "countries": ("countries",),
    **{f"{end}_{name}": tuple(f"{prefix}_{suffix}" for prefix in (end, other)
                              for suffix in suffixes)
       for end, other in _ENDS for name, suffixes in _END_HEADERS.items()},
}
"""Leg field to the headers that name it (normalised: lower case, ``_`` between words)."""
DERIVED = (
    *(f"{end}{suffix}" for end in ("depart", "arrive") for suffix in DATE_SUFFIXES[1:]),
    "volume_low", "volume_high", "citations", "distance_km", "distance_nm", "route_source",
    "route_rule", "route_countries", "flags", "drawn", "path", "wkt",
)
"""Columns ``shiproute export`` writes but derives itself; import ignores them."""
IGNORE = "ignore"
ATTRIBUTES = "attributes"
REQUIRED = ("from", "to", "mode")
_SEPARATOR = re.compile(r"[\s_\-]+")
_SLUG = re.compile(r"\W+")
DUMP_ITEMS = 500
"""Items of a long list that :func:`dump_yaml` writes at a time."""
_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
                        r"(?:Z|[+-]\d{2}(?::?\d{2})?)?")
MB = 2**20
EXCEL_ROWS = 1_048_576
"""The last row a workbook can have (Excel's limit)."""
MAX_PARTS = 10_000
"""Most parts (zip members) of a workbook import opens; spreadsheets write a few dozen."""
CHUNK = 1 << 20
"""Bytes of a workbook part inflated at a time while it is checked."""
_CENTRAL_ENTRY = b"PK\x01\x02"
"""How each entry of a zip's central directory starts."""
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


@dataclass(frozen=True, slots=True)
class Imported:
    """A dataset read from another format, ready to write as YAML.

    Parameters
    ----------
    dataset
        The YAML-ready mapping (title, sites, sources, paths, legs, events,
        estimates; empty parts left out), checked by the dataset reader.
    skipped
        Problems of the rows left out (spreadsheets with ``skip_bad``); with
        ``skip_bad`` the dataset may then have no legs.
    warnings
        What the reader should know, e.g. sources made from bare ids.
    """

    dataset: dict[str, Any]
    skipped: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def count(self, part: str) -> int:
        """Return how many items the dataset has in ``part`` (``"legs"``, ``"sites"``, ...)."""
        return len(self.dataset.get(part) or ())


# --- YAML --------------------------------------------------------------------------------

def _plain_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _statement(quantity: Quantity) -> int | float | str | None:
    """Return a quantity's figure or text form, or ``None`` if the text would not read back."""
    if quantity.qualifier == "exact" and not quantity.is_range:
        return _plain_number(quantity.low)
    text = quantity.text()
    try:
        same = parse_quantity(text, quantity.scope) == quantity
    except ValueError:
        same = False
    return text if same else None


def quantity_fields(quantity: Quantity) -> dict[str, Any]:
    """Return a quantity as dataset fields: ``value`` (a figure or text) or ``min``/``max``.

    The text form (``"about 300"``) is used where it reads back exactly, the
    numbers (with ``qualifier``) otherwise, e.g. for ``1e-07``.

    Parameters
    ----------
    quantity
        The quantity; its scope is left out.

    Returns
    -------
    dict
        Fields of an estimate, or of a leg's volume mapping.
    """
    statement = _statement(quantity)
    if statement is not None:
        return {"value": statement}
    figures = {"min": _plain_number(quantity.low), "max": _plain_number(quantity.high)}
    return {**figures, **({"qualifier": quantity.qualifier}
                          if quantity.qualifier != "exact" else {})}


def volume_yaml(quantity: Quantity) -> Any:
    """Return a leg's volume in the dataset's shortest form that reads back the same.

    Examples
    --------
    >>> volume_yaml(Quantity.of(300, "about", "total"))
    {'value': 'about 300', 'scope': 'total'}
    >>> volume_yaml(Quantity(300, 400))
    '300-400'
    """
    fields = quantity_fields(quantity)
    if quantity.scope != "shipment":
        fields["scope"] = quantity.scope
    return fields["value"] if list(fields) == ["value"] else fields


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    r"""Quote text that the YAML 1.2 core schema would read as something else (``1e3``).

    Text with a YAML 1.1 line break (U+0085, U+2028, U+2029) is double-quoted,
    so that the break is escaped (``\N``) rather than written as is and read
    back as a space.
    """
    style = _short_text_style(text) if len(text) <= 100 else _text_style(text)
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _text_style(text: str) -> str | None:
    """Return how to quote text: ``'"'`` for line breaks, ``"'"`` for what isn't text."""
    if _LINE_BREAKS.search(text):
        return '"'
    return None if isinstance(resolve_plain(text), str) else "'"


_short_text_style = functools.lru_cache(maxsize=1 << 16)(_text_style)
""":func:`_text_style`, remembered for short text: a dataset repeats its names and modes."""


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.SequenceNode:
    """Write a list of scalars on one line (``[a, b]``), any other list as a block."""
    flow = bool(items) and not any(isinstance(item, (dict, list)) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


@functools.cache
def _dumper() -> type[yaml.SafeDumper]:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: 3.5x faster

    class Dumper(base):  # type: ignore[valid-type,misc]
        """PyYAML's safe dumper, writing text that shiproute's YAML 1.2 reader reads back."""

    Dumper.add_representer(str, _represent_text)
    for kind in (list, YamlSeq):
        Dumper.add_representer(kind, _represent_list)
    Dumper.add_representer(YamlMap, yaml.SafeDumper.represent_dict)
    return Dumper


def dump_yaml(dataset: Mapping[str, Any]) -> str:
    """Return a dataset mapping as YAML text that shiproute's reader reads back unchanged.

    Each top-level key is written on its own, and a long list of mappings
    (legs) a few hundred items at a time, so that PyYAML's node tree never
    holds more than that: the text is the same as one ``yaml.dump`` of the
    whole.

    Parameters
    ----------
    dataset
        E.g. :attr:`Imported.dataset`.

    Returns
    -------
    str
        Block style, keys in order, Unicode kept, lists of scalars on one line.
    """
    parts = []
    with gc_paused():
        for key, value in dataset.items():
            if (isinstance(value, list) and len(value) > DUMP_ITEMS
                    and all(isinstance(item, dict) for item in value)):
                parts.append(_dump({key: value[:DUMP_ITEMS]}))
                parts.extend(_dump(value[start:start + DUMP_ITEMS])
                             for start in range(DUMP_ITEMS, len(value), DUMP_ITEMS))
            else:
                parts.append(_dump({key: value}))
    return "".join(parts)


def _dump(value: Any) -> str:
    import yaml

    return yaml.dump(value, Dumper=_dumper(), sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)


# --- reading spreadsheets ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Table:
    """The text of a spreadsheet's non-empty rows.

    Parameters
    ----------
    path
        The file, as named by the user.
    header
        The header row's cells.
    header_row
        The header's row number (1-based, as the spreadsheet shows it).
    rows
        (row number, cells) of every later non-empty row.
    """

    path: str
    header: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]

    def column_name(self, column: int) -> str:
        """Return the header of a 1-based column, or ``column N`` when it has none."""
        return self.header[column - 1] or f"column {column}"


def _fail(path: str, message: str, row: int = 0) -> DatasetError:
    where = f"row {row}: " if row else ""
    return DatasetError([Problem(path, 0, 0, f"{where}{message}")])


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a file import reads before it refuses the file.

    Each limit is checked before the part it bounds is read (or, for rows
    and cells, as soon as one is over), and each has its own error.

    Parameters
    ----------
    rows
        Most rows with text under the header, i.e. legs.
    columns
        Most cells in a row, up to the last one with text.
    cell
        Most characters in one cell.
    size
        Most bytes of the file (CSV, XLSX, GeoJSON), and most bytes an XLSX's
        parts inflate to, together.
    """

    rows: int = 200_000
    columns: int = 1_000
    cell: int = 100_000
    size: int = 200 * MB


LIMITS = Limits()
"""The default :class:`Limits`: 200,000 rows, 1,000 columns, 100,000 characters a cell, 200 MB."""


def _amount(size: int) -> str:
    """Return a byte count as ``"1.5 MB"`` from 1 MB up, else in bytes."""
    if size < MB:
        return f"{size:,} bytes"
    return f"{size / MB:,.1f} MB".replace(".0 MB", " MB")


def _too_big(path: str, size: str, limit: int) -> DatasetError:
    return _fail(path, f"the file has {size}, more than the {_amount(limit)} import reads; "
                       "split it into smaller files, or raise --max-mb")


def read_capped(path: Path, limit: int) -> bytes:
    """Return a regular file's bytes, refusing a bigger file before reading it.

    A FIFO, device, socket or directory is refused without waiting for it
    (see :func:`shiproute.files.read_bounded`).

    Parameters
    ----------
    path
        The file.
    limit
        Most bytes to read.

    Returns
    -------
    bytes

    Raises
    ------
    DatasetError
        If the file can't be read, is not a regular file or has more than
        ``limit`` bytes.
    """
    name = str(path)
    try:
        return read_bounded(path, limit)
    except NotRegularFileError as err:
        raise _fail(name, f"not a regular file ({err.kind}); give a CSV, XLSX or GeoJSON "
                          "file") from None
    except FileTooBigError as err:
        raise _too_big(name, _amount(err.size), limit) from None
    except OSError as err:
        raise _fail(name, f"can't read the file: {err.strerror or err}") from None


def _cell_text(value: Any) -> str:
    """Return an XLSX cell as text.

    A date-time at midnight is its day (``2023-09-12``), one with a time of
    day ISO 8601 to the second (``2023-09-12T14:30:00``; see :func:`_day`);
    ``300.0`` is ``300``; text loses a ``'`` that export put before a formula
    (:func:`~shiproute.routes.export.unguard`).
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unguard(str(value).strip()).strip()


def _column_letter(column: int) -> str:
    """Return a 1-based column's letters as a spreadsheet shows them (1 ``A``, 28 ``AB``)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- CSV --------------------------------------------------------------------------------------

def _delimiter(first_line: str) -> str:
    if "," not in first_line:
        for other in (";", "\t"):
            if other in first_line:
                return other
    return ","


def _csv_error(path: str, row: int, err: csv.Error, limits: Limits) -> DatasetError:
    """Return a CSV reader's error as one naming the row and saying how to fix it."""
    text = str(err)
    if text.startswith("field larger than field limit"):
        message = (f"a cell has more than {limits.cell:,} characters, the most import reads "
                   "in a cell; shorten it, or raise --max-cell")
    elif text == "unexpected end of data":
        message = ('a quote (") opens a cell here and is never closed; close it, and write a '
                   'quote inside a quoted cell as two ("")')
    elif " expected after " in text:
        message = ('text follows the closing quote of a quoted cell; put the whole cell in '
                   'quotes, and write a quote inside it as two ("")')
    else:
        message = f"can't read the CSV: {text}"
    return _fail(path, message, row)


def _csv_records(reader: Iterator[list[str]], path: str, limits: Limits
                 ) -> Iterator[tuple[int, list[str]]]:
    """Yield each record of a CSV reader with its row number, cells stripped and unguarded."""
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise _csv_error(path, number, err, limits) from None
        yield number, [unguard(cell.strip()).strip() for cell in cells]


def _lines(data: bytes, path: str) -> Iterator[str]:
    """Yield a CSV's lines as text, ends kept, each decoded on its own (no copy of the whole).

    A UTF-8 sequence never holds a CR or LF byte, so splitting the bytes
    there first is safe; a BOM at the start is dropped.
    """
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    for found in _LINE.finditer(data, start):
        try:
            yield found.group().decode("utf-8")
        except UnicodeDecodeError as err:
            raise _fail(path, f"not UTF-8 text ({err.reason} at byte "
                              f"{found.start() + err.start}); save it as CSV UTF-8") from None


def _csv_table(data: bytes, path: str, limits: Limits) -> list[tuple[int, tuple[str, ...]]]:
    """Return a CSV's non-empty rows (see :func:`_collect`).

    Python's CSV reader bounds a cell through one setting for the whole
    process: it is set to ``limits.cell`` while the file is read.
    """
    lines = _lines(data, path)
    first = next(lines, "")
    reader = csv.reader(itertools.chain([first], lines), delimiter=_delimiter(first),
                        strict=True)
    previous = csv.field_size_limit(limits.cell)
    try:
        return _collect(_csv_records(reader, path, limits), path, limits)
    finally:
        csv.field_size_limit(previous)


# --- XLSX -------------------------------------------------------------------------------------

class _Doctype(Exception):
    """An XML part declares a DOCTYPE."""


def _refuse_doctype(*_args: Any) -> None:
    raise _Doctype


def _parts(archive: zipfile.ZipFile, path: str, limits: Limits) -> list[zipfile.ZipInfo]:
    """Return the archive's parts, refusing them if they inflate to too much.

    The sizes come from the zip's directory; Python's zip reader never
    inflates a part past its stated size (it stops, and the CRC check fails).
    """
    parts = archive.infolist()
    inflated = sum(part.file_size for part in parts)
    if inflated > limits.size:
        raise _fail(path, f"the workbook inflates to {_amount(inflated)}, more than the "
                          f"{_amount(limits.size)} import reads; split it into smaller "
                          "workbooks, or raise --max-mb")
    return parts


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, path: str) -> bool:
    """Refuse a part that declares a DOCTYPE; return whether it holds a formula.

    The XML parser (expat, as openpyxl's) stops at the DOCTYPE, before any
    entity is declared, let alone expanded. A part that is not XML stops the
    scan at its first error, where openpyxl's parser would stop too.
    """
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    formula, tail = False, b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            formula = formula or _FORMULA.search(tail + chunk) is not None
            tail = chunk[-32:]
            try:
                parser.Parse(chunk, False)
            except _Doctype:
                raise _fail(path, f"its part '{part.filename}' declares a DOCTYPE, which "
                                  "spreadsheet programs never write and which could expand "
                                  "XML entities without end or read other files; save the "
                                  "workbook again from a spreadsheet program") from None
            except xml.parsers.expat.ExpatError:
                break
    return formula


def check_workbook(data: bytes, path: str, limits: Limits = LIMITS) -> bool:
    """Check an XLSX before openpyxl reads it; return whether any part holds a formula.

    Parameters
    ----------
    data
        The file's bytes.
    path
        The file, for messages.
    limits
        ``size`` bounds the parts once inflated.

    Returns
    -------
    bool
        Whether a part has a formula element (``<f>``), so that the values
        saved with formulas need checking.

    Raises
    ------
    DatasetError
        If the file is not a zip archive, has over :data:`MAX_PARTS` parts,
        inflates past ``limits.size``, or a part declares a DOCTYPE.
    """
    if data.count(_CENTRAL_ENTRY) > MAX_PARTS:  # each part's entry starts so: read none
        raise _fail(path, f"the workbook has more than {MAX_PARTS:,} parts, the most import "
                          "reads; save it again from a spreadsheet program")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = _parts(archive, path, limits)
            return any([_scan_part(archive, part, path) for part in parts])
    except DatasetError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError, zlib.error) as err:
        if isinstance(err, zipfile.BadZipFile) and str(err) == "File is not a zip file":
            raise _fail(path, "not an XLSX workbook (not a zip archive); save it as .xlsx "
                              "from a spreadsheet program, or as CSV") from None
        raise _unreadable(path, err) from None


def _unreadable(path: str, err: BaseException) -> DatasetError:
    return _fail(path, f"can't read the workbook ({type(err).__name__}: {err}); save it again "
                       "from a spreadsheet program, or as CSV")


@functools.cache
def _workbook_errors() -> tuple[type[BaseException], ...]:
    """Return what openpyxl raises for a broken workbook; anything else is a bug, not caught."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (OSError, ValueError, LookupError, TypeError, AttributeError, ArithmeticError,
            SyntaxError, EOFError, NotImplementedError, RuntimeError, zipfile.BadZipFile,
            zlib.error, InvalidFileException)


def _book(data: bytes, path: str, *, values: bool) -> Any:
    """Open a workbook read-only: saved values of formulas if ``values``, else the formulas."""
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=values)
    except _workbook_errors() as err:
        raise _unreadable(path, err) from None


def _worksheet(book: Any, sheet: str | None, path: str) -> Any:
    """Return the named sheet, or the first worksheet; its rows read past its stated size."""
    if sheet is not None and sheet not in book.sheetnames:
        listed = ", ".join(book.sheetnames)
        raise _fail(path, f"no sheet '{sheet}'{did_you_mean(sheet, book.sheetnames)}; "
                          f"sheets: {listed}")
    found: Any = book[sheet] if sheet is not None else next(iter(book.worksheets), None)
    if found is None:
        raise _fail(path, "the workbook has no sheet with rows, only charts; put the legs in "
                          "a sheet")
    if not hasattr(found, "reset_dimensions"):
        names = ", ".join(s.title for s in book.worksheets)
        raise _fail(path, f"sheet '{sheet}' is a chart, not rows of legs; sheets with rows: "
                          f"{names}")
    found.reset_dimensions()   # a <dimension> that understates the rows must not hide any
    return found


def _pulled(rows: Iterator[Any], path: str) -> Iterator[Any]:
    """Yield what openpyxl's row iterator yields, its errors as ours."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _workbook_errors() as err:
            raise _unreadable(path, err) from None
        yield row


@dataclass
class _Formulas:
    """Cells with a formula but no saved value: (row, column, formula), and how many."""

    first: tuple[int, int, str] | None = None
    count: int = 0

    def check(self, number: int, values: tuple[Any, ...], formulas: tuple[Any, ...]) -> None:
        for column, (value, formula) in enumerate(zip(values, formulas, strict=False), 1):
            if value is None and formula is not None:
                self.count += 1
                self.first = self.first or (number, column, str(getattr(formula, "text", formula)))

    def error(self, path: str) -> DatasetError:
        assert self.first is not None
        row, column, formula = self.first
        others = self.count - 1
        also = {0: "", 1: " (and so does 1 other cell)"}.get(
            others, f" (and so do {others:,} other cells)")
        return _fail(path, f"cell {_column_letter(column)}{row} has the formula "
                           f"{shorten(formula)} but no value saved with it{also}; open the "
                           "workbook in a spreadsheet program and save it, so that it stores "
                           "the values", row)


def _xlsx_records(values: Iterator[tuple[Any, ...]], formulas: Iterator[tuple[Any, ...]] | None,
                  found: _Formulas, path: str, limits: Limits
                  ) -> Iterator[tuple[int, list[str]]]:
    """Yield each row's number and cells as text, checking width, length and formulas."""
    for number, row in enumerate(values, start=1):
        if number > EXCEL_ROWS:
            raise _fail(path, f"the sheet goes past row {EXCEL_ROWS:,}, the last a workbook can "
                              "have; save it again from a spreadsheet program")
        if formulas is not None:
            formula_row = next(formulas, ())
            if None in row:
                found.check(number, row, formula_row)
        beyond = row[limits.columns:]
        if beyond.count(None) != len(beyond):
            raise _wide(path, number, limits)
        cells = [_cell_text(value) for value in row[:limits.columns]]
        for column, text in enumerate(cells, start=1):
            if len(text) > limits.cell:
                raise _fail(path, f"cell {_column_letter(column)}{number} has more than "
                                  f"{limits.cell:,} characters, the most import reads in a "
                                  "cell; shorten it, or raise --max-cell", number)
        yield number, cells


def _xlsx_table(data: bytes, path: str, sheet: str | None, limits: Limits
                ) -> list[tuple[int, tuple[str, ...]]]:
    """Return a workbook sheet's non-empty rows (see :func:`_collect`).

    Saved values are read; if the workbook has formulas, the sheet is read
    a second time for them, so that a formula without a saved value is an
    error naming its cell rather than an empty cell.
    """
    has_formulas = check_workbook(data, path, limits)
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        values_book = _book(data, path, values=True)
        stack.callback(values_book.close)
        rows = _pulled(_worksheet(values_book, sheet, path).iter_rows(values_only=True), path)
        formulas = None
        if has_formulas:
            formulas_book = _book(data, path, values=False)
            stack.callback(formulas_book.close)
            formulas = _pulled(_worksheet(formulas_book, sheet, path).iter_rows(
                values_only=True), path)
        found = _Formulas()
        table = _collect(_xlsx_records(rows, formulas, found, path, limits), path, limits)
    if found.count:
        raise found.error(path)
    return table


# --- both -------------------------------------------------------------------------------------

def _wide(path: str, row: int, limits: Limits) -> DatasetError:
    return _fail(path, f"the row has cells past column {_column_letter(limits.columns)} "
                       f"({limits.columns:,} columns), the most import reads; delete them, or "
                       "raise --max-columns",
                 row)


def _collect(records: Iterable[tuple[int, list[str]]], path: str, limits: Limits
             ) -> list[tuple[int, tuple[str, ...]]]:
    """Return the rows with text (header first), without their trailing empty cells.

    Raises
    ------
    DatasetError
        If a row is wider than ``limits.columns``, or there are more than
        ``limits.rows`` rows under the header.
    """
    found: list[tuple[int, tuple[str, ...]]] = []
    for number, cells in records:
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) > limits.columns:
            raise _wide(path, number, limits)
        if len(found) > limits.rows:
            raise _fail(path, f"more than {limits.rows:,} rows under the header, the most "
                              "import reads; split the spreadsheet into smaller files, or raise "
                              "--max-rows", number)
        found.append((number, tuple(cells)))
    return found


def read_table(path: Path, sheet: str | None = None, *, limits: Limits = LIMITS) -> Table:
    """Read a CSV or XLSX file into text cells, keeping each row's number.

    Parameters
    ----------
    path
        ``.xlsx`` for a workbook; anything else is read as CSV (UTF-8, strict
        about quotes: a cell that opens a quote must close it).
    sheet
        The workbook's sheet; the first worksheet by default.
    limits
        What may be read (:class:`Limits`).

    Returns
    -------
    Table

    Raises
    ------
    DatasetError
        If the file can't be read, is over a limit, the sheet is missing, a
        formula has no saved value, or no row has text.
    """
    name = str(path)
    data = read_capped(path, limits.size)
    if path.suffix.lower() == ".xlsx":
        numbered = _xlsx_table(data, name, sheet, limits)
    else:
        numbered = _csv_table(data, name, limits)
    if not numbered:
        raise _fail(name, "empty spreadsheet; expected a header row and a row per leg")
    (header_row, header), *rows = numbered
    width = max(len(cells) for _number, cells in numbered)
    return Table(name, header + ("",) * (width - len(header)), header_row, tuple(rows))


# --- columns --------------------------------------------------------------------------------

def _key(header: str) -> str:
    return _SEPARATOR.sub("_", header.strip().casefold()).strip("_")


@functools.cache
def _lookup() -> dict[str, str]:
    found = {name: field for field, names in HEADERS.items() for name in names}
    return {**found, **dict.fromkeys(DERIVED, IGNORE)}


def parse_column_map(items: Iterable[str]) -> dict[str, str]:
    """Read ``COLUMN=FIELD`` pairs (``--map``) into normalised column -> field.

    Parameters
    ----------
    items
        E.g. ``["Ship=carrier", "Report date=attributes", "Notes 2=ignore"]``;
        FIELD is a leg field or a recognised header of one (see the module
        docstring), ``attributes`` or ``ignore``.

    Returns
    -------
    dict of str to str

    Raises
    ------
    ValueError
        If an item has no ``=`` or names no known field.
    """
    fields = (*HEADERS, ATTRIBUTES, IGNORE)
    mapping = {}
    for item in items:
        column, equals, target = item.rpartition("=")
        if not equals or not column.strip() or not target.strip():
            raise ValueError(f"'{item}' is not COLUMN=FIELD")
        chosen = _key(target)
        chosen = chosen if chosen in (ATTRIBUTES, IGNORE) else _lookup().get(chosen, chosen)
        if chosen not in fields:
            hint = did_you_mean(target, fields) or f"; fields: {', '.join(fields)}"
            raise ValueError(f"'{item}': unknown field '{target.strip()}'{hint}")
        mapping[_key(column)] = chosen
    return mapping


def _target(table: Table, column: int, columns: Mapping[str, str]) -> str:
    """Return what a 1-based column gives: a field, ``ignore`` or ``attributes.NAME``."""
    header, name = table.header[column - 1], table.column_name(column)
    chosen = columns.get(_key(header))
    if chosen == ATTRIBUTES:
        return f"{ATTRIBUTE_PREFIX}{name}"
    if chosen is not None:
        return chosen
    if name.casefold().startswith(ATTRIBUTE_PREFIX):
        return f"{ATTRIBUTE_PREFIX}{name[len(ATTRIBUTE_PREFIX):]}"
    return _lookup().get(_key(header), f"{ATTRIBUTE_PREFIX}{name}")


def _twice(table: Table, earlier: int, column: int, target: str) -> str:
    """Say that two columns give one field; the same header twice can only be renamed."""
    header, other = table.column_name(column), table.column_name(earlier)
    where = f"columns {_column_letter(earlier)} and {_column_letter(column)}"
    if header == other:
        return f"the header '{header}' is there twice ({where}); rename one, or delete it"
    if _key(header) == _key(other):
        return (f"the headers '{other}' and '{header}' ({where}) read as the same name; "
                "rename one, or delete it")
    return (f"columns '{other}' and '{header}' both give '{target}'; keep one, or map one "
            f"elsewhere with --map '{header}=attributes' (or =ignore)")


def _header_problems(table: Table, targets: list[str], columns: Mapping[str, str]
                     ) -> list[str]:
    keys = {_key(h) for h in table.header}
    listed = ", ".join(h for h in table.header if h)
    problems = [f"--map names column '{column}', which the header lacks; columns: {listed}"
                for column in columns if column not in keys]
    first: dict[str, int] = {}
    for column, target in enumerate(targets, start=1):
        if target == IGNORE:
            continue
        if target in first:
            problems.append(_twice(table, first[target], column, target))
        first.setdefault(target, column)
    for name in REQUIRED:
        if name not in first:
            known = ", ".join(HEADERS[name])
            problems.append(f"no column gives '{name}' (recognised headers: {known}); "
                            f"name yours with --map COLUMN={name}")
    return problems


def column_targets(table: Table, columns: Mapping[str, str]) -> list[str]:
    """Return what each column of the header gives (a field, ``ignore``, ``attributes.NAME``).

    Raises
    ------
    DatasetError
        With every problem of the header, naming its row.
    """
    targets = [_target(table, column, columns) for column in range(1, len(table.header) + 1)]
    problems = _header_problems(table, targets, columns)
    if problems:
        raise DatasetError([Problem(table.path, 0, 0, f"row {table.header_row}: {message}")
                            for message in problems])
    return targets


# --- rows --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Row:
    """One row's non-empty cells: field -> (text, 1-based column)."""

    number: int
    cells: dict[str, tuple[str, int]]

    def text(self, name: str) -> str | None:
        cell = self.cells.get(name)
        return cell[0] if cell else None

    def column(self, name: str) -> int:
        cell = self.cells.get(name)
        return cell[1] if cell else 0


def _rows(table: Table, targets: list[str]) -> list[_Row]:
    """Return each row's non-empty cells by what their column gives."""
    return [_Row(number, {target: (text, column) for column, (target, text)
                          in enumerate(zip(targets, cells, strict=False), start=1)
                          if text and target != IGNORE})
            for number, cells in table.rows]


def _marked(row: int, items: Iterable[tuple[str, Any, int]]) -> YamlMap:
    """Return a mapping whose values carry (row, column) positions for the dataset reader."""
    mapping = YamlMap((row, 0))
    for key, value, column in items:
        mapping[key] = value
        mapping.key_marks[key] = mapping.value_marks[key] = (row, column)
    return mapping


def _slug(name: str) -> str:
    return _SLUG.sub("-", name.casefold()).strip("-_") or "site"


@dataclass
class _Places:
    """The sites that rows define by coordinates, and the problems the rows have.

    Parameters
    ----------
    gazetteer
        The sites names resolve to.
    problems
        Problems found here, at (row, column).
    sites
        Site id to (site, its dataset mapping, the row that defined it).
    ids
        (row, end) to the id of the site the row's coordinates give.
    warnings
        (row, message).
    derived
        (row, site id, country, end) of the sites whose country comes from
        Natural Earth, for :func:`_country_warnings`.
    failed
        (row, column) of place cells whose coordinates failed; the dataset
        reader's problems there repeat what is already reported.
    local
        The sites defined so far as a gazetteer; built on first use, once
        every row has been added.
    resolved, countries
        What place names and positions gave, remembered for the next row.
    """

    gazetteer: Gazetteer
    problems: Problems
    sites: dict[str, tuple[Site, YamlMap, int]] = field(default_factory=dict)
    ids: dict[tuple[int, str], str] = field(default_factory=dict)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    derived: list[tuple[int, str, str, str]] = field(default_factory=list)
    failed: set[tuple[int, int]] = field(default_factory=set)
    local: Gazetteer | None = None
    resolved: dict[str, Site | None] = field(default_factory=dict)
    countries: dict[tuple[float, float], str] = field(default_factory=dict)

    def add(self, row: _Row, end: str) -> None:
        """Take the site of one end of a row from its coordinates, if the row gives them."""
        lat, lon = row.cells.get(f"{end}_lat"), row.cells.get(f"{end}_lon")
        place = row.text(end)
        if (lat is None and lon is None) or place is None:
            return
        if lat is None or lon is None:
            given = lat or lon
            assert given is not None
            self.problems.add((row.number, given[1]),
                              f"give '{end}_lat' and '{end}_lon' together, or neither")
            return
        position = self._position(row, end)
        if position is None:
            self.failed.add((row.number, row.column(end)))
            return
        known = self._resolve(place)
        if known is not None and (rounded(known.lat), rounded(known.lon)) == position:
            self.ids[(row.number, end)] = known.id
        else:
            self._define(row, end, known.id if known is not None else _slug(place), position)

    def _resolve(self, place: str) -> Site | None:
        """Return the one site ``place`` names in the gazetteer, else ``None`` (remembered)."""
        if place not in self.resolved:
            found = self.gazetteer.matches(place)
            self.resolved[place] = found[0] if len(found) == 1 else None
        return self.resolved[place]

    def _country(self, position: tuple[float, float]) -> str:
        """Return the Natural Earth country of a position (remembered)."""
        if position not in self.countries:
            from shiproute.gazetteer.earth import country_at

            self.countries[position] = country_at(*position)
        return self.countries[position]

    def _position(self, row: _Row, end: str) -> tuple[float, float] | None:
        found = []
        for axis, limit in (("lat", 90), ("lon", 180)):
            text, column = row.cells[f"{end}_{axis}"]
            try:
                value = float(text.replace(",", "."))
            except ValueError:
                value = math.nan
            if -limit <= value <= limit:
                found.append(rounded(value))
            else:
                self.problems.add((row.number, column), f"'{text}' is not a {axis}itude: give "
                                                        f"decimal degrees, -{limit} to {limit}")
        return (found[0], found[1]) if len(found) == 2 else None

    def _define(self, row: _Row, end: str, site_id: str, position: tuple[float, float]
                ) -> None:
        lat_column = row.column(f"{end}_lat")
        country = row.cells.get(f"{end}_country") or (self._country(position), lat_column)
        if not country[0]:
            self.problems.add((row.number, lat_column),
                              f"({position[0]:g}, {position[1]:g}) lies in no country; give "
                              f"its ISO code in a '{end}_country' column")
            self.failed.add((row.number, row.column(end)))
            return
        name = row.cells.get(f"{end}_name") or row.cells[end]
        kind = row.cells.get(f"{end}_kind") or ("other", row.column(end))
        mapping = _marked(row.number, [("name", *name), ("kind", *kind), ("country", *country),
                                       ("lat", position[0], lat_column),
                                       ("lon", position[1], row.column(f"{end}_lon"))])
        site = parse_site(site_id, mapping, (row.number, row.column(end)), self.problems)
        if site is None:
            self.failed.add((row.number, row.column(end)))
            return
        self._keep(row, end, site, mapping, derived=f"{end}_country" not in row.cells)

    def _keep(self, row: _Row, end: str, site: Site, mapping: YamlMap, *, derived: bool
              ) -> None:
        earlier = self.sites.get(site.id)
        if earlier is not None and earlier[0] != site:
            self.problems.add((row.number, row.column(f"{end}_lat")),
                              f"site '{site.id}' is {_describe(site)} here but "
                              f"{_describe(earlier[0])} in row {earlier[2]}; give one per place")
            self.failed.add((row.number, row.column(end)))
            return
        self.ids[(row.number, end)] = site.id
        if earlier is not None:
            return
        self.sites[site.id] = (site, mapping, row.number)
        if site.id in self.gazetteer:
            self.warnings.append((row.number, f"site '{site.id}' is {_describe(site)}; it "
                                              "replaces the gazetteer's, "
                                              f"{_describe(self.gazetteer[site.id])}"))
        if derived:
            self.derived.append((row.number, site.id, site.country, end))

    def local_id(self, name: str) -> str:
        """Return the id of the one site defined by coordinates that ``name`` names, else it.

        An exact id of the gazetteer stays as it is, as the dataset reader
        resolves ids before names.
        """
        if name in self.gazetteer:
            return name
        if self.local is None:
            self.local = Gazetteer({key: site for key, (site, _m, _r) in self.sites.items()})
        found = self.local.matches(name)
        return found[0].id if len(found) == 1 else name


def _describe(site: Site) -> str:
    return f"{site.name} at ({site.lat:g}, {site.lon:g}), {site.kind}, {site.country}"


def _volume(row: _Row) -> tuple[Any, int] | None:
    """Return a row's volume as the dataset writes it, with its column."""
    cell = row.cells.get("volume")
    if cell is None:
        return None
    text, column = cell
    qualifier, scope = row.text("qualifier"), row.text("scope")
    try:
        found = parse_quantity(text, scope or "shipment")  # type: ignore[arg-type]
        if qualifier is not None and qualifier != found.qualifier:
            if found.qualifier != "exact":
                raise ValueError("qualified twice")
            found = replace(found, qualifier=qualifier)  # type: ignore[arg-type]
    except ValueError:  # the dataset reader says what is wrong, at the right column
        items = [("value", text, column), ("qualifier", qualifier, row.column("qualifier")),
                 ("scope", scope, row.column("scope"))]
        return _marked(row.number, [item for item in items if item[1] is not None]), column
    return volume_yaml(found), column


def _place(row: _Row, end: str, places: _Places) -> tuple[Any, int] | None:
    cell = row.cells.get(end)
    if cell is None:
        return None
    site = places.ids.get((row.number, end)) or places.local_id(cell[0])
    reported = row.cells.get(f"{end}_reported_as")
    if reported is None:
        return site, cell[1]
    return _marked(row.number, [("site", site, cell[1]), ("reported_as", *reported)]), cell[1]


def _split(text: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{separators}]", text) if part.strip()]


def _day(text: str, mark: tuple[int, int], places: _Places) -> str:
    """Return a date cell, a date-time as its day, with a warning if it has a time of day.

    Spreadsheets write dates as ``2023-09-12 00:00:00`` or ``2023-09-12T14:30``
    (XLSX date cells come as such text, see :func:`_cell_text`); a dataset
    date is at most a day.
    """
    found = _DATE_TIME.fullmatch(text)
    if found is None:
        return text
    day, time = found.groups()
    if time.strip("0:."):
        places.problems.add(mark, f"'{text}' has a time of day, which a dataset date can't "
                                  f"hold; the day, {day}, is kept", "warning")
    return day


def _field(row: _Row, name: str, places: _Places) -> tuple[Any, int] | None:
    """Return one leg field of a row as the dataset writes it, with its column."""
    if name in ("from", "to"):
        return _place(row, name, places)
    if name == "volume":
        return _volume(row)
    cell = row.cells.get(name)
    if cell is None:
        return None
    text, column = cell
    if name in ("depart", "arrive"):
        return _day(text, (row.number, column), places), column
    if name == "sources":
        return _split(text, ";"), column
    if name == "via":
        return [places.local_id(site) for site in _split(text, ";,")], column
    return (_split(text, ";,") if name == "countries" else text), column


def _leg(row: _Row, places: _Places, leg_id: str | None) -> YamlMap:
    """Return a row as a dataset leg whose values carry their (row, column)."""
    items: list[tuple[str, Any, int]] = []
    if leg_id is not None:
        items.append(("id", leg_id, row.column("id")))
    for name in ("from", "to", "via", "mode", "depart", "arrive", "volume", "unit", "carrier",
                 "sources", "basis", "reasoning", "countries", "note"):
        if (found := _field(row, name, places)) is not None:
            items.append((name, *found))
    attributes = [(target[len(ATTRIBUTE_PREFIX):], text, column)
                  for target, (text, column) in row.cells.items()
                  if target.startswith(ATTRIBUTE_PREFIX)]
    if attributes:
        items.append((ATTRIBUTES, _marked(row.number, attributes), attributes[0][2]))
    return _marked(row.number, items)


def _legs(rows: list[_Row], places: _Places) -> list[YamlMap]:
    """Return every row as a leg; a repeated leg id is a problem of the later row."""
    first: dict[str, int] = {}
    legs = []
    for row in rows:
        leg_id = row.text("id")
        if leg_id is not None and leg_id in first:
            places.problems.add((row.number, row.column("id")),
                                f"duplicate leg id '{leg_id}' (first in row {first[leg_id]})")
            leg_id = None
        elif leg_id is not None:
            first[leg_id] = row.number
        legs.append(_leg(row, places, leg_id))
    return legs


def _hint(target: str, message: str) -> str:
    if target in ("from", "to") and "Unknown place '" in message:
        return (f"{message} Or give its position in '{target}_lat' and '{target}_lon' "
                f"columns ('{target}_country' and '{target}_kind' are optional).")
    return message


def _located(problem: Problem, table: Table, targets: list[str],
             prefixes: Mapping[int, tuple[str, ...]]) -> Problem:
    """Return a problem found at (row, column) as one whose message names both."""
    if not problem.line:
        return problem
    message = problem.message
    for prefix in prefixes.get(problem.line, ()):
        message = message.removeprefix(prefix)
    where = f"row {problem.line}"
    if problem.column:
        message = _hint(targets[problem.column - 1], message)
        where += f", column '{table.column_name(problem.column)}'"
    return Problem(table.path, 0, 0, f"{where}: {message}", problem.severity)


def _document(title: str, sites: Mapping[str, YamlMap], legs: list[YamlMap]
              ) -> dict[str, Any]:
    """Return the dataset of some legs: the sites they use of ``sites``, their sources."""
    used = {_site_of(leg.get(end)) for leg in legs for end in ("from", "to")}
    used.update(site for leg in legs for site in leg.get("via", ()))
    cited = dict.fromkeys(source for leg in legs for source in leg.get("sources", ()))
    sequence = YamlSeq((0, 0))
    sequence.extend(legs)
    sequence.item_marks.extend(leg.mark for leg in legs)
    chosen = YamlMap((0, 0))
    for key, mapping in sites.items():
        if key in used:
            chosen[key] = mapping
            chosen.key_marks[key] = chosen.value_marks[key] = mapping.value_marks["name"]
    document: dict[str, Any] = {
        "title": title,
        "sites": chosen,
        "sources": {source: {"title": source} for source in cited},
        "legs": sequence,
    }
    return {key: value for key, value in document.items() if value or key == "legs"}


def _site_of(place: Any) -> Any:
    return place.get("site") if isinstance(place, dict) else place


def _row_problems(table: Table, places: _Places, legs: list[YamlMap], gazetteer: Gazetteer
                  ) -> list[Problem]:
    """Return every problem of the rows at (row, column), in row order."""
    sites = {key: mapping for key, (_site, mapping, _row) in places.sites.items()}
    _dataset, found = parse_value(_document(table.path, sites, legs), (), table.path,
                                  gazetteer)
    fresh = [p for p in found if (p.line, p.column) not in places.failed]
    return sorted([*places.problems, *fresh], key=lambda p: (p.line, p.column))


FOLDED = 3
"""Sites named one by one in a warning about countries taken from Natural Earth."""


def _country_warnings(derived: list[tuple[int, str, str, str]]) -> list[tuple[int, str]]:
    """Warn of the sites whose country comes from Natural Earth: each, or a few and a count.

    Parameters
    ----------
    derived
        (row, site id, country, end) of each such site, in row order.
    """
    if len(derived) <= FOLDED:
        return [(row, f"site '{site}' lies in {country} by Natural Earth; give '{end}_country' "
                      "to say otherwise") for row, site, country, end in derived]
    countries = Counter(country for _row, _site, country, _end in derived)
    shown = ", ".join(f"{n} in {country}" for country, n in countries.most_common())
    named = ", ".join(f"'{site}'" for _row, site, _country, _end in derived[:FOLDED])
    columns = " or ".join(f"'{end}_country'" for end in sorted({d[3] for d in derived}))
    return [(derived[0][0], f"{len(derived)} sites got their country from Natural Earth by "
                            f"their positions ({shown}): {named} and {len(derived) - FOLDED} "
                            f"more, up to row {derived[-1][0]}; give {columns} to say "
                            "otherwise")]


def _warnings(table: Table, places: _Places, document: Mapping[str, Any]
              ) -> tuple[Problem, ...]:
    rows = {leg.mark[0] for leg in document["legs"]}
    derived = _country_warnings([d for d in places.derived if d[0] in rows])
    found = [Problem(table.path, 0, 0, f"row {row}: {message}", "warning")
             for row, message in sorted([*places.warnings, *derived], key=lambda w: w[0])
             if row in rows]
    if document.get("sources"):
        listed = ", ".join(document["sources"])
        found.append(Problem(table.path, 0, 0, (
            f"sources were made with their id as title ({listed}): a spreadsheet has no "
            "citations; give each its title, publisher and date under 'sources:'"), "warning"))
    return tuple(found)


def import_legs(path: Path, gazetteer: Gazetteer, *, sheet: str | None = None,
                skip_bad: bool = False, title: str | None = None,
                columns: Mapping[str, str] | None = None, limits: Limits = LIMITS
                ) -> Imported:
    """Turn a spreadsheet of legs into a dataset mapping, checking every row.

    Parameters
    ----------
    path
        CSV or XLSX file (see the module docstring for its columns).
    gazetteer
        Sites the rows may name.
    sheet
        XLSX sheet; the first by default.
    skip_bad
        Leave out the rows with problems (reported in :attr:`Imported.skipped`)
        instead of failing; the result may then have no legs.
    title
        Dataset title; the file name by default.
    columns
        Normalised column name to field (:func:`parse_column_map`).
    limits
        What may be read (:class:`Limits`).

    Returns
    -------
    Imported

    Raises
    ------
    DatasetError
        If the file can't be read or is over a limit (see :func:`read_table`),
        its header is unusable or has no row under it, or (unless
        ``skip_bad``) with every problem of every row.
    """
    table = read_table(path, sheet, limits=limits)
    targets = column_targets(table, columns or {})
    if not table.rows:
        raise _fail(table.path, "no rows under the header; give one leg per row",
                    table.header_row)
    rows = _rows(table, targets)
    places = _Places(gazetteer, Problems(table.path))
    for row in rows:
        for end in ("from", "to"):
            places.add(row, end)
    legs = _legs(rows, places)
    found = _row_problems(table, places, legs, gazetteer)
    prefixes = {leg.mark[0]: (f"leg {i}: ", *([f"leg '{leg['id']}': "] if "id" in leg else []))
                for i, leg in enumerate(legs, start=1)}
    errors = tuple(_located(p, table, targets, prefixes) for p in found if p.severity == "error")
    if errors and not skip_bad:
        raise DatasetError(errors)
    bad = {p.line for p in found if p.severity == "error"}
    sites = {key: mapping for key, (_site, mapping, _row) in places.sites.items()}
    document = _document(title or path.stem, sites,
                         [leg for leg in legs if leg.mark[0] not in bad])
    notes = tuple(_located(p, table, targets, prefixes) for p in found if p.severity != "error")
    return Imported(document, errors, notes + _warnings(table, places, document))


# --- GeoJSON -------------------------------------------------------------------------------

def _object(value: Any, what: str, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"{what} must be a JSON object, not {describe(value)}; import reads "
                          "the GeoJSON that 'shiproute export --format geojson' writes")
    return value


def _compact(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``mapping`` without its empty values (None, "", [] and {})."""
    return {key: value for key, value in mapping.items()
            if value is not None and value != "" and value != [] and value != {}}


def _when_text(value: Any) -> Any:
    """Return the dataset form of an exported date object (its ``text``, else ``iso``)."""
    if isinstance(value, dict):
        return value.get("text") or value.get("iso")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _quantity(low: Any, high: Any, qualifier: Any, scope: Any) -> Quantity | None:
    """Return the quantity of exported numbers, or ``None`` if they make none."""
    if not (_is_number(low) and _is_number(high)):
        return None
    try:
        return Quantity(float(low), float(high), qualifier, scope)
    except ValueError:
        return None


def _volume_from(properties: Mapping[str, Any]) -> Any:
    """Return a leg's volume from its numbers, or them as they are for the reader to judge."""
    fields = [properties.get(key) for key in ("volume_low", "volume_high", "qualifier", "scope")]
    if fields[0] is None and fields[1] is None:
        return None
    quantity = _quantity(*fields)
    if quantity is None:
        return _compact(dict(zip(("min", "max", "qualifier", "scope"), fields, strict=True)))
    return volume_yaml(quantity)


def _place_from(site: Any, reported_as: Any) -> Any:
    return {"site": site, "reported_as": reported_as} if reported_as else site


def _latlon(positions: Any) -> Any:
    """Return GeoJSON [lon, lat] positions as dataset [lat, lon] points (else as they are)."""
    if isinstance(positions, list) and all(isinstance(p, list) and len(p) >= 2
                                           for p in positions):
        return [[p[1], p[0]] for p in positions]
    return positions


def _basis(value: Any) -> Any:
    return None if value == "reported" else value


def _site_from(properties: Mapping[str, Any], position: Any) -> dict[str, Any]:
    lat, lon = properties.get("lat"), properties.get("lon")
    if isinstance(position, list) and len(position) >= 2:
        lon, lat = position[0], position[1]
    return _compact({"name": properties.get("name"), "kind": properties.get("kind"),
                     "country": properties.get("country"), "lat": lat, "lon": lon,
                     "aliases": properties.get("aliases"), "note": properties.get("note")})


def _leg_from(properties: Mapping[str, Any], positions: Any) -> dict[str, Any]:
    path = None
    if properties.get("drawn") is True:
        path = properties.get("path") or _latlon(positions)
    get = properties.get
    return _compact({
        "id": get("id"), "from": _place_from(get("from"), get("from_reported_as")),
        "to": _place_from(get("to"), get("to_reported_as")), "via": get("via"),
        "mode": get("mode"), "depart": get("depart"), "arrive": get("arrive"),
        "volume": _volume_from(properties), "unit": get("unit"), "carrier": get("carrier"),
        "sources": get("sources"), "basis": _basis(get("basis")), "reasoning": get("reasoning"),
        "countries": get("countries"), "path": path, "attributes": get("attributes"),
        "note": get("note"),
    })


def _source_from(source: Any) -> Any:
    if not isinstance(source, dict):
        return source
    return _compact({**source, "date": _when_text(source.get("date"))})


def _event_from(event: Any) -> Any:
    if not isinstance(event, dict):
        return event
    return _compact({"at": _place_from(event.get("site"), event.get("reported_as")),
                     "date": _when_text(event.get("date")), "what": event.get("what"),
                     "sources": event.get("sources"), "basis": _basis(event.get("basis")),
                     "reasoning": event.get("reasoning")})


def _estimate_from(estimate: Any) -> Any:
    if not isinstance(estimate, dict):
        return estimate
    volume = estimate.get("volume")
    volume = volume if isinstance(volume, dict) else {}
    quantity = _quantity(volume.get("low"), volume.get("high"), volume.get("qualifier"),
                         "total")
    fields = quantity_fields(quantity) if quantity is not None else _compact(
        {"min": volume.get("low"), "max": volume.get("high"),
         "qualifier": volume.get("qualifier")})
    return _compact({"date": _when_text(estimate.get("date")), **fields,
                     "unit": estimate.get("unit"), "period": _when_text(estimate.get("period")),
                     "claimant": estimate.get("claimant"), "sources": estimate.get("sources"),
                     "note": estimate.get("note")})


def _features(collection: Mapping[str, Any], path: str
              ) -> tuple[dict[Any, Any], list[dict[str, Any]], list[Problem]]:
    """Return the sites (by id) and legs of the features, and warnings about others."""
    features = collection.get("features")
    if not isinstance(features, list):
        raise _fail(path, f"'features' must be a list, not {describe(features)}")
    sites: dict[Any, Any] = {}
    legs = []
    warnings = []
    for number, feature in enumerate(features, start=1):
        what = f"feature {number}"
        properties = _object(_object(feature, what, path).get("properties"),
                             f"{what}: 'properties'", path)
        geometry = feature.get("geometry")
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        kind = properties.get("feature")
        if kind == "site":
            site_id = properties.get("id")
            if site_id in sites:
                raise _fail(path, f"{what}: site id '{site_id}' is used twice")
            sites[site_id] = _site_from(properties, coordinates)
        elif kind == "leg":
            legs.append(_leg_from(properties, coordinates))
        else:
            warnings.append(Problem(path, 0, 0, f"{what} is neither a site nor a leg "
                                                f"(its 'feature' is {kind!r}); left out",
                                    "warning"))
    return sites, legs, warnings


def _member(collection: Mapping[str, Any], path: str) -> dict[str, Any]:
    member = collection.get(FOREIGN_MEMBER)
    if member is None:
        raise _fail(path, f"no '{FOREIGN_MEMBER}' member: this is not the GeoJSON of "
                          "'shiproute export --format geojson'; import a spreadsheet of legs "
                          "(CSV or XLSX) instead")
    found = _object(member, f"'{FOREIGN_MEMBER}'", path)
    if found.get("format") != GEOJSON_FORMAT:
        raise _fail(path, f"'{FOREIGN_MEMBER}' format {found.get('format')!r} is not "
                          f"{GEOJSON_FORMAT}, the one this shiproute reads")
    return found


def _listed(member: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = member.get(key) or []
    if not isinstance(value, list):
        raise _fail(path, f"'{FOREIGN_MEMBER}': '{key}' must be a list, not {describe(value)}")
    return value


def geojson_dataset(collection: Any, path: str) -> tuple[dict[str, Any], list[Problem]]:
    """Return the dataset mapping of an exported FeatureCollection, and warnings.

    Parameters
    ----------
    collection
        The parsed JSON.
    path
        The file, for messages.

    Returns
    -------
    tuple
        The YAML-ready dataset mapping (not yet checked) and warnings about
        features that are neither sites nor legs.

    Raises
    ------
    DatasetError
        If the JSON is not shaped as :func:`~shiproute.routes.export.to_geojson` writes.
    """
    collection = _object(collection, "the file", path)
    member = _member(collection, path)
    sites, legs, warnings = _features(collection, path)
    sources = _object(member.get("sources") or {}, f"'{FOREIGN_MEMBER}': 'sources'", path)
    paths = _object(member.get("paths") or {}, f"'{FOREIGN_MEMBER}': 'paths'", path)
    document = _compact({
        "title": member.get("title"), "description": member.get("description"),
        "sites": sites, "sources": {key: _source_from(s) for key, s in sources.items()},
        "paths": {key: _latlon(points) for key, points in paths.items()}, "legs": legs,
        "events": [_event_from(e) for e in _listed(member, "events", path)],
        "estimates": [_estimate_from(e) for e in _listed(member, "estimates", path)],
    })
    return document, warnings


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(data: bytes, path: str) -> Any:
    """Return the JSON value of a file's bytes.

    Parameters
    ----------
    data
        UTF-8 text (a BOM is fine).
    path
        The file, for messages.

    Returns
    -------
    Any

    Raises
    ------
    DatasetError
        If it is not UTF-8, not JSON, uses ``NaN`` or ``Infinity`` (not JSON,
        though Python writes them), or nests too deep or has a number too long
        for Python to read.
    """
    try:
        return json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError as err:
        raise _fail(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise DatasetError([Problem(path, err.lineno, err.colno,
                                    f"not valid JSON: {err.msg}")]) from None
    except RecursionError:
        raise _fail(path, "not JSON that import reads: it nests lists or objects too deep; "
                          "import reads the GeoJSON that 'shiproute export --format geojson' "
                          "writes") from None
    except ValueError as err:  # NaN or Infinity, or an integer of too many digits
        found = str(err) if "digits" not in str(err) else (
            f"a number has more than {sys.get_int_max_str_digits():,} digits")
        raise _fail(path, f"not JSON that import reads: {found}") from None


def import_geojson(path: Path, *, limits: Limits = LIMITS) -> Imported:
    """Rebuild a dataset from the lossless GeoJSON of ``shiproute export``.

    Parameters
    ----------
    path
        The ``.geojson`` file.
    limits
        ``size`` bounds the file (:class:`Limits`).

    Returns
    -------
    Imported
        Its dataset has every site as its own ``sites:``, so it needs no
        gazetteer; the module docstring says what "equivalent" means.

    Raises
    ------
    DatasetError
        If the file is unreadable, over the size limit, not JSON (see
        :func:`parse_json`), not shaped as the export, or the dataset it
        describes has problems (each named).
    """
    name = str(path)
    collection = parse_json(read_capped(path, limits.size), name)
    document, warnings = geojson_dataset(collection, name)
    _dataset, problems = parse_value(document, (), name, Gazetteer({}))
    if any(p.severity == "error" for p in problems):
        raise DatasetError(problems)
    return Imported(document, (), (*warnings, *problems))


GEOJSON_SUFFIXES = (".geojson", ".json")


def import_file(path: Path, gazetteer: Gazetteer, *, sheet: str | None = None,
                skip_bad: bool = False, columns: Mapping[str, str] | None = None,
                limits: Limits = LIMITS) -> Imported:
    """Import a GeoJSON export (``.geojson``, ``.json``) or a spreadsheet of legs.

    Parameters
    ----------
    path
        The file; its suffix picks the reader (``.xlsx`` a workbook, any other
        a CSV).
    gazetteer
        Sites a spreadsheet's rows may name (a GeoJSON export has its own).
    sheet, skip_bad, columns
        For spreadsheets; see :func:`import_legs`.
    limits
        What may be read (:class:`Limits`); a GeoJSON export has only ``size``.

    Returns
    -------
    Imported

    Raises
    ------
    DatasetError
        See :func:`import_geojson` and :func:`import_legs`.
    """
    with gc_paused():
        if path.suffix.lower() in GEOJSON_SUFFIXES:
            return import_geojson(path, limits=limits)
        return import_legs(path, gazetteer, sheet=sheet, skip_bad=skip_bad, columns=columns,
                           limits=limits)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a dataset is built or written.

    Import and :func:`dump_yaml` make millions of small objects that form no
    cycles; the collector would walk them again and again (a third of the
    time of 100,000 rows). Reference counting still frees them, and the
    collector is back on afterwards if it was on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
