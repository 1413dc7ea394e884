"""The self-contained HTML map: its data, its assets, its escaping."""

from __future__ import annotations

from collections.abc import Callable
import json
import math
from pathlib import Path
import re
from typing import Any

import pytest

from shiproute.gazetteer.resolve import Gazetteer
from shiproute.maps import payload
from shiproute.maps.payload import TABLES, build_payload, script_json
from shiproute.maps.render import MapDocument, render_map, scope_css
from shiproute.routes.load import bundled_dataset_path, read_dataset
from shiproute.routes.model import Dataset
from shiproute.routes.router import Router

from helpers import great_circles

ROOT = Path(__file__).resolve().parents[1]


def _render(dataset: Dataset, **options: Any) -> MapDocument:
    return render_map(great_circles(dataset), **options)


def payload_of(document: MapDocument) -> dict[str, Any]:
    match = re.search(r"<script type='application/json' id='[\w-]+-data'>(.*?)</script>",
                      document.html, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


@pytest.fixture(scope="module")
def seeds(gazetteer: Gazetteer) -> Dataset:
    return read_dataset(bundled_dataset_path(), gazetteer)


@pytest.fixture(scope="module")
def document(seeds: Dataset) -> MapDocument:
    return _render(seeds)


def test_page_is_self_contained(document: MapDocument) -> None:
    page = document.html
    assert "<script src" not in page and "<link" not in page
    assert re.search(r"url\((?!data:|#default#VML)", page) is None  # CSS images are data URIs
    assert "sourceMappingURL" not in page
    assert "Content-Security-Policy" in page and "connect-src" not in page
    assert 'window.L.version === "1.9.4"' in page


def test_payload_has_one_geometry_per_route_and_every_site(
    document: MapDocument, seeds: Dataset
) -> None:
    data = payload_of(document)
    strings = data["strings"]
    assert len(data["legs"]["id"]) == 4 and len(data["geoms"]["path"]) == 4
    assert [strings[i] for i in data["sites"]["id"]] == list(seeds.sites)
    assert len(data["sources"]["title"]) == 5 and len(data["events"]["what"]) == 8
    assert data["tiles"]["default"] == "Offline (Natural Earth)"
    base = data["basemap"]
    assert sum(len(fill) for fill in base["world"]["fills"]) > 150  # the whole world, 1:110m
    assert sum(len(fill) for fill in base["detail"]["fills"]) > 10 and base["detail"]["borders"]
    south, west, north, east = base["box"]  # the 1:10m box holds every site, with a margin
    lats = [s.lat for s in seeds.sites.values()]
    lons = [s.lon for s in seeds.sites.values()]
    assert south < min(lats) and north > max(lats) and west < min(lons) and east > max(lons)
    assert east - west < 1.6 * (max(lons) - min(lons))
    assert "Sea of Japan (East Sea)" in base["labels"]["seas"]["name"]
    assert {"Moscow", "Vladivostok", "Pyongyang"} <= set(base["labels"]["cities"]["name"])


def test_every_table_has_the_named_columns_of_the_schema(document: MapDocument) -> None:
    data = payload_of(document)
    for name, columns in TABLES.items():
        assert tuple(data[name]) == columns
        assert len({len(values) for values in data[name].values()}) == 1  # one length per table


def test_the_page_runtime_reads_exactly_the_schema_columns() -> None:
    script = (ROOT / "maps" / "assets" / "shiproute.js").read_text(encoding="utf-8")
    # tables are read as data.<table>.<column>, or through a local alias: "s = data.sites"
    aliases = re.findall(r"\b(\w+) = (?:ctx\.)?data\.(\w+)\b(?!\.)", script)
    for name, columns in TABLES.items():
        used = set(re.findall(rf"\bdata\.{name}\.(\w+)", script))
        for alias, table in aliases:
            if table == name:
                used |= set(re.findall(rf"(?<![.\w]){alias}\.(\w+)", script))
        used.discard("length")
        assert used == set(columns), f"{name}: schema {sorted(columns)}, page {sorted(used)}"


def test_shared_routes_are_stored_once(write: Callable[[str, str], Path],
                                       gazetteer: Gazetteer) -> None:
    legs = "\n".join(f"  - {{from: Rajin, to: Dunay, mode: sea, depart: 2023-09-{d:02d}}}"
                     for d in range(1, 21))
    path = "paths:\n  coast: [[42.2, 130.3], [42.5, 131.5], [42.9, 132.3]]\n"
    drawn = "\n".join(
        f"  - {{from: Rajin, to: Dunay, mode: sea, path: coast, depart: 2023-10-{d:02d}}}"
        for d in range(1, 6)
    )
    dataset = read_dataset(write("d.yaml", path + "legs:\n" + legs + "\n" + drawn + "\n"),
                           gazetteer)
    routed = Router().route_dataset(dataset)
    data = payload_of(render_map(routed))
    assert len(data["legs"]["id"]) == 25 and len(data["geoms"]["path"]) == 2
    assert len(routed.geometries) == 2
    assert routed.route(dataset.legs[-1].id).source == "drawn in the dataset"


def test_geometry_is_an_encoded_polyline_at_one_metre(
    document: MapDocument, seeds: Dataset
) -> None:
    import polyline  # an independent decoder of the format

    data = payload_of(document)
    (piece,) = data["geoms"]["path"][0]
    points = polyline.decode(piece, 5)
    expected = great_circles(seeds).route(seeds.legs[0].id).points
    assert len(points) == len(expected)
    assert all(math.isclose(a, b, abs_tol=1e-5) for p, q in zip(points, expected, strict=True)
               for a, b in zip(p, q, strict=True))


def test_many_routes_encoded_in_batches_each_decode_to_their_own_points(
    write: Callable[[str, str], Path], gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polyline

    from shiproute.maps import _encode

    monkeypatch.setattr(_encode, "BATCH_POINTS", 7)  # 40 routes of 3-6 points: many batches
    drawn = {f"p{i}": [[42.0 + i / 10, round(130.0 + k / 7, 5)] for k in range(3 + i % 4)]
             for i in range(39)}
    drawn["p39"] = [[51.0, 178.5], [52.0, -179.5], [53.0, -178.0]]  # across the antimeridian
    paths = "\n".join(f"  {name}: {points}" for name, points in drawn.items())
    legs = "\n".join(f"  - {{from: Rajin, to: Dunay, mode: sea, path: {name}}}"
                     for name in drawn)
    dataset = read_dataset(write("d.yaml", f"paths:\n{paths}\nlegs:\n{legs}\n"), gazetteer)
    data = payload_of(render_map(Router().route_dataset(dataset)))
    decoded = [[polyline.decode(piece, 5) for piece in pieces]
               for pieces in data["geoms"]["path"]]
    assert len(decoded) == 40
    for pieces, points in zip(decoded[:39], list(drawn.values())[:39], strict=True):
        assert pieces == [[tuple(p) for p in points]]
    assert decoded[39] == [[(51.0, 178.5), (51.75, 180.0)], [(51.75, -180.0), (52.0, -179.5),
                                                          (53.0, -178.0)]]


def test_dates_keep_their_precision_in_the_data(document: MapDocument) -> None:
    data = payload_of(document)
    strings, legs = data["strings"], data["legs"]
    angara = [strings[i] for i in legs["id"]].index("angara-rajin-dunay")
    assert strings[legs["depart"][angara]] == "8-12 Sep 2023"
    assert strings[legs["volume"][angara]] == "about 300 containers"
    assert data["days"] == [19539, 19813]  # 1 Jul 2023 .. 31 Mar 2024, in days since 1970


def test_title_banner_legend_footer_and_chart(seeds: Dataset) -> None:
    page = _render(seeds, title="Briefing", subtitle="Draft", banner="SECRET <draft>").html
    assert page.count("<div class='sr-banner'>SECRET &lt;draft&gt;</div>") == 2
    assert "<h1 class='sr-title'>Briefing</h1>" in page
    assert "<span class='sr-subtitle-text'>Draft</span>" in page
    assert "Line width: volume per unit" in page and "link to a distant network" not in page
    assert "<b>containers</b>" in page
    assert "Units are never added together, nor totals over a period to shipments." in page
    assert "OpenStreetMap</a> contributors (ODbL)" in page and "Natural Earth" in page
    assert page.count("<circle ") == 5  # five volume claims on the chart
    claim = ("more than 1,000 containers (total): U.S. National Security Council (John Kirby), "
             "13 Oct 2023")
    assert claim in page


def test_dataset_text_is_escaped_and_only_http_links_become_links(
    write: Callable[[str, str], Path], gazetteer: Gazetteer
) -> None:
    path = write("evil.yaml", """
    title: "<script>alert('title')</script>"
    sites:
      evil: {name: "</script><img src=x onerror=alert(1)>", kind: depot, country: RU, lat: 45,
             lon: 40}
    sources:
      s1: {title: "<b>bold</b>", url: "javascript:alert(3)"}
      s2: {title: Good, url: "https://example.org/a?b=1&c=2"}
    legs:
      - {from: Rajin, to: evil, mode: rail, carrier: "<svg onload=alert(4)>", sources: [s1, s2]}
    """)
    page = _render(read_dataset(path, gazetteer)).html
    for raw in ("<script>alert", "<img src=x", "<b>bold", "<svg onload", "javascript:alert(3)"):
        assert raw not in page
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in page


def test_scope_css_prefixes_rules_and_media_blocks() -> None:
    css = "/* c */ .a, .b > p {x: 1}\n@media print { .c {y: 2} }"
    assert scope_css(css, ".r") == ".r .a, .r .b > p{x: 1}\n@media print {.r .c{y: 2} }"


def test_embed_gives_one_root_with_its_assets_and_unique_ids(seeds: Dataset) -> None:
    first, second = _render(seeds, embed=True), _render(seeds, embed=True)
    assert first.root_id != second.root_id
    assert first.html.startswith(f"<div class='sr-root' id='{first.root_id}' ")
    assert "<html" not in first.html and "<body" not in first.html
    css = first.html[first.html.index("<style>"):first.html.index("</style>")]
    rules = re.findall(r"([^{}]+)\{", css)
    assert all(".sr-root" in rule or rule.strip().startswith("@") for rule in rules)


def test_repr_html_embeds_the_document_in_an_isolated_iframe(seeds: Dataset) -> None:
    shown = _render(seeds, title="Custom", embed=True)._repr_html_()
    assert shown.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and 'title="Custom"' in shown
    assert "<script" not in shown


def test_unknown_tiles_are_refused(seeds: Dataset) -> None:
    with pytest.raises(ValueError, match="unknown tiles 'google'"):
        _render(seeds, tiles="google")


def test_styles_cover_exactly_the_kinds_and_modes_of_the_model() -> None:
    from shiproute.gazetteer.model import KINDS
    from shiproute.maps.style import KIND_STYLES, MODE_COLORS
    from shiproute.routes.export import KML_COLORS
    from shiproute.routes.model import MODES

    assert tuple(KIND_STYLES) == KINDS
    assert tuple(MODE_COLORS) == MODES == tuple(KML_COLORS)


def test_the_page_data_is_the_same_json_whatever_pieces_it_is_written_in(
    seeds: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = build_payload(great_circles(seeds))
    whole = "".join(script_json(data))
    monkeypatch.setattr(payload, "PIECE_ITEMS", 2)
    pieces = list(script_json(data))
    assert "".join(pieces) == whole and len(pieces) > 100
    assert json.loads(whole) == json.loads(json.dumps(data))
    assert "".join(script_json({"a": ["</script>", "&"] * 3})) == (
        '{"a":["\\u003c/script\\u003e","\\u0026","\\u003c/script\\u003e","\\u0026",'
        '"\\u003c/script\\u003e","\\u0026"]}')
