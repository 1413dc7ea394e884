"""The one error hierarchy of shiproute.

Every error a user can cause is a :class:`ShiprouteError`; the CLI turns it into
one ``Error: ...`` line on stderr and a non-zero exit. Anything else is a bug
and keeps its traceback. This module imports nothing of shiproute's, so every
package (gazetteer, routes, maps, the API and the CLI) can use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


class ShiprouteError(Exception):
    """Base class of every error caused by bad input rather than a bug."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input file, with where it is.

    Parameters
    ----------
    path
        The file the problem is in, as the user named it.
    line, column
        1-based position of the offending value; 0 when unknown.
    message
        What is wrong and how to fix it, one line.
    severity
        ``"error"`` makes the file unusable; ``"warning"`` does not.
    """

    path: str
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


class DataError(ShiprouteError, ValueError):
    """An input file that can't be used, with every problem found in it.

    Parameters
    ----------
    problems
        The problems, in file order; at least one has severity ``"error"``.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``"error"``."""
        return tuple(p for p in self.problems if p.severity == "error")


class GazetteerError(DataError):
    """A gazetteer file that is unreadable or invalid."""


class PlaceError(ShiprouteError, LookupError):
    """A place name that does not resolve to exactly one site."""


class UnknownPlaceError(PlaceError):
    """A place name that matches no site."""


class AmbiguousPlaceError(PlaceError):
    """A place name that matches more than one site."""


class DatasetError(DataError):
    """A dataset file that is unreadable or invalid, with every problem found."""


class NoRouteError(ShiprouteError, LookupError):
    """No path on a network connects two places under the leg's rules."""


class GeocodeError(ShiprouteError, RuntimeError):
    """The geocoding service failed or refused the request."""


class ScreenshotError(ShiprouteError, RuntimeError):
    """A map screenshot could not be taken (no headless Chromium, or it failed)."""
