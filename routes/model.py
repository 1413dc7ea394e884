"""The dataset model: sources, legs, events and volume claims.

Immutable values, checked once when a dataset is loaded; every package after
the loader works on these and never on raw YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, get_args

from shiproute.gazetteer.model import Site
from shiproute.routes.dates import When

Mode = Literal["sea", "rail", "road", "air"]
MODES: tuple[str, ...] = get_args(Mode)

Qualifier = Literal["exact", "about", "at least", "more than", "at most", "less than"]
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)

KM_PER_NM = 1.852
"""Kilometres in one international nautical mile."""

LatLon = tuple[float, float]
"""A point as (latitude, longitude) in WGS84 decimal degrees."""

Reliability = Literal["A", "B", "C", "D", "E", "F"]
RELIABILITIES: tuple[str, ...] = get_args(Reliability)


@dataclass(frozen=True, slots=True)
class Volume:
    """A quantity as a report states it, with its qualifier.

    Parameters
    ----------
    value
        The figure, never negative.
    qualifier
        How the figure bounds the truth: ``"more than 1,000"`` is a lower
        bound, ``"about 300"`` an estimate.
    """

    value: float
    qualifier: Qualifier = "exact"

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError(f"volume {self.value:g} is negative")
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"unknown qualifier {self.qualifier!r}")

    def label(self, unit: str | None = None) -> str:
        """Return e.g. ``"about 300 containers"``."""
        number = f"{self.value:,.0f}" if self.value == int(self.value) else f"{self.value:,g}"
        words: list[str] = [] if self.qualifier == "exact" else [self.qualifier]
        words.append(number)
        if unit:
            words.append(unit)
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class Source:
    """A citation: the report a fact was taken from.

    Parameters
    ----------
    id
        The key legs and claims cite it by.
    title, publisher
        As the report gives them.
    date
        Publication date, at the precision known.
    url
        Link to the report, if any.
    reliability
        Admiralty source grade A (reliable) to F (cannot be judged).
    note
        Anything a reader should know about the source.
    """

    id: str
    title: str
    publisher: str | None = None
    date: When | None = None
    url: str | None = None
    reliability: Reliability | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Leg:
    """One documented movement between two sites.

    Parameters
    ----------
    id
        Stable identifier, given in the dataset or generated from its fields.
    origin, destination
        Site ids.
    mode
        ``"sea"``, ``"rail"``, ``"road"`` or ``"air"``.
    depart, arrive
        When the leg started and ended, at the precision known.
    volume, unit
        What moved, e.g. about 300 containers.
    carrier
        Vessel, train or aircraft.
    sources
        Ids of the sources that document the leg.
    note
        Free text.
    via
        Site ids the route must pass through, in order.
    countries
        ISO alpha-2 codes of the countries the route may cross; empty means
        the countries of the leg's two ends.
    path
        A route drawn in the dataset, (lat, lon) points; used as it is,
        instead of routing on a network.
    path_name
        The entry of the dataset's ``paths:`` that ``path`` comes from, if
        any; legs naming the same entry share one drawn route.
    attributes
        Extra (name, value) pairs kept from the source, e.g. spreadsheet
        columns shiproute has no field for.
    """

    id: str
    origin: str
    destination: str
    mode: Mode
    depart: When | None = None
    arrive: When | None = None
    volume: Volume | None = None
    unit: str | None = None
    carrier: str | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None
    via: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    path: tuple[LatLon, ...] | None = None
    path_name: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A dated observation at one site, e.g. containers seen on a quay.

    Parameters
    ----------
    site
        Site id.
    date
        When it was observed.
    what
        What was observed.
    sources
        Ids of the sources that report it.
    """

    site: str
    date: When
    what: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Estimate:
    """An aggregate volume claim, which other claims may contradict.

    Parameters
    ----------
    date
        When the claim was made.
    volume, unit
        The claimed figure, e.g. more than 1,000 containers.
    claimant
        Who made the claim, e.g. "U.S. National Security Council".
    period
        The period the claim covers, if stated.
    sources
        Ids of the sources that report the claim.
    note
        Scope or caveats.
    """

    date: When
    volume: Volume
    unit: str
    claimant: str
    period: When | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True, eq=False)
class Dataset:
    """A loaded, validated dataset with every site reference resolved.

    Parameters
    ----------
    name
        Short name, from the file name; used for output file names.
    title
        Display title.
    description
        Optional longer text, shown under the title.
    sites
        Every site the legs and events refer to, plus the dataset's own.
    sources
        Citations by id.
    legs, events, estimates
        In file order.
    """

    name: str
    title: str
    description: str | None = None
    sites: Mapping[str, Site] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)
    legs: tuple[Leg, ...] = ()
    events: tuple[Event, ...] = ()
    estimates: tuple[Estimate, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sites", _frozen(self.sites))
        object.__setattr__(self, "sources", _frozen(self.sources))


@dataclass(frozen=True, slots=True)
class Route:
    """The path a leg is drawn along and its length.

    One route may serve many legs: legs with the same stops, mode and
    countries, or the same drawn path, share one :class:`Route`.

    Parameters
    ----------
    points
        The path as (lat, lon) points, origin first.
    distance_km
        Length along the path, in kilometres.
    source
        What shaped the path, e.g. ``"great circle"``.
    flags
        Caveats a reader must see, e.g. ``"unrouted: ..."``.
    rule
        Which rule shaped the path, e.g. ``"within RU"``; for the map.
    connectors
        Straight links between a site and a network that is far from it
        (more than 15 km), drawn dashed; not part of ``points``.
    countries
        Countries the path passes through, ISO alpha-2, in path order.
    """

    points: tuple[LatLon, ...]
    distance_km: float
    source: str
    flags: tuple[str, ...] = ()
    rule: str = ""
    connectors: tuple[tuple[LatLon, ...], ...] = ()
    countries: tuple[str, ...] = ()

    @property
    def distance_nm(self) -> float:
        """Length in nautical miles."""
        return self.distance_km / KM_PER_NM
