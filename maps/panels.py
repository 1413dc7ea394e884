"""The HTML of the map's panels (legend, filters, claims) and of its footer; all text escaped.

Each panel is a ``<section class="sr-panel">`` with a toggle button and a
body; the page runtime moves it into a corner of the map and opens or
collapses it by the room there is.
"""

from __future__ import annotations

from shiproute.maps._html import esc
from shiproute.maps.citations import citation
from shiproute.maps.style import KIND_STYLES, MODE_COLORS, WIDTHS
from shiproute.routes.model import MODES, Dataset
from shiproute.routes.routed import RoutedDataset

CREDITS = (
    'Rail network &copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
    "contributors (ODbL), via scgraph-data; lakes &copy; OpenStreetMap contributors (ODbL), "
    "via geo-maps; sea lanes: searoute (Marnet); land, borders and country names: Natural "
    'Earth; city names: <a href="https://www.geonames.org">GeoNames</a> (CC BY 4.0)'
)
"""Full data credits, for the footer."""
SHORT_CREDITS = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors, '
    "Natural Earth, GeoNames"
)
"""Credits for the map's attribution line."""
MAX_LEGEND_UNITS = 4


def panel(name: str, title: str, corner: str, body: str) -> str:
    """Return a collapsible panel for a corner of the map.

    Parameters
    ----------
    name
        Its role, e.g. ``"legend"``; also its CSS class ``sr-<name>``.
    title
        The toggle button's text (escaped here).
    corner
        ``"topleft"``, ``"topright"``, ``"bottomleft"`` or ``"bottomright"``.
    body
        The panel's HTML, already escaped.

    Returns
    -------
    str
    """
    return (f"<section class='sr-panel sr-{name}' data-panel='{name}' data-corner='{corner}'>"
            f"<button type='button' class='sr-toggle' aria-expanded='true'>{esc(title)}</button>"
            f"<div class='sr-panel-body'>{body}</div></section>")


def _swatch(color: str = "#555", width: float = 3.0, dash: str = "", opacity: float = 1.0
            ) -> str:
    """Return a short line drawn as the map draws a leg, for the legend."""
    extra = (f" stroke-dasharray='{dash}' stroke-linecap='round'" if dash else "") + \
        (f" stroke-opacity='{opacity}'" if opacity < 1 else "")
    return (f"<svg class='sw' width='30' height='12' aria-hidden='true'><line x1='1' y1='6' "
            f"x2='29' y2='6' stroke='{color}' stroke-width='{width:.1f}'{extra}/></svg>")


def legend(routed: RoutedDataset, units: list[tuple[str, float]]) -> str:
    """Return the legend panel: modes, how uncertainty is drawn, widths per unit, site kinds.

    Parameters
    ----------
    routed
        The routed dataset.
    units
        (unit, largest volume on one line) for each unit stated, in order.

    Returns
    -------
    str
    """
    dataset = routed.dataset
    modes = [m for m in MODES if any(leg.mode == m for leg in dataset.legs)]
    kinds = [k for k in KIND_STYLES if any(s.kind == k for s in dataset.sites.values())]
    out = ["<div class='sr-legend-group'>"]
    out += [f"<div>{_swatch(MODE_COLORS[m], 4)}{esc(m)}</div>" for m in modes]
    out.append(f"<div>{_swatch(dash='7 5')}dated only to a month, year or span</div>")
    if any(leg.basis == "inferred" for leg in dataset.legs):
        out.append(f"<div>{_swatch(dash='0.1 6')}inferred, not stated by a source</div>")
    out.append(f"<div>{_swatch(opacity=0.55)}no volume stated</div>")
    if any(r.connectors for r in routed.geometries):
        out.append(f"<div>{_swatch(width=2, dash='2 4')}link to a distant network</div>")
    out.append("</div>")
    if units:
        out.append("<div class='sr-legend-group'><h4>Line width: volume per unit</h4>")
        for unit, top in units[:MAX_LEGEND_UNITS]:
            samples = "".join(
                f"<span class='sr-width'>{_swatch(width=w)}{value:,.0f}</span>"
                for value, w in WIDTHS.samples(top))
            out.append(f"<div class='sr-unit'><b>{esc(unit)}</b> {samples}</div>")
        if len(units) > MAX_LEGEND_UNITS:
            out.append(f"<div>and {len(units) - MAX_LEGEND_UNITS} more units</div>")
        totals = any(leg.volume is not None and leg.volume.scope == "total"
                     for leg in dataset.legs)
        rule = ("Units are never added together, nor totals over a period to shipments."
                if totals else "Units are never added together.")
        out.append(f"<div class='sr-note'>{rule}</div></div>")
    out.append("<div class='sr-legend-group'>")
    out += [f"<div><span class='dot' style='background:{KIND_STYLES[k][0]}'></span>"
            f"{esc(k.replace('_', ' '))}</div>" for k in kinds]
    out.append("</div>")
    return panel("legend", "Legend", "bottomleft", "".join(out))


