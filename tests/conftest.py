"""Shared fixtures: the bundled gazetteer and a helper to write YAML files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import textwrap

import pytest

from shiproute.gazetteer.load import load_gazetteer
from shiproute.gazetteer.resolve import Gazetteer


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the route cache of every test out of the user's cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The bundled gazetteer."""
    return load_gazetteer()


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented text to a file under ``tmp_path`` and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write

