"""Names resolve worldwide from the reference layers, below every curated site."""

from __future__ import annotations

from collections.abc import Callable
import datetime as dt
import json
import math
from pathlib import Path

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.errors import AmbiguousPlaceError, UnknownPlaceError
from shiproute.gazetteer.load import load_gazetteer
from shiproute.gazetteer.resolve import Gazetteer


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + \
        math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(
    ("name", "site_id", "country", "lat", "lon"),
    [
        ("Moscow", "geonames:524901", "RU", 55.75, 37.62),
        ("Москва", "geonames:524901", "RU", 55.75, 37.62),
        ("Tehran", "geonames:112931", "IR", 35.69, 51.42),
        ("Astrakhan", "geonames:580497", "RU", 46.35, 48.04),
        ("Makhachkala", "geonames:532096", "RU", 42.98, 47.50),
        ("Yelabuga", "geonames:468082", "RU", 55.76, 52.05),
        ("Елабуга", "geonames:468082", "RU", 55.76, 52.05),
        ("IKA", "IATA:IKA", "IR", 35.42, 51.15),  # Tehran Imam Khomeini
        ("UUWW", "IATA:VKO", "RU", 55.59, 37.26),  # Moscow Vnukovo, by its ICAO code
        ("RUNJK", "UNLOCODE:RUNJK", "RU", 42.80, 132.88),  # the port of Nakhodka
        ("Alexandria, EG", "geonames:361058", "EG", 31.20, 29.92),
        ("geonames:524901", "geonames:524901", "RU", 55.75, 37.62),
        ("iata:vko", "IATA:VKO", "RU", 55.59, 37.26),
        ("Moscow Vnukovo", "IATA:VKO", "RU", 55.59, 37.26),
    ],
)
def test_world_names_and_codes_resolve_to_the_right_place(
    gazetteer: Gazetteer, name: str, site_id: str, country: str, lat: float, lon: float
) -> None:
    site = gazetteer.resolve(name)
    assert (site.id, site.country) == (site_id, country)
    assert _km(site.lat, site.lon, lat, lon) < 5


def test_a_name_many_places_share_is_an_error_listing_them(gazetteer: Gazetteer) -> None:
    with pytest.raises(AmbiguousPlaceError) as caught:
        gazetteer.resolve("Alexandria")
    message = str(caught.value)
    assert message.startswith("Place 'Alexandria' names several places in the reference data: "
                              "Alexandria, EG (city, pop. ")
    assert {"EG", "US", "IT"} <= {part.split(" (")[0] for part in message.split(", ")}
    assert message.endswith("write e.g. 'Alexandria, EG' or an id such as 'geonames:361058'")


def test_the_mode_picks_the_port_or_the_airport_and_says_so(gazetteer: Gazetteer) -> None:
    city = gazetteer.explain("Makhachkala")
    port = gazetteer.explain("Makhachkala", "port")
    airport = gazetteer.explain("Astrakhan", "airfield")
    assert (city.site.kind, port.site.id, airport.site.id) == (
        "city", "UNLOCODE:RUMCX", "IATA:ASF")
    assert port.how == ("UNLOCODE:RUMCX, from searoute's port list (UN/LOCODE): the port "
                        "chosen for a sea leg; also here: city geonames:532096")
    assert "City centroid from GeoNames" in city.site.note


def test_a_curated_site_always_wins(write: Callable[[str, str], Path]) -> None:
    mine = write("mine.yaml", """
    sites:
      moscow-depot: {name: Moscow, kind: depot, country: RU, lat: 55.6, lon: 37.9}
    """)
    layered = load_gazetteer([mine])
    assert layered.resolve("Moscow").id == "moscow-depot"
    assert layered.resolve("Vladivostok").id == "vladivostok"  # bundled, not GeoNames
    assert layered.resolve("RAJIN").id == "rajin"  # capitals are no code for a curated name


