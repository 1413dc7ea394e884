"""Dataset validation reports every problem at once, each with its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shiproute.errors import DatasetError
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.load import bundled_dataset_path, parse_dataset, read_dataset

HEADER = """
sources:
  nsc: {title: NSC release, date: 2023-10-13}
legs:
"""


def _problems(write: Callable[[str, str], Path], gazetteer: Gazetteer, text: str) -> list[str]:
    path = write("d.yaml", text)
    dataset, problems = parse_dataset(path.read_bytes(), "d.yaml", gazetteer)
    assert dataset is None
    return [str(p) for p in problems]


@pytest.mark.parametrize(
    ("leg", "expected"),
    [
        ("  - {from: Tikhoretck, to: Dunay, mode: rail}",
         "d.yaml:4:12: leg 1: Unknown place 'Tikhoretck'; did you mean 'Tikhoretsk', "
         "'Tikhoretsk ammunition depot' or 'Tikhoretsk, RU'? Add it to the dataset's 'sites:' "
         "or to a --gazetteer file, or add an alias."),
        ("  - {from: Rajin, to: Dunay, mode: teleport}",
         "d.yaml:4:36: leg 1: unknown mode 'teleport'; use one of sea, rail, road, air"),
        ("  - {from: Rajin, to: Dunay, mode: rial}",
         "d.yaml:4:36: leg 1: unknown mode 'rial'; did you mean 'rail'?"),
        ("  - {from: Rajin, to: Dunay, mode: sea, sources: [nsx]}",
         "d.yaml:4:50: leg 1: unknown source 'nsx'; did you mean 'nsc'?"),
        ("  - {from: Rajin, to: Dunay, mode: sea, depart: 2023-13-01}",
         "d.yaml:4:49: leg 1: bad date in 'depart': '2023-13-01' is not a real date: "
         "month 13 is not 1-12"),
        ("  - {from: Rajin, to: Dunay, mode: sea, depart: 2023-09-12, arrive: 2023-09-08}",
         "d.yaml:4:69: leg 1: arrives (2023-09-08) before it departs (2023-09-12); "
         "check the dates"),
        ("  - {from: Rajin, to: Dunay, mode: sea, volume: -300}",
         "d.yaml:4:49: leg 1: volume -300 is negative; volumes count what moved"),
        ("  - {from: Rajin, to: Dunay, mode: sea, volume: lots}",
         "d.yaml:4:49: leg 1: 'lots' is not a quantity; write e.g. 300, about 300, 300-400, "
         "300+, more than 300, at least 300, at most 300"),
        ("  - {from: Rajin, to: Dunay, mode: sea, volume: {value: 3, qualifier: roughly}}",
         "d.yaml:4:57: leg 1: unknown qualifier 'roughly'; use one of exact, about, at least, "
         "more than, at most, less than"),
        ("  - {from: Rajin, to: Najin, mode: sea}",
         "d.yaml:4:23: leg 1: leg goes from 'rajin' to itself; check 'from' and 'to'"),
        ("  - {from: Rajin, to: Dunay, mode: sea, carier: Angara}",
         "d.yaml:4:41: leg 1: unknown field 'carier'; did you mean 'carrier'?"),
        ("  - {from: Rajin, to: Dunay}", "d.yaml:4:5: leg 1: missing field 'mode'"),
    ],
)
def test_each_leg_problem_is_reported_at_its_value(
    write: Callable[[str, str], Path], gazetteer: Gazetteer, leg: str, expected: str
) -> None:
    assert _problems(write, gazetteer, HEADER + leg + "\n") == [expected]


def test_every_problem_of_a_file_is_reported_at_once_in_line_order(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    text = HEADER + """\
  - id: a
    from: Rajin
    to: Dunay
    mode: sea
  - id: a
    from: Nowhere
    to: Dunay
    mode: boat
    sources: [missing]
events:
  - {at: Dunay, date: 2023-02-30, what: seen}
estimates:
  - {date: 2023-10-13, value: 1000, unit: containers}
