"""Load a dataset file, resolve its sites and report every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
import logging
from pathlib import Path
import re
from typing import Any, TypeVar

from shiproute.errors import DatasetError, PlaceError, Problem
from shiproute.gazetteer.load import country_codes, parse_sites
from shiproute.gazetteer.model import Kind, Site
from shiproute.gazetteer.records import Problems, Record, as_map, as_seq
from shiproute.gazetteer.reference import is_reference_id
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.gazetteer.safeyaml import (
    Mark,
    YamlReadError,
    fast_document,
    item_marks,
    key_mark,
    parse_yaml,
    read_limited,
    shorten,
    value_mark,
)
from shiproute.gazetteer.suggest import did_you_mean
from shiproute.routes.dates import When, parse_when
from shiproute.routes.model import (
    BASES,
    MODES,
    RELIABILITIES,
    Dataset,
    Estimate,
    Event,
    LatLon,
    Leg,
    Source,
)
from shiproute.routes.quantity import QUALIFIERS, SCOPES, Quantity, parse_quantity

log = logging.getLogger(__name__)

BUNDLED_NAME = "nk-ru-arms-2023-2024.yaml"
TOP_FIELDS = (
    "title", "description", "sites", "sources", "paths", "legs", "events", "estimates",
)
SOURCE_FIELDS = ("title", "publisher", "date", "url", "reliability", "note")
LEG_FIELDS = (
    "id", "from", "to", "via", "mode", "depart", "arrive", "volume", "unit", "carrier",
    "sources", "basis", "reasoning", "countries", "path", "attributes", "note",
)
EVENT_FIELDS = ("at", "date", "what", "sources", "basis", "reasoning")
ESTIMATE_FIELDS = (
    "date", "value", "min", "max", "qualifier", "unit", "period", "claimant", "sources", "note",
)
VOLUME_FIELDS = ("value", "min", "max", "qualifier", "scope")
PLACE_FIELDS = ("site", "reported_as")
PREFERRED_KIND: dict[str, Kind] = {"sea": "port", "air": "airfield"}
"""Among reference places of one name, the kind a leg of each mode takes."""
_SLUG = re.compile(r"[^a-z0-9]+")

T = TypeVar("T")


def bundled_dataset_path() -> Path:
    """Return the path of the dataset shipped with shiproute."""
    from importlib.resources import files

    return Path(str(files("shiproute.seeds").joinpath(BUNDLED_NAME)))


class _Reader:
    """Holds what every part of one dataset file needs while it is read."""

    def __init__(self, problems: Problems, gazetteer: Gazetteer, source_ids: set[str],
                 paths: dict[str, tuple[LatLon, ...]]) -> None:
        self.problems = problems
        self.gazetteer = gazetteer
        self.source_ids = source_ids
        self.paths = paths
        self.used_sites: dict[str, Site] = {}
        self.resolved: dict[str, Site] = {}
        self.unresolved: dict[str, str] = {}
        self.preferences: dict[str, Kind] = {}
        self.dates: dict[str, When] = {}
        """Each date text read so far; a big dataset repeats a few hundred dates."""

    def path(self, record: Record) -> tuple[LatLon, ...] | None:
        value = record.value.get("path")
        if value is None:
            return None
        if isinstance(value, str):
            if value not in self.paths:
                hint = did_you_mean(value, self.paths) or "; define it under 'paths:'"
                record.problem("path", f"unknown path '{value}'{hint}")
                return None
            return self.paths[value]
        found, message = parse_points(value)
        if message:
            record.problem("path", message)
        return found

    def _resolve(self, record: Record, key: str, name: str) -> str | None:
        """Return the id ``name`` resolves to (remembered), or record the problem (remembered).

        A name is one site throughout the file: among reference places of one
        name, the port when a sea leg names it, else the airport when an air
        leg does (:func:`_preferences`); curated sites don't depend on it.
        """
        site = self.resolved.get(name)
        if site is None:
            if name in self.unresolved:  # said once per leg, worked out once per name
                record.problem(key, self.unresolved[name])
                return None
            try:
                site = self.gazetteer.resolve(name, self.preferences.get(name))
            except PlaceError as err:
                self.unresolved[name] = str(err)
                record.problem(key, str(err))
                return None
            self.resolved[name] = site
        self.used_sites[site.id] = site
        return site.id

    def site(self, record: Record, key: str) -> str | None:
        name = record.text(key, required=True)
        return None if name is None else self._resolve(record, key, name)

    def place(self, record: Record, key: str) -> tuple[str | None, str | None]:
        """Return (site id, name as reported) of a place: a name or ``{site, reported_as}``."""
        value = record.value.get(key)
        if not isinstance(value, dict):
            return self.site(record, key), None
        inner = Record(value, self.problems, f"{record.what}: '{key}'")
        inner.known(PLACE_FIELDS)
        name = inner.text("site", required=True)
        reported = inner.text("reported_as")
        return (None if name is None else self._resolve(inner, "site", name)), reported

    def basis(self, record: Record) -> tuple[Any, str | None]:
        """Return (basis, reasoning); an inferred item must say why."""
        basis = record.text("basis") or "reported"
        reasoning = record.text("reasoning")
        if basis not in BASES:
            hint = did_you_mean(basis, BASES) or f"; use one of {', '.join(BASES)}"
            record.problem("basis", f"unknown basis '{basis}'{hint}")
        elif basis == "inferred" and not reasoning:
            record.problem("basis", "an inferred item needs 'reasoning:' saying what the "
                                    "sources state and what is inferred from it")
        return basis, reasoning

    def sites(self, record: Record, key: str) -> tuple[str, ...]:
        found = (self._resolve(record, key, name) for name in record.texts(key))
        return tuple(site_id for site_id in found if site_id is not None)

    def countries(self, record: Record, key: str) -> tuple[str, ...]:
        codes = record.texts(key)
        known = country_codes()
        for code in codes:
            if code not in known:
                hint = f"; write '{code.upper()}'" if code.upper() in known else ""
                record.problem(key, f"'{code}' is not an ISO 3166-1 alpha-2 country code{hint}")
        return codes

    def when(self, record: Record, key: str, *, required: bool = False) -> When | None:
        value = record.value.get(key)
        if value is None:
            if required:
                record.problem(None, f"missing field '{key}'")
            return None
        if isinstance(value, str) and value in self.dates:
            return self.dates[value]  # a When is immutable, so legs may share one
        try:
            when = parse_when(value)
        except ValueError as err:
            record.problem(key, f"bad date in '{key}': {err}")
            return None
        if isinstance(value, str):
            self.dates[value] = when
        return when

    def sources(self, record: Record) -> tuple[str, ...]:
        cited = record.texts("sources")
        for source_id in cited:
            if source_id not in self.source_ids:
                hint = did_you_mean(source_id, self.source_ids) or (
                    "; define it under 'sources:'"
                )
                record.problem("sources", f"unknown source '{source_id}'{hint}")
        return cited

    def volume(self, record: Record, key: str = "volume") -> Quantity | None:
        """Return a leg's quantity, in any of three forms.

        A number, a text such as "about 300" or "300-400", or a mapping of
        ``value`` (or ``min`` and ``max``), ``qualifier`` and ``scope``.
        """
        value = record.value.get(key)
        if value is None:
            return None
        if isinstance(value, dict):
            inner = Record(value, self.problems, record.what)
            inner.known(VOLUME_FIELDS)
            return self.quantity(inner, "shipment")
        return self.quantity(record, "shipment", key)

    def quantity(self, record: Record, scope: str, key: str | None = None) -> Quantity | None:
        """Return the quantity of a mapping's ``value``/``min``/``max``/``qualifier``/``scope``.

        With ``key``, the quantity is the field ``key`` of ``record`` alone.
        """
        value = record.value.get(key or "value")
        chosen = (record.text("scope") if key is None else None) or scope
        qualifier = record.text("qualifier") if key is None else None
        where = key or ("value" if "value" in record.value else None)
        try:
            if chosen not in SCOPES:
                raise ValueError(f"unknown scope '{chosen}'; use one of {', '.join(SCOPES)}")
            if qualifier is not None and qualifier not in QUALIFIERS:
                hint = did_you_mean(qualifier, QUALIFIERS) or ""
                raise ValueError(f"unknown qualifier '{qualifier}'{hint or ''}"
                                 f"{'' if hint else '; use one of ' + ', '.join(QUALIFIERS)}")
            if isinstance(value, str):
                found = parse_quantity(value, chosen)  # type: ignore[arg-type]
                if qualifier and found.qualifier != "exact":
                    raise ValueError(f"'{value}' is qualified twice (and 'qualifier: "
                                     f"{qualifier}'); keep one")
                return replace(found, qualifier=qualifier) if qualifier else found  # type: ignore[arg-type]
            if key is None and "value" not in record.value and \
                    ("min" in record.value or "max" in record.value):
                low, high = record.number("min", required=True), \
                    record.number("max", required=True)
            elif key is None and ("min" in record.value or "max" in record.value):
                raise ValueError("give either 'value' or 'min' and 'max', not both")
            else:
                low = high = record.number(key or "value", required=True)
            if low is None or high is None:
                return None
            if min(low, high) < 0:
                raise ValueError(f"volume {min(low, high):g} is negative; volumes count "
                                 "what moved")
            return Quantity(low, high, qualifier or "exact", chosen)  # type: ignore[arg-type]
        except ValueError as err:
            record.problem(where, str(err))
            return None


def _records(
    top: dict[str, Any], key: str, problems: Problems, what: str, allowed: tuple[str, ...]
) -> list[tuple[Record, Mark]]:
    items = as_seq(top.get(key), value_mark(top, key), problems, f"'{key}'")
    if items is None:
        return []
    out = []
    for index, (item, mark) in enumerate(zip(items, item_marks(items), strict=True), 1):
        fields = as_map(item, mark, problems, f"{what} {index}")
        if fields is not None:
            record = Record(fields, problems, f"{what} {index}")
            record.known(allowed)
            out.append((record, mark))
    return out


def _parse_sources(top: dict[str, Any], problems: Problems) -> dict[str, Source]:
    value = top.get("sources")
    if value is None:
        return {}
    mapping = as_map(value, value_mark(top, "sources"), problems, "'sources'")
    sources: dict[str, Source] = {}
    for source_id, fields in (mapping or {}).items():
        assert mapping is not None
        what = f"source '{source_id}'"
        entry = as_map(fields, key_mark(mapping, source_id), problems, what)
        if entry is None:
            sources[str(source_id)] = Source(str(source_id), str(source_id))
            continue
        record = Record(entry, problems, what)
        record.known(SOURCE_FIELDS)
        reliability = record.text("reliability")
        if reliability is not None and reliability not in RELIABILITIES:
            record.problem(
                "reliability",
                f"reliability '{reliability}' is not an Admiralty grade; use one of A-F",
            )
            reliability = None
        url = record.text("url")
        date = None
        if "date" in entry:
            try:
                date = parse_when(entry["date"])
            except ValueError as err:
                record.problem("date", f"bad date in 'date': {err}")
        sources[str(source_id)] = Source(
            id=str(source_id),
            title=record.text("title", required=True) or str(source_id),
            publisher=record.text("publisher"),
            date=date,
            url=url,
            reliability=reliability,  # type: ignore[arg-type]
            note=record.text("note"),
        )
    return sources


def parse_points(value: Any) -> tuple[tuple[LatLon, ...] | None, str]:
    """Check a drawn path: at least two [lat, lon] pairs of numbers in range.

    Returns
    -------
    tuple
        The points (shared, immutable) and ``""``, or ``None`` and what is wrong.
    """
    import numpy as np

    usage = "a path is a list of at least two [lat, lon] pairs in decimal degrees"
    if not isinstance(value, list):
        return None, usage
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int of 400 digits
        return None, usage
    if array.ndim != 2 or array.shape[1] != 2 or len(array) < 2:
        return None, usage
    if not np.isfinite(array).all():
        return None, f"{usage}; found a value that is not a finite number"
    bad = np.flatnonzero((np.abs(array[:, 0]) > 90) | (np.abs(array[:, 1]) > 180))
    if len(bad):
        lat, lon = array[bad[0]]
        return None, f"path point {bad[0] + 1} ({lat:g}, {lon:g}) is out of range; {usage}"
    return tuple(map(tuple, array.tolist())), ""


def _attributes(record: Record) -> tuple[tuple[str, str], ...]:
    value = record.value.get("attributes")
    if value is None:
        return ()
    if not isinstance(value, dict):
        record.problem("attributes", "'attributes' must be a mapping of names to values")
        return ()
    return tuple((str(k), "" if v is None else str(v)) for k, v in value.items())


def _parse_paths(top: dict[str, Any], problems: Problems) -> dict[str, tuple[LatLon, ...]]:
    value = top.get("paths")
    if value is None:
        return {}
    mapping = as_map(value, value_mark(top, "paths"), problems, "'paths'")
    paths: dict[str, tuple[LatLon, ...]] = {}
    for path_id, points in (mapping or {}).items():
        found, message = parse_points(points)
        if found is None:
            problems.add(value_mark(mapping or {}, path_id), f"path '{path_id}': {message}")
            continue
        paths[str(path_id)] = found
    return paths


def _leg_slug(origin: str, destination: str, mode: str, depart: When | None) -> str:
    parts = [origin, destination, mode] + ([depart.iso()] if depart else [])
    return _SLUG.sub("-", "-".join(parts).lower()).strip("-")


def _preferences(top: dict[str, Any]) -> dict[str, Kind]:
    """Return, per place name legs use, the kind their modes prefer among reference places.

    A port when any sea leg names the place, else an airport when any air leg
    does: ships and aircraft arrive there, and the legs that go on start where
    they arrived (Makhachkala the port, for a sea leg and the rail leg after it).
    """
    kinds: dict[str, set[Kind]] = {}
    legs = top.get("legs")
    for leg in legs if isinstance(legs, list) else ():
        prefer = PREFERRED_KIND.get(str(leg.get("mode"))) if isinstance(leg, dict) else None
        if prefer is None:
            continue
        for key in ("from", "to"):
            value = leg.get(key)
            name = value.get("site") if isinstance(value, dict) else value
            if isinstance(name, str):
                kinds.setdefault(name, set()).add(prefer)
    return {name: "port" if "port" in found else "airfield" for name, found in kinds.items()}


def _parse_legs(top: dict[str, Any], reader: _Reader) -> list[Leg]:
    legs: list[Leg] = []
    explicit: dict[str, int] = {}
    for record, mark in _records(top, "legs", reader.problems, "leg", LEG_FIELDS):
        before = len(reader.problems)
        leg_id = record.text("id")
        if leg_id is not None:
            record.what = f"leg '{leg_id}'"
            if leg_id in explicit:
                first = explicit[leg_id]
                record.problem("id", f"duplicate leg id '{leg_id}' (first at line {first})")
            explicit.setdefault(leg_id, mark[0])
        mode = record.text("mode", required=True)
        if mode is not None and mode not in MODES:
            hint = did_you_mean(mode, MODES) or f"; use one of {', '.join(MODES)}"
            record.problem("mode", f"unknown mode '{mode}'{hint}")
        origin, origin_as = reader.place(record, "from")
        destination, destination_as = reader.place(record, "to")
        if origin is not None and origin == destination:
            record.problem("to", f"leg goes from '{origin}' to itself; check 'from' and 'to'")
        depart = reader.when(record, "depart")
        arrive = reader.when(record, "arrive")
        if depart and arrive and arrive.last < depart.first:
            record.problem(
                "arrive",
                f"arrives ({arrive.iso()}) before it departs ({depart.iso()}); check the dates",
            )
        basis, reasoning = reader.basis(record)
        fields = dict(
            volume=reader.volume(record),
            attributes=_attributes(record),
            path=reader.path(record),
            path_name=path_value if isinstance(path_value := record.value.get("path"), str)
            else None,
            via=reader.sites(record, "via"),
            countries=reader.countries(record, "countries"),
            unit=record.text("unit"),
            carrier=record.text("carrier"),
            sources=reader.sources(record),
            note=record.text("note"),
            basis=basis,
            reasoning=reasoning,
            origin_reported_as=origin_as,
            destination_reported_as=destination_as,
        )
        if len(reader.problems) > before or not (origin and destination and mode):
            continue
        legs.append(Leg(
            id=leg_id or "",
            origin=origin,
            destination=destination,
            mode=mode,  # type: ignore[arg-type]
            depart=depart,
            arrive=arrive,
            **fields,
        ))
    return _named(legs, set(explicit), reader.used_sites)


def _named(legs: list[Leg], taken: set[str], sites: Mapping[str, Site]) -> list[Leg]:
    """Give every leg without an id one made of its ends, mode and date, unique in the file.

    An end is named by its site id, or, for a reference place, by its
    airport code or its name (``ika``, ``moscow``; not ``geonames-524901``).
    Repeats get ``-2``, ``-3`` ...: one pass with a counter per base id, so
    100,000 legs between the same sites take no longer than 100,000 others.
    """
    seen: dict[str, int] = {}
    out = []
    for leg in legs:
        if not leg.id:
            origin, destination = (_slug_name(sites[s]) for s in (leg.origin, leg.destination))
            base = _leg_slug(origin, destination, leg.mode, leg.depart)
            n = seen.get(base, 0)
            candidate = base if n == 0 else f"{base}-{n + 1}"
            while candidate in taken:
                n += 1
                candidate = f"{base}-{n + 1}"
            seen[base] = n + 1
            taken.add(candidate)
            leg = replace(leg, id=candidate)
        out.append(leg)
    return out


def _slug_name(site: Site) -> str:
    """Return a leg end's part of a generated leg id: the id, or a reference code or name."""
    if not is_reference_id(site.id):
        return site.id
    prefix, code = site.id.split(":", 1)
    return code if prefix in ("IATA", "ICAO") else site.name


