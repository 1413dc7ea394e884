# %% [markdown]
# # shiproute in a notebook
#
# Load the bundled dataset (North Korean munitions shipped to Russia, 2023-2024),
# route it on the offline networks, render the self-contained map, hand the same
# legs to folium to add a layer of your own, and write a GeoPackage with geopandas.
# Runs as a script too: `python examples/notebook.py [OUTPUT_DIR]`.

# %%
from pathlib import Path
import sys

import folium

import shiproute as sr

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()

# %% Read and route: the same route cache as the command line, so a second run is instant.
dataset = sr.read_dataset()
routed = sr.route(dataset)
print(routed)

# %% The self-contained map (opens offline); in Jupyter, `doc` alone displays it.
doc = sr.render(routed, title="North Korea-Russia transfers")
doc.save(out / "transfers.html")

# %% The folium way: the same legs and sites, then a layer of your own.
fmap = doc.to_folium()
folium.Marker(
    [43.107, 131.893], tooltip="Vladivostok: analyst's note", icon=folium.Icon(color="gray")
).add_to(fmap)
fmap.save(str(out / "transfers-folium.html"))

# %% GeoDataFrames: one row per leg with its routed line, one row per site.
legs = routed.legs_frame()
sites = routed.sites_frame()
print(legs[["from_name", "to_name", "mode", "depart", "volume", "unit", "distance_km"]])

# %% A GeoPackage for QGIS (list columns such as `sources` are joined into text first).
legs = legs.assign(sources=legs["sources"].str.join(", "))
columns = ["from", "to", "mode", "depart", "depart_first", "volume", "unit", "carrier",
           "sources", "distance_km", "geometry"]
legs[columns].to_file(out / "transfers.gpkg", layer="legs", driver="GPKG")
sites[["name", "kind", "country", "geometry"]].to_file(out / "transfers.gpkg", layer="sites",
                                                       driver="GPKG", mode="a")
print(f"wrote {out / 'transfers.gpkg'}")
