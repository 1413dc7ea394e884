"""Look place names up with a Nominatim service, on request only, politely, safely and cached.

Resolution never geocodes: it reads the gazetteer files. Geocoding is a
separate, explicit step that proposes candidates for the user to add. It
follows Nominatim's usage policy: a user agent naming shiproute, one request
per lookup, and answers cached on disk so the same query is never sent twice.

The service is not trusted. One request (redirects included) must finish
within the timeout, however slowly the server sends; an answer over
:data:`MAX_RESPONSE_BYTES` is refused; redirects are followed only to the same
scheme, host and port (never to another server, never to ``ftp://``); a place
whose raw latitude or longitude is not a finite number in range makes the whole
answer refused (never normalised, as geopy's ``Point`` would turn a longitude of
490.4 into 130.4); control characters and terminal escape sequences are
removed from every text, and a name is cut to :data:`MAX_NAME_CHARS`.

This talks HTTP with the standard library rather than through geopy: geopy's
adapters (requests, urllib) read a whole answer, apply the timeout to each
socket operation rather than to the request (a server sending a byte every
half second is never timed out), follow redirects to any host (urllib even to
``ftp://``), and its Nominatim parser normalises coordinates, so both the
transport and the parsing had to be ours.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from dataclasses import asdict, dataclass
import hashlib
import http.client
import json
import logging
import math
from pathlib import Path
import re
import socket
import threading
import time
from typing import Any
import unicodedata
import urllib.error
from urllib.parse import SplitResult, urlencode, urlsplit
import urllib.request

from shiproute.errors import GeocodeError
from shiproute.files import write_atomic

log = logging.getLogger(__name__)

PROVIDERS = ("nominatim",)
DEFAULT_ENDPOINT = "https://nominatim.openstreetmap.org"
CACHE_FORMAT = 1
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
"""Largest answer read, in bytes (2 MB); a Nominatim answer of 50 places is ~100 kB."""
MAX_REDIRECTS = 5
"""Most redirects followed, each within the same scheme, host and port."""
MAX_NAME_CHARS = 200
"""Longest place name kept; a longer one is cut and ends in "…"."""

_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x1b[ -/]*[0-~]?"  # any other escape
)
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_COUNTRY = re.compile(r"[A-Z]{2}")


def clean_text(text: str, limit: int | None = None) -> str:
    """Remove terminal escape sequences and control characters from a service's text.

    Escape sequences go whole; line breaks and tabs (including U+2028,
    U+2029 and U+0085) become spaces, and runs of spaces one; other control
    characters and bidi overrides go. Joiners (ZWJ, ZWNJ) stay: scripts need them.

    Parameters
    ----------
    text
        The text as received.
    limit
        Longest result, in characters; a longer text is cut and ends in "…".

    Returns
    -------
    str
        One line, safe to print and to store.
    """
    out = []
    for char in _ESCAPES.sub("", text):
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or char in "\t\n\v\f\r\x85":
            out.append(" ")
        elif category != "Cc" and char not in _BIDI:
            out.append(char)
    cleaned = re.sub(" {2,}", " ", "".join(out)).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[:limit - 1] + "…"
    return cleaned


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place a geocoder proposes for a name.

    Parameters
    ----------
    name
        The service's display name, cleaned (see :func:`clean_text`).
    lat, lon
        Position, WGS84 degrees, as the service sent them (never normalised).
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


def _coordinate(value: Any, what: str, bound: float) -> float:
    """Return a latitude or longitude as sent (a number or its text), or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"the {what} is not a number")
    try:
        number = float(value)  # ValueError for text that is no number
    except OverflowError:  # an int of 400 digits
        number = math.inf
    if not (math.isfinite(number) and -bound <= number <= bound):
        raise ValueError(f"a place at {what} {clean_text(str(value), 30)} is outside "
                         f"[-{bound:g}, {bound:g}]")
    return number


