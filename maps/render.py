"""Render a routed dataset as one self-contained HTML map (Leaflet, inlined).

The page makes no network request when opened: Leaflet, its CSS (images as
data URIs), the map runtime, an offline Natural Earth basemap and the data
are all inline. Online tile layers are offered in the layer switch and are
fetched only when the reader picks one. With ``embed=True`` the result is a
fragment (one root element, its styles and scripts) for pasting into another
page: every CSS rule is scoped to the root, and ids are unique per render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import functools
import html
from importlib.resources import files
from pathlib import Path
import re
import secrets
from typing import TYPE_CHECKING

from shiproute.maps._html import esc
from shiproute.maps.basemap import basemap
from shiproute.maps.chart import estimates_chart
from shiproute.maps.citations import citation
from shiproute.maps.payload import build_payload, to_script_json
from shiproute.maps.style import KIND_STYLES, MODE_COLORS, WIDTH_EXAMPLES, WIDTHS
from shiproute.maps.tiles import OFFLINE, OFFLINE_LABEL, TILE_CHOICES, TILES
from shiproute.routes.model import MODES, Dataset
from shiproute.routes.routed import RoutedDataset

if TYPE_CHECKING:
    import folium

ATTRIBUTION = (
    'Rail network &copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
    "contributors (ODbL), via scgraph-data; sea lanes: searoute (Marnet); "
    "land and borders: Natural Earth"
)
GENERATOR = "shiproute"
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: " + " ".join(sorted({layer.origin for layer in TILES.values()}))
)


@functools.cache
def _asset(name: str) -> str:
    return files("shiproute.maps").joinpath("assets", name).read_text(encoding="utf-8")


@functools.cache
def _leaflet_js() -> str:
    code = _asset("leaflet.js").replace("//# sourceMappingURL=leaflet.js.map", "")
    return f'if (!(window.L && window.L.version === "1.9.4")) {{\n{code}\n}}'


def scope_css(css: str, scope: str) -> str:
    """Prefix every selector of a stylesheet with ``scope``, inside ``@media`` blocks too.

    Parameters
    ----------
    css
        A stylesheet (plain rules and ``@media`` blocks, as Leaflet's).
    scope
        Selector to prefix, e.g. ``".sr-root"``.

    Returns
    -------
    str
        The scoped stylesheet, comments removed.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out: list[str] = []
    stack: list[str] = []
    position = 0
    for brace in re.finditer(r"[{}]", css):
        text = css[position:brace.start()]
        if brace.group() == "{":
            head = text.strip()
            if head.startswith("@") or (stack and stack[-1] == "rule"):
                out.append(text)
                stack.append("at" if head.startswith("@") else "rule")
            else:
                out.append(", ".join(f"{scope} {sel.strip()}" for sel in head.split(",")))
                stack.append("rule")
        else:
            out.append(text)
            if stack:
                stack.pop()
        out.append(brace.group())
        position = brace.end()
    out.append(css[position:])
    return "".join(out)


@functools.cache
def _scoped_leaflet_css() -> str:
    return scope_css(_asset("leaflet.css"), ".sr-root")


@dataclass(frozen=True, slots=True)
class MapDocument:
    """A rendered map.

    Parameters
    ----------
    html
        A complete HTML document, or a fragment when ``embedded``.
    title
        The map's title.
    root_id
        Id of the map's root element, unique per render.
    embedded
        Whether ``html`` is a fragment for another page.
    routed
        The routed dataset the map shows, for :meth:`to_folium`.
    """

    html: str
    title: str
    root_id: str
    embedded: bool = False
    routed: RoutedDataset | None = field(default=None, repr=False, compare=False)

    def page(self) -> str:
        """Return the map as a complete HTML document (a fragment gets wrapped in one)."""
        return _page(self.html, self.title) if self.embedded else self.html

    def save(self, path: str | Path) -> Path:
        """Write the map to ``path`` (UTF-8), replacing it in one step.

        Parameters
        ----------
        path
            The HTML file to write.

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        OSError
            If the directory is missing or not writable; nothing is written.
        """
        from shiproute.files import write_atomic

        target = Path(path)
        write_atomic(target, self.html.encode("utf-8"))
        return target

    def to_folium(self) -> folium.Map:
        """Return the same legs and sites as a :class:`folium.Map`.

        See :func:`shiproute.maps.folium_map.to_folium`.

        Raises
        ------
        ValueError
            If the document was made without its routed dataset.
        """
        if self.routed is None:
            raise ValueError("this MapDocument does not hold its routed dataset")
        from shiproute.maps.folium_map import to_folium

        return to_folium(self.routed, title=self.title)

    def _repr_html_(self) -> str:
        """Show the map inside a Jupyter notebook, isolated in an iframe."""
        return (
            f'<iframe srcdoc="{html.escape(self.page(), quote=True)}" '
            'style="width:100%;height:560px;border:none" '
            f'title="{html.escape(self.title, quote=True)}"></iframe>'
        )


def _legend(routed: RoutedDataset) -> str:
    dataset = routed.dataset
    modes = [m for m in MODES if any(leg.mode == m for leg in dataset.legs)]
    kinds = [k for k in KIND_STYLES if any(s.kind == k for s in dataset.sites.values())]
    out = ["<div class='sr-panel sr-legend'><h4>Legs by mode</h4>"]
    out += [f"<div><span class='sw' style='border-top:4px solid {MODE_COLORS[m]}'></span>"
            f"{esc(m)}</div>" for m in modes]
    out.append("<h4>Line width: volume</h4>")
    for value in WIDTH_EXAMPLES:
        width = WIDTHS.width(value)
        out.append(f"<div><span class='sw' style='border-top:{width:.0f}px solid #555'></span>"
                   f"{value:,}</div>")
    out.append(f"<div><span class='sw' style='border-top:{WIDTHS.unknown:.0f}px solid #555'>"
               "</span>not stated</div>")
    if any(r.connectors for r in routed.geometries):
        out.append("<div><span class='sw' style='border-top:2px dashed #555'></span>"
                   "link to a distant network</div>")
    out.append("<h4>Sites</h4>")
    out += [f"<div><span class='dot' style='background:{KIND_STYLES[k][0]}'></span>"
            f"{esc(k.replace('_', ' '))}</div>" for k in kinds]
    out.append("</div>")
    return "".join(out)


def _filters(dataset: Dataset, strings: list[str]) -> str:
    out = ["<div class='sr-panel sr-filters'><h4>Modes</h4>"]
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
    out.append("</div>")
    return "".join(out)


def _footer(dataset: Dataset) -> str:
    items = "".join(citation(source) for source in dataset.sources.values())
    return (f"<div class='sr-foot'><b>Sources</b><ol>{items}</ol>"
            f"<div>Data: {ATTRIBUTION}. Map: Leaflet.</div></div>")


def render_map(
    routed: RoutedDataset,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    banner: str | None = None,
    tiles: str = OFFLINE,
    embed: bool = False,
) -> MapDocument:
    """Render a routed dataset as an interactive, self-contained map.

    Every site is a circle marker styled by kind and labelled; every distinct
    route is one line coloured by mode, as wide as the volume of the legs
    shown on it, with a direction arrow and a popup of its legs (dates with
    their precision, volume, carrier, citations) and of the route (distance,
    source, rule, flags). A time slider with a play button, filters by mode,
    source and carrier, a legend, a chart of the volume claims, a scale bar,
    a fullscreen button, an optional marking banner, and a footer with the
    sources and data attribution complete it.

    Parameters
    ----------
    routed
        The routed dataset.
    title, subtitle
        Shown above the map; default the dataset's title and description.
    banner
        Marking line shown at the top and bottom (classification, handling).
    tiles
        Default base layer: ``"offline"`` (Natural Earth, no network) or the
        name of an online tile layer in :data:`~shiproute.maps.tiles.TILES`.
    embed
        Return a fragment for another page instead of a whole document.

    Returns
    -------
    MapDocument

    Raises
    ------
    ValueError
        If ``tiles`` is not one of :data:`~shiproute.maps.tiles.TILE_CHOICES`.
    """
    if tiles not in TILE_CHOICES:
        raise ValueError(f"unknown tiles {tiles!r}; use one of {', '.join(TILE_CHOICES)}")
    dataset = routed.dataset
    shown_title = title or dataset.title
    shown_subtitle = subtitle if subtitle is not None else (dataset.description or "")
    root_id = f"sr-{secrets.token_hex(4)}"
    payload = build_payload(routed)
    payload["basemap"] = basemap(_bounds(routed))
    payload["tiles"] = {
        "offline": OFFLINE_LABEL,
        "default": OFFLINE_LABEL if tiles == OFFLINE else TILES[tiles].label,
        "online": [{"label": layer.label, "url": layer.url, "attribution": layer.attribution,
                    "subdomains": layer.subdomains} for layer in TILES.values()],
    }
    payload["attribution"] = ATTRIBUTION
    marking = f"<div class='sr-banner'>{esc(banner)}</div>" if banner else ""
    time_bar = ""
    if payload["days"]:
        time_bar = (
            "<div class='sr-time'><button type='button' class='sr-play'>&#9654; Play</button>"
            "<input type='range' class='sr-start' aria-label='window start'>"
            "<input type='range' class='sr-end' aria-label='window end'>"
            "<span class='sr-window'></span><span class='sr-count'></span></div>"
        )
    chart = estimates_chart(dataset, f"{root_id}-chart")
    estimates = (f"<div class='sr-panel sr-estimates'><h4>Volume claims</h4>{chart}</div>"
                 if chart else "")
    fragment = (
        f"<div class='sr-root' id='{root_id}' data-generator='{GENERATOR}'>{marking}"
        f"<div class='sr-head'><h1 class='sr-title'>{esc(shown_title)}</h1>"
        f"<p class='sr-subtitle'>{esc(shown_subtitle)}</p>"
        "<button type='button' class='sr-fullscreen'>Fullscreen</button></div>"
        f"<div class='sr-body'><div class='sr-map'></div>{_legend(routed)}"
        f"{_filters(dataset, payload['strings'])}{estimates}</div>"
        f"{time_bar}{_footer(dataset)}{marking}</div>"
        f"<style>{_scoped_leaflet_css()}\n{_asset('shiproute.css')}</style>"
        f"<script>{_leaflet_js()}</script>"
        f"<script>{_asset('shiproute.js')}</script>"
        f"<script type='application/json' id='{root_id}-data'>{to_script_json(payload)}</script>"
        f"<script>ShipRoute.mount('{root_id}');</script>"
    )
    html_text = fragment if embed else _page(fragment, shown_title)
    return MapDocument(html_text, shown_title, root_id, embedded=embed, routed=routed)


def _bounds(routed: RoutedDataset) -> tuple[float, float, float, float]:
    """Return (south, west, north, east) of the sites and of each distinct route."""
    import numpy as np

    chunks = [np.asarray(route.points, dtype=float) for route in routed.geometries]
    chunks.append(np.asarray([(s.lat, s.lon) for s in routed.dataset.sites.values()],
                             dtype=float))
    chunks = [c.reshape(-1, 2) for c in chunks if len(c)]
    if not chunks:
        return (-60.0, -180.0, 80.0, 180.0)
    low = np.min([c.min(axis=0) for c in chunks], axis=0)
    high = np.max([c.max(axis=0) for c in chunks], axis=0)
    return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))


def _page(fragment: str, title: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='{GENERATOR}'>"
        f"<title>{esc(title)}</title>"
        "<style>html, body {height: 100%; margin: 0;}</style></head>"
        f"<body>{fragment}</body></html>\n"
    )
