"""How legs and sites look: colour by mode, width by volume, marker by kind."""

from __future__ import annotations

import math

from routes.model import Volume

MODE_COLORS = {"sea": "#1f6fb4", "rail": "#c8102e", "road": "#e07b00", "air": "#6a3d9a"}
UNKNOWN_VOLUME_WIDTH = 2.0
WIDTH_EXAMPLES = (10, 100, 1_000, 10_000)

# kind -> (fill colour, radius in pixels)
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


def line_width(volume: Volume | None) -> float:
    """Return the stroke width in pixels for a leg's volume.

    Widths grow with the logarithm of the figure, whatever the unit, so a
    10,000-container leg is thicker than a 300-container one without hiding
    the small ones: 10 -> 4 px, 100 -> 6 px, 1,000 -> 8 px, 10,000 -> 10 px.

    Parameters
    ----------
    volume
        The leg's volume, or ``None`` when not stated.

    Returns
    -------
    float
        Between 2 and 12 pixels.
    """
    if volume is None:
        return UNKNOWN_VOLUME_WIDTH
    return min(12.0, 2.0 + 2.0 * math.log10(1.0 + volume.value))
