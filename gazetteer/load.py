"""Load gazetteer files into :class:`Site` objects, reporting every problem."""

from __future__ import annotations

from collections.abc import Iterable
import functools
from pathlib import Path
from typing import Any

from shiproute.errors import GazetteerError
from shiproute.gazetteer.model import KINDS, Site
from shiproute.gazetteer.records import Problems, Record, as_map
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.gazetteer.safeyaml import (
    YamlDocument,
    YamlReadError,
    fast_document,
    key_mark,
    mark_of,
    parse_yaml,
    read_limited,
)

SITE_FIELDS = ("name", "aliases", "kind", "country", "lat", "lon", "note")
BUNDLED_NAME = "sites.yaml"


def bundled_path() -> Path:
    """Return the path of the gazetteer shipped inside the package."""
    return Path(__file__).with_name(BUNDLED_NAME)


@functools.cache
def country_codes() -> frozenset[str]:
    """Return every ISO 3166-1 alpha-2 code."""
    import iso3166

    return frozenset(iso3166.countries_by_alpha2)


def parse_site(site_id: Any, value: Any, mark: tuple[int, int], problems: Problems) -> Site | None:
    """Build one :class:`Site` from its YAML mapping.

    Parameters
    ----------
    site_id
        The mapping key.
    value
        The mapping of fields.
    mark
        Position of the key, for messages.
    problems
        Where problems go.

    Returns
    -------
    Site or None
        ``None`` when the entry has errors (they are in ``problems``).
    """
    what = f"site {site_id!r}"
    if not isinstance(site_id, str) or not site_id.strip():
        problems.add(mark, f"{what}: a site id must be text")
        return None
    fields = as_map(value, mark, problems, what)
    if fields is None:
        return None
    before = len(problems)
    record = Record(fields, problems, what)
    record.known(SITE_FIELDS)
    name = record.text("name", required=True)
    kind = record.text("kind", required=True)
    country = record.text("country", required=True)
    lat = record.number("lat", required=True)
    lon = record.number("lon", required=True)
    aliases = record.texts("aliases")
    note = record.text("note") or ""
    if lat is not None and not -90 <= lat <= 90:
        hint = "; lat and lon look swapped" if -90 <= (lon or 0) <= 90 and abs(lat) <= 180 else ""
        record.problem("lat", f"latitude {lat:g} is outside [-90, 90]{hint}")
    if lon is not None and not -180 <= lon <= 180:
        record.problem("lon", f"longitude {lon:g} is outside [-180, 180]")
    if kind is not None and kind not in KINDS:
        record.problem("kind", f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if country is not None and country not in country_codes():
        upper = country.upper()
        hint = f"; write '{upper}'" if upper in country_codes() else ""
        record.problem(
            "country", f"country {country!r} is not an ISO 3166-1 alpha-2 code{hint}"
        )
    if len(problems) > before or None in (name, kind, country, lat, lon):
        return None
    assert name and kind and country and lat is not None and lon is not None
    return Site(site_id, name, kind, country, lat, lon, aliases, note)  # type: ignore[arg-type]


def parse_sites(value: dict[Any, Any], problems: Problems) -> dict[str, Site]:
    """Build the sites of a ``sites:`` mapping; bad entries are left out."""
    sites: dict[str, Site] = {}
    for site_id, fields in value.items():
        site = parse_site(site_id, fields, key_mark(value, site_id), problems)
        if site is not None:
            sites[site.id] = site
    return sites


def read_gazetteer_file(path: str | Path, *, data: bytes | None = None) -> dict[str, Site]:
    """Read one gazetteer file.

    Parameters
    ----------
    path
        The file; its name is used in messages.
    data
        The content, if already read.

    Returns
    -------
    dict of str to Site
        The sites by id, in file order.

    Raises
    ------
    GazetteerError
        With every problem, when the file is missing, unreadable, not a
        regular file, over 32 MB or invalid.
    """
    name = str(path)
    try:
        content = read_limited(path, "gazetteer") if data is None else data
        fast = _fast_sites(content, name)
        if fast is not None:
            return fast
        document = parse_yaml(content, name)
    except YamlReadError as err:
        raise GazetteerError([err.problem]) from None
    sites, _mapping, problems = parse_gazetteer(document)
    if problems.has_errors:
        raise GazetteerError(problems)
    return sites


def _fast_sites(content: bytes, name: str) -> dict[str, Site] | None:
    """Read a gazetteer with the fast parser; ``None`` if anything needs a closer look.

    Any problem sends the caller to the position-keeping reader, which then
    reports it with its line (duplicate keys included: yaml-rs refuses them).
    """
    document = fast_document(content, name)
    if document is None:
        return None
    sites, _mapping, problems = parse_gazetteer(document)
    return sites if not problems else None


def parse_gazetteer(document: YamlDocument) -> tuple[dict[str, Site], dict[Any, Any], Problems]:
    """Build the sites of a parsed gazetteer file, collecting every problem.

    Returns
    -------
    tuple
        The valid sites by id, the raw ``sites`` mapping (with positions) and
        the problems, duplicate keys included.
    """
    problems = Problems(document.path)
    problems.extend(document.problems)
    top = as_map(document.value, (1, 1), problems, "a gazetteer")
    sites: dict[str, Site] = {}
    mapping: dict[Any, Any] = {}
    if top is not None:
        record = Record(top, problems, "gazetteer")
        record.known(("sites",))
        if "sites" not in top:
            problems.add(mark_of(top), "gazetteer: missing the top-level 'sites:' mapping")
        elif (found := as_map(top["sites"], record.mark("sites"), problems, "'sites'")) is not None:
            mapping = found
            sites = parse_sites(mapping, problems)
    return sites, mapping, problems


def load_gazetteer(layers: Iterable[str | Path] = (), *, bundled: bool = True,
                   reference: bool = True) -> Gazetteer:
    """Load user gazetteer files layered over the bundled one.

    Parameters
    ----------
    layers
        Gazetteer files, highest precedence first: a site id defined in an
        earlier file replaces the same id in later ones and in the bundled file.
    bundled
        Include the bundled gazetteer as the lowest curated layer.
    reference
        Look names no curated layer knows up in the world reference layers
        (ports, airports, cities; :mod:`~shiproute.gazetteer.reference`).

    Returns
    -------
    Gazetteer

    Raises
    ------
    GazetteerError
        If any file is missing or invalid.
    """
    return load_layers(layers, bundled=bundled, reference=reference)[0]


def load_layers(
    layers: Iterable[str | Path] = (), *, bundled: bool = True, reference: bool = True
) -> tuple[Gazetteer, list[str]]:
    """Load layered gazetteer files and say which site ids a higher layer overrides.

    Parameters
    ----------
    layers, bundled, reference
        As for :func:`load_gazetteer`.

    Returns
    -------
    tuple of Gazetteer and list of str
        The gazetteer, and one note per overridden id, e.g. "site 'dunay' in
        mine.yaml overrides the one in .../sites.yaml".

    Raises
    ------
    GazetteerError
        If any file is missing or invalid.
    """
    paths = [*layers, bundled_path()] if bundled else list(layers)
    if reference:
        from shiproute.gazetteer.reference import Reference

        gazetteer = Gazetteer({}, Reference())
    else:
        gazetteer = Gazetteer({})
    defined_in: dict[str, Path | str] = {}
    notes = []
    for path in reversed(paths):
        sites = read_gazetteer_file(path)
        for site_id in sites:
            if site_id in defined_in:
                notes.append(f"site '{site_id}' in {path} overrides the one in "
                             f"{defined_in[site_id]}")
            defined_in[site_id] = path
        gazetteer = gazetteer.layered(sites)
    return gazetteer, notes
