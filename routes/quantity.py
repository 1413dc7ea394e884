"""Quantities as reports state them: a figure or a range, a qualifier, and what it counts.

"about 300", "300-400", "300+", "more than 1,000", "at least 10,000" and
"up to 50" all parse into one :class:`Quantity`, and every total adds
quantities of one unit by carrying their bounds:

- an ``exact`` figure is itself, a range ``300-400`` is anything between;
- ``about`` allows :data:`ABOUT` (20 %) either side;
- ``more than`` and ``at least`` have no upper bound;
- ``at most`` and ``less than`` run down to 0.

A quantity is either one ``shipment`` (a single consignment) or a ``total``
(everything that moved over a leg's dates); totals and shipments are never
added together, nor are different units (:func:`sum_quantities` groups them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import math
import re
from typing import Literal, get_args

from shiproute.gazetteer.safeyaml import shorten

Qualifier = Literal["exact", "about", "at least", "more than", "at most", "less than"]
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)
Scope = Literal["shipment", "total"]
SCOPES: tuple[str, ...] = get_args(Scope)
ABOUT = 0.2
"""How far an "about" figure may be from the truth, as a share of it (either side)."""
MAX_FIGURE = 1e15
"""Largest figure accepted: beyond any real count, and exact in a float."""
RULE = ("totals add the bounds of each figure within one unit: 'about' is +/-20 %, "
        "'more than' and 'at least' have no upper bound, 'at most' and 'less than' go down "
        "to 0, a range spans its ends; shipments and totals are never added together")
"""The arithmetic, stated in words for every output that adds quantities."""

_WORDS: tuple[tuple[str, Qualifier], ...] = (
    ("approximately", "about"), ("approx.", "about"), ("approx", "about"), ("about", "about"),
    ("around", "about"), ("roughly", "about"), ("some", "about"), ("circa", "about"),
    ("ca.", "about"), ("c.", "about"), ("~", "about"),
    ("more than", "more than"), ("over", "more than"), ("above", "more than"),
    ("at least", "at least"), ("no fewer than", "at least"), ("no less than", "at least"),
    ("at most", "at most"), ("up to", "at most"), ("no more than", "at most"),
    ("less than", "less than"), ("fewer than", "less than"), ("under", "less than"),
    ("below", "less than"),
)
_SCALE = {"": 1.0, "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
          "bn": 1e9, "billion": 1e9}
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)\s*(k|thousand|mn|m|million|bn|billion)?"
_FIGURE = re.compile(rf"{_NUMBER}(\s*\+|\s+or more|\s+or fewer|\s+or less)?", re.I)
_RANGE = re.compile(rf"(?:between\s+|from\s+)?{_NUMBER}\s*(?:-|–|—|to|and)\s*{_NUMBER}", re.I)
_SUFFIX: dict[str, Qualifier] = {"+": "at least", "or more": "at least",
                                 "or fewer": "at most", "or less": "at most"}


@dataclass(frozen=True, slots=True)
class Quantity:
    """A stated figure or range, how it bounds the truth, and whether it is a total.

    Parameters
    ----------
    low, high
        The stated figure (``low == high``) or range, never negative.
    qualifier
        How the statement bounds the truth; see the module docstring.
    scope
        ``"shipment"`` (one consignment) or ``"total"`` (all that moved over
        the leg's dates).

    Raises
    ------
    ValueError
        If a figure is negative, not finite, over :data:`MAX_FIGURE`, the
        range is reversed, or the qualifier or scope is unknown.
    """

    low: float
    high: float
    qualifier: Qualifier = "exact"
    scope: Scope = "shipment"

    def __post_init__(self) -> None:
        for figure in (self.low, self.high):
            if not math.isfinite(figure) or figure < 0 or figure > MAX_FIGURE:
                raise ValueError(f"{figure:g} is not a figure from 0 to {MAX_FIGURE:.0e}")
        if self.high < self.low:
            raise ValueError(f"range {self.low:g}-{self.high:g} runs backwards")
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"unknown qualifier {self.qualifier!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown scope {self.scope!r}; use shipment or total")

    @classmethod
    def of(cls, value: float, qualifier: Qualifier = "exact", scope: Scope = "shipment"
           ) -> Quantity:
        """Return a single-figure quantity."""
        return cls(float(value), float(value), qualifier, scope)

    @property
    def value(self) -> float:
        """The figure to draw and plot: the stated figure, or a range's middle."""
        return (self.low + self.high) / 2

    @property
    def is_range(self) -> bool:
        """Whether a range was stated rather than one figure."""
        return self.high != self.low

    def bounds(self) -> tuple[float, float]:
        """Return the (lowest, highest) true amount the statement allows; high may be inf."""
        if self.qualifier in ("more than", "at least"):
            return self.low, math.inf
        if self.qualifier in ("at most", "less than"):
            return 0.0, self.high
        if self.qualifier == "about":
            return self.low * (1 - ABOUT), self.high * (1 + ABOUT)
        return self.low, self.high

    def text(self) -> str:
        """Return the statement in the dataset's text form, e.g. ``"about 300-400"``.

        :func:`parse_quantity` reads it back to the same quantity (scope aside).
        """
        figures = _number(self.low) if not self.is_range else \
            f"{_number(self.low)}-{_number(self.high)}"
        return figures if self.qualifier == "exact" else f"{self.qualifier} {figures}"

    def label(self, unit: str | None = None) -> str:
        """Return the statement for a reader, e.g. ``"about 300 containers (total)"``."""
        words = [self.text()]
        if unit:
            words.append(unit)
        if self.scope == "total":
            words.append("(total)")
        return " ".join(words)

    def to_json(self) -> dict[str, object]:
        """Return the quantity as JSON-able data with numbers as numbers."""
        low, high = self.bounds()
        return {"low": self.low, "high": self.high, "qualifier": self.qualifier,
                "scope": self.scope, "min": low, "max": None if math.isinf(high) else high}


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _figure(digits: str, scale: str | None) -> float:
    value = float(digits.replace(",", "")) * _SCALE[(scale or "").lower()]
    if not math.isfinite(value) or value > MAX_FIGURE:
        raise ValueError(f"{shorten(digits, 30)} is more than {MAX_FIGURE:.0e}")
    return value


def parse_quantity(text: str, scope: Scope = "shipment") -> Quantity:
    """Read a quantity as reports write it.

    Parameters
    ----------
    text
        E.g. ``"300"``, ``"about 300"``, ``"~300"``, ``"300-400"``,
        ``"between 300 and 400"``, ``"300+"``, ``"more than 1,000"``,
        ``"at least 10k"``, ``"up to 50"``, ``"less than 1.5 million"``.
    scope
        Whether the figure is one shipment or a total.

    Returns
    -------
    Quantity

    Raises
    ------
    ValueError
        Naming the accepted forms.
    """
    rest = " ".join(text.strip().split())
    qualifier: Qualifier = "exact"
    lowered = rest.lower()
    for words, meaning in _WORDS:
        if lowered.startswith(words) and (words == "~" or lowered[len(words):][:1] in (" ", "")
                                          or not words[-1].isalpha()):
            qualifier = meaning
            rest = rest[len(words):].strip()
            break
    if match := _RANGE.fullmatch(rest):
        low, high = _figure(match[1], match[2]), _figure(match[3], match[4])
        return Quantity(low, high, qualifier, scope)
    if match := _FIGURE.fullmatch(rest):
        value = _figure(match[1], match[2])
        if match[3]:
            if qualifier != "exact":
                raise ValueError(f"'{shorten(text)}' qualifies the figure twice")
            qualifier = _SUFFIX[" ".join(match[3].split()).lower()]
        return Quantity(value, value, qualifier, scope)
    message = (f"'{shorten(text)}' is not a quantity; write e.g. 300, about 300, 300-400, "
               "300+, more than 300, at least 300, at most 300")
    raise ValueError(message)


@dataclass(frozen=True, slots=True)
class Total:
    """Quantities of one unit and scope added with their bounds.

    Parameters
    ----------
    unit
        What is counted.
    scope
        ``"shipment"`` or ``"total"``; the two are never added.
    count
        How many quantities were added.
    stated
        The sum of the stated figures (a range counted at its middle).
    low, high
        The sum of the lowest and highest amounts each statement allows;
        ``high`` is inf when any statement has no upper bound.
    """

    unit: str
    scope: Scope
    count: int
    stated: float
    low: float
    high: float

    @property
    def open_ended(self) -> bool:
        """Whether the total has no upper bound."""
        return math.isinf(self.high)

    def label(self) -> str:
        """Return the total for a reader: ``"300"``, ``"240-360"`` or ``"88 or more"``."""
        if self.open_ended:
            return f"{_number(round(self.low))} or more"
        if round(self.low) == round(self.high):
            return _number(round(self.low))
        return f"{_number(round(self.low))}-{_number(round(self.high))}"

    def to_json(self) -> dict[str, object]:
        """Return the total as JSON-able data (``high`` is null when open-ended).

        Figures are rounded to 4 decimals: a leg shared among months carries
        fractions, and a sum of fractions carries float noise.
        """
        return {"unit": self.unit, "scope": self.scope, "count": self.count,
                "stated": round(self.stated, 4), "low": round(self.low, 4),
                "high": None if self.open_ended else round(self.high, 4)}


def sum_quantities(items: Iterable[tuple[Quantity, str]]) -> list[Total]:
    """Add quantities per (unit, scope), carrying their bounds.

    Parameters
    ----------
    items
        (quantity, unit) pairs.

    Returns
    -------
    list of Total
        One per (unit, scope), in order of first appearance.
    """
    sums: dict[tuple[str, str], list[float]] = {}
    for quantity, unit in items:
        low, high = quantity.bounds()
        entry = sums.setdefault((unit, quantity.scope), [0, 0.0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += quantity.value
        entry[2] += low
        entry[3] += high
    return [Total(unit, scope, int(n), stated, low, high)  # type: ignore[arg-type]
            for (unit, scope), (n, stated, low, high) in sums.items()]
