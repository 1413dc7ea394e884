"""``shiproute render``: the self-contained HTML map (and a PNG of it)."""

from __future__ import annotations

from pathlib import Path

import click

from shiproute.cli.common import (
    cache_options,
    check_outputs,
    collector_paused,
    dataset_argument,
    dataset_path,
    force_option,
    gazetteer_option,
    handles_errors,
    output_file,
    routed_dataset,
    settings,
)
from shiproute.files import Content, Output, write_outputs
from shiproute.maps.tiles import OFFLINE, TILE_CHOICES


@click.command()
@dataset_argument
@click.option(
    "-o", "--output", metavar="FILE", callback=output_file,
    help="HTML file to write; default: <dataset name>.html in the current directory.",
)
@click.option("--title", help="Map title; default: the dataset's title.")
@click.option("--subtitle", help="Line under the title; default: the dataset's description.")
@click.option("--banner", help="Marking line shown at the top and bottom (e.g. a classification).")
@click.option("--tiles", type=click.Choice(TILE_CHOICES), default=OFFLINE, show_default=True,
              help="Default base layer; all but 'offline' need a network when viewed.")
@click.option("--embed", is_flag=True,
              help="Write an HTML fragment to paste into another page, not a whole document.")
@click.option("--height", metavar="LENGTH",
              help="Height of an --embed map: pixels or a CSS length such as 70vh; "
                   "default 560.")
@click.option("--png", "png", metavar="FILE", callback=output_file,
              help="Also save a clean picture for slides (needs a headless Chromium).")
@click.option("--size", default="1920x1080", show_default=True, metavar="WxH",
              help="Size of the --png picture in pixels.")
@click.option("--pdf", "pdf", metavar="FILE", callback=output_file,
              help="Also save a print layout: map, legend, sources (needs a headless Chromium).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="Paper of the --pdf layout.")
@click.option("--landscape", is_flag=True, help="Turn the --pdf paper to landscape.")
@force_option
@gazetteer_option
@cache_options
@handles_errors
def render(
    dataset: str | None, output: Path | None, title: str | None, subtitle: str | None,
    banner: str | None, tiles: str, embed: bool, height: str | None, png: Path | None,
    size: str, pdf: Path | None, paper: str, landscape: bool, force: bool,
    gazetteers: tuple[str, ...], no_cache: bool, cache_dir: str | None,
) -> None:
    """Render a dataset as one self-contained HTML map and print its path.

    The map opens complete without a network. Sea legs follow sea lanes, rail
    legs the railway network; computed routes are cached, so a second render
    of the same dataset does no routing. --png and --pdf also save a picture
    and a print layout of it; nothing is written unless all of them succeed.
    An existing file is replaced only if shiproute wrote it, or with --force.
    """
    from shiproute.maps.render import FOREIGN_MAP, render_map

    pixels = _size(size)
    map_height = _height(height)
    browser = None
    if png or pdf:
        from shiproute.maps.snapshot import require_chromium

        browser = require_chromium(settings().chromium)
    target = output or Path.cwd() / f"{dataset_path(dataset).stem}.html"
    outputs = [Output(target, FOREIGN_MAP), *_extras(png, pdf)]
    check_outputs(outputs, force=force)
    with collector_paused():
        routed = routed_dataset(dataset, gazetteers, no_cache, cache_dir)
        document = render_map(routed, title=title, subtitle=subtitle, banner=banner,
                              tiles=tiles, embed=embed, height=map_height)
        contents: list[Content] = [document.write_html]
        if browser is not None:
            from shiproute.maps.snapshot import print_pdf, screenshot

            if png:
                contents.append(screenshot(document, browser=browser, width=pixels[0],
                                           height=pixels[1]))
            if pdf:
                contents.append(print_pdf(document, browser=browser, paper=paper,
                                          landscape=landscape))
        write_outputs(list(zip(outputs, contents, strict=True)), force=force)
    for written in outputs:
        click.echo(str(written.path))


def _extras(png: Path | None, pdf: Path | None) -> list[Output]:
    """Return the --png and --pdf outputs asked for, in that order."""
    if not (png or pdf):
        return []
    from shiproute.maps.snapshot import FOREIGN_PDF, FOREIGN_PNG

    return [Output(path, test) for path, test in ((png, FOREIGN_PNG), (pdf, FOREIGN_PDF))
            if path is not None]


def _size(text: str) -> tuple[int, int]:
    """Parse ``WxH`` (e.g. 1920x1080) into pixels, 320-8000 each."""
    parts = text.lower().split("x")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        width, height = int(parts[0]), int(parts[1])
        if 320 <= width <= 8000 and 240 <= height <= 8000:
            return width, height
    raise click.BadParameter(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1920x1080 "
                             "(320-8000 x 240-8000)", param_hint="--size")


def _height(text: str | None) -> str | None:
    """Check --height: pixels when it is a bare number, else a CSS length."""
    if text is None:
        return None
    from shiproute.maps.render import css_length

    try:
        return css_length(int(text) if text.isdigit() else text)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--height") from None