def _checked(name: Any, lat: Any, lon: Any, country: Any, category: Any) -> Candidate:
    """Return a candidate with clean texts and coordinates in range, or raise ValueError."""
    code = str(country).upper()
    return Candidate(
        name=clean_text(str(name), MAX_NAME_CHARS),
        lat=_coordinate(lat, "latitude", 90),
        lon=_coordinate(lon, "longitude", 180),
        country=code if _COUNTRY.fullmatch(code) else "",
        category=clean_text(str(category), MAX_NAME_CHARS),
    )


def _candidate(place: Any) -> Candidate:
    """Build a candidate from one place of a Nominatim answer; raise ValueError if it is bad."""
    if not isinstance(place, dict):
        raise ValueError("a place is not a JSON object")
    address = place.get("address")
    country = address.get("country_code", "") if isinstance(address, dict) else ""
    category = "/".join(str(place[k]) for k in ("class", "type") if place.get(k))
    return _checked(place.get("display_name", ""), place.get("lat"), place.get("lon"),
                    country, category)


def check_endpoint(endpoint: str) -> SplitResult:
    """Return the parts of a service's base URL, or raise ValueError saying what is wrong.

    Parameters
    ----------
    endpoint
        E.g. ``https://nominatim.openstreetmap.org``.

    Returns
    -------
    urllib.parse.SplitResult

    Raises
    ------
    ValueError
        If it is not an http(s) URL with a host (and a valid port).
    """
    usage = f"{endpoint!r} is not an http(s) URL; give e.g. {DEFAULT_ENDPOINT}"
    try:
        parts = urlsplit(endpoint)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as err:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        raise ValueError(f"{usage} ({err})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ValueError(usage)
    return parts


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
        How long the whole request may take, redirects and all, in seconds.
    limit
        Most candidates asked for.

    Returns
    -------
    list of Candidate
        Empty when the service knows no such place.

    Raises
    ------
    GeocodeError
        On a bad endpoint, a timeout, a refusal (HTTP 429 and others), a
        redirect to another server, an answer over :data:`MAX_RESPONSE_BYTES`,
        or one that can't be read or has a place out of range.
    """
    try:
        parts = check_endpoint(endpoint)
    except ValueError as err:
        raise GeocodeError(f"endpoint {err}") from None
    query = {"format": CACHE_FORMAT, "endpoint": endpoint, "name": name,
             "country": country, "limit": limit}
    cache_file = None
    if cache_dir is not None:
        key = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()
        cache_file = cache_dir / f"{key}.json"
        cached = _cached(cache_file)
        if cached is not None:
            return cached
    params = {"q": name, "format": "json", "limit": limit, "addressdetails": 1}
    if country:
        params["countrycodes"] = country.lower()
    url = f"{endpoint.rstrip('/')}/search?{urlencode(params)}"
    domain = parts.netloc + parts.path.rstrip("/")
    found = _answer(_fetch(url, user_agent, timeout_s, domain), domain)
    if cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(cache_file, json.dumps([asdict(c) for c in found]).encode())
        except OSError as err:
            log.warning("warning: can't write geocode cache %s: %s", cache_file, err)
    return found


def _cached(path: Path) -> list[Candidate] | None:
    """Return the candidates cached in ``path``, or ``None`` when missing or bad (logged)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RESPONSE_BYTES + 1)
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ValueError("too big")
        entries = json.loads(raw)
        if not isinstance(entries, list):
            raise ValueError("not a list")
        return [_checked(**entry) for entry in entries]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as err:
        log.info("ignoring corrupt geocode cache entry %s: %s", path, err)
        return None


def _answer(body: bytes, domain: str) -> list[Candidate]:
    """Return the candidates of a Nominatim answer, or raise GeocodeError."""
    try:
        places = json.loads(body)
        if not isinstance(places, list):
            raise ValueError("the answer is not a JSON list of places")
        return [_candidate(place) for place in places]
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        reason = clean_text(str(err), 120)
        raise GeocodeError(f"{domain} sent an answer that can't be read: {reason}; "
                           "nothing was used") from None


