"""The dataset model: sources, legs, events and volume claims.

Immutable values, checked once when a dataset is loaded; every package after
the loader works on these and never on raw YAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
import math
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, get_args, overload

import numpy as np

from shiproute.gazetteer.model import Site
from shiproute.routes.dates import When
from shiproute.routes.quantity import Quantity

if TYPE_CHECKING:
    from numpy.typing import NDArray

Mode = Literal["sea", "rail", "road", "air"]
MODES: tuple[str, ...] = get_args(Mode)

KM_PER_NM = 1.852
"""Kilometres in one international nautical mile."""

LatLon = tuple[float, float]
"""A point as (latitude, longitude) in WGS84 decimal degrees."""

Reliability = Literal["A", "B", "C", "D", "E", "F"]
RELIABILITIES: tuple[str, ...] = get_args(Reliability)


Basis = Literal["reported", "inferred"]
BASES: tuple[str, ...] = get_args(Basis)


@dataclass(frozen=True, slots=True)
class Source:
    """A citation: the report a fact was taken from.

    Parameters
    ----------
    id
        The key legs and claims cite it by.
    title, publisher
        As the report gives them; a title in [square brackets] is descriptive,
        written by the dataset's author for a report without a headline.
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
        What moved, e.g. about 300 containers; the quantity says whether it
        is one shipment or the total over the leg's dates.
    carrier
        Vessel, train or aircraft.
    sources
        Ids of the sources that document the leg.
    note
        Free text.
    basis
        ``"reported"`` when a source states the movement, ``"inferred"`` when
        the dataset's author concludes it from what sources state.
    reasoning
        For an inferred leg: what the sources say and what is inferred.
    origin_reported_as, destination_reported_as
        The place names as the sources wrote them, when the dataset places
        the leg's ends differently (e.g. a report's "Nakhodka" for Rajin).
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
    volume: Quantity | None = None
    unit: str | None = None
    carrier: str | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None
    basis: Basis = "reported"
    reasoning: str | None = None
    origin_reported_as: str | None = None
    destination_reported_as: str | None = None
    via: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    path: tuple[LatLon, ...] | None = None
    path_name: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def period(self) -> When | None:
        """The days the leg may cover: from its departure to its arrival.

        Either date stands in for the other when only one is given; an open
        end stays open ("since 2023-08" with no arrival runs on). A departure
        of 8-12 Sep and an arrival "on or before 12 Sep" give 8-12 Sep: the
        arrival's open start is bounded by the departure. ``None`` when the
        leg has no date.
        """
        first, last = self.depart or self.arrive, self.arrive or self.depart
        if first is None or last is None:
            return None
        if first.start is None and last.end is None:  # on or before X, arriving on or after Y
            return first
        return When(first.start, last.end)


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
    basis, reasoning
        As for :class:`Leg`.
    reported_as
        The place name as the sources wrote it, when the dataset places the
        event at a site of another name.
    """

    site: str
    date: When
    what: str
    sources: tuple[str, ...] = ()
    basis: Basis = "reported"
    reasoning: str | None = None
    reported_as: str | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    """An aggregate volume claim, which other claims may contradict.

    Parameters
    ----------
    date
        When the claim was made.
    volume, unit
        The claimed figure, e.g. more than 1,000 containers (a total).
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
    volume: Quantity
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


DECIMALS = 6
"""Decimals kept in route coordinates (1e-6 degrees is about 0.1 m)."""


