"""The package structure: imports go one way, nothing reaches into another package's privates.

shiproute's floors, lowest first: the foundation modules of the top package
(``shiproute.errors``, ``shiproute.settings``, ``shiproute.files``), then
``gazetteer``, ``routes``, ``maps``, and on top the API and the CLI. A module
may import from its own floor and the floors below, never above, and never a
``_private`` module of another package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOUNDATION = {"shiproute.errors", "shiproute.settings", "shiproute.files"}
FLOORS = {"foundation": 0, "gazetteer": 1, "routes": 2, "maps": 3, "api": 4, "cli": 5}
FOLDERS = {"gazetteer": "gazetteer", "routes": "routes", "maps": "maps"}


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[0] in FOLDERS:
        parts.insert(0, "shiproute")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _floor(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in FOLDERS:
        return parts[1]
    if module.startswith("shiproute.cli"):
        return "cli"
    return "api"  # shiproute, shiproute.api


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and parts[1] in (*FOLDERS, "cli") else module


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name == "shiproute" or name.startswith("shiproute.")]


SOURCES = sorted(p for folder in ("shiproute", *FOLDERS)
                 for p in (ROOT / folder).rglob("*.py"))


def test_the_walk_sees_every_package() -> None:
    floors = {_floor(_module_name(p)) for p in SOURCES}
    assert floors == set(FLOORS)
    assert len(SOURCES) > 40


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_down_and_never_into_another_package_s_privates(path: Path) -> None:
    module = _module_name(path)
    floor = FLOORS[_floor(module)]
    for imported in _imports(path):
        target = _floor(imported)
        assert FLOORS[target] <= floor, f"{module} imports {imported}, a floor above it"
        if target == "cli":
            assert _floor(module) == "cli", f"{module} imports the CLI"
        private = [part for part in imported.split(".") if part.startswith("_")]
        if private:
            assert _package(imported) == _package(module), \
                f"{module} imports {imported}, private to another package"


def test_foundation_modules_import_only_each_other() -> None:
    for name in FOUNDATION:
        path = ROOT / (name.replace(".", "/") + ".py")
        assert set(_imports(path)) <= FOUNDATION
