"""Pick the 100 seeded port pairs of the sea benchmark, and record their routes as a baseline.

Ports come from the vendored reference index (searoute's port list, by
UN/LOCODE). A port counts as coastal when at least one of 16 points 5 km
around it lies off Natural Earth 10m land, so river ports far up a river,
which no lane reaches over water, are left out. Pairs are drawn with a fixed
seed.

Usage::

    python bench/sea_pairs.py tests/data/sea-baseline.json   # route with the current code

The output records, for every pair, the ports and the current code's route
length and land km (``null`` where it finds no route); ``tests/test_sea_lanes_vendored.py`` and
``bench/bench_sea.py`` compare later code with it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
import sqlite3
import sys
import time

import numpy as np

SEED = 20261130
PAIRS = 100
RING_KM = 5.0


def coastal(lat: float, lon: float) -> bool:
    """Tell whether water lies within ``RING_KM`` of a point (Natural Earth 10m)."""
    from shiproute.gazetteer.earth import KM_PER_DEGREE, load_earth

    angles = np.linspace(0, 2 * math.pi, 16, endpoint=False)
    dlat = RING_KM / KM_PER_DEGREE * np.sin(angles)
    dlon = RING_KM / KM_PER_DEGREE * np.cos(angles) / max(math.cos(math.radians(lat)), 0.01)
    return not bool(load_earth().on_land(lon + dlon, lat + dlat).all())


def pick_pairs(seed: int = SEED, count: int = PAIRS) -> list[dict[str, object]]:
    """Return ``count`` pairs of distinct coastal ports, drawn with ``seed``."""
    from shiproute.gazetteer.reference import bundled_reference_path

    db = sqlite3.connect(f"{bundled_reference_path().resolve().as_uri()}?mode=ro", uri=True)
    ports = db.execute("SELECT ref, name, lat, lon FROM places WHERE layer = 'ports' "
                       "ORDER BY ref").fetchall()
    rng = np.random.default_rng(seed)
    pairs: list[dict[str, object]] = []
    seen: set[tuple[int, int]] = set()
    while len(pairs) < count:
        a, b = (int(i) for i in rng.choice(len(ports), 2, replace=False))
        if (a, b) in seen or not all(coastal(ports[i][2], ports[i][3]) for i in (a, b)):
            continue
        seen.add((a, b))
        pairs.append({"origin": list(ports[a]), "destination": list(ports[b])})
    return pairs


def record(path: Path) -> None:
    """Route every pair with the current code and write the baseline to ``path``."""
    from shiproute.errors import NoRouteError
    from shiproute.routes._land import path_length_km
    from shiproute.routes.sea import sea_path

    pairs = pick_pairs()
    for pair in pairs:
        a, b = pair["origin"], pair["destination"]
        started = time.perf_counter()
        try:
            sea = sea_path((a[2], a[3]), (b[2], b[3]))  # type: ignore[index]
        except NoRouteError as err:
            pair["km"] = pair["land_km"] = None
            print(f"{a[1]} -> {b[1]}: {err}", file=sys.stderr)  # type: ignore[index]
            continue
        pair["km"] = round(path_length_km(sea.points), 3)
        pair["land_km"] = round(sea.land_km, 3)
        print(f"{a[1]} -> {b[1]}: {pair['km']:.0f} km, land {sea.land_km:.1f} km, "  # type: ignore[index]
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    path.write_text(json.dumps({"seed": SEED, "pairs": pairs}, indent=1) + "\n")


if __name__ == "__main__":
    record(Path(sys.argv[1]))
