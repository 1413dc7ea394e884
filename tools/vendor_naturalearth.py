"""Re-create the Natural Earth data shipped in gazetteer/data/ from the npm package world-atlas.

world-atlas ships Natural Earth 1:10m and 1:110m countries and land as
TopoJSON with the antimeridian cuts removed ("geostitched"). Generic readers
(GDAL) turn the rings of Fiji, Chukotka and Antarctica into bands around the
globe, so this script decodes the arcs itself, re-cuts every ring at +/-180
degrees, closes rings around the South Pole, and writes compact arrays that
shapely rebuilds in milliseconds (``shapely.from_ragged_array``), one file per
scale. Each file also carries, per country, a label point (the pole of
inaccessibility of its largest part, ``shapely.ops.polylabel``) and the
country's geodesic area, so that a map can place names and choose the zoom at
which to show them.

Usage::

    python tools/vendor_naturalearth.py           # re-create the files
    python tools/vendor_naturalearth.py --check   # re-create in a temp dir, compare hashes

Needs ``npm`` (to fetch the package), numpy, shapely, pyproj and iso3166.
"""

from __future__ import annotations

import base64
from collections import Counter
import hashlib
import io
import json
from pathlib import Path
import subprocess
import sys
import tarfile
import tempfile

import iso3166
import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box
from shapely.ops import polylabel, unary_union

