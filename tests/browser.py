"""A real headless Chromium with the network blocked, for the browser tests.

The browser gets a proxy on a closed port and a resolver that finds no host,
and service workers are blocked, so any request that leaves the page fails
and is recorded. Each step runs under our own deadline, because Playwright's
timeouts do not fire while a page spins in a script.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import shutil
import signal
import socket
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def closed_port() -> int:
    """Return a loopback port nothing listens on."""
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


def launch(playwright: Any) -> Any:
    """Start Debian's Chromium headless and offline."""
    assert Path(CHROMIUM).is_file(), "install Debian's chromium (apt-get install chromium)"
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              f"--proxy-server=127.0.0.1:{closed_port()}",
              "--host-resolver-rules=MAP * ~NOTFOUND"],
    )


def open_page(browser: Any, path: Path, width: int = 1400, height: int = 900) -> tuple[Any, Visit]:
    """Open ``path`` in a new context of the given viewport; wait until every map is ready."""
    with deadline(40):
        context = browser.new_context(service_workers="block",
                                      viewport={"width": width, "height": height})
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
            timeout=20_000)
    return context, seen


MAIN = ".sr-map > .leaflet-map-pane"
"""The main map's panes (an inset map has panes of its own)."""


def click_shape(page: Any, selector: str) -> None:
    """Click a drawn shape (an SVG path) with the mouse, where nothing else covers it.

    A real click, unlike a dispatched event, gives the map the point clicked,
    so a popup opens where a reader's would.
    """
    point = page.evaluate("""(selector) => {
        for (const path of document.querySelectorAll(selector)) {
          const length = path.getTotalLength(), m = path.getScreenCTM();
          for (let f = 0.5; f <= 1.0001; f += 0.02) {
            const p = path.getPointAtLength(length * (f % 1));
            const x = m.a * p.x + m.e, y = m.d * p.y + m.f;
            if (document.elementFromPoint(x, y) === path) return [x, y];
          }
        }
        return null;
    }""", selector)
    assert point is not None, f"no uncovered point on {selector}"
    page.mouse.click(*point)


CANVAS_POINT = """([lat, lon]) => {
    const map = document.querySelector('.sr-root').srMap;
    const p = map.latLngToContainerPoint([lat, lon]);
    const origin = map.getContainer().getBoundingClientRect();
    const x = origin.left + p.x, y = origin.top + p.y;
    const el = document.elementFromPoint(x, y);
    return el && el.tagName === 'CANVAS' && el.closest('.leaflet-srSites-pane') ? [x, y] : null;
}"""
"""The page point of (lat, lon) if the reader can click the map's canvas there, else null."""

_LISTEN = """() => {
    const map = document.querySelector('.sr-root').srMap;
    map.closePopup().stop();
    window.srOpened = null;
    window.srListener = e => {
      window.srOpened = e.popup.getElement().querySelector('.leaflet-popup-content').innerText;
    };
    map.on('popupopen', window.srListener);
}"""
"""Close any popup, stop any pan, and note the text of the next popup that opens."""


def canvas_point(page: Any, where: tuple[float, float]) -> tuple[float, float] | None:
    """Return the page point of (lat, lon) if nothing covers the map's canvas there."""
    point = page.evaluate(CANVAS_POINT, list(where))
    return None if point is None else (point[0], point[1])


def click_canvas(page: Any, where: tuple[float, float]) -> str | None:
    """Click the map's canvas at (lat, lon) with the mouse; return the popup's text, or None.

    The point must not be covered (by a panel, a marker); the click is a real one,
    so the map hit-tests its canvas lines as it does for a reader.
    """
    page.evaluate(_LISTEN)
    point = canvas_point(page, where)
    assert point is not None, f"{where} is covered"
    page.mouse.click(*point)
    text: str | None = page.evaluate("""() => {
        document.querySelector('.sr-root').srMap.off('popupopen', window.srListener);
        return window.srOpened;
    }""")
    return text


def grid_dataset(title: str, routes: Sequence[tuple[float, float, float]],
                 departures: Sequence[Any], legs_per_route: int, *,
                 paths: Sequence[str] = (), legs: Sequence[str] = ()) -> str:
    """Return a generated dataset of straight east-west routes, each followed by some legs.

    Ten rail stations; per route ``n`` at (latitude, west, east) a path ``p{n}``;
    leg ``L{i}`` departs on ``departures[i]`` along route ``i // legs_per_route``
    with a stated volume. ``paths`` and ``legs`` are more YAML entries for those
    two mappings.
    """
    lines = [f"title: {title}", "sources:", "  r: {title: '[generated]'}", "sites:"]
    lines += [f"  s{k}: {{name: Stop {k}, kind: rail_station, country: RU, lat: 56.3, "
              f"lon: {62 + 6 * k}}}" for k in range(10)]
    lines.append("paths:")
    lines += [f"  p{n}: [[{lat}, {west}], [{lat}, {east}]]"
              for n, (lat, west, east) in enumerate(routes)]
    lines += paths
    lines.append("legs:")
    lines += [f"  - {{id: L{i}, from: s{i % 10}, to: s{(i + 3) % 10}, mode: rail, "
              f"path: p{i // legs_per_route}, depart: {day.isoformat()}, "
              f"volume: {1 + i % 50}, unit: containers, sources: [r]}}"
              for i, day in enumerate(departures)]
    lines += legs
    return "\n".join(lines) + "\n"