def _parse_each(
    top: dict[str, Any],
    key: str,
    what: str,
    allowed: tuple[str, ...],
    reader: _Reader,
    build: Callable[[Record], T | None],
) -> list[T]:
    out = []
    for record, _mark in _records(top, key, reader.problems, what, allowed):
        before = len(reader.problems)
        item = build(record)
        if item is not None and len(reader.problems) == before:
            out.append(item)
    return out


def _event(reader: _Reader, record: Record) -> Event | None:
    site, reported_as = reader.place(record, "at")
    date = reader.when(record, "date", required=True)
    what = record.text("what", required=True)
    sources = reader.sources(record)
    basis, reasoning = reader.basis(record)
    if site and date and what:
        return Event(site, date, what, sources, basis, reasoning, reported_as)
    return None


def _estimate(reader: _Reader, record: Record) -> Estimate | None:
    date = reader.when(record, "date", required=True)
    if not any(key in record.value for key in ("value", "min", "max")):
        record.problem(None, "missing field 'value' (or 'min' and 'max')")
        volume = None
    else:
        volume = reader.quantity(record, "total")
    unit = record.text("unit", required=True)
    claimant = record.text("claimant", required=True)
    period = reader.when(record, "period")
    sources = reader.sources(record)
    if date and volume and unit and claimant:
        return Estimate(date, volume, unit, claimant, period, sources, record.text("note"))
    return None


