"""The route cache and the Router: hits skip routing, a moved site misses only its legs,
identical requests are routed once, a damaged cache is a logged miss, and processes
killed or running at once leave it whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
import signal
import subprocess
import sys

import pytest

from shiproute.gazetteer.resolve import Gazetteer
from shiproute.routes.cache import FILE_NAME, RouteCache, data_version
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.model import Route
from shiproute.routes.router import Router
from shiproute.routes.routing import RouteRequest, Stop, request_for

from helpers import cache_entries, set_cache_entry


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
    assert len(cache_entries(tmp_path)) == 4


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
    key = cache.key(requests["angara-rajin-dunay"])
    clean = cache_entries(tmp_path)[key]
    set_cache_entry(tmp_path, key, b'{"lines": [2', clean[1])
    count, routes = _count_routed(requests, cache)
    assert count == 1
    assert routes["angara-rajin-dunay"].distance_km > 150
    assert cache_entries(tmp_path)[key] == clean


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


@pytest.mark.parametrize("damage", ["not a database", "cut in half"])
def test_a_damaged_cache_file_is_a_logged_miss_and_is_replaced(
    damage: str, gazetteer: Gazetteer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RouteCache(tmp_path, data_version())
    requests = _requests(gazetteer)
    _count, first = _count_routed(requests, cache)
    file = tmp_path / FILE_NAME
    data = file.read_bytes()
    file.write_bytes(b"not a database\n" * 1000 if damage == "not a database"
                     else data[:len(data) // 2])
    _count, routes = _count_routed(requests, cache)
    assert routes == first
    assert f"ignoring unreadable route cache {file}" in caplog.text
    assert f"replacing damaged route cache {file}" in caplog.text
    caplog.clear()
    count, routes = _count_routed(requests, RouteCache(tmp_path, data_version()))
    assert (count, routes, caplog.text) == (0, first, "")


WRITER = """
import sys
from pathlib import Path
from shiproute.routes.cache import RouteCache
from shiproute.routes.model import Route
from shiproute.routes.routing import RouteRequest, Stop

cache, first, count = RouteCache(Path(sys.argv[1]), "v"), int(sys.argv[2]), int(sys.argv[3])
for batch in range(first, first + count, 50):
    cache.put_many({RouteRequest("air", (Stop("a", i / 1e4, 0.0, "RU"), Stop("b", 1, 1, "RU"))):
                    Route([(i / 1e4, 0.0)] * 500 + [(1.0, 1.0)], i, "great circle")
                    for i in range(batch, batch + 50)})
    print(batch + 50, flush=True)
"""


def _synthetic(first: int, count: int) -> dict[RouteRequest, float]:
    """Return the requests :data:`WRITER` stores and the distance of each one's route."""
    return {RouteRequest("air", (Stop("a", i / 1e4, 0.0, "RU"), Stop("b", 1, 1, "RU"))): i
            for i in range(first, first + count)}


def _writer(tmp_path: Path, first: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(first), str(count)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_processes_writing_one_cache_at_once_lose_nothing(tmp_path: Path) -> None:
    writers = [_writer(tmp_path, first, 2000) for first in (0, 2000)]
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert (writer.returncode, err) == (0, "")
    expected = _synthetic(0, 4000)
    found = RouteCache(tmp_path, "v").get_many(expected)
    assert {request: route.distance_km for request, route in found.items()} == expected


def test_a_writer_killed_mid_write_leaves_whole_entries_or_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    writer = _writer(tmp_path, 0, 1_000_000)
    assert writer.stdout is not None
    for _ in range(5):  # five batches are committed, the sixth is being written
        done = int(writer.stdout.readline())
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    cache = RouteCache(tmp_path, "v")
    expected = _synthetic(0, 10_000)
    found = cache.get_many(expected)
    assert len(found) >= done and caplog.text == ""
    assert all(route.distance_km == expected[request] for request, route in found.items())
    cache.put_many({request: Route([(0.0, 0.0), (1.0, 1.0)], 1.0, "great circle")
                    for request in expected if request not in found})
    assert len(cache.get_many(expected)) == 10_000 and caplog.text == ""
