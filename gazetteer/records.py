"""Read fields of a YAML mapping, collecting problems instead of raising.

Loaders report every problem of a file at once, each with its line and
column, so a field reader never stops at the first bad value.
"""

from __future__ import annotations

from collections.abc import Collection
import math
from typing import Any

from shiproute.errors import Problem, Severity
from shiproute.gazetteer.safeyaml import (
    Mark,
    YamlSeq,
    key_mark,
    mark_of,
    shorten,
    value_mark,
)
from shiproute.gazetteer.suggest import did_you_mean


class Problems(list[Problem]):
    """The problems found in one file, in the order they were found."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def add(self, mark: Mark, message: str, severity: Severity = "error") -> None:
        """Record a problem at ``mark``."""
        self.append(Problem(self.path, mark[0], mark[1], message, severity))

    @property
    def has_errors(self) -> bool:
        """Whether any problem is an error rather than a warning."""
        return any(p.severity == "error" for p in self)


def _digits(value: int) -> int:
    """Return how many decimal digits an integer has (about, beyond 4,300 digits)."""
    if value.bit_length() < 14_000:  # str() refuses beyond 4,300 digits
        return len(str(abs(value)))
    return math.floor(math.log10(abs(value))) + 1


def describe(value: Any) -> str:
    """Name the YAML type of ``value`` for a message, quoting at most a short value."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int) and abs(value) >= 10 ** 20:
        return f"a number of {_digits(value):,} digits"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the text {shorten(repr(value))}"


class Record:
    """Typed, problem-collecting access to one mapping of a YAML file.

    Parameters
    ----------
    value
        The mapping.
    problems
        Where problems go.
    what
        How messages name the record, e.g. ``"leg 'angara-1'"``.
    """

    def __init__(self, value: dict[Any, Any], problems: Problems, what: str) -> None:
        self.value = value
        self.problems = problems
        self.what = what

    def mark(self, key: str) -> Mark:
        """Position of the value of ``key``, else of the mapping itself."""
        return value_mark(self.value, key)

    def problem(self, key: str | None, message: str) -> None:
        """Record a problem about ``key`` (or the whole record if ``None``)."""
        mark = self.mark(key) if key else mark_of(self.value)
        self.problems.add(mark, f"{self.what}: {message}")

    def known(self, allowed: Collection[str]) -> None:
        """Report every key that is not in ``allowed``, with a suggestion."""
        for key in self.value:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed) or f"; known fields: {', '.join(allowed)}"
                mark = key_mark(self.value, key)
                self.problems.add(mark, f"{self.what}: unknown field {shorten(repr(key))}{hint}")

    def text(self, key: str, *, required: bool = False) -> str | None:
        """Return the field as text; numbers are accepted and turned to text."""
        value = self.value.get(key)
        if value is None:
            if required:
                self.problem(None, f"missing field '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(key, f"'{key}' must be text, not {describe(value)}")
            return None
        text = str(value).strip()
        if not text:
            if required:
                self.problem(key, f"'{key}' is empty")
            return None
        return text

    def number(self, key: str, *, required: bool = False) -> float | None:
        """Return the field as a finite number."""
        value = self.value.get(key)
        if value is None:
            if required:
                self.problem(None, f"missing field '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(key, f"'{key}' must be a number, not {describe(value)}")
            return None
        try:
            number = float(value)
        except OverflowError:  # an int beyond the float range
            self.problem(key, f"'{key}' is {describe(value)}, too large for any figure; "
                              "check the value")
            return None
        if not math.isfinite(number):
            self.problem(key, f"'{key}' must be a finite number, not {number}")
            return None
        return number

    def texts(self, key: str) -> tuple[str, ...]:
        """Return the field as a tuple of texts; a single text is a 1-tuple."""
        value = self.value.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.problem(key, f"'{key}' must list texts, not {describe(item)}")
                continue
            if str(item).strip():
                out.append(str(item).strip())
        return tuple(out)


def as_map(value: Any, mark: Mark, problems: Problems, what: str) -> dict[Any, Any] | None:
    """Return ``value`` if it is a mapping, else record a problem."""
    if isinstance(value, dict):
        return value
    problems.add(mark, f"{what} must be a mapping of fields, not {describe(value)}")
    return None


def as_seq(value: Any, mark: Mark, problems: Problems, what: str) -> list[Any] | None:
    """Return ``value`` if it is a list (``None`` counts as empty), else record a problem."""
    if value is None:
        return YamlSeq(mark)
    if isinstance(value, list):
        return value
    problems.add(mark, f"{what} must be a list, not {describe(value)}")
    return None
