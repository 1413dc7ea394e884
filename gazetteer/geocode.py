"""Look place names up with Nominatim (geopy), on request only, politely and cached.

Resolution never geocodes: it reads the gazetteer files. Geocoding is a
separate, explicit step that proposes candidates for the user to add. It
follows Nominatim's usage policy: a user agent naming shiproute, at most one
request per second (geopy's RateLimiter), and answers cached on disk so the
same query is never sent twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import hashlib
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shiproute.errors import GeocodeError
from shiproute.files import write_atomic

log = logging.getLogger(__name__)

PROVIDERS = ("nominatim",)
DEFAULT_ENDPOINT = "https://nominatim.openstreetmap.org"
CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place a geocoder proposes for a name.

    Parameters
    ----------
    name
        The service's display name.
    lat, lon
        Position, WGS84 degrees.
    country
        ISO alpha-2 code, upper case, when the service gives one.
    category
        The service's class/type, e.g. ``"railway/station"``.
    """

    name: str
    lat: float
    lon: float
    country: str
    category: str


def _candidates(raw: Any) -> list[Candidate]:
    found = []
    for location in raw or []:
        data = location.raw
        address = data.get("address") or {}
        found.append(Candidate(
            name=str(location.address),
            lat=float(location.latitude),
            lon=float(location.longitude),
            country=str(address.get("country_code", "")).upper(),
            category="/".join(str(data[k]) for k in ("class", "type") if data.get(k)),
        ))
    return found


def geocode(
    name: str,
    *,
    country: str | None = None,
    endpoint: str = DEFAULT_ENDPOINT,
    user_agent: str,
    cache_dir: Path | None,
    timeout_s: float = 10.0,
    limit: int = 5,
) -> list[Candidate]:
    """Return up to ``limit`` candidate places for ``name`` from a Nominatim service.

    Parameters
    ----------
    name
        The place name to look up.
    country
        ISO alpha-2 code to restrict the search to.
    endpoint
        Base URL of the service (a self-hosted Nominatim works).
    user_agent
        Identifies the tool to the service, as its usage policy requires.
    cache_dir
        Where answers are kept; ``None`` disables the cache.
    timeout_s
        How long to wait for an answer.
    limit
        Most candidates asked for.

    Returns
    -------
    list of Candidate
        Empty when the service knows no such place.

    Raises
    ------
    GeocodeError
        On a timeout, a refusal (HTTP 429 and others) or an unreadable answer.
    """
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocodeError(f"endpoint {endpoint!r} is not an http(s) URL")
    query = {"format": CACHE_FORMAT, "endpoint": endpoint, "name": name,
             "country": country, "limit": limit}
    cache_file = None
    if cache_dir is not None:
        key = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()
        cache_file = cache_dir / f"{key}.json"
        try:
            return [Candidate(**c) for c in json.loads(cache_file.read_bytes())]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as err:
            log.info("ignoring corrupt geocode cache entry %s: %s", cache_file, err)
    found = _ask(name, country, parts.scheme, parts.netloc + parts.path.rstrip("/"),
                 user_agent, timeout_s, limit)
    if cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(cache_file, json.dumps([asdict(c) for c in found]).encode())
        except OSError as err:
            log.warning("warning: can't write geocode cache %s: %s", cache_file, err)
    return found


def _ask(name: str, country: str | None, scheme: str, domain: str, user_agent: str,
         timeout_s: float, limit: int) -> list[Candidate]:
    from geopy.exc import (
        GeocoderParseError,
        GeocoderRateLimited,
        GeocoderServiceError,
        GeocoderTimedOut,
        GeopyError,
    )
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    service = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout_s)
    limiter = RateLimiter(service.geocode, min_delay_seconds=1.0, max_retries=0,
                          swallow_exceptions=False)
    try:
        raw = limiter(name, exactly_one=False, limit=limit, addressdetails=True,
                      country_codes=country.lower() if country else None)
    except GeocoderParseError as err:
        raise GeocodeError(f"{domain} sent an answer that can't be read: {err}") from None
    except GeocoderRateLimited:
        raise GeocodeError(f"{domain} refused the request: too many requests (HTTP 429); "
                           "wait a while, or use your own --endpoint") from None
    except (GeocoderTimedOut, GeocoderServiceError) as err:
        if isinstance(err, GeocoderTimedOut) or "timed out" in str(err).lower():
            raise GeocodeError(f"{domain} did not answer within {timeout_s:g} s; "
                               "try again later or use --endpoint") from None
        raise GeocodeError(f"{domain} refused the request: {err}") from None
    except (GeopyError, ValueError, KeyError, TypeError) as err:
        raise GeocodeError(f"{domain} sent an answer that can't be read: {err}") from None
    return _candidates(raw)
