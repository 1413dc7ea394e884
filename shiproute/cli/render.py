"""``shiproute render``: the self-contained HTML map (and a PNG of it)."""

from __future__ import annotations

from contextlib import ExitStack
import os
from pathlib import Path
import tempfile

import click

from shiproute.cli.common import (
    cache_options,
    dataset_argument,
    gazetteer_option,
    handles_errors,
    require_directory,
    routed_dataset,
    settings,
    write_output,
)
from shiproute.maps.tiles import OFFLINE, TILE_CHOICES


def _refuse_foreign(target: Path) -> None:
    """Refuse to overwrite an existing file that is not a map shiproute wrote."""
    if not target.exists():
        return
    try:
        with target.open("rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        raise click.ClickException(f"can't write {target}: {err.strerror or err}") from None
    if b"shiproute" not in head:
        raise click.ClickException(f"{target} exists and is not a map made by shiproute; "
                                   "choose another name or remove it first")


@click.command()
@dataset_argument
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False),
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
@click.option("--png", "png", type=click.Path(dir_okay=False),
              help="Also save a clean picture for slides (needs a headless Chromium).")
@click.option("--size", default="1920x1080", show_default=True, metavar="WxH",
              help="Size of the --png picture in pixels.")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False),
              help="Also save a print layout: map, legend, sources (needs a headless Chromium).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="Paper of the --pdf layout.")
@click.option("--landscape", is_flag=True, help="Turn the --pdf paper to landscape.")
@gazetteer_option
@cache_options
@handles_errors
def render(
    dataset: str | None, output: str | None, title: str | None, subtitle: str | None,
    banner: str | None, tiles: str, embed: bool, height: str | None, png: str | None,
    size: str, pdf: str | None, paper: str, landscape: bool, gazetteers: tuple[str, ...],
    no_cache: bool, cache_dir: str | None,
) -> None:
    """Render a dataset as one self-contained HTML map and print its path.

    The map opens complete without a network. Sea legs follow sea lanes, rail
    legs the railway network; computed routes are cached, so a second render
    of the same dataset does no routing. --png and --pdf also save a picture
    and a print layout of it; nothing is written unless all of them succeed.
    """
    from shiproute.maps.render import render_map

    pixels = _size(size)
    map_height = _height(height)
    browser = None
    if png or pdf:
        from shiproute.maps.snapshot import require_chromium

        browser = require_chromium(settings().chromium)
    targets = [Path(output)] if output else []
    extras = [Path(p) for p in (png, pdf) if p]
    for path in (*targets, *extras):
        require_directory(path)
    for path in targets:
        _refuse_foreign(path)
    routed = routed_dataset(dataset, gazetteers, no_cache, cache_dir)
    target = targets[0] if targets else Path.cwd() / f"{routed.dataset.name}.html"
    if not targets:
        _refuse_foreign(target)
    document = render_map(routed, title=title, subtitle=subtitle, banner=banner, tiles=tiles,
                          embed=embed, height=map_height)
    with ExitStack() as cleanup:
        made = []
        if browser is not None:
            from shiproute.maps.snapshot import print_pdf, screenshot

            if png:
                shot = _temporary(Path(png), cleanup)
                screenshot(document, shot, browser=browser, width=pixels[0], height=pixels[1])
                made.append((shot, Path(png)))
            if pdf:
                sheet = _temporary(Path(pdf), cleanup)
                print_pdf(document, sheet, browser=browser, paper=paper, landscape=landscape)
                made.append((sheet, Path(pdf)))
        write_output(target, document.html.encode("utf-8"))
        for temporary, final in made:
            os.replace(temporary, final)
    click.echo(str(target))
    for _temporary_path, final in made:
        click.echo(str(final))


def _temporary(final: Path, cleanup: ExitStack) -> Path:
    """Return a temporary name beside ``final``, removed on exit unless renamed."""
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=final.suffix)
    os.close(fd)
    path = Path(name)
    cleanup.callback(path.unlink, missing_ok=True)
    return path


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
