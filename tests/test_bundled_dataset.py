"""The bundled dataset holds what the five reference reports document."""

from __future__ import annotations

import pytest

from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.model import Dataset


@pytest.fixture(scope="module")
def seeds(gazetteer: Gazetteer) -> Dataset:
    return read_dataset(bundled_dataset_path(), gazetteer)


def test_sea_and_rail_legs_of_the_reports_are_all_there(seeds: Dataset) -> None:
    legs = {(leg.origin, leg.destination, leg.mode) for leg in seeds.legs}
    assert legs == {
        ("rajin", "dunay", "sea"),
        ("dunay", "tikhoretsk-depot", "rail"),
        ("rajin", "vladivostok", "sea"),
        ("tumangang", "khasan", "rail"),
    }


def test_angara_leg_keeps_dates_volume_carrier_and_the_report_s_place_name(
    seeds: Dataset
) -> None:
    (angara,) = [leg for leg in seeds.legs if leg.carrier and "Angara" in leg.carrier]
    assert angara.depart is not None and angara.depart.label() == "8-12 Sep 2023"
    # the photo of 12 Sep shows the ship already moored: it arrived on or before that day
    assert angara.arrive is not None and angara.arrive.label() == "on or before 12 Sep 2023"
    assert angara.volume is not None and angara.volume.label(angara.unit) == "about 300 containers"
    assert angara.origin == "rajin" and angara.origin_reported_as == "Nakhodka"
    (photo,) = [e for e in seeds.events if e.site == "rajin" and e.date.iso() == "2023-09-08"]
    assert photo.reported_as == "Nakhodka"


def test_inferred_legs_say_so_and_why(seeds: Dataset) -> None:
    basis = {leg.id: leg.basis for leg in seeds.legs}
    assert basis == {"angara-rajin-dunay": "inferred", "dunay-tikhoretsk-rail": "inferred",
                     "rajin-vladivostok-2023": "reported",
                     "tumangang-khasan-rail-2023-10": "inferred"}
    assert all(leg.reasoning for leg in seeds.legs if leg.basis == "inferred")


def test_the_aggregate_figure_is_a_total_not_a_shipment(seeds: Dataset) -> None:
    scopes = {leg.id: leg.volume.scope for leg in seeds.legs if leg.volume}
    assert scopes == {"angara-rajin-dunay": "shipment", "rajin-vladivostok-2023": "total"}


def test_conflicting_container_claims_are_kept_side_by_side(seeds: Dataset) -> None:
    claims = [
        (f"{e.volume.text()} {e.unit}", e.date.label())
        for e in seeds.estimates if e.unit == "containers"
    ]
    assert claims == [
        ("more than 1,000 containers", "13 Oct 2023"),
        ("about 2,000 containers", "on or after Oct 2023"),
        ("7,000 containers", "Mar 2024"),
        ("at least 10,000 containers", "Mar 2024"),
    ]
    shells = [e for e in seeds.estimates if e.unit == "artillery shells"]
    assert [f"{e.volume.text()} {e.unit}" for e in shells] == [
        "more than 1,000,000 artillery shells"]
    assert all(e.volume.scope == "total" for e in seeds.estimates)


def test_every_fact_cites_a_source_and_every_report_is_cited(seeds: Dataset) -> None:
    cited = [leg.sources for leg in seeds.legs] + [e.sources for e in seeds.events]
    cited += [e.sources for e in seeds.estimates]
    assert all(cited)
    used = {source for group in cited for source in group}
    assert used == set(seeds.sources)
    assert len(seeds.sources) == 5
    notes = " ".join(s.note or "" for s in seeds.sources.values())
    for reference in ("000_198e213a7ab169dc", "001_2da17d250e778647", "002_9f5075cad11f7ce6",
                      "003_5a83056925fe6b97", "004_e0fa7167e2d904a2"):
        assert reference in notes


def test_dated_observations_at_the_transfer_sites(seeds: Dataset) -> None:
    observed = {(e.site, e.date.iso()) for e in seeds.events}
    assert {("rajin", "2023-09-08"), ("dunay", "2023-09-12"),
            ("tikhoretsk-depot", "2023-10-01")} <= observed


def test_kim_s_train_journey_is_placed_where_the_report_puts_it(seeds: Dataset) -> None:
    (kim,) = [e for e in seeds.events if e.date.iso() == "2023-09-11"]
    assert kim.site == "vladivostok" and kim.basis == "reported"


def test_source_titles_written_by_the_dataset_are_marked_descriptive(seeds: Dataset) -> None:
    summary = seeds.sources["nis-summary-2023"]
    assert summary.title.startswith("[") and summary.title.endswith("]")
    assert summary.publisher is None
