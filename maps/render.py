"""Render a routed dataset as one self-contained HTML map (Leaflet, inlined).

The page makes no network request when opened: Leaflet, its CSS (images as
data URIs), the map runtime, an offline Natural Earth basemap and the data
are all inline. Online tile layers are offered in the layer switch and are
fetched only when the reader picks one; they draw over the offline basemap,
which shows wherever a tile fails. With ``embed=True`` the result is a
fragment (one root element, its styles and scripts) for pasting into another
page: every CSS rule is scoped to the root, and ids are unique per render.
The same document renders three ways (:meth:`MapDocument.page`): interactive,
``static`` (a clean picture for slides) and ``print`` (a page layout for PDF).
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

from shiproute.files import Output, marked, write_outputs
from shiproute.maps import panels
from shiproute.maps._encode import extent
from shiproute.maps._html import esc
from shiproute.maps.basemap import basemap
from shiproute.maps.chart import estimates_chart
from shiproute.maps.payload import build_payload, script_json
from shiproute.maps.tiles import OFFLINE, OFFLINE_LABEL, TILE_CHOICES, TILES
from shiproute.routes.routed import RoutedDataset

if TYPE_CHECKING:
    import folium

ATTRIBUTION = panels.CREDITS
GENERATOR = "shiproute"
_MARK = re.compile(
    rb"\A(?:<!DOCTYPE html>\n<html [^<>]*><head>(?:<meta [^<>]*>)*"
    rb"<meta name='generator' content='" + GENERATOR.encode() + rb"'>"
    rb"|<div class='sr-root' id='sr-[0-9a-f]+' data-generator='" + GENERATOR.encode() + rb"')")
MODES = ("interactive", "static", "print")
"""How a page is shown: to explore, as a clean picture (PNG), as a print layout (PDF)."""
PAPERS = {"a4": ("210mm", "297mm"), "letter": ("8.5in", "11in")}
"""Paper sizes for print layouts, portrait (width, height)."""
PRINT_MARGIN_MM = 12.0
DEFAULT_HEIGHT = "560px"
PAGE_END = "</body></html>\n"
"""What closes a whole page after the map's fragment."""
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
    pieces
        The map as one root element with its styles and scripts, in pieces:
        the data of a big map is over 100 MB, and is never one string unless
        :attr:`fragment` is asked for.
    title
        The map's title.
    root_id
        Id of the map's root element, unique per render.
    embedded
        Whether :attr:`html` is the fragment (for another page) or a whole document.
    height
        CSS height of the map when embedded or shown in a notebook.
    routed
        The routed dataset the map shows, for :meth:`to_folium`.
    """

    pieces: tuple[str, ...]
    title: str
    root_id: str
    embedded: bool = False
    height: str = DEFAULT_HEIGHT
    routed: RoutedDataset | None = field(default=None, repr=False, compare=False)

    @property
    def fragment(self) -> str:
        """The map as one root element with its styles and scripts, one string."""
        return "".join(self.pieces)

    @property
    def html(self) -> str:
        """The HTML to write: the fragment (:attr:`height` tall) or a whole document."""
        return self.fragment if self.embedded else self.page()

    def page(self, mode: str = "interactive", *, paper: str = "a4",
             landscape: bool = False) -> str:
        """Return the map as a complete HTML document.

        Parameters
        ----------
        mode
            ``"interactive"``; ``"static"``, a clean picture for slides (no
            buttons, sliders or checkboxes; legend open; date window and a
            sources line burned in); or ``"print"``, a page layout with the
            map, the legend and every source cited in full.
        paper
            For ``"print"``: ``"a4"`` or ``"letter"``.
        landscape
            For ``"print"``: turn the paper.

        Returns
        -------
        str

        Raises
        ------
        ValueError
            If ``mode`` or ``paper`` is unknown.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        if paper not in PAPERS:
            raise ValueError(f"unknown paper {paper!r}; use one of {', '.join(PAPERS)}")
        width, height = PAPERS[paper][::-1] if landscape else PAPERS[paper]
        print_css = ""
        if mode == "print":
            content_w = millimetres(width) - 2 * PRINT_MARGIN_MM
            content_h = millimetres(height) - 2 * PRINT_MARGIN_MM
            # portrait: the map, then legend and claims under it; landscape: them beside it
            map_h = content_h * 0.62 if landscape else min(content_h * 0.46, content_w * 0.8)
            print_css = (f"@page {{size: {width} {height}; margin: {PRINT_MARGIN_MM:g}mm;}} "
                         f"html {{--sr-print-map: {map_h:.0f}mm;}}")
        head = _page_head(self.title, mode, print_css,
                          "landscape" if landscape and mode == "print" else "portrait")
        return f"{head}{self.fragment}{PAGE_END}"

    def write_html(self, path: Path) -> None:
        """Write :attr:`html` to ``path`` as UTF-8, piece by piece.

        A map of 100,000 legs is over 100 MB of text; writing its
        :attr:`pieces` spares the copies that joining the whole page and
        encoding it at once would hold in memory. Writes in place, with no
        policy checks: :meth:`save` is the safe way to write a map.
        """
        with path.open("w", encoding="utf-8", newline="") as handle:
            if not self.embedded:
                handle.write(_page_head(self.title, "interactive"))
            handle.writelines(self.pieces)
            if not self.embedded:
                handle.write(PAGE_END)

    def save(self, path: str | Path, *, force: bool = False) -> Path:
        """Write :attr:`html` to ``path`` (UTF-8), replacing it in one step.

        An existing file is replaced only if it is a map shiproute wrote
        (:func:`is_map`), or with ``force``; see :mod:`shiproute.files` for
        the whole policy (symbolic links, read-only files, devices).

        Parameters
        ----------
        path
            The HTML file to write.
        force
            Replace a file that is not a shiproute map, or a symbolic link
            (the link itself; what it points to is left alone).

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        shiproute.files.OutputError
            (an :class:`OSError`) If the target is refused or the directory is
            missing or not writable; nothing is written.
        """
        target = Path(path)
        write_outputs([(Output(target, FOREIGN_MAP), self.write_html)], force=force)
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
        """Show the map inside a Jupyter notebook, isolated in an iframe :attr:`height` tall."""
        return (
            f'<iframe srcdoc="{html.escape(self.page(), quote=True)}" '
            f'style="width:100%;height:{html.escape(self.height, quote=True)};border:none" '
            f'title="{html.escape(self.title, quote=True)}"></iframe>'
        )


