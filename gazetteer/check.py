"""Check a gazetteer file thoroughly: every problem at once, with file:line:column.

Beyond what loading checks (fields, ranges, kinds, country codes, duplicate
keys, hostile YAML), this finds sites that lie outside their declared country
(Natural Earth 10m polygons, 25 km tolerance, with a hint when swapping lat
and lon would fix it) and the same alias on two different sites.
"""

from __future__ import annotations

from pathlib import Path

from shiproute.errors import Problem
from shiproute.gazetteer.load import parse_gazetteer
from shiproute.gazetteer.resolve import normalize_name
from shiproute.gazetteer.safeyaml import YamlReadError, key_mark, parse_yaml, value_mark

OUTSIDE_KM = 25.0


def check_gazetteer(path: Path) -> list[Problem]:
    """Return every problem of a gazetteer file, in line order (empty when it is fine).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    list of Problem
    """
    name = str(path)
    try:
        document = parse_yaml(path.read_bytes(), name)
    except OSError as err:
        return [Problem(name, 0, 0, f"can't read gazetteer: {err.strerror or err}")]
    except YamlReadError as err:
        return [err.problem]
    sites, mapping, problems = parse_gazetteer(document)
    if sites:
        from shiproute.gazetteer.earth import load_earth

        earth = load_earth()
        for site in sites.values():
            outside = earth.km_outside(site.lat, site.lon, site.country)
            if outside is None or outside <= OUTSIDE_KM:
                continue
            message = (f"site '{site.id}': {site.lat:g}, {site.lon:g} lies {outside:,.0f} km "
                       f"outside {site.country}")
            swapped = earth.km_outside(site.lon, site.lat, site.country) if abs(site.lon) <= 90 \
                else None
            if swapped is not None and swapped <= OUTSIDE_KM:
                message += "; lat and lon look swapped"
            problems.add(value_mark(mapping[site.id], "lat"), message)
    owners: dict[str, tuple[str, str]] = {}
    for site in sites.values():
        for alias in site.names:
            key = normalize_name(alias)
            if key in owners and owners[key][0] != site.id:
                first_id, first_name = owners[key]
                problems.add(key_mark(mapping, site.id),
                             f"site '{site.id}': name or alias '{alias}' also names site "
                             f"'{first_id}' ('{first_name}'); it would be ambiguous")
            owners.setdefault(key, (site.id, alias))
    problems.sort(key=lambda p: (p.line, p.column))
    return list(problems)
