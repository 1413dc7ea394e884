"""Dates keep the precision the reports give them, named spans and open ends included."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
import pytest

from shiproute.routes.dates import PartialDate, When, parse_when

FORMS = ("use YYYY, YYYY-MM, YYYY-MM-DD, 'Sep 2023', 'Aug - Oct 2023', START/END, 2023-Q4, "
         "2023-H2, early/mid/late 2023 or 2023-09, 'on or before 2023-09-12' or "
         "'since 2023-10'")


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
        ("Sept. the 8th", f"'Sept. the 8th' is not a date; {FORMS}"),
        ("2023-10-01/2023-09-07", "interval ends (2023-09-07) before it starts (2023-10-01)"),
        ("2023/2024/2025", f"'2023/2024/2025' has more than one '/'; {FORMS}"),
        ("../..", "a date needs at least one end"),
        ("early 2023-09-08", "'early 2023-09-08': early, mid and late take a year or a month"),
        ("2023-Q5", f"'2023-Q5' is not a date; {FORMS}"),
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


@pytest.mark.parametrize(
    ("text", "first", "last", "label", "written"),
    [
        ("2022-Q4", "2022-10-01", "2022-12-31", "Q4 2022", "2022-Q4"),
        ("Q4 2022", "2022-10-01", "2022-12-31", "Q4 2022", "2022-Q4"),
        ("H1 2023", "2023-01-01", "2023-06-30", "H1 2023", "2023-H1"),
        ("early 2022", "2022-01-01", "2022-04-30", "early 2022", "early 2022"),
        ("mid 2022", "2022-05-01", "2022-08-31", "mid 2022", "mid 2022"),
        ("late 2022", "2022-09-01", "2022-12-31", "late 2022", "late 2022"),
        ("early March 2024", "2024-03-01", "2024-03-10", "early Mar 2024", "early 2024-03"),
        ("late 2024-02", "2024-02-21", "2024-02-29", "late Feb 2024", "late 2024-02"),
        ("8 Sep 2023", "2023-09-08", "2023-09-08", "8 Sep 2023", "2023-09-08"),
        ("September 2023", "2023-09-01", "2023-09-30", "Sep 2023", "2023-09"),
    ],
)
def test_named_spans_map_to_documented_intervals_and_keep_their_name(
    text: str, first: str, last: str, label: str, written: str
) -> None:
    when = parse_when(text)
    assert (when.first.isoformat(), when.last.isoformat()) == (first, last)
    assert (when.label(), when.text()) == (label, written)


@pytest.mark.parametrize(
    ("text", "iso", "label"),
    [
        ("on or before 2023-09-12", "../2023-09-12", "on or before 12 Sep 2023"),
        ("by 2023-09-12", "../2023-09-12", "on or before 12 Sep 2023"),
        ("before 2023-10", "../2023-09-30", "on or before 30 Sep 2023"),
        ("since 2023-10", "2023-10/..", "on or after Oct 2023"),
        ("after 2023-10", "2023-11-01/..", "on or after 1 Nov 2023"),
        ("../2023-09-12", "../2023-09-12", "on or before 12 Sep 2023"),
        ("2023-10/..", "2023-10/..", "on or after Oct 2023"),
    ],
)
def test_open_ended_dates_say_which_end_is_open(text: str, iso: str, label: str) -> None:
    when = parse_when(text)
    assert (when.iso(), when.label(), when.precision) == (iso, label, "open")
    assert when.is_open and parse_when(when.text()) == when


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Aug - Oct 2022", "2022-08/2022-10"),
        ("Aug-Oct 2022", "2022-08/2022-10"),
        ("8-12 Sep 2023", "2023-09-08/2023-09-12"),
        ("7 Sep - 1 Oct 2023", "2023-09-07/2023-10-01"),
        ("Dec 2022 \u2013 Feb 2023", "2022-12/2023-02"),
        ("from 2023-09 to 2023-12", "2023-09/2023-12"),
        ("between Aug and Oct 2022", "2022-08/2022-10"),
    ],
)
def test_ranges_read_as_reports_write_them(text: str, iso: str) -> None:
    assert parse_when(text).iso() == iso


def test_a_range_across_new_year_needs_the_start_year() -> None:
    with pytest.raises(ValueError) as caught:
        parse_when("Nov - Feb 2023")
    assert str(caught.value) == "'Nov - Feb 2023': give the start's year too, e.g. " \
        "'Nov 2022 - Feb 2023'"


def test_open_start_covers_every_earlier_day() -> None:
    when = parse_when("on or before 2023-09-12")
    assert when.overlaps(dt.date(1990, 1, 1), dt.date(1990, 1, 2))
    assert not when.overlaps(dt.date(2023, 9, 13), dt.date(2023, 12, 31))


points = st.builds(
    lambda y, m, d, precision: PartialDate(y, *(
        (None, None) if precision == 0 else (m, None) if precision == 1 else (m, min(d, 28)))),
    st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 31), st.integers(0, 2))


@st.composite
def whens(draw: st.DrawFn) -> When:
    kind = draw(st.sampled_from(["point", "span", "before", "since", "named"]))
    a, b = sorted([draw(points), draw(points)], key=lambda p: p.first)
    if kind == "point":
        return When.on(a)
    if kind == "span":
        return When(a, b) if b.last >= a.first else When.on(a)
    if kind == "before":
        return When(None, a)
    if kind == "since":
        return When(a, None)
    form = draw(st.sampled_from(["Q1", "Q4", "H1", "H2", "early", "mid", "late"]))
    text = f"{a.year}-{form}" if form[0] in "QH" else f"{form} {a.year}"
    return parse_when(text)


@given(whens())
def test_every_date_reads_back_from_its_written_form_and_its_label(when: When) -> None:
    assert parse_when(when.text()) == when
    shown = parse_when(when.label())
    assert (shown.first, shown.last) == (when.first, when.last)
    assert parse_when(when.iso()).first == when.first and parse_when(when.iso()).last == when.last
