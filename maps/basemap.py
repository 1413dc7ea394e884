"""The offline basemap: the whole world at 1:110m, 1:10m detail around the data, lakes, labels.

Natural Earth 1:110m countries cover the globe, so a map never shows Ukraine
or Kazakhstan as sea outside the data's extent. Inside a box around the data
(the data's bounds plus a margin), 1:10m countries, borders and lakes give
coastlines faithful to regional zoom; a sea-coloured mask between the two
scales hides the coarse coast under the fine one. Countries get subtle fills
(neighbours differ), and the page receives label points for countries, seas
and oceans and major cities, which it shows by zoom and room. Everything is
simplified to what the zoom needs, and encoded as polylines (see
:mod:`shiproute.maps._encode`).
"""

from __future__ import annotations

from dataclasses import dataclass
import functools
from typing import Any

import shapely

from shiproute.gazetteer.earth import clip_to_box, load_earth
from shiproute.maps._encode import encode_path
from shiproute.maps.geodata import load_cities, load_lakes, load_sea_labels

MARGIN_FRACTION = 0.1  # the 10m box: the data's bounds plus this share of their size
MIN_MARGIN_DEG = 3.0
WORLD_LAKE_KM2 = 5_000.0  # lakes drawn outside the box (the coarse scale)
DETAIL_LAKE_KM2 = 200.0  # ... inside a box up to 10 x 10 degrees; larger boxes draw fewer
MAX_DETAIL_LAKE_KM2 = 1_500.0
MAX_CITIES = 250
WORLD_SCALE = 1_000  # units per degree of the encoded 1:110m world (~100 m)
DETAIL_SCALE = 10_000  # ... of the 1:10m detail and lakes (~10 m; the data is ~300 m)
FILLS = 5  # country fill classes; the page maps them to colours

Bounds = tuple[float, float, float, float]
"""(south, west, north, east) in degrees."""


@dataclass(frozen=True, slots=True)
class BasemapStats:
    """What went into a basemap, for the README's size report.

    Parameters
    ----------
    world_bytes, detail_bytes, lakes_bytes, labels_bytes
        Encoded size of each part in characters (= bytes: the encoding is ASCII).
    """

    world_bytes: int
    detail_bytes: int
    lakes_bytes: int
    labels_bytes: int


def detail_box(bounds: Bounds) -> Bounds:
    """Return the box drawn at 1:10m: ``bounds`` plus a margin, clipped to the world.

    Parameters
    ----------
    bounds
        (south, west, north, east) of the data.

    Returns
    -------
    tuple of float
        (south, west, north, east).
    """
    south, west, north, east = bounds
    pad_y = max((north - south) * MARGIN_FRACTION, MIN_MARGIN_DEG)
    pad_x = max((east - west) * MARGIN_FRACTION, MIN_MARGIN_DEG)
    return (max(south - pad_y, -85.0), max(west - pad_x, -180.0),
            min(north + pad_y, 85.0), min(east + pad_x, 180.0))


def _rings(polygon: shapely.Polygon, scale: int) -> list[str]:
    rings = (polygon.exterior, *polygon.interiors)
    return [encode_path([(lat, lon) for lon, lat in ring.coords], scale) for ring in rings]


def _polygons(geometry: Any) -> list[shapely.Polygon]:
    return [g for g in getattr(geometry, "geoms", [geometry])
            if isinstance(g, shapely.Polygon) and not g.is_empty]


@functools.cache
def _fill_classes() -> dict[str, int]:
    """Give each country (by name) a fill class so that neighbours differ (greedy colouring)."""
    earth = load_earth("110m")
    tree = earth.country_tree
    classes: dict[str, int] = {}
    order = sorted(range(len(earth.names)), key=lambda i: -earth.area_km2[i])
    for index in order:
        neighbours = tree.query(earth.countries[index], predicate="intersects")
        taken = {classes.get(earth.names[n]) for n in neighbours if n != index}
        classes[earth.names[index]] = next(c for c in range(FILLS + 8) if c not in taken) % FILLS
    return classes


def _countries(scale: str, box: Bounds, tolerance: float) -> dict[str, Any]:
    """Return country fills and borders: at 1:110m outside ``box``, at 1:10m inside it."""
    earth = load_earth(scale)  # type: ignore[arg-type]
    fills = _fill_classes()
    window = shapely.box(box[1], box[0], box[3], box[2])
    world = scale == "110m"
    encoding = WORLD_SCALE if world else DETAIL_SCALE

    def cut(geometry: Any) -> Any:
        return shapely.difference(geometry, window) if world else \
            clip_to_box(geometry, box[1], box[0], box[3], box[2])

    by_fill: list[list[list[str]]] = [[] for _ in range(FILLS)]
    indices = range(len(earth.countries)) if world else \
        earth.country_tree.query(window, predicate="intersects")
    for index in indices:
        shape = cut(earth.countries[index])
        if tolerance:
            shape = shape.simplify(tolerance)
        fill = fills.get(earth.names[index], int(index) % FILLS)
        by_fill[fill].extend(_rings(p, encoding) for p in _polygons(shape))
    lines = earth.borders if world else \
        earth.borders[shapely.STRtree(earth.borders).query(window)]
    borders = []
    for line in lines:
        shape = cut(line)
        if tolerance:
            shape = shape.simplify(tolerance)
        for part in getattr(shape, "geoms", [shape]):
            if isinstance(part, shapely.LineString) and len(part.coords) > 1:
                borders.append(encode_path([(lat, lon) for lon, lat in part.coords], encoding))
    return {"fills": by_fill, "borders": borders, "scale": encoding}


