"""Calendar months and financial quarters: the one definition every app uses (allocation, moderation, actions,
reports). Working days and bank holidays are in `common.workdays`.

A month is represented by the date of its first day. Financial quarters follow contracts.md: Q1 is April to
June, and the label of October to December 2019 is `Q3 2019/20`. This module sits at the bottom of the apps,
so any of them may use it.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after (negative: before) `month`'s month."""
    index = month.year * 12 + (month.month - 1) + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_ending(month: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` months ending with `month`, oldest first."""
    last = month_start(month)
    return [add_months(last, offset) for offset in range(-(count - 1), 1)]


def month_key(month: datetime.date) -> str:
    """`YYYY-MM`, as in URLs, filters and files."""
    return f"{month.year:04d}-{month.month:02d}"


# The months the product works with, in URLs and filters: wide enough for any tracker history, narrow enough
# that a month a step beyond either end (a page's previous or next link) is still a real date.
EARLIEST_MONTH = datetime.date(2000, 1, 1)
LATEST_MONTH = datetime.date(2099, 12, 1)


def is_sensible_month(month: datetime.date) -> bool:
    return EARLIEST_MONTH <= month <= LATEST_MONTH


# The days a person may type as a due, completion or exemption date: the same span as the months.
EARLIEST_DAY = EARLIEST_MONTH
LATEST_DAY = datetime.date(LATEST_MONTH.year, 12, 31)


def is_sensible_day(day: datetime.date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def sensible_day_message() -> str:
    return f"Enter a date from {EARLIEST_DAY:%-d %b %Y} to {LATEST_DAY:%-d %b %Y}."


def month_from_key(text: str) -> datetime.date | None:
    """The month a `YYYY-MM` text names, or None when it names none between EARLIEST_MONTH and LATEST_MONTH."""
    year, dash, month = (text or "").strip().partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        return None
    if not 1 <= int(month) <= 12:
        return None
    value = datetime.date(int(year), int(month), 1)
    return value if is_sensible_month(value) else None


def sensible_month_message() -> str:
    return f"Enter a month from {EARLIEST_MONTH:%B %Y} to {LATEST_MONTH:%B %Y}, for example 2026-12."


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
