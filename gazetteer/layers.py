"""Which gazetteer files are in use, in order of precedence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import os
from pathlib import Path

from gazetteer.load import bundled_path

ENV_VAR = "SHIPROUTE_GAZETTEER"


@dataclass(frozen=True, slots=True)
class Layer:
    """One gazetteer file and where it was named.

    Parameters
    ----------
    path
        The file.
    origin
        ``"--gazetteer"``, the environment variable's name, or ``"bundled"``.
    """

    path: Path
    origin: str

    @property
    def editable(self) -> bool:
        """Whether shiproute may write to this layer (never the bundled file)."""
        return self.origin != "bundled"


def gazetteer_layers(
    cli_files: Sequence[str | Path] = (), environ: Mapping[str, str] | None = None
) -> list[Layer]:
    """Return the gazetteer layers, highest precedence first.

    The files given with ``--gazetteer`` (first one highest), else those of
    ``SHIPROUTE_GAZETTEER`` (an ``os.pathsep``-separated list), then the
    bundled gazetteer. A dataset's own ``sites:`` rank above all of them.

    Parameters
    ----------
    cli_files
        Files from ``--gazetteer``, in the order given.
    environ
        Environment to read; ``os.environ`` by default.

    Returns
    -------
    list of Layer
    """
    env = os.environ if environ is None else environ
    if cli_files:
        layers = [Layer(Path(f), "--gazetteer") for f in cli_files]
    else:
        listed = [p for p in env.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
        layers = [Layer(Path(p), ENV_VAR) for p in listed]
    return [*layers, Layer(bundled_path(), "bundled")]
