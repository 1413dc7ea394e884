"""Geocoding against a hostile server on 127.0.0.1: caps, a total deadline, safe redirects.

The server trickles bytes, sends too much, redirects elsewhere, sends places
out of range or names full of terminal escapes. Each case asserts the exact
message (or output) and exit code a user sees, and what reaches the gazetteer.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
import json
from pathlib import Path
import time
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.errors import GeocodeError
from shiproute.gazetteer.geocode import Candidate, clean_text, geocode
from shiproute.gazetteer.load import read_gazetteer_file

from helpers import http_server

ESCAPED = "\x1b]0;pwned\x07\x1b[31;1mRed\x1b[0m Port\u202e,\r\nPrimorsky\x85Krai\x00\x9b2J"


def _place(lat: str = "42.8874", lon: str = "132.3417", name: str = "Dunay, Russia",
           kind: str = "village") -> dict[str, object]:
    return {"lat": lat, "lon": lon, "display_name": name, "class": "place", "type": kind,
            "address": {"country_code": "ru"}}


ANSWERS: dict[str, object] = {
    "Dunay": [_place()],
    "lon 490.4": [_place(lon="490.4")],
    "lat 95": [_place(lat="95")],
    "lat nan": [_place(lat="nan")],
    "lat of 400 digits": [{**_place(), "lat": 10 ** 399}],
    "lon missing": [{"lat": "42", "display_name": "x"}],
    "escapes": [_place(name=ESCAPED, kind="\x1b[2Jvillage")],
    "long name": [_place(name="Dunay " + "x" * 1_500_000)],
    "a text": "hello",
    "numbers": [1, 2],
    "deep": "DEEP",
}


class Hostile(BaseHTTPRequestHandler):
    """Answers /search by its q: a saved answer, or misbehaves as the name says."""

    def do_GET(self) -> None:
        name = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
        port = self.server.server_address[1]
        try:
            if name.startswith("redirect"):
                self._redirect(name, port)
            elif name == "trickle body":  # 20 s in all
                self._headers(200, 40)
                self._trickle(b"[" + b" " * 38 + b"]")
            elif name == "trickle head":  # 35 s in all
                self._trickle(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                              b"X-Slow: yes\r\n\r\n[]")
            elif name in ("3 MB", "3 MB chunked"):
                self._big(name == "3 MB chunked")
            elif name == "refused":
                body = b"<html>" + b"x" * 3_000_000
                self._headers(500, len(body))
                self.wfile.write(body)
            else:
                answer = ANSWERS.get(name, [])
                body = ("[" * 100_000 + "]" * 100_000 if answer == "DEEP"
                        else json.dumps(answer)).encode()
                self._headers(200, len(body))
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def _headers(self, status: int, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _trickle(self, data: bytes) -> None:
        for byte in data:  # a byte every half second
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.5)

    def _big(self, chunked: bool) -> None:
        if chunked:
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(48):
                chunk = b"[" + b" " * 65_535
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        body = b"[" + b" " * 3_000_000 + b"]"
        self._headers(200, len(body))
        self.wfile.write(body)

    def _redirect(self, name: str, port: int) -> None:
        target = {
            "redirect same": "/search?q=Dunay&format=json",
            "redirect host": f"http://localhost:{port}/search?q=Dunay",
            "redirect port": f"http://127.0.0.1:{port + 1}/search?q=Dunay",
            "redirect https": f"https://127.0.0.1:{port}/search?q=Dunay",
            "redirect ftp": "ftp://127.0.0.1/pub/answer.json",
            "redirect loop": "/search?q=redirect+loop",
        }[name]
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with http_server(Hostile) as address:
        yield address


def _ask(server: str, name: str, timeout_s: float = 5.0) -> list[Candidate]:
    return list(geocode(name, endpoint=f"http://{server}", user_agent="shiproute/test",
                        cache_dir=None, timeout_s=timeout_s))


def _error(server: str, name: str, timeout_s: float = 5.0) -> str:
    with pytest.raises(GeocodeError) as caught:
        _ask(server, name, timeout_s)
    return str(caught.value).replace(server, "SERVER")


# --- time and size ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["trickle body", "trickle head"])
def test_a_trickling_server_is_cut_off_at_the_total_deadline(server: str, name: str) -> None:
    started = time.monotonic()
    message = _error(server, name, timeout_s=1.5)
    assert time.monotonic() - started < 3.0  # not the 20 s or 35 s the server takes
    assert message == ("SERVER did not answer within 1.5 s; try again later or use "
                       "--endpoint")


def test_the_cli_gives_up_on_a_trickle_within_its_timeout(server: str) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["gazetteer", "geocode", "trickle body", "--endpoint",
                                       f"http://{server}", "--no-cache"])
    assert time.monotonic() - started < 12.0
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {server} did not answer within 10 s; try again later or use --endpoint\n")


@pytest.mark.parametrize("name", ["3 MB", "3 MB chunked"])
def test_an_answer_over_2_mb_is_refused_unread(server: str, name: str) -> None:
    assert _error(server, name) == ("SERVER sent an answer over 2 MB; nothing was used "
                                    "(is --endpoint a Nominatim server?)")


def test_an_error_page_is_one_short_line_whatever_its_size(server: str) -> None:
    result = CliRunner().invoke(main, ["gazetteer", "geocode", "refused", "--endpoint",
                                       f"http://{server}", "--no-cache"])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {server} refused the request: HTTP 500 Internal Server Error\n")


# --- redirects ------------------------------------------------------------------------

def test_a_redirect_within_the_same_server_is_followed(server: str) -> None:
    assert [c.name for c in _ask(server, "redirect same")] == ["Dunay, Russia"]


@pytest.mark.parametrize(("name", "target"), [
    ("redirect host", "http://localhost:{port}/search?q=Dunay"),
    ("redirect port", "http://127.0.0.1:{next}/search?q=Dunay"),
    ("redirect https", "https://127.0.0.1:{port}/search?q=Dunay"),
    ("redirect ftp", "ftp://127.0.0.1/pub/answer.json"),
])
def test_a_redirect_to_another_server_or_scheme_is_refused(server: str, name: str,
                                                          target: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    shown = target.format(port=port, next=port + 1)
    result = CliRunner().invoke(main, ["gazetteer", "geocode", name, "--endpoint",
                                       f"http://{server}", "--no-cache"])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {server} redirected the request to {shown}, another server; shiproute "
           "follows redirects only within the same scheme, host and port: give that server "
           "as --endpoint if you trust it\n")


def test_a_redirect_loop_ends(server: str) -> None:
    assert _error(server, "redirect loop") == (
        "SERVER redirected the request in a loop or more than 5 times; check --endpoint")


# --- what the answer holds ------------------------------------------------------------

@pytest.mark.parametrize(("name", "reason"), [
    ("lon 490.4", "a place at longitude 490.4 is outside [-180, 180]"),
    ("lat 95", "a place at latitude 95 is outside [-90, 90]"),
    ("lat nan", "a place at latitude nan is outside [-90, 90]"),
    ("lat of 400 digits", "a place at latitude 10000000000000000000000000000… is outside "
                          "[-90, 90]"),
    ("lon missing", "the longitude is not a number"),
    ("a text", "the answer is not a JSON list of places"),
    ("numbers", "a place is not a JSON object"),
    ("deep", "maximum recursion depth exceeded while decoding a JSON array from a unicode "
             "string"),
], ids=str)
def test_an_answer_out_of_range_or_shape_is_refused_not_normalised(
    server: str, name: str, reason: str, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("sites: {}\n")
    result = CliRunner().invoke(main, ["gazetteer", "geocode", name, "--endpoint",
                                       f"http://{server}", "--no-cache", "--gazetteer",
                                       str(mine), "--add", "x", "--yes"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: {server} sent an answer that can't be read: {reason}; nothing was "
               "used\n")
    assert mine.read_text() == "sites: {}\n"


def test_escape_sequences_are_neither_printed_nor_stored(server: str, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("sites: {}\n")
    result = CliRunner().invoke(main, ["gazetteer", "geocode", "escapes", "--endpoint",
                                       f"http://{server}", "--no-cache", "--gazetteer",
                                       str(mine), "--add", "red-port", "--kind", "port",
                                       "--yes", "--force"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("1. Red Port, Primorsky Krai (42.88740, 132.34170) RU "
                             "place/village\n"
                             f"{mine}: added 'red-port'\n")
    note = read_gazetteer_file(mine)["red-port"].note
    assert note.endswith(": Red Port, Primorsky Krai")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in mine.read_text()
                   if c != "\n")


def test_a_huge_name_is_cut_when_printed(server: str) -> None:
    result = CliRunner().invoke(main, ["gazetteer", "geocode", "long name", "--endpoint",
                                       f"http://{server}", "--no-cache"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"1. Dunay {'x' * 193}… (42.88740, 132.34170) RU place/village\n"


def test_a_poisoned_cache_entry_is_asked_again(server: str, tmp_path: Path) -> None:
    first = geocode("Dunay", endpoint=f"http://{server}", user_agent="t", cache_dir=tmp_path)
    (entry,) = tmp_path.glob("*.json")
    entry.write_text(json.dumps([{"name": "\x1b[2Jx", "lat": 42, "lon": 490.4, "country": "RU",
                                  "category": "c"}]))
    again = geocode("Dunay", endpoint=f"http://{server}", user_agent="t", cache_dir=tmp_path)
    assert again == first
    assert json.loads(entry.read_text())[0]["lon"] == 132.3417


# --- the endpoint -----------------------------------------------------------------------

@pytest.mark.parametrize(("endpoint", "why"), [
    ("http://[::1", " (Invalid IPv6 URL)"),
    ("http://host:99999", " (Port out of range 0-65535)"),
    ("ftp://127.0.0.1", ""),
    ("nominatim.openstreetmap.org", ""),
    ("http://", ""),
])
def test_a_bad_endpoint_is_a_usage_error(endpoint: str, why: str) -> None:
    result = CliRunner().invoke(main, ["gazetteer", "geocode", "Dunay", "--endpoint", endpoint])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--endpoint': {endpoint!r} is not an http(s) URL; give "
        f"e.g. https://nominatim.openstreetmap.org{why}")


def test_an_unreachable_endpoint_is_one_line() -> None:
    result = CliRunner().invoke(main, ["gazetteer", "geocode", "Dunay", "--endpoint",
                                       "http://127.0.0.1:9", "--no-cache"])
    assert (result.exit_code, result.stderr) == (
        1, "Error: can't reach 127.0.0.1:9: [Errno 111] Connection refused; check --endpoint "
           "and the network\n")


def test_clean_text_keeps_scripts_and_joiners() -> None:
    assert clean_text("Bandar\u200cAbbas \u0628\u0646\u062f\u0631 😀\x1b[0m\t\u2028x") == \
        "Bandar\u200cAbbas \u0628\u0646\u062f\u0631 😀 x"
