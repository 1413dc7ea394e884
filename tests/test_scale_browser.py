"""A map of 10,000 legs, drawn on a canvas, in a real headless Chromium offline.

The dataset is generated from a fixed seed: 500 drawn routes (``paths:``, so
nothing is routed), short east-west lines on a grid with room between them,
each followed by 20 legs dated through 2023, and 10 sites on a row south of
the grid. From 2,000 legs on, the map draws legs, arrows and sites on one
canvas, so these tests read what the reader sees from the canvas's pixels and
from real mouse clicks at points computed with the map's own projection.
"""

from __future__ import annotations

from collections.abc import Callable
import datetime as dt
from pathlib import Path
import random
import re
from typing import Any

from click.testing import CliRunner
import pytest

from shiproute.cli import main

from browser import MAIN, Visit, canvas_point, click_canvas, deadline, grid_dataset

SEED = 20261130
COLUMNS, ROWS, LEGS_PER_ROUTE = 20, 25, 20
ROUTES = COLUMNS * ROWS
LEGS = ROUTES * LEGS_PER_ROUTE
YEAR = dt.date(2023, 1, 1)


def _route(n: int) -> tuple[float, float, float]:
    """Return the latitude and the west and east longitudes of route ``n`` of the grid."""
    row, column = divmod(n, COLUMNS)
    return 57.5 + 0.5 * row, 60.0 + 3 * column, 62.0 + 3 * column


def _departures() -> list[dt.date]:
    """Return the departure day of every leg (leg ``i`` follows route ``i // 20``)."""
    rng = random.Random(SEED)
    return [YEAR + dt.timedelta(days=rng.randrange(365)) for _ in range(LEGS)]


def _dataset() -> str:
    return grid_dataset("ten thousand legs", [_route(n) for n in range(ROUTES)], _departures(),
                        LEGS_PER_ROUTE)


