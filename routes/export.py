"""Export a routed dataset to GeoJSON, KML/KMZ, GeoPackage and CSV.

Every format carries the routed geometries and the same leg fields
(:data:`LEG_FIELDS`), so a column means the same thing everywhere:

- the ends: site ids, names, the names as the sources wrote them
  (``from_reported_as``), and each end's position, country and kind;
- dates twice over: ``depart`` as the dataset writes it (``2023-Q4``,
  ``../2023-09-12``), ``depart_iso`` in ISO 8601 (``2023-10/2023-12``, ``..``
  for an open end), ``depart_first``/``depart_last`` the first and last day it
  can mean (empty for an open end) and ``depart_precision`` (``day``,
  ``month``, ``year``, ``quarter``, ``half``, ``third``, ``span``, ``open``);
  the same for ``arrive``;
- the volume as the dataset writes it (``about 300``, ``300-400``) and as
  numbers: ``volume_low``, ``volume_high`` (equal for one figure),
  ``qualifier`` and ``scope`` (``shipment`` or ``total``);
- ``basis`` and ``reasoning``, source ids and the sources' full citations;
- the route: distance, what shaped it, its rule and flags, and whether the
  dataset drew it (``drawn``, with the ``paths:`` entry in ``path``);
- the leg's ``attributes``, one ``attributes.NAME`` column each in the flat
  formats.

GeoJSON keeps lists (sources, via, countries, flags, aliases) as lists and
``attributes`` as an object; CSV, KML and GeoPackage join lists with ``"; "``.
Every coordinate, in geometries and in columns, is rounded to
:data:`DECIMALS` decimals (about 0.1 m), so no float32 noise such as
``47.50400161743164`` reaches a file.

Safe to open
------------
- CSV and GeoPackage are what spreadsheets open, so their text cells are
  guarded against formula injection as OWASP advises: text that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'`` in
  front (``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``), which a
  spreadsheet shows as text and never evaluates (see :func:`formula_guard`).
  Numbers are left alone: a number column such as ``from_lon`` holds
  ``-3.5``, and text that is only a number (an attribute ``-12.5``) can't be
  a formula, so it is written as it is. ``guard=False`` (:func:`to_csv`,
  :func:`write_gpkg`) writes text exactly as the dataset has it.
  ``shiproute import`` takes such a ``'`` off again (:func:`unguard`), so a
  guarded CSV imports back unchanged. GeoJSON (the lossless format) and KML
  are not opened by spreadsheets and are never guarded.
- XML 1.0 can't carry most control characters: KML/KMZ text and names have
  each C0 control character other than tab, line feed and carriage return,
  and U+FFFE and U+FFFF, replaced by U+FFFD (the replacement character), so
  every KML parses.
- GeoPackage column names are quoted by GDAL, whatever they contain; two
  attribute columns whose names differ only in ASCII case (``Flag`` and
  ``flag``), which SQLite can't tell apart, are written as
  ``attributes.Flag`` and ``attributes.flag (2)``. GDAL reads a path with
  ``;``, ``!`` or ``?`` as a URI, so the file is written under a plain
  temporary name and then renamed (:func:`write_gpkg`).

The lossless export
-------------------
:func:`to_geojson` is the export that ``shiproute import`` reads back into an
equivalent dataset: an RFC 7946 FeatureCollection (lon/lat, no ``crs``) of a
Point feature per site (``"feature": "site"``: id, name, kind, country, lat,
lon, aliases, note, and its events as text) and a LineString feature per leg
(``"feature": "leg"``: the fields above; the geometry is the routed line, and
for a leg the dataset draws, its drawn points). What has no geometry is in the
foreign member ``"shiproute"``::

    {"format": 1, "title": ..., "description": ...,
     "sources": {id: {title, publisher, date, url, reliability, note}},
     "events": [{site, reported_as, date, what, sources, basis, reasoning}],
     "estimates": [{date, volume, unit, claimant, period, sources, note}],
     "paths": {name: [[lon, lat], ...]}}

Dates there are objects (``iso``, ``text``, ``precision``, ``first``,
``last``; see :meth:`When.to_json`) and quantities too (``low``, ``high``,
``qualifier``, ``scope``, ``min``, ``max``; see :meth:`Quantity.to_json`);
``paths`` holds the named ``paths:`` entries legs use, in GeoJSON's lon/lat
order. The round trip is exact for coordinates given to at most 6 decimals;
finer ones come back rounded to 6.
"""

