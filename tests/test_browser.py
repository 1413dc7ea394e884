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
HIT_PATHS = f"{MAIN} .leaflet-overlay-pane path.sr-hit"  # the invisible bands that take clicks


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
        click_shape(seen.page, f"{HIT_PATHS}.sr-mode-sea")
        popup = seen.page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        text = popup.inner_text()
    assert "Rajin (the source says “Nakhodka”) → Dunay" in text
    assert "8-12 Sep 2023" in text and "about 300 containers" in text
    assert ("US Releases Satellite Images Showing Signs of North Korea-Russia Arms Deal, "
            "The Asia Business Daily, on or after 16 Oct 2023, reliability B") in text
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
    # 1 Jul - 15 Aug 2023 overlaps the Rajin-Vladivostok sailings (since Aug 2023) and the
    # Tumangang-Khasan traffic, seen on or before 7 Oct: it may have been earlier. Not the
    # Angara (8-12 Sep, though its arrival reads "on or before 12 Sep") nor the train.
    assert seen.count(LEG_PATHS) == 2
    assert shown == "2 of 4 legs shown"
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
        click_shape(seen.page, HIT_PATHS)
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


UNITS = """\
sites:
  a: {name: Amirabad, kind: port, country: IR, lat: 36.857, lon: 53.378}
  m: {name: Makhachkala, kind: port, country: RU, lat: 42.983, lon: 47.516}
  o: {name: Olya, kind: port, country: RU, lat: 45.78, lon: 47.55}
  k: {name: Aktau, kind: port, country: KZ, lat: 43.6, lon: 51.2}
sources:
  s: {title: "[made up]", publisher: nobody}
legs:
  - {from: a, to: m, mode: sea, depart: 2022-10, volume: 300, unit: drones, sources: [s]}
  - {from: a, to: m, mode: sea, depart: 2022-11, volume: 100, unit: crates, sources: [s]}
  - {from: a, to: o, mode: sea, depart: 2022-12, volume: 400, unit: drones, sources: [s]}
  - {from: a, to: k, mode: sea, depart: 2022-12, volume: 200, unit: crates, sources: [s]}
  - {from: k, to: o, mode: sea, depart: 2023-01, volume: 300, unit: drones, sources: [s]}
  - {from: k, to: o, mode: sea, depart: 2023-02, unit: drones, sources: [s],
     volume: {value: 200, scope: total}}
"""


def test_line_widths_never_add_across_units_or_totals_to_shipments(
    visit: Callable[..., Visit], write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    # Amirabad -> Makhachkala carries 300 drones and 100 crates: added up it would be 400,
    # as wide as Amirabad -> Olya. Aktau -> Olya carries 300 drones and
    # a total of 200 over a period, which may include them: added up, 500 would be widest.
    out = write("units.yaml", UNITS).with_suffix(".html")
    routed = Router().route_dataset(read_dataset(out.with_suffix(".yaml"), gazetteer))
    render_map(routed).save(out)
    seen = visit(out)
    with deadline(10):
        width = seen.page.evaluate("""() => {
            const ctx = document.querySelector('.sr-root').srContext, legs = ctx.data.legs;
            const out = {};
            ctx.lines.forEach((entry) => {
              const ids = entry.legs.map((li) => ctx.data.strings[legs.id[li]]);
              out[ids[0]] = entry.line.options.weight;
            });
            return out;
        }""")
    by_route = {key.rsplit("-sea-", 1)[0]: value for key, value in width.items()}
    assert by_route["a-m"] < by_route["a-o"]  # 300 of 400 drones, not 400
    assert by_route["a-m"] == by_route["k-o"]  # 300 drones each; the total stands apart
    assert by_route["a-k"] == by_route["a-o"]  # each the widest of its unit
    assert len(by_route) == 4


def test_dotted_and_dashed_legs_take_clicks_along_their_whole_length(
    visit: Callable[[Path], Visit], bundled_map: Path
) -> None:
    # a dotted stroke is hit-tested on its dots only: without the solid band over each
    # line, a reader could hardly open the popup of an inferred leg
    seen = visit(bundled_map)
    with deadline(10):
        share = seen.page.evaluate("""() => {
            const rail = [...document.querySelectorAll('.sr-map path.sr-leg.sr-mode-rail')]
              .sort((a, b) => b.getTotalLength() - a.getTotalLength())[0];
            const length = rail.getTotalLength(), m = rail.getScreenCTM();
            let taken = 0;
            for (let i = 0; i < 50; i++) {
              const p = rail.getPointAtLength(length * (0.2 + 0.6 * i / 50));
              const el = document.elementFromPoint(m.a * p.x + m.e, m.d * p.y + m.f);
              if (el && el.matches('path.sr-hit.sr-mode-rail')) taken++;
            }
            return {taken, dotted: rail.getAttribute('stroke-dasharray').startsWith('0.1 ')};
        }""")
    assert share == {"taken": 50, "dotted": True}  # Dunay -> Tikhoretsk, inferred


def test_leg_popups_give_distances_in_whole_km_and_nmi(
    visit: Callable[[Path], Visit], tmp_path: Path
) -> None:
    data = Path(__file__).parent / "data" / "two-distances.yaml"  # 1,202.83 and 2,371.97 km
    out = tmp_path / "map.html"
    result = CliRunner().invoke(main, ["render", str(data), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    seen = visit(out)
    texts = []
    with deadline(15):
        for n in (0, 1):
            seen.page.evaluate("() => document.querySelector('.sr-root').srMap.closePopup()")
            click_shape(seen.page, f"{HIT_PATHS}:nth-of-type({2 * n + 2})")
            popup = seen.page.locator(".leaflet-popup-content")
            popup.wait_for(timeout=5000)
            texts.append(popup.inner_text())
    distances = sorted(line for text in texts for line in text.splitlines()
                       if line.startswith("Distance"))
    assert distances == ["Distance\t1,203 km (649 nmi)", "Distance\t2,372 km (1,281 nmi)"]
    assert seen.errors == []
