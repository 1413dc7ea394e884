"""Re-create routes/data/sea-port-links.npz: how every known port joins the sea lanes.

For each port of the reference list (``gazetteer/data/reference.sqlite``,
searoute's ports by UN/LOCODE) and each site of kind ``port`` in the bundled
gazetteer (``gazetteer/sites.yaml``), finds its links to the lane nodes within
reach (:func:`shiproute.routes.links.find_links`: straight over water, around
land on the grid, or over at most 100 km of land) and keeps those no other link
of the port beats by way of the lanes with every passage closed
(:func:`shiproute.routes.links.essential`), so routing needs no grid search
for a known port under any restrictions.

The npz records the SHA-256 of the sea lanes it was built on
(``lanes_sha256``); routing ignores the table, with a warning, when the lanes
differ, so re-run this script after ``tools/vendor_lanes.py``. numpy's zip
members carry a time stamp, so ``--check`` compares a digest of the arrays.

Usage::

    python tools/vendor_port_links.py           # re-create the file
    python tools/vendor_port_links.py --check   # re-create in a temp dir, compare contents

Uses every core; about 20 CPU-minutes.
"""

from __future__ import annotations

from dataclasses import asdict
import io
import multiprocessing
import os
from pathlib import Path
import sqlite3
import sys
import time
from typing import get_args

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools._vendoring import run  # noqa: E402
from tools.vendor_lanes import content_digest  # noqa: E402

OUT = ROOT / "routes" / "data"
REFERENCE = ROOT / "gazetteer" / "data" / "reference.sqlite"


def known_ports() -> list[tuple[float, float]]:
    """Return the positions of the reference ports and the bundled gazetteer's ports, once each."""
    from shiproute.gazetteer.load import load_gazetteer

    with sqlite3.connect(f"file:{REFERENCE}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT lat, lon FROM places WHERE layer = 'ports'").fetchall()
    curated = [(site.lat, site.lon) for site in load_gazetteer().values() if site.kind == "port"]
    return sorted({(float(lat), float(lon)) for lat, lon in [*rows, *curated]})


def _links_of(port: tuple[float, float]) -> tuple[tuple[float, float], tuple[object, ...]]:
    from shiproute.routes.lanes import Passage, load_lane_network
    from shiproute.routes.links import essential, find_links

    closed = load_lane_network(frozenset(get_args(Passage)))
    return port, essential(find_links(port), closed)


def build(out_dir: Path) -> list[Path]:
    """Create the data file in ``out_dir``; return its path."""
    from shiproute.routes.links import DATA_FILE, LinkTable, lanes_digest

    ports = known_ports()
    started = time.perf_counter()
    found = []
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        for n, item in enumerate(pool.imap(_links_of, ports, chunksize=8), 1):
            found.append(item)
            if n % 250 == 0:
                print(f"{n} of {len(ports)} ports, {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)
    table = LinkTable.of(found)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **asdict(table), lanes_sha256=np.array(lanes_digest()))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / DATA_FILE
    path.write_bytes(buffer.getvalue())
    links = int(table.link_start[-1])
    print(f"{len(ports)} ports, {links} links ({int(table.repaired.sum())} around land, "
          f"{int((table.land_km > 0).sum())} crossing land), "
          f"{sum(1 for _p, each in found if not each)} ports with none", file=sys.stderr)
    return [path]


def main() -> None:
    """Re-create the file, or with --check compare a fresh copy with the shipped one."""
    run(__doc__.splitlines()[0], build, OUT, digest=content_digest)


if __name__ == "__main__":
    main()
