"""The Site: one named place with coordinates, shared by every package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal[
    "port",
    "rail_station",
    "border_crossing",
    "depot",
    "city",
    "airfield",
    "cosmodrome",
    "other",
]
KINDS: tuple[str, ...] = get_args(Kind)


@dataclass(frozen=True, slots=True)
class Site:
    """A named place that legs, events and claims refer to.

    Parameters
    ----------
    id
        Stable identifier, e.g. ``"rajin"``; always resolves to this site.
    name
        Display name.
    kind
        What the place is; one of :data:`KINDS`.
    country
        ISO 3166-1 alpha-2 code, upper case.
    lat, lon
        WGS84 decimal degrees.
    aliases
        Other names and transliterations that resolve to this site.
    note
        Where the coordinates come from and how precise they are.

    Raises
    ------
    ValueError
        If a coordinate is out of range, the kind is unknown or the country
        is not two upper-case letters.
    """

    id: str
    name: str
    kind: Kind
    country: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if not -90 <= self.lat <= 90:
            raise ValueError(f"latitude {self.lat} is outside [-90, 90]")
        if not -180 <= self.lon <= 180:
            raise ValueError(f"longitude {self.lon} is outside [-180, 180]")
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if len(self.country) != 2 or not self.country.isascii() or not self.country.isupper():
            raise ValueError(f"country {self.country!r} is not an ISO 3166-1 alpha-2 code")

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by every alias."""
        return (self.name, *self.aliases)
