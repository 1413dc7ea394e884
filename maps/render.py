"""Render a dataset and its routes as one interactive HTML map (folium/Leaflet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import html

from maps._html import esc
from maps.popups import leg_popup, site_popup
from maps.style import KIND_STYLES, MODE_COLORS, WIDTH_EXAMPLES, line_width
from routes.model import MODES, Dataset, Event, Route, Volume

_CSS = """
<style>
.sr-title {position: absolute; top: 10px; left: 55px; z-index: 1000; background: #fff;
  padding: 6px 12px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  font: 16px/1.3 system-ui, sans-serif; max-width: 60%;}
.sr-legend {position: absolute; bottom: 24px; left: 10px; z-index: 1000; background: #fff;
  padding: 8px 10px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  font: 12px/1.4 system-ui, sans-serif;}
.sr-legend h4 {margin: 4px 0 2px; font-size: 12px;}
.sr-legend .sw {display: inline-block; width: 28px; vertical-align: middle; margin-right: 6px;}
.sr-legend .dot {display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin: 0 9px 0 9px; vertical-align: middle;}
.sr-legend .sr-attr {max-width: 220px; margin: 6px 0 0; font-size: 10px; color: #555;}
.sr-popup {font: 12px/1.4 system-ui, sans-serif;}
.sr-popup th {text-align: left; padding-right: 8px; vertical-align: top;}
.sr-popup ol, .sr-popup ul {padding-left: 18px; margin: 4px 0;}
</style>
"""


@dataclass(frozen=True, slots=True)
class MapDocument:
    """A rendered map: a complete HTML document.

    Parameters
    ----------
    html
        The document.
    title
        Its title.
    """

    html: str
    title: str

    def _repr_html_(self) -> str:
        """Show the map inside a Jupyter notebook, isolated in an iframe."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:520px;border:none" '
            f'title="{html.escape(self.title, quote=True)}"></iframe>'
        )


ATTRIBUTION = (
    "Rail network &copy; OpenStreetMap contributors (ODbL), via scgraph-data; "
    "sea lanes: searoute (Marnet); coastlines and borders: Natural Earth"
)


def _legend(dataset: Dataset, routes: Mapping[str, Route]) -> str:
    modes = [m for m in MODES if any(leg.mode == m for leg in dataset.legs)]
    kinds = [k for k in KIND_STYLES if any(s.kind == k for s in dataset.sites.values())]
    lines = ["<div class='sr-legend'><h4>Legs by mode</h4>"]
    for mode in modes:
        lines.append(
            f"<div><span class='sw' style='border-top:4px solid {MODE_COLORS[mode]}'></span>"
            f"{esc(mode)}</div>"
        )
    lines.append("<h4>Line width: volume</h4>")
    for value in WIDTH_EXAMPLES:
        width = line_width(Volume(value))
        lines.append(
            f"<div><span class='sw' style='border-top:{width:.0f}px solid #555'></span>"
            f"{value:,}</div>"
        )
    lines.append(
        f"<div><span class='sw' style='border-top:{line_width(None):.0f}px solid #555'>"
        "</span>not stated</div><h4>Sites</h4>"
    )
    for kind in kinds:
        color, _radius = KIND_STYLES[kind]
        lines.append(
            f"<div><span class='dot' style='background:{color}'></span>"
            f"{esc(kind.replace('_', ' '))}</div>"
        )
    if any(r.connectors for r in routes.values()):
        lines.append(
            "<h4>Links</h4><div><span class='sw' style='border-top:2px dashed #555'></span>"
            "site far from the network</div>"
        )
    lines.append(f"<p class='sr-attr'>{ATTRIBUTION}</p></div>")
    return "".join(lines)


def render_map(
    dataset: Dataset, routes: Mapping[str, Route], *, title: str | None = None
) -> MapDocument:
    """Render a dataset as an interactive map.

    Every site is a circle marker styled by kind and labelled with its name;
    every leg is a line along its route, coloured by mode, as wide as its
    volume, with a popup of its dates, volume, carrier, route and sources;
    links between a site and a distant network are dashed.
    Legs are grouped in one layer per mode, sites in their own layer.

    Parameters
    ----------
    dataset
        The dataset.
    routes
        The route of each leg, by leg id; every leg must have one.
    title
        Map title; the dataset's title by default.

    Returns
    -------
    MapDocument

    Raises
    ------
    KeyError
        If a leg has no route.
    """
    from branca.element import Figure
    import folium

    shown_title = title or dataset.title
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True)
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(folium.Element(_CSS))
    root.header.add_child(folium.Element(f"<title>{esc(shown_title)}</title>"))
    root.html.add_child(folium.Element(f"<div class='sr-title'>{esc(shown_title)}</div>"))

    for mode in MODES:
        mode_legs = [leg for leg in dataset.legs if leg.mode == mode]
        if not mode_legs:
            continue
        layer = folium.FeatureGroup(name=f"{mode.capitalize()} legs ({len(mode_legs)})")
        for leg in mode_legs:
            route = routes[leg.id]
            ends = f"{dataset.sites[leg.origin].name} → {dataset.sites[leg.destination].name}"
            folium.PolyLine(
                [list(p) for p in route.points],
                color=MODE_COLORS[mode],
                weight=line_width(leg.volume),
                opacity=0.85,
                popup=folium.Popup(leg_popup(leg, route, dataset), max_width=420),
                tooltip=folium.Tooltip(esc(ends)),
            ).add_to(layer)
            for connector in route.connectors:
                folium.PolyLine(
                    [list(p) for p in connector], color=MODE_COLORS[mode], weight=2,
                    opacity=0.85, dash_array="6 6",
                    tooltip=folium.Tooltip(esc(f"{ends}: link to the network (not on it)")),
                ).add_to(layer)
        layer.add_to(fmap)

    events_at: dict[str, list[Event]] = {}
    for event in sorted(dataset.events, key=lambda e: e.date.first):
        events_at.setdefault(event.site, []).append(event)
    sites_layer = folium.FeatureGroup(name=f"Sites ({len(dataset.sites)})")
    for site in dataset.sites.values():
        color, radius = KIND_STYLES[site.kind]
        folium.CircleMarker(
            [site.lat, site.lon],
            radius=radius,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=color,
            fill_opacity=0.95,
            popup=folium.Popup(site_popup(site, events_at.get(site.id, []), dataset),
                               max_width=420),
            tooltip=folium.Tooltip(esc(site.name), permanent=True, direction="right"),
        ).add_to(sites_layer)
    sites_layer.add_to(fmap)

    root.html.add_child(folium.Element(_legend(dataset, routes)))
    folium.LayerControl(collapsed=False).add_to(fmap)
    points = [(s.lat, s.lon) for s in dataset.sites.values()]
    points += [p for r in routes.values() for p in r.points]
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))
    return MapDocument(root.render(), shown_title)
