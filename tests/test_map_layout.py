"""The map as a reader sees it, at every size it is used: nothing hidden, no label clash.

Each map is opened in headless Chromium (offline) at 640x400, 800x450 (a
briefing slot), 900x560 (a notebook cell), 1400x900 and 1920x1080, and the page
itself is asked where things are: every site marker and every leg end must be
inside the map and not under a panel or control (``elementFromPoint``), no two
labels may overlap, panels start collapsed when the map is narrow or embedded,
and a popup never opens under a panel. A screenshot of every case is saved
under the directory named by ``SHIPROUTE_ARTIFACTS`` (default: a pytest temp
directory) so a person can look at them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner
import pytest

from shiproute.cli import main

from browser import Visit, deadline

SIZES = [(640, 400), (800, 450), (900, 560), (1400, 900), (1920, 1080)]

WORLD = """
title: Air freight between five continents (layout test)
description: >-
  A generated dataset with sites far apart on several continents, to check that the map
  fits and labels them at every size; the legs and figures are invented.
sites:
  rotterdam: {name: Rotterdam, kind: port, country: NL, lat: 51.95, lon: 4.14}
  santos: {name: Santos, kind: port, country: BR, lat: -23.96, lon: -46.30}
  lagos: {name: Lagos, kind: port, country: NG, lat: 6.44, lon: 3.39}
  mumbai: {name: Mumbai, kind: port, country: IN, lat: 18.95, lon: 72.84}
  shanghai: {name: Shanghai, kind: port, country: CN, lat: 31.23, lon: 121.49}
  los-angeles: {name: Los Angeles, kind: airfield, country: US, lat: 33.94, lon: -118.41}
  sydney: {name: Sydney, kind: airfield, country: AU, lat: -33.94, lon: 151.18}
  anchorage: {name: Anchorage, kind: airfield, country: US, lat: 61.17, lon: -149.99}
sources:
  made-up: {title: "[Generated for the layout test]"}
legs:
  - {from: Rotterdam, to: Lagos, mode: air, depart: 2024-01-05, volume: 40, unit: tonnes,
     sources: [made-up]}
  - {from: Lagos, to: Santos, mode: air, depart: 2024-02, volume: 12, unit: tonnes,
     sources: [made-up]}
  - {from: Mumbai, to: Shanghai, mode: air, depart: 2024-03-01, volume: 300, unit: crates,
     sources: [made-up]}
  - {from: Shanghai, to: Los Angeles, mode: air, depart: 2024-03-10, sources: [made-up]}
  - {from: Sydney, to: Anchorage, mode: air, depart: 2024-04-02, volume: 8, unit: tonnes,
     sources: [made-up]}
  - {from: Rotterdam, to: Mumbai, mode: air, depart: 2024-01/2024-02, volume: 25, unit: tonnes,
     sources: [made-up]}
