"""Pictures for slides (--png) and print layouts (--pdf), made by a real headless Chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import unicodedata

from click.testing import CliRunner
from pypdf import PdfReader
import pytest

import shiproute as sr
from shiproute.cli import main
from shiproute.maps.render import MapDocument

from browser import CHROMIUM, Visit, deadline


@pytest.fixture(autouse=True)
def _chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", CHROMIUM)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def _render(*args: str) -> None:
    result = CliRunner().invoke(main, ["render", *args])
    assert result.exit_code == 0, result.stderr


def test_png_is_a_picture_of_the_asked_size(tmp_path: Path) -> None:
    out, png = tmp_path / "map.html", tmp_path / "map.png"
    _render("-o", str(out), "--png", str(png), "--size", "1280x720")
    assert _png_size(png) == (1280, 720)
    assert png.stat().st_size > 50_000  # a drawn map, not a blank page
    assert out.exists()


def test_default_png_is_full_hd(tmp_path: Path) -> None:
    png = tmp_path / "map.png"
    _render("-o", str(tmp_path / "map.html"), "--png", str(png))
    assert _png_size(png) == (1920, 1080)


def test_static_page_has_no_controls_and_burns_in_legend_window_and_sources(
    visit: Callable[..., Visit], tmp_path: Path
) -> None:
    document = sr.render(sr.route(sr.read_dataset()))
    page = tmp_path / "static.html"
    page.write_text(document.page("static"), encoding="utf-8")
    seen = visit(page, 1280, 720)
    with deadline(10):
        shown = seen.page.evaluate("""() => {
            const visible = (sel) => [...document.querySelectorAll(sel)]
              .filter(el => el.offsetParent !== null && el.offsetWidth > 0).length;
            return {
              zoom: visible('.leaflet-control-zoom'), layers: visible('.leaflet-control-layers'),
              buttons: visible('button:not(.sr-toggle)'), inputs: visible('input'),
              filters: visible('.sr-filters'), views: visible('.sr-views'),
              legendOpen: !document.querySelector('.sr-legend').classList.contains('sr-collapsed'),
              window: document.querySelector('.sr-window').innerText,
              footer: document.querySelector('.sr-static-foot').innerText,
              scale: visible('.leaflet-control-scale'),
            };
        }""")
    assert seen.requests == [] and seen.errors == []
    assert shown == {
        "zoom": 0, "layers": 0, "buttons": 0, "inputs": 0, "filters": 0, "views": 0,
        "legendOpen": True, "window": "1 Jul 2023 \u2013 31 Mar 2024", "scale": 1,
        "footer": shown["footer"],
    }
    assert shown["footer"].startswith("Sources: The Asia Business Daily, on or after 16 Oct 2023;")
    assert "OpenStreetMap contributors, Natural Earth, GeoNames" in shown["footer"]


def test_pdf_is_one_a4_page_with_the_map_legend_and_every_source_in_full(
    tmp_path: Path
) -> None:
    pdf = tmp_path / "map.pdf"
    _render("-o", str(tmp_path / "map.html"), "--pdf", str(pdf))
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())
    assert "North Korea-Russia arms transfers, 2023-2024" in text and "Legend" in text
    for title in ("US Releases Satellite Images Showing Signs of North Korea-Russia Arms Deal",
                  "According to a recent VOA interview, the United States stated that North "
                  "Korea has sent 10,000 containers of munitions to Russia."):
        assert title in text
    assert "Tikhoretsk ammunition depot" in text  # the map's own labels are text in the PDF
    assert "RajinRajin" not in text  # a label's white halo is not printed as copies of it


def test_pdf_on_letter_landscape(tmp_path: Path) -> None:
    pdf = tmp_path / "map.pdf"
    _render("-o", str(tmp_path / "map.html"), "--pdf", str(pdf), "--paper", "letter",
            "--landscape")
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert len(reader.pages) == 1
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)


def test_pdf_with_a_long_list_of_sources_flows_onto_more_pages(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    sources = "\n".join(f"  s{i}: {{title: Report number {i} with a long descriptive title "
                        f"about one shipment, publisher: Outlet {i}, date: 2023-09}}"
                        for i in range(60))
    data = write("many.yaml", f"sources:\n{sources}\nlegs:\n"
                              "  - {from: Rajin, to: Vladivostok, mode: air, sources: [s0]}\n")
    pdf = tmp_path / "many.pdf"
    _render(str(data), "-o", str(tmp_path / "many.html"), "--pdf", str(pdf))
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Report number 59" in " ".join(text.split())


def test_print_css_gives_the_same_layout_for_browser_printing() -> None:
    document = MapDocument(("<div class='sr-root'></div>",), "t", "r")
    page = document.page("print", paper="letter", landscape=True)
    assert "@page {size: 11in 8.5in; margin: 12mm;}" in page
    assert "data-sr-mode='print' data-sr-orientation='landscape'" in page
    css = sr.render(sr.route(sr.read_dataset())).html
    assert "@media print" in css and ".sr-root .leaflet-control-zoom" in css


@pytest.mark.parametrize("flag", ["--png", "--pdf"])
def test_without_a_browser_is_one_clear_error_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", str(tmp_path / "no-such-browser"))
    out, extra = tmp_path / "map.html", tmp_path / f"map.{flag[2:]}"
    result = CliRunner().invoke(main, ["render", "-o", str(out), flag, str(extra)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: no headless Chromium found (looked for SHIPROUTE_CHROMIUM, chromium, "
        "chromium-browser, google-chrome, google-chrome-stable); install one, "
        "e.g. 'apt-get install chromium'"
    )
    assert sorted(tmp_path.iterdir()) == []


def test_a_browser_that_fails_leaves_no_html_and_no_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "chromium"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", str(fake))
    out, png = tmp_path / "map.html", tmp_path / "map.png"
    result = CliRunner().invoke(main, ["render", "-o", str(out), "--png", str(png)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].endswith("wrote no PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]
