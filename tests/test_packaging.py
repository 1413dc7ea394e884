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


def test_wheel_carries_the_bundled_gazetteer_and_dataset(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "gazetteer/sites.yaml" in names
    assert "seeds/nk-ru-arms-2023-2024.yaml" in names
    for data in ("gazetteer/data/naturalearth-10m.npz", "gazetteer/data/LICENSE-world-atlas.txt",
                 "routes/data/rail-world.npz", "routes/data/rail-repairs.csv",
                 "routes/data/LICENSE-scgraph-data.txt", "maps/assets/leaflet.js",
                 "maps/assets/leaflet.css", "maps/assets/LICENSE-leaflet.txt",
                 "maps/assets/shiproute.js", "maps/assets/shiproute.css"):
        assert data in names
    assert not any(name.startswith("tests/") for name in names)


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
    where = subprocess.run([str(python), "-c", "import routes; print(routes.__file__)"],
                           cwd=empty, capture_output=True, text=True, env=env, check=True)
    assert where.stdout.startswith(str(site))
