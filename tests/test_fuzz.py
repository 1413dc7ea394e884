"""Property tests: whatever the input, success or shiproute's own error, never a crash."""

from __future__ import annotations

from pathlib import Path
import tempfile

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiproute.cli import main
from shiproute.errors import ShiprouteError
from shiproute.gazetteer.load import load_gazetteer, read_gazetteer_file
from shiproute.routes.dates import parse_when
from shiproute.routes.importer import import_legs
from shiproute.routes.load import parse_dataset

GAZETTEER = load_gazetteer()
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

date_text = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"-?\d{1,5}(-\d{1,3}(-\d{1,3})?)?(/\d{1,5}(-\d{1,3}(-\d{1,3})?)?)?",
                  fullmatch=True),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
yaml_ish = st.text(alphabet=st.sampled_from(list("legs:-{}[], \n'\"#&*!|>%@`\\x0123.aZ")),
                   max_size=200)


@FAST
@given(date_text)
def test_dates_parse_or_raise_value_error(text: str) -> None:
    try:
        when = parse_when(text)
    except ValueError as err:
        assert str(err)
    else:
        assert when.first <= when.last


@FAST
@given(st.binary(max_size=300) | yaml_ish.map(str.encode))
def test_dataset_bytes_give_a_dataset_or_located_problems(data: bytes) -> None:
    dataset, problems = parse_dataset(data, "fuzz.yaml", GAZETTEER)
    assert dataset is not None or problems
    assert all(str(p).startswith("fuzz.yaml") for p in problems)


@FAST
@given(st.dictionaries(st.sampled_from(["from", "to", "mode", "depart", "arrive", "volume",
                                         "unit", "carrier", "sources", "path", "via",
                                         "countries", "attributes", "id"]),
                       st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=8))
def test_arbitrary_leg_fields_never_crash_the_loader(leg: dict[str, object]) -> None:
    import json

    data = json.dumps({"legs": [leg]}, default=str).encode()  # JSON is YAML
    dataset, problems = parse_dataset(data, "leg.yaml", GAZETTEER)
    assert dataset is not None or problems


@FAST
@given(st.binary(max_size=300) | yaml_ish.map(str.encode))
def test_gazetteer_bytes_load_or_raise_our_error(data: bytes) -> None:
    try:
        read_gazetteer_file("g.yaml", data=data)
    except ShiprouteError as err:
        assert str(err).startswith("g.yaml")


@FAST
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                 max_size=12), min_size=3, max_size=3), max_size=4))
def test_csv_rows_import_or_raise_our_error(rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows([["from", "to", "mode"], *rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "legs.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        try:
            import_legs(path, GAZETTEER)
        except ShiprouteError as err:
            assert "legs.csv" in str(err)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["resolve", "validate", "legs", "sites", "--json",
                                           "--gazetteer", "gazetteer", "list", "--format",
                                           "--kind", "stats", "--by", "timeline", "--unit"]),
                          st.text(max_size=10)), max_size=4))
def test_cli_arguments_never_give_a_traceback(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1, 2)
    assert result.exception is None or isinstance(result.exception, SystemExit)
