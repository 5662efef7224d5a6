"""Percentages as contracts.md defines them."""

from decimal import Decimal

import pytest

from common.figures import percent


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 8, Decimal("12.5")),
        (1, 16, Decimal("6.3")),  # 6.25 rounds half away from zero, not to even
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (5, 5, Decimal("100.0")),
        (0, 7, Decimal("0.0")),
    ],
)
def test_percent_rounds_half_away_from_zero_to_one_decimal(part, whole, expected):
    assert percent(part, whole) == expected


def test_percent_is_none_when_the_whole_is_zero():
    assert percent(0, 0) is None
