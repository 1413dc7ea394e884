"""The route cache and the Router: hits skip routing, a moved site misses only its legs,
identical requests are routed once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.cache import RouteCache, data_version
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.model import Route
from shiproute.routes.router import Router
from shiproute.routes.routing import RouteRequest, request_for


def _requests(gazetteer: Gazetteer) -> dict[str, RouteRequest]:
    dataset = read_dataset(bundled_dataset_path(), gazetteer)
    return {leg.id: request_for(leg, dataset.sites) for leg in dataset.legs}


def _count_routed(requests: dict[str, RouteRequest], cache: RouteCache | None
                  ) -> tuple[int, dict[str, Route]]:
    calls: list[tuple[int, int]] = []
    routes = Router(cache, progress=lambda done, total: calls.append((done, total))
                    ).route_requests(list(requests.values()))
    if calls:
        assert calls[-1][0] == calls[-1][1]  # the progress always ends at 100 %
    return (calls[-1][1] if calls else 0), dict(zip(requests, routes, strict=True))


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
    _count, routes = _count_routed(requests, RouteCache(blocker / "cache", "v"))
    assert routes["angara-rajin-dunay"].distance_km > 150
    assert "can't write route cache" in caplog.text


def test_identical_requests_are_routed_once_and_share_one_route(gazetteer: Gazetteer) -> None:
    request = _requests(gazetteer)["rajin-vladivostok-2023"]
    other = _requests(gazetteer)["angara-rajin-dunay"]
    count, _ = _count_routed({"a": request, "b": request, "c": other, "d": request}, None)
    assert count == 2
    first, second, _third, fourth = Router().route_requests([request, request, other, request])
    assert first is second is fourth


def test_routed_dataset_stores_each_distinct_route_once(
    gazetteer: Gazetteer, write: Callable[[str, str], Path]
) -> None:
    legs = "\n".join(f"  - {{from: Rajin, to: Vladivostok, mode: air, depart: 2023-09-{d:02d}}}"
                     for d in range(1, 11))
    dataset = read_dataset(write("d.yaml", "legs:\n" + legs + "\n"), gazetteer)
    routed = Router().route_dataset(dataset)
    assert len(routed.geometries) == 1 and len(routed.routes) == 10
    assert {id(route) for route in routed.routes.values()} == {id(routed.geometries[0])}


def test_progress_counts_every_distinct_route_and_ends_at_the_total(
    gazetteer: Gazetteer, tmp_path: Path
) -> None:
    # rail routes finish in one batch, the rest one by one: the bar must still end full
    calls: list[tuple[int, int]] = []
    dataset = read_dataset(bundled_dataset_path(), gazetteer)
    Router(RouteCache(tmp_path, "v"), progress=lambda done, total: calls.append((done, total))
           ).route_dataset(dataset)
    assert calls[-1] == (4, 4)  # 2 rail + 2 sea distinct routes
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert {total for _, total in calls} == {4}
    calls.clear()
    Router(RouteCache(tmp_path, "v"), progress=lambda done, total: calls.append((done, total))
           ).route_dataset(dataset)
    assert calls == []  # all cached: no bar
