"""The same legs and sites as a :class:`folium.Map`, for notebook users who add their own layers.

The self-contained renderer (:func:`shiproute.maps.render.render_map`) stays
the default: a folium page loads Leaflet, jQuery and Bootstrap from CDNs, so
it needs a network to open. This bridge gives the folium way of working: one
``FeatureGroup`` per mode in a ``LayerControl``, each holding one ``GeoJson``
layer whose features are the distinct routes (so 10,000 legs on 600 routes
are 600 features), line width by volume, popups with the legs' dates at their
precision, volume, carrier and full citations, and site markers by kind.
Every dataset text is escaped here before folium sees it (folium inserts
popup fields as HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from branca.element import Figure, MacroElement
import folium
from jinja2 import Template

from shiproute.maps._encode import split_at_antimeridian
from shiproute.maps._html import esc
from shiproute.maps.citations import citation
from shiproute.maps.render import ATTRIBUTION
from shiproute.maps.style import KIND_STYLES, MODE_COLORS, line_width, unit_tops
from shiproute.routes.model import MODES, Leg, Route
from shiproute.routes.routed import RoutedDataset

MAX_LEGS_IN_POPUP = 20


class _Attribution(MacroElement):
    """Adds the data credits (OpenStreetMap, Natural Earth, ...) to the map's attribution."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution("
        "{{ this.text | tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, text: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ShiprouteAttribution"
        self.text = text


def _end(name: str, reported_as: str | None) -> str:
    said = f" <i>(the source says &ldquo;{esc(reported_as)}&rdquo;)</i>" if reported_as else ""
    return f"{esc(name)}{said}"


def _leg_html(routed: RoutedDataset, leg: Leg) -> str:
    sites = routed.dataset.sites
    basis = ("reported" if leg.basis == "reported" else
             f"inferred, not stated by a source: {leg.reasoning}")
    rows = [("Basis", basis), ("Departs", leg.depart.label() if leg.depart else None),
            ("Arrives", leg.arrive.label() if leg.arrive else None),
            ("Volume", leg.volume.label(leg.unit) if leg.volume else None),
            ("Carrier", leg.carrier), ("Leg id", leg.id)]
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows if v)
    cites = "".join(citation(routed.dataset.sources[s]) for s in leg.sources)
    note = f"<p>{esc(leg.note)}</p>" if leg.note else ""
    return (f"<div><b>{_end(sites[leg.origin].name, leg.origin_reported_as)} &rarr; "
            f"{_end(sites[leg.destination].name, leg.destination_reported_as)}"
            f"</b> ({esc(leg.mode)})<table>{table}</table>{note}"
            f"{f'<ol>{cites}</ol>' if cites else ''}</div>")


def _route_html(route: Route) -> str:
    rows = [("Distance", route.distance_label()),
            ("Route", route.source),
            ("Rule", route.rule if route.rule != route.source else None),
            ("Countries", ", ".join(route.countries)), ("Flags", "; ".join(route.flags))]
    return "<table>" + "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>"
                               for k, v in rows if v) + "</table>"


def _popup(routed: RoutedDataset, legs: Sequence[Leg], route: Route) -> str:
    shown = "".join(_leg_html(routed, leg) for leg in legs[:MAX_LEGS_IN_POPUP])
    more = len(legs) - MAX_LEGS_IN_POPUP
    extra = f"<p>and {more} more legs</p>" if more > 0 else ""
    return f"<div class='shiproute-popup'>{shown}{extra}{_route_html(route)}</div>"


def _route_features(routed: RoutedDataset, mode: str) -> list[dict[str, Any]]:
    """Return one GeoJSON feature per distinct route of ``mode``, with its legs' popup."""
    tops = unit_tops(routed)
    groups: dict[int, list[Leg]] = {}
    for leg in routed.dataset.legs:
        if leg.mode == mode:
            groups.setdefault(routed.geometry_of[leg.id], []).append(leg)
    features = []
    for index, legs in groups.items():
        route = routed.geometries[index]
        pieces = [piece[:, ::-1].tolist() for piece in split_at_antimeridian(route.points)]
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": pieces[0]} if len(pieces) == 1
            else {"type": "MultiLineString", "coordinates": pieces},
            "properties": {"popup": _popup(routed, legs, route),
                           "weight": round(line_width(legs, tops), 1)},
        })
    return features


def _site_html(routed: RoutedDataset, site_id: str) -> str:
    site = routed.dataset.sites[site_id]
    events = sorted((e for e in routed.dataset.events if e.site == site_id),
                    key=lambda e: e.date.first)
    items = "".join(f"<li><b>{esc(e.date.label())}</b>: {esc(e.what)}</li>" for e in events)
    note = f"<p>{esc(site.note)}</p>" if site.note else ""
    return (f"<div class='shiproute-popup'><b>{esc(site.name)}</b> "
            f"({esc(site.kind.replace('_', ' '))}, {esc(site.country)})<br>"
            f"{site.lat:.4f}, {site.lon:.4f}{note}"
            f"{f'<ul>{items}</ul>' if items else ''}</div>")


def to_folium(routed: RoutedDataset, *, title: str | None = None,
              tiles: str | None = "OpenStreetMap") -> folium.Map:
    """Return a :class:`folium.Map` with the dataset's legs and sites.

    Parameters
    ----------
    routed
        The routed dataset.
    title
        The page title of the saved map; default the dataset's title.
    tiles
        folium's ``tiles`` argument (``None`` for none, to add your own).

    Returns
    -------
    folium.Map
        Fitted to the data, with one ``FeatureGroup`` per mode and one for
        sites, and a ``LayerControl``. Add layers to it, then ``save()`` it.

    Examples
    --------
    >>> m = to_folium(routed)                    # doctest: +SKIP
    >>> folium.Marker([42.9, 132.3]).add_to(m)   # doctest: +SKIP
    >>> m.save("map.html")                       # doctest: +SKIP
    """
    dataset = routed.dataset
    fmap = folium.Map(tiles=tiles, control_scale=True, prefer_canvas=True)
    root = fmap.get_root()
    if isinstance(root, Figure):
        root.title = esc(title or dataset.title)  # branca writes the title unescaped
    for mode in MODES:
        features = _route_features(routed, mode)
        if not features:
            continue
        group = folium.FeatureGroup(name=f"{mode} legs", show=True)
        color = MODE_COLORS[mode]
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=f"{mode} legs",
            style_function=lambda feature, color=color: {
                "color": color, "weight": feature["properties"]["weight"], "opacity": 0.85},
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False, localize=False,
                                      max_width=440),
        ).add_to(group)
        group.add_to(fmap)
    sites = folium.FeatureGroup(name="Sites", show=True)
    for site in dataset.sites.values():
        fill, radius = KIND_STYLES[site.kind]
        folium.CircleMarker(
            [site.lat, site.lon], radius=radius, color="#ffffff", weight=2, fill=True,
            fill_color=fill, fill_opacity=0.95,
            tooltip=folium.Tooltip(esc(site.name)),
            popup=folium.Popup(_site_html(routed, site.id), max_width=420),
        ).add_to(sites)
    sites.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.add_child(_Attribution(ATTRIBUTION))
    bounds = _bounds(routed)
    if bounds:
        fmap.fit_bounds(bounds)
    return fmap


def _bounds(routed: RoutedDataset) -> list[list[float]] | None:
    lats = [p[0] for r in routed.geometries for p in r.points]
    lons = [p[1] for r in routed.geometries for p in r.points]
    lats += [s.lat for s in routed.dataset.sites.values()]
    lons += [s.lon for s in routed.dataset.sites.values()]
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
