"""The Python API: read a dataset, route it, render it, hand it to folium or geopandas.

Everything here takes paths and plain values, so a notebook needs no
hand-built objects::

    import shiproute as sr

    ds = sr.read_dataset()                      # the bundled dataset
    routed = sr.route(ds)                       # the same route cache as the CLI
    doc = sr.render(routed, title="Transfers")  # MapDocument: .save(), .html, notebook display
    m = sr.to_folium(routed)                    # a folium.Map to add your own layers to
    legs = routed.legs_frame()                  # a GeoDataFrame, one row per leg

Settings that the CLI reads from the environment (``SHIPROUTE_GAZETTEER``,
``SHIPROUTE_CACHE_DIR``) are read here too, unless a ``settings`` argument
says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from shiproute.settings import Settings

if TYPE_CHECKING:
    import folium

    from shiproute.gazetteer.model import Site
    from shiproute.gazetteer.resolve import Gazetteer
    from shiproute.maps.render import MapDocument
    from shiproute.routes.model import Dataset
    from shiproute.routes.routed import RoutedDataset

PathLike = str | Path


def _settings(settings: Settings | None) -> Settings:
    return Settings.from_environ() if settings is None else settings


def load_gazetteer(gazetteer: Sequence[PathLike] = (), *,
                   settings: Settings | None = None) -> Gazetteer:
    """Load gazetteer files layered over the bundled gazetteer.

    Parameters
    ----------
    gazetteer
        Gazetteer YAML files, highest precedence first; default: the files of
        ``SHIPROUTE_GAZETTEER``.
    settings
        Settings to use instead of the environment's; ``Settings(reference=False)``
        keeps names to the curated gazetteers.

    Returns
    -------
    Gazetteer
        A mapping of site id to :class:`~shiproute.gazetteer.model.Site` (the
        curated sites) that resolves names (``.resolve("Najin")``), looking
        names it lacks up in the world reference layers (``.resolve("Moscow")``).

    Raises
    ------
    GazetteerError
        If a file is missing or invalid; the message names file and line.
    """
    from shiproute.gazetteer.layers import gazetteer_layers
    from shiproute.gazetteer.load import load_gazetteer as load

    chosen = _settings(settings)
    layers = gazetteer_layers(gazetteer, chosen.gazetteers)
    return load([layer.path for layer in layers[:-1]], reference=chosen.reference)


def read_dataset(path: PathLike | None = None, *, gazetteer: Sequence[PathLike] = (),
                 settings: Settings | None = None) -> Dataset:
    """Read and check a dataset YAML file.

    Parameters
    ----------
    path
        The dataset; default: the bundled dataset (North Korea-Russia arms
        transfers, 2023-2024).
    gazetteer
        Gazetteer files whose sites the dataset may name (see
        :func:`load_gazetteer`).
    settings
        Settings to use instead of the environment's.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetError
        With every problem of the file, each naming its line and column.
    GazetteerError
        If a gazetteer file is invalid.

    Examples
    --------
    >>> ds = read_dataset()
    >>> [leg.id for leg in ds.legs][:2]
    ['angara-rajin-dunay', 'dunay-tikhoretsk-rail']
    """
    from shiproute.routes.load import bundled_dataset_path
    from shiproute.routes.load import read_dataset as read

    chosen = Path(path) if path is not None else bundled_dataset_path()
    return read(chosen, load_gazetteer(gazetteer, settings=settings))


def resolve(name: str, *, gazetteer: Sequence[PathLike] = (), dataset: Dataset | None = None,
            settings: Settings | None = None) -> Site:
    """Return the site a name, alias, transliteration or "A/B" form refers to.

    Parameters
    ----------
    name
        What to resolve, e.g. ``"Najin"``, ``"나진"`` or ``"Rajin/Najin"``.
    gazetteer
        Gazetteer files (see :func:`load_gazetteer`).
    dataset
        A dataset whose own ``sites:`` take precedence.
    settings
        Settings to use instead of the environment's.

    Returns
    -------
    Site

    Raises
    ------
    UnknownPlaceError
        If nothing matches; the message suggests the closest names.
    AmbiguousPlaceError
        If several sites match.
    """
    places = load_gazetteer(gazetteer, settings=settings)
    if dataset is not None:
        places = places.layered(dataset.sites)
    return places.resolve(name)


def route(dataset: Dataset, *, cache: bool = True, cache_dir: PathLike | None = None,
          settings: Settings | None = None) -> RoutedDataset:
    """Route every leg of a dataset on the offline sea, rail and air networks.

    Parameters
    ----------
    dataset
        From :func:`read_dataset`.
    cache
        Use the route cache the CLI uses, so a second call does no routing.
    cache_dir
        Base cache directory; default ``SHIPROUTE_CACHE_DIR`` or the user
        cache directory.
    settings
        Settings to use instead of the environment's.

    Returns
    -------
    RoutedDataset
        The dataset with a route per leg; ``.legs_frame()``, ``.sites_frame()``
        and ``.graph`` give it to geopandas and networkx.
    """
    from shiproute.routes.router import Router

    base = Settings(cache_dir=Path(cache_dir)) if cache_dir is not None else _settings(settings)
    return Router.with_cache_dir(base.cache_path("routes") if cache else None).route_dataset(
        dataset)


def render(routed: RoutedDataset, *, title: str | None = None, subtitle: str | None = None,
           banner: str | None = None, tiles: str = "offline", embed: bool = False,
           height: int | str | None = None) -> MapDocument:
    """Render a routed dataset as one self-contained, offline HTML map.

    Parameters
    ----------
    routed
        From :func:`route`.
    title, subtitle
        Shown above the map; default the dataset's title and description.
    banner
        Marking line shown at the top and bottom.
    tiles
        Default base layer (``"offline"``, ``"osm"``, ``"carto-light"``,
        ``"carto-dark"``, ``"esri-imagery"``).
    embed
        Make an HTML fragment to paste into another page.
    height
        Height of an embedded map and of the notebook frame, pixels or a CSS
        length; default 560 px.

    Returns
    -------
    MapDocument
        ``.save(path)``, ``.html``, ``.to_folium()``, ``.page("static")``;
        shows itself in Jupyter.

    Raises
    ------
    ValueError
        If ``tiles`` or ``height`` is not valid.
    """
    from shiproute.maps.render import render_map

    return render_map(routed, title=title, subtitle=subtitle, banner=banner, tiles=tiles,
                      embed=embed, height=height)


def to_folium(routed: RoutedDataset, *, tiles: str | None = "OpenStreetMap") -> folium.Map:
    """Return the legs and sites as a :class:`folium.Map`, to add your own layers to.

    Parameters
    ----------
    routed
        From :func:`route`.
    tiles
        folium's ``tiles`` argument; ``None`` for no base layer.

    Returns
    -------
    folium.Map
        One ``FeatureGroup`` per mode and one of sites, a ``LayerControl``,
        popups with dates, volumes, carriers and citations. Unlike
        :func:`render`, a saved folium map loads its scripts from CDNs.
    """
    from shiproute.maps.folium_map import to_folium as convert

    return convert(routed, tiles=tiles)
