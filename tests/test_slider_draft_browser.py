"""A slider drag on a canvas map with many line points: a draft while it moves, then in full.

Two maps from a fixed seed, drawn on a canvas (2,000 legs and more). Both have
100 measured routes: straight east-west lines on a grid, each followed by 20
legs dated through 2023 with a stated volume, so each shown line is 3 px wide
or more in full. The big map adds 150 zigzag routes south of the grid, each
with one leg that spans the whole year (shown in any window), whose 300 points
a line survive Leaflet's simplification: about 45,000 stroked points, above
the 30,000 from which the map draws a draft of 1-px lines while the slider
moves (``DRAFT_POINTS`` in maps/assets/shiproute.js). The small map, without
them, strokes a few hundred.

The width a line is drawn with is read from the canvas's pixels: the ink of a
pixel column across the middle of a straight line (the sum of its alpha
values, over 255) is the line's width times its opacity.
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

SEED = 20261201
COLUMNS, ROWS, LEGS_PER_ROUTE = 10, 10, 20
ROUTES = COLUMNS * ROWS
LEGS = ROUTES * LEGS_PER_ROUTE
ZIGZAGS = 150
YEAR = dt.date(2023, 1, 1)
CANVAS = f"{MAIN} .leaflet-srSites-pane canvas"


def _route(n: int) -> tuple[float, float, float]:
    """Return the latitude and the west and east longitudes of measured route ``n``."""
    row, column = divmod(n, COLUMNS)
    return 60.0 + row, 60.0 + 6 * column, 64.0 + 6 * column


def _departures() -> list[dt.date]:
    """Return the departure day of every measured leg (leg ``i`` follows route ``i // 20``)."""
    rng = random.Random(SEED)
    return [YEAR + dt.timedelta(days=rng.randrange(365)) for _ in range(LEGS)]


def _zigzag(k: int) -> str:
    lat = 44.0 + 0.04 * k
    points = [f"[{lat + (0.3 if j % 2 else 0.0):.2f}, {60 + 0.2 * j:.1f}]" for j in range(301)]
    return "[" + ", ".join(points) + "]"


def _dataset(zigzags: int) -> str:
    return grid_dataset(
        "slider drafts", [_route(n) for n in range(ROUTES)], _departures(), LEGS_PER_ROUTE,
        paths=[f"  z{k}: {_zigzag(k)}" for k in range(zigzags)],
        legs=[f"  - {{id: Z{k}, from: s0, to: s9, mode: rail, path: z{k}, "
              f"depart: 2023-01-01, arrive: 2023-12-31, sources: [r]}}" for k in range(zigzags)])


def _render(folder: Path, zigzags: int) -> Path:
    data, out = folder / "legs.yaml", folder / "map.html"
    data.write_text(_dataset(zigzags), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", str(data), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def big_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _render(tmp_path_factory.mktemp("draft-big"), ZIGZAGS)


@pytest.fixture(scope="module")
def small_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _render(tmp_path_factory.mktemp("draft-small"), 0)


def _days(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


STROKED = """() => document.querySelector('.sr-root').srContext.lines.reduce(
    (sum, entry) => sum + (entry.drawn ? entry.line._parts.reduce((n, p) => n + p.length, 0)
                                       : 0), 0)"""
"""The line points the canvas strokes for the shown lines."""

INK = """(routes) => {
    const map = document.querySelector('.sr-root').srMap;
    const canvas = document.querySelector('CANVAS');
    const box = canvas.getBoundingClientRect(), origin = map.getContainer().getBoundingClientRect();
    const scale = canvas.width / box.width, pixels = canvas.getContext('2d');
    return routes.map(([lat, lon]) => {
      const p = map.latLngToContainerPoint([lat, lon]);
      const x = Math.round((origin.left + p.x - box.left) * scale);
      const y = Math.round((origin.top + p.y - box.top) * scale);
      const column = pixels.getImageData(x, y - 12, 1, 25).data;
      let ink = 0;
      for (let i = 3; i < column.length; i += 4) { ink += column[i] / 255; }
      return ink;
    });
}""".replace("CANVAS", CANVAS)
"""The ink of the canvas's pixel column 25 px tall centred on each (lat, lon)."""

DRAG = """([days, ink]) => new Promise(done => {
    const end = document.querySelector('.sr-end'), count = document.querySelector('.sr-count');
    const measure = new Function('return ' + ink)();
    const counts = [];
    const step = (i) => {
      end.value = days[i];
      end.dispatchEvent(new Event('input'));
      counts.push(count.textContent);  // the count follows each move at once
      requestAnimationFrame(() => {  // after the map's redraw, asked for during the move
        if (i + 1 < days.length) { step(i + 1); return; }
        done({counts: counts, ink: measure(window.srRoutes)});
      });
    };
    step(0);
})"""
"""Move the slider's end through ``days``, one move a frame, as a drag does (no change
event: the slider is still held); resolve with the leg count after each move and the ink
at ``window.srRoutes`` once the last move is drawn."""

LET_GO = """() => new Promise(done => {
    document.querySelector('.sr-end').dispatchEvent(new Event('change'));
    requestAnimationFrame(() => requestAnimationFrame(() => done()));
})"""
"""Let the slider go and wait until the next frame is drawn."""

PICTURE = f"() => document.querySelector('{CANVAS}').toDataURL()"

DIFFERENT_PIXELS = """([a, b]) => Promise.all([a, b].map(url => new Promise(done => {
    const img = new Image();
    img.onload = () => {
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      done(g.getImageData(0, 0, c.width, c.height).data);
    };
    img.src = url;
}))).then(([x, y]) => {
    let n = 0;
    for (let i = 0; i < x.length; i += 4) {
      if ([0, 1, 2, 3].some(k => x[i + k] !== y[i + k])) { n++; }
    }
    return n;
})"""
"""How many pixels of two pictures (data URLs of one size) differ."""


def _middles(routes: list[int]) -> list[tuple[float, float]]:
    return [(lat, (west + east) / 2) for lat, west, east in map(_route, routes)]


def _window(end: dt.date) -> tuple[list[int], list[int], int]:
    """Return the measured routes shown and hidden in 1 Jan - ``end`` 2023, and the legs."""
    shown = [i for i, day in enumerate(_departures()) if day <= end]
    routes = sorted({i // LEGS_PER_ROUTE for i in shown})
    return routes, sorted(set(range(ROUTES)) - set(routes)), len(shown)


def _drag(page: Any, ends: list[dt.date], routes: list[int]) -> dict[str, Any]:
    page.evaluate("(r) => { window.srRoutes = r; }", [list(m) for m in _middles(routes)])
    result: dict[str, Any] = page.evaluate(DRAG, [[_days(e) for e in ends], INK])
    return result


def _set_window(page: Any, end: dt.date) -> None:
    """Move the slider's end to ``end`` and let it go at once (as a click on the track)."""
    page.evaluate("""(day) => {
        const end = document.querySelector('.sr-end');
        end.value = day;
        end.dispatchEvent(new Event('input'));
    }""", _days(end))
    page.evaluate(LET_GO)


def test_a_drag_on_a_big_map_draws_one_pixel_lines_then_the_full_picture_of_a_fresh_load(
    visit: Callable[[Path], Visit], big_map: Path
) -> None:
    ends = [YEAR + dt.timedelta(days=n) for n in (300, 120, 200, 19)]
    shown, hidden, legs = _window(ends[-1])
    seen = visit(big_map)
    with deadline(40):
        stroked = seen.page.evaluate(STROKED)
        loaded = seen.page.evaluate(PICTURE)
        full_before = seen.page.evaluate(INK, _middles(shown))
        dragged = _drag(seen.page, ends, shown + hidden)
        seen.page.evaluate(LET_GO)
        settled = seen.page.evaluate(INK, _middles(shown + hidden))
        picture = seen.page.evaluate(PICTURE)
        count = seen.page.locator(".sr-count").inner_text()
        # back to the whole year and let go: the picture the page loaded with
        _drag(seen.page, [YEAR + dt.timedelta(days=364)], [])
        seen.page.evaluate(LET_GO)
        reloaded = seen.page.evaluate(PICTURE)
        fresh = visit(big_map)
        _set_window(fresh.page, ends[-1])
        fresh_picture = fresh.page.evaluate(PICTURE)
        differ = seen.page.evaluate(DIFFERENT_PIXELS, [picture, fresh_picture])
        differ_loaded = seen.page.evaluate(DIFFERENT_PIXELS, [loaded, reloaded])
    assert stroked > 30_000  # the map is big enough to draw drafts
    totals = [f"{_window(end)[2] + ZIGZAGS} of {LEGS + ZIGZAGS} legs shown" for end in ends]
    assert dragged["counts"] == totals  # each move counted at once, draft or not
    assert len(shown) > 20 and len(hidden) > 20
    assert min(full_before) > 2.5  # 3 px or more at opacity 0.9, as loaded
    drafted = dragged["ink"]
    assert all(0.5 < ink < 1.5 for ink in drafted[:len(shown)]), drafted  # 1 px while dragged
    assert all(ink == 0 for ink in drafted[len(shown):])  # hidden lines are not drawn
    assert all(ink > 2.5 for ink in settled[:len(shown)]), settled  # full width once let go
    assert all(ink == 0 for ink in settled[len(shown):])
    assert count == f"{legs + ZIGZAGS} of {LEGS + ZIGZAGS} legs shown"
    assert differ == 0  # the settled picture is that of a fresh page moved once
    assert differ_loaded == 0 and reloaded == loaded
    assert seen.errors == [] and fresh.errors == [] and seen.requests == []


def test_a_held_slider_settles_by_itself_and_its_lines_take_clicks(
    visit: Callable[[Path], Visit], big_map: Path
) -> None:
    end = YEAR + dt.timedelta(days=19)
    shown, _, _ = _window(end)
    seen = visit(big_map)
    with deadline(40):
        dragged = _drag(seen.page, [end], shown)
        # no change event: the slider rests, still held, and the full picture follows
        seen.page.wait_for_function(
            f"() => ({INK})(window.srRoutes).every(ink => ink > 2.5)", timeout=10_000)
        texts = {n: _click(seen.page, n) for n in _uncovered(seen.page, shown)[:2]}
    assert all(ink < 1.5 for ink in dragged["ink"])
    assert len(texts) == 2
    for n, text in texts.items():  # the popup lists the route's legs in the window only
        assert text is not None
        ids = set(re.findall(r"Leg id\s+(L\d+)", text))
        assert ids == {f"L{i}" for i, day in enumerate(_departures())
                       if i // LEGS_PER_ROUTE == n and day <= end}
    assert seen.errors == []


def test_a_drag_on_a_map_of_few_line_points_draws_in_full_as_it_moves(
    visit: Callable[[Path], Visit], small_map: Path
) -> None:
    ends = [YEAR + dt.timedelta(days=n) for n in (300, 19)]
    shown, _, legs = _window(ends[-1])
    seen = visit(small_map)
    with deadline(30):
        stroked = seen.page.evaluate(STROKED)
        dragged = _drag(seen.page, ends, shown)
    assert stroked < 1000
    assert all(ink > 2.5 for ink in dragged["ink"]), dragged["ink"]
    assert dragged["counts"][-1] == f"{legs} of {LEGS} legs shown"
    assert seen.errors == []


def _uncovered(page: Any, routes: list[int]) -> list[int]:
    return [n for n in routes if canvas_point(page, _middles([n])[0])]


def _click(page: Any, n: int) -> str | None:
    """Click the middle of route ``n``; return the text of the popup that opens, or None."""
    return click_canvas(page, _middles([n])[0])
