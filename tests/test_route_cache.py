"""The on-disk route cache: hits skip routing, a moved site misses only its legs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from gazetteer.resolve import Gazetteer
from routes.cache import RouteCache, cached_route_many, data_version
from routes.load import bundled_dataset_path, read_dataset
from routes.routing import RouteRequest, request_for


def _requests(gazetteer: Gazetteer) -> dict[str, RouteRequest]:
    dataset = read_dataset(bundled_dataset_path(), gazetteer)
    return {leg.id: request_for(leg, dataset.sites) for leg in dataset.legs}


def _count_routed(requests: dict[str, RouteRequest], cache: RouteCache) -> tuple[int, dict]:
    routed: list[int] = []
    routes = cached_route_many(requests, cache, progress=routed.append)
    return sum(routed), routes


def test_second_run_routes_nothing_and_gives_the_same_routes(
    gazetteer: Gazetteer, tmp_path: Path
) -> None:
    cache = RouteCache(tmp_path, data_version())
    requests = _requests(gazetteer)
    first_count, first = _count_routed(requests, cache)
    second_count, second = _count_routed(requests, cache)
    assert (first_count, second_count) == (4, 0)
    assert second == first
    assert len(list(tmp_path.rglob("*.json"))) == 4


def test_moved_site_invalidates_only_its_legs(gazetteer: Gazetteer, tmp_path: Path) -> None:
    cache = RouteCache(tmp_path, data_version())
    requests = _requests(gazetteer)
    _count_routed(requests, cache)
    moved = {}
    for leg_id, request in requests.items():
        stops = tuple(replace(s, lat=s.lat + 0.01) if s.name == "Tumangang" else s
                      for s in request.stops)
        moved[leg_id] = replace(request, stops=stops)
    count, routes = _count_routed(moved, cache)
    assert count == 1
    assert routes["tumangang-khasan-rail-2023-10"].points[0] == (42.427, 130.6)


def test_new_data_version_misses_everything(gazetteer: Gazetteer, tmp_path: Path) -> None:
    requests = _requests(gazetteer)
    _count_routed(requests, RouteCache(tmp_path, "old"))
    count, _ = _count_routed(requests, RouteCache(tmp_path, "new"))
    assert count == 4


def test_corrupt_entry_is_a_miss_and_is_rewritten(gazetteer: Gazetteer, tmp_path: Path) -> None:
    cache = RouteCache(tmp_path, data_version())
    requests = {k: v for k, v in _requests(gazetteer).items() if k == "angara-rajin-dunay"}
    _count_routed(requests, cache)
    path = cache.path(requests["angara-rajin-dunay"])
    path.write_bytes(b'{"points": [[1, 2]')
    count, routes = _count_routed(requests, cache)
    assert count == 1
    assert routes["angara-rajin-dunay"].distance_km > 150
    assert b'"distance_km"' in path.read_bytes()


def test_unwritable_cache_still_routes(
    gazetteer: Gazetteer, tmp_path: Path, write: Callable[[str, str], Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = write("not-a-dir", "x")
    requests = {k: v for k, v in _requests(gazetteer).items() if k == "angara-rajin-dunay"}
    routes = cached_route_many(requests, RouteCache(blocker / "cache", "v"))
    assert routes["angara-rajin-dunay"].distance_km > 150
    assert "can't write route cache" in caplog.text
