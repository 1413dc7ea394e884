"""Resolve place names, aliases and transliterations to sites."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
import re
from typing import TYPE_CHECKING
import unicodedata

from shiproute.errors import AmbiguousPlaceError, UnknownPlaceError
from shiproute.gazetteer.model import Kind, Site
from shiproute.gazetteer.suggest import closest, quote_choices

if TYPE_CHECKING:
    from shiproute.gazetteer.reference import Reference

_IGNORED = re.compile(r"[\s\-\u2010-\u2015_.'\u2019`]+")
_COUNTRY = re.compile(r"(.*\S)\s*,\s*([A-Za-z]{2})")


def normalize_name(name: str) -> str:
    """Return the form of a place name used for matching.

    Case, accents, spaces, hyphens, dots and apostrophes are ignored, so
    "Tuman-gang", "tuman gang" and "Tumángang" all match.

    Parameters
    ----------
    name
        A name in any script.

    Returns
    -------
    str
        The matching key.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _IGNORED.sub("", bare).casefold()


@dataclass(frozen=True, slots=True)
class Resolution:
    """The site a name resolved to, and how.

    Parameters
    ----------
    site
        The site.
    how
        ``""`` for a curated site; for a reference place, which layer it came
        from and why this place of that name (see :mod:`~shiproute.gazetteer.reference`).
    """

    site: Site
    how: str = ""