from __future__ import annotations

from collections.abc import Sequence
import csv
import errno
import io
import json
import os
from pathlib import Path
import re
import shutil
import tempfile
from typing import TYPE_CHECKING, Any
import xml.etree.ElementTree as ET
import zipfile

from shiproute.gazetteer.model import Site
from shiproute.routes.dates import When
from shiproute.routes.model import (
    DECIMALS,
    Dataset,
    Estimate,
    Event,
    LatLon,
    Leg,
    Route,
    Source,
)
from shiproute.routes.quantity import Quantity
from shiproute.routes.routed import RoutedDataset

if TYPE_CHECKING:
    import geopandas

KML_NS = "http://www.opengis.net/kml/2.2"
KML_COLORS = {"sea": "ffb46f1f", "rail": "ff2e10c8", "road": "ff007be0", "air": "ff9a3d6a"}
GEOJSON_FORMAT = 1
"""Version of the ``"shiproute"`` foreign member of :func:`to_geojson`."""
FOREIGN_MEMBER = "shiproute"
"""Name of the GeoJSON foreign member that holds what has no geometry."""
ATTRIBUTE_PREFIX = "attributes."
"""Flat formats write a leg attribute NAME in the column ``attributes.NAME``."""
DATE_SUFFIXES = ("", "_iso", "_first", "_last", "_precision")
END_FIELDS = ("lat", "lon", "country", "kind")
LEG_FIELDS: tuple[str, ...] = (
    "id", "from", "to", "from_name", "to_name", "from_reported_as", "to_reported_as",
    *(f"from_{f}" for f in END_FIELDS), *(f"to_{f}" for f in END_FIELDS), "mode",
    *(f"depart{s}" for s in DATE_SUFFIXES), *(f"arrive{s}" for s in DATE_SUFFIXES),
    "volume", "volume_low", "volume_high", "qualifier", "scope", "unit", "carrier",
    "basis", "reasoning", "via", "countries", "sources", "citations", "note",
    "distance_km", "route_source", "route_rule", "flags", "drawn", "path",
)
"""The columns of a leg in every format, in order; flat formats add ``attributes.NAME``."""
SITE_FIELDS = ("id", "name", "kind", "country", "lat", "lon", "aliases", "note", "events")
"""The columns of a site in every format, in order."""
LIST_FIELDS = frozenset({"via", "countries", "sources", "flags", "aliases"})
NUMBER_FIELDS = frozenset({"from_lat", "from_lon", "to_lat", "to_lon", "volume_low",
                           "volume_high", "distance_km", "lat", "lon"})
DAY_FIELDS = frozenset(f"{end}_{day}" for end in ("depart", "arrive")
                       for day in ("first", "last"))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with one of these is a formula to a spreadsheet (OWASP, CSV injection)."""
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character XML 1.0 can't hold: C0 controls but tab, LF and CR; surrogates; U+FFFE/F."""
_URI_SIGNS = re.compile(r"[;!?#%]|\A//")
"""What makes pyogrio read a path as a URI (parameters, archive, query, host)."""