def _lakes(box: Bounds, tolerance: float) -> dict[str, Any]:
    """Return lakes: large ones anywhere, and inside ``box`` more, by the box's size."""
    lakes, areas = load_lakes()
    window = shapely.box(box[1], box[0], box[3], box[2])
    box_deg2 = (box[2] - box[0]) * (box[3] - box[1])
    threshold = min(max(DETAIL_LAKE_KM2, DETAIL_LAKE_KM2 * box_deg2 / 100), MAX_DETAIL_LAKE_KM2)
    out: list[list[str]] = []
    for lake, area in zip(lakes, areas, strict=True):
        inside = lake.intersects(window)
        if inside and area >= threshold:
            out.extend(_rings(p, DETAIL_SCALE) for p in _lake_parts(lake, 2 * tolerance))
        elif not inside and area >= WORLD_LAKE_KM2:
            out.extend(_rings(p, DETAIL_SCALE) for p in _lake_parts(lake, 0.1))
    return {"polygons": out, "scale": DETAIL_SCALE}


def _lake_parts(lake: Any, tolerance: float) -> list[shapely.Polygon]:
    """Simplify a lake, dropping islands and slivers too small to see at ``tolerance``."""
    smallest = (10 * tolerance) ** 2
    parts = []
    for polygon in _polygons(lake.simplify(tolerance)):
        if polygon.area < smallest:
            continue
        islands = [ring for ring in polygon.interiors if shapely.Polygon(ring).area >= smallest]
        parts.append(shapely.Polygon(polygon.exterior, islands))
    return parts


def _labels(box: Bounds) -> dict[str, dict[str, list[Any]]]:
    earth = load_earth("110m")
    countries: dict[str, list[Any]] = {
        "name": list(earth.names),
        "lat": [round(float(v), 3) for v in earth.label_lat],
        "lon": [round(float(v), 3) for v in earth.label_lon],
        "area": [round(float(v)) for v in earth.area_km2],
    }
    seas = load_sea_labels()
    south, west, north, east = box
    cities = [c for c in load_cities()
              if c.capital or (south <= c.lat <= north and west <= c.lon <= east)][:MAX_CITIES]
    return {
        "countries": countries,
        "seas": {"name": [s.name for s in seas], "lat": [s.lat for s in seas],
                 "lon": [s.lon for s in seas], "rank": [s.rank for s in seas]},
        "cities": {"name": [c.name for c in cities], "lat": [c.lat for c in cities],
                   "lon": [c.lon for c in cities], "population": [c.population for c in cities],
                   "capital": [int(c.capital) for c in cities]},
    }


def basemap(bounds: Bounds) -> dict[str, Any]:
    """Return the page's offline basemap for data within ``bounds``.

    Parameters
    ----------
    bounds
        (south, west, north, east) of the data, degrees.

    Returns
    -------
    dict
        ``box`` (the 1:10m box), ``world`` (outside the box) and ``detail``
        (inside it), each with ``fills`` (for each fill class a list of
        polygons, each a list of encoded rings), ``borders`` (encoded lines)
        and ``scale`` (the encoding's units per degree); ``lakes``
        (``polygons``, ``scale``) and ``labels`` (``countries``, ``seas``,
        ``cities`` as named columns).
    """
    box = detail_box(bounds)
    tolerance = max(box[2] - box[0], box[3] - box[1]) / 8000
    return {
        "box": list(box),
        "world": _countries("110m", box, 0.0),
        "detail": _countries("10m", box, tolerance),
        "lakes": _lakes(box, tolerance),
        "labels": _labels(box),
    }


def basemap_stats(page_basemap: dict[str, Any]) -> BasemapStats:
    """Measure the encoded parts of a basemap from :func:`basemap`.

    Parameters
    ----------
    page_basemap
        The result of :func:`basemap`.

    Returns
    -------
    BasemapStats
    """
    import json

    def size(value: Any) -> int:
        return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    return BasemapStats(size(page_basemap["world"]), size(page_basemap["detail"]),
                        size(page_basemap["lakes"]), size(page_basemap["labels"]))
