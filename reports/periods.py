"""Calendar arithmetic for the report: months, financial quarters and their labels.

Financial quarters follow contracts.md: Q1 is April to June, and the label of
October to December 2019 is `Q3 2019/20`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# The report's modules read months from here too.
from audits.periods import add_months, month_end, month_key, month_start, months_ending  # noqa: F401


def parse_month(value: str) -> datetime.date:
    """`YYYY-MM` to the month's first day; ValueError with a readable message otherwise."""
    try:
        parsed = datetime.datetime.strptime(value.strip(), "%Y-%m").date()
    except (AttributeError, ValueError):
        raise ValueError(f"'{value}' is not a month in the form YYYY-MM, for example 2026-10.") from None
    return parsed


def parse_day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ValueError(f"'{value}' is not a date in the form YYYY-MM-DD, for example 2026-10-31.") from None


@dataclass(frozen=True)
class Quarter:
    label: str
    start: datetime.date
    # Exclusive end: the first day after the quarter (or after the report month, for the last quarter).
    end: datetime.date


def quarter_of(month: datetime.date) -> Quarter:
    """The financial quarter holding `month` (full quarter)."""
    months_into_year = (month.month - 4) % 12
    number = months_into_year // 3 + 1
    start = add_months(month_start(month), -(months_into_year % 3))
    first_year = month.year if month.month >= 4 else month.year - 1
    label = f"Q{number} {first_year}/{(first_year + 1) % 100:02d}"
    return Quarter(label=label, start=start, end=add_months(start, 3))


def quarters_ending(month: datetime.date, count: int) -> list[Quarter]:
    """The `count` quarters ending with the one holding `month`, oldest first.

    The last quarter stops at `month` (contracts.md: it counts only the months
    up to and including the report month).
    """
    current = quarter_of(month)
    quarters = [quarter_of(add_months(current.start, -3 * offset)) for offset in range(count - 1, 0, -1)]
    quarters.append(Quarter(label=current.label, start=current.start, end=add_months(month_start(month), 1)))
    return quarters
