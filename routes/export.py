"""Export a routed dataset to GeoJSON, KML/KMZ, GeoPackage and CSV.

Every format carries the routed geometries and every attribute: dates at
their precision, volume, qualifier, unit, carrier, distance, route source,
rule and flags, source ids and full citations.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
import xml.etree.ElementTree as ET
import zipfile

from shiproute.routes.model import Dataset
from shiproute.routes.routed import RoutedDataset

KML_NS = "http://www.opengis.net/kml/2.2"
KML_COLORS = {"sea": "ffb46f1f", "rail": "ff2e10c8", "road": "ff007be0", "air": "ff9a3d6a"}
LEG_FIELDS = (
    "id", "from", "to", "from_name", "to_name", "mode", "depart", "arrive", "volume",
    "qualifier", "unit", "carrier", "distance_km", "route_source", "route_rule", "flags",
    "via", "countries", "sources", "citations", "note",
)


def _citation(dataset: Dataset, source_id: str) -> str:
    source = dataset.sources[source_id]
    parts = [source.title, source.publisher, source.date.label() if source.date else None,
             source.url, f"reliability {source.reliability}" if source.reliability else None]
    return ", ".join(p for p in parts if p)


def leg_records(routed: RoutedDataset) -> list[dict[str, Any]]:
    """Return one flat record per leg, in dataset order (see :data:`LEG_FIELDS`)."""
    dataset = routed.dataset
    records = []
    for leg, route in routed.legs_with_routes():
        records.append({
            "id": leg.id,
            "from": leg.origin,
            "to": leg.destination,
            "from_name": dataset.sites[leg.origin].name,
            "to_name": dataset.sites[leg.destination].name,
            "mode": leg.mode,
            "depart": leg.depart.iso() if leg.depart else None,
            "arrive": leg.arrive.iso() if leg.arrive else None,
            "volume": leg.volume.value if leg.volume else None,
            "qualifier": leg.volume.qualifier if leg.volume else None,
            "unit": leg.unit,
            "carrier": leg.carrier,
            "distance_km": round(route.distance_km, 3),
            "route_source": route.source,
            "route_rule": route.rule,
            "flags": "; ".join(route.flags),
            "via": ", ".join(leg.via),
            "countries": ", ".join(leg.countries),
            "sources": ", ".join(leg.sources),
            "citations": "; ".join(_citation(dataset, s) for s in leg.sources),
            "note": leg.note,
        })
    return records


def site_records(dataset: Dataset) -> list[dict[str, Any]]:
    """Return one flat record per site, with its events as text."""
    events: dict[str, list[str]] = {}
    for event in sorted(dataset.events, key=lambda e: e.date.first):
        events.setdefault(event.site, []).append(
            f"{event.date.iso()}: {event.what} [{', '.join(event.sources)}]")
    return [{"id": s.id, "name": s.name, "kind": s.kind, "country": s.country, "lat": s.lat,
             "lon": s.lon, "aliases": ", ".join(s.aliases), "note": s.note,
             "events": "\n".join(events.get(s.id, []))} for s in dataset.sites.values()]


def to_geojson(routed: RoutedDataset) -> dict[str, Any]:
    """Return an RFC 7946 FeatureCollection (lon/lat, no ``crs``) of sites and legs."""
    features = [{"type": "Feature", "geometry": {"type": "Point",
                                                 "coordinates": [r["lon"], r["lat"]]},
                 "properties": {"feature": "site", **r}} for r in site_records(routed.dataset)]
    for record in leg_records(routed):
        points = routed.route(record["id"]).points
        features.append({"type": "Feature",
                         "geometry": {"type": "LineString",
                                      "coordinates": [[lon, lat] for lat, lon in points]},
                         "properties": {"feature": "leg", **record}})
    return {"type": "FeatureCollection", "features": features}


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{KML_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def to_kml(routed: RoutedDataset) -> bytes:
    """Return a KML 2.2 document: styled legs with a ``TimeSpan`` each, and site placemarks.

    Google Earth's time slider uses the TimeSpans; dates keep their precision
    (``2023-09`` is a valid KML ``gYearMonth``). Text is escaped by the XML
    writer.
    """
    dataset = routed.dataset
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{{{KML_NS}}}kml")
    document = _sub(kml, "Document")
    _sub(document, "name", dataset.title)
    for mode, color in KML_COLORS.items():
        style = _sub(document, "Style")
        style.set("id", f"mode-{mode}")
        line = _sub(style, "LineStyle")
        _sub(line, "color", color)
        _sub(line, "width", "3")
    sites = _sub(document, "Folder")
    _sub(sites, "name", "Sites")
    for record in site_records(dataset):
        placemark = _sub(sites, "Placemark")
        _sub(placemark, "name", record["name"])
        description = f"{record['kind']}, {record['country']}. {record['note']}"
        if record["events"]:
            description += "\n\nEvents:\n" + record["events"]
        _sub(placemark, "description", description)
        point = _sub(placemark, "Point")
        _sub(point, "coordinates", f"{record['lon']},{record['lat']}")
    legs = _sub(document, "Folder")
    _sub(legs, "name", "Legs")
    for leg, record in zip(dataset.legs, leg_records(routed), strict=True):
        placemark = _sub(legs, "Placemark")
        _sub(placemark, "name", f"{record['from_name']} -> {record['to_name']} ({leg.mode})")
        start, end = leg.depart or leg.arrive, leg.arrive or leg.depart
        if start and end:
            span = _sub(placemark, "TimeSpan")
            _sub(span, "begin", start.start.iso())
            _sub(span, "end", end.end.iso())
        _sub(placemark, "styleUrl", f"#mode-{leg.mode}")
        data = _sub(placemark, "ExtendedData")
        for key, value in record.items():
            if value not in (None, ""):
                field = _sub(data, "Data")
                field.set("name", key)
                _sub(field, "value", str(value))
        line = _sub(placemark, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates",
             " ".join(f"{lon},{lat}" for lat, lon in routed.route(leg.id).points))
    return bytes(ET.tostring(kml, encoding="utf-8", xml_declaration=True))


def to_kmz(routed: RoutedDataset) -> bytes:
    """Return the KML zipped as KMZ (``doc.kml`` inside)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", to_kml(routed))
    return buffer.getvalue()


