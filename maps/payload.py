"""The data a map page carries: named, columnar, deduplicated, and safe to embed.

Every table is a JSON object of named columns of equal length (``sites.name[i]``
is the name of site ``i``), which costs no more than positional rows and lets
the page read fields by name. :data:`TABLES` is the schema: the page's runtime
(``maps/assets/shiproute.js``) reads exactly these names, and a test checks
that the two agree. Each distinct route geometry is stored once; legs point at
it and at a table of strings, so 10,000 legs on 600 routes cost little.
Popups are built in the browser from these records; dataset text is never
turned into HTML here, the page inserts it as text. The volume claims are
drawn in Python as an SVG chart (:mod:`shiproute.maps.chart`) and are not in
the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
import datetime as dt
import json
from typing import Any

from shiproute.maps._encode import (
    encode_paths,
    mercator_length,
    mercator_midpoints,
    split_all,
)
from shiproute.maps._html import safe_url
from shiproute.maps.style import KIND_STYLES, MODE_COLORS, WIDTHS, unit_tops
from shiproute.maps.views import cluster_views
from shiproute.routes.dates import When
from shiproute.routes.model import MODES, Leg
from shiproute.routes.routed import RoutedDataset

SCHEMA_VERSION = 4
EPOCH = dt.date(1970, 1, 1)
OPEN_DAYS = 10_000_000
"""Days since 1970 standing for an open end ("on or before ...", "since ...")."""

TABLES: Mapping[str, tuple[str, ...]] = {
    # one row per site; text columns are indices into ``strings``
    # weight: legs and events at the site, for the order in which labels are placed
    "sites": ("id", "name", "kind", "country", "lat", "lon", "note", "weight"),
    # one row per source, in dataset order; legs, events and claims cite them by row
    "sources": ("title", "publisher", "date", "url", "reliability"),
    # one row per distinct (mode, route) drawn: its path as encoded pieces (cut at the
    # antimeridian), the arrow (lat, lon, heading), distance (whole km and nmi, as popups
    # show it: Route.whole_distance), provenance
    "geoms": ("mode", "path", "arrow", "km", "nm", "source", "rule", "flags", "countries"),
    # one row per leg; t0/t1 are the first and last day it may cover (days since 1970;
    # an open end is -/+OPEN_DAYS); amount is the figure in ``unit`` (a row of ``units``,
    # -1: none stated); total is 1 when the figure is a total over a period (never added to
    # shipments); fuzzy is 1 when no date of the leg is known to the day; inferred is 1
    # when the dataset infers the leg (with its reasoning); from_as/to_as are the place
    # names as the sources wrote them
    "legs": ("id", "geom", "from", "to", "from_as", "to_as", "t0", "t1", "depart", "arrive",
             "volume", "amount", "unit", "total", "fuzzy", "inferred", "reasoning", "carrier",
             "sources", "note"),
    # one row per dated observation at a site, shown in the site's popup
    "events": ("site", "reported_as", "t0", "t1", "date", "what", "inferred", "reasoning",
               "sources"),
}
"""Column names of each table of the page data (see the module docstring)."""


class _Strings:
    """A table of distinct strings; records refer to them by index (-1: none)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, text: str | None) -> int:
        if text is None:
            return -1
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(text)
        return self.index[text]


def _days(when: When | None) -> tuple[int | None, int | None]:
    """Return the first and last day (since 1970) a date covers; an open end: +/-OPEN_DAYS."""
    if when is None:
        return None, None
    first = -OPEN_DAYS if when.start is None else (when.first - EPOCH).days
    last = OPEN_DAYS if when.end is None else (when.last - EPOCH).days
    return first, last


def _fuzzy(leg: Leg) -> int:
    """Return 1 when none of the leg's dates is a single known day."""
    return 0 if any(w is not None and w.is_day for w in (leg.depart, leg.arrive)) else 1


