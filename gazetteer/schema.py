"""The JSON Schema of the gazetteer format, for editors that validate while typing.

Built with pydantic from the same closed sets the loader checks
(:data:`shiproute.gazetteer.model.Kind`). The loader stays the authority (it also
checks country codes exist and sites lie in their country); the schema
catches most mistakes while typing. Importing this module imports pydantic,
so only the ``gazetteer schema`` command does.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shiproute.gazetteer.model import Kind


class SiteEntry(BaseModel):
    """One site of the gazetteer."""

    model_config = ConfigDict(extra="forbid", title="Site")
    name: str = Field(min_length=1, description="Display name.")
    aliases: list[str] = Field(default=[], description="Other names and transliterations.")
    kind: Kind = Field(description="What the place is.")
    country: str = Field(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code.")
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS84 decimal degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS84 decimal degrees.")
    note: str = Field(default="", description="Where the coordinates come from.")


class GazetteerFile(BaseModel):
    """A shiproute gazetteer: named places with coordinates."""

    model_config = ConfigDict(extra="forbid", title="shiproute gazetteer")
    sites: dict[str, SiteEntry]


def gazetteer_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a gazetteer file.

    Returns
    -------
    dict
        The schema.
    """
    schema = GazetteerFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