def filters(dataset: Dataset, strings: list[str]) -> str:
    """Return the filters panel: checkboxes by mode, source and carrier.

    Parameters
    ----------
    dataset
        The dataset.
    strings
        The page data's string table (carriers are filtered by their index in it).

    Returns
    -------
    str
    """
    out = ["<h4>Modes</h4>"]
    for index, mode in enumerate(MODES):
        if any(leg.mode == mode for leg in dataset.legs):
            out.append(f"<label><input type='checkbox' data-filter='modes' value='{index}' "
                       f"checked> {esc(mode)}</label>")
    out.append("<h4>Sources</h4>")
    for index, source in enumerate(dataset.sources.values()):
        out.append(f"<label title='{esc(source.title)}'><input type='checkbox' "
                   f"data-filter='sources' value='{index}' checked> {esc(source.id)}</label>")
    carriers = sorted({leg.carrier for leg in dataset.legs if leg.carrier})
    out.append("<h4>Carriers</h4>")
    index_of = {text: i for i, text in enumerate(strings)}
    for carrier in carriers:
        out.append(f"<label><input type='checkbox' data-filter='carriers' "
                   f"value='{index_of[carrier]}' checked> {esc(carrier)}</label>")
    if any(not leg.carrier for leg in dataset.legs):
        out.append("<label><input type='checkbox' data-filter='carriers' value='-1' checked> "
                   "(not stated)</label>")
    return panel("filters", "Filters", "topright", "".join(out))


def claims(chart: str) -> str:
    """Return the claims panel around an SVG chart (``""`` when there is no chart)."""
    return panel("claims", "Volume claims", "bottomright", chart) if chart else ""


def place_credits(dataset: Dataset) -> list[str]:
    """Return a credit per reference layer the dataset's sites come from (none: ``[]``)."""
    from shiproute.gazetteer.reference import LAYERS, layer_of

    used = dict.fromkeys(layer_of(s) for s in dataset.sites if layer_of(s))
    return [f"{LAYERS[layer].source} ({LAYERS[layer].licence})" for layer in used]


def footer(dataset: Dataset) -> str:
    """Return the footer: the sources with full citations (collapsible) and the data credits.

    Parameters
    ----------
    dataset
        The dataset.

    Returns
    -------
    str
    """
    items = "".join(citation(source) for source in dataset.sources.values())
    count = len(dataset.sources)
    return (f"<footer class='sr-foot'><details class='sr-sources'><summary>Sources ({count}) "
            f"and data credits</summary><ol>{items}</ol>"
            f"<div class='sr-credits'>Data: {CREDITS}{_places_line(dataset)}. Map: Leaflet."
            "</div></details></footer>")


def _places_line(dataset: Dataset) -> str:
    credits = place_credits(dataset)
    return f"; places no gazetteer has: {esc(', '.join(credits))}" if credits else ""


def static_footer(dataset: Dataset) -> str:
    """Return the one line burned into a PNG: who the sources are, and the data credits."""
    cited = []
    for source in dataset.sources.values():
        who = source.publisher or source.title
        cited.append(f"{who}, {source.date.label()}" if source.date else who)
    text = "; ".join(dict.fromkeys(cited))
    return (f"<div class='sr-static-foot'><b>Sources:</b> {esc(text)}. "
            f"<b>Data:</b> {SHORT_CREDITS}{_places_line(dataset)}.</div>")