def _table(name: str, rows: Iterable[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """Return rows (in the column order of ``TABLES[name]``) as named columns."""
    columns = TABLES[name]
    out: dict[str, list[Any]] = {column: [] for column in columns}
    lists = [out[column] for column in columns]
    for row in rows:
        for values, value in zip(lists, row, strict=True):
            values.append(value)
    return out


def _geometries(routed: RoutedDataset, geom_of: Mapping[tuple[str, int], int],
                text: _Strings) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Return the ``geoms`` rows, in the order of ``geom_of``, and the connector paths.

    Every path of the map is encoded in one :func:`encode_paths` call.
    """
    routes = [(MODES.index(mode), routed.geometries[index]) for mode, index in geom_of]
    split = split_all([route.points for _, route in routes])
    links = [piece for pieces in split_all([c for _, route in routes for c in route.connectors])
             for piece in pieces]
    encoded = iter(encode_paths([piece for pieces in split for piece in pieces] + links))
    arrows = mercator_midpoints([max(pieces, key=mercator_length) if len(pieces) > 1
                                 else pieces[0] for pieces in split])
    rows = []
    for (mode, route), pieces, arrow in zip(routes, split, arrows, strict=True):
        rows.append((
            mode, [next(encoded) for _ in pieces], arrow, *route.whole_distance(),
            text(route.source),
            text(route.rule if route.rule != route.source else None),
            [text(f) for f in route.flags], text(", ".join(route.countries) or None),
        ))
    return rows, list(encoded)


def build_payload(routed: RoutedDataset) -> dict[str, Any]:
    """Return the page data of a routed dataset.

    Parameters
    ----------
    routed
        The routed dataset.

    Returns
    -------
    dict
        JSON-able: ``strings``, the tables of :data:`TABLES`, ``connectors``,
        ``modes``, ``kinds``, ``widths`` (the line-width scale), ``units``
        (each with the largest volume one line carries in it), ``views``
        (clusters of sites, see :mod:`shiproute.maps.views`) and ``days``
        (the first and last day of any date, or ``None``).
    """
    dataset = routed.dataset
    text = _Strings()
    top = unit_tops(routed)
    units = list(top)
    unit_index = {unit: i for i, unit in enumerate(units)}
    site_index = {site_id: i for i, site_id in enumerate(dataset.sites)}
    weight = dict.fromkeys(dataset.sites, 0)
    for leg in dataset.legs:
        weight[leg.origin] += 1
        weight[leg.destination] += 1
    for event in dataset.events:
        weight[event.site] += 1
    source_index = {source_id: i for i, source_id in enumerate(dataset.sources)}

    def cited(ids: Iterable[str]) -> list[int]:
        return [source_index[s] for s in ids]

    geom_of: dict[tuple[str, int], int] = {}
    for leg in dataset.legs:
        geom_of.setdefault((leg.mode, routed.geometry_of[leg.id]), len(geom_of))
    geom_rows, connectors = _geometries(routed, geom_of, text)  # their few texts first
    leg_rows = []
    for leg in dataset.legs:
        t0, t1 = _days(leg.period)
        leg_rows.append((
            text(leg.id), geom_of[leg.mode, routed.geometry_of[leg.id]],
            site_index[leg.origin], site_index[leg.destination],
            text(leg.origin_reported_as), text(leg.destination_reported_as),
            t0, t1, text(leg.depart.label() if leg.depart else None),
            text(leg.arrive.label() if leg.arrive else None),
            text(leg.volume.label(leg.unit) if leg.volume else None),
            leg.volume.value if leg.volume else 0,
            unit_index[leg.unit] if leg.volume and leg.unit else -1,
            int(leg.volume is not None and leg.volume.scope == "total"), _fuzzy(leg),
            int(leg.basis == "inferred"), text(leg.reasoning),
            text(leg.carrier), cited(leg.sources), text(leg.note),
        ))
    events = sorted(dataset.events, key=lambda e: e.date.first)
    tables = {
        "sites": _table("sites", (
            (text(s.id), text(s.name), s.kind, text(s.country), s.lat, s.lon,
             text(s.note or None), weight[s.id]) for s in dataset.sites.values())),
        "sources": _table("sources", (
            (text(s.title), text(s.publisher),
             text(s.date.label() if s.date else None), text(safe_url(s.url)),
             text(s.reliability)) for s in dataset.sources.values())),
        "geoms": _table("geoms", geom_rows),
        "legs": _table("legs", leg_rows),
        "events": _table("events", (
            (site_index[e.site], text(e.reported_as), *_days(e.date), text(e.date.label()),
             text(e.what), int(e.basis == "inferred"), text(e.reasoning), cited(e.sources))
            for e in events)),
    }
    days = [d for name in ("legs", "events") for column in ("t0", "t1")
            for d in tables[name][column] if d is not None and abs(d) < OPEN_DAYS]
    days += [d for e in dataset.estimates for d in _days(e.date)
             if d is not None and abs(d) < OPEN_DAYS]
    return {
        "schema": SCHEMA_VERSION,
        "strings": text.items,
        **tables,
        "connectors": connectors,
        "modes": [{"name": m, "color": MODE_COLORS[m]} for m in MODES],
        "kinds": {k: {"color": color, "radius": radius}
                  for k, (color, radius) in KIND_STYLES.items()},
        "widths": WIDTHS.to_json(),
        "units": [{"name": u, "top": top[u]} for u in units],
        "views": [view.to_json() for view in cluster_views(dataset)],
        "days": [min(days), max(days)] if days else None,
    }


PIECE_ITEMS = 2_000
"""Items of a list serialised in one piece by :func:`script_json`."""


def script_json(payload: Mapping[str, Any]) -> Iterator[str]:
    r"""Serialise for a ``<script type="application/json">`` element, in pieces.

    The pieces joined are the compact JSON of ``payload``. ``<``, ``>`` and
    ``&`` are written as ``\\u`` escapes, so no dataset text can close the
    script element or open a comment. Objects are written key by key and
    lists :data:`PIECE_ITEMS` items at a time, so the data of a big map (over
    100 MB) is never one string, nor the list of fragments :mod:`json` joins
    into one (which took 600 MB more at 100,000 legs), and a piece of plain
    ASCII text (a path) takes one byte a character even when dataset text is
    not ASCII.

    Parameters
    ----------
    payload
        JSON-able data (:func:`build_payload`); NaN and infinities are refused.

    Yields
    ------
    str
        The next piece of the JSON text.

    Raises
    ------
    ValueError
        If a number is NaN or infinite.
    """
    for piece in _pieces(payload):
        yield piece.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _pieces(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield f"{',' if index else ''}{_dumps(str(key))}:"
            yield from _pieces(item)
        yield "}"
    elif isinstance(value, list) and len(value) > PIECE_ITEMS:
        yield "["
        for start in range(0, len(value), PIECE_ITEMS):
            yield f"{',' if start else ''}{_dumps(value[start:start + PIECE_ITEMS])[1:-1]}"
        yield "]"
    else:
        yield _dumps(value)
