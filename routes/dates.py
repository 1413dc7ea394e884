"""Dates as precise as the reports give them: a year, a month, a day, or a span.

"2023-09" means the whole of September 2023, not the 1st; an interval
"2023-09-07/2023-10-01" runs from the first day of its start to the last day
of its end. Every date in a dataset is parsed here and nowhere else.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
import datetime as dt
import re
from typing import Literal

Precision = Literal["year", "month", "day"]

_POINT = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_FORMATS = "use YYYY, YYYY-MM, YYYY-MM-DD or an interval START/END"


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A calendar date known to the year, the month or the day.

    Parameters
    ----------
    year
        Four-digit year.
    month
        1-12, or ``None`` when only the year is known.
    day
        Day of the month, or ``None`` when not known; needs ``month``.

    Raises
    ------
    ValueError
        If the fields do not form a real calendar date.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                name = calendar.month_name[self.month]
                raise ValueError(f"{name} {self.year} has no day {self.day} (1-{last})")

    @property
    def precision(self) -> Precision:
        """How much of the date is known."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def first(self) -> dt.date:
        """The earliest day this date can be."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> dt.date:
        """The latest day this date can be."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def iso(self) -> str:
        """Return the ISO 8601 form at this precision, e.g. ``"2023-09"``."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def label(self, *, with_year: bool = True) -> str:
        """Return a reader's form at this precision, e.g. ``"Sep 2023"``."""
        parts = []
        if self.day is not None:
            parts.append(str(self.day))
        if self.month is not None:
            parts.append(calendar.month_abbr[self.month])
        if with_year or self.month is None:
            parts.append(str(self.year))
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class When:
    """A date or an interval of dates, each end at its own precision.

    Parameters
    ----------
    start, end
        The ends; equal for a single date.

    Raises
    ------
    ValueError
        If the interval ends before it starts.
    """

    start: PartialDate
    end: PartialDate

    def __post_init__(self) -> None:
        if self.end.last < self.start.first:
            message = f"interval ends ({self.end.iso()}) before it starts ({self.start.iso()})"
            raise ValueError(message)

    @property
    def is_interval(self) -> bool:
        """Whether this is a span rather than one date."""
        return self.start != self.end

    @property
    def first(self) -> dt.date:
        """The earliest day covered."""
        return self.start.first

    @property
    def last(self) -> dt.date:
        """The latest day covered."""
        return self.end.last

    def iso(self) -> str:
        """Return the ISO 8601 form, ``START/END`` for an interval."""
        if not self.is_interval:
            return self.start.iso()
        return f"{self.start.iso()}/{self.end.iso()}"

    def label(self) -> str:
        """Return a reader's form, e.g. ``"Sep 2023"`` or ``"7 Sep - 1 Oct 2023"``."""
        if not self.is_interval:
            return self.start.label()
        same_year = self.start.year == self.end.year and self.start.month is not None
        if same_year and self.start.month == self.end.month and self.start.day and self.end.day:
            return f"{self.start.day}-{self.end.label()}"
        return f"{self.start.label(with_year=not same_year)} - {self.end.label()}"

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        """Whether any day of this date lies within ``first``..``last``."""
        return self.first <= last and first <= self.last


def _parse_point(text: str) -> PartialDate:
    match = _POINT.fullmatch(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a date; {_FORMATS}")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        return PartialDate(year, month, day)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a real date: {err}") from None


def parse_when(value: object) -> When:
    """Parse a dataset date into a :class:`When`.

    Parameters
    ----------
    value
        ``"2023"``, ``"2023-09"``, ``"2023-09-08"``, an interval
        ``"2023-09-07/2023-10-01"`` (either end at any precision), a bare
        year as an ``int``, or a :class:`datetime.date`.

    Returns
    -------
    When

    Raises
    ------
    ValueError
        With a message naming the bad value and the accepted forms.

    Examples
    --------
    >>> parse_when("2023-09-07/2023-10-01").label()
    '7 Sep - 1 Oct 2023'
    >>> parse_when("2023-09").last.isoformat()
    '2023-09-30'
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        point = PartialDate(value.year, value.month, value.day)
        return When(point, point)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date; {_FORMATS}")
    parts = value.split("/")
    if len(parts) > 2:
        raise ValueError(f"'{value}' has more than one '/'; {_FORMATS}")
    start = _parse_point(parts[0])
    end = _parse_point(parts[1]) if len(parts) == 2 else start
    return When(start, end)
