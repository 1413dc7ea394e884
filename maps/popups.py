"""Popup HTML for legs and sites; every dataset text is escaped here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gazetteer.model import Site
from maps._html import esc, link
from routes.model import Dataset, Event, Leg, Route, Source


def citation(source: Source) -> str:
    """Return one source as an HTML list item: title, publisher, date, grade."""
    parts = [link(source.url, source.title)]
    if source.publisher:
        parts.append(esc(source.publisher))
    if source.date:
        parts.append(esc(source.date.label()))
    if source.reliability:
        parts.append(f"reliability {esc(source.reliability)}")
    return f"<li>{', '.join(parts)}</li>"


def citations(ids: Iterable[str], sources: Mapping[str, Source]) -> str:
    """Return the cited sources as an HTML list, in citation order."""
    items = "".join(citation(sources[i]) for i in ids if i in sources)
    return f"<ol class='sr-cites'>{items}</ol>" if items else ""


def _row(label: str, value: str | None) -> str:
    return f"<tr><th>{esc(label)}</th><td>{value}</td></tr>" if value else ""


def leg_popup(leg: Leg, route: Route | None, dataset: Dataset) -> str:
    """Return the popup of a leg: ends, dates, volume, carrier, route and sources.

    Parameters
    ----------
    leg
        The leg.
    route
        Its route, for distance, route source and flags.
    dataset
        For site names and citations.

    Returns
    -------
    str
        Escaped HTML.
    """
    origin = dataset.sites[leg.origin].name
    destination = dataset.sites[leg.destination].name
    distance = None
    if route is not None:
        distance = esc(f"{route.distance_km:,.0f} km ({route.distance_nm:,.0f} nmi)")
    rows = "".join([
        _row("Mode", esc(leg.mode)),
        _row("Departs", esc(leg.depart.label()) if leg.depart else None),
        _row("Arrives", esc(leg.arrive.label()) if leg.arrive else None),
        _row("Volume", esc(leg.volume.label(leg.unit)) if leg.volume else None),
        _row("Carrier", esc(leg.carrier) if leg.carrier else None),
        _row("Distance", distance),
        _row("Route", esc(route.source) if route else None),
        _row("Rule", esc(route.rule) if route and route.rule else None),
        _row("Countries", esc(", ".join(route.countries)) if route and route.countries else None),
        _row("Flags", "<br>".join(esc(f) for f in route.flags) if route and route.flags else None),
        _row("Leg id", esc(leg.id)),
    ])
    note = f"<p>{esc(leg.note)}</p>" if leg.note else ""
    return (
        f"<div class='sr-popup'><b>{esc(origin)} &rarr; {esc(destination)}</b>"
        f"<table>{rows}</table>{note}{citations(leg.sources, dataset.sources)}</div>"
    )


def site_popup(site: Site, events: Iterable[Event], dataset: Dataset) -> str:
    """Return the popup of a site: what it is, where, and what was seen there.

    Parameters
    ----------
    site
        The site.
    events
        Its events, in date order.
    dataset
        For citations.

    Returns
    -------
    str
        Escaped HTML.
    """
    items = "".join(
        f"<li><b>{esc(e.date.label())}</b>: {esc(e.what)}"
        f"{citations(e.sources, dataset.sources)}</li>"
        for e in events
    )
    listed = f"<ul class='sr-events'>{items}</ul>" if items else ""
    kind = site.kind.replace("_", " ")
    return (
        f"<div class='sr-popup'><b>{esc(site.name)}</b> ({esc(kind)}, {esc(site.country)})"
        f"<br>{site.lat:.4f}, {site.lon:.4f}"
        f"{f'<p>{esc(site.note)}</p>' if site.note else ''}{listed}</div>"
    )
