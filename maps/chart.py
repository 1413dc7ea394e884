"""A small SVG chart of the volume claims over time, one line per unit."""

from __future__ import annotations

from collections import defaultdict
import datetime as dt
import math

from shiproute.maps._html import esc
from shiproute.routes.model import Dataset, Estimate

WIDTH, HEIGHT = 300, 150
LEFT, RIGHT, TOP, BOTTOM = 60, 10, 10, 22
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
COLORS = ("#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214")


def _series(dataset: Dataset) -> dict[str, list[Estimate]]:
    series: dict[str, list[Estimate]] = defaultdict(list)
    for estimate in sorted(dataset.estimates, key=lambda e: e.date.first):
        series[estimate.unit].append(estimate)
    return dict(series)


def estimates_chart(dataset: Dataset, chart_id: str) -> str:
    """Return an SVG chart of the ``estimates``, or ``""`` when there are none.

    Claims are plotted at the middle of their date on a log scale, so 1,000,
    2,000, 7,000 and 10,000 containers read as a rising line next to a million
    shells. Each point has a tooltip with the claim, its claimant and date.
    The page moves the element ``{chart_id}-now`` to the end of the time window.

    Parameters
    ----------
    dataset
        The dataset.
    chart_id
        Unique id prefix for the chart's elements.

    Returns
    -------
    str
        Escaped SVG markup.
    """
    series = _series(dataset)
    if not series:
        return ""
    claims = [e for group in series.values() for e in group]
    first = min(e.date.first for e in claims).toordinal()
    last = max(e.date.last for e in claims).toordinal()
    span = max(last - first, 1)
    low = math.floor(math.log10(max(min(e.volume.value for e in claims), 1)))
    high = math.ceil(math.log10(max(max(e.volume.value for e in claims), 10)))
    high = max(high, low + 1)

    def x(day: int) -> float:
        return LEFT + (day - first) / span * (WIDTH - LEFT - RIGHT)

    def y(value: float) -> float:
        fraction = (math.log10(max(value, 1)) - low) / (high - low)
        return HEIGHT - BOTTOM - fraction * (HEIGHT - TOP - BOTTOM)

    parts = [
        f'<svg class="sr-chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="Volume claims over time">'
    ]
    for power in range(low, high + 1):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(10**power):.1f}" '
            f'y2="{y(10**power):.1f}" class="sr-grid"/>'
            f'<text x="{LEFT - 4}" y="{y(10**power) + 3:.1f}" text-anchor="end">'
            f"{10**power:,}</text>"
        )
    for year in range(min(e.date.first.year for e in claims) + 1,
                      max(e.date.last.year for e in claims) + 1):
        day = dt.date(year, 1, 1).toordinal()
        parts.append(f'<text x="{x(day):.1f}" y="{HEIGHT - 6}" text-anchor="middle">{year}</text>')
    for n, (unit, group) in enumerate(series.items()):
        color = COLORS[n % len(COLORS)]
        points = [((e.date.first.toordinal() + e.date.last.toordinal()) // 2, e) for e in group]
        path = " ".join(f"{x(d):.1f},{y(e.volume.value):.1f}" for d, e in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        for day, estimate in points:
            tip = (f"{estimate.volume.label(estimate.unit)}: {estimate.claimant}, "
                   f"{estimate.date.label()}")
            parts.append(
                f'<circle cx="{x(day):.1f}" cy="{y(estimate.volume.value):.1f}" r="3.5" '
                f'fill="{color}"><title>{esc(tip)}</title></circle>'
            )
        parts.append(
            f'<text x="{LEFT + 4}" y="{TOP + 10 + 11 * n}" fill="{color}">{esc(unit)}</text>'
        )
    parts.append(f'<line id="{chart_id}-now" class="sr-now" x1="{WIDTH - RIGHT}" '
                 f'x2="{WIDTH - RIGHT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
                 f'data-first="{first - EPOCH_ORDINAL}" data-span="{span}" data-left="{LEFT}" '
                 f'data-width="{WIDTH - LEFT - RIGHT}"/>')
    parts.append("</svg>")
    return "".join(parts)
