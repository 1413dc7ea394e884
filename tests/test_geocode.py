"""Geocoding against a Nominatim-compatible server on 127.0.0.1 (a real HTTP server)."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
import json
from pathlib import Path
import time
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.gazetteer.geocode import GeocodeError, geocode
from shiproute.gazetteer.load import read_gazetteer_file

from helpers import http_server

DUNAY = [{
    "lat": "42.8874", "lon": "132.3417", "display_name": "Dunay, Fokino, Primorsky Krai, Russia",
    "class": "place", "type": "village", "address": {"country_code": "ru"},
}]


class Nominatim(BaseHTTPRequestHandler):
    """Answers /search by the query: known name, nothing, 429, garbage, or too slowly."""

    requests: ClassVar[list[dict[str, list[str]]]] = []

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        Nominatim.requests.append({**query, "agent": [self.headers["User-Agent"]]})
        name = query.get("q", [""])[0]
        if name == "slow":
            time.sleep(1.5)
        status, body = {
            "Dunay": (200, json.dumps(DUNAY)),
            "busy": (429, "Too Many Requests"),
            "garbage": (200, "{not json"),
        }.get(name, (200, "[]"))
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout case)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with http_server(Nominatim) as address:
        yield f"http://{address}"


def test_known_place_gives_candidates_with_country_and_polite_user_agent(
    endpoint: str, tmp_path: Path
) -> None:
    found = geocode("Dunay", country="RU", endpoint=endpoint, user_agent="shiproute/test",
                    cache_dir=tmp_path)
    assert [(c.name, c.lat, c.lon, c.country, c.category) for c in found] == [
        ("Dunay, Fokino, Primorsky Krai, Russia", 42.8874, 132.3417, "RU", "place/village")
    ]
    sent = Nominatim.requests[-1]
    assert sent["agent"] == ["shiproute/test"] and sent["countrycodes"] == ["ru"]


def test_answers_are_cached_so_the_same_query_is_not_sent_twice(
    endpoint: str, tmp_path: Path
) -> None:
    before = len(Nominatim.requests)
    for _ in range(3):
        geocode("Dunay", endpoint=endpoint, user_agent="shiproute/test", cache_dir=tmp_path)
    assert len(Nominatim.requests) == before + 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("slow", "did not answer within 1 s; try again later or use --endpoint"),
        ("busy", "refused the request: too many requests (HTTP 429)"),
        ("garbage", "sent an answer that can't be read"),
    ],
)
def test_service_failures_are_clear_errors(endpoint: str, name: str, message: str) -> None:
    with pytest.raises(GeocodeError) as caught:
        geocode(name, endpoint=endpoint, user_agent="shiproute/test", cache_dir=None,
                timeout_s=1)
    assert message in str(caught.value)


def test_no_result_is_an_empty_list_and_a_cli_error(endpoint: str) -> None:
    assert geocode("Atlantis", endpoint=endpoint, user_agent="t", cache_dir=None) == []
    result = CliRunner().invoke(main, ["gazetteer", "geocode", "Atlantis", "--endpoint",
                                       endpoint, "--no-cache"])
    assert result.exit_code == 1
    assert result.stderr == "Error: no place found for 'Atlantis'\n"


def test_cli_adds_the_chosen_candidate_only_with_add_and_confirmation(
    endpoint: str, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("sites:\n  x: {name: X, kind: port, country: RU, lat: 43, lon: 131}\n")
    args = ["gazetteer", "geocode", "Dunay", "--endpoint", endpoint, "--no-cache",
            "--gazetteer", str(mine), "--add", "dunay-geo", "--kind", "port"]
    refused = CliRunner().invoke(main, args, input="n\n")
    assert refused.exit_code == 1 and "dunay-geo" not in mine.read_text()
    accepted = CliRunner().invoke(main, args, input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stderr.endswith(  # the bundled 'dunay' has the name: yours now wins
        f"{mine}:3:3: warning: site 'dunay-geo': name or alias 'Dunay' shadows site 'dunay' "
        "('Dunay') of a lower layer: datasets that name it get this site\n")
    site = read_gazetteer_file(mine)["dunay-geo"]
    assert (site.lat, site.lon, site.country, site.kind) == (42.8874, 132.3417, "RU", "port")
    assert site.note.startswith(f"Geocoded with nominatim ({endpoint}) on ")


def test_endpoint_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(GeocodeError, match="is not an http"):
        geocode("x", endpoint="ftp://example", user_agent="t", cache_dir=None)
