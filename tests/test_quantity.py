"""Quantities as reports state them, and totals that carry their bounds."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
import pytest

from shiproute.routes.quantity import QUALIFIERS, Quantity, parse_quantity, sum_quantities


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier", "bounds"),
    [
        ("300", 300, 300, "exact", (300, 300)),
        ("about 300", 300, 300, "about", (240, 360)),
        ("~300", 300, 300, "about", (240, 360)),
        ("c. 300", 300, 300, "about", (240, 360)),
        ("300-400", 300, 400, "exact", (300, 400)),
        ("300 to 400", 300, 400, "exact", (300, 400)),
        ("between 300 and 400", 300, 400, "exact", (300, 400)),
        ("300+", 300, 300, "at least", (300, math.inf)),
        ("300 or more", 300, 300, "at least", (300, math.inf)),
        ("more than 1,000", 1000, 1000, "more than", (1000, math.inf)),
        ("over 1,000", 1000, 1000, "more than", (1000, math.inf)),
        ("at least 10k", 10_000, 10_000, "at least", (10_000, math.inf)),
        ("up to 50", 50, 50, "at most", (0, 50)),
        ("less than 1.5 million", 1_500_000, 1_500_000, "less than", (0, 1_500_000)),
        ("about 300-400", 300, 400, "about", (240, 480)),
    ],
)
def test_report_phrasings_parse_with_their_bounds(
    text: str, low: float, high: float, qualifier: str, bounds: tuple[float, float]
) -> None:
    quantity = parse_quantity(text)
    assert (quantity.low, quantity.high, quantity.qualifier) == (low, high, qualifier)
    assert quantity.bounds() == pytest.approx(bounds)


FORMS = "write e.g. 300, about 300, 300-400, 300+, more than 300, at least 300, at most 300"


@pytest.mark.parametrize(
    ("text", "message"),
    [(text, f"'{text}' is not a quantity; {FORMS}")
     for text in ["lots", "300-", "about", "-5", "1e400"]]
    + [("more than 300+", "'more than 300+' qualifies the figure twice")],
)
def test_unreadable_quantities_name_the_accepted_forms(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_quantity(text)
    assert str(caught.value) == message


def test_a_range_must_run_upwards() -> None:
    with pytest.raises(ValueError, match="range 400-300 runs backwards"):
        parse_quantity("400-300")


def test_at_least_40_and_about_60_drones_add_to_88_or_more() -> None:
    totals = sum_quantities([(parse_quantity("at least 40"), "drones"),
                             (parse_quantity("about 60"), "drones")])
    (drones,) = totals
    assert (drones.stated, drones.low, drones.open_ended) == (100, 88, True)
    assert drones.label() == "88 or more"


def test_units_and_scopes_are_never_added_together() -> None:
    totals = sum_quantities([
        (parse_quantity("300"), "drones"), (parse_quantity("100"), "crates"),
        (parse_quantity("about 2000", scope="total"), "drones"), (parse_quantity("20"), "drones"),
    ])
    assert [(t.unit, t.scope, t.count, t.label()) for t in totals] == [
        ("drones", "shipment", 2, "320"), ("crates", "shipment", 1, "100"),
        ("drones", "total", 1, "1,600-2,400"),
    ]


figures = st.one_of(st.integers(0, 10**9).map(float),
                    st.decimals(0, 10**6, places=2).map(float))


@st.composite
def quantities(draw: st.DrawFn) -> Quantity:
    low = draw(figures)
    high = draw(st.one_of(st.just(low), figures.filter(lambda v: v >= low)))
    qualifier = draw(st.sampled_from(QUALIFIERS))
    if qualifier != "exact" and qualifier != "about":
        high = low  # bounds on one figure; ranges take exact or about
    return Quantity(low, high, qualifier)  # type: ignore[arg-type]


@given(quantities())
def test_every_quantity_reads_back_from_its_written_form(quantity: Quantity) -> None:
    assert parse_quantity(quantity.text()) == quantity