def test_no_reference_restores_the_curated_only_behaviour(
    write: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = load_gazetteer(reference=False)
    with pytest.raises(UnknownPlaceError) as caught:
        strict.resolve("Moscow")
    message = ("Unknown place 'Moscow'. Add it to the dataset's 'sites:' or to a --gazetteer "
               "file, or add an alias.")
    assert str(caught.value) == message
    flag = CliRunner().invoke(main, ["resolve", "Moscow", "--no-reference"])
    monkeypatch.setenv("SHIPROUTE_REFERENCE", "off")
    setting = CliRunner().invoke(main, ["resolve", "Moscow"])
    assert flag.stderr == setting.stderr == f"Error: {message}\n"
    assert (flag.exit_code, setting.exit_code) == (1, 1)
    data = write("d.yaml", "legs:\n  - {from: Moscow, to: Dunay, mode: rail}\n")
    checked = CliRunner().invoke(main, ["validate", str(data), "--no-routes"])
    assert checked.exit_code == 1 and "Unknown place 'Moscow'" in checked.stderr


def test_a_misspelt_name_suggests_reference_places(gazetteer: Gazetteer) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("Astrakhn")
    assert str(caught.value).startswith("Unknown place 'Astrakhn'; did you mean 'Astrakhan, RU'")


def test_resolve_shows_where_a_place_comes_from() -> None:
    result = CliRunner().invoke(main, ["resolve", "Makhachkala", "--mode", "sea", "--json"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["id"], record["kind"]) == ("UNLOCODE:RUMCX", "port")
    assert record["resolved_from"].startswith("UNLOCODE:RUMCX, from searoute's port list")
    curated = json.loads(CliRunner().invoke(main, ["resolve", "Najin", "--json"]).stdout)
    assert curated["resolved_from"] is None


CASPIAN = """\
title: Caspian case by name only
sources:
  s: {title: "[made up]", publisher: nobody}
legs:
  - {from: Amirabad, to: Makhachkala, mode: sea, depart: 2022-10, volume: 300, unit: drones,
     sources: [s]}
  - {from: Makhachkala, to: Yelabuga, mode: rail, depart: 2022-11, sources: [s]}
  - {from: IKA, to: VKO, mode: air, depart: 2022-08, sources: [s]}
  - {from: Astrakhan, to: Moscow, mode: rail, depart: 2022-12, sources: [s]}
"""


def test_the_caspian_case_works_without_typing_a_coordinate(
    write: Callable[[str, str], Path], tmp_path: Path
) -> None:
    data = write("caspian.yaml", CASPIAN)
    checked = CliRunner().invoke(main, ["validate", str(data)])
    assert checked.exit_code == 0, checked.stderr
    # Makhachkala is one site, the port, for the sea leg and the rail leg that goes on from it
    assert checked.stderr.splitlines()[0] == (
        f"{data}: note: 6 places come from the reference layers, not from a gazetteer "
        "(Makhachkala (UNLOCODE:RUMCX, port point), Yelabuga (geonames:468082, city "
        "centroid), Imam Khomeini International Airport (IATA:IKA, airport reference point), "
        "Vnukovo International Airport (IATA:VKO, airport reference point), Astrakhan "
        "(geonames:580497, city centroid) and 1 more); for exact positions copy one into your "
        "gazetteer with 'shiproute gazetteer add ID --from UNLOCODE:RUMCX' and move it")
    legs = json.loads(CliRunner().invoke(main, ["legs", str(data), "--format", "json"]).stdout)
    assert [(r["id"], r["from"], r["to"]) for r in legs["rows"]] == [
        ("amirabad-makhachkala-sea-2022-10", "amirabad", "UNLOCODE:RUMCX"),
        ("makhachkala-yelabuga-rail-2022-11", "UNLOCODE:RUMCX", "geonames:468082"),
        ("ika-vko-air-2022-08", "IATA:IKA", "IATA:VKO"),
        ("astrakhan-moscow-rail-2022-12", "geonames:580497", "geonames:524901"),
    ]
    page = tmp_path / "c.html"
    rendered = CliRunner().invoke(main, ["render", str(data), "-o", str(page)])
    assert rendered.exit_code == 0, rendered.stderr
    html = page.read_text(encoding="utf-8")
    assert "City centroid from GeoNames" in html
    assert ("places no gazetteer has: searoute&#x27;s port list (UN/LOCODE) (Apache-2.0 "
            "(searoute)), GeoNames cities15000 (CC BY 4.0 (GeoNames))") in html
    exported = tmp_path / "c.geojson"
    assert CliRunner().invoke(main, ["export", str(data), "--format", "geojson", "-o",
                                     str(exported)]).exit_code == 0
    sites = {f["properties"]["id"]: f["properties"] for f in
             json.loads(exported.read_text(encoding="utf-8"))["features"]
             if f["properties"]["feature"] == "site"}
    assert sites["IATA:IKA"]["note"].startswith("Airport reference point from airportsdata")


def test_gazetteer_add_from_a_reference_place(write: Callable[[str, str], Path]) -> None:
    mine = write("mine.yaml", "sites: {}\n")
    added = CliRunner().invoke(main, ["gazetteer", "add", "vnukovo", "--from", "IATA:VKO",
                                      "--alias", "VKO", "--gazetteer", str(mine)])
    assert added.exit_code == 0, added.stderr
    site = load_gazetteer([mine])["vnukovo"]
    assert (site.name, site.kind, site.country, site.aliases) == (
        "Vnukovo International Airport", "airfield", "RU", ("VKO",))
    assert _km(site.lat, site.lon, 55.59, 37.26) < 3
    assert site.note == (f"Copied on {dt.date.today().isoformat()} from IATA:VKO (airport "
                         "reference point, airportsdata (IATA/ICAO)); move it to the exact "
                         "apron or terminal.")
    bad = CliRunner().invoke(main, ["gazetteer", "add", "x", "--from", "IATA:QQQ",
                                    "--gazetteer", str(mine)])
    assert bad.exit_code == 2 and "no reference place 'IATA:QQQ'" in bad.stderr
    bare = CliRunner().invoke(main, ["gazetteer", "add", "x", "--name", "X", "--gazetteer",
                                     str(mine)])
    assert bare.exit_code == 2
    assert "missing --lat, --lon, --kind, --country (or give --from REF" in bare.stderr


def test_gazetteer_path_lists_the_reference_layers_with_licences() -> None:
    shown = CliRunner().invoke(main, ["gazetteer", "path"]).stdout.splitlines()
    assert shown[0].endswith("[bundled] (read-only)")
    assert shown[1].startswith("reference layers, for names no gazetteer has (")
    assert [line.split(":")[0] for line in shown[2:]] == ["2. ports", "3. airports", "4. cities"]
    assert shown[4].endswith("licence CC BY 4.0 (GeoNames)")
    off = CliRunner().invoke(main, ["gazetteer", "path", "--no-reference"]).stdout
    assert off.splitlines()[-1] == ("reference layers: off (--no-reference or "
                                    "SHIPROUTE_REFERENCE=off)")
