"""World reference places below the curated gazetteer: ports, airports, cities.

Three layers, shipped as one read-only SQLite index (``data/reference.sqlite``,
built by ``tools/vendor_reference.py``):

- ports: searoute's port list, by UN/LOCODE (``UNLOCODE:RUNJK``), port points;
- airports: ``airportsdata``, by IATA and ICAO code (``IATA:VKO``,
  ``ICAO:UUWW``), airport reference points;
- cities: GeoNames cities of 15,000 people or more (``geonames:524901``), city
  centroids, with their alternate names in many scripts (CC BY 4.0).

A name is looked up here only when no curated layer (a dataset's ``sites:``,
the user's gazetteer files, the bundled gazetteer) knows it, so a curated site
always wins. The index is opened on the first such lookup.

One name often names several reference places: a city and its port, or towns
on several continents. :func:`choose` picks one or refuses:

1. places of one country within :data:`SAME_PLACE_KM` of each other are one
   place seen at different precisions (Makhachkala the city and its port);
2. when the leg's mode prefers a kind (a port for sea, an airport for air) and
   exactly one group has it, that group wins;
3. else a group whose population is at least :data:`DOMINANCE` times every
   other group's wins (Moscow, Russia over Moscow, Idaho);
4. else the name is ambiguous, and the message lists the places with the
   ``Name, CC`` form or the id that picks each;
5. within the group, the preferred kind, else the city, else the port, else
   the airport.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import functools
from importlib.resources import files
import json
import math
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from shiproute.errors import AmbiguousPlaceError
from shiproute.gazetteer.model import Kind, Site

if TYPE_CHECKING:
    import sqlite3

DATA_FILE = "reference.sqlite"
SAME_PLACE_KM = 50.0
"""Places of one name and country closer than this are one place (a city and its port)."""
DOMINANCE = 100.0
"""A group of places with this many times the population of every other wins the name."""
SUGGESTIONS = 3

_CODE = re.compile(r"(unlocode|iata|icao|geonames)\s*:\s*(\w+)", re.I)
_BARE = {3: "IATA", 4: "ICAO", 5: "UNLOCODE"}
_KIND_ORDER: tuple[Kind, ...] = ("city", "port", "airfield")


@dataclass(frozen=True, slots=True)
class ReferenceLayer:
    """What one reference layer is and how far to trust its points."""

    name: str
    kind: Kind
    precision: str
    source: str
    licence: str
    exact: str


LAYERS = {
    "ports": ReferenceLayer("ports", "port", "port point", "searoute's port list (UN/LOCODE)",
                   "Apache-2.0 (searoute)", "berth or terminal"),
    "airports": ReferenceLayer("airports", "airfield", "airport reference point",
                      "airportsdata (IATA/ICAO)", "MIT (airportsdata)", "apron or terminal"),
    "cities": ReferenceLayer("cities", "city", "city centroid", "GeoNames cities15000",
                    "CC BY 4.0 (GeoNames)", "terminal, station or depot"),
}


@dataclass(frozen=True, slots=True)
class ReferencePlace:
    """One place of a reference layer.

    Parameters
    ----------
    ref
        Its id: ``UNLOCODE:RUNJK``, ``IATA:VKO`` (``ICAO:...`` without an IATA
        code) or ``geonames:524901``.
    layer
        ``"ports"``, ``"airports"`` or ``"cities"``.
    name, country, lat, lon
        As the source gives them (country as ISO alpha-2).
    rank
        Population for cities; 1 for airports with an IATA code; 0 otherwise.
    codes
        Every code of the place, e.g. ``("IATA:VKO", "ICAO:UUWW")``.
    """

    ref: str
    layer: str
    name: str
    country: str
    lat: float
    lon: float
    rank: int
    codes: tuple[str, ...]

    @property
    def kind(self) -> Kind:
        """The site kind: port, airfield or city."""
        return LAYERS[self.layer].kind

    def describe(self) -> str:
        """Return e.g. ``"Alexandria, EG (city, pop. 3,811,516; geonames:361058)"``."""
        size = f", pop. {self.rank:,}" if self.layer == "cities" else ""
        return f"{self.name}, {self.country} ({self.kind}{size}; {self.ref})"

    def site(self) -> Site:
        """Return the place as a site whose note says where it comes from and how precise it is."""
        layer = LAYERS[self.layer]
        codes = ", ".join(self.codes) or self.ref
        note = (f"{layer.precision.capitalize()} from {layer.source}, {codes}; add a site of your "
                f"own for the exact {layer.exact}.")
        return Site(self.ref, self.name, self.kind, self.country, self.lat, self.lon, (), note)


@dataclass(frozen=True, slots=True)
class Choice:
    """The reference place a name resolved to, and why that one."""

    place: ReferencePlace
    why: str


class Reference:
    """The reference index, opened read-only on first use.

    Parameters
    ----------
    path
        The SQLite file; default: the one shipped with shiproute.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else bundled_reference_path()

    def __repr__(self) -> str:
        return f"<Reference {self.path.name}>"

    @functools.cached_property
    def _db(self) -> sqlite3.Connection:
        import sqlite3

        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    def _places(self, where: str, args: Sequence[Any]) -> dict[int, ReferencePlace]:
        """Return the places a ``WHERE`` clause selects, by row id, in query order."""
        rows = self._db.execute(
            "SELECT id, ref, layer, name, country, lat, lon, rank, codes FROM places "
            f"WHERE {where}", args).fetchall()
        return {r[0]: ReferencePlace(r[1], r[2], r[3], r[4], r[5], r[6], r[7], tuple(r[8].split()))
                for r in rows}

    def by_code(self, text: str) -> ReferencePlace | None:
        """Return the place a code names, if any.

        A code is qualified (``IATA:VKO``, ``ICAO:uuww``, ``geonames:524901``,
        any case), or bare and in capitals: ``IKA`` (IATA), ``UUWW`` (ICAO),
        ``RUNJK`` (UN/LOCODE). Written in capitals, a code beats a place that
        merely has that name ("IKA" is Tehran's airport, "Ika" a city in Peru).
        """
        text = text.strip()
        match = _CODE.fullmatch(text)
        if match is not None:
            code = f"{match[1].upper()}:{match[2].upper()}"
        elif bare := _BARE.get(len(text)) if text.isascii() and text.isupper() else None:
            code = f"{bare}:{text}"
        else:
            return None
        found = self._places("id = (SELECT place FROM codes WHERE code = ?)", [code])
        return next(iter(found.values()), None)

    def named(self, key: str) -> list[ReferencePlace]:
        """Return the places whose name, alternate name or bare code has the key ``key``."""
        return list(self._places(
            "id IN (SELECT place FROM names WHERE key = ?) ORDER BY rank DESC", [key]).values())

    def similar(self, key: str, limit: int = SUGGESTIONS) -> list[ReferencePlace]:
        """Return the places whose names are closest to ``key``, best first.

        Candidates share the key's first two characters (a misspelling rarely
        starts wrong); they are ranked by edit similarity, then by size.
        """
        from rapidfuzz import fuzz

        if len(key) < 3:
            return []
        rows = self._db.execute("SELECT key, place FROM names WHERE key >= ? AND key < ?",
                                [key[:2], key[:2] + "\U0010ffff"]).fetchall()
        scored: dict[int, float] = {}
        for other, place in rows:
            score = fuzz.ratio(key, other)
            if score >= 75 and score > scored.get(place, 0):
                scored[place] = score
        best = sorted(scored.items(), key=lambda item: -item[1])[:limit * 4]
        places = self._places(f"id IN ({','.join('?' * len(best))})", [i for i, _ in best])
        ranked = sorted(best, key=lambda item: (-item[1], -places[item[0]].rank))
        return [places[i] for i, _ in ranked[:limit]]

    def layers(self) -> list[tuple[ReferenceLayer, int]]:
        """Return each layer with its number of places."""
        counts = json.loads(self._meta("counts"))
        return [(layer, int(counts.get(name, 0))) for name, layer in LAYERS.items()]

    def _meta(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else "{}"


def bundled_reference_path() -> Path:
    """Return the path of the reference index shipped with shiproute."""
    return Path(str(files("shiproute.gazetteer").joinpath("data", DATA_FILE)))


def layer_of(site_id: str) -> str:
    """Return the reference layer a site id belongs to, or ``""`` for a gazetteer site."""
    match = _CODE.fullmatch(site_id)
    if match is None:
        return ""
    return {"UNLOCODE": "ports", "IATA": "airports", "ICAO": "airports"}.get(
        match[1].upper(), "cities")


def describe_precision(ref: str) -> str:
    """Return how precise a reference place's point is, e.g. ``"city centroid"``."""
    return LAYERS[layer_of(ref)].precision


def is_reference_id(site_id: str) -> bool:
    """Return whether a site id is a reference place's (``IATA:VKO``, ``geonames:524901``)."""
    return bool(layer_of(site_id))


def _km(a: ReferencePlace, b: ReferencePlace) -> float:
    """Great-circle distance in km (a sphere is precise enough to group places)."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + \
        math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _groups(places: Sequence[ReferencePlace]) -> list[list[ReferencePlace]]:
    """Group places that are one place at different precisions (same country, near)."""
    groups: list[list[ReferencePlace]] = []
    for place in places:
        for group in groups:
            if any(p.country == place.country and _km(p, place) < SAME_PLACE_KM for p in group):
                group.append(place)
                break
        else:
            groups.append([place])
    return groups


def _population(group: Sequence[ReferencePlace]) -> int:
    return max((p.rank for p in group if p.layer == "cities"), default=0)


def _pick(group: Sequence[ReferencePlace], prefer: Kind | None) -> ReferencePlace:
    order = ((prefer,) if prefer else ()) + _KIND_ORDER
    return min(group, key=lambda p: (order.index(p.kind) if p.kind in order else len(order),
                                     -p.rank))


def choose(name: str, places: Sequence[ReferencePlace], prefer: Kind | None = None) -> Choice:
    """Pick the one place a name means among reference places of that name.

    Parameters
    ----------
    name
        The name as written, for messages.
    places
        The places of that name (at least one).
    prefer
        The kind the leg's mode prefers: ``"port"`` for sea legs,
        ``"airfield"`` for air legs.

    Returns
    -------
    Choice

    Raises
    ------
    AmbiguousPlaceError
        If the places are several and none of the rules of the module
        docstring picks one; the message lists them with how to pick each.
    """
    groups = _groups(places)
    why = ""
    if len(groups) > 1 and prefer and sum(any(p.kind == prefer for p in g) for g in groups) == 1:
        (group,) = [g for g in groups if any(p.kind == prefer for p in g)]
        why = f"the only {prefer} of that name"
    elif len(groups) > 1:
        ranked = sorted(groups, key=_population, reverse=True)
        top, second = _population(ranked[0]), _population(ranked[1])
        if top < DOMINANCE * max(second, 1):
            raise AmbiguousPlaceError(_ambiguous(name, ranked))
        group = ranked[0]
        why = f"by far the largest place of that name ({top:,} people)"
    else:
        group = groups[0]
    place = _pick(group, prefer)
    others = [p for p in group if p is not place]
    if others:
        also = "; ".join(f"{p.kind} {p.ref}" for p in others)
        role = f"the {place.kind} chosen for a {_MODE_OF[prefer]} leg" if prefer == place.kind \
            else f"the {place.kind}"
        why = "; ".join(filter(None, [why, f"{role}; also here: {also}"]))
    return Choice(place, why)


_MODE_OF: dict[Kind | None, str] = {"port": "sea", "airfield": "air"}


def _ambiguous(name: str, groups: Sequence[Sequence[ReferencePlace]]) -> str:
    listed = [_pick(g, None) for g in groups]
    shown = "; ".join(p.describe() for p in listed[:6])
    more = f"; and {len(listed) - 6} more" if len(listed) > 6 else ""
    first = listed[0]
    return (f"Place '{name}' names several places in the reference data: {shown}{more}; "
            f"write e.g. '{first.name}, {first.country}' or an id such as '{first.ref}'")