class _Watchdog:
    """Shut down a request's sockets when its deadline passes, wherever it is blocked."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True

    def left(self) -> float:
        """Seconds before the deadline (at least a millisecond, for socket timeouts)."""
        return max(self.deadline - time.monotonic(), 0.001)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                _shut(sock)

    def watch(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                _shut(sock)

    def connection(self, cls: type[http.client.HTTPConnection]
                   ) -> Callable[..., http.client.HTTPConnection]:
        """Return a factory of ``cls`` connections whose sockets this watchdog guards."""
        watchdog = self

        class Watched(cls):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                self.timeout = watchdog.left()
                super().connect()
                watchdog.watch(self.sock)

        return Watched


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.watchdog.connection(http.client.HTTPConnection), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.watchdog.connection(http.client.HTTPSConnection), req,
                            context=self._context)  # type: ignore[attr-defined]


class _SameServer(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        old, new = urlsplit(req.full_url), urlsplit(newurl)
        if (new.scheme, new.hostname, new.port) != (old.scheme, old.hostname, old.port):
            target = clean_text(newurl, 80)
            raise GeocodeError(f"{old.netloc} redirected the request to {target}, another "
                               "server; shiproute follows redirects only within the same "
                               "scheme, host and port: give that server as --endpoint if "
                               "you trust it")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(url: str, user_agent: str, timeout_s: float, domain: str) -> bytes:
    """GET ``url`` within ``timeout_s`` in all; return at most MAX_RESPONSE_BYTES of body."""
    watchdog = _Watchdog(timeout_s)
    opener = urllib.request.build_opener(_HTTP(watchdog), _HTTPS(watchdog), _SameServer())
    request = urllib.request.Request(url, headers={"User-Agent": user_agent,
                                                   "Accept": "application/json"})
    watchdog.timer.start()
    try:
        with opener.open(request, timeout=timeout_s) as response:
            size = response.headers.get("Content-Length", "")
            if size.isdigit() and int(size) > MAX_RESPONSE_BYTES:
                raise _too_big(domain)
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as err:
        err.close()
        if watchdog.expired:
            raise _late(domain, timeout_s) from None
        if 300 <= err.code < 400:  # a loop, or more than MAX_REDIRECTS
            raise GeocodeError(f"{domain} redirected the request in a loop or more than "
                               f"{MAX_REDIRECTS} times; check --endpoint") from None
        raise _refused(domain, err.code, err.reason) from None
    except (OSError, http.client.HTTPException) as err:  # URLError, timeouts, resets
        if watchdog.expired or isinstance(err, TimeoutError) or \
                isinstance(getattr(err, "reason", None), TimeoutError):
            raise _late(domain, timeout_s) from None
        reason = clean_text(str(getattr(err, "reason", err)), 120)
        raise GeocodeError(f"can't reach {domain}: {reason}; check --endpoint and the "
                           "network") from None
    finally:
        watchdog.timer.cancel()
    if watchdog.expired:
        raise _late(domain, timeout_s)
    if len(body) > MAX_RESPONSE_BYTES:
        raise _too_big(domain)
    return body


def _late(domain: str, timeout_s: float) -> GeocodeError:
    return GeocodeError(f"{domain} did not answer within {timeout_s:g} s; "
                        "try again later or use --endpoint")


def _too_big(domain: str) -> GeocodeError:
    limit = MAX_RESPONSE_BYTES // 1024 // 1024
    return GeocodeError(f"{domain} sent an answer over {limit} MB; nothing was used "
                        "(is --endpoint a Nominatim server?)")


def _refused(domain: str, status: int, reason: Any) -> GeocodeError:
    if status == 429:
        return GeocodeError(f"{domain} refused the request: too many requests (HTTP 429); "
                            "wait a while, or use your own --endpoint")
    shown = clean_text(str(reason), 80)
    return GeocodeError(f"{domain} refused the request: HTTP {status} {shown}".rstrip())
