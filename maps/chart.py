"""A small SVG chart of the volume claims over time, one line per unit.

Claims are plotted at the middle of their date (an open-ended date at its
known end) on a log scale, so 1,000,
2,000, 7,000 and 10,000 containers read as a rising line next to a million
shells. The time axis has labelled ticks (months, quarters or years, by the
span). Claims that are lower bounds ("more than", "at least") carry an
upward tick, upper bounds a downward one. Each point is focusable and names
its claim, qualifier, claimant and date (the page shows it on hover and
focus; the SVG ``<title>`` carries the same text for screen readers).
"""

from __future__ import annotations

from collections import defaultdict
import datetime as dt
import math

from shiproute.maps._html import esc
from shiproute.routes.model import Dataset, Estimate

WIDTH, HEIGHT = 320, 168
LEFT, RIGHT, TOP, BOTTOM = 62, 12, 12, 34
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
COLORS = ("#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LOWER = ("more than", "at least")
UPPER = ("at most", "less than")


def _series(dataset: Dataset) -> dict[str, list[Estimate]]:
    series: dict[str, list[Estimate]] = defaultdict(list)
    for estimate in sorted(dataset.estimates, key=lambda e: e.date.anchor):
        series[estimate.unit].append(estimate)
    return dict(series)


def _ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Return (date, label) ticks: months for short spans, quarters, then years."""
    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 8 else 3 if months <= 30 else 12
    year, month = first.year, first.month
    while (month - 1) % step:
        month += 1
        if month > 12:
            year, month = year + 1, 1
    ticks = []
    current = dt.date(year, month, 1)
    while current <= last:
        if step == 12:
            label = str(current.year)
        elif step == 3:
            label = f"Q{(current.month - 1) // 3 + 1} {current.year}"
        else:
            label = f"{MONTHS[current.month - 1]} {current.year}"
        if current >= first:
            ticks.append((current, label))
        month = current.month + step
        current = dt.date(current.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return ticks


def claim_text(estimate: Estimate) -> str:
    """Return a claim as one line: figure with qualifier and unit, claimant, date, period."""
    text = f"{estimate.volume.label(estimate.unit)}: {estimate.claimant}, {estimate.date.label()}"
    if estimate.period is not None:
        text += f" (for {estimate.period.label()})"
    return text


def estimates_chart(dataset: Dataset, chart_id: str) -> str:
    """Return an SVG chart of the ``estimates``, or ``""`` when there are none.

    Parameters
    ----------
    dataset
        The dataset.
    chart_id
        Unique id prefix for the chart's elements; the page moves the element
        ``{chart_id}-now`` to the end of the time window.

    Returns
    -------
    str
        Escaped SVG markup.
    """
    series = _series(dataset)
    if not series:
        return ""
    claims = [e for group in series.values() for e in group]
    first_date = min(e.date.anchor for e in claims)
    last_date = max(e.date.anchor for e in claims)
    first, last = first_date.toordinal(), last_date.toordinal()
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
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="Volume claims over time, log scale">'
    ]
    for power in range(low, high + 1):
        at = y(10**power)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{at:.1f}" y2="{at:.1f}" '
                     f'class="sr-grid"/><text x="{LEFT - 4}" y="{at + 3:.1f}" '
                     f'text-anchor="end">{10**power:,}</text>')
    axis_y = HEIGHT - BOTTOM
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis_y}" y2="{axis_y}" '
                 'class="sr-axis"/>')
    ticks = _ticks(first_date, last_date)
    every = max(1, math.ceil(len(ticks) / 4))
    for n, (tick, label) in enumerate(ticks):
        at = x(tick.toordinal())
        parts.append(f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{axis_y}" y2="{axis_y + 4}" '
                     'class="sr-axis"/>')
        if n % every == 0:
            parts.append(f'<text x="{at:.1f}" y="{axis_y + 15}" text-anchor="middle">'
                         f"{esc(label)}</text>")
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 3}" '
                 'text-anchor="middle" class="sr-axis-title">date claimed</text>')
    for n, (unit, group) in enumerate(series.items()):
        color = COLORS[n % len(COLORS)]
        points = [(e.date.anchor.toordinal(), e) for e in group]
        path = " ".join(f"{x(d):.1f},{y(e.volume.value):.1f}" for d, e in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                     'stroke-width="1.5"/>')
        for day, estimate in points:
            cx, cy = x(day), y(estimate.volume.value)
            if estimate.volume.qualifier in LOWER + UPPER:
                tip = cy - 9 if estimate.volume.qualifier in LOWER else cy + 9
                parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{cy:.1f}" y2="{tip:.1f}" '
                             f'stroke="{color}" stroke-width="1.5" class="sr-bound"/>')
            text = esc(claim_text(estimate))
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{color}" class="sr-claim" '
                f'tabindex="0" data-tip="{text}"><title>{text}</title></circle>'
            )
        parts.append(f'<text x="{WIDTH - RIGHT - 2}" y="{HEIGHT - BOTTOM - 5 - 11 * n}" '
                     f'fill="{color}" text-anchor="end" class="sr-series">{esc(unit)}</text>')
    parts.append(f'<line id="{chart_id}-now" class="sr-now" x1="{WIDTH - RIGHT}" '
                 f'x2="{WIDTH - RIGHT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
                 f'data-first="{first - EPOCH_ORDINAL}" data-span="{span}" data-left="{LEFT}" '
                 f'data-width="{WIDTH - LEFT - RIGHT}"/>')
    parts.append("</svg><div class='sr-tip' role='status' aria-live='polite'></div>")
    return "".join(parts)
