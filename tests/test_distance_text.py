"""Distances as readers see them: whole km and nautical miles, halves rounded up, everywhere.

Exports keep the full precision; the map's popups, the folium bridge's popups
and ``shiproute route`` all show :meth:`Route.distance_label`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import shiproute as sr
from shiproute.maps.payload import build_payload

DATA = Path(__file__).parent / "data" / "two-distances.yaml"


@pytest.fixture(scope="module")
def routed() -> sr.RoutedDataset:
    return sr.route(sr.read_dataset(DATA), cache=False)


@pytest.mark.parametrize(("km", "label"), [
    (1202.5, "1,203 km (649 nmi)"),
    (1202.49, "1,202 km (649 nmi)"),
    (2372.0, "2,372 km (1,281 nmi)"),
    (0.4, "0 km (0 nmi)"),
    (1.852 * 650.5, "1,205 km (651 nmi)"),
])
def test_distance_label_gives_whole_km_and_nmi_with_halves_rounded_up(km: float,
                                                                     label: str) -> None:
    route = sr.Route(points=[(0.0, 0.0), (0.0, 1.0)], distance_km=km, source="test")
    assert route.distance_label() == label


def test_drawn_paths_measure_what_the_popups_show(routed: sr.RoutedDataset) -> None:
    assert routed.route("L1").distance_km == pytest.approx(1202.83, abs=0.01)
    assert routed.route("L2").distance_km == pytest.approx(2371.97, abs=0.01)


def test_folium_popups_give_distances_in_whole_km(routed: sr.RoutedDataset) -> None:
    import folium

    fmap = sr.to_folium(routed)
    (layer,) = [c for g in fmap._children.values() if isinstance(g, folium.FeatureGroup)
                for c in g._children.values() if isinstance(c, folium.GeoJson)]
    popups = [f["properties"]["popup"] for f in layer.data["features"]]
    assert "<tr><th>Distance</th><td>1,203 km (649 nmi)</td></tr>" in popups[0]
    assert "<tr><th>Distance</th><td>2,372 km (1,281 nmi)</td></tr>" in popups[1]


def test_map_data_carries_whole_km_and_nmi_for_the_popups(routed: sr.RoutedDataset) -> None:
    geoms = build_payload(routed)["geoms"]
    assert geoms["km"] == [1203, 2372] and geoms["nm"] == [649, 1281]


def test_exports_keep_distances_at_full_precision(routed: sr.RoutedDataset) -> None:
    frame = routed.legs_frame()
    assert list(frame["distance_km"]) == pytest.approx([1202.8276, 2371.9707], abs=1e-4)
