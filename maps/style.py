"""How legs and sites look: colour by mode, width by volume, marker by kind.

These are the only definitions of the map's styling numbers: the page
receives them in its data (see :mod:`shiproute.maps.payload`) and never
re-derives them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shiproute.routes.model import Leg
    from shiproute.routes.routed import RoutedDataset

MODE_COLORS = {"sea": "#1f6fb4", "rail": "#c8102e", "road": "#e07b00", "air": "#6a3d9a"}

# site kind -> (fill colour, radius in pixels); one entry per kind of
# shiproute.gazetteer.model.KINDS (a test keeps them in step)
KIND_STYLES = {
    "port": ("#0b3c6f", 8),
    "rail_station": ("#8b0000", 7),
    "border_crossing": ("#e07b00", 7),
    "depot": ("#111111", 8),
    "city": ("#6b6b6b", 6),
    "airfield": ("#6a3d9a", 7),
    "cosmodrome": ("#1b7f3b", 7),
    "other": ("#999999", 6),
}


@dataclass(frozen=True, slots=True)
class WidthScale:
    """Line width in pixels as a function of the volume drawn on a line, per unit.

    Volumes in different units are never added: each unit has its own scale,
    from ``minimum`` for the smallest figure to ``maximum`` for the largest
    volume any line of the dataset carries in that unit (its ``top``),
    growing with the logarithm so small shipments stay visible.

    Parameters
    ----------
    unknown
        Width of a line whose legs state no volume.
    minimum
        Width of a line carrying (almost) nothing in a stated unit.
    maximum
        Width of the line carrying the unit's ``top`` volume.
    """

    unknown: float = 2.0
    minimum: float = 3.0
    maximum: float = 12.0

    def width(self, volume: float | None, top: float) -> float:
        """Return the stroke width for ``volume`` on a scale whose largest value is ``top``.

        Parameters
        ----------
        volume
            The volume drawn on the line, in one unit; ``None``: not stated.
        top
            The largest volume any line carries in that unit.

        Returns
        -------
        float
            Pixels.
        """
        if volume is None or volume <= 0:
            return self.unknown
        share = math.log10(1.0 + volume) / math.log10(1.0 + max(top, volume, 1.0))
        return self.minimum + (self.maximum - self.minimum) * share

    def samples(self, top: float) -> list[tuple[float, float]]:
        """Return (volume, width) pairs for the legend: the top figure and smaller round ones.

        Parameters
        ----------
        top
            The unit's largest volume on a line.

        Returns
        -------
        list of tuple of float
            Up to three pairs, largest first.
        """
        magnitude = 10 ** math.floor(math.log10(max(top, 1.0)))
        values = [top] + [v for v in (magnitude, magnitude / 10) if 1 <= v < top * 0.8]
        return [(v, self.width(v, top)) for v in values[:3]]

    def to_json(self) -> dict[str, float]:
        """Return the parameters for the page, which applies the same formula."""
        return asdict(self)


WIDTHS = WidthScale()


def unit_tops(routed: RoutedDataset) -> dict[str, float]:
    """Return, per unit in order of appearance, the largest volume one drawn line carries.

    A drawn line is a distinct route of one mode; its volume in a unit is the
    sum over its legs stated in that unit (never over other units), shipments
    and totals over a period apart.

    Parameters
    ----------
    routed
        The routed dataset.

    Returns
    -------
    dict of str to float
    """
    totals: dict[tuple[str, str, str, int], float] = {}
    for leg in routed.dataset.legs:
        if leg.volume is not None and leg.unit:
            key = (leg.unit, leg.volume.scope, leg.mode, routed.geometry_of[leg.id])
            totals[key] = totals.get(key, 0.0) + leg.volume.value
    top: dict[str, float] = {}
    for (unit, *_line), total in totals.items():
        top[unit] = max(top.get(unit, 0.0), total)
    return top


def line_width(legs: list[Leg], tops: dict[str, float]) -> float:
    """Return the width of a line drawn for ``legs``: the widest of its units' scales.

    Volumes are added per unit, shipments and totals apart.

    Parameters
    ----------
    legs
        The legs shown on the line.
    tops
        From :func:`unit_tops`.

    Returns
    -------
    float
        Pixels; :attr:`WidthScale.unknown` when no leg states a volume.
    """
    sums: dict[tuple[str, str], float] = {}
    for leg in legs:
        if leg.volume is not None and leg.unit:
            key = (leg.unit, leg.volume.scope)
            sums[key] = sums.get(key, 0.0) + leg.volume.value
    return max([WIDTHS.unknown, *(WIDTHS.width(v, tops[u]) for (u, _), v in sums.items())])
