"""Sites and routed legs as geopandas GeoDataFrames (EPSG:4326), for notebooks and GIS.

One row per leg or site, every attribute in a typed column: text as pandas
``string``, numbers as ``float64``, dates twice (the ISO 8601 text at its
precision, e.g. ``"2023-09"`` or ``"2023-09-07/2023-10-01"``, and the first
and last day it can mean as timestamps), sources and flags as lists.

Going back from frames to a dataset is not supported: a frame flattens the
sources, events and volume claims a dataset holds. Keep the YAML as the
record; use these frames to analyse and draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shiproute.routes.dates import When
from shiproute.routes.model import Dataset

if TYPE_CHECKING:
    import geopandas
    import pandas

    from shiproute.routes.routed import RoutedDataset

CRS = "EPSG:4326"


def _when_columns(prefix: str, values: list[When | None]) -> dict[str, Any]:
    import pandas as pd

    return {
        prefix: pd.array([w.iso() if w else None for w in values], dtype="string"),
        # an open end ("on or before ...", "since ...") is unknown: NaT
        f"{prefix}_first": pd.to_datetime([w.start.first if w and w.start else None
                                           for w in values]),
        f"{prefix}_last": pd.to_datetime([w.end.last if w and w.end else None for w in values]),
    }


def _text(values: list[str | None]) -> pandas.api.extensions.ExtensionArray:
    import pandas as pd

    return pd.array(values, dtype="string")


def legs_frame(routed: RoutedDataset) -> geopandas.GeoDataFrame:
    """Return one row per leg with its routed geometry and every attribute.

    Parameters
    ----------
    routed
        A routed dataset.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by leg id, CRS EPSG:4326, LineString geometries (lon/lat).
        Columns: ``from``, ``to``, ``from_name``, ``to_name``, ``mode``,
        ``depart``/``arrive`` (ISO text) with ``_first``/``_last``
        timestamps (NaT when unknown or open), ``volume`` (float, NaN when not
        stated) with ``volume_low``/``volume_high`` (its bounds; ``inf`` when
        open above), ``qualifier``, ``scope`` ("shipment" or "total"),
        ``unit``, ``carrier``, ``basis``, ``reasoning``, ``from_reported_as``
        and ``to_reported_as``, ``sources`` (list of source ids), ``note``,
        ``via``, ``countries`` (lists), ``distance_km``, ``distance_nm``,
        ``route_source``, ``route_rule``, ``flags`` and ``route_countries``
        (lists).
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    dataset = routed.dataset
    legs = list(dataset.legs)
    routes = [routed.route(leg.id) for leg in legs]
    sites = dataset.sites
    lines = [shapely.LineString([(lon, lat) for lat, lon in r.points]) for r in routes]
    columns: dict[str, Any] = {
        "from": _text([leg.origin for leg in legs]),
        "to": _text([leg.destination for leg in legs]),
        "from_name": _text([sites[leg.origin].name for leg in legs]),
        "to_name": _text([sites[leg.destination].name for leg in legs]),
        "mode": pd.Categorical([leg.mode for leg in legs]),
        **_when_columns("depart", [leg.depart for leg in legs]),
        **_when_columns("arrive", [leg.arrive for leg in legs]),
        "volume": np.array([leg.volume.value if leg.volume else np.nan for leg in legs],
                           dtype=float),
        "volume_low": np.array([leg.volume.bounds()[0] if leg.volume else np.nan
                                for leg in legs], dtype=float),
        "volume_high": np.array([leg.volume.bounds()[1] if leg.volume else np.nan
                                 for leg in legs], dtype=float),
        "qualifier": _text([leg.volume.qualifier if leg.volume else None for leg in legs]),
        "scope": _text([leg.volume.scope if leg.volume else None for leg in legs]),
"unit": _text([leg.unit for leg in legs]),
        "carrier": _text([leg.carrier for leg in legs]),
        "basis": pd.Categorical([leg.basis for leg in legs], categories=["reported", "inferred"]),
        "reasoning": _text([leg.reasoning for leg in legs]),
        "from_reported_as": _text([leg.origin_reported_as for leg in legs]),
        "to_reported_as": _text([leg.destination_reported_as for leg in legs]),
        "sources": [list(leg.sources) for leg in legs],
        "note": _text([leg.note for leg in legs]),
        "via": [list(leg.via) for leg in legs],
        "countries": [list(leg.countries) for leg in legs],
        "distance_km": np.array([r.distance_km for r in routes], dtype=float),
        "distance_nm": np.array([r.distance_nm for r in routes], dtype=float),
        "route_source": _text([r.source for r in routes]),
        "route_rule": _text([r.rule for r in routes]),
        "flags": [list(r.flags) for r in routes],
        "route_countries": [list(r.countries) for r in routes],
    }
    index = pd.Index([leg.id for leg in legs], name="id", dtype="string")
    return gpd.GeoDataFrame(columns, geometry=lines, crs=CRS, index=index)


def sites_frame(dataset: Dataset) -> geopandas.GeoDataFrame:
    """Return one row per site the dataset uses, with its legs and events counted.

    Parameters
    ----------
    dataset
        A dataset.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by site id, CRS EPSG:4326, Point geometries. Columns:
        ``name``, ``kind``, ``country``, ``lat``, ``lon``, ``aliases``
        (list), ``note``, ``legs_in``, ``legs_out``, ``events``.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    sites = list(dataset.sites.values())
    legs_in = dict.fromkeys(dataset.sites, 0)
    legs_out = dict.fromkeys(dataset.sites, 0)
    events = dict.fromkeys(dataset.sites, 0)
    for leg in dataset.legs:
        legs_out[leg.origin] += 1
        legs_in[leg.destination] += 1
    for event in dataset.events:
        events[event.site] += 1
    lat = np.array([s.lat for s in sites], dtype=float)
    lon = np.array([s.lon for s in sites], dtype=float)
    columns: dict[str, Any] = {
        "name": _text([s.name for s in sites]),
        "kind": pd.Categorical([s.kind for s in sites]),
        "country": _text([s.country for s in sites]),
        "lat": lat,
        "lon": lon,
        "aliases": [list(s.aliases) for s in sites],
        "note": _text([s.note or None for s in sites]),
        "legs_in": np.array([legs_in[s.id] for s in sites], dtype=np.int64),
        "legs_out": np.array([legs_out[s.id] for s in sites], dtype=np.int64),
        "events": np.array([events[s.id] for s in sites], dtype=np.int64),
    }
    index = pd.Index([s.id for s in sites], name="id", dtype="string")
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(lon, lat), crs=CRS,
                            index=index)
