"""Commands that don't need heavy libraries don't import them (checked with -X importtime)."""

from __future__ import annotations

from pathlib import Path
import re
import subprocess
import sys

import pytest

HEAVY = ("folium", "branca", "geopandas", "pandas", "networkx", "searoute", "scipy", "pyproj")


@pytest.mark.parametrize(
    "args",
    [["--help"], ["resolve", "Najin"], ["gazetteer", "list"], ["gazetteer", "show", "Najin"],
     ["gazetteer", "check"], ["validate", "--no-routes"]],
)
def test_light_commands_import_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    code = ("import sys; from shiproute.cli import main; "
            "sys.argv = ['shiproute', *sys.argv[1:]]; main()")
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {m.group(1) for m in re.finditer(r"\|\s+([\w.]+)$", result.stderr, re.M)}
    assert {name.split(".")[0] for name in imported} & set(HEAVY) == set()
    assert "shiproute.cli" in imported  # the check did see the imports


@pytest.mark.parametrize(("name", "opens"), [("Najin", False), ("Moscow", True)])
def test_only_a_name_no_gazetteer_has_opens_the_reference_index(
    name: str, opens: bool, tmp_path: Path
) -> None:
    # the curated layers answer first; the SQLite reference index is opened (and sqlite3
    # imported) only for a name none of them knows
    code = ("import sys; from shiproute.cli import main; "
            "sys.argv = ['shiproute', *sys.argv[1:]]; main()")
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code, "resolve", name],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {m.group(1) for m in re.finditer(r"\|\s+([\w.]+)$", result.stderr, re.M)}
    assert ("sqlite3" in imported) is opens
