"""Which gazetteer files are in use, in order of precedence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shiproute.gazetteer.load import bundled_path
from shiproute.settings import ENV_GAZETTEER


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
    files: Sequence[str | Path] = (), environment_files: Sequence[Path] = ()
) -> list[Layer]:
    """Return the gazetteer layers, highest precedence first.

    The files given with ``--gazetteer`` (first one highest), else those of
    ``SHIPROUTE_GAZETTEER`` (:attr:`shiproute.settings.Settings.gazetteers`),
    then the bundled gazetteer. A dataset's own ``sites:`` rank above all of them.

    Parameters
    ----------
    files
        Files from ``--gazetteer`` (or the API's ``gazetteer=``), in order.
    environment_files
        Files named by the environment; used only when ``files`` is empty.

    Returns
    -------
    list of Layer
    """
    if files:
        layers = [Layer(Path(f), "--gazetteer") for f in files]
    else:
        layers = [Layer(Path(p), ENV_GAZETTEER) for p in environment_files]
    return [*layers, Layer(bundled_path(), "bundled")]
