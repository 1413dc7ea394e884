"""The leg graph and the questions later analysis asks of it."""

from __future__ import annotations

from collections.abc import Callable
import math
from pathlib import Path

import pytest

from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.graph import build_graph, chains, legs_between, legs_through, total_volume
from shiproute.routes.load import bundled_dataset_path, read_dataset


@pytest.fixture(scope="module")
def graph(gazetteer: Gazetteer):  # type: ignore[no-untyped-def]
    return build_graph(read_dataset(bundled_dataset_path(), gazetteer))


def test_nodes_are_sites_and_edges_are_legs_keyed_by_id(graph) -> None:  # type: ignore[no-untyped-def]
    assert graph.number_of_nodes() == 9
    assert graph.number_of_edges() == 4
    assert graph.nodes["rajin"]["kind"] == "port"
    edge = graph.edges["rajin", "dunay", "angara-rajin-dunay"]
    assert edge["mode"] == "sea" and edge["volume"].value == 300


def test_legs_between_and_through_a_site(graph) -> None:  # type: ignore[no-untyped-def]
    assert [leg.id for leg in legs_between(graph, "rajin", "dunay")] == ["angara-rajin-dunay"]
    assert legs_between(graph, "dunay", "rajin") == []
    assert len(legs_between(graph, "dunay", "rajin", both_ways=True)) == 1
    assert [leg.id for leg in legs_through(graph, "dunay")] == [
        "angara-rajin-dunay", "dunay-tikhoretsk-rail",
    ]
    with pytest.raises(KeyError):
        legs_through(graph, "nowhere")


def test_chain_rajin_dunay_tikhoretsk_is_found(graph) -> None:  # type: ignore[no-untyped-def]
    found = [[leg.id for leg in chain] for chain in chains(graph)]
    assert found == [["angara-rajin-dunay", "dunay-tikhoretsk-rail"]]


def test_chain_needs_the_onward_leg_to_leave_after_arrival(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("d.yaml", """
    legs:
      - {id: a, from: Rajin, to: Dunay, mode: sea, arrive: 2023-09-12}
      - {id: early, from: Dunay, to: Tikhoretsk, mode: rail, depart: 2023-09-01}
      - {id: late, from: Dunay, to: Khabarovsk, mode: rail, depart: 2023-09}
    """)
    graph = build_graph(read_dataset(path, gazetteer))
    assert [[leg.id for leg in c] for c in chains(graph)] == [["a", "late"]]


def test_total_volume_never_mixes_units_or_scopes(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("d.yaml", """
    legs:
      - {from: Rajin, to: Dunay, mode: sea, volume: 300, unit: containers}
      - {from: Rajin, to: Vladivostok, mode: sea, unit: containers,
         volume: {value: 2000, qualifier: about}}
      - {from: Rajin, to: Vladivostok, mode: sea, unit: containers,
         volume: {value: 1000, qualifier: more than, scope: total}}
      - {from: Pyongyang, to: Vladivostok, mode: air, volume: 5000, unit: shells}
      - {from: Tumangang, to: Khasan, mode: rail}
    """)
    graph = build_graph(read_dataset(path, gazetteer))
    totals = total_volume(leg for _u, _v, leg in graph.edges(data="leg"))
    assert {(t.unit, t.scope): (t.count, t.stated, t.low, t.high, t.label()) for t in totals} == {
        ("containers", "shipment"): (2, 2300, 1900, 2700, "1,900-2,700"),
        ("containers", "total"): (1, 1000, 1000, math.inf, "1,000 or more"),
        ("shells", "shipment"): (1, 5000, 5000, 5000, "5,000"),
    }
