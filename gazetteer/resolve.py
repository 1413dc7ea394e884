"""Resolve place names, aliases and transliterations to sites."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import re
import unicodedata

from shiproute.errors import AmbiguousPlaceError, UnknownPlaceError
from shiproute.gazetteer.model import Site
from shiproute.gazetteer.suggest import closest, quote_choices

_IGNORED = re.compile(r"[\s\-\u2010-\u2015_.'\u2019`]+")


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


class Gazetteer(Mapping[str, Site]):
    """An immutable set of sites, by id, that resolves names to sites.

    Parameters
    ----------
    sites
        The sites by id.
    """

    def __init__(self, sites: Mapping[str, Site]) -> None:
        self._sites = dict(sites)
        self._by_key: dict[str, list[str]] = {}
        for site in self._sites.values():
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
        """Return a new gazetteer with ``sites`` over this one (their ids win)."""
        return Gazetteer({**self._sites, **sites})

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
        if not ids and "/" in name:
            parts = [part for part in name.split("/") if part.strip()]
            found = {tuple(s.id for s in self.matches(part)) for part in parts}
            if len(found) == 1:
                ids = list(found.pop())
        return tuple(self._sites[i] for i in ids)

    def resolve(self, name: str) -> Site:
        """Return the one site ``name`` refers to.

        Parameters
        ----------
        name
            A site id, name, alias (any case, accents, hyphens or spaces) or
            slash form of names of one site ("Rajin/Najin").

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
        found = self.matches(name)
        if len(found) == 1:
            return found[0]
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
        owner = {n: site.id for site in self._sites.values() for n in site.names}
        near = closest(name, owner, limit=12, key=normalize_name)
        one_per_site = list({owner[n]: n for n in reversed(near)}.values())[::-1]
        hint = quote_choices(one_per_site[:3]) or "."
        message = (
            f"Unknown place '{name}'{hint} "
            "Add it to the dataset's 'sites:' or to a --gazetteer file, or add an alias."
        )
        raise UnknownPlaceError(message)
