"""Small helpers shared by every figure in the product (report, moderation effect, action tracker).

contracts.md: every percentage is 100 * part / whole, rounded half away from
zero to one decimal, and null when the whole is 0. Python's round() rounds
half to even and floats cannot hold 12.25 exactly, so the sum is done in
Decimal with ROUND_HALF_UP (which, for Decimal, rounds half away from zero).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_ONE_DECIMAL = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    """100 * part / whole to one decimal, half away from zero; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
