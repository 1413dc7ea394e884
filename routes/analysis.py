"""What moved where and when: grouped statistics and the timeline of volume claims.

Volumes are summed only within one unit; containers, shells and tonnes are
never mixed (the dataset format has no container size, so no TEU conversion).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
import math
from typing import Literal

from shiproute.routes.model import Dataset, Estimate, Leg, Volume
from shiproute.routes.routed import RoutedDataset

GroupBy = Literal["site", "mode", "carrier", "month", "source"]
LOWER_BOUNDS = ("more than", "at least")
UPPER_BOUNDS = ("at most", "less than")
ABOUT = 0.2  # "about N" is read as N +/- 20 %


@dataclass(frozen=True, slots=True)
class StatRow:
    """Documented legs, volume and distance of one group.

    Parameters
    ----------
    group
        The group's key: a site id, mode, carrier, month (YYYY-MM), or source id.
    legs
        Legs in the group.
    volume
        Sum of the stated volumes in ``unit`` (legs in other units left out).
    volume_legs
        How many legs contributed to ``volume``.
    distance_km
        Sum of the legs' route lengths.
    inbound, outbound
        For sites: legs arriving and leaving; 0 otherwise.
    role
        For sites: origin, destination or transshipment; "" otherwise.
    """

    group: str
    legs: int
    volume: float
    volume_legs: int
    distance_km: float
    inbound: int = 0
    outbound: int = 0
    role: str = ""


def _keys(leg: Leg, by: GroupBy) -> list[str]:
    if by == "mode":
        return [leg.mode]
    if by == "carrier":
        return [leg.carrier or "(not stated)"]
    if by == "month":
        when = leg.depart or leg.arrive
        return [f"{when.first:%Y-%m}" if when else "undated"]
    if by == "source":
        return list(leg.sources) or ["(no source)"]
    return [leg.origin, leg.destination]


def stats(routed: RoutedDataset, *, by: GroupBy, unit: str) -> list[StatRow]:
    """Return legs, volume (in ``unit``) and distance per group.

    Parameters
    ----------
    routed
        The routed dataset (routes give the distances).
    by
        Grouping; ``"site"`` counts a leg at both its ends and adds the
        in/out throughput and each site's role.
    unit
        The unit to sum volumes in.

    Returns
    -------
    list of StatRow
        In order of first appearance.
    """
    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for leg, route in routed.legs_with_routes():
        for key in dict.fromkeys(_keys(leg, by)):
            row = rows[key]
            row["legs"] += 1
            row["km"] += route.distance_km
            if leg.volume is not None and leg.unit == unit:
                row["volume"] += leg.volume.value
                row["volume_legs"] += 1
            if by == "site":
                row["in"] += key == leg.destination
                row["out"] += key == leg.origin
    out = []
    for key, row in rows.items():
        role = ""
        if by == "site":
            role = ("transshipment" if row["in"] and row["out"]
                    else "destination" if row["in"] else "origin")
        out.append(StatRow(key, int(row["legs"]), row["volume"], int(row["volume_legs"]),
                           round(row["km"], 1), int(row["in"]), int(row["out"]), role))
    return out


def bounds(volume: Volume) -> tuple[float, float]:
    """Return the (low, high) range a qualified figure allows; high may be infinite."""
    value = volume.value
    if volume.qualifier in LOWER_BOUNDS:
        return value, math.inf
    if volume.qualifier in UPPER_BOUNDS:
        return 0.0, value
    if volume.qualifier == "about":
        return value * (1 - ABOUT), value * (1 + ABOUT)
    return value, value


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """The claims made at one date, their envelope, and whether they disagree.

    Parameters
    ----------
    date
        The claims' date label, e.g. "Mar 2024".
    claims
        The claims made at that date.
    low, high
        The lowest and highest figure claimed at that date.
    open_ended
        Whether the highest figure is a lower bound ("at least 10,000").
    floor
        The largest lower bound claimed so far: cumulative totals can't fall
        below it.
    disagree
        Whether the claims at this date can't all be true together.
    """

    date: str
    claims: tuple[Estimate, ...]
    low: float
    high: float
    open_ended: bool
    floor: float
    disagree: bool


def timeline(dataset: Dataset, *, unit: str) -> list[TimelineRow]:
    """Return the volume claims in ``unit`` in date order, grouped by claim date.

    Parameters
    ----------
    dataset
        The dataset.
    unit
        The unit of the claims to read.

    Returns
    -------
    list of TimelineRow
    """
    groups: dict[str, list[Estimate]] = {}
    for estimate in sorted(dataset.estimates, key=lambda e: (e.date.last, e.date.first)):
        if estimate.unit == unit:
            groups.setdefault(estimate.date.label(), []).append(estimate)
    rows = []
    floor = 0.0
    for label, claims in groups.items():
        ranges = [bounds(c.volume) for c in claims]
        floor = max([floor, *(low for low, _high in ranges)])
        top = max(claims, key=lambda c: c.volume.value)
        rows.append(TimelineRow(
            date=label,
            claims=tuple(claims),
            low=min(c.volume.value for c in claims),
            high=top.volume.value,
            open_ended=top.volume.qualifier in LOWER_BOUNDS,
            floor=floor,
            disagree=max(low for low, _ in ranges) > min(high for _, high in ranges),
        ))
    return rows
