"""Pictures and print layouts of a rendered map, made by a headless Chromium.

``--png`` gives a clean picture for slides (the page's ``static`` mode: no
buttons, sliders or checkboxes; legend open; date window and a sources line
burned in) and ``--pdf`` a print layout (the ``print`` mode: map, legend and
every source cited in full, on A4 or Letter paper). The browser runs offline:
a proxy on a closed port, a resolver that finds nothing and no background
traffic, so the output shows what a reader without a network sees.

Both carry shiproute's mark, so that a later render may replace them (see
:mod:`shiproute.files`): a PNG has a ``tEXt`` chunk ``Software`` =
``shiproute`` right after its header, a PDF has ``/Creator (shiproute)`` in
its document information, written over the browser's own in place so that
no byte offset changes.
"""

from __future__ import annotations

from pathlib import Path
import re
import shutil
import subprocess
import tempfile
import zlib

from shiproute.errors import ScreenshotError
from shiproute.files import marked
from shiproute.maps.render import PAPERS, PRINT_MARGIN_MM, MapDocument, millimetres

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PX_PER_MM = 96 / 25.4
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_HEADER_END = 33
"""Where a PNG's first chunk, IHDR (13 bytes of data), ends: shiproute's chunk goes there."""
_PNG_TEXT = b"tEXt" + b"Software\0shiproute"
PNG_MARK = ((len(_PNG_TEXT) - 4).to_bytes(4, "big") + _PNG_TEXT
            + zlib.crc32(_PNG_TEXT).to_bytes(4, "big"))
"""The ``tEXt`` chunk that marks a PNG shiproute wrote."""
_PDF_STRING = rb"(?:\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>)"
_PDF_INFO = (rb"\A%PDF-\d\.\d\r?\n(?:%[^\r\n]*\r?\n)?1 0 obj\s*<<(?:/Title "
             + _PDF_STRING + rb"\s*)?")
_PDF_CREATOR = re.compile(_PDF_INFO + rb"(/Creator " + _PDF_STRING + rb")", re.S)
_PDF_MARK = re.compile(_PDF_INFO + rb"/Creator \(shiproute\) *(?:\s|>>)", re.S)
PDF_CREATOR = b"/Creator (shiproute)"


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


def _run(browser: str, page: str, suffix: str, flags: list[str], timeout_s: float) -> bytes:
    """Open ``page`` in the browser with ``flags`` that write ``{out}``; return what it wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "map.html"
        source.write_text(page, encoding="utf-8")
        made = Path(tmp) / f"out{suffix}"
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
            raise ScreenshotError(f"{browser} wrote no {suffix.lstrip('.').upper()}")
        return made.read_bytes()


def mark_png(data: bytes) -> bytes:
    """Return a PNG with shiproute's ``tEXt`` chunk (:data:`PNG_MARK`) after its header.

    Raises
    ------
    ValueError
        If ``data`` is not a PNG.
    """
    if len(data) < PNG_HEADER_END or not _is_png_header(data):
        raise ValueError("not a PNG")
    return data[:PNG_HEADER_END] + PNG_MARK + data[PNG_HEADER_END:]


def _is_png_header(head: bytes) -> bool:
    """Whether ``head`` starts as a PNG does: the signature, then the IHDR chunk."""
    return head.startswith(PNG_SIGNATURE) and head[8:16] == b"\0\0\0\x0dIHDR"


def is_png(head: bytes) -> bool:
    """Whether a file that starts with ``head`` is a PNG shiproute wrote (see :func:`mark_png`)."""
    return _is_png_header(head) and head[PNG_HEADER_END:].startswith(PNG_MARK)


def mark_pdf(data: bytes) -> bytes:
    """Return a PDF whose document information names shiproute as its ``/Creator``.

    The browser's ``/Creator`` entry is overwritten in place and padded with
    spaces, so every byte offset of the file stays valid. A PDF laid out
    otherwise than Chromium's (information dictionary first) is returned
    unmarked: shiproute then replaces it only with ``--force``.
    """
    found = _PDF_CREATOR.match(data)
    if found is None or len(found.group(1)) < len(PDF_CREATOR):
        return data
    start, end = found.span(1)
    return data[:start] + PDF_CREATOR.ljust(end - start) + data[end:]


def is_pdf(head: bytes) -> bool:
    """Whether a file that starts with ``head`` is a PDF shiproute wrote (see :func:`mark_pdf`)."""
    return _PDF_MARK.match(head) is not None


FOREIGN_PNG = marked("PNG", is_png)
"""The :class:`shiproute.files.Output` test of a PNG picture."""
FOREIGN_PDF = marked("PDF", is_pdf)
"""The :class:`shiproute.files.Output` test of a PDF print layout."""


def screenshot(document: MapDocument, *, browser: str, width: int = 1920,
               height: int = 1080, timeout_s: float = 90.0) -> bytes:
    """Take a clean picture of the map (its ``static`` mode) as a PNG.

    Parameters
    ----------
    document
        The rendered map.
    browser
        The browser to run, from :func:`require_chromium`.
    width, height
        Picture size in pixels.
    timeout_s
        Longest time to wait for the browser.

    Returns
    -------
    bytes
        The PNG, marked (:func:`mark_png`).

    Raises
    ------
    ScreenshotError
        If the browser fails.
    """
    picture = _run(browser, document.page("static"), ".png",
                   [f"--window-size={width},{height}", "--screenshot={out}"], timeout_s)
    try:
        return mark_png(picture)
    except ValueError:
        raise ScreenshotError(f"{browser} wrote no PNG") from None


def page_pixels(paper: str, landscape: bool) -> tuple[int, int]:
    """Return the printable width and height of a paper size at 96 dpi, inside the margins."""
    width_mm, height_mm = (millimetres(v) for v in PAPERS[paper])
    if landscape:
        width_mm, height_mm = height_mm, width_mm
    return (round((width_mm - 2 * PRINT_MARGIN_MM) * PX_PER_MM),
            round((height_mm - 2 * PRINT_MARGIN_MM) * PX_PER_MM))


def print_pdf(document: MapDocument, *, browser: str, paper: str = "a4",
              landscape: bool = False, timeout_s: float = 90.0) -> bytes:
    """Print the map's layout (map, legend, sources in full) as a PDF.

    Parameters
    ----------
    document
        The rendered map.
    browser
        The browser to run, from :func:`require_chromium`.
    paper
        ``"a4"`` or ``"letter"``.
    landscape
        Turn the paper.
    timeout_s
        Longest time to wait for the browser.

    Returns
    -------
    bytes
        The PDF, marked (:func:`mark_pdf`).

    Raises
    ------
    ScreenshotError
        If the browser fails.
    """
    width, height = page_pixels(paper, landscape)
    return mark_pdf(_run(browser, document.page("print", paper=paper, landscape=landscape),
                         ".pdf", [f"--window-size={width},{height}", "--no-pdf-header-footer",
                                  "--print-to-pdf={out}"], timeout_s))
