"""Re-create routes/data/rail-world.npz from the PyPI package scgraph-data 2.0.0.

scgraph-data (MIT; derived from OpenStreetMap, ODbL) ships the world railway
network as a 17 MB Python literal that needs scgraph 2.x and gigabytes of
memory to import. This script reads the literal as text instead, and writes a
compact array form that shiproute loads in a fraction of a second:

- node positions (lat, lon), the undirected edges as a symmetric CSR matrix of
  kilometres, zero-length self-loops dropped;
- repairs: the network has ~787 disconnected pieces. Where a dead end of one
  piece lies within ``JOIN_KM`` of a node of another piece, and the straight
  join does not cross the sea (Natural Earth 10m land), the two are joined by
  a new edge. Joins are chosen shortest first and only when they connect two
  pieces not yet connected (a minimum spanning forest over pieces). Every
  repair is listed in ``rail-repairs.csv``;
- the country (ISO alpha-2, Natural Earth) of every node, "" off land;
- the piece (connected component) of every node after the repairs.

Usage::

    python tools/build_rail_network.py           # re-create the files
    python tools/build_rail_network.py --check   # re-create in a temp dir, compare hashes

Needs pip (to fetch the wheel), numpy, scipy and shapely, and the shipped
Natural Earth data (tools/vendor_naturalearth.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
import re
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shiproute.gazetteer.earth import load_earth  # noqa: E402
from tools._vendoring import run  # noqa: E402

PACKAGE = "scgraph-data==2.0.0"
WHEEL_SHA256 = "a8df15f4d9b4cce945f195b27c9e239ac49ebfa81aa948afc882b28653725406"
MEMBER = "scgraph_data/world_railways.py"
LICENSE_MEMBER = "scgraph_data-2.0.0.dist-info/LICENSE"
OUT = ROOT / "routes" / "data"
DATA_FILE = "rail-world.npz"
REPAIRS_FILE = "rail-repairs.csv"
JOIN_KM = 5.0
MAX_WATER_KM = 0.3  # Natural Earth coastlines are quantised to ~0.3 km
EARTH_RADIUS_KM = 6371.0088


def fetch(workdir: Path) -> tuple[bytes, bytes]:
    """Download the wheel with pip, check its hash, return the railway module and license."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(workdir),
         PACKAGE],
        check=True,
    )
    (wheel,) = workdir.glob("scgraph_data-*.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel.name}: sha256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(MEMBER), archive.read(LICENSE_MEMBER)


def parse(text: str) -> tuple[list[dict[str, float]], np.ndarray]:
    """Parse the ``graph=[{...}]`` and ``nodes=[[lat, lon]]`` literals as JSON."""
    graph_text = text[text.index("graph=") + 6 : text.index("\nnodes=")]
    nodes_text = text[text.index("nodes=") + 6 : text.index("\nworld_railways_geograph")]
    graph_json = re.sub(r"([{,] ?)(\d+):", r'\1"\2":', graph_text)
    return json.loads(graph_json), np.asarray(json.loads(nodes_text), dtype=float)


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                 lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance on a sphere, in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def water_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Length of a straight join that lies off land, in km (approximate)."""
    earth = load_earth()
    line = shapely.LineString([(lon1, lat1), (lon2, lat2)])
    hits = earth.land_tree.query(line, predicate="intersects")
    on_land = shapely.union_all(shapely.intersection(earth.land[hits], line)) if len(hits) else None
    total = float(haversine_km(np.array(lat1), np.array(lon1), np.array(lat2), np.array(lon2)))
    if on_land is None or on_land.is_empty:
        return total
    return total * (1.0 - on_land.length / max(line.length, 1e-12))


def repairs(lat: np.ndarray, lon: np.ndarray, rows: np.ndarray, cols: np.ndarray,
            labels: np.ndarray) -> list[tuple[int, int, float]]:
    """Choose joins between pieces: dead end to nearest other-piece node, shortest first."""
    degree = np.bincount(np.concatenate([rows, cols]), minlength=len(lat))
    scale = np.cos(np.radians(lat))
    xyz = np.column_stack([lat, lon * scale])  # rough planar degrees, for candidate search
    tree = cKDTree(xyz)
    ends = np.flatnonzero(degree == 1)
    candidates: dict[tuple[int, int], tuple[float, int, int]] = {}
    for end in ends:
        for j in tree.query_ball_point(xyz[end], r=JOIN_KM / 111.0 * 1.2):
            if labels[j] == labels[end]:
                continue
            km = float(haversine_km(lat[end], lon[end], lat[j], lon[j]))
            if km > JOIN_KM:
                continue
            pair = (min(labels[end], labels[j]), max(labels[end], labels[j]))
            if pair not in candidates or km < candidates[pair][0]:
                candidates[pair] = (km, int(end), int(j))
    parent = list(range(int(labels.max()) + 1))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    chosen = []
    for (a, b), (km, end, j) in sorted(candidates.items(), key=lambda item: item[1][0]):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if water_km(lat[end], lon[end], lat[j], lon[j]) > MAX_WATER_KM:
            continue
        parent[ra] = rb
        chosen.append((end, j, round(km, 3)))
    return chosen


def build(out_dir: Path) -> list[Path]:
    """Create the data files in ``out_dir``; return their paths."""
    with tempfile.TemporaryDirectory() as tmp:
        module, license_text = fetch(Path(tmp))
    text = module.decode("utf-8")
    graph, nodes = parse(text)
    lat, lon = nodes[:, 0], nodes[:, 1]
    rows, cols, km = [], [], []
    for i, neighbours in enumerate(graph):
        for key, weight in neighbours.items():
            j = int(key)
            if j > i:  # each undirected edge once; drops the zero self-loops
                rows.append(i)
                cols.append(j)
                km.append(weight)
    r, c, w = np.array(rows), np.array(cols), np.array(km)
    n = len(graph)
    base = coo_matrix((w, (r, c)), shape=(n, n)).tocsr()
    pieces, labels = connected_components(base, directed=False)
    joins = repairs(lat, lon, r, c, labels)
    if joins:
        jr, jc, jw = (np.array(x) for x in zip(*joins, strict=True))
        r, c, w = np.concatenate([r, jr]), np.concatenate([c, jc]), np.concatenate([w, jw])
    upper = coo_matrix((w, (r, c)), shape=(n, n))
    matrix = (upper + upper.T).tocsr()
    matrix.sort_indices()
    after, labels_after = connected_components(matrix, directed=False)
    countries = load_earth().country_of(lon, lat)
    codes = sorted(set(countries.tolist()))
    country_index = np.searchsorted(np.array(codes), countries).astype(np.uint8)
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        lat=lat.astype(np.float32),
        lon=lon.astype(np.float32),
        indptr=matrix.indptr.astype(np.int32),
        indices=matrix.indices.astype(np.int32),
        km=matrix.data.astype(np.float32),
        piece=labels_after.astype(np.int32),
        country=country_index,
        country_codes=np.array(codes),
        repairs=np.array([(a, b) for a, b, _ in joins], dtype=np.int32).reshape(-1, 2),
    )
    data_path = out_dir / DATA_FILE
    data_path.write_bytes(buffer.getvalue())
    repairs_path = out_dir / REPAIRS_FILE
    with repairs_path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["node_a", "lat_a", "lon_a", "node_b", "lat_b", "lon_b", "km"])
        for a, b, km_ in joins:
            writer.writerow([a, f"{lat[a]:.3f}", f"{lon[a]:.3f}", b, f"{lat[b]:.3f}",
                             f"{lon[b]:.3f}", f"{km_:.3f}"])
    license_path = out_dir / "LICENSE-scgraph-data.txt"
    license_path.write_bytes(license_text)
    print(f"{n} nodes, {len(rows)} edges, {pieces} pieces; {len(joins)} repairs -> "
          f"{after} pieces", file=sys.stderr)
    return [data_path, repairs_path, license_path]


def main() -> None:
    """Re-create the files, or with --check compare fresh copies with the shipped ones."""
    run(__doc__.splitlines()[0], build, OUT)


if __name__ == "__main__":
    main()
