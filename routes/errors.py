"""Errors raised by routes/, part of the hierarchy rooted in :mod:`gazetteer.errors`."""

from __future__ import annotations

from gazetteer.errors import DataError, ShiprouteError


class DatasetError(DataError):
    """A dataset file that is unreadable or invalid, with every problem found."""


class NoRouteError(ShiprouteError, LookupError):
    """No path on a network connects two places under the leg's rules."""


class ScreenshotError(ShiprouteError, RuntimeError):
    """A map screenshot could not be taken (no headless Chromium, or it failed)."""
