"""What moved where and when: grouped statistics and the timeline of volume claims.

Volumes are added with their bounds (:mod:`shiproute.routes.quantity`), never
across units and never one-shipment figures with totals; each result names
its unit and scope. By month, a leg dated to a span (a month, a quarter, a
year, an interval) is shared among the months it covers by days: a leg
dated "2023" counts 31/365 in January. Legs with an open-ended date ("since
2023-10") cannot be shared out and form their own group, as do undated legs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import datetime as dt
import math
from typing import Literal

from shiproute.routes.dates import When
from shiproute.routes.model import Dataset, Estimate, Leg
from shiproute.routes.quantity import Quantity, Total, sum_quantities
from shiproute.routes.routed import RoutedDataset

GroupBy = Literal["site", "mode", "carrier", "month", "source"]
OPEN_ENDED = "open-ended"
UNDATED = "undated"
MONTH_RULE = ("legs dated to a span are shared among its months by days; open-ended and "
              "undated legs are grouped apart")


@dataclass(frozen=True, slots=True)
class StatRow:
    """Legs, volumes and distance of one group.

    Parameters
    ----------
    group
        The group's key: a site id, mode, carrier, month (YYYY-MM), or source id.
    legs
        Legs in the group (a fraction by month when legs span months).
    distance_km
        Their route lengths added (shared out like ``legs``).
    volumes
        Their volumes added per unit and scope.
    inbound, outbound
        For sites: legs arriving and leaving; 0 otherwise.
    role
        For sites: origin, destination or transshipment; "" otherwise.
    """

    group: str
    legs: float
    distance_km: float
    volumes: tuple[Total, ...]
    inbound: int = 0
    outbound: int = 0
    role: str = ""


def units(dataset: Dataset) -> list[str]:
    """Return the units the dataset states volumes in (legs and claims), in order."""
    found = [leg.unit for leg in dataset.legs if leg.volume is not None and leg.unit]
    found += [estimate.unit for estimate in dataset.estimates]
    return list(dict.fromkeys(found))


def _month_shares(leg: Leg) -> list[tuple[str, float]]:
    """Return (month, share of the leg) for the months its dates cover, by days."""
    period = leg.period
    if period is None:
        return [(UNDATED, 1.0)]
    if period.is_open:
        return [(OPEN_ENDED, 1.0)]
    first, last = period.first, period.last
    total = (last - first).days + 1
    shares = []
    month = dt.date(first.year, first.month, 1)
    while month <= last:
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days = (min(last, following - dt.timedelta(days=1)) - max(first, month)).days + 1
        shares.append((f"{month:%Y-%m}", days / total))
        month = following
    return shares


def _keys(leg: Leg, by: GroupBy) -> list[tuple[str, float]]:
    if by == "month":
        return _month_shares(leg)
    if by == "mode":
        return [(leg.mode, 1.0)]
    if by == "carrier":
        return [(leg.carrier or "(not stated)", 1.0)]
    if by == "source":
        return [(s, 1.0) for s in dict.fromkeys(leg.sources)] or [("(no source)", 1.0)]
    return [(site, 1.0) for site in dict.fromkeys((leg.origin, leg.destination))]


def _scaled(quantity: Quantity, share: float) -> Quantity:
    if share == 1.0:
        return quantity
    return Quantity(quantity.low * share, quantity.high * share, quantity.qualifier,
                    quantity.scope)


def _order(by: GroupBy, groups: Iterable[str]) -> list[str]:
    if by != "month":
        return list(groups)
    dated = sorted(g for g in groups if g not in (OPEN_ENDED, UNDATED))
    return dated + [g for g in (OPEN_ENDED, UNDATED) if g in groups]


def stats(routed: RoutedDataset, *, by: GroupBy, unit: str | None = None,
          reported_only: bool = False) -> list[StatRow]:
    """Return legs, volumes (per unit and scope) and distance per group.

    Parameters
    ----------
    routed
        The routed dataset (routes give the distances).
    by
        Grouping; ``"site"`` counts a leg at both its ends and adds the
        in/out throughput and each site's role; ``"month"`` shares legs
        dated to spans among their months by days.
    unit
        Only volumes in this unit; ``None``: every unit, each on its own.
    reported_only
        Leave out legs whose basis is ``inferred``.

    Returns
    -------
    list of StatRow
        In order of first appearance; by month in date order, then
        open-ended and undated.
    """
    legs: dict[str, float] = {}
    km: dict[str, float] = {}
    volumes: dict[str, list[tuple[Quantity, str]]] = {}
    inbound: dict[str, int] = {}
    outbound: dict[str, int] = {}
    for leg, route in routed.legs_with_routes():
        if reported_only and leg.basis != "reported":
            continue
        for key, share in _keys(leg, by):
            legs[key] = legs.get(key, 0.0) + share
            km[key] = km.get(key, 0.0) + route.distance_km * share
            if leg.volume is not None and leg.unit and unit in (None, leg.unit):
                volumes.setdefault(key, []).append((_scaled(leg.volume, share), leg.unit))
            if by == "site":
                inbound[key] = inbound.get(key, 0) + (key == leg.destination)
                outbound[key] = outbound.get(key, 0) + (key == leg.origin)
    out = []
    for key in _order(by, legs):
        role = ""
        if by == "site":
            role = ("transshipment" if inbound[key] and outbound[key]
                    else "destination" if inbound[key] else "origin")
        out.append(StatRow(key, round(legs[key], 4), round(km[key], 1),
                           tuple(sum_quantities(volumes.get(key, []))),
                           inbound.get(key, 0), outbound.get(key, 0), role))
    return out


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """The claims in one unit made at one date, their envelope, and whether they disagree.

    Parameters
    ----------
    date
        When the claims were made.
    unit
        Their unit.
    claims
        The claims made at that date.
    low, high
        The lowest and highest totals the claims at that date allow (each
        claim read with its qualifier); ``high`` is inf when a claim is open
        above ("more than", "at least").
    floor
        The largest lower bound claimed up to this date: cumulative totals
        can't fall below it.
    disagree
        Whether the claims at this date can't all be true together.
    """

    date: When
    unit: str
    claims: tuple[Estimate, ...]
    low: float
    high: float
    floor: float
    disagree: bool

    @property
    def open_ended(self) -> bool:
        """Whether some claim at this date has no upper bound."""
        return math.isinf(self.high)


def timeline(dataset: Dataset, *, unit: str | None = None) -> list[TimelineRow]:
    """Return the volume claims in date order, grouped by unit and claim date.

    Parameters
    ----------
    dataset
        The dataset.
    unit
        Only claims in this unit; ``None``: every unit.

    Returns
    -------
    list of TimelineRow
        Per unit (in order of first appearance), by date.
    """
    rows = []
    for each in dict.fromkeys(e.unit for e in dataset.estimates):
        if unit not in (None, each):
            continue
        groups: dict[When, list[Estimate]] = {}
        claims = sorted((e for e in dataset.estimates if e.unit == each),
                        key=lambda e: (e.date.anchor, e.date.first))
        for estimate in claims:
            groups.setdefault(estimate.date, []).append(estimate)
        floor = 0.0
        for date, group in groups.items():
            ranges = [c.volume.bounds() for c in group]
            floor = max([floor, *(low for low, _high in ranges)])
            rows.append(TimelineRow(
                date=date, unit=each, claims=tuple(group),
                low=min(low for low, _ in ranges), high=max(high for _, high in ranges),
                floor=floor,
                disagree=max(low for low, _ in ranges) > min(high for _, high in ranges),
            ))
    return rows

