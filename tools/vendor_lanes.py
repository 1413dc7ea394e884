"""Re-create routes/data/sea-lanes.npz: searoute's Marnet lanes, repaired once against land.

searoute 1.6.0 (Apache 2.0) ships its Marnet network as a Python literal
(``searoute/data/marnet_dict.py``). This script reads it from the pinned
source distribution (checked by SHA-256), checks every lane edge against
Natural Earth 10m land (``gazetteer/data/naturalearth-10m.npz``, the file
routing uses) and writes a graph whose edges cross no land, so routing never
has to check a lane again:

- longitudes are normalised to [-180, 180) and nodes that then coincide are
  one node (the two sides of the antimeridian); each undirected edge is kept
  once, at its shortest weight, with its passage tag (``"suez"``, ...);
- a node that lies on land within :data:`AFLOAT_KM` of the coast (the
  coastlines of Marnet and Natural Earth disagree by that much) is moved
  :data:`OFFSHORE_KM` off the nearest coast, and its edges re-measured; nodes
  deeper inland (rivers, lakes) stay, and their edges are dropped below;
- an edge that crosses land is replaced by the shortest water path found on a
  0.5 km grid around it (:func:`shiproute.routes.sea.water_path`), whose bends
  become new nodes carrying the edge's passage tag; if the grid has no water
  path the edge is dropped;
- except the edges of the waterways of ``sea-waterways.csv``: canals, straits
  narrower than the 10m coastline and navigable rivers (Suez, Panama, the
  Bosphorus and the Volga are land at that scale). An edge tagged with a
  waterway's passage is kept as it is; an edge with no water path whose ends
  both lie in a waterway's box is kept too, tagged with that waterway;
- then the extra edges of ``sea-extra-edges.csv`` (the Kiel Canal, which
  Marnet lacks) are added as they are;
- every waterway edge is cut into pieces of at most :data:`WATERWAY_STEP_KM`,
  so a river port joins its river near where it lies, and the land under each
  piece is stored with it (a route names the waterway instead);
- nodes left without edges are dropped.

Every replaced, dropped or kept crossing is listed in ``sea-lane-repairs.csv``.
The npz records the SHA-256 of its inputs (``inputs``), which the tests check
without a network. numpy's zip members carry a time stamp, so ``--check``
compares a digest of the arrays, not of the file bytes.

Usage::

    python tools/vendor_lanes.py           # re-create the files
    python tools/vendor_lanes.py --check   # re-create in a temp dir, compare contents

Needs pip (to fetch the sdist); about two minutes on two cores.
"""

from __future__ import annotations

import ast
import csv
from dataclasses import dataclass, replace
import hashlib
import io
import itertools
import json
import math
from pathlib import Path
import sys
import tempfile
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools._vendoring import run, sha256  # noqa: E402
from tools.vendor_reference import SEAROUTE, Pin, download  # noqa: E402

OUT = ROOT / "routes" / "data"
DATA_FILE = "sea-lanes.npz"
REPAIRS_FILE = "sea-lane-repairs.csv"
EXTRA_FILE = "sea-extra-edges.csv"
WATERWAYS_FILE = "sea-waterways.csv"
LICENSE_FILE = "LICENSE-searoute.txt"
NATURAL_EARTH = ROOT / "gazetteer" / "data" / "naturalearth-10m.npz"
FORMAT = "2"
MARNET = Pin(
    requirement=SEAROUTE.requirement,
    filename=SEAROUTE.filename,
    sha256=SEAROUTE.sha256,
    data="searoute-1.6.0/searoute/data/marnet_dict.py",
    license=SEAROUTE.license,
    license_file=LICENSE_FILE,
)
WATERWAY_STEP_KM = 5.0
AFLOAT_KM = 2.0
OFFSHORE_KM = 0.3
EARTH_RADIUS_KM = 6371.0  # searoute's haversine radius, so new edges match its weights
ROUND = 6  # decimals of a node position


@dataclass(frozen=True, slots=True)
class Edge:
    """An undirected lane edge between two (lat, lon) positions, before node numbering."""

    a: tuple[float, float]
    b: tuple[float, float]
    km: float
    passage: str
    detour: int = -1  # for the edges of a water path: which replaced Marnet edge it belongs to
    extra: bool = False  # from sea-extra-edges.csv