"""
    assert _problems(write, gazetteer, text) == [
        "d.yaml:8:9: leg 'a': duplicate leg id 'a' (first at line 4)",
        "d.yaml:9:11: leg 'a': Unknown place 'Nowhere'. Add it to the dataset's 'sites:' or "
        "to a --gazetteer file, or add an alias.",
        "d.yaml:11:11: leg 'a': unknown mode 'boat'; use one of sea, rail, road, air",
        "d.yaml:12:14: leg 'a': unknown source 'missing'; define it under 'sources:'",
        "d.yaml:14:23: event 1: bad date in 'date': '2023-02-30' is not a real date: "
        "February 2023 has no day 30 (1-28)",
        "d.yaml:16:5: estimate 1: missing field 'claimant'",
    ]


def test_duplicate_keys_in_a_mapping_are_errors(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    text = HEADER + "  - from: Rajin\n    to: Dunay\n    mode: sea\n    to: Khasan\n"
    assert _problems(write, gazetteer, text) == [
        "d.yaml:7:5: duplicate key 'to' (first at line 5); remove one of them"
    ]


def test_ambiguous_site_lists_candidates(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    text = """
    sites:
      port-a: {name: Port A, aliases: [Harbour], kind: port, country: RU, lat: 43, lon: 132}
      port-b: {name: Port B, aliases: [Harbour], kind: port, country: RU,
               lat: 42.8, lon: 132.9}
    legs:
      - {from: Harbour, to: Dunay, mode: sea}
    """
    assert _problems(write, gazetteer, text) == [
        "d.yaml:3:3: site 'port-b': name or alias 'Harbour' also names site 'port-a' "
        "('Harbour'); it would be ambiguous",
        "d.yaml:6:12: leg 1: Place 'Harbour' is ambiguous: it names 'port-a' (Port A, RU), "
        "'port-b' (Port B, RU); use one of the ids",
    ]


def test_bad_site_in_dataset_sites_is_reported_with_swap_hint(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    text = """
    sites:
      depot-x: {name: Depot X, kind: depot, country: RU, lat: 132.3, lon: 42.9}
    """
    assert _problems(write, gazetteer, text) == [
        "d.yaml:2:59: site 'depot-x': latitude 132.3 is outside [-90, 90]; "
        "lat and lon look swapped"
    ]


def test_top_level_must_be_a_mapping(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    assert _problems(write, gazetteer, "- a\n- b\n") == [
        "d.yaml:1:1: a dataset must be a mapping of fields, not a list"
    ]


def test_unknown_top_level_key_is_a_warning_not_an_error(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("d.yaml", "title: T\nlgs: []\n")
    dataset, problems = parse_dataset(path.read_bytes(), "d.yaml", gazetteer)
    assert dataset is not None and dataset.title == "T"
    assert [str(p) for p in problems] == [
        "d.yaml:2:1: warning: unknown top-level key 'lgs' is ignored; did you mean 'legs'?"
    ]


def test_dataset_sites_extend_and_override_the_gazetteer(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("d.yaml", """
    sites:
      kamenny: {name: Kamenny, kind: rail_station, country: RU, lat: 45.88, lon: 40.04}
      dunay: {name: Dunay, kind: port, country: RU, lat: 42.9, lon: 132.4}
    legs:
      - {from: Dunay, to: Kamenny, mode: rail}
    """)
    dataset = read_dataset(path, gazetteer)
    assert dataset.legs[0].destination == "kamenny"
    assert dataset.sites["dunay"].lon == 132.4


def test_volume_forms_and_generated_ids(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("d.yaml", """
    legs:
      - {from: Rajin, to: Dunay, mode: sea, depart: 2023-09, volume: 300, unit: containers}
      - {from: Rajin, to: Dunay, mode: sea, depart: 2023-09, volume: "more than 1,000"}
      - {from: Rajin, to: Dunay, mode: sea, volume: {value: 2000, qualifier: about}}
    """)
    legs = read_dataset(path, gazetteer).legs
    assert [leg.id for leg in legs] == [
        "rajin-dunay-sea-2023-09", "rajin-dunay-sea-2023-09-2", "rajin-dunay-sea",
    ]
    assert [leg.volume.label(leg.unit) for leg in legs if leg.volume] == [
        "300 containers", "more than 1,000", "about 2,000",
    ]


def test_missing_file_is_a_dataset_error(tmp_path: Path, gazetteer: Gazetteer) -> None:
    with pytest.raises(DatasetError) as caught:
        read_dataset(tmp_path / "none.yaml", gazetteer)
    missing = tmp_path / "none.yaml"
    assert str(caught.value) == f"{missing}: can't read dataset: No such file or directory"


def test_drawn_paths_are_checked_with_their_line(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    text = """
    paths:
      coast: [[42.2, 130.3], [42.9, 132.3]]
      broken: [[42.2, 130.3]]
    legs:
      - {from: Rajin, to: Dunay, mode: sea, path: coats}
      - {from: Rajin, to: Dunay, mode: sea, path: [[42.2, 130.3], [142.9, 32.3]]}
    """
    assert _problems(write, gazetteer, text) == [
        "d.yaml:3:11: path 'broken': a path is a list of at least two [lat, lon] pairs in "
        "decimal degrees",
        "d.yaml:5:47: leg 1: unknown path 'coats'; did you mean 'coast'?",
        "d.yaml:6:47: leg 2: path point 2 (142.9, 32.3) is out of range; a path is a list of "
        "at least two [lat, lon] pairs in decimal degrees",
    ]


def test_fast_and_positional_readers_give_the_same_dataset(gazetteer: Gazetteer) -> None:
    from shiproute.routes.load import _fast_parse

    data = bundled_dataset_path().read_bytes()
    fast = _fast_parse(data, "seeds.yaml", gazetteer)
    slow, problems = parse_dataset(data, "seeds.yaml", gazetteer)
    assert fast is not None and slow is not None and problems == []
    assert fast.legs == slow.legs and fast.events == slow.events
    assert fast.estimates == slow.estimates and dict(fast.sources) == dict(slow.sources)


def test_file_the_fast_reader_rejects_is_reported_with_positions(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("d.yaml", "legs:\n  - {from: Rajin, to: Dunay, mode: sea}\nlegs: []\n")
    with pytest.raises(DatasetError) as caught:
        read_dataset(path, gazetteer)
    assert str(caught.value) == (
        f"{path}:3:1: duplicate key 'legs' (first at line 1); remove one of them"
    )


VOLGA = """\
sites:
  volgograd: {name: Volgograd river port, kind: port, country: RU, lat: 48.70, lon: 44.52}
  aktau: {name: Aktau port, kind: port, country: KZ, lat: 43.60, lon: 51.20}
