"""``shiproute gazetteer ...``: inspect, check and edit gazetteer files, geocode on request."""

from __future__ import annotations

from collections.abc import Callable
import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from shiproute.cli.common import (
    echo_site,
    echo_table,
    gazetteer_option,
    handles_errors,
    load_gazetteer,
    settings,
    use_reference,
)
from shiproute.errors import GazetteerError, Problem
from shiproute.gazetteer.model import KINDS

if TYPE_CHECKING:
    from shiproute.gazetteer.layers import Layer
    from shiproute.gazetteer.reference import ReferencePlace
    from shiproute.gazetteer.resolve import Gazetteer


def _layers(gazetteers: tuple[str, ...]) -> list[Layer]:
    from shiproute.gazetteer.layers import gazetteer_layers

    return gazetteer_layers(gazetteers, settings().gazetteers)


def _edit_target(gazetteers: tuple[str, ...]) -> Path:
    """Return the topmost user layer, where edits go."""
    layers = [layer for layer in _layers(gazetteers) if layer.editable]
    if not layers:
        raise click.ClickException(
            "no gazetteer of yours to edit (the bundled one is read-only); start one with "
            "'shiproute gazetteer init FILE', then pass --gazetteer FILE or set "
            "SHIPROUTE_GAZETTEER=FILE"
        )
    return layers[0].path


def _guard(target: Path, site_id: str, gazetteers: tuple[str, ...], force: bool
           ) -> Callable[[bytes], None] | None:
    """Return the check an edit must pass (as ``gazetteer check``), or None with --force."""
    if force:
        return None
    from shiproute.gazetteer.edit import site_guard

    return site_guard(target, site_id, _below(target, gazetteers))


def _below(path: Path, gazetteers: tuple[str, ...]) -> Gazetteer | None:
    """Return the sites of the layers under ``path`` (all layers in use, if it is none)."""
    from shiproute.gazetteer.load import load_gazetteer as load

    paths = [layer.path for layer in _layers(gazetteers)]
    resolved = [p.resolve() for p in paths]
    under = paths[resolved.index(path.resolve()) + 1:] if path.resolve() in resolved else paths
    return load(under, bundled=False, reference=False) if under else None


def _warn_after_edit(target: Path, site_id: str, gazetteers: tuple[str, ...]) -> None:
    """Print what 'gazetteer check' warns of the edited site (e.g. a name it shadows)."""
    from shiproute.gazetteer.check import check_gazetteer

    for problem in check_gazetteer(target, below=_below(target, gazetteers)):
        if problem.severity == "warning" and problem.message.startswith(f"site '{site_id}'"):
            click.echo(str(problem), err=True)


force_option = click.option("--force", is_flag=True,
                            help="Write the edit even if 'gazetteer check' would reject it.")


@click.group()
def gazetteer() -> None:
    """Inspect, check and edit gazetteer files.

    Layers, highest first: a dataset's own sites, the --gazetteer files (the
    first wins) or else $SHIPROUTE_GAZETTEER, then the bundled gazetteer.
    Edits go to the topmost file of yours, never to the bundled one.
    """


@gazetteer.command("path")
@gazetteer_option
def path_command(gazetteers: tuple[str, ...]) -> None:
    """Print the gazetteer layers in use, highest precedence first, then the reference layers."""
    from shiproute.gazetteer.reference import Reference

    layers = _layers(gazetteers)
    for n, layer in enumerate(layers, 1):
        note = " (read-only)" if not layer.editable else ""
        click.echo(f"{n}. {layer.path}  [{layer.origin}]{note}")
    if not use_reference():
        click.echo("reference layers: off (--no-reference or SHIPROUTE_REFERENCE=off)")
        return
    reference = Reference()
    size = reference.path.stat().st_size / 1e6
    click.echo(f"reference layers, for names no gazetteer has ({reference.path}, {size:.1f} MB, "
               "read-only):")
    for n, (below, count) in enumerate(reference.layers(), len(layers) + 1):
        click.echo(f"{n}. {below.name}: {count:,} {below.precision}s from {below.source}; "
                   f"licence {below.licence}")