class Gazetteer(Mapping[str, Site]):
    """An immutable set of sites, by id, that resolves names to sites.

    A mapping of the curated sites only; names none of them has are looked up
    in the reference layers, when given. Curated sites come in layers
    (:meth:`layered`): a higher layer wins by id and by name, so a site of a
    user's file named "Dunay" shadows the bundled Dunay instead of making
    the name ambiguous; sites of one layer sharing a name are ambiguous.

    Parameters
    ----------
    sites
        The sites by id, all of one layer.
    reference
        The world reference layers below the curated sites; ``None`` for a
        curated-only gazetteer.
    """

    def __init__(self, sites: Mapping[str, Site], reference: Reference | None = None) -> None:
        self.reference = reference
        self._sites = dict(sites)
        self._layer = dict.fromkeys(self._sites, 0)
        self._by_key: dict[str, list[str]] = {}
        self._index(self._sites.values())

    def _index(self, sites: Iterable[Site]) -> None:
        for site in sites:
            for name in {normalize_name(n) for n in (site.id, *site.names)}:
                self._by_key.setdefault(name, []).append(site.id)

    def __getitem__(self, site_id: str) -> Site:
        return self._sites[site_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sites)

    def __len__(self) -> int:
        return len(self._sites)

    def __repr__(self) -> str:
        return f"<Gazetteer of {len(self)} sites>"

    def layered(self, sites: Mapping[str, Site]) -> Gazetteer:
        """Return a new gazetteer with ``sites`` as a layer over this one.

        Their ids replace the same ids below, and their names shadow the same
        names below.
        """
        top = max(self._layer.values(), default=-1) + 1
        merged = Gazetteer({}, self.reference)
        merged._sites = {**self._sites, **sites}
        merged._layer = {**self._layer, **dict.fromkeys(sites, top)}
        merged._index(merged._sites.values())
        return merged

    def matches(self, name: str) -> tuple[Site, ...]:
        """Return every site whose id, name or alias matches ``name``.

        An exact id gives that site alone. A slash form such as "Rajin/Najin"
        matches when each part matches the same single site.

        Parameters
        ----------
        name
            A site id, name, alias or slash form.

        Returns
        -------
        tuple of Site
            Empty when nothing matches; several when the name is ambiguous.
        """
        if name in self._sites:
            return (self._sites[name],)
        ids = self._by_key.get(normalize_name(name), [])
        if len(ids) > 1:  # the highest layer that has the name wins
            top = max(self._layer[i] for i in ids)
            ids = [i for i in ids if self._layer[i] == top]
        if not ids and "/" in name:
            parts = [part for part in name.split("/") if part.strip()]
            found = {tuple(s.id for s in self.matches(part)) for part in parts}
            if len(found) == 1:
                ids = list(found.pop())
        return tuple(self._sites[i] for i in ids)

    def resolve(self, name: str, prefer: Kind | None = None) -> Site:
        """Return the one site ``name`` refers to.

        Parameters
        ----------
        name
            A site id, name, alias (any case, accents, hyphens or spaces),
            slash form of names of one site ("Rajin/Najin"), a name with its
            country ("Alexandria, EG"), or a reference id or code
            ("IATA:VKO", "UUWW", "RUNJK", "geonames:524901").
        prefer
            The kind the leg's mode prefers among reference places of one
            name: ``"port"`` for sea legs, ``"airfield"`` for air legs.

        Returns
        -------
        Site

        Raises
        ------
        UnknownPlaceError
            If nothing matches; the message suggests the closest names.
        AmbiguousPlaceError
            If several sites match; the message lists them with their ids.
        """
        return self.explain(name, prefer).site

    def explain(self, name: str, prefer: Kind | None = None) -> Resolution:
        """Resolve ``name`` as :meth:`resolve` does, saying where the site comes from.

        Parameters
        ----------
        name, prefer
            As for :meth:`resolve`.

        Returns
        -------
        Resolution
        """
        found = self.matches(name)
        split = _COUNTRY.fullmatch(name.strip())
        if not found and split:
            found = tuple(s for s in self.matches(split[1]) if s.country == split[2].upper())
        if len(found) == 1:
            return Resolution(found[0])
        if found:
            listed = ", ".join(f"'{s.id}' ({s.name}, {s.country})" for s in found)
            message = f"Place '{name}' is ambiguous: it names {listed}; use one of the ids"
            raise AmbiguousPlaceError(message)
        if "/" in name:
            parts = [p.strip() for p in name.split("/") if p.strip()]
            named = {p: [s.id for s in self.matches(p)] for p in parts}
            if all(named.values()):
                listed = ", ".join(f"'{p}' is {'/'.join(ids)}" for p, ids in named.items())
                message = f"Place '{name}' names different sites ({listed}); use one id"
                raise AmbiguousPlaceError(message)
        if self.reference is not None:
            found_place = self._from_reference(name, split, prefer)
            if found_place is not None:
                return found_place
        raise UnknownPlaceError(self._unknown(name))

    def _from_reference(self, name: str, split: re.Match[str] | None,
                        prefer: Kind | None) -> Resolution | None:
        from shiproute.gazetteer.reference import LAYERS, choose

        assert self.reference is not None
        place = self.reference.by_code(name)
        if place is not None:
            return Resolution(place.site(), f"{place.ref}, from {LAYERS[place.layer].source}")
        places = self.reference.named(normalize_name(name))
        if not places and split:
            places = [p for p in self.reference.named(normalize_name(split[1]))
                      if p.country == split[2].upper()]
        if not places:
            return None
        choice = choose(name, places, prefer)
        source = LAYERS[choice.place.layer].source
        how = f"{choice.place.ref}, from {source}" + (f": {choice.why}" if choice.why else "")
        return Resolution(choice.place.site(), how)

    def _unknown(self, name: str) -> str:
        owner = {n: site.id for site in self._sites.values() for n in site.names}
        near = closest(name, owner, limit=12, key=normalize_name)
        one_per_site = list({owner[n]: n for n in reversed(near)}.values())[::-1][:3]
        if self.reference is not None and len(one_per_site) < 3:
            one_per_site += [f"{p.name}, {p.country}" for p in
                             self.reference.similar(normalize_name(name), 3 - len(one_per_site))]
        hint = quote_choices(one_per_site) or "."
        return (f"Unknown place '{name}'{hint} "
                "Add it to the dataset's 'sites:' or to a --gazetteer file, or add an alias.")
