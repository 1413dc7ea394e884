"""Shared fixtures: the bundled gazetteer and a helper to write YAML files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
from pathlib import Path
import textwrap
from typing import Any

import pytest

from shiproute.gazetteer.load import load_gazetteer
from shiproute.gazetteer.resolve import Gazetteer

from browser import Visit, deadline, launch, open_page


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



@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless and offline (see tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    stack = contextlib.ExitStack()
    with deadline(60):
        playwright = stack.enter_context(sync_playwright())
        chromium = launch(playwright)
    try:
        yield chromium
    finally:
        with deadline(30):
            chromium.close()
            stack.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Visit]]:
    """Open a file in the browser (viewport 1400x900 unless given); closes it afterwards."""
    contexts = []

    def _visit(path: Path, width: int = 1400, height: int = 900) -> Visit:
        context, seen = open_page(browser, path, width, height)
        contexts.append(context)
        return seen

    yield _visit
    for context in contexts:
        context.close()
