"""Dates keep the precision the reports give them."""

from __future__ import annotations

import datetime as dt

import pytest

from shiproute.routes.dates import parse_when


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("2023", "2023-01-01", "2023-12-31", "2023"),
        ("2023-09", "2023-09-01", "2023-09-30", "Sep 2023"),
        ("2024-02", "2024-02-01", "2024-02-29", "Feb 2024"),
        ("2023-09-08", "2023-09-08", "2023-09-08", "8 Sep 2023"),
        ("2023-09-07/2023-10-01", "2023-09-07", "2023-10-01", "7 Sep - 1 Oct 2023"),
        ("2023-09-08/2023-09-12", "2023-09-08", "2023-09-12", "8-12 Sep 2023"),
        ("2023-08/2023-10", "2023-08-01", "2023-10-31", "Aug - Oct 2023"),
        ("2023-12/2024-03", "2023-12-01", "2024-03-31", "Dec 2023 - Mar 2024"),
        ("2023/2024-03-18", "2023-01-01", "2024-03-18", "2023 - 18 Mar 2024"),
    ],
)
def test_a_date_covers_every_day_its_precision_allows(
    text: str, first: str, last: str, label: str
) -> None:
    when = parse_when(text)
    assert when.first == dt.date.fromisoformat(first)
    assert when.last == dt.date.fromisoformat(last)
    assert when.label() == label
    assert when.iso() == text


def test_month_precision_is_kept_not_turned_into_the_first() -> None:
    when = parse_when("2023-09")
    assert when.start.precision == "month"
    assert when.iso() == "2023-09"


def test_bare_year_from_yaml_integer_and_date_objects_are_accepted() -> None:
    assert parse_when(2023).iso() == "2023"
    assert parse_when(dt.date(2023, 9, 8)).iso() == "2023-09-08"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-13-01", "'2023-13-01' is not a real date: month 13 is not 1-12"),
        ("2023-02-30", "'2023-02-30' is not a real date: February 2023 has no day 30 (1-28)"),
        ("8 Sep 2023", "'8 Sep 2023' is not a date; use YYYY, YYYY-MM, YYYY-MM-DD or an "
                       "interval START/END"),
        ("2023-10-01/2023-09-07", "interval ends (2023-09-07) before it starts (2023-10-01)"),
        ("2023/2024/2025", "'2023/2024/2025' has more than one '/'; use YYYY, YYYY-MM, "
                           "YYYY-MM-DD or an interval START/END"),
    ],
)
def test_bad_dates_name_the_value_and_the_accepted_forms(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_when(text)
    assert str(caught.value) == message


def test_overlap_counts_any_shared_day() -> None:
    when = parse_when("2023-09-07/2023-10-01")
    assert when.overlaps(dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    assert not when.overlaps(dt.date(2023, 10, 2), dt.date(2023, 12, 31))