def parse_dataset(
    data: bytes, path: str, gazetteer: Gazetteer
) -> tuple[Dataset | None, list[Problem]]:
    """Parse and validate a dataset, collecting every problem.

    Parameters
    ----------
    data
        The file content.
    path
        The file name, for messages and the dataset's name.
    gazetteer
        Sites the dataset may refer to; the dataset's own ``sites:`` are
        layered over it, and get every check ``gazetteer check`` gives a
        gazetteer (country, swapped coordinates, inland ports, names it
        shares with ``gazetteer``).

    Returns
    -------
    tuple of Dataset or None, and list of Problem
        The dataset (``None`` if any problem is an error) and every problem,
        warnings included, in file order.
    """
    try:
        document = parse_yaml(data, path)
    except YamlReadError as err:
        return None, [err.problem]
    return parse_value(document.value, document.problems, path, gazetteer)


def _fast_parse(data: bytes, path: str, gazetteer: Gazetteer) -> Dataset | None:
    """Read a dataset with the fast YAML parser; ``None`` if anything needs a closer look.

    yaml-rs parses a 1.8 MB file in a tenth of a second but keeps no
    positions. Any problem at all, from the parser or the checks, sends the
    caller to :func:`parse_dataset`, which reads positions and reports lines.
    """
    document = fast_document(data, path)
    if document is None:
        return None
    dataset, problems = parse_value(document.value, (), path, gazetteer)
    return dataset if not problems else None


