"""Escape dataset text for HTML that may also sit inside a JS template literal."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def esc(text: object) -> str:
    """Return ``text`` escaped for HTML element content and attribute values.

    Besides ``<>&"'`` this escapes the backtick, ``$`` and backslash, because
    folium places popup and tooltip HTML inside JavaScript template literals,
    where ``${...}`` would run as code.

    Parameters
    ----------
    text
        Any value; ``str()`` is applied first.

    Returns
    -------
    str
        Inert HTML text.
    """
    return html.escape(str(text), quote=True).translate(_EXTRA)


def safe_url(url: str | None) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL, else ``None``."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def link(url: str | None, text: str) -> str:
    """Return an escaped link to ``url``, or escaped plain text for other schemes."""
    target = safe_url(url)
    if target is None:
        return esc(text)
    return f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'