@gazetteer.command()
@click.argument("file", type=click.Path(dir_okay=False))
@handles_errors
def init(file: str) -> None:
    """Start FILE as a copy of the bundled gazetteer, comments included."""
    from shiproute.gazetteer.edit import init_gazetteer

    init_gazetteer(Path(file))
    click.echo(f"{file}: created; edit it with --gazetteer {file} or set SHIPROUTE_GAZETTEER")


@gazetteer.command()
@click.argument("site_id", metavar="ID")
@click.option("--from", "from_ref", metavar="REF",
              help="Start from a reference place (IATA:VKO, ICAO:UUWW, UNLOCODE:RUNJK, "
                   "geonames:524901); the other options override its fields.")
@click.option("--name", help="Display name.")
@click.option("--lat", type=float, help="Latitude, decimal degrees.")
@click.option("--lon", type=float, help="Longitude, decimal degrees.")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--country", help="ISO 3166-1 alpha-2 code, e.g. RU.")
@click.option("--alias", "aliases", multiple=True, help="Another name; repeatable.")
@click.option("--note", help="Where the coordinates come from.")
@force_option
@gazetteer_option
@handles_errors
def add(site_id: str, from_ref: str | None, name: str | None, lat: float | None,
        lon: float | None, kind: str | None, country: str | None, aliases: tuple[str, ...],
        note: str | None, force: bool, gazetteers: tuple[str, ...]) -> None:
    """Add site ID to your gazetteer (refused if 'gazetteer check' would reject it).

    Give --name, --lat, --lon, --kind and --country, or --from a reference
    place to copy them from, with a note saying where they came from.
    """
    import datetime as dt

    from shiproute.gazetteer.edit import add_site
    from shiproute.gazetteer.reference import LAYERS

    fields: dict[str, object] = {}
    if from_ref is not None:
        start = _reference_place(from_ref)
        layer = LAYERS[start.layer]
        fields = {"name": start.name, "kind": start.kind, "country": start.country,
                  "lat": start.lat, "lon": start.lon,
                  "note": f"Copied on {dt.date.today().isoformat()} from {start.ref} "
                          f"({layer.precision}, {layer.source}); move it to the exact "
                          f"{layer.exact}."}
    given = {"name": name, "kind": kind, "country": country, "lat": lat, "lon": lon,
             "note": note}
    fields.update({k: v for k, v in given.items() if v is not None})
    missing = [f"--{k}" for k in ("name", "lat", "lon", "kind", "country") if k not in fields]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or give --from REF to start "
                               "from a reference place)")
    target = _edit_target(gazetteers)
    add_site(target, site_id, {**fields, "aliases": list(aliases)},
             guard=_guard(target, site_id, gazetteers, force))
    click.echo(f"{target}: added '{site_id}'")
    _warn_after_edit(target, site_id, gazetteers)


def _reference_place(ref: str) -> ReferencePlace:
    """Return the reference place ``ref`` names, or fail saying how to find one."""
    from shiproute.gazetteer.reference import Reference

    place = Reference().by_code(ref)
    if place is None:
        raise click.BadParameter(
            f"no reference place '{ref}'; give an id such as IATA:VKO, ICAO:UUWW, "
            "UNLOCODE:RUNJK or geonames:524901 ('shiproute resolve NAME' shows a place's id)",
            param_hint="--from")
    return place


@gazetteer.command("set")
@click.argument("site_id", metavar="ID")
@click.argument("field", type=click.Choice(["name", "kind", "country", "lat", "lon", "note"]))
@click.argument("value")
@force_option
@gazetteer_option
@handles_errors
def set_command(site_id: str, field: str, value: str, force: bool,
                gazetteers: tuple[str, ...]) -> None:
    """Set FIELD of site ID to VALUE (refused if 'gazetteer check' would reject it)."""
    from shiproute.gazetteer.edit import set_field

    target = _edit_target(gazetteers)
    set_field(target, site_id, field, value, guard=_guard(target, site_id, gazetteers, force))
    click.echo(f"{target}: set {site_id}.{field}")
    _warn_after_edit(target, site_id, gazetteers)