"""

PROBE = """(root) => {
  const ctx = root.srContext, map = ctx.map, data = ctx.data;
  const frame = map.getContainer().getBoundingClientRect();
  const inside = (x, y) =>
    x >= frame.left && x <= frame.right && y >= frame.top && y <= frame.bottom;
  const cover = (x, y) => {
    const el = document.elementFromPoint(x, y);
    const hit = el &&
      el.closest('.leaflet-control, .sr-panel, .sr-inset-wrap, .sr-head, .sr-time');
    return hit ? hit.className.toString().slice(0, 60) : null;
  };
  const where = (name, lat, lng) => {
    const p = map.latLngToContainerPoint([lat, lng]);
    const x = frame.left + p.x, y = frame.top + p.y;
    const seen = inside(x, y);
    return {name, seen, under: seen ? cover(x, y) : null};
  };
  const s = data.sites, sites = [], ends = [];
  for (let i = 0; i < s.id.length; i++) {
    sites.push(where(data.str(s.name[i]), s.lat[i], s.lon[i]));
  }
  ctx.lines.forEach((line, gi) => {
    if (!line.shown.length) return;
    const first = line.pieces[0], last = line.pieces[line.pieces.length - 1];
    const a = first[0], b = last[last.length - 1];
    ends.push(where('line ' + gi + ' start', a[0], a[1]),
              where('line ' + gi + ' end', b[0], b[1]));
  });
  const clashes = [];
  let count = 0;
  const inset = root.querySelector('.sr-inset');
  [map.getContainer(), inset].forEach(container => {
    if (!container) return;
    const labels = [...container.querySelectorAll('.sr-label, .sr-maplabel')]
      .filter(el => el.style.display === 'block')
      .filter(el => container === inset || !el.closest('.sr-inset'))
      .map(el => [el.textContent, el.getBoundingClientRect()]);
    count += labels.length;
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i][1], b = labels[j][1];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        clashes.push(labels[i][0] + ' / ' + labels[j][0]);
    }
  });
  const panels = {};
  Object.keys(ctx.panels).forEach(k => {
    panels[k] = !ctx.panels[k].classList.contains('sr-collapsed');
  });
  return {sites, ends, clashes, labels: count, panels,
          inset: !!root.querySelector('.sr-inset'), zoom: map.getZoom()};
}"""


def _artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("SHIPROUTE_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screens")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _artifacts(tmp_path_factory)


def _render(args: list[str], out: Path) -> Path:
    result = CliRunner().invoke(main, ["render", *args, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layout")
    world = folder / "world.yaml"
    world.write_text(WORLD, encoding="utf-8")
    bundled_embed = _render(["--embed", "--height", "100%"], folder / "fragment.html")
    host = folder / "embedded.html"
    host.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><style>html, body "
                    "{height: 100%; margin: 0}</style></head><body>"
                    f"{bundled_embed.read_text(encoding='utf-8')}</body></html>",
                    encoding="utf-8")
    return {
        "bundled": _render([], folder / "bundled.html"),
        "world": _render([str(world)], folder / "world.html"),
        "embedded": host,
    }


CASES = [(name, size) for name in ("bundled", "world", "embedded") for size in SIZES]


@pytest.fixture
def opened(visit: Callable[..., Visit], maps: dict[str, Path], artifacts: Path,
           request: pytest.FixtureRequest) -> Iterator[tuple[Visit, dict[str, Any]]]:
    name, (width, height) = request.param
    seen = visit(maps[name], width, height)
    with deadline(20):
        root = seen.page.locator(".sr-root").first.element_handle()
        report = seen.page.evaluate(PROBE, root)
        seen.page.screenshot(path=str(artifacts / f"{name}-{width}x{height}.png"))
    yield seen, report


@pytest.mark.parametrize("opened", CASES, indirect=True,
                         ids=[f"{n}-{w}x{h}" for n, (w, h) in CASES])
def test_nothing_of_the_data_is_hidden_at_load(opened: tuple[Visit, dict[str, Any]]) -> None:
    seen, report = opened
    assert seen.requests == [] and seen.errors == []
    hidden = [s for s in report["sites"] + report["ends"] if not s["seen"] or s["under"]]
    assert hidden == []
    assert report["clashes"] == []
    assert report["labels"] > 0


@pytest.mark.parametrize("opened", CASES, indirect=True,
                         ids=[f"{n}-{w}x{h}" for n, (w, h) in CASES])
def test_panels_start_collapsed_when_narrow_or_embedded(
    opened: tuple[Visit, dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    _seen, report = opened
    name, (width, _height) = request.node.callspec.params["opened"]
    if name == "embedded" or width < 1000:
        assert not any(report["panels"].values())
    else:
        assert report["panels"]["legend"]


def test_bundled_hub_gets_an_inset_with_readable_labels(
    visit: Callable[..., Visit], maps: dict[str, Path]
) -> None:
    seen = visit(maps["bundled"], 1400, 900)
    with deadline(10):
        names = seen.page.evaluate("""() => [...document.querySelectorAll('.sr-inset .sr-label')]
            .filter(el => el.style.display === 'block').map(el => el.textContent)""")
        views = seen.page.locator(".sr-views button").all_inner_texts()
    assert {"Rajin", "Dunay", "Vladivostok", "Tumangang"} <= set(names)
    assert views == ["Overview", "Rajin area"]


def test_view_button_zooms_the_hub_so_its_sites_are_labelled(
    visit: Callable[..., Visit], maps: dict[str, Path]
) -> None:
    seen = visit(maps["bundled"], 800, 450)
    with deadline(15):
        seen.page.locator(".sr-views button", has_text="Rajin area").click()
        seen.page.wait_for_timeout(600)
        names = seen.page.evaluate("""() => [...document.querySelectorAll('.sr-map .sr-label')]
            .filter(el => el.style.display === 'block' && !el.closest('.sr-inset'))
            .map(el => el.textContent)""")
    assert {"Rajin", "Dunay", "Vladivostok", "Tumangang"} <= set(names)


@pytest.mark.parametrize(("width", "height"), [(640, 400), (1400, 900)])
def test_a_leg_popup_opens_clear_of_every_panel(
    visit: Callable[..., Visit], maps: dict[str, Path], width: int, height: int
) -> None:
    seen = visit(maps["bundled"], width, height)
    with deadline(15):
        for name in ("legend", "filters", "claims"):  # open every panel: the hardest case
            if seen.page.locator(f".sr-{name}.sr-collapsed").count():
                seen.page.locator(f".sr-{name} .sr-toggle").click()
        point = seen.page.evaluate("""() => {
            for (const path of document.querySelectorAll('.sr-map path.sr-hit')) {
              const length = path.getTotalLength();
              for (let f = 0.5; f < 1; f += 0.05) {
                const p = path.getPointAtLength(length * f);
                const m = path.getScreenCTM();
                const x = m.a * p.x + m.e, y = m.d * p.y + m.f;
                if (document.elementFromPoint(x, y) === path) return [x, y];
              }
            }
            return null;
        }""")
        assert point is not None
        seen.page.mouse.click(*point)
        popup = seen.page.locator(".leaflet-popup")
        popup.wait_for(timeout=5000)
        seen.page.wait_for_timeout(400)
        clear = seen.page.evaluate("""() => {
            const box = document.querySelector('.leaflet-popup').getBoundingClientRect();
            const covered = [...document.querySelectorAll('.leaflet-control')]
              .filter(c => c.offsetParent !== null)
              .map(c => [c.className, c.getBoundingClientRect()])
              .filter(([, r]) => r.left < box.right && box.left < r.right &&
                                 r.top < box.bottom && box.top < r.bottom)
              .map(([name]) => name);
            const cx = box.left + box.width / 2, cy = box.top + Math.min(30, box.height / 2);
            const top = document.elementFromPoint(cx, cy);
            return {covered, onTop: !!(top && top.closest('.leaflet-popup'))};
        }""")
    assert clear == {"covered": [], "onTop": True}


def test_subtitle_stays_on_one_line_with_a_more_toggle(
    visit: Callable[..., Visit], maps: dict[str, Path]
) -> None:
    seen = visit(maps["bundled"], 800, 450)
    with deadline(10):
        head = seen.page.evaluate(
            "() => document.querySelector('.sr-head').getBoundingClientRect().height")
        more = seen.page.locator(".sr-more")
        assert more.is_visible()
        more.click()
        opened = seen.page.evaluate(
            "() => document.querySelector('.sr-head').getBoundingClientRect().height")
    assert head <= 40 < opened


def test_claims_chart_names_claimant_and_qualifier_on_focus(
    visit: Callable[..., Visit], maps: dict[str, Path]
) -> None:
    seen = visit(maps["bundled"], 1400, 900)
    with deadline(10):
        if seen.page.locator(".sr-claims.sr-collapsed").count():
            seen.page.locator(".sr-claims .sr-toggle").click()
        seen.page.locator(".sr-claim[data-tip^='more than 1,000 containers']").focus()
        tip = seen.page.locator(".sr-tip").inner_text()
        ticks = seen.page.evaluate(
            "() => [...document.querySelectorAll('.sr-chart text')].map(t => t.textContent)")
    assert tip == ("more than 1,000 containers (total): U.S. National Security Council "
                   "(John Kirby), "
                   "13 Oct 2023 (for 7 Sep - 1 Oct 2023)")
    assert {"Oct 2023", "Dec 2023", "Feb 2024", "date claimed", "1,000", "1,000,000"} <= set(ticks)
