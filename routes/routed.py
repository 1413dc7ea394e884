"""A dataset with every leg routed: what maps, statistics and exports are made from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
import functools
from types import MappingProxyType
from typing import TYPE_CHECKING

from shiproute.routes.model import Dataset, Leg, Route

if TYPE_CHECKING:
    import geopandas

    from shiproute.routes.graph import LegGraph


@dataclass(frozen=True, eq=False)
class RoutedDataset:
    """A dataset and the route of each of its legs.

    Legs that share a request (same stops, mode and countries) or a drawn
    path share one geometry, stored once in :attr:`geometries`.

    Parameters
    ----------
    dataset
        The dataset.
    geometries
        The distinct routes.
    geometry_of
        Leg id to the index of its route in ``geometries``, in dataset order.

    Raises
    ------
    ValueError
        If a leg has no route or an index is out of range.
    """

    dataset: Dataset
    geometries: tuple[Route, ...]
    geometry_of: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [leg.id for leg in self.dataset.legs if leg.id not in self.geometry_of]
        if missing:
            raise ValueError(f"legs without a route: {', '.join(missing[:5])}")
        if any(not 0 <= i < len(self.geometries) for i in self.geometry_of.values()):
            raise ValueError("a leg's route index is out of range")
        object.__setattr__(self, "geometry_of", MappingProxyType(dict(self.geometry_of)))

    def __repr__(self) -> str:
        return (f"<RoutedDataset {self.dataset.name!r}: {len(self.dataset.legs)} legs, "
                f"{len(self.geometries)} distinct routes>")

    def route(self, leg_id: str) -> Route:
        """Return the route of one leg.

        Raises
        ------
        KeyError
            If the dataset has no such leg.
        """
        return self.geometries[self.geometry_of[leg_id]]

    @property
    def routes(self) -> Mapping[str, Route]:
        """The route of every leg, by leg id, in dataset order."""
        return _Routes(self)

    def legs_with_routes(self) -> Iterator[tuple[Leg, Route]]:
        """Yield each leg with its route, in dataset order."""
        for leg in self.dataset.legs:
            yield leg, self.route(leg.id)

    @functools.cached_property
    def graph(self) -> LegGraph:
        """The leg graph: a networkx MultiDiGraph (:func:`~shiproute.routes.graph.build_graph`)."""
        from shiproute.routes.graph import build_graph

        return build_graph(self.dataset)

    def legs_frame(self) -> geopandas.GeoDataFrame:
        """Return one row per leg with its routed geometry (see :mod:`shiproute.routes.frames`)."""
        from shiproute.routes.frames import legs_frame

        return legs_frame(self)

    def sites_frame(self) -> geopandas.GeoDataFrame:
        """Return one row per site (see :mod:`shiproute.routes.frames`)."""
        from shiproute.routes.frames import sites_frame

        return sites_frame(self.dataset)


class _Routes(Mapping[str, Route]):
    """A read-only view: leg id to route."""

    def __init__(self, routed: RoutedDataset) -> None:
        self._routed = routed

    def __getitem__(self, leg_id: str) -> Route:
        return self._routed.route(leg_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._routed.geometry_of)

    def __len__(self) -> int:
        return len(self._routed.geometry_of)
