"""Re-create maps/data/lakes.npz from the npm package @geo-maps/earth-lakes-10m.

@geo-maps/earth-lakes-10m (code MIT, data from OpenStreetMap under the ODbL)
ships the world's lakes as one GeoJSON MultiPolygon of ~540,000 parts, 59 MB,
accurate to ~10 m. A map needs only the large lakes, drawn at a few hundred
metres, so this script:

- joins the parts that touch: the source cuts lakes along the edges of a tile
  grid (Lake Superior, the Caspian and Lake Victoria each come in pieces), so
  touching parts are merged into one lake before anything is measured;
- keeps lakes of at least ``MIN_AREA_KM2`` (geodesic area, WGS84);
- drops lakes that lie mostly at sea in Natural Earth 1:10m land (less than
  ``MIN_ON_LAND`` of their area on land): the Caspian Sea, which Natural Earth
  already draws as water, and coastal lagoons and estuaries the source tags as
  lakes (Lagoa dos Patos, the Szczecin Lagoon, Lake Pontchartrain, ...);
- simplifies each lake to ``SIMPLIFY_DEG`` (topology preserved), snaps it to
  the storage grid, repairs it (``shapely.make_valid``, polygonal parts only)
  and drops parts under ``MIN_PART_KM2``;
- stores the polygons, largest first, with their geodesic areas, as integer
  grid coordinates plus ragged offsets (the format of gazetteer/data/*.npz).

The build fails if a shipped polygon is invalid, if a lake of ``CHECKS`` is
missing, or if a lake covers the open Caspian.

Usage::

    python tools/vendor_lakes.py           # re-create the files
    python tools/vendor_lakes.py --check   # re-create in a temp dir, compare hashes

Needs ``npm`` (to fetch the package), numpy, scipy, shapely, pyproj, and the
shipped Natural Earth data (tools/vendor_naturalearth.py).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path
import subprocess
import sys
import tarfile
import tempfile

import numpy as np
from pyproj import Geod
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shiproute.gazetteer.earth import KM_PER_DEGREE, load_earth  # noqa: E402
from tools._vendoring import run  # noqa: E402

PACKAGE = "@geo-maps/earth-lakes-10m@0.6.0"
INTEGRITY = (
    "sha512-1gCzMy/JCdcWa3xDwDLIQcLAzx8+jz187tlJqbSgsQMEsA6e3CjKW5CqFIkdsOQ5oSWE6c6p7Bni3C8wP2sFGQ=="
)
OUT = ROOT / "maps" / "data"
DATA_FILE = "lakes.npz"
LICENSE_FILE = "LICENSE-geo-maps.txt"
GRID = 1e-4  # degrees; stored coordinates are integers on this grid (~11 m)
MIN_AREA_KM2 = 200.0
MIN_ON_LAND = 0.5  # share of a lake's area that must lie on Natural Earth 10m land
SIMPLIFY_DEG = 0.005  # ~500 m
MIN_PART_KM2 = 1.0  # smaller parts left after simplifying are invisible at this precision
# Lakes that must be in the file: a point well inside each (lat, lon).
CHECKS = {
    "Baikal": (53.5, 108.0), "Ladoga": (61.0, 31.5), "Onega": (61.7, 35.5),
    "Balkhash": (46.3, 74.5), "Issyk-Kul": (42.4, 77.3), "Victoria": (-1.0, 33.0),
    "Superior": (47.7, -88.0), "Michigan": (44.0, -87.0), "Huron": (44.8, -82.3),
    "Erie": (42.2, -81.5), "Ontario": (43.6, -77.8), "Khanka": (45.0, 132.4),
}
CASPIAN = (42.0, 50.5)  # open water of the Caspian Sea: must not be inside any lake
GEOD = Geod(ellps="WGS84")


def fetch(workdir: Path) -> dict[str, bytes]:
    """Download the npm package, verify its integrity, return the map and its license."""
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
        for name in ("package/map.geo.json", "package/LICENSE"):
            member = tar.extractfile(name)
            assert member is not None
            files[name.removeprefix("package/")] = member.read()
    return files


def area_km2(geometry: shapely.Geometry) -> float:
    """Return the geodesic area of a (multi)polygon in km2, holes subtracted."""
    parts = shapely.get_parts(geometry)
    return float(sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in parts)) / 1e6


def merge_touching(parts: np.ndarray) -> list[shapely.Geometry]:
    """Union the parts that touch (a lake cut along tile edges) into lakes of roughly enough area.

    Parts are grouped by connected components of the "intersects" relation.
    Only groups whose rough planar area (degrees scaled at their latitude)
    exceeds half of ``MIN_AREA_KM2`` are unioned; the exact geodesic filter
    comes later.
    """
    count = len(parts)
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    pairs = left < right
    graph = coo_matrix((np.ones(pairs.sum()), (left[pairs], right[pairs])), shape=(count, count))
    _n, group = connected_components(graph, directed=False)
    latitude = shapely.get_y(shapely.centroid(parts))
    rough_km2 = shapely.area(parts) * np.cos(np.radians(latitude)) * KM_PER_DEGREE**2
    group_km2 = np.bincount(group, weights=rough_km2)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(group_km2) + 1))
    lakes = []
    for index in np.flatnonzero(group_km2 > MIN_AREA_KM2 / 2):
        members = parts[order[bounds[index]:bounds[index + 1]]]
        lakes.append(shapely.union_all(shapely.make_valid(members)))
    return lakes


def share_on_land(lake: shapely.Geometry) -> float:
    """Return the share of a lake's area that lies on Natural Earth 10m land."""
    earth = load_earth()
    hits = earth.land_tree.query(lake, predicate="intersects")
    if not len(hits):
        return 0.0
    return area_km2(shapely.union_all(shapely.intersection(earth.land[hits], lake))) / \
        area_km2(lake)