legs:
  - {from: Volgograd river port, to: Aktau port, mode: sea, depart: 2023-05}
"""


def test_validate_warns_of_an_inland_port_a_land_route_and_no_source_and_strict_fails(
    write: Callable[[str, str], Path]
) -> None:
    # the lower Volga is a waterway, but this "port" lies 14 km from the waterway's
    # centreline (where the Volga-Don canal leaves the Volga): that much land is flagged
    from click.testing import CliRunner

    from shiproute.cli import main

    path = write("volga.yaml", VOLGA)
    warnings = [
        f"{path}:2:73: warning: site 'volgograd': port at 48.7, 44.52 lies 390 km from the "
        "coast; if it is a river or lake port this is fine, else check its coordinates",
        f"{path}: warning: 1 leg cites no source (volgograd-aktau-sea-2023-05); add "
        "'sources: [id]' naming the report",
    ]
    lenient = CliRunner().invoke(main, ["validate", str(path)])
    assert lenient.exit_code == 0
    lines = lenient.stderr.splitlines()
    assert lines[:2] == warnings and len(lines) == 3
    assert lines[2].startswith(f"{path}: warning: sea leg 'volgograd-aktau-sea-2023-05' "
                               "(Volgograd river port -> Aktau port) crosses ")
    assert 5 < float(lines[2].split(" crosses ")[1].split(" km")[0].replace(",", "")) < 30
    assert lenient.stdout == (f"{path}: OK: 1 leg, 2 sites, 0 sources, 0 events, "
                              "0 estimates; 3 warnings\n")
    strict = CliRunner().invoke(main, ["validate", str(path), "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[-1] == (f"Error: {path}: 3 warnings (--strict makes them "
                                              "errors)")
    quick = CliRunner().invoke(main, ["validate", str(path), "--no-routes"])
    assert quick.stderr.splitlines() == warnings
