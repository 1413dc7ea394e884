"""Everything shiproute reads from its environment, read in one place.

The library never looks at ``os.environ`` itself: the CLI and the Python API
build one :class:`Settings` (from the environment, then their own options) and
pass its values down as arguments. This module imports nothing of shiproute's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import os
from pathlib import Path

ENV_GAZETTEER = "SHIPROUTE_GAZETTEER"
"""``os.pathsep``-separated gazetteer files layered over the bundled one."""
ENV_CACHE_DIR = "SHIPROUTE_CACHE_DIR"
"""Directory for shiproute's caches; default: the user cache directory (platformdirs)."""
ENV_CHROMIUM = "SHIPROUTE_CHROMIUM"
"""Path of the headless Chromium used for PNG and PDF output."""
ENV_REFERENCE = "SHIPROUTE_REFERENCE"
"""``off`` (or ``0``, ``no``, ``false``) keeps names to the curated gazetteers: no world
reference layers of ports, airports and cities."""

DISTRIBUTION = "shiproute"


def package_version() -> str:
    """Return the installed version of shiproute (``"0+unknown"`` when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"


def user_agent(purpose: str) -> str:
    """Return the HTTP user agent naming shiproute, e.g. for Nominatim's usage policy.

    Parameters
    ----------
    purpose
        What the requests are for, e.g. ``"gazetteer geocode"``.

    Returns
    -------
    str
        ``"shiproute/<version> (<purpose>)"``.
    """
    return f"{DISTRIBUTION}/{package_version()} ({purpose})"


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings of one run.

    Parameters
    ----------
    gazetteers
        Gazetteer files from :data:`ENV_GAZETTEER`, highest precedence first.
    cache_dir
        Base directory of the caches; ``None`` means the user cache directory.
    chromium
        The browser from :data:`ENV_CHROMIUM`, if set.
    reference
        Whether names no curated gazetteer knows are looked up in the world
        reference layers (:data:`ENV_REFERENCE`).
    """

    gazetteers: tuple[Path, ...] = ()
    cache_dir: Path | None = None
    chromium: str | None = None
    reference: bool = True

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from environment variables (``os.environ`` by default).

        Parameters
        ----------
        environ
            The environment to read.

        Returns
        -------
        Settings
        """
        env = os.environ if environ is None else environ
        listed = [p for p in env.get(ENV_GAZETTEER, "").split(os.pathsep) if p.strip()]
        cache = env.get(ENV_CACHE_DIR, "").strip()
        return cls(
            gazetteers=tuple(Path(p) for p in listed),
            cache_dir=Path(cache) if cache else None,
            chromium=env.get(ENV_CHROMIUM, "").strip() or None,
            reference=env.get(ENV_REFERENCE, "").strip().lower() not in ("off", "0", "no",
                                                                        "false"),
        )

    def cache_path(self, kind: str) -> Path:
        """Return the cache directory for ``kind`` (``"routes"``, ``"geocode"``).

        Parameters
        ----------
        kind
            Which cache.

        Returns
        -------
        pathlib.Path
            ``<cache_dir>/<kind>``; not created here.
        """
        if self.cache_dir is not None:
            return self.cache_dir / kind
        from platformdirs import user_cache_path

        return user_cache_path(DISTRIBUTION) / kind
