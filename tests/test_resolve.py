"""Resolving names, aliases and transliterations to sites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.errors import AmbiguousPlaceError, UnknownPlaceError
from shiproute.gazetteer.model import Site
from shiproute.gazetteer.resolve import Gazetteer, normalize_name

REQUIRED = {
    "Rajin": "rajin",
    "Najin": "rajin",
    "Nakhodka": "nakhodka",
    "Dunay": "dunay",
    "Tumangang": "tumangang",
    "Khasan": "khasan",
    "Tikhoretsk": "tikhoretsk",
    "Tikhoretsk ammunition depot": "tikhoretsk-depot",
    "Vladivostok": "vladivostok",
    "Vostochny Cosmodrome": "vostochny-cosmodrome",
    "Pyongyang": "pyongyang",
}


@pytest.mark.parametrize(("name", "site_id"), REQUIRED.items())
def test_every_place_of_the_reports_resolves(gazetteer: Gazetteer, name: str, site_id: str) -> None:
    assert gazetteer.resolve(name).id == site_id


@pytest.mark.parametrize(
    ("name", "site_id"),
    [
        ("najin", "rajin"),
        ("NAJIN PORT", "rajin"),
        ("Tuman-gang", "tumangang"),
        ("tumangang station", "tumangang"),
        ("Tikhorétsk", "tikhoretsk"),
        ("Rajin/Najin", "rajin"),
        ("Najin / Rajin port", "rajin"),
        ("나진", "rajin"),
        ("라진", "rajin"),
        ("Раджин", "rajin"),
        ("Тихорецк", "tikhoretsk"),
        ("Хасан", "khasan"),
        ("두만강", "tumangang"),
        ("Владивосток", "vladivostok"),
        ("평양", "pyongyang"),
    ],
)
def test_names_match_ignoring_case_accents_hyphens_and_script(
    gazetteer: Gazetteer, name: str, site_id: str
) -> None:
    assert gazetteer.resolve(name).id == site_id


def test_unknown_name_suggests_the_nearest_names(gazetteer: Gazetteer) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("Tikhoretck")
    assert str(caught.value) == (
        "Unknown place 'Tikhoretck'; did you mean 'Tikhoretsk', 'Tikhoretsk ammunition "
        "depot' or 'Tikhoretsk, RU'? Add it to the dataset's 'sites:' or to a --gazetteer file, "
        "or add an alias."
    )


def test_unknown_name_with_nothing_close_says_how_to_add_it(gazetteer: Gazetteer) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("Xyzzy")
    assert str(caught.value) == (
        "Unknown place 'Xyzzy'. Add it to the dataset's 'sites:' or to a --gazetteer file, "
        "or add an alias."
    )


def _site(site_id: str, name: str, *aliases: str) -> Site:
    return Site(site_id, name, "port", "RU", 43.0, 132.0, aliases)


def test_name_of_two_sites_is_ambiguous_and_lists_their_ids() -> None:
    gaz = Gazetteer({
        "vostochny-port": _site("vostochny-port", "Vostochny Port", "Vostochny"),
        "vostochny-cosmodrome": _site("vostochny-cosmodrome", "Vostochny Cosmodrome", "Vostochny"),
    })
    with pytest.raises(AmbiguousPlaceError) as caught:
        gaz.resolve("vostochny")
    assert str(caught.value) == (
        "Place 'vostochny' is ambiguous: it names 'vostochny-port' (Vostochny Port, RU), "
        "'vostochny-cosmodrome' (Vostochny Cosmodrome, RU); use one of the ids"
    )
    assert gaz.resolve("vostochny-port").id == "vostochny-port"


def test_id_resolves_exactly_even_when_another_site_uses_it_as_alias() -> None:
    gaz = Gazetteer({"a": _site("a", "Alpha"), "b": _site("b", "Beta", "a")})
    assert gaz.resolve("a").id == "a"


def test_slash_form_naming_two_different_sites_is_an_error(gazetteer: Gazetteer) -> None:
    with pytest.raises(AmbiguousPlaceError) as caught:
        gazetteer.resolve("Rajin/Khasan")
    assert str(caught.value) == (
        "Place 'Rajin/Khasan' names different sites ('Rajin' is rajin, 'Khasan' is khasan); "
        "use one id"
    )


def test_layered_sites_win_over_the_base(gazetteer: Gazetteer) -> None:
    moved = Site("dunay", "Dunay", "port", "RU", 42.9, 132.4)
    assert gazetteer.layered({"dunay": moved}).resolve("Dunay").lon == 132.4
    assert gazetteer.resolve("Dunay").lon == 132.345


def test_normalize_name_drops_case_accents_spaces_and_hyphens() -> None:
    assert normalize_name("  Tumán-Gang  ") == normalize_name("tuman gang") == "tumangang"


def test_a_higher_layer_shadows_a_name_of_a_lower_one(write: Callable[[str, str], Path]) -> None:
    # a user's "Dunay" wins over the bundled Dunay (as ids do) instead of making every
    # dataset that says "Dunay" fail as ambiguous; two sites of one layer still clash
    from shiproute.gazetteer.load import load_gazetteer

    mine = write("mine.yaml", """
    sites:
      dunay-quay: {name: Dunay quay, aliases: [Dunay], kind: port, country: RU, lat: 42.89,
                   lon: 132.35}
      other-quay: {name: Other quay, aliases: [Quay], kind: port, country: RU, lat: 42.9,
                   lon: 132.4}
      third-quay: {name: Third quay, aliases: [Quay], kind: port, country: RU, lat: 42.91,
                   lon: 132.41}
    """)
    layered = load_gazetteer([mine])
    assert layered.resolve("Dunay").id == "dunay-quay"
    assert layered.resolve("dunay").id == "dunay"  # an exact id still names the bundled site
    with pytest.raises(AmbiguousPlaceError):
        layered.resolve("Quay")
    checked = CliRunner().invoke(main, ["gazetteer", "check", "--gazetteer", str(mine)])
    assert f"{mine}:2:3: warning: site 'dunay-quay': name or alias 'Dunay' shadows site " \
        "'dunay' ('Dunay') of a lower layer: datasets that name it get this site" in \
        checked.stderr
    assert checked.exit_code == 1 and "'Quay' also names site 'other-quay'" in checked.stderr