def polygonal(geometry: shapely.Geometry) -> list[shapely.Polygon]:
    """Return the polygons in a geometry (dropping points and lines ``make_valid`` may leave)."""
    return [p for p in shapely.get_parts(geometry)
            if isinstance(p, shapely.Polygon) and not p.is_empty]


def simplified(lake: shapely.Geometry) -> list[shapely.Polygon]:
    """Simplify a lake, snap it to the storage grid, repair it; return its polygons."""
    thin = shapely.simplify(lake, SIMPLIFY_DEG, preserve_topology=True)
    snapped = shapely.set_precision(thin, GRID)
    out = []
    for part in polygonal(snapped):
        out.extend(polygonal(part if part.is_valid else shapely.make_valid(part)))
    return out


def ragged(prefix: str, geoms: list[shapely.Polygon], arrays: dict[str, np.ndarray]) -> None:
    """Store polygons as integer grid coordinates plus ragged offsets."""
    _kind, coords, offsets = shapely.to_ragged_array(geoms)
    grid = np.round(coords / GRID).astype(np.int32)
    arrays[f"{prefix}_delta"] = np.diff(grid, axis=0, prepend=np.zeros((1, 2), np.int32))
    for n, offset in enumerate(offsets):
        arrays[f"{prefix}_offsets{n}"] = offset.astype(np.int32)


def decoded(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Rebuild the polygons exactly as the loader will (``maps/geodata.py``)."""
    coords = np.cumsum(arrays["lakes_delta"], axis=0, dtype=np.int64) * GRID
    offsets = (arrays["lakes_offsets0"].astype(np.int64), arrays["lakes_offsets1"].astype(np.int64))
    polygons: np.ndarray = shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, offsets)
    return polygons


def verify(polygons: np.ndarray) -> None:
    """Fail the build on an invalid polygon, a missing lake, or a lake over the open Caspian."""
    invalid = np.flatnonzero(~shapely.is_valid(polygons))
    if len(invalid):
        sys.exit(f"{len(invalid)} lake polygons are invalid, e.g. {polygons[invalid[0]].bounds}")
    for name, (lat, lon) in CHECKS.items():
        if not shapely.contains_xy(polygons, lon, lat).any():
            sys.exit(f"lake {name} is missing: no polygon contains {lat} N {lon} E")
    if shapely.contains_xy(polygons, CASPIAN[1], CASPIAN[0]).any():
        sys.exit("a lake polygon covers the open Caspian Sea, which Natural Earth draws as water")


def build(out_dir: Path) -> list[Path]:
    """Create the data files in ``out_dir``; return their paths."""
    with tempfile.TemporaryDirectory() as tmp:
        files = fetch(Path(tmp))
    source = shapely.get_parts(shapely.get_parts(shapely.from_geojson(files["map.geo.json"])))
    lakes = [lake for lake in merge_touching(source) if area_km2(lake) >= MIN_AREA_KM2]
    at_sea = [lake for lake in lakes if share_on_land(lake) < MIN_ON_LAND]
    if not any(shapely.contains_xy(lake, CASPIAN[1], CASPIAN[0]) for lake in at_sea):
        sys.exit("the Caspian Sea is no longer among the lakes dropped as sea: check the source")
    kept = [lake for lake in lakes if not any(lake is sea for sea in at_sea)]
    pieces = [(area_km2(p), p) for lake in kept for p in simplified(lake)]
    pieces = [(area, p) for area, p in pieces if area >= MIN_PART_KM2]
    pieces.sort(key=lambda item: (-item[0], item[1].bounds))
    arrays: dict[str, np.ndarray] = {"grid": np.array(GRID)}
    ragged("lakes", [p for _area, p in pieces], arrays)
    arrays["area_km2"] = np.array([round(area, 1) for area, _p in pieces], dtype=np.float64)
    verify(decoded(arrays))
    out_dir.mkdir(parents=True, exist_ok=True)
    data_path = out_dir / DATA_FILE
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    data_path.write_bytes(buffer.getvalue())
    license_path = out_dir / LICENSE_FILE
    license_path.write_bytes(files["LICENSE"])
    print(f"lakes: {len(source)} source parts, {len(lakes)} lakes >= {MIN_AREA_KM2:.0f} km2, "
          f"{len(at_sea)} dropped as sea (the Caspian among them), {len(kept)} kept as "
          f"{len(pieces)} polygons, {len(arrays['lakes_delta'])} points, "
          f"{data_path.stat().st_size} bytes", file=sys.stderr)
    return [data_path, license_path]


def main() -> None:
    """Re-create the files, or with --check compare fresh copies with the shipped ones."""
    run(__doc__.splitlines()[0], build, OUT)


if __name__ == "__main__":
    main()
