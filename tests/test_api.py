"""The Python API: one import, paths in, folium and geopandas out, the CLI's cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import re
import subprocess
import sys

from click.testing import CliRunner
import geopandas as gpd
from pyproj import Geod
import pytest

import shiproute as sr
from shiproute.cli import main
from shiproute.routes.cache import FILE_NAME

from helpers import cache_entries

ROOT = Path(__file__).resolve().parents[1]
CITATION = "US Releases Satellite Images Showing Signs of North Korea-Russia Arms Deal"


@pytest.fixture(scope="module")
def routed() -> sr.RoutedDataset:
    return sr.route(sr.read_dataset(), cache=False)


def test_every_public_name_is_importable_from_shiproute_alone() -> None:
    for name in sr.__all__:
        assert getattr(sr, name) is not None
    assert sr.__version__ == "0.1.0"
    assert sr.read_dataset is sr.api.read_dataset  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        sr.nope  # type: ignore[attr-defined]  # noqa: B018


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API"):]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip() == "rajin 4 9 4"
    assert (tmp_path / "transfers.html").stat().st_size > 100_000
    assert CITATION in (tmp_path / "transfers-folium.html").read_text(encoding="utf-8")


def test_example_notebook_runs_and_writes_a_geopackage(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "notebook.py"),
                             str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    legs = gpd.read_file(tmp_path / "transfers.gpkg", layer="legs")
    sites = gpd.read_file(tmp_path / "transfers.gpkg", layer="sites")
    assert len(legs) == 4 and len(sites) == 9
    assert "Vladivostok: analyst's note" in (tmp_path / "transfers-folium.html").read_text()
    assert "ShipRoute.mount(" in (tmp_path / "transfers.html").read_text()


def test_read_dataset_takes_paths_and_gazetteer_files(
    write: Callable[[str, str], Path]
) -> None:
    places = write("mine.yaml", """
    sites:
      kamenny: {name: Kamenny, kind: rail_station, country: RU, lat: 45.88, lon: 40.04}
    """)
    data = write("case.yaml", """
    title: My case
    legs:
      - {from: Rajin, to: Kamenny, mode: rail}
    """)
    dataset = sr.read_dataset(data, gazetteer=[places])
    assert [(leg.origin, leg.destination) for leg in dataset.legs] == [("rajin", "kamenny")]
    assert sr.resolve("kamenny", gazetteer=[places]).name == "Kamenny"
    with pytest.raises(sr.DatasetError, match=r"case\.yaml:3:.*Unknown place 'Kamenny'"):
        sr.read_dataset(data)


def test_resolve_sees_a_dataset_s_own_sites(write: Callable[[str, str], Path]) -> None:
    data = write("case.yaml", """
    sites:
      kamenny: {name: Kamenny, kind: rail_station, country: RU, lat: 45.88, lon: 40.04}
    legs:
      - {from: Rajin, to: Kamenny, mode: rail}
    """)
    assert sr.resolve("Kamenny", dataset=sr.read_dataset(data)).id == "kamenny"
    with pytest.raises(sr.UnknownPlaceError):
        sr.resolve("Kamenny")


def test_route_shares_the_cli_route_cache(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    result = CliRunner().invoke(main, ["render", "-o", str(tmp_path / "m.html"),
                                       "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.stderr
    entries = cache_entries(cache / "routes")
    stamp = (cache / "routes" / FILE_NAME).stat().st_mtime_ns
    assert len(entries) == 4
    monkeypatch.setenv("SHIPROUTE_CACHE_DIR", str(cache))
    routed = sr.route(sr.read_dataset())
    assert cache_entries(cache / "routes") == entries  # every route came from the cache
    assert (cache / "routes" / FILE_NAME).stat().st_mtime_ns == stamp
    assert round(routed.route("angara-rajin-dunay").distance_km) == 197


def test_render_gives_a_document_that_saves_itself(routed: sr.RoutedDataset, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from shiproute.maps import payload

    monkeypatch.setattr(payload, "PIECE_ITEMS", 2)  # the data is written in many pieces
    document = sr.render(routed, title="Case <1>")
    written = document.save(tmp_path / "case.html")
    page = written.read_text(encoding="utf-8")
    assert page == document.html and "<title>Case &lt;1&gt;</title>" in page
    fragment = sr.render(routed, embed=True)
    assert fragment.save(tmp_path / "part.html").read_text(encoding="utf-8") == fragment.html
    assert document.to_folium().get_root().title == "Case &lt;1&gt;"


def test_folium_map_has_a_feature_group_per_mode_and_cited_popups(
    routed: sr.RoutedDataset, tmp_path: Path
) -> None:
    import folium

    fmap = sr.to_folium(routed)
    groups = {c.layer_name: c for c in fmap._children.values()
              if isinstance(c, folium.FeatureGroup)}
    assert set(groups) == {"sea legs", "rail legs", "Sites"}
    popups = {}
    for mode in ("sea", "rail"):
        (layer,) = [c for c in groups[f"{mode} legs"]._children.values()
                    if isinstance(c, folium.GeoJson)]
        features = layer.data["features"]
        assert len(features) == 2  # two distinct routes per mode in the bundled dataset
        assert all(f["geometry"]["type"] == "LineString" for f in features)
        popups[mode] = " ".join(f["properties"]["popup"] for f in features)
    assert "Rajin <i>(the source says &ldquo;Nakhodka&rdquo;)</i>" in popups["sea"]
    assert "inferred, not stated by a source: What the Asia Business Daily says:" in popups["sea"]
    assert sum(isinstance(c, folium.CircleMarker) for c in groups["Sites"]._children.values()) == 9
    fmap.save(str(tmp_path / "f.html"))
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert CITATION in page and "8-12 Sep 2023" in page and "about 300 containers" in page
    assert "OpenStreetMap" in page and "Natural Earth" in page


def test_folium_popups_escape_dataset_text(write: Callable[[str, str], Path],
                                           tmp_path: Path) -> None:
    data = write("evil.yaml", """
    title: "</title><script>alert('t')</script>"
    sources:
      s1: {title: "<img src=x onerror=alert('src')>"}
    legs:
      - {from: Rajin, to: Dunay, mode: air, carrier: "<svg onload=alert('c')>", sources: [s1],
         note: "`${alert('tpl')}`"}
    """)
    import folium

    fmap = sr.to_folium(sr.route(sr.read_dataset(data), cache=False))
    fmap.save(str(tmp_path / "f.html"))
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    for raw in ("<script>alert", "<img src=x", "<svg onload", "${alert"):
        assert raw not in page
    (layer,) = [c for g in fmap._children.values() if isinstance(g, folium.FeatureGroup)
                for c in g._children.values() if isinstance(c, folium.GeoJson)]
    popup = layer.data["features"][0]["properties"]["popup"]
    assert "<td>&lt;svg onload=alert(&#x27;c&#x27;)&gt;</td>" in popup
    assert "&#96;&#36;{alert(&#x27;tpl&#x27;)}&#96;" in popup


def test_legs_frame_has_a_row_per_leg_with_typed_columns_and_routed_lines(
    routed: sr.RoutedDataset
) -> None:
    legs = routed.legs_frame()
    assert list(legs.index) == [leg.id for leg in routed.dataset.legs]
    assert legs.crs == "EPSG:4326"
    assert str(legs["depart_first"].dtype).startswith("datetime64")
    assert legs["volume"].dtype == float and legs["distance_km"].dtype == float
    angara = legs.loc["angara-rajin-dunay"]
    assert (angara["depart"], str(angara["depart_first"].date()),
            str(angara["depart_last"].date())) == ("2023-09-08/2023-09-12", "2023-09-08",
                                                  "2023-09-12")
    assert (angara["volume"], angara["qualifier"], angara["unit"]) == (300.0, "about",
                                                                       "containers")
    assert angara["sources"] == ["asiae-2023-10-16"]
    geod = Geod(ellps="WGS84")
    for leg_id, row in legs.iterrows():
        drawn = geod.geometry_length(row.geometry) / 1000
        if row["mode"] == "rail" and row["distance_km"] > 100:
            # curving track is stored as straight edges that keep the real length
            assert 0.95 * row["distance_km"] < drawn < row["distance_km"], leg_id
        else:
            assert drawn == pytest.approx(row["distance_km"], rel=0.01), leg_id


def test_sites_frame_counts_legs_and_events(routed: sr.RoutedDataset) -> None:
    sites = routed.sites_frame()
    assert list(sites.index) == list(routed.dataset.sites)
    assert sites.crs == "EPSG:4326"
    dunay = sites.loc["dunay"]
    assert (dunay["legs_in"], dunay["legs_out"], dunay["events"]) == (1, 1, 1)
    assert (dunay.geometry.x, dunay.geometry.y) == (dunay["lon"], dunay["lat"])