@dataclass(frozen=True, slots=True)
class Waterway:
    """A canal, narrow strait or river of ``sea-waterways.csv``: its tag, name and box."""

    passage: str
    name: str
    box: tuple[float, float, float, float]  # west, south, east, north

    def holds(self, edge: Edge) -> bool:
        """Tell whether both ends of an edge lie in the waterway's box."""
        west, south, east, north = self.box
        return all(south <= lat <= north and west <= lon <= east for lat, lon in (edge.a, edge.b))


def read_waterways(path: Path) -> list[Waterway]:
    """Return the waterways of ``sea-waterways.csv``, in file order."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(row for row in handle if not row.startswith("#")))
    return [Waterway(row["passage"], row["name"],
                     (float(row["west"]), float(row["south"]), float(row["east"]),
                      float(row["north"])))
            for row in rows]


def parse(text: str) -> list[Edge]:
    """Return Marnet's edges, longitudes in [-180, 180), each undirected edge once (shortest)."""
    start = text.index("edge_list=") + len("edge_list=")
    literal: dict[tuple[float, float], dict[tuple[float, float], dict[str, Any]]] = \
        ast.literal_eval(text[start:].strip())
    best: dict[tuple[tuple[float, float], tuple[float, float]], Edge] = {}
    for u, adjacent in literal.items():
        for v, data in adjacent.items():
            a, b = sorted((_position(u), _position(v)))
            if a == b:
                continue
            edge = Edge(a, b, float(data["weight"]), str(data.get("passage") or ""))
            if (a, b) not in best or edge.km < best[a, b].km:
                best[a, b] = edge
    return [best[key] for key in sorted(best)]


def _position(node: tuple[float, float]) -> tuple[float, float]:
    """Return a Marnet (lon, lat) key as (lat, lon), longitude in [-180, 180)."""
    lon, lat = node
    return (round(float(lat), ROUND), round((float(lon) + 180.0) % 360.0 - 180.0, ROUND))


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between (lat, lon) points, km, as searoute measures it."""
    p1, p2 = np.radians(a[0]), np.radians(b[0])
    dl = np.radians(b[1] - a[1])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h)))


def _offshore(lat: float, lon: float) -> tuple[float, float] | None:
    """Return a point ``OFFSHORE_KM`` off the coast nearest an on-land node, or None if far."""
    import shapely

    from shiproute.gazetteer.earth import KM_PER_DEGREE, load_earth
    from shiproute.routes._land import land_within

    earth = load_earth()
    if earth.km_inland(lat, lon, within_km=AFLOAT_KM) > AFLOAT_KM:
        return None
    pad = 2 * AFLOAT_KM / KM_PER_DEGREE / max(np.cos(np.radians(lat)), 0.01)
    land = land_within((lon - pad, lat - pad, lon + pad, lat + pad))
    node = shapely.Point(lon, lat)
    coast = shapely.shortest_line(node, land.boundary).coords[1]
    dx = (coast[0] - lon) * np.cos(np.radians(lat))
    dy = coast[1] - lat
    step = OFFSHORE_KM / KM_PER_DEGREE / max(float(np.hypot(dx, dy)), 1e-9)
    moved = (lat + dy * (1 + step), lon + (coast[0] - lon) * (1 + step))
    if earth.on_land(np.array([moved[1]]), np.array([moved[0]]))[0]:
        return None
    return (round(moved[0], ROUND), round(moved[1], ROUND))


def afloat(edges: list[Edge]) -> tuple[list[Edge], int]:
    """Move the nodes on land near a coast off it (re-measuring their edges); return the count."""
    from shiproute.gazetteer.earth import load_earth

    nodes = sorted({p for e in edges for p in (e.a, e.b)})
    lat, lon = (np.array(column) for column in zip(*nodes, strict=True))
    inland = np.flatnonzero(load_earth().on_land(lon, lat))
    moved = {nodes[i]: to for i in inland if (to := _offshore(*nodes[i])) is not None}
    out = []
    for edge in edges:
        if edge.a in moved or edge.b in moved:
            a, b = moved.get(edge.a, edge.a), moved.get(edge.b, edge.b)
            edge = Edge(*sorted((a, b)), haversine_km(a, b), edge.passage)
        out.append(edge)
    return out, len(moved)


def read_extra(path: Path) -> list[Edge]:
    """Return the extra edges of ``sea-extra-edges.csv`` (lat_a, lon_a, lat_b, lon_b, passage)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(row for row in handle if not row.startswith("#")))
    edges = []
    for row in rows:
        a = (round(float(row["lat_a"]), ROUND), round(float(row["lon_a"]), ROUND))
        b = (round(float(row["lat_b"]), ROUND), round(float(row["lon_b"]), ROUND))
        edges.append(Edge(a, b, haversine_km(a, b), row["passage"], extra=True))
    return edges