def formula_guard(value: Any) -> Any:
    """Return text a spreadsheet would run as a formula with ``'`` in front; else ``value``.

    Parameters
    ----------
    value
        A cell. Only text is guarded, and not text that is just a number.

    Returns
    -------
    Any
        ``value``, or ``"'" + value``.

    Examples
    --------
    >>> formula_guard("=1+1"), formula_guard("-2+3"), formula_guard("-12.5"), formula_guard(-3.5)
    ("'=1+1", "'-2+3", '-12.5', -3.5)
    """
    if isinstance(value, str) and needs_guard(value):
        return f"'{value}"
    return value


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (see :func:`formula_guard`)."""
    return text.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(text) is None


def unguard(text: str) -> str:
    """Return a cell without the ``'`` that :func:`formula_guard` put in front, if it has one.

    Examples
    --------
    >>> unguard("'=1+1"), unguard("'quoted'"), unguard("'-12.5")
    ('=1+1', "'quoted'", "'-12.5")
    """
    return text[1:] if text.startswith("'") and needs_guard(text[1:]) else text


def xml_text(text: str) -> str:
    """Return text with every character XML 1.0 can't hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def rounded(value: float) -> float:
    """Return a coordinate rounded to :data:`DECIMALS` decimals (never ``-0.0``)."""
    return round(value, DECIMALS) + 0.0


def coordinate_text(value: float) -> str:
    """Return a coordinate as plain decimal text with at most :data:`DECIMALS` decimals.

    Examples
    --------
    >>> coordinate_text(47.50400161743164), coordinate_text(-0.0000001)
    ('47.504002', '0')
    """
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def lonlat(points: Sequence[LatLon]) -> list[list[float]]:
    """Return (lat, lon) points as rounded GeoJSON ``[lon, lat]`` positions."""
    return [[rounded(lon), rounded(lat)] for lat, lon in points]


def citation(source: Source) -> str:
    """Return a source as one line: title, publisher, date, URL, reliability grade."""
    parts = [source.title, source.publisher, source.date.label() if source.date else None,
             source.url, f"reliability {source.reliability}" if source.reliability else None]
    return ", ".join(p for p in parts if p)


def _when_fields(prefix: str, when: When | None) -> dict[str, Any]:
    if when is None:
        return {f"{prefix}{suffix}": None for suffix in DATE_SUFFIXES}
    data = when.to_json()
    return {prefix: data["text"], f"{prefix}_iso": data["iso"], f"{prefix}_first": data["first"],
            f"{prefix}_last": data["last"], f"{prefix}_precision": data["precision"]}


def _volume_fields(volume: Quantity | None) -> dict[str, Any]:
    if volume is None:
        return dict.fromkeys(("volume", "volume_low", "volume_high", "qualifier", "scope"))
    return {"volume": volume.text(), "volume_low": volume.low, "volume_high": volume.high,
            "qualifier": volume.qualifier, "scope": volume.scope}


def _end_fields(prefix: str, site: Site, reported_as: str | None) -> dict[str, Any]:
    return {f"{prefix}_name": site.name, f"{prefix}_reported_as": reported_as,
            f"{prefix}_lat": rounded(site.lat), f"{prefix}_lon": rounded(site.lon),
            f"{prefix}_country": site.country, f"{prefix}_kind": site.kind}


def leg_record(dataset: Dataset, leg: Leg, route: Route) -> dict[str, Any]:
    """Return every field of one leg and its route, keyed by :data:`LEG_FIELDS`.

    Parameters
    ----------
    dataset
        The dataset the leg belongs to (for site names and citations).
    leg
        The leg.
    route
        Its route.

    Returns
    -------
    dict
        Lists stay lists, ``attributes`` is a dict; see :func:`flat_record`.
    """
    fields = {
        "id": leg.id, "from": leg.origin, "to": leg.destination,
        **_end_fields("from", dataset.sites[leg.origin], leg.origin_reported_as),
        **_end_fields("to", dataset.sites[leg.destination], leg.destination_reported_as),
        "mode": leg.mode, **_when_fields("depart", leg.depart),
        **_when_fields("arrive", leg.arrive), **_volume_fields(leg.volume),
        "unit": leg.unit, "carrier": leg.carrier, "basis": leg.basis,
        "reasoning": leg.reasoning, "via": list(leg.via), "countries": list(leg.countries),
        "sources": list(leg.sources),
        "citations": "; ".join(citation(dataset.sources[s]) for s in leg.sources),
        "note": leg.note, "distance_km": round(route.distance_km, 3),
        "route_source": route.source, "route_rule": route.rule, "flags": list(route.flags),
        "drawn": leg.path is not None, "path": leg.path_name,
    }
    return {**{key: fields[key] for key in LEG_FIELDS}, "attributes": dict(leg.attributes)}


