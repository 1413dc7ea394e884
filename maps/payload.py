"""The data a map page carries: compact, deduplicated, and safe to embed.

Each distinct route geometry is stored once; legs are short arrays that point
at it and at a table of strings, so 10,000 legs on 600 routes cost little.
Popups are built in the browser from these records. Dataset text is never
turned into HTML here: the page inserts it as text (escaped).
"""

from __future__ import annotations

from collections.abc import Mapping
import datetime as dt
import json
from typing import Any

from maps._encode import encode_path, mercator_midpoint
from maps._html import safe_url
from maps.style import KIND_STYLES, MODE_COLORS, line_width
from routes.dates import When
from routes.model import MODES, Dataset, Route

EPOCH = dt.date(1970, 1, 1)


class _Strings:
    """A table of distinct strings; records refer to them by index."""

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
    if when is None:
        return None, None
    return (when.first - EPOCH).days, (when.last - EPOCH).days


def _span(*whens: When | None) -> tuple[int | None, int | None]:
    firsts = [w.first for w in whens if w]
    lasts = [w.last for w in whens if w]
    if not firsts:
        return None, None
    return (min(firsts) - EPOCH).days, (max(lasts) - EPOCH).days


def build_payload(dataset: Dataset, routes: Mapping[str, Route]) -> dict[str, Any]:
    """Return the page data of a routed dataset.

    Parameters
    ----------
    dataset
        The dataset.
    routes
        Route of each leg, by leg id.

    Returns
    -------
    dict
        JSON-able; see ``maps/assets/shiproute.js`` for how it is read.
    """
    text = _Strings()
    site_index = {site_id: i for i, site_id in enumerate(dataset.sites)}
    source_index = {source_id: i for i, source_id in enumerate(dataset.sources)}
    geoms: list[dict[str, Any]] = []
    # Legs that share a route share its points object (see routes.routing.route_dataset),
    # so geometries are told apart by identity: no hashing of long point tuples.
    geom_of: dict[tuple[str, int], int] = {}
    connectors: list[str] = []
    legs = []
    for leg in dataset.legs:
        route = routes[leg.id]
        key = (leg.mode, id(route.points))
        if key not in geom_of:
            geom_of[key] = len(geoms)
            geoms.append({
                "m": MODES.index(leg.mode),
                "p": encode_path(route.points),
                "a": mercator_midpoint(route.points),
                "km": round(route.distance_km, 1),
                "src": text(route.source),
                "rule": text(route.rule),
                "flags": [text(f) for f in route.flags],
                "cc": text(", ".join(route.countries)) if route.countries else -1,
            })
            connectors.extend(encode_path(c) for c in route.connectors)
        t0, t1 = _span(leg.depart, leg.arrive)
        legs.append([
            geom_of[key],
            site_index[leg.origin],
            site_index[leg.destination],
            t0,
            t1,
            text(leg.depart.label()) if leg.depart else -1,
            text(leg.arrive.label()) if leg.arrive else -1,
            text(leg.volume.label(leg.unit)) if leg.volume else -1,
            round(line_width(leg.volume), 1),
            leg.volume.value if leg.volume else 0,
            text(leg.carrier),
            [source_index[s] for s in leg.sources],
            text(leg.note),
            text(leg.id),
        ])
    events = []
    for event in sorted(dataset.events, key=lambda e: e.date.first):
        t0, t1 = _days(event.date)
        events.append([site_index[event.site], t0, t1, text(event.date.label()),
                       text(event.what), [source_index[s] for s in event.sources]])
    estimates = []
    for estimate in sorted(dataset.estimates, key=lambda e: e.date.first):
        t0, t1 = _days(estimate.date)
        estimates.append([
            t0, t1, text(estimate.date.label()), text(estimate.volume.label(estimate.unit)),
            text(estimate.claimant), text(estimate.period.label()) if estimate.period else -1,
            [source_index[s] for s in estimate.sources], text(estimate.note),
        ])
    days = [d for leg in legs for d in leg[3:5] if d is not None]
    days += [d for e in events for d in e[1:3] if d is not None]
    days += [d for e in estimates for d in e[0:2] if d is not None]
    return {
        "strings": text.items,
        "modes": [[m, MODE_COLORS[m]] for m in MODES],
        "kinds": {k: list(v) for k, v in KIND_STYLES.items()},
        "sites": [[s.id, s.name, s.kind, s.country, s.lat, s.lon, s.note]
                  for s in dataset.sites.values()],
        "sources": [[s.id, s.title, s.publisher, s.date.label() if s.date else None,
                     safe_url(s.url), s.reliability] for s in dataset.sources.values()],
        "geoms": geoms,
        "connectors": connectors,
        "legs": legs,
        "events": events,
        "estimates": estimates,
        "days": [min(days), max(days)] if days else None,
    }


def to_script_json(payload: Mapping[str, Any]) -> str:
    r"""Serialise for a ``<script type="application/json">`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no dataset text
    can close the script element or open a comment.
    """
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
