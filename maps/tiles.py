"""The base layers a map offers: the offline basemap and optional online tiles.

Only ``offline`` works without a network; the others are fetched only when a
reader picks them, and the page's Content-Security-Policy allows exactly
their hosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

OFFLINE = "offline"
OSM = "&copy; OpenStreetMap contributors"


@dataclass(frozen=True, slots=True)
class TileLayer:
    """An online tile layer.

    Parameters
    ----------
    label
        Name in the layer switch.
    url
        Leaflet URL template.
    attribution
        Credit line (HTML, written by us).
    subdomains
        Leaflet ``{s}`` values, if the URL uses them.
    """

    label: str
    url: str
    attribution: str
    subdomains: str = ""

    @property
    def origin(self) -> str:
        """The ``scheme://host`` the tiles come from, for the CSP (``{s}`` as ``*``)."""
        parts = urlsplit(self.url.replace("{s}", "x"))
        host = parts.netloc
        if "{s}" in self.url:
            host = "*." + host.split(".", 1)[1]
        return f"{parts.scheme}://{host}"


OFFLINE_LABEL = "Offline (Natural Earth)"
TILES = {
    "osm": TileLayer("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", OSM),
    "carto-light": TileLayer(
        "CARTO light", "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        f"{OSM} &copy; CARTO", "abcd"),
    "carto-dark": TileLayer(
        "CARTO dark", "https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png",
        f"{OSM} &copy; CARTO", "abcd"),
    "esri-imagery": TileLayer(
        "Esri imagery",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/"
        "{z}/{y}/{x}",
        "Tiles &copy; Esri; sources: Esri, Maxar, Earthstar Geographics, GIS User Community"),
}
"""Online tile layers by option name (``--tiles``)."""
TILE_CHOICES = (OFFLINE, *TILES)