@gazetteer.command()
@click.argument("site_id", metavar="ID")
@click.argument("name")
@force_option
@gazetteer_option
@handles_errors
def alias(site_id: str, name: str, force: bool, gazetteers: tuple[str, ...]) -> None:
    """Add NAME as an alias of site ID (refused if another site already has the name)."""
    from shiproute.gazetteer.edit import add_alias

    target = _edit_target(gazetteers)
    add_alias(target, site_id, name, guard=_guard(target, site_id, gazetteers, force))
    click.echo(f"{target}: '{name}' is now an alias of '{site_id}'")
    _warn_after_edit(target, site_id, gazetteers)


@gazetteer.command()
@click.argument("site_id", metavar="ID")
@gazetteer_option
@handles_errors
def remove(site_id: str, gazetteers: tuple[str, ...]) -> None:
    """Remove site ID from your gazetteer (comments around it stay)."""
    from shiproute.gazetteer.edit import remove_site

    target = _edit_target(gazetteers)
    remove_site(target, site_id)
    click.echo(f"{target}: removed '{site_id}'")


@gazetteer.command("list")
@click.option("--kind", type=click.Choice(KINDS), help="Only sites of this kind.")
@click.option("--country", help="Only sites in this country (ISO alpha-2).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@gazetteer_option
@handles_errors
def list_command(kind: str | None, country: str | None, fmt: str,
                 gazetteers: tuple[str, ...]) -> None:
    """List the sites of the gazetteer layers in use."""
    sites = [s for s in load_gazetteer(gazetteers).values()
             if (kind is None or s.kind == kind)
             and (country is None or s.country == country.upper())]
    fields = ["id", "name", "kind", "country", "lat", "lon", "aliases", "note"]
    if fmt == "json":
        click.echo(json.dumps([{f: list(s.aliases) if f == "aliases" else getattr(s, f)
                                for f in fields} for s in sites], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(fields)
        for s in sites:
            writer.writerow([s.id, s.name, s.kind, s.country, s.lat, s.lon,
                             "; ".join(s.aliases), s.note])
        click.echo(out.getvalue(), nl=False)
        return
    rows = [[s.id, s.name, s.kind, s.country, f"{s.lat:.4f}", f"{s.lon:.4f}"] for s in sites]
    echo_table(["id", "name", "kind", "country", "lat", "lon"], rows)


@gazetteer.command()
@click.argument("name")
@gazetteer_option
@handles_errors
def show(name: str, gazetteers: tuple[str, ...]) -> None:
    """Show the site NAME resolves to (same as 'shiproute resolve NAME')."""
    found = load_gazetteer(gazetteers).explain(name)
    echo_site(found.site, as_json=False, how=found.how)


@gazetteer.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@gazetteer_option
@handles_errors
def check(file: str | None, gazetteers: tuple[str, ...]) -> None:
    """Check FILE (default: every layer in use) and print every problem with its position.

    Besides the fields, this finds duplicate ids and keys, sites outside their
    declared country (with a hint when lat and lon look swapped), ports far
    from the coast (a warning), and a name or alias on two sites.
    """
    from shiproute.gazetteer.check import check_gazetteer

    paths = [Path(file)] if file else [layer.path for layer in _layers(gazetteers)]
    errors: list[Problem] = []
    for path in paths:
        found = check_gazetteer(path, below=_below(path, gazetteers))
        errors.extend(p for p in found if p.severity == "error")
        for warning in (p for p in found if p.severity == "warning"):
            click.echo(str(warning), err=True)
        if not any(p.severity == "error" for p in found):
            click.echo(f"{path}: OK")
    if errors:
        raise GazetteerError(errors)


@gazetteer.command()
def schema() -> None:
    """Print the JSON Schema of the gazetteer format (for editor validation)."""
    from shiproute.gazetteer.schema import gazetteer_schema

    click.echo(json.dumps(gazetteer_schema(), indent=2))


def _endpoint(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Refuse an --endpoint that is not an http(s) URL before anything is sent."""
    from shiproute.gazetteer.geocode import check_endpoint

    if value is not None:
        try:
            check_endpoint(value)
        except ValueError as err:
            raise click.BadParameter(str(err)) from None
    return value


@gazetteer.command()
@click.argument("name")
@click.option("--country", help="Search only this country (ISO alpha-2).")
@click.option("--provider", type=click.Choice(["nominatim"]), default="nominatim",
              show_default=True)
@click.option("--endpoint", callback=_endpoint,
              help="Base URL of the service, e.g. a self-hosted Nominatim; default: "
                   "https://nominatim.openstreetmap.org. Redirects are followed only "
                   "within its scheme, host and port.")
@click.option("--add", "add_id", metavar="ID", help="Add the chosen candidate as site ID.")
@click.option("--pick", type=int, default=1, show_default=True,
              help="Which candidate --add takes.")
@click.option("--kind", type=click.Choice(KINDS), default="other", show_default=True,
              help="Kind of the added site.")
@click.option("--yes", is_flag=True, help="Add without asking.")
@click.option("--no-cache", is_flag=True, help="Ask the service even if the answer is cached.")
@force_option
@gazetteer_option
@handles_errors
def geocode(name: str, country: str | None, provider: str, endpoint: str | None,
            add_id: str | None, pick: int, kind: str, yes: bool, no_cache: bool, force: bool,
            gazetteers: tuple[str, ...]) -> None:
    """Look NAME up online (opt-in) and print candidates; --add ID adds one.

    Follows Nominatim's usage policy: a user agent naming shiproute, one
    request per lookup, answers cached on disk. The answer is not trusted: it
    must come within 10 s and 2 MB, places out of range refuse it, and names
    are cleaned of control characters and cut to 200 characters.
    """
    import datetime as dt

    from shiproute.gazetteer.edit import add_site
    from shiproute.gazetteer.geocode import DEFAULT_ENDPOINT
    from shiproute.gazetteer.geocode import geocode as lookup
    from shiproute.settings import user_agent

    target = _edit_target(gazetteers) if add_id else None
    endpoint = endpoint or DEFAULT_ENDPOINT
    found = lookup(name, country=country, endpoint=endpoint,
                   user_agent=user_agent("gazetteer geocode"),
                   cache_dir=None if no_cache else settings().cache_path("geocode"))
    if not found:
        raise click.ClickException(f"no place found for '{name}'"
                                   + (f" in {country.upper()}" if country else ""))
    for n, c in enumerate(found, 1):
        click.echo(f"{n}. {c.name} ({c.lat:.5f}, {c.lon:.5f}) {c.country} {c.category}")
    if not add_id or target is None:
        return
    if not 1 <= pick <= len(found):
        raise click.BadParameter(f"choose 1-{len(found)}", param_hint="--pick")
    chosen = found[pick - 1]
    if not yes and not click.confirm(f"Add candidate {pick} as '{add_id}' to {target}?"):
        raise click.ClickException("nothing added")
    note = (f"Geocoded with {provider} ({endpoint}) on {dt.date.today().isoformat()}: "
            f"{chosen.name}")
    add_site(target, add_id, {"name": name, "kind": kind, "country": chosen.country or country,
                              "lat": round(chosen.lat, 5), "lon": round(chosen.lon, 5),
                              "note": note}, guard=_guard(target, add_id, gazetteers, force))
    click.echo(f"{target}: added '{add_id}'")
    _warn_after_edit(target, add_id, gazetteers)