@pytest.fixture(scope="module")
def big_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scale")
    data, out = folder / "legs.yaml", folder / "map.html"
    data.write_text(_dataset(), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", str(data), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    return out


CANVAS = f"{MAIN} .leaflet-srSites-pane canvas"

PAINTED = """([canvasSelector, routes]) => new Promise(done => requestAnimationFrame(
    () => requestAnimationFrame(() => {
      const map = document.querySelector('.sr-root').srMap;
      const canvas = document.querySelector(canvasSelector);
      const box = canvas.getBoundingClientRect();
      const origin = map.getContainer().getBoundingClientRect();
      const scale = canvas.width / box.width, pixels = canvas.getContext('2d');
      done(routes.map(([lat, lon]) => {
        const p = map.latLngToContainerPoint([lat, lon]);
        const x = (origin.left + p.x - box.left) * scale, y = (origin.top + p.y - box.top) * scale;
        return pixels.getImageData(Math.round(x), Math.round(y), 1, 1).data[3] > 0;
      }));
    })))"""
"""Whether the canvas is painted at each (lat, lon), once the next frame is drawn."""

def _middles() -> list[tuple[float, float]]:
    return [(lat, (west + east) / 2) for lat, west, east in map(_route, range(ROUTES))]


def _click_route(page: Any, n: int) -> str | None:
    """Click the middle of route ``n``; return the popup's text, or None if none opens."""
    return click_canvas(page, _middles()[n])


def _uncovered(page: Any, routes: list[int]) -> list[int]:
    return [n for n in routes if canvas_point(page, _middles()[n])]


def _leg_ids(text: str) -> set[str]:
    return set(re.findall(r"Leg id\s+(L\d+)", text))


def test_ten_thousand_legs_draw_on_one_canvas_offline_with_no_error(
    visit: Callable[[Path], Visit], big_map: Path
) -> None:
    seen = visit(big_map)
    with deadline(20):
        painted = seen.page.evaluate(PAINTED, [CANVAS, _middles()])
        gaps = [(lat + 0.25, west + 2.5) for lat, west, _ in map(_route, range(ROUTES))]
        between = seen.page.evaluate(PAINTED, [CANVAS, gaps])
    assert seen.requests == [] and seen.errors == []
    assert seen.count(CANVAS) == 1
    assert seen.count(f"{MAIN} path.sr-leg, {MAIN} path.sr-hit, {MAIN} path.sr-site") == 0
    assert seen.page.locator(".sr-count").inner_text() == f"{LEGS} of {LEGS} legs shown"
    assert sum(painted) == ROUTES  # every route's line is drawn ...
    assert sum(between) == 0  # ... and nothing in the gaps between them


def test_click_on_a_canvas_line_opens_the_popup_of_its_legs(
    visit: Callable[[Path], Visit], big_map: Path
) -> None:
    seen = visit(big_map)
    with deadline(20):
        routes = _uncovered(seen.page, [0, 137, 262, 499])
        point = canvas_point(seen.page, _middles()[routes[0]])
        assert point is not None  # routes[0] is uncovered
        seen.page.mouse.move(*point)  # the pointer turns into a hand over a line
        seen.page.wait_for_function(f"() => document.querySelector('{CANVAS}')"
                                    ".classList.contains('leaflet-interactive')", timeout=5000)
        texts = {n: _click_route(seen.page, n) for n in routes}
    assert len(routes) >= 3
    for n, text in texts.items():
        assert text is not None
        legs = {f"L{i}" for i in range(n * LEGS_PER_ROUTE, (n + 1) * LEGS_PER_ROUTE)}
        assert _leg_ids(text) == legs
        assert "Stop " in text and "containers" in text
    assert seen.errors == [] and seen.requests == []


def test_time_slider_on_the_canvas_keeps_only_the_legs_and_lines_in_the_window(
    visit: Callable[[Path], Visit], big_map: Path
) -> None:
    departures = _departures()
    end = YEAR + dt.timedelta(days=19)  # 1-20 Jan 2023
    shown = [i for i, day in enumerate(departures) if day <= end]
    routes = sorted({i // LEGS_PER_ROUTE for i in shown})
    hidden = sorted(set(range(ROUTES)) - set(routes))
    seen = visit(big_map)
    with deadline(25):
        seen.page.evaluate("""(day) => {
            const end = document.querySelector('.sr-end');
            end.value = day;
            end.dispatchEvent(new Event('input'));
        }""", (end - dt.date(1970, 1, 1)).days)
        count = seen.page.locator(".sr-count").inner_text()
        painted = seen.page.evaluate(PAINTED, [CANVAS, _middles()])
        open_routes = _uncovered(seen.page, routes)[:2]
        closed_routes = _uncovered(seen.page, hidden)[:2]
        texts = {n: _click_route(seen.page, n) for n in open_routes + closed_routes}
    assert count == f"{len(shown)} of {LEGS} legs shown"
    assert [n for n in range(ROUTES) if painted[n]] == routes
    assert len(hidden) > 50 and len(open_routes) == 2 and len(closed_routes) == 2
    for n in open_routes:  # the popup lists the legs in the window only
        text = texts[n]
        assert text is not None
        assert _leg_ids(text) == {f"L{i}" for i in shown if i // LEGS_PER_ROUTE == n}
    assert [texts[n] for n in closed_routes] == [None, None]  # a hidden line takes no click
    assert seen.errors == []


BURST = """(days) => new Promise(done => {
    const end = document.querySelector('.sr-end'), count = document.querySelector('.sr-count');
    const seen = [];
    const watch = new MutationObserver(records => records.forEach(
        r => r.addedNodes.forEach(node => seen.push(node.textContent))));
    watch.observe(count, {childList: true});
    for (const day of days) {  // one task, as a fast drag delivers them
      end.value = day;
      end.dispatchEvent(new Event('input'));
    }
    requestAnimationFrame(() => requestAnimationFrame(() => {
      watch.disconnect();
      done(seen);
    }));
})"""
"""Move the slider through ``days`` in one task; resolve with every text the leg count
showed until two frames later."""


def test_a_burst_of_slider_moves_refilters_once_more_for_the_last_position_only(
    visit: Callable[[Path], Visit], big_map: Path
) -> None:
    departures = _departures()
    ends = [YEAR + dt.timedelta(days=n) for n in (300, 200, 100, 19)]
    shown = {end: sum(day <= end for day in departures) for end in ends}
    last = [i for i, day in enumerate(departures) if day <= ends[-1]]
    routes = sorted({i // LEGS_PER_ROUTE for i in last})
    seen = visit(big_map)
    with deadline(25):
        counts = seen.page.evaluate(BURST, [(end - dt.date(1970, 1, 1)).days for end in ends])
        painted = seen.page.evaluate(PAINTED, [CANVAS, _middles()])
        label = seen.page.locator(".sr-window").inner_text()
    # the first move is handled at once, the three behind it in the next frame as one
    assert counts == [f"{shown[ends[0]]} of {LEGS} legs shown",
                      f"{shown[ends[-1]]} of {LEGS} legs shown"]
    assert label.endswith("20 Jan 2023")
    assert [n for n in range(ROUTES) if painted[n]] == routes
    assert seen.errors == []
