"""The leg graph: sites as nodes, documented legs as edges of a multigraph.

A :class:`networkx.MultiDiGraph` keyed by leg id, so two legs between the
same sites (two sailings, two claims) stay two edges. The functions here are
the questions later analysis asks of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from shiproute.routes.model import Dataset, Leg
from shiproute.routes.quantity import Total, sum_quantities

if TYPE_CHECKING:
    from typing import TypeAlias

    LegGraph: TypeAlias = nx.MultiDiGraph[str]


def build_graph(dataset: Dataset) -> LegGraph:
    """Build the leg graph of a dataset.

    Parameters
    ----------
    dataset
        A loaded dataset.

    Returns
    -------
    networkx.MultiDiGraph
        One node per site (attributes: the site's fields and ``site``, the
        :class:`~shiproute.gazetteer.model.Site`); one edge per leg, keyed by leg id
        (attributes: ``mode``, ``depart``, ``arrive``, ``volume``, ``unit``,
        ``carrier``, ``sources`` and ``leg``, the :class:`~shiproute.routes.model.Leg`).
    """
    graph: LegGraph = nx.MultiDiGraph(title=dataset.title, name=dataset.name)
    for site in dataset.sites.values():
        graph.add_node(
            site.id, name=site.name, kind=site.kind, country=site.country,
            lat=site.lat, lon=site.lon, site=site,
        )
    for leg in dataset.legs:
        graph.add_edge(
            leg.origin, leg.destination, key=leg.id, mode=leg.mode, depart=leg.depart,
            arrive=leg.arrive, volume=leg.volume, unit=leg.unit, carrier=leg.carrier,
            sources=leg.sources, leg=leg,
        )
    return graph


def legs(graph: LegGraph) -> list[Leg]:
    """Return every leg of the graph, in the order they were added."""
    return [data["leg"] for _u, _v, data in graph.edges(data=True)]


def legs_between(
    graph: LegGraph, origin: str, destination: str, *, both_ways: bool = False
) -> list[Leg]:
    """Return the legs from ``origin`` to ``destination``.

    Parameters
    ----------
    graph
        A leg graph.
    origin, destination
        Site ids.
    both_ways
        Also return the legs from ``destination`` to ``origin``.

    Returns
    -------
    list of Leg
        Empty if the sites are not linked (or not in the graph).
    """
    pairs = [(origin, destination)] + ([(destination, origin)] if both_ways else [])
    found: list[Leg] = []
    for u, v in pairs:
        if graph.has_edge(u, v):
            found.extend(data["leg"] for data in graph[u][v].values())
    return found


def legs_through(graph: LegGraph, site: str) -> list[Leg]:
    """Return every leg that starts or ends at ``site``, inbound legs first.

    Raises
    ------
    KeyError
        If ``site`` is not a node of the graph.
    """
    if site not in graph:
        raise KeyError(site)
    inbound = [data["leg"] for _u, _v, data in graph.in_edges(site, data=True)]
    outbound = [data["leg"] for _u, _v, data in graph.out_edges(site, data=True)]
    return inbound + outbound


def _can_follow(inbound: Leg, onward: Leg) -> bool:
    """Whether ``onward`` may carry on what ``inbound`` brought, by their dates."""
    arrived = inbound.arrive or inbound.depart
    if arrived is None or onward.depart is None:
        return True
    return onward.depart.last >= arrived.first


def chains(graph: LegGraph, *, min_legs: int = 2) -> list[tuple[Leg, ...]]:
    """Return the longest chains of legs through transshipment sites.

    A chain follows legs end to start (e.g. Rajin -sea-> Dunay -rail->
    Tikhoretsk) where each onward leg can depart no earlier than the inbound
    leg arrived (undated ends are allowed), never visiting a site twice. Only
    maximal chains are returned: none is a part of another.

    Parameters
    ----------
    graph
        A leg graph.
    min_legs
        Shortest chain returned.

    Returns
    -------
    list of tuple of Leg
        In order of their first leg, then their next legs.
    """
    all_legs = legs(graph)
    order = {leg.id: i for i, leg in enumerate(all_legs)}
    onward: dict[str, list[Leg]] = defaultdict(list)
    for leg in all_legs:
        onward[leg.origin].append(leg)
    found: list[tuple[Leg, ...]] = []

    def extend(chain: tuple[Leg, ...], visited: frozenset[str]) -> None:
        last = chain[-1]
        nexts = [
            n for n in onward[last.destination]
            if n.destination not in visited and _can_follow(last, n)
        ]
        if not nexts and len(chain) >= min_legs:
            found.append(chain)
        for n in nexts:
            extend((*chain, n), visited | {n.destination})

    for leg in all_legs:
        extend((leg,), frozenset({leg.origin, leg.destination}))
    maximal = [c for c in found if not any(_is_part(c, other) for other in found if other != c)]
    return sorted(maximal, key=lambda c: [order[leg.id] for leg in c])


def _is_part(chain: tuple[Leg, ...], other: tuple[Leg, ...]) -> bool:
    n = len(chain)
    return n < len(other) and any(other[i:i + n] == chain for i in range(len(other) - n + 1))


def total_volume(legs_: Iterable[Leg]) -> list[Total]:
    """Add the stated volumes of legs per unit and scope, carrying their bounds.

    Units are never mixed, nor one-shipment figures with totals; legs without
    a volume or a unit are left out. See :mod:`shiproute.routes.quantity`.

    Parameters
    ----------
    legs_
        The legs to sum, e.g. ``legs(graph)`` or ``legs_through(graph, site)``.

    Returns
    -------
    list of Total
        By (unit, scope), in order of first appearance.
    """
    return sum_quantities((leg.volume, leg.unit) for leg in legs_
                          if leg.volume is not None and leg.unit)
