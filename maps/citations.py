"""Citations as HTML for the map footer; every dataset text is escaped here."""

from __future__ import annotations

from shiproute.maps._html import esc, link
from shiproute.routes.model import Source


def citation(source: Source) -> str:
    """Return one source as an HTML list item: title, publisher, date, grade."""
    parts = [link(source.url, source.title)]
    if source.publisher:
        parts.append(esc(source.publisher))
    if source.date:
        parts.append(esc(source.date.label()))
    if source.reliability:
        parts.append(f"reliability {esc(source.reliability)}")
    return f"<li>{', '.join(parts)}</li>"
