"""Calendar months: the one definition every app uses (allocation, moderation, actions, reports).

A month is represented by the date of its first day.
"""

from __future__ import annotations

import calendar
import datetime


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
