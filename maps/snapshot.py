"""Screenshot a rendered map with a headless Chromium, for slide decks."""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess
import tempfile

from shiproute.errors import ScreenshotError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(configured: str | None = None) -> str | None:
    """Return the path of a Chromium-family browser, or None.

    Parameters
    ----------
    configured
        The browser the settings name (``SHIPROUTE_CHROMIUM``); when given, it
        is the only one looked at.

    Returns
    -------
    str or None
    """
    if configured:
        return configured if Path(configured).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium(configured: str | None = None) -> str:
    """Return the browser :func:`find_chromium` finds.

    Parameters
    ----------
    configured
        See :func:`find_chromium`.

    Returns
    -------
    str

    Raises
    ------
    ScreenshotError
        Saying how to install one, when there is none.
    """
    browser = find_chromium(configured)
    if browser is None:
        message = ("no headless Chromium found (looked for SHIPROUTE_CHROMIUM, "
                   f"{', '.join(BROWSERS)}); install one, e.g. 'apt-get install chromium'")
        raise ScreenshotError(message)
    return browser


def screenshot(page: str, output: Path, *, browser: str, width: int = 1600,
               height: int = 1000, timeout_s: float = 60.0) -> None:
    """Render an HTML document in headless Chromium and save a PNG.

    The browser runs offline (no proxy, no DNS, no background traffic), so the
    picture shows what a reader without a network sees.

    Parameters
    ----------
    page
        A complete HTML document.
    output
        The PNG to write; replaced only when the screenshot succeeds.
    browser
        The browser to run, from :func:`require_chromium`.
    width, height
        Viewport size in pixels.
    timeout_s
        Longest time to wait for the browser.

    Raises
    ------
    ScreenshotError
        If the browser fails.
    """
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "map.html"
        source.write_text(page, encoding="utf-8")
        shot = Path(tmp) / "map.png"
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={Path(tmp) / 'profile'}", f"--window-size={width},{height}",
            "--virtual-time-budget=5000", f"--screenshot={shot}", source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ScreenshotError(f"{browser} failed to take the screenshot: {err}") from err
        if not shot.is_file() or not shot.stat().st_size:
            raise ScreenshotError(f"{browser} produced no screenshot")
        shutil.move(str(shot), output)