class Line(Sequence[LatLon]):
    """An immutable line of (lat, lon) points, held in one read-only numpy array.

    A route across Russia has thousands of points and a map may have tens of
    thousands of routes: as Python tuples they took 3 GB for 100,000 legs, as
    one array per line they take 16 bytes a point, and the renderer and the
    route cache read and write them in whole-array steps. It behaves as the
    tuple of ``(lat, lon)`` tuples it replaces: iterating, indexing, slicing
    (a :class:`Line`), ``len``, and ``==`` with another line or a tuple or
    list of points. ``numpy.asarray(line)`` is the array itself, without a copy.

    Parameters
    ----------
    points
        (lat, lon) pairs, or an (n, 2) array; rounded to :data:`DECIMALS`
        decimals (about 0.1 m), since finer digits are only the noise of
        float32 network data and grid arithmetic.
    """

    __slots__ = ("array",)

    array: NDArray[np.float64]
    """The points, an (n, 2) float array of latitude and longitude; read-only."""

    def __init__(self, points: Iterable[LatLon] | NDArray[np.float64]) -> None:
        given = points.array if isinstance(points, Line) else points
        grid = np.asarray(given if isinstance(given, np.ndarray) else list(given), dtype=float)
        grid = np.round(grid.reshape(-1, 2), DECIMALS) + 0.0  # + 0.0: no -0.0
        grid.flags.writeable = False
        object.__setattr__(self, "array", grid)

    @classmethod
    def split(cls, points: NDArray[np.float64], sizes: Sequence[int]) -> list[Line]:
        """Cut one (n, 2) array of points into consecutive lines of ``sizes`` points.

        The array is rounded once and each line is a read-only view of the
        result, so reading the routes of a big map takes a few numpy steps,
        not a few per route.

        Parameters
        ----------
        points
            (lat, lon) points, ``sum(sizes)`` rows.
        sizes
            The number of points of each line, in order.

        Returns
        -------
        list of Line

        Raises
        ------
        ValueError
            If ``sizes`` do not add up to the number of points.
        """
        grid = np.round(np.asarray(points, dtype=float).reshape(-1, 2), DECIMALS) + 0.0
        if sum(sizes) != len(grid):
            raise ValueError(f"{sum(sizes)} points in the lines, {len(grid)} given")
        grid.flags.writeable = False
        lines = []
        end = 0
        for size in sizes:
            line = object.__new__(cls)
            object.__setattr__(line, "array", grid[end:end + size])
            lines.append(line)
            end += size
        return lines

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Line is immutable; can't set {name!r}")

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> LatLon: ...

    @overload
    def __getitem__(self, index: slice) -> Line: ...

    def __getitem__(self, index: int | slice) -> LatLon | Line:
        if isinstance(index, slice):
            return Line(self.array[index])
        lat, lon = self.array[index].tolist()
        return (lat, lon)

    def __iter__(self) -> Iterator[LatLon]:
        return map(tuple, self.array.tolist())

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> NDArray[Any]:
        if dtype is None or np.dtype(dtype) == self.array.dtype:
            return self.array.copy() if copy else self.array
        return self.array.astype(dtype)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Line):
            return bool(np.array_equal(self.array, other.array))
        if isinstance(other, (tuple, list)):
            return tuple(self) == tuple(tuple(p) for p in other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.array.tobytes())

    def __repr__(self) -> str:
        return f"Line({self.array.tolist()!r})"


def _whole(value: float) -> int:
    """Round a length (never negative) to a whole number, halves up: 1,202.5 -> 1,203."""
    return math.floor(value + 0.5)


@dataclass(frozen=True, slots=True)
class Route:
    """The path a leg is drawn along and its length.

    One route may serve many legs: legs with the same stops, mode and
    countries, or the same drawn path, share one :class:`Route`.

    Parameters
    ----------
    points
        The path as (lat, lon) points, origin first; rounded to
        :data:`DECIMALS` decimals (about 0.1 m), since finer digits are only
        the noise of float32 network data and grid arithmetic.
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

    points: Line
    distance_km: float
    source: str
    flags: tuple[str, ...] = ()
    rule: str = ""
    connectors: tuple[Line, ...] = ()
    countries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.points, Line):
            object.__setattr__(self, "points", Line(self.points))
        if not all(isinstance(c, Line) for c in self.connectors):
            object.__setattr__(self, "connectors", tuple(map(Line, self.connectors)))

    @property
    def distance_nm(self) -> float:
        """Length in nautical miles."""
        return self.distance_km / KM_PER_NM

    def whole_distance(self) -> tuple[int, int]:
        """Return the length as whole kilometres and whole nautical miles, halves rounded up.

        Every place a reader sees a route's length (popups of the map and of the
        folium bridge, ``shiproute route``) shows these figures; exports keep the
        full precision of :attr:`distance_km`.

        Returns
        -------
        tuple of int
            Kilometres and nautical miles, e.g. ``(1203, 649)`` for 1,202.5 km.
        """
        return _whole(self.distance_km), _whole(self.distance_nm)

    def distance_label(self) -> str:
        """Return the length for readers, e.g. ``"1,203 km (649 nmi)"`` for 1,202.5 km.

        Returns
        -------
        str
            :meth:`whole_distance` with thousands separators.
        """
        km, nm = self.whole_distance()
        return f"{km:,} km ({nm:,} nmi)"