def is_map(head: bytes) -> bool:
    """Whether a file that starts with ``head`` is a map shiproute wrote.

    The mark is where shiproute puts it, not just anywhere: a whole page
    starts with the doctype and has ``<meta name='generator'
    content='shiproute'>`` among the first tags of its head; an ``--embed``
    fragment starts with its root element and ``data-generator='shiproute'``.
    A page that merely mentions shiproute is not a shiproute map.

    Parameters
    ----------
    head
        The file's first bytes (a few kilobytes are enough).

    Returns
    -------
    bool
    """
    return _MARK.match(head) is not None


FOREIGN_MAP = marked("map", is_map)
"""The :class:`shiproute.files.Output` test of an HTML map."""


def css_length(height: int | str | None) -> str:
    """Return a CSS length for ``height`` (pixels when a number), refusing anything else.

    Parameters
    ----------
    height
        Pixels, a CSS length (``"560px"``, ``"70vh"``), or ``None`` for the default.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``height`` is not a plain length (no expressions, no other properties).
    """
    if height is None:
        return DEFAULT_HEIGHT
    text = f"{height}px" if isinstance(height, int) else str(height).strip()
    if not re.fullmatch(r"\d+(\.\d+)?(px|vh|em|rem|%)", text):
        raise ValueError(f"height {height!r} is not a CSS length such as 560 or '70vh'")
    return text