def _event_line(event: Event) -> str:
    line = f"{event.date.text()}: {event.what} [{', '.join(event.sources)}]"
    return line + (f" (reported as {event.reported_as})" if event.reported_as else "")


def site_records(dataset: Dataset) -> list[dict[str, Any]]:
    """Return one record per site, keyed by :data:`SITE_FIELDS`, events as text lines."""
    events: dict[str, list[str]] = {}
    for event in sorted(dataset.events, key=lambda e: e.date.first):
        events.setdefault(event.site, []).append(_event_line(event))
    return [{"id": s.id, "name": s.name, "kind": s.kind, "country": s.country,
             "lat": rounded(s.lat), "lon": rounded(s.lon), "aliases": list(s.aliases),
             "note": s.note, "events": "\n".join(events.get(s.id, []))}
            for s in dataset.sites.values()]


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """Return a record for a flat format: lists joined by ``"; "``, attributes as columns."""
    flat = {key: "; ".join(value) if key in LIST_FIELDS else value
            for key, value in record.items() if key != "attributes"}
    for name, value in record.get("attributes", {}).items():
        flat[f"{ATTRIBUTE_PREFIX}{name}"] = value
    return flat


def attribute_columns(dataset: Dataset) -> list[str]:
    """Return the ``attributes.NAME`` columns of the dataset's legs, in first-seen order."""
    names = dict.fromkeys(name for leg in dataset.legs for name, _value in leg.attributes)
    return [f"{ATTRIBUTE_PREFIX}{name}" for name in names]


# --- GeoJSON -------------------------------------------------------------------------------

def _when_json(when: When | None) -> dict[str, object] | None:
    return when.to_json() if when is not None else None


def _source_json(source: Source) -> dict[str, Any]:
    return {"title": source.title, "publisher": source.publisher,
            "date": _when_json(source.date), "url": source.url,
            "reliability": source.reliability, "note": source.note}


def _event_json(event: Event) -> dict[str, Any]:
    return {"site": event.site, "reported_as": event.reported_as,
            "date": event.date.to_json(), "what": event.what, "sources": list(event.sources),
            "basis": event.basis, "reasoning": event.reasoning}


def _estimate_json(estimate: Estimate) -> dict[str, Any]:
    return {"date": estimate.date.to_json(), "volume": estimate.volume.to_json(),
            "unit": estimate.unit, "claimant": estimate.claimant,
            "period": _when_json(estimate.period), "sources": list(estimate.sources),
            "note": estimate.note}


def foreign_member(dataset: Dataset) -> dict[str, Any]:
    """Return the ``"shiproute"`` member: what the features can't carry.

    Parameters
    ----------
    dataset
        The dataset.

    Returns
    -------
    dict
        ``format``, ``title``, ``description``, ``sources`` (by id),
        ``events``, ``estimates`` and the named ``paths`` legs use (lon/lat).
    """
    paths = {leg.path_name: lonlat(leg.path) for leg in dataset.legs
             if leg.path_name is not None and leg.path is not None}
    return {"format": GEOJSON_FORMAT, "title": dataset.title,
            "description": dataset.description,
            "sources": {key: _source_json(s) for key, s in dataset.sources.items()},
            "events": [_event_json(e) for e in dataset.events],
            "estimates": [_estimate_json(e) for e in dataset.estimates], "paths": paths}