def _pieces(points: tuple[tuple[float, float], ...], passage: str, detour: int) -> list[Edge]:
    """Return the edges along a detour; its bends become nodes, longitudes wrapped."""
    wrapped = [(round(lat, ROUND), round((lon + 180.0) % 360.0 - 180.0, ROUND))
               for lat, lon in points]
    return [Edge(*sorted((p, q)), haversine_km(p, q), passage, detour)
            for p, q in itertools.pairwise(wrapped) if p != q]


def repair(edges: list[Edge], waterways: list[Waterway]) -> tuple[list[Edge], list[list[Any]]]:
    """Replace or drop the edges that cross land, keeping the waterways; return edges and log.

    An edge tagged with a waterway's passage is kept without looking for a
    water path. Of the other edges with no water path, one whose ends lie in
    a waterway's box is kept with its tag, and one that continues a kept
    waterway (Port Said's approach to the Suez Canal is not tagged ``"suez"``)
    is kept as part of it; the rest are dropped.
    """
    from shiproute.routes.sea import crossing_km

    tags = {w.passage for w in waterways}
    out: list[Edge] = []
    log: list[list[Any]] = []
    crossed = dict(zip(edges, crossing_km([(e.a, e.b) for e in edges]), strict=True))
    kept = [e for e in edges if crossed[e] > 0 and e.passage in tags]
    unrepaired = []
    for edge in edges:
        if crossed[edge] == 0.0:
            out.append(edge)
        elif edge.passage not in tags and not _detour(edge, crossed[edge], out, log):
            unrepaired.append(edge)
    for edge in list(unrepaired):
        boxed = next((w.passage for w in waterways if w.holds(edge)), None)
        if boxed is not None:
            unrepaired.remove(edge)
            kept.append(replace(edge, passage=boxed))
            crossed[kept[-1]] = crossed[edge]
    canal = {p: e.passage for e in kept for p in (e.a, e.b)}
    while joined := [e for e in unrepaired if e.a in canal or e.b in canal]:
        for edge in joined:
            unrepaired.remove(edge)
            kept.append(replace(edge, passage=canal.get(edge.a) or canal[edge.b]))
            crossed[kept[-1]] = crossed[edge]
            canal.update({edge.a: kept[-1].passage, edge.b: kept[-1].passage})
    out.extend(kept)
    log.extend([*e.a, *e.b, e.passage, f"{crossed[e]:.3f}", "kept (waterway)", ""] for e in kept)
    log.extend([*e.a, *e.b, e.passage, f"{crossed[e]:.3f}", "dropped", ""] for e in unrepaired)
    return out, log


def cut_waterways(edges: list[Edge], tags: set[str]) -> list[Edge]:
    """Return the edges with every waterway edge cut into pieces of at most ``WATERWAY_STEP_KM``.

    The cuts are evenly spaced along the straight edge (waterway edges are at
    most ~100 km long, where a straight line in degrees is within metres of
    the great circle).
    """
    out = []
    for edge in edges:
        pieces = math.ceil(edge.km / WATERWAY_STEP_KM) if edge.passage in tags else 1
        if pieces <= 1:
            out.append(edge)
            continue
        steps = np.linspace(0.0, 1.0, pieces + 1)
        points = [(round(edge.a[0] + t * (edge.b[0] - edge.a[0]), ROUND),
                   round(edge.a[1] + t * (edge.b[1] - edge.a[1]), ROUND)) for t in steps]
        out.extend(replace(edge, a=min(p, q), b=max(p, q), km=haversine_km(p, q))
                   for p, q in itertools.pairwise(points))
    return out


def _detour(edge: Edge, km: float, out: list[Edge], log: list[list[Any]]) -> bool:
    """Append the water path replacing ``edge`` to ``out`` and log it; False if there is none."""
    from shiproute.routes.sea import crossing_km, water_path

    detour = water_path(edge.a, edge.b)
    pieces = [] if detour is None else _pieces(detour, edge.passage, len(log))
    # the grid's first and last steps may touch land when a lane node lies on it
    if not pieces or any(crossing_km([(p.a, p.b) for p in pieces])):
        return False
    out.extend(pieces)
    shape = ";".join(f"{lat:.{ROUND}f} {lon:.{ROUND}f}" for lat, lon in detour[1:-1])
    log.append([*edge.a, *edge.b, edge.passage, f"{km:.3f}",
                f"detour +{sum(p.km for p in pieces) - edge.km:.1f} km", shape])
    return True