def render_map(
    routed: RoutedDataset,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    banner: str | None = None,
    tiles: str = OFFLINE,
    embed: bool = False,
    height: int | str | None = None,
) -> MapDocument:
    """Render a routed dataset as an interactive, self-contained map.

    Every site is a circle marker styled by kind, labelled where its label
    fits; every distinct route is one line coloured by mode, as wide as the
    volume (per unit) of the legs shown on it, dashed when its dates are
    known only to a month, a year or a span, pale when no volume is stated,
    with a direction arrow and a popup of its legs (dates with their
    precision, volume, carrier, citations) and of the route (distance,
    source, rule, flags). The offline basemap covers the world with country,
    sea and city names. A time window with a play button, filters by mode,
    source and carrier, a legend, a chart of the volume claims, one-click
    views of distant clusters and an inset of the densest, a scale bar, a
    fullscreen button, an optional marking banner, and a footer with the
    sources and data credits complete it. Panels start collapsed when the map
    is narrow or embedded, and the first view fits the data into the part of
    the map no panel covers.

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
    height
        Height of an embedded map and of the notebook frame: pixels, or a
        CSS length such as ``"70vh"``; default 560 px.

    Returns
    -------
    MapDocument

    Raises
    ------
    ValueError
        If ``tiles`` is not one of :data:`~shiproute.maps.tiles.TILE_CHOICES`,
        or ``height`` is not a length.
    """
    if tiles not in TILE_CHOICES:
        raise ValueError(f"unknown tiles {tiles!r}; use one of {', '.join(TILE_CHOICES)}")
    css_height = css_length(height)
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
    payload["attribution"] = panels.SHORT_CREDITS
    marking = f"<div class='sr-banner'>{esc(banner)}</div>" if banner else ""
    time_bar = ""
    if payload["days"]:
        time_bar = (
            "<div class='sr-time'><button type='button' class='sr-play'>&#9654; Play</button>"
            "<input type='range' class='sr-start' aria-label='window start'>"
            "<input type='range' class='sr-end' aria-label='window end'>"
            "<span class='sr-window'></span><span class='sr-count'></span></div>"
        )
    units = [(u["name"], u["top"]) for u in payload["units"]]
    subtitle_html = (f"<p class='sr-subtitle'><span class='sr-subtitle-text'>"
                     f"{esc(shown_subtitle)}</span><button type='button' class='sr-more' "
                     "hidden>more</button></p>") if shown_subtitle else ""
    head = (
        f"<div class='sr-root' id='{root_id}' data-generator='{GENERATOR}' "
        f"data-embedded='{int(embed)}' style='--sr-height:{css_height}'>{marking}"
        f"<header class='sr-head'><div class='sr-titles'><h1 class='sr-title'>"
        f"{esc(shown_title)}</h1>{subtitle_html}</div>"
        "<button type='button' class='sr-fullscreen' title='Fullscreen' aria-label='Fullscreen'>"
        "<svg width='14' height='14' viewBox='0 0 14 14' aria-hidden='true'><path d='M1 5V1h4M9 "
        "1h4v4M13 9v4H9M5 13H1V9' fill='none' stroke='currentColor' stroke-width='1.6'/></svg>"
        "</button></header>"
        "<div class='sr-body'><div class='sr-map'></div>"
        f"{panels.legend(routed, units)}{panels.filters(dataset, payload['strings'])}"
        f"{panels.claims(estimates_chart(dataset, f'{root_id}-chart'))}</div>"
        f"{time_bar}{panels.footer(dataset)}{panels.static_footer(dataset)}{marking}</div>"
        f"<style>{_scoped_leaflet_css()}\n{_asset('shiproute.css')}</style>"
        f"<script>{_leaflet_js()}</script>"
        f"<script>{_asset('shiproute.js')}</script>"
        f"<script type='application/json' id='{root_id}-data'>"
    )
    tail = f"</script><script>ShipRoute.mount('{root_id}');</script>"
    return MapDocument((head, *script_json(payload), tail), shown_title, root_id,
                       embedded=embed, height=css_height, routed=routed)


def _bounds(routed: RoutedDataset) -> tuple[float, float, float, float]:
    """Return (south, west, north, east) of the sites and of each distinct route."""
    sites = [(s.lat, s.lon) for s in routed.dataset.sites.values()]
    found = extent([*(route.points for route in routed.geometries), sites])
    if found is None:
        return (-60.0, -180.0, 80.0, 180.0)
    (south, west), (north, east) = found
    return (south, west, north, east)


def millimetres(length: str) -> float:
    """Return a paper length such as ``"210mm"`` or ``"8.5in"`` in millimetres."""
    return float(length[:-2]) * (25.4 if length.endswith("in") else 1.0)


def _page_head(title: str, mode: str, print_css: str = "", orientation: str = "portrait"
               ) -> str:
    """Return a whole page's HTML up to its body's content; :data:`PAGE_END` closes it."""
    return (
        f"<!DOCTYPE html>\n<html lang='en' class='sr-page' data-sr-mode='{mode}' "
        f"data-sr-orientation='{orientation}'><head>"
        "<meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='{GENERATOR}'>"
        f"<title>{esc(title)}</title>"
        f"<style>html, body {{height: 100%; margin: 0;}} {print_css}</style></head>"
        "<body>"
    )