def parse_value(
    value: Any, read_problems: Iterable[Problem], path: str, gazetteer: Gazetteer
) -> tuple[Dataset | None, list[Problem]]:
    """Validate an already parsed dataset value; see :func:`parse_dataset`.

    Values read without positions (plain dicts and lists) give problems at
    line 0; ``read_problems`` are added first (duplicate keys and the like).
    """
    problems = Problems(path)
    problems.extend(read_problems)
    top = as_map(value, (1, 1), problems, "a dataset")
    if top is None:
        return None, list(problems)
    for key in top:
        if key not in TOP_FIELDS:
            hint = did_you_mean(str(key), TOP_FIELDS) or f"; known keys: {', '.join(TOP_FIELDS)}"
            problems.add(key_mark(top, key),
                         f"unknown top-level key {shorten(repr(key))} is ignored{hint}", "warning")
    record = Record(top, problems, "dataset")
    own_sites: dict[str, Site] = {}
    if "sites" in top and (mapping := as_map(top["sites"], record.mark("sites"), problems,
                                             "'sites'")) is not None:
        own_sites = parse_sites(mapping, problems)
        if own_sites:
            from shiproute.gazetteer.check import check_sites

            check_sites(own_sites, mapping, problems)
    sources = _parse_sources(top, problems)
    paths = _parse_paths(top, problems)
    reader = _Reader(problems, gazetteer.layered(own_sites), set(sources), paths)
    reader.preferences = _preferences(top)
    legs = _parse_legs(top, reader)
    events = _parse_each(top, "events", "event", EVENT_FIELDS, reader,
                         lambda r: _event(reader, r))
    estimates = _parse_each(top, "estimates", "estimate", ESTIMATE_FIELDS, reader,
                            lambda r: _estimate(reader, r))
    title, description = record.text("title"), record.text("description")
    problems.sort(key=lambda p: (p.line, p.column))
    if problems.has_errors:
        return None, list(problems)
    name = Path(path).stem
    dataset = Dataset(
        name=name,
        title=title or name,
        description=description,
        sites={**own_sites, **reader.used_sites},
        sources=sources,
        legs=tuple(legs),
        events=tuple(events),
        estimates=tuple(estimates),
    )
    return dataset, list(problems)


def dataset_bytes(path: str | Path) -> bytes:
    """Read a dataset file's bytes, refusing a special file or one over 32 MB unread.

    Parameters
    ----------
    path
        The dataset YAML file.

    Returns
    -------
    bytes

    Raises
    ------
    DatasetError
        If the file is missing, unreadable, not a regular file (a device, a
        FIFO, a directory) or over :data:`~shiproute.gazetteer.safeyaml.MAX_BYTES`.
    """
    try:
        return read_limited(path, "dataset")
    except YamlReadError as err:
        raise DatasetError([err.problem]) from None


def read_dataset(path: str | Path, gazetteer: Gazetteer) -> Dataset:
    """Read and validate a dataset file.

    Parameters
    ----------
    path
        The dataset YAML file.
    gazetteer
        Sites the dataset may refer to.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetError
        With every problem, if the file is missing, unreadable or invalid.
        Warnings are logged.
    """
    name = str(path)
    data = dataset_bytes(path)
    fast = _fast_parse(data, name, gazetteer)
    if fast is not None:
        return fast
    dataset, problems = parse_dataset(data, name, gazetteer)
    if dataset is None:
        raise DatasetError(problems)
    for problem in problems:
        log.warning("%s", problem)
    return dataset
