"""Pictures and print layouts of a rendered map, made by a headless Chromium.

``--png`` gives a clean picture for slides (the page's ``static`` mode: no
buttons, sliders or checkboxes; legend open; date window and a sources line
burned in) and ``--pdf`` a print layout (the ``print`` mode: map, legend and
every source cited in full, on A4 or Letter paper). The browser runs offline:
a proxy on a closed port, a resolver that finds nothing and no background
traffic, so the output shows what a reader without a network sees.
"""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess
import tempfile

from shiproute.errors import ScreenshotError
from shiproute.maps.render import PAPERS, PRINT_MARGIN_MM, MapDocument, millimetres

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PX_PER_MM = 96 / 25.4


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


def _run(browser: str, page: str, output: Path, flags: list[str], timeout_s: float) -> None:
    """Open ``page`` in the browser with ``flags`` that write ``{out}``; move the result."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "map.html"
        source.write_text(page, encoding="utf-8")
        made = Path(tmp) / f"out{output.suffix}"
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={Path(tmp) / 'profile'}", "--virtual-time-budget=10000",
            *(flag.format(out=made) for flag in flags), source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ScreenshotError(f"{browser} failed: {err}") from err
        if not made.is_file() or not made.stat().st_size:
            raise ScreenshotError(f"{browser} wrote no {output.suffix.lstrip('.').upper()}")
        shutil.move(str(made), output)


def screenshot(document: MapDocument, output: Path, *, browser: str, width: int = 1920,
               height: int = 1080, timeout_s: float = 90.0) -> None:
    """Save a clean picture of the map (its ``static`` mode) as a PNG.

    Parameters
    ----------
    document
        The rendered map.
    output
        The PNG to write; replaced only when the picture is made.
    browser
        The browser to run, from :func:`require_chromium`.
    width, height
        Picture size in pixels.
    timeout_s
        Longest time to wait for the browser.

    Raises
    ------
    ScreenshotError
        If the browser fails.
    """
    _run(browser, document.page("static"), output,
         [f"--window-size={width},{height}", "--screenshot={out}"], timeout_s)


def page_pixels(paper: str, landscape: bool) -> tuple[int, int]:
    """Return the printable width and height of a paper size at 96 dpi, inside the margins."""
    width_mm, height_mm = (millimetres(v) for v in PAPERS[paper])
    if landscape:
        width_mm, height_mm = height_mm, width_mm
    return (round((width_mm - 2 * PRINT_MARGIN_MM) * PX_PER_MM),
            round((height_mm - 2 * PRINT_MARGIN_MM) * PX_PER_MM))


def print_pdf(document: MapDocument, output: Path, *, browser: str, paper: str = "a4",
              landscape: bool = False, timeout_s: float = 90.0) -> None:
    """Save the map's print layout (map, legend, sources in full) as a PDF.

    Parameters
    ----------
    document
        The rendered map.
    output
        The PDF to write; replaced only when it is made.
    browser
        The browser to run, from :func:`require_chromium`.
    paper
        ``"a4"`` or ``"letter"``.
    landscape
        Turn the paper.
    timeout_s
        Longest time to wait for the browser.

    Raises
    ------
    ScreenshotError
        If the browser fails.
    """
    width, height = page_pixels(paper, landscape)
    _run(browser, document.page("print", paper=paper, landscape=landscape), output,
         [f"--window-size={width},{height}", "--no-pdf-header-footer",
          "--print-to-pdf={out}"], timeout_s)
