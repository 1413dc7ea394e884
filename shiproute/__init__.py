"""shiproute: map documented shipments from public reports, with provenance on every line.

::

    import shiproute as sr

    ds = sr.read_dataset("my.yaml", gazetteer=["my-sites.yaml"])
    routed = sr.route(ds)
    sr.render(routed, title="My case").save("my-case.html")

The names below are the public API; they are imported on first use, so
``import shiproute`` (and the ``shiproute`` command) start fast. The
packages ``shiproute.gazetteer``, ``shiproute.routes`` and ``shiproute.maps``
hold the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shiproute.api import load_gazetteer, read_dataset, render, resolve, route, to_folium
    from shiproute.errors import (
        AmbiguousPlaceError,
        DataError,
        DatasetError,
        GazetteerError,
        ShiprouteError,
        UnknownPlaceError,
    )
    from shiproute.gazetteer.model import Site
    from shiproute.gazetteer.resolve import Gazetteer
    from shiproute.maps.render import MapDocument
    from shiproute.routes.model import Dataset, Leg, Route
    from shiproute.routes.routed import RoutedDataset

_PUBLIC = {
    "read_dataset": "shiproute.api",
    "load_gazetteer": "shiproute.api",
    "resolve": "shiproute.api",
    "route": "shiproute.api",
    "render": "shiproute.api",
    "to_folium": "shiproute.api",
    "Dataset": "shiproute.routes.model",
    "Leg": "shiproute.routes.model",
    "Route": "shiproute.routes.model",
    "RoutedDataset": "shiproute.routes.routed",
    "Site": "shiproute.gazetteer.model",
    "Gazetteer": "shiproute.gazetteer.resolve",
    "MapDocument": "shiproute.maps.render",
    "ShiprouteError": "shiproute.errors",
    "DataError": "shiproute.errors",
    "DatasetError": "shiproute.errors",
    "GazetteerError": "shiproute.errors",
    "UnknownPlaceError": "shiproute.errors",
    "AmbiguousPlaceError": "shiproute.errors",
}

__all__ = [
    "AmbiguousPlaceError",
    "DataError",
    "Dataset",
    "DatasetError",
    "Gazetteer",
    "GazetteerError",
    "Leg",
    "MapDocument",
    "Route",
    "RoutedDataset",
    "ShiprouteError",
    "Site",
    "UnknownPlaceError",
    "__version__",
    "load_gazetteer",
    "read_dataset",
    "render",
    "resolve",
    "route",
    "to_folium",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from shiproute.settings import package_version

        return package_version()
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'shiproute' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
