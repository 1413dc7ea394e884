"""The HTML map: one line per leg, one marker per site, popups with sources."""

from __future__ import annotations

from collections.abc import Callable
import math
from pathlib import Path
import re

import pytest

from gazetteer.resolve import Gazetteer
from maps.render import MapDocument, render_map
from routes.geodesic import geodesic_route
from routes.load import bundled_dataset_path, read_dataset
from routes.model import Dataset


def _render(dataset: Dataset, title: str | None = None) -> MapDocument:
    routes = {leg.id: geodesic_route(leg, dataset.sites) for leg in dataset.legs}
    return render_map(dataset, routes, title=title)


@pytest.fixture(scope="module")
def seeds(gazetteer: Gazetteer) -> Dataset:
    return read_dataset(bundled_dataset_path(), gazetteer)


@pytest.fixture(scope="module")
def page(seeds: Dataset) -> str:
    return _render(seeds).html


def test_one_line_per_leg_and_one_marker_per_site(page: str, seeds: Dataset) -> None:
    assert page.count("L.polyline(") == len(seeds.legs) == 4
    assert page.count("L.circleMarker(") == len(seeds.sites) == 9


def test_layers_per_mode_and_legend(page: str) -> None:
    assert "Sea legs (2)" in page and "Rail legs (2)" in page and "Sites (9)" in page
    assert "L.control.layers(" in page
    legend = page[page.index("class='sr-legend'"):]
    assert "Legs by mode" in legend and "Line width: volume" in legend and "10,000" in legend


def test_leg_popup_gives_dates_volume_carrier_and_full_citation(page: str) -> None:
    assert "8-12 Sep 2023" in page
    assert "about 300 containers" in page
    assert "Angara (Russian-flagged cargo ship)" in page
    assert ("US releases satellite images showing signs of North Korea-Russia arms deal, "
            "The Asia Business Daily (Asia Economy), 16 Oct 2023, reliability B") in page


def test_site_popup_lists_its_events(page: str) -> None:
    assert "About 300 twenty-foot containers stacked on the quay" in page


def test_sea_leg_is_drawn_as_a_curved_geodesic_not_two_points(seeds: Dataset) -> None:
    leg = next(leg for leg in seeds.legs if leg.id == "dunay-tikhoretsk-rail")
    route = geodesic_route(leg, seeds.sites)
    (lat1, lon1), (lat2, lon2) = route.points[0], route.points[-1]
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    haversine_km = 6371.0 * math.acos(
        math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    )
    assert route.distance_km == pytest.approx(haversine_km, rel=0.005)
    assert len(route.points) > 100
    assert max(lat for lat, _lon in route.points) > 54.5  # the great circle bulges north


def test_view_fits_the_data(page: str, seeds: Dataset) -> None:
    bounds = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", page)
    assert bounds is not None
    south, west, north, east = (float(g) for g in bounds.groups())
    assert (south, west) == (39.02, 40.045)
    routes = [geodesic_route(leg, seeds.sites) for leg in seeds.legs]
    assert north == pytest.approx(max(lat for r in routes for lat, _ in r.points), abs=1e-6)
    assert east == pytest.approx(132.345)


def test_dataset_text_is_escaped_and_only_http_links_become_links(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("evil.yaml", """
    title: "<script>alert('title')</script>"
    sites:
      evil: {name: "<img src=x onerror=alert(1)>", kind: depot, country: RU, lat: 45, lon: 40,
             note: "${alert(2)} `backtick`"}
    sources:
      s1: {title: "<b>bold</b>", url: "javascript:alert(3)"}
      s2: {title: Good, url: "https://example.org/a?b=1&c=2"}
    legs:
      - {from: Rajin, to: evil, mode: rail, carrier: "</script><script>alert(4)</script>",
         sources: [s1, s2]}
    """)
    page = _render(read_dataset(path, gazetteer)).html
    for raw in ("<script>alert", "<img src=x", "${alert", "javascript:alert(3)\"", "<b>bold",
                "`backtick`"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&#36;{alert(2)}" in page
    assert 'href="javascript:' not in page
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in page


def test_repr_html_embeds_the_document_in_an_isolated_iframe(seeds: Dataset) -> None:
    document = _render(seeds, title="Custom")
    shown = document._repr_html_()
    assert shown.startswith('<iframe srcdoc="') and 'title="Custom"' in shown
    assert "<script" not in shown
