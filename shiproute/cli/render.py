"""``shiproute render``: the self-contained HTML map (and a PNG of it)."""

from __future__ import annotations

from pathlib import Path

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
@click.option("--png", "png", type=click.Path(dir_okay=False),
              help="Also save a screenshot of the map (needs a headless Chromium).")
@gazetteer_option
@cache_options
@handles_errors
def render(
    dataset: str | None, output: str | None, title: str | None, subtitle: str | None,
    banner: str | None, tiles: str, embed: bool, png: str | None, gazetteers: tuple[str, ...],
    no_cache: bool, cache_dir: str | None,
) -> None:
    """Render a dataset as one self-contained HTML map and print its path.

    The map opens complete without a network. Sea legs follow sea lanes, rail
    legs the railway network; computed routes are cached, so a second render
    of the same dataset does no routing.
    """
    from shiproute.maps.render import render_map

    browser = None
    if png:
        from shiproute.maps.png import require_chromium

        browser = require_chromium(settings().chromium)
    targets = [Path(output)] if output else []
    for path in (*targets, *([Path(png)] if png else [])):
        require_directory(path)
    for path in targets:
        _refuse_foreign(path)
    routed = routed_dataset(dataset, gazetteers, no_cache, cache_dir)
    target = targets[0] if targets else Path.cwd() / f"{routed.dataset.name}.html"
    if not targets:
        _refuse_foreign(target)
    document = render_map(routed, title=title, subtitle=subtitle, banner=banner, tiles=tiles,
                          embed=embed)
    write_output(target, document.html.encode("utf-8"))
    click.echo(str(target))
    if png and browser:
        from shiproute.maps.png import screenshot

        screenshot(document.page(), Path(png), browser=browser)
        click.echo(png)
