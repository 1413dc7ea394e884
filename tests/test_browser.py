"""The map in a real headless Chromium with the network blocked.

The browser gets a proxy on a closed port and a resolver that finds no host,
and service workers are blocked, so any request that leaves the page fails
and is recorded. Each step runs under our own deadline, because Playwright's
timeouts do not fire while a page spins in a script.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.maps.render import render_map
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.router import Router

from browser import MAIN, Visit, click_shape, deadline


@pytest.fixture(scope="module")
def bundled_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("map") / "map.html"
    result = CliRunner().invoke(main, ["render", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


LEG_PATHS = f"{MAIN} .leaflet-overlay-pane path.sr-leg"


def test_bundled_map_opens_offline_with_no_request_and_no_error(
    visit: Callable[[Path], Visit], bundled_map: Path
) -> None:
    seen = visit(bundled_map)
    with deadline(10):
        seen.page.wait_for_timeout(500)
    assert seen.requests == []
    assert seen.errors == []
    assert seen.count(LEG_PATHS) == 4
    assert seen.count(f"{MAIN} .leaflet-srSites-pane path.sr-site") == 9
    assert seen.count(f"{MAIN} .leaflet-overlay-pane path.sr-connector") == 1
    assert seen.count(f"{MAIN} .leaflet-srBase-pane path.sr-land") == 10  # 5 fills, 2 scales
    assert seen.page.locator(".sr-count").inner_text() == "4 of 4 legs shown"


def test_leg_popup_shows_dates_volume_and_cited_source(
    visit: Callable[[Path], Visit], bundled_map: Path
) -> None:
    seen = visit(bundled_map)
    with deadline(10):
        seen.page.locator(".sr-views button", has_text="Rajin area").click()
        seen.page.wait_for_timeout(500)
        click_shape(seen.page, f"{LEG_PATHS}.sr-mode-sea")
        popup = seen.page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        text = popup.inner_text()
    assert "Rajin → Dunay" in text
    assert "8-12 Sep 2023" in text and "about 300 containers" in text
    assert ("US releases satellite images showing signs of North Korea-Russia arms deal, "
            "The Asia Business Daily (Asia Economy), 16 Oct 2023, reliability B") in text
    assert "water grid on Natural Earth 10m coastlines" in text


def test_time_slider_hides_legs_outside_the_window(
    visit: Callable[[Path], Visit], bundled_map: Path
) -> None:
    seen = visit(bundled_map)
    with deadline(10):
        seen.page.evaluate("""() => {
            const end = document.querySelector('.sr-end');
            end.value = Math.floor(Date.UTC(2023, 7, 15) / 86400000);
            end.dispatchEvent(new Event('input'));
        }""")
        label = seen.page.locator(".sr-window").inner_text()
        shown = seen.page.locator(".sr-count").inner_text()
    # only the Rajin-Vladivostok sailings (Aug-Oct 2023) overlap 1 Jul - 15 Aug 2023
    assert seen.count(LEG_PATHS) == 1
    assert shown == "1 of 4 legs shown"
    assert label.endswith("15 Aug 2023")


def test_mode_filter_hides_rail_legs(visit: Callable[[Path], Visit], bundled_map: Path) -> None:
    seen = visit(bundled_map)
    with deadline(10):
        seen.page.locator("input[data-filter='modes'][value='1']").uncheck()
    assert seen.count(LEG_PATHS) == 2
    assert seen.count(f"{LEG_PATHS}.sr-mode-rail") == 0


def test_two_embedded_fragments_both_render_on_one_page(
    visit: Callable[[Path], Visit], gazetteer: Gazetteer, tmp_path: Path
) -> None:
    dataset = read_dataset(bundled_dataset_path(), gazetteer)
    routed = Router().route_dataset(dataset)
    first = render_map(routed, embed=True)
    second = render_map(routed, embed=True, title="Second copy")
    assert first.root_id != second.root_id
    host = tmp_path / "host.html"
    host.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>p {color: rgb(1, 2, 3)}"
        "</style></head><body><p id='host'>Host text</p>"
        f"<div style='height:500px'>{first.html}</div>"
        f"<div style='height:500px'>{second.html}</div></body></html>",
        encoding="utf-8",
    )
    seen = visit(host)
    assert seen.errors == [] and seen.requests == []
    for root in (first.root_id, second.root_id):
        assert seen.count(f"#{root} {LEG_PATHS}") == 4
    color = seen.page.evaluate("getComputedStyle(document.getElementById('host')).color")
    assert color == "rgb(1, 2, 3)"  # the fragments' CSS does not leak into the host


def test_injected_markup_stays_inert_text(
    visit: Callable[[Path], Visit], write: Callable[[str, str], Path], tmp_path: Path
) -> None:
    data = write("evil.yaml", """
    title: "<img src=x onerror=alert('title')>"
    sites:
      evil: {name: "<script>alert('name')</script>", kind: depot, country: RU, lat: 45, lon: 40,
             note: "<img src=x onerror=alert('note')> ${alert('tpl')}"}
    sources:
      s1: {title: "<b onmouseover=alert('src')>bold</b>", url: "javascript:alert('url')"}
    legs:
      - {from: Rajin, to: evil, mode: air, carrier: "<svg onload=alert('carrier')>",
         note: "</script><script>alert('note2')</script>", sources: [s1]}
    events:
      - {at: evil, date: 2023-09, what: "<iframe src=javascript:alert('event')>"}
    """)
    out = tmp_path / "evil.html"
    result = CliRunner().invoke(main, ["render", str(data), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    seen = visit(out)
    with deadline(15):
        click_shape(seen.page, LEG_PATHS)
        popup = seen.page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        leg_text = popup.inner_text()
        click_shape(seen.page, f"{MAIN} path.sr-kind-depot")
        seen.page.wait_for_function(
            "() => document.querySelector('.leaflet-popup-content').innerText.includes('iframe')",
            timeout=5000)
        site_text = seen.page.locator(".leaflet-popup-content").inner_text()
        seen.page.wait_for_timeout(300)
    assert seen.dialogs == []
    assert "<svg onload=alert('carrier')>" in leg_text
    assert "</script><script>alert('note2')</script>" in leg_text
    assert "<script>alert('name')</script>" in site_text
    assert "<iframe src=javascript:alert('event')>" in site_text
    assert seen.count("a[href^='javascript']") == 0
    assert seen.page.locator(".sr-title").inner_text() == "<img src=x onerror=alert('title')>"


def test_online_tiles_draw_over_the_offline_basemap_which_shows_where_they_fail(
    visit: Callable[..., Visit], tmp_path: Path
) -> None:
    out = tmp_path / "tiles.html"
    result = CliRunner().invoke(main, ["render", "--tiles", "osm", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    seen = visit(out)
    with deadline(10):
        seen.page.wait_for_timeout(500)
        state = seen.page.evaluate("""() => {
            const pane = (name) => document.querySelector('.sr-map > .leaflet-map-pane ' + name);
            const land = [...pane('.leaflet-srBase-pane').querySelectorAll('path.sr-land')];
            return {
              land: land.filter(p => p.getBoundingClientRect().width > 100).length,
              base: +getComputedStyle(pane('.leaflet-srBase-pane')).zIndex,
              tiles: +getComputedStyle(pane('.leaflet-tile-pane')).zIndex,
              tileImages: pane('.leaflet-tile-pane').querySelectorAll('img.leaflet-tile').length,
            };
        }""")
    assert state["land"] >= 5 and state["tileImages"] > 0
    assert state["base"] < state["tiles"]  # tiles above, the offline land beneath
    assert seen.requests and all(r.startswith("https://tile.openstreetmap.org/")
                                 for r in seen.requests)
    assert all("ERR_PROXY_CONNECTION_FAILED" in e for e in seen.errors)
