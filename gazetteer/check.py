"""The checks every set of sites gets wherever it is written: gazetteer, dataset, edits.

Beyond what loading checks (fields, ranges, kinds, country codes, duplicate
keys, hostile YAML), :func:`check_sites` finds sites that lie outside their
declared country (Natural Earth 10m polygons, 25 km tolerance, with a hint
when swapping lat and lon would fix it), ports more than 25 km from the
coast (an error when swapping lat and lon puts them on the coast, else a
warning: river ports exist), and names or aliases that another
site already has (in the same file, or in the other layers in use), which
would make the name ambiguous. ``gazetteer check``, ``validate`` (a
dataset's own ``sites:``) and the gazetteer edits all run these same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
import math
from pathlib import Path
from typing import Any

from shiproute.errors import Problem
from shiproute.gazetteer.load import parse_gazetteer
from shiproute.gazetteer.model import Site
from shiproute.gazetteer.records import Problems
from shiproute.gazetteer.resolve import normalize_name
from shiproute.gazetteer.safeyaml import (
    YamlReadError,
    key_mark,
    parse_yaml,
    read_limited,
    value_mark,
)

OUTSIDE_KM = 25.0
INLAND_PORT_KM = 25.0
"""A port farther than this from the coast gets a warning (river ports are real, but a
swapped lat/lon puts a port inland too)."""


def outside_country(site: Site) -> str | None:
    """Return why a site lies outside its declared country, or ``None`` when it does not.

    Parameters
    ----------
    site
        The site.

    Returns
    -------
    str or None
        E.g. ``"site 'x': 47.5, 42.9 lies 1,598 km outside RU; lat and lon look swapped"``.
    """
    from shiproute.gazetteer.earth import load_earth

    earth = load_earth()
    outside = earth.km_outside(site.lat, site.lon, site.country)
    if outside is None or outside <= OUTSIDE_KM:
        return None
    message = (f"site '{site.id}': {site.lat:g}, {site.lon:g} lies {outside:,.0f} km "
               f"outside {site.country}")
    swapped = earth.km_outside(site.lon, site.lat, site.country) if abs(site.lon) <= 90 \
        else None
    if swapped is not None and swapped <= OUTSIDE_KM:
        message += "; lat and lon look swapped"
    return message


def inland_port(site: Site) -> tuple[str, bool] | None:
    """Return why a port lies inland, and whether swapping lat and lon would fix it.

    Parameters
    ----------
    site
        The site; only ports are checked.

    Returns
    -------
    tuple of str and bool, or None
        ``None`` when the site is no port or lies near the coast.
    """
    from shiproute.gazetteer.earth import load_earth

    if site.kind != "port":
        return None
    earth = load_earth()
    inland = earth.km_inland(site.lat, site.lon)
    if inland <= INLAND_PORT_KM:
        return None
    far = "more than 500" if math.isinf(inland) else f"{inland:,.0f}"
    message = f"site '{site.id}': port at {site.lat:g}, {site.lon:g} lies {far} km from the coast"
    if abs(site.lon) <= 90 and earth.km_inland(site.lon, site.lat) <= INLAND_PORT_KM and \
            (earth.km_outside(site.lon, site.lat, site.country) or 0.0) <= OUTSIDE_KM:
        return f"{message}; lat and lon look swapped", True
    return (f"{message}; if it is a river or lake port this is fine, else check its "
            "coordinates"), False


def check_sites(sites: Mapping[str, Site], mapping: Mapping[Any, Any], problems: Problems,
                *, below: Mapping[str, Site] | None = None) -> None:
    """Add every problem of a set of sites to ``problems``.

    Parameters
    ----------
    sites
        The sites by id, as loaded (one layer).
    mapping
        The ``sites:`` mapping they were read from (for positions; plain
        dicts give line 0).
    problems
        Where problems go.
    below
        Sites of the layers under this one: a name or alias of one of them
        (under another id) is shadowed here, a warning, since datasets that
        use the name then get this layer's site. ``None``: don't look (a
        dataset's own sites shadow the gazetteer's by design). A name two
        sites of this layer share is an error: it would be ambiguous.
    """
    for site in sites.values():
        mark = value_mark(mapping.get(site.id, {}), "lat")
        message = outside_country(site)
        if message is not None:
            problems.add(mark, message)
            continue
        port = inland_port(site)
        if port is not None:
            problems.add(mark, port[0], "error" if port[1] else "warning")
    lower = {normalize_name(alias): (other.id, alias)
             for other in (below or {}).values() if other.id not in sites
             for alias in reversed(other.names)}
    owners: dict[str, tuple[str, str]] = {}
    for site in sites.values():
        for alias in site.names:
            key = normalize_name(alias)
            if key in owners and owners[key][0] != site.id:
                first_id, first_name = owners[key]
                problems.add(key_mark(mapping, site.id),
                             f"site '{site.id}': name or alias '{alias}' also names site "
                             f"'{first_id}' ('{first_name}'); it would be ambiguous")
            elif key in lower:
                other_id, other_name = lower[key]
                problems.add(key_mark(mapping, site.id),
                             f"site '{site.id}': name or alias '{alias}' shadows site "
                             f"'{other_id}' ('{other_name}') of a lower layer: datasets that "
                             "name it get this site", "warning")
            owners.setdefault(key, (site.id, alias))


def check_gazetteer(path: Path, *, below: Mapping[str, Site] | None = None,
                    data: bytes | None = None) -> list[Problem]:
    """Return every problem of a gazetteer file, in line order (empty when it is fine).

    Parameters
    ----------
    path
        The file.
    below
        Sites of the layers under this file (see :func:`check_sites`).
    data
        The file's content, if already read (e.g. an edit not yet written).

    Returns
    -------
    list of Problem
    """
    name = str(path)
    try:
        document = parse_yaml(read_limited(path, "gazetteer") if data is None else data, name)
    except YamlReadError as err:
        return [err.problem]
    sites, mapping, problems = parse_gazetteer(document)
    check_sites(sites, mapping, problems, below=below)
    problems.sort(key=lambda p: (p.line, p.column))
    return list(problems)
