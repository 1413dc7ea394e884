"""How legs and sites look: colour by mode, width by volume, marker by kind.

These are the only definitions of the map's styling numbers: the page
receives them in its data (see :mod:`shiproute.maps.payload`) and never
re-derives them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import math

MODE_COLORS = {"sea": "#1f6fb4", "rail": "#c8102e", "road": "#e07b00", "air": "#6a3d9a"}
WIDTH_EXAMPLES = (10, 100, 1_000, 10_000)

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
    """Line width in pixels as a function of the volume drawn on a line.

    Widths grow with the logarithm of the figure, so a 10,000-container
    route is thicker than a 300-container one without hiding the small ones:
    10 -> 4 px, 100 -> 6 px, 1,000 -> 8 px, 10,000 -> 10 px.

    Parameters
    ----------
    unknown
        Width of a line whose legs state no volume.
    base
        Width at a volume of 0.
    per_decade
        Pixels added per factor of ten.
    maximum
        Widest line.
    """

    unknown: float = 2.0
    base: float = 2.0
    per_decade: float = 2.0
    maximum: float = 12.0

    def width(self, volume: float | None) -> float:
        """Return the stroke width in pixels for ``volume`` (``None``: not stated).

        Parameters
        ----------
        volume
            The volume drawn on the line, in one unit.

        Returns
        -------
        float
        """
        if volume is None or volume <= 0:
            return self.unknown
        return min(self.maximum, self.base + self.per_decade * math.log10(1.0 + volume))

    def to_json(self) -> dict[str, float]:
        """Return the parameters for the page, which applies the same formula."""
        return asdict(self)


WIDTHS = WidthScale()
