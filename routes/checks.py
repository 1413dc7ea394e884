"""Warnings about a dataset that reads correctly but may not say what its author means.

Two kinds of warning, both reported by ``validate`` (``--strict`` makes them
errors), and a note on places of lower precision:

- provenance: a leg, event or volume claim that cites no source;
- routes: a leg that no network could connect (drawn as a great circle), or a
  sea leg whose route crosses more than :data:`LAND_KM` of land outside the
  ports and waterways (swapped coordinates route a ship up a river; an
  inland "port" has no sea route). The land test is the independent one the
  tests use: the route against Natural Earth 10m land, 3 km disks around the
  ports and the canals, straits and rivers of the waterway list exempt;
- reference places (:func:`reference_note`): sites no gazetteer has, taken
  from the world reference layers at the precision of a city centroid or an
  airport reference point.
"""

from __future__ import annotations

from shiproute.routes.model import Dataset, Leg
from shiproute.routes.routed import RoutedDataset

LAND_KM = 5.0
"""Land a sea route may cross outside its ports before ``validate`` warns (canals,
straits narrower than the coastline data)."""
PORT_KM = 3.0


def provenance_warnings(dataset: Dataset) -> list[str]:
    """Return one warning per kind of item that cites no source, naming the items.

    Parameters
    ----------
    dataset
        The dataset.

    Returns
    -------
    list of str
    """
    warnings = []
    for kind, items in (
        ("leg", [leg.id for leg in dataset.legs if not leg.sources]),
        ("event", [f"{e.site} {e.date.text()}" for e in dataset.events if not e.sources]),
        ("volume claim", [f"{e.claimant} {e.date.text()}" for e in dataset.estimates
                          if not e.sources]),
    ):
        if items:
            verb = "cites" if len(items) == 1 else "cite"
            noun = kind if len(items) == 1 else f"{kind}s"
            warnings.append(_listed(f"{len(items)} {noun} {verb} no source", items))
    return [f"{w}; add 'sources: [id]' naming the report" for w in warnings]


def reference_note(dataset: Dataset) -> str:
    """Return a note naming the sites taken from the reference layers, or ``""``.

    They are points of lower precision (a city centroid, an airport reference
    point): the note says which, and how to make a site of one's own.

    Parameters
    ----------
    dataset
        The dataset.

    Returns
    -------
    str
    """
    from shiproute.gazetteer.reference import describe_precision, is_reference_id

    found = [s for s in dataset.sites.values() if is_reference_id(s.id)]
    if not found:
        return ""
    count = f"{len(found)} place{'s' * (len(found) > 1)} come{'s' * (len(found) == 1)}"
    listed = _listed(f"{count} from the reference layers, not from a gazetteer",
                     [f"{s.name} ({s.id}, {describe_precision(s.id)})" for s in found])
    return (f"{listed}; for exact positions copy one into your gazetteer with 'shiproute "
            f"gazetteer add ID --from {found[0].id}' and move it")


def _listed(head: str, items: list[str], shown: int = 5) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return f"{head} ({', '.join(items[:shown])}{more})"


def route_warnings(routed: RoutedDataset) -> list[str]:
    """Return a warning for every leg that could not be routed or crosses land by sea.

    Parameters
    ----------
    routed
        The routed dataset.

    Returns
    -------
    list of str
    """
    from shiproute.routes._land import land_km, line
    from shiproute.routes.routing import is_unrouted

    dataset = routed.dataset
    warnings = []
    crossing: dict[int, list[Leg]] = {}  # legs sharing a route share one warning
    for leg, route in routed.legs_with_routes():
        names = f"{dataset.sites[leg.origin].name} -> {dataset.sites[leg.destination].name}"
        if is_unrouted(route):
            reason = "; ".join(route.flags)
            warnings.append(f"{leg.mode} leg '{leg.id}' ({names}) could not be routed "
                            f"({reason}); it is drawn as a great circle")
        elif leg.mode == "sea" and leg.path is None:
            crossing.setdefault(routed.geometry_of[leg.id], []).append(leg)
    for index, legs in crossing.items():
        leg, ids = legs[0], [each.id for each in legs]
        ports = [(dataset.sites[s].lat, dataset.sites[s].lon)
                 for s in (leg.origin, *leg.via, leg.destination)]
        points = routed.geometries[index].points
        crossed = land_km(points, ports, PORT_KM)
        if crossed > LAND_KM:  # the waterways' land is water: load them only when it matters
            from shiproute.routes.waterways import waterway_corridor

            crossed = land_km(points, ports, PORT_KM, waterways=waterway_corridor(line(points)))
        if crossed > LAND_KM:
            names = f"{dataset.sites[leg.origin].name} -> {dataset.sites[leg.destination].name}"
            which = f"sea leg '{ids[0]}'" if len(ids) == 1 else \
                f"sea legs {', '.join(repr(i) for i in ids)}"
            warnings.append(f"{which} ({names}) cross{'es' * (len(ids) == 1)} "
                            f"{crossed:,.0f} km of land; check the sites' coordinates (lat and "
                            "lon swapped?) or whether a port lies inland")
    return warnings