def to_geojson(routed: RoutedDataset) -> dict[str, Any]:
    """Return the lossless RFC 7946 FeatureCollection of sites and legs.

    See the module docstring for its layout; ``shiproute import`` rebuilds
    the dataset from it.

    Parameters
    ----------
    routed
        The routed dataset.

    Returns
    -------
    dict
        JSON-able: ``type``, the ``"shiproute"`` foreign member, ``features``.
    """
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": {"feature": "site", **r}} for r in site_records(routed.dataset)]
    for leg, route in routed.legs_with_routes():
        features.append({"type": "Feature",
                         "geometry": {"type": "LineString", "coordinates": lonlat(route.points)},
                         "properties": {"feature": "leg",
                                        **leg_record(routed.dataset, leg, route)}})
    return {"type": "FeatureCollection", FOREIGN_MEMBER: foreign_member(routed.dataset),
            "features": features}


def geojson_text(routed: RoutedDataset) -> str:
    """Return :func:`to_geojson` as JSON text (UTF-8 characters kept, no NaN)."""
    return json.dumps(to_geojson(routed), ensure_ascii=False, allow_nan=False)


# --- KML -----------------------------------------------------------------------------------

def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{KML_NS}}}{tag}")
    if text is not None:
        element.text = xml_text(text)
    return element


def time_span(leg: Leg) -> tuple[str | None, str | None]:
    """Return a leg's KML ``TimeSpan`` (begin, end), each ``None`` when unknown or open.

    The span is the leg's :attr:`~shiproute.routes.model.Leg.period`, each end
    at its precision: ``2023-Q4`` gives ``2023-10`` to ``2023-12``, ``early 2023-09``
    ``2023-09-01`` to ``2023-09-10``; an open end (``../2023-09-12``) leaves
    that side out.
    """
    period = leg.period
    if period is None:
        return None, None
    return (period.start.iso() if period.start is not None else None,
            period.end.iso() if period.end is not None else None)


def _kml_styles(document: ET.Element) -> None:
    for mode, color in KML_COLORS.items():
        style = _sub(document, "Style")
        style.set("id", f"mode-{mode}")
        line = _sub(style, "LineStyle")
        _sub(line, "color", color)
        _sub(line, "width", "3")


def _kml_data(placemark: ET.Element, record: dict[str, Any]) -> None:
    data = _sub(placemark, "ExtendedData")
    for key, value in flat_record(record).items():
        if value not in (None, ""):
            field = _sub(data, "Data")
            field.set("name", xml_text(key))
            _sub(field, "value", str(value))


def _kml_sites(document: ET.Element, dataset: Dataset) -> None:
    folder = _sub(document, "Folder")
    _sub(folder, "name", "Sites")
    for record in site_records(dataset):
        placemark = _sub(folder, "Placemark")
        _sub(placemark, "name", record["name"])
        description = f"{record['kind']}, {record['country']}. {record['note']}"
        if record["events"]:
            description += "\n\nEvents:\n" + record["events"]
        _sub(placemark, "description", description)
        _kml_data(placemark, record)
        point = _sub(placemark, "Point")
        _sub(point, "coordinates",
             f"{coordinate_text(record['lon'])},{coordinate_text(record['lat'])}")


def _kml_legs(document: ET.Element, routed: RoutedDataset) -> None:
    folder = _sub(document, "Folder")
    _sub(folder, "name", "Legs")
    for leg, route in routed.legs_with_routes():
        record = leg_record(routed.dataset, leg, route)
        placemark = _sub(folder, "Placemark")
        _sub(placemark, "name", f"{record['from_name']} -> {record['to_name']} ({leg.mode})")
        begin, end = time_span(leg)
        if begin or end:
            span = _sub(placemark, "TimeSpan")
            if begin:
                _sub(span, "begin", begin)
            if end:
                _sub(span, "end", end)
        _sub(placemark, "styleUrl", f"#mode-{leg.mode}")
        _kml_data(placemark, record)
        line = _sub(placemark, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates", " ".join(f"{coordinate_text(lon)},{coordinate_text(lat)}"
                                           for lat, lon in route.points))