PACKAGE = "world-atlas@2.0.2"
INTEGRITY = (
    "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools._vendoring import run  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "gazetteer" / "data"
SCALES = ("10m", "110m")  # Natural Earth scales shipped, each from countries-<scale>.json
GRID = 1e-4  # degrees; stored coordinates are integers on this grid (~11 m)
LABEL_TOLERANCE = 0.05  # degrees; polylabel precision of the country label points
# Places Natural Earth draws without an ISO 3166 numeric code.
NO_NUMERIC = {"Kosovo": "XK"}
EXPECTED_LAND_KM2 = 146.8e6
# How far each scale's land area may stray from it (1:110m drops small islands).
LAND_TOLERANCE = {"10m": 0.01, "110m": 0.02}


def fetch(workdir: Path) -> dict[str, bytes]:
    """Download the npm package, verify its integrity, return its files."""
    result = subprocess.run(
        ["npm", "pack", PACKAGE, "--json", "--pack-destination", str(workdir)],
        check=True, capture_output=True, text=True,
    )
    info = json.loads(result.stdout)[0]
    tarball = (workdir / info["filename"]).read_bytes()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != INTEGRITY:
        sys.exit(f"{PACKAGE}: integrity mismatch: got {digest}, expected {INTEGRITY}")
    files = {}
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        names = [f"package/countries-{scale}.json" for scale in SCALES] + ["package/LICENSE"]
        for name in names:
            member = tar.extractfile(name)
            assert member is not None
            files[name.removeprefix("package/")] = member.read()
    return files


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Return every arc as an (n, 2) array of lon/lat degrees."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        xy = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0).astype(float)
        arcs.append(np.column_stack([xy[:, 0] * sx + tx, xy[:, 1] * sy + ty]))
    return arcs


def ring_coords(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Join arcs (negative index = reversed arc ~i) into one ring."""
    parts = []
    for n, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if n == 0 else arc[1:])
    return np.concatenate(parts)


def unwrap(ring: np.ndarray) -> np.ndarray:
    """Make longitudes continuous across the antimeridian; close polar rings."""
    lon, lat = ring[:, 0].copy(), ring[:, 1]
    steps = np.diff(lon)
    shift = np.concatenate([[0.0], np.cumsum(-360.0 * np.round(steps / 360.0))])
    lon = lon + shift
    out = np.column_stack([lon, lat])
    if abs(lon[-1] - lon[0]) > 180:  # goes once around the globe: encloses a pole
        pole = -90.0 if lat.mean() < 0 else 90.0
        out = np.vstack([out, [[lon[-1], pole], [lon[0], pole], out[0]]])
    return out


def cut(polygon: Polygon) -> list[Polygon]:
    """Split an unwrapped polygon at the antimeridian into parts within +/-180."""
    parts = []
    for k in (-1, 0, 1):
        window = box(-180 + 360 * k, -90, 180 + 360 * k, 90)
        piece = polygon.intersection(window)
        if piece.is_empty:
            continue
        piece = shapely.transform(piece, lambda xy, k=k: xy - [360.0 * k, 0.0])
        parts.extend(p for p in getattr(piece, "geoms", [piece]) if isinstance(p, Polygon))
    return parts


def polygons(geometry: dict, arcs: list[np.ndarray]) -> list[Polygon]:
    """Decode a TopoJSON Polygon or MultiPolygon into cut shapely polygons."""
    if geometry["type"] == "Polygon":
        rings_list = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        rings_list = geometry["arcs"]
    else:
        return []
    out = []
    for rings in rings_list:
        shell = unwrap(ring_coords(rings[0], arcs))
        if len(shell) < 4:
            continue  # an islet quantised to a point or a line
        centre = (shell[:, 0].min() + shell[:, 0].max()) / 2
        holes = []
        for hole_indices in rings[1:]:
            hole = unwrap(ring_coords(hole_indices, arcs))
            if len(hole) < 4:
                continue
            offset = 360.0 * np.round((centre - hole[:, 0].mean()) / 360.0)
            holes.append(hole + np.array([offset, 0.0]))
        polygon = shapely.make_valid(Polygon(shell, holes))
        for part in getattr(polygon, "geoms", [polygon]):
            if isinstance(part, (Polygon, MultiPolygon)):
                for piece in getattr(part, "geoms", [part]):
                    out.extend(cut(piece))
    return out


def borders(countries: list[dict], arcs: list[np.ndarray]) -> list[LineString]:
    """Return the arcs shared by two countries: the land borders."""
    users: Counter[int] = Counter()

    def walk(nested: object, seen: set[int]) -> None:
        if isinstance(nested, int):
            seen.add(nested if nested >= 0 else ~nested)
        elif isinstance(nested, list):
            for item in nested:
                walk(item, seen)

    for geometry in countries:
        seen: set[int] = set()
        walk(geometry.get("arcs", []), seen)
        users.update(seen)
    lines = []
    for index, count in sorted(users.items()):
        if count >= 2:
            coords = arcs[index]
            steps = np.abs(np.diff(coords[:, 0]))
            if (steps > 180).any():
                continue  # no land border crosses the antimeridian in Natural Earth
            lines.append(LineString(coords))
    return lines


def alpha2(geometry: dict) -> str:
    """Map a world-atlas country to its ISO 3166-1 alpha-2 code ('' if it has none)."""
    name = geometry.get("properties", {}).get("name", "")
    if name in NO_NUMERIC:
        return NO_NUMERIC[name]
    numeric = geometry.get("id")
    country = iso3166.countries_by_numeric.get(numeric) if numeric else None
    return country.alpha2 if country else ""


def snapped(parts: list[Polygon]) -> MultiPolygon:
    """Return polygons merged and snapped to the storage grid, valid as they will be stored.

    Rounding a valid polygon's vertices to :data:`GRID` can make it invalid (a
    ring touching itself); ``shapely.set_precision`` snaps and repairs in one
    step, so the shipped polygons are valid as stored, not only as decoded.
    """
    merged = unary_union(parts) if len(parts) > 1 else parts[0]
    pieces = shapely.get_parts(shapely.set_precision(merged, GRID))
    return MultiPolygon([p for p in pieces if isinstance(p, Polygon) and not p.is_empty])


def stored(arrays: dict[str, np.ndarray], prefix: str, kind: shapely.GeometryType
           ) -> np.ndarray:
    """Return the geometries of ``prefix`` as a reader rebuilds them from the arrays."""
    coords = np.cumsum(arrays[f"{prefix}_delta"], axis=0, dtype=np.int64) * GRID
    offsets = []
    while f"{prefix}_offsets{len(offsets)}" in arrays:
        offsets.append(arrays[f"{prefix}_offsets{len(offsets)}"].astype(np.int64))
    return shapely.from_ragged_array(kind, coords, tuple(offsets))


def ragged(prefix: str, geoms: list, arrays: dict[str, np.ndarray]) -> None:
    """Store geometries as integer grid coordinates plus ragged offsets."""
    _kind, coords, offsets = shapely.to_ragged_array(geoms)
    grid = np.round(coords / GRID).astype(np.int32)
    arrays[f"{prefix}_delta"] = np.diff(grid, axis=0, prepend=np.zeros((1, 2), np.int32))
    for n, offset in enumerate(offsets):
        arrays[f"{prefix}_offsets{n}"] = offset.astype(np.int32)


def land_area_km2(parts: list[Polygon]) -> float:
    """Return the geodesic area of polygons in km2."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    return sum(abs(geod.geometry_area_perimeter(p)[0]) for p in parts) / 1e6


def labels(shapes: list[MultiPolygon]) -> dict[str, np.ndarray]:
    """Return each country's label point and geodesic area (km2), as aligned arrays.

    The label point is the pole of inaccessibility (lon/lat degrees) of the
    country's largest part by geodesic area, so it lies well inside the land
    a reader sees as the country, not on a small island far away.
    """
    lat, lon, area = [], [], []
    for shape in shapes:
        part_areas = [land_area_km2([part]) for part in shape.geoms]
        largest = shape.geoms[int(np.argmax(part_areas))]
        point = polylabel(largest, tolerance=LABEL_TOLERANCE)
        lat.append(round(point.y, 4))
        lon.append(round(point.x, 4))
        area.append(round(sum(part_areas), 3))  # reefs of Natural Earth have < 0.1 km2
    return {
        "country_label_lat": np.array(lat, dtype=np.float64),
        "country_label_lon": np.array(lon, dtype=np.float64),
        "country_area_km2": np.array(area, dtype=np.float64),
    }


def build_scale(topology: dict, scale: str) -> dict[str, np.ndarray]:
    """Decode one world-atlas countries topology into the arrays of one data file."""
    arcs = decode_arcs(topology)
    country_geoms = topology["objects"]["countries"]["geometries"]
    land = list(snapped([p for g in topology["objects"]["land"]["geometries"]
                         for p in polygons(g, arcs)]).geoms)
    area = land_area_km2(land)
    if abs(area - EXPECTED_LAND_KM2) > LAND_TOLERANCE[scale] * EXPECTED_LAND_KM2:
        sys.exit(f"{scale}: land area {area / 1e6:.1f} M km2 is not ~146.8 M km2: "
                 "decoding is wrong")
    codes, names, shapes = [], [], []
    for geometry in country_geoms:
        parts = polygons(geometry, arcs)
        if not parts:
            continue
        codes.append(alpha2(geometry))
        names.append(geometry.get("properties", {}).get("name", ""))
        shapes.append(snapped(parts))
    arrays: dict[str, np.ndarray] = {
        "grid": np.array(GRID),
        "country_codes": np.array(codes),
        "country_names": np.array(names),
    }
    ragged("land", land, arrays)
    ragged("countries", shapes, arrays)
    ragged("borders", borders(country_geoms, arcs), arrays)
    arrays.update(labels(shapes))
    for prefix, kind in (("land", shapely.GeometryType.POLYGON),
                         ("countries", shapely.GeometryType.MULTIPOLYGON)):
        if not shapely.is_valid(stored(arrays, prefix, kind)).all():
            sys.exit(f"{scale}: some {prefix} polygons are invalid as stored")
    print(f"{scale}: land: {len(land)} polygons, {area / 1e6:.2f} M km2; "
          f"countries: {len(shapes)}", file=sys.stderr)
    return arrays


def build(out_dir: Path) -> list[Path]:
    """Create the data files in ``out_dir``; return their paths."""
    with tempfile.TemporaryDirectory() as tmp:
        files = fetch(Path(tmp))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for scale in SCALES:
        arrays = build_scale(json.loads(files[f"countries-{scale}.json"]), scale)
        data_path = out_dir / f"naturalearth-{scale}.npz"
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        data_path.write_bytes(buffer.getvalue())
        paths.append(data_path)
    license_path = out_dir / "LICENSE-world-atlas.txt"
    license_path.write_bytes(files["LICENSE"])
    return [*paths, license_path]


def main() -> None:
    """Re-create the files, or with --check compare fresh copies with the shipped ones."""
    run(__doc__.splitlines()[0], build, OUT)


if __name__ == "__main__":
    main()
