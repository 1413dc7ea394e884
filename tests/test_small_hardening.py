"""Small hardening: one fragment pasted twice, unknown country codes, a route to itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.maps.render import render_map
from shiproute.routes.load import bundled_dataset_path, read_dataset

from browser import Visit, deadline
from helpers import great_circles

LEGS = ".sr-map > .leaflet-map-pane .leaflet-overlay-pane path.sr-leg"
ROUTE_USAGE = "Usage: shiproute route [OPTIONS] FROM TO\nTry 'shiproute route --help' for help.\n\n"


def test_the_same_fragment_pasted_twice_gives_two_working_maps(
    visit: Callable[[Path], Visit], gazetteer: Gazetteer, tmp_path: Path
) -> None:
    fragment = render_map(great_circles(read_dataset(bundled_dataset_path(), gazetteer)),
                          embed=True).html
    host = tmp_path / "host.html"
    host.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    f"<div style='height:500px'>{fragment}</div>"
                    f"<div style='height:500px'>{fragment}</div></body></html>",
                    encoding="utf-8")
    seen = visit(host)  # waits until every root is mounted
    assert seen.errors == [] and seen.requests == []
    first, second = (seen.page.locator(".sr-root").nth(n) for n in (0, 1))
    assert first.locator(LEGS).count() == 4 and second.locator(LEGS).count() == 4
    with deadline(10):
        second.locator(".sr-toggle").first.click()  # open a panel of the second copy
        second.locator("input[data-filter='modes'][value='1']").uncheck()
    assert second.locator(LEGS).count() == 2
    assert first.locator(LEGS).count() == 4  # the first copy is a map of its own
    assert second.locator(".sr-count").inner_text() == "2 of 4 legs shown"


def _route(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["route", *args], prog_name="shiproute")
    return result.exit_code, result.stdout, result.stderr


def test_an_unknown_country_code_is_a_usage_error_naming_it() -> None:
    assert _route("Rajin", "Vladivostok", "--mode", "rail", "--countries", "RU",
                  "--countries", "ZZ") == (
        2, "", ROUTE_USAGE + "Error: Invalid value for '--countries': unknown country code "
                             "'ZZ'; give ISO 3166-1 alpha-2 codes such as RU or KZ\n")


def test_country_codes_are_taken_in_any_case() -> None:
    code, out, err = _route("Rajin", "Vladivostok", "--mode", "rail", "--countries", "ru")
    assert (code, err) == (0, "")
    assert "  rule: countries KP, RU (as the leg allows)\n" in out


@pytest.mark.parametrize(("args", "message"), [
    (["Rajin", "Rajin"], "FROM and TO are the same site ('rajin', Rajin)"),
    (["Rajin", "Najin"],
     "FROM and TO are the same site: 'Rajin' and 'Najin' both resolve to 'rajin' (Rajin)"),
    (["Rajin", "Vladivostok", "--via", "Rajin/Najin"],
     "FROM and --via are the same site: 'Rajin' and 'Rajin/Najin' both resolve to 'rajin' "
     "(Rajin)"),
])
def test_a_route_from_a_site_to_itself_is_refused(args: list[str], message: str) -> None:
    assert _route(*args, "--mode", "sea") == (
        2, "", f"{ROUTE_USAGE}Error: {message}; give two different places\n")


def test_a_round_trip_through_another_site_is_a_route() -> None:
    code, out, err = _route("Rajin", "Rajin", "--via", "Vladivostok", "--mode", "rail")
    assert (code, err) == (0, "")
    assert out.startswith("Rajin -> Vladivostok -> Rajin by rail: ")