def to_kml(routed: RoutedDataset) -> bytes:
    """Return a KML 2.2 document: site placemarks with their events, styled legs.

    Each dated leg has a ``TimeSpan`` for Google Earth's time slider (see
    :func:`time_span`; ``2023-09`` is a valid KML ``gYearMonth``), and every
    field in ``ExtendedData``. Text is escaped by the XML writer, and
    characters XML can't hold become U+FFFD (:func:`xml_text`).

    Parameters
    ----------
    routed
        The routed dataset.

    Returns
    -------
    bytes
        UTF-8 XML with its declaration.
    """
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{{{KML_NS}}}kml")
    document = _sub(kml, "Document")
    _sub(document, "name", routed.dataset.title)
    _kml_styles(document)
    _kml_sites(document, routed.dataset)
    _kml_legs(document, routed)
    return bytes(ET.tostring(kml, encoding="utf-8", xml_declaration=True))


def to_kmz(routed: RoutedDataset) -> bytes:
    """Return the KML zipped as KMZ (``doc.kml`` inside)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", to_kml(routed))
    return buffer.getvalue()


# --- CSV and GeoPackage --------------------------------------------------------------------

def wkt(points: Sequence[LatLon]) -> str:
    """Return a route as a WKT ``LINESTRING`` (lon lat, rounded)."""
    coords = ", ".join(f"{coordinate_text(lon)} {coordinate_text(lat)}" for lat, lon in points)
    return f"LINESTRING ({coords})"


def to_csv(routed: RoutedDataset, *, with_wkt: bool = False, guard: bool = True) -> str:
    """Return the legs as CSV, one row per leg.

    Parameters
    ----------
    routed
        The routed dataset.
    with_wkt
        Add a ``wkt`` column with each route as a ``LINESTRING``.
    guard
        Put ``'`` before text a spreadsheet would run as a formula
        (:func:`formula_guard`); ``False`` writes the text as it is.

    Returns
    -------
    str
        :data:`LEG_FIELDS`, then ``attributes.NAME`` columns, then ``wkt``.
    """
    out = io.StringIO()
    fields = [*LEG_FIELDS, *attribute_columns(routed.dataset), *(["wkt"] if with_wkt else [])]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for leg, route in routed.legs_with_routes():
        row = flat_record(leg_record(routed.dataset, leg, route))
        if with_wkt:
            row["wkt"] = wkt(route.points)
        writer.writerow(_guarded(row) if guard else row)
    return out.getvalue()


def _guarded(row: dict[str, Any]) -> dict[str, Any]:
    return {key: formula_guard(value) for key, value in row.items()}


def _frame(rows: list[dict[str, Any]], columns: dict[str, str], geometry: list[Any]
           ) -> geopandas.GeoDataFrame:
    """Return flat records as a typed GeoDataFrame (EPSG:4326) for a GeoPackage.

    ``columns`` maps each record key to its column name in the GeoPackage.
    """
    import geopandas as gpd
    import pandas as pd

    data: dict[str, Any] = {}
    for key, column in columns.items():
        values = [row.get(key) for row in rows]
        if key in NUMBER_FIELDS:
            data[column] = pd.array(values, dtype="Float64")
        elif key in DAY_FIELDS:
            data[column] = pd.to_datetime(pd.Series(values, dtype="string"))
        elif key == "drawn":
            data[column] = pd.array(values, dtype="boolean")
        else:
            data[column] = pd.array(values, dtype="string")
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")


def sqlite_names(names: list[str]) -> dict[str, str]:
    """Return each column name, renamed ``NAME (2)`` where SQLite would take it for an earlier one.

    SQLite compares column names ignoring ASCII case only (``Flag`` is
    ``flag``, ``Ä`` is not ``ä``). GDAL ends a name at a NUL character, so
    NUL becomes U+FFFD first.

    Examples
    --------
    >>> sqlite_names(["attributes.Flag", "attributes.flag", "attributes.FLAG (2)"])
    {'attributes.Flag': 'attributes.Flag', 'attributes.flag': 'attributes.flag (2)', \
'attributes.FLAG (2)': 'attributes.FLAG (2) (2)'}
    """
    taken: set[str] = set()
    found = {}
    for name in names:
        clean = name.replace("\0", "\ufffd")
        chosen, number = clean, 1
        while _ascii_lower(chosen) in taken:
            number += 1
            chosen = f"{clean} ({number})"
        taken.add(_ascii_lower(chosen))
        found[name] = chosen
    return found


def _sqlite_row(row: dict[str, Any], guard: bool) -> dict[str, Any]:
    """Return a record for GDAL: NUL (where GDAL would end the text) as U+FFFD, maybe guarded."""
    clean = {key: value.replace("\0", "\ufffd") if isinstance(value, str) else value
             for key, value in row.items()}
    return _guarded(clean) if guard else clean


def _ascii_lower(name: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in name)


def write_gpkg(routed: RoutedDataset, path: Path, *, guard: bool = True) -> None:
    """Write a GeoPackage with ``sites`` (points) and ``legs`` (lines) layers, EPSG:4326.

    The layers have the columns of the other formats (GeoPackage has no list
    type, so lists are joined by ``"; "``; see :func:`sqlite_names` for
    attribute names SQLite can't tell apart); numbers are real, the first and
    last days of dates are datetimes. A NUL character in text, where GDAL
    would end it, is written as U+FFFD. The file is written under a temporary
    name GDAL can't misread (:func:`gdal_safe_folder`), then moved to ``path``.

    Parameters
    ----------
    routed
        The routed dataset.
    path
        The file to write; replaced if it exists.
    guard
        Put ``'`` before text a spreadsheet would run as a formula
        (:func:`formula_guard`); ``False`` writes the text as it is.
    """
    import shapely

    dataset = routed.dataset
    sites = [flat_record(r) for r in site_records(dataset)]
    points = [shapely.Point(r["lon"], r["lat"]) for r in sites]
    legs = [flat_record(leg_record(dataset, leg, route))
            for leg, route in routed.legs_with_routes()]
    lines = [shapely.LineString(lonlat(route.points)) for _leg, route in
             routed.legs_with_routes()]
    sites, legs = [_sqlite_row(r, guard) for r in sites], [_sqlite_row(r, guard) for r in legs]
    leg_columns = sqlite_names([*LEG_FIELDS, *attribute_columns(dataset)])
    folder = Path(tempfile.mkdtemp(prefix=".shiproute-", dir=gdal_safe_folder(path)))
    try:
        written = folder / "export.gpkg"
        _frame(sites, sqlite_names(list(SITE_FIELDS)), points).to_file(
            written, layer="sites", driver="GPKG", engine="pyogrio")
        _frame(legs, leg_columns, lines).to_file(
            written, layer="legs", driver="GPKG", engine="pyogrio", mode="a")
        _move(written, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def gdal_safe_folder(path: Path) -> Path | None:
    """Return the folder of ``path`` if GDAL reads its name as a plain path, else ``None``.

    pyogrio reads a path as a URI: ``;`` starts parameters, ``!`` names an
    archive, ``?`` a query, a leading ``//`` a host. ``None`` stands for the
    system's temporary folder (see :func:`tempfile.mkdtemp`).
    """
    folder = path.absolute().parent
    return None if _URI_SIGNS.search(str(folder)) else folder


def _move(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, or copy it where they are on two file systems."""
    try:
        os.replace(source, target)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        shutil.copyfile(source, target)
