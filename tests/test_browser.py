"""The map in a real headless Chromium with the network blocked.

The browser gets a proxy on a closed port and a resolver that finds no host,
and service workers are blocked, so any request that leaves the page fails
and is recorded. Each step runs under our own deadline, because Playwright's
timeouts do not fire while a page spins in a script.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import shutil
import signal
import socket
from typing import Any

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.maps.render import render_map
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.router import Router

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail the step if it takes longer than ``seconds``, whatever the page does."""

    def expire(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"browser step took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Visit:
    """What a page did while it was open."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), "install Debian's chromium (apt-get install chromium)"
    with deadline(60), contextlib.ExitStack() as stack:
        playwright = stack.enter_context(sync_playwright())
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  f"--proxy-server=127.0.0.1:{_closed_port()}",
                  "--host-resolver-rules=MAP * ~NOTFOUND"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[[Path], Visit]]:
    contexts = []

    def open_page(path: Path) -> Visit:
        with deadline(30):
            context = browser.new_context(service_workers="block",
                                          viewport={"width": 1400, "height": 900})
            contexts.append(context)
            page = context.new_page()
            seen = Visit(page)
            page.on("request", lambda r: seen.requests.append(r.url)
                    if not r.url.startswith(("data:", "file:")) else None)
            page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen.errors.append(str(e)))

            def on_dialog(dialog: Any) -> None:
                seen.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(path.as_uri())
            page.wait_for_function(
                "() => [...document.querySelectorAll('.sr-root')].every(r => r.srReady)",
                timeout=10_000)
        return seen

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def bundled_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("map") / "map.html"
    result = CliRunner().invoke(main, ["render", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


LEG_PATHS = ".leaflet-overlay-pane path.sr-leg"


def test_bundled_map_opens_offline_with_no_request_and_no_error(
    visit: Callable[[Path], Visit], bundled_map: Path
) -> None:
    seen = visit(bundled_map)
    with deadline(10):
        seen.page.wait_for_timeout(500)
    assert seen.requests == []
    assert seen.errors == []
    assert seen.count(LEG_PATHS) == 4
    assert seen.count(".leaflet-overlay-pane path.sr-site") == 9
    assert seen.count(".leaflet-overlay-pane path.sr-connector") == 1
    assert seen.count(".leaflet-overlay-pane path.sr-land") == 1
    assert seen.page.locator(".sr-count").inner_text() == "4 of 4 legs shown"


def test_leg_popup_shows_dates_volume_and_cited_source(
    visit: Callable[[Path], Visit], bundled_map: Path
) -> None:
    seen = visit(bundled_map)
    with deadline(10):
        seen.page.locator(f"{LEG_PATHS}.sr-mode-sea").first.dispatch_event("click")
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
        seen.page.locator(LEG_PATHS).first.dispatch_event("click")
        popup = seen.page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        leg_text = popup.inner_text()
        seen.page.locator(".leaflet-overlay-pane path.sr-kind-depot").dispatch_event("click")
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


def test_png_screenshot_of_the_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", CHROMIUM)
    out, png = tmp_path / "map.html", tmp_path / "map.png"
    result = CliRunner().invoke(main, ["render", "-o", str(out), "--png", str(png)])
    assert result.exit_code == 0, result.stderr
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) == (1600, 1000)
    assert png.stat().st_size > 50_000  # a drawn map, not a blank page


def test_png_without_a_browser_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", str(tmp_path / "no-such-browser"))
    out, png = tmp_path / "map.html", tmp_path / "map.png"
    result = CliRunner().invoke(main, ["render", "-o", str(out), "--png", str(png)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: no headless Chromium found (looked for SHIPROUTE_CHROMIUM, chromium, "
        "chromium-browser, google-chrome, google-chrome-stable); install one, "
        "e.g. 'apt-get install chromium'"
    )
    assert not png.exists() and not out.exists()
