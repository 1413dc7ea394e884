"""Dates as precise as the reports give them: a day, a month, a year, a part of one, a span.

Every date in a dataset is parsed here and nowhere else. A date keeps its
precision: "2023-09" is the whole of September 2023, not the 1st. The forms
(each maps to an interval of days, documented in README "Dates"):

- ``2023``, ``2023-09``, ``2023-09-08``, and ``Sep 2023``, ``8 Sep 2023``;
- intervals ``START/END``, each end at its own precision, also written as
  reports do: ``Aug - Oct 2022``, ``8-12 Sep 2023``, ``7 Sep - 1 Oct 2023``,
  ``from 2023-09 to 2023-12``, ``between Aug and Oct 2022`` (a start without a
  year takes the end's year, a bare day the end's month);
- quarters ``2023-Q4`` (Oct-Dec) and halves ``2023-H2`` (Jul-Dec);
- thirds: ``early``, ``mid`` and ``late`` of a year (Jan-Apr, May-Aug, Sep-Dec)
  or of a month (days 1-10, 11-20, 21-end): ``late 2022``, ``early 2024-03``,
  ``early March 2024``;
- open-ended dates: ``on or before 2023-09-12`` (also ``by ...`` and
  ``../2023-09-12``), ``before 2023-09-12`` (the day before at most),
  ``since 2023-10`` (also ``on or after ...``, ``from ...`` and
  ``2023-10/..``) and ``after 2023-10``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
import datetime as dt
import re
from typing import Literal

Precision = Literal["year", "month", "day"]
OPEN_START = dt.date.min
OPEN_END = dt.date.max

_POINT = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_name) if name})
_NAMED = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-z]+)\.?,?\s+(\d{4})")
_QUARTER = re.compile(r"(?:(\d{4})-?Q([1-4])|Q([1-4])[\s/-]*(\d{4}))", re.I)
_HALF = re.compile(r"(?:(\d{4})-?H([12])|H([12])[\s/-]*(\d{4}))", re.I)
_PART = re.compile(r"(early|mid|late)[\s-]+(.+)", re.I)
_BEFORE = re.compile(r"(on or before|no later than|by|before)\s+(.+)", re.I)
_AFTER = re.compile(r"(on or after|since|from|after)\s+(.+)", re.I)
_RANGE = re.compile(
    r"(?:(?:from|between)\s+)?(.+?)(?:\s+-\s+|\s*[\u2013\u2014]\s*|\s+(?:to|until|and)\s+)(.+)",
    re.I)
_SHORT_RANGE = re.compile(r"(\d{1,2}|[A-Za-z]+\.?)-(\d{1,2}\s+[A-Za-z]+\.?,?\s+\d{4}|"
                          r"[A-Za-z]+\.?,?\s+\d{4})")
_FORMS = ("use YYYY, YYYY-MM, YYYY-MM-DD, 'Sep 2023', 'Aug - Oct 2023', START/END, 2023-Q4, "
          "2023-H2, early/mid/late 2023 or 2023-09, 'on or before 2023-09-12' or "
          "'since 2023-10'")


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

    @classmethod
    def of(cls, day: dt.date) -> PartialDate:
        """Return the day ``day`` as a day-precision date."""
        return cls(day.year, day.month, day.day)

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
    """A date or a span of dates, each end at its own precision, either end possibly open.

    Parameters
    ----------
    start, end
        The ends; equal for a single date; ``None`` for an open end ("on or
        before ..." has no start, "since ..." no end).
    form
        The named span it was written as, when it was one: ``"2023-Q4"``,
        ``"2023-H2"``, ``"early 2023-09"``, ``"late 2022"``; kept so that it
        reads and writes back the same way.

    Raises
    ------
    ValueError
        If the span ends before it starts, or both ends are open.
    """

    start: PartialDate | None
    end: PartialDate | None
    form: str = ""

    def __post_init__(self) -> None:
        if self.start is None and self.end is None:
            raise ValueError("a date needs at least one end")
        if self.start is not None and self.end is not None and \
                self.end.last < self.start.first:
            message = f"interval ends ({self.end.iso()}) before it starts ({self.start.iso()})"
            raise ValueError(message)

    @classmethod
    def on(cls, point: PartialDate) -> When:
        """Return the single date ``point``."""
        return cls(point, point)

    @property
    def is_interval(self) -> bool:
        """Whether this is a span (or an open-ended date) rather than one date."""
        return self.start != self.end

    @property
    def is_open(self) -> bool:
        """Whether one end is open ("on or before ...", "since ...")."""
        return self.start is None or self.end is None

    @property
    def is_day(self) -> bool:
        """Whether this is one day."""
        return not self.is_interval and self.start is not None and \
            self.start.precision == "day"

    @property
    def first(self) -> dt.date:
        """The earliest day covered (:data:`OPEN_START` when open)."""
        return self.start.first if self.start is not None else OPEN_START

    @property
    def last(self) -> dt.date:
        """The latest day covered (:data:`OPEN_END` when open)."""
        return self.end.last if self.end is not None else OPEN_END

    @property
    def anchor(self) -> dt.date:
        """One day to place the date at on a time axis: the middle, or the known end if open."""
        if self.start is None:
            return self.last
        if self.end is None:
            return self.first
        return self.first + (self.last - self.first) / 2

    @property
    def precision(self) -> str:
        """``"day"``, ``"month"``, ``"year"``, ``"span"``, ``"open"`` or the named span's kind.

        Named spans give ``"quarter"``, ``"half"`` or ``"third"`` (early, mid, late).
        """
        if self.is_open:
            return "open"
        if self.form:
            return "quarter" if "-Q" in self.form else "half" if "-H" in self.form else "third"
        if self.is_interval or self.start is None:
            return "span"
        return self.start.precision

    def iso(self) -> str:
        """Return the ISO 8601 form: a date, ``START/END``, or ``../END`` and ``START/..``."""
        if self.start is not None and not self.is_interval:
            return self.start.iso()
        start = self.start.iso() if self.start is not None else ".."
        end = self.end.iso() if self.end is not None else ".."
        return f"{start}/{end}"

    def text(self) -> str:
        """Return the dataset form: :attr:`form` for a named span, else :meth:`iso`.

        :func:`parse_when` reads it back to the same date.
        """
        return self.form or self.iso()

    def label(self) -> str:
        """Return a reader's form, e.g. ``"Sep 2023"``, ``"Q4 2023"``, ``"7 Sep - 1 Oct 2023"``."""
        if self.form:
            return _form_label(self.form)
        if self.start is None:
            assert self.end is not None
            return f"on or before {self.end.label()}"
        if self.end is None:  # not "since": a publication or a claim is no ongoing state
            return f"on or after {self.start.label()}"
        if not self.is_interval:
            return self.start.label()
        same_year = self.start.year == self.end.year and self.start.month is not None
        if same_year and self.start.month == self.end.month and self.start.day and self.end.day:
            return f"{self.start.day}-{self.end.label()}"
        return f"{self.start.label(with_year=not same_year)} - {self.end.label()}"

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        """Whether any day of this date lies within ``first``..``last``."""
        return self.first <= last and first <= self.last

    def to_json(self) -> dict[str, object]:
        """Return the date as JSON-able data: ISO text, the first and last day, the precision."""
        return {"iso": self.iso(), "text": self.text(), "precision": self.precision,
                "first": self.start.first.isoformat() if self.start is not None else None,
                "last": self.end.last.isoformat() if self.end is not None else None}


def _form_label(form: str) -> str:
    if match := re.fullmatch(r"(\d{4})-([QH]\d)", form):
        return f"{match[2]} {match[1]}"
    part, rest = form.split(" ", 1)
    return f"{part} {_parse_point(rest).label()}"


def _parse_point(text: str) -> PartialDate:
    text = text.strip()
    match = _POINT.fullmatch(text)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
    elif (named := _NAMED.fullmatch(text)) and named[2].lower() in _MONTHS:
        year, month = int(named[3]), _MONTHS[named[2].lower()]
        day = int(named[1]) if named[1] else None
    else:
        raise ValueError(f"'{text}' is not a date; {_FORMS}")
    try:
        return PartialDate(year, month, day)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a real date: {err}") from None


def _months(year: int, first: int, last: int) -> tuple[PartialDate, PartialDate]:
    return PartialDate(year, first), PartialDate(year, last)


def _named_span(text: str) -> When | None:
    """Return a quarter, half, or early/mid/late span, or ``None`` if ``text`` is none."""
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1] or match[4]), int(match[2] or match[3])
        start, end = _months(year, 3 * quarter - 2, 3 * quarter)
        return When(start, end, f"{year}-Q{quarter}")
    if match := _HALF.fullmatch(text):
        year, half = int(match[1] or match[4]), int(match[2] or match[3])
        start, end = _months(year, 6 * half - 5, 6 * half)
        return When(start, end, f"{year}-H{half}")
    if match := _PART.fullmatch(text):
        part, point = match[1].lower(), _parse_point(match[2])
        third = ("early", "mid", "late").index(part)
        if point.precision == "year":
            start, end = _months(point.year, 4 * third + 1, 4 * third + 4)
        elif point.precision == "month":
            assert point.month is not None
            first_day = 10 * third + 1
            last_day = point.last.day if third == 2 else 10 * third + 10
            start = PartialDate(point.year, point.month, first_day)
            end = PartialDate(point.year, point.month, last_day)
        else:
            raise ValueError(f"'{text}': early, mid and late take a year or a month")
        return When(start, end, f"{part} {point.iso()}")
    return None