def arrays(edges: list[Edge], land: list[float], waterways: list[Waterway],
           inputs: dict[str, str]) -> dict[str, Any]:
    """Return the npz arrays: nodes, edges, passages, waterway names, land km, origins, inputs."""
    used = sorted({p for e in edges for p in (e.a, e.b)})
    index = {p: i for i, p in enumerate(used)}
    passages = sorted({e.passage for e in edges} | {""})
    names = {w.passage: w.name for w in waterways}
    ends = np.array([sorted((index[e.a], index[e.b])) for e in edges], dtype=np.int32)
    return {
        "lat": np.array([p[0] for p in used]),
        "lon": np.array([p[1] for p in used]),
        "edge_a": ends[:, 0],
        "edge_b": ends[:, 1],
        "km": np.array([e.km for e in edges]),
        "passage": np.array([passages.index(e.passage) for e in edges], dtype=np.uint8),
        "passages": np.array(passages),
        "waterway_names": np.array([names.get(p, "") for p in passages]),
        "land_km": np.array([round(km, 3) for km in land]),
        "detour": np.array([e.detour for e in edges], dtype=np.int32),
        "extra": np.array([e.extra for e in edges]),
        "inputs": np.array(json.dumps(inputs, sort_keys=True)),
    }


def content_digest(path: Path) -> str:
    """Return a SHA-256 of an npz's arrays (names, types, shapes, bytes); of the bytes otherwise."""
    if path.suffix != ".npz":
        return sha256(path)
    digest = hashlib.sha256()
    with np.load(path) as data:
        for name in sorted(data.files):
            value = data[name]
            digest.update(f"{name} {value.dtype.str} {value.shape}\n".encode())
            digest.update(np.ascontiguousarray(value).tobytes())
    return digest.hexdigest()


def inputs_of(extra: Path, waterways: Path) -> dict[str, str]:
    """Return the recorded inputs: format, pinned sdist, Natural Earth, extra edges, waterways."""
    return {"format": FORMAT, "searoute": f"{MARNET.filename} {MARNET.sha256}",
            "naturalearth": f"{NATURAL_EARTH.name} {sha256(NATURAL_EARTH)}",
            "extra": f"{EXTRA_FILE} {sha256(extra)}",
            "waterways": f"{WATERWAYS_FILE} {sha256(waterways)}"}


def build(out_dir: Path) -> list[Path]:
    """Create the data files in ``out_dir``; return their paths."""
    with tempfile.TemporaryDirectory() as tmp:
        files = download(MARNET, Path(tmp))
    from shiproute.routes.sea import crossing_km

    extra_path, waterways_path = OUT / EXTRA_FILE, OUT / WATERWAYS_FILE
    waterways = read_waterways(waterways_path)
    tags = {w.passage for w in waterways}
    edges, moved = afloat(parse(files[MARNET.data].decode("utf-8")))
    edges, log = repair(edges, waterways)
    edges = cut_waterways([*edges, *read_extra(extra_path)], tags)
    ways = [i for i, e in enumerate(edges) if e.passage in tags]
    land = [0.0] * len(edges)
    for i, km in zip(ways, crossing_km([(edges[i].a, edges[i].b) for i in ways]), strict=True):
        land[i] = km
    data = arrays(edges, land, waterways, inputs_of(extra_path, waterways_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **data)
    paths = [out_dir / DATA_FILE, out_dir / REPAIRS_FILE, out_dir / LICENSE_FILE]
    paths[0].write_bytes(buffer.getvalue())
    with paths[1].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["lat_a", "lon_a", "lat_b", "lon_b", "passage", "land_km", "action",
                         "detour_nodes"])
        writer.writerows(log)
    paths[2].write_bytes(files[MARNET.license])
    if out_dir != OUT:
        for source in (extra_path, waterways_path):
            paths.append(out_dir / source.name)
            paths[-1].write_bytes(source.read_bytes())
    actions = [row[6].split(" ")[0] for row in log]
    print(f"{moved} nodes moved off land; {len(data['lat'])} nodes, {len(data['km'])} edges; "
          "of the edges crossing land "
          f"{actions.count('detour')} re-routed, {actions.count('dropped')} dropped, "
          f"{actions.count('kept')} kept as waterways", file=sys.stderr)
    return paths


def main() -> None:
    """Re-create the files, or with --check compare fresh copies with the shipped ones."""
    run(__doc__.splitlines()[0], build, OUT, digest=content_digest)


if __name__ == "__main__":
    main()