def to_csv(routed: RoutedDataset, *, wkt: bool = False) -> str:
    """Return the legs as CSV, one row per leg; ``wkt`` adds a LINESTRING column."""
    out = io.StringIO()
    fields = [*LEG_FIELDS, *(["wkt"] if wkt else [])]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in leg_records(routed):
        if wkt:
            coords = ", ".join(f"{lon} {lat}" for lat, lon in routed.route(record["id"]).points)
            record["wkt"] = f"LINESTRING ({coords})"
        writer.writerow(record)
    return out.getvalue()


def write_gpkg(routed: RoutedDataset, path: Path) -> None:
    """Write a GeoPackage with ``sites`` (points) and ``legs`` (lines) layers, EPSG:4326.

    The layers are :meth:`RoutedDataset.sites_frame` and
    :meth:`RoutedDataset.legs_frame`, with list columns joined into text
    (GeoPackage has no list type) and the sources' full citations added.
    """
    sites = _flat(routed.sites_frame())
    legs = _flat(routed.legs_frame())
    legs["citations"] = ["; ".join(_citation(routed.dataset, s) for s in leg.sources)
                         for leg in routed.dataset.legs]
    sites.reset_index().to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    legs.reset_index().to_file(path, layer="legs", driver="GPKG", engine="pyogrio", mode="a")


def _flat(frame: Any) -> Any:
    """Return a copy with list columns joined by ", " (GeoPackage has no list type)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and column != out.geometry.name:
            out[column] = [", ".join(map(str, v)) if isinstance(v, list) else v
                           for v in out[column]]
    return out


def geojson_text(routed: RoutedDataset) -> str:
    """Return :func:`to_geojson` as JSON text."""
    return json.dumps(to_geojson(routed), ensure_ascii=False)
