"""The routing service: every leg routed once per distinct request, cached on disk.

:class:`Router` is what the CLI commands and the Python API use to route.
It owns the two things the pure functions of :mod:`shiproute.routes.routing`
leave out: a :class:`~shiproute.routes.cache.RouteCache` (optional), and the
sharing of identical requests, so 10,000 legs over 600 distinct stop pairs
cost 600 routes and the map stores 600 geometries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from shiproute.routes.cache import RouteCache, data_version
from shiproute.routes.model import Dataset, Route
from shiproute.routes.routed import RoutedDataset
from shiproute.routes.routing import RouteRequest, drawn_route, request_for, route_many

Progress = Callable[[int, int], None]
"""Called with (routes done, routes to do); the last call has done == total."""


class Router:
    """Routes requests and datasets on the offline networks.

    Parameters
    ----------
    cache
        Where computed routes are kept between runs; ``None`` routes
        everything afresh and stores nothing.
    progress
        Told how many of the routes that are not cached are done.

    Examples
    --------
    >>> router = Router.with_cache_dir(Settings.from_environ().cache_path("routes"))
    >>> routed = router.route_dataset(dataset)  # doctest: +SKIP
    """

    def __init__(self, cache: RouteCache | None = None, *, progress: Progress | None = None
                 ) -> None:
        self.cache = cache
        self.progress = progress

    @classmethod
    def with_cache_dir(cls, directory: Path | None, *, progress: Progress | None = None
                       ) -> Router:
        """Return a router caching under ``directory``, or not caching when it is ``None``.

        Parameters
        ----------
        directory
            The route cache directory (e.g. ``Settings.cache_path("routes")``).
        progress
            See :class:`Router`.

        Returns
        -------
        Router
        """
        cache = None if directory is None else RouteCache(directory, data_version())
        return cls(cache, progress=progress)

    def __repr__(self) -> str:
        return f"Router(cache={self.cache!r})"

    def route_requests(self, requests: Sequence[RouteRequest]) -> list[Route]:
        """Route requests; identical requests are routed once and share one Route.

        Parameters
        ----------
        requests
            In any order, repeats allowed.

        Returns
        -------
        list of Route
            One per request, in order; identical requests get the same object.
        """
        distinct = list(dict.fromkeys(requests))
        found = self.cache.get_many(distinct) if self.cache is not None else {}
        missing = [r for r in distinct if r not in found]
        if missing:
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                if self.progress is not None:
                    self.progress(done, len(missing))

            routed = route_many(dict(enumerate(missing)), progress=step)
            computed = {request: routed[index] for index, request in enumerate(missing)}
            if self.cache is not None:
                self.cache.put_many(computed)
            found |= computed
        return [found[r] for r in requests]

    def route_dataset(self, dataset: Dataset) -> RoutedDataset:
        """Route every leg of a dataset: drawn paths as they are, the rest on the networks.

        Parameters
        ----------
        dataset
            The dataset.

        Returns
        -------
        RoutedDataset
            Legs with the same request, or the same drawn path, share one geometry.
        """
        network_legs = [leg for leg in dataset.legs if leg.path is None]
        requests = [request_for(leg, dataset.sites) for leg in network_legs]
        routes = self.route_requests(requests)
        index_of: dict[RouteRequest | tuple[str, str], int] = {}
        geometries: list[Route] = []
        geometry_of: dict[str, int] = {}
        for leg, request, route in zip(network_legs, requests, routes, strict=True):
            if request not in index_of:
                index_of[request] = len(geometries)
                geometries.append(route)
            geometry_of[leg.id] = index_of[request]
        for leg in dataset.legs:
            if leg.path is None:
                continue
            # a named path of the dataset is drawn once for all its legs; an inline one per leg
            key = ("paths", leg.path_name) if leg.path_name else ("leg", leg.id)
            if key not in index_of:
                index_of[key] = len(geometries)
                geometries.append(drawn_route(leg.path))
            geometry_of[leg.id] = index_of[key]
        ordered = {leg.id: geometry_of[leg.id] for leg in dataset.legs}
        return RoutedDataset(dataset, tuple(geometries), ordered)