def _range(text: str) -> When | None:
    """Return an interval written with a dash or words ("Aug - Oct 2022"), or ``None``."""
    match = _SHORT_RANGE.fullmatch(text) or _RANGE.fullmatch(text)
    if match is None:
        return None
    end = _parse_point(match[2])
    left = match[1].strip()
    if re.fullmatch(r"\d{1,2}", left) and end.month is not None:
        start = _parse_point(f"{left} {calendar.month_abbr[end.month]} {end.year}")
    elif not re.search(r"\d{4}", left):
        start = _parse_point(f"{left} {end.year}")
        if start.first > end.last:
            raise ValueError(f"'{text}': give the start's year too, e.g. "
                             f"'{left} {end.year - 1} - {match[2]}'")
    else:
        start = _parse_point(left)
    return When(start, end)


def _open(text: str) -> When | None:
    """Return an open-ended date ("on or before X", "since X", "../X", "X/.."), or None."""
    if match := _BEFORE.fullmatch(text):
        end = parse_when(match[2])
        if end.end is None:
            raise ValueError(f"'{text}': the date after '{match[1]}' must have an end")
        point = end.end
        if match[1].lower() == "before":
            point = PartialDate.of(end.first - dt.timedelta(days=1))
        return When(None, point)
    if match := _AFTER.fullmatch(text):
        start = parse_when(match[2])
        if start.start is None:
            raise ValueError(f"'{text}': the date after '{match[1]}' must have a start")
        point = start.start
        if match[1].lower() == "after":
            point = PartialDate.of(start.last + dt.timedelta(days=1))
        return When(point, None)
    return None


def parse_when(value: object) -> When:
    """Parse a dataset date into a :class:`When`.

    Parameters
    ----------
    value
        A date in any form of the module docstring, a bare year as an
        ``int``, or a :class:`datetime.date`.

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
    >>> parse_when("2023-Q4").iso()
    '2023-10/2023-12'
    >>> parse_when("on or before 2023-09-12").label()
    'on or before 12 Sep 2023'
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return When.on(PartialDate.of(value))
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date; {_FORMS}")
    text = " ".join(value.split())
    found = _named_span(text) or _range(text) or _open(text)
    if found is not None:
        return found
    parts = text.split("/")
    if len(parts) > 2:
        raise ValueError(f"'{value}' has more than one '/'; {_FORMS}")
    if len(parts) == 1:
        return When.on(_parse_point(parts[0]))
    start = None if parts[0].strip() == ".." else _parse_point(parts[0])
    end = None if parts[1].strip() == ".." else _parse_point(parts[1])
    return When(start, end)
