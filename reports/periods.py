"""The months a report can be made for, and the days its figures can be counted to.

Months and financial quarters themselves are in `common.periods`.
"""

from __future__ import annotations

import datetime

from common.periods import add_months, month_end, month_start

# The report's sensible range: no council audited children's social care on this product before 2000, and a
# report for a month more than a year ahead has nothing in it. Addresses and dates outside get a message.
EARLIEST_REPORT_MONTH = datetime.date(2000, 1, 1)
REPORT_MONTHS_AHEAD = 12


def _uk(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def latest_report_month(today: datetime.date) -> datetime.date:
    return add_months(month_start(today), REPORT_MONTHS_AHEAD)


def check_report_month(month: datetime.date, today: datetime.date) -> None:
    """ValueError with a readable message when `month` is outside the months a report can be made for."""
    latest = latest_report_month(today)
    if not EARLIEST_REPORT_MONTH <= month_start(month) <= latest:
        raise ValueError(
            f"Reports can be made for {EARLIEST_REPORT_MONTH:%B %Y} to {latest:%B %Y}; "
            f"{month.year:04d}-{month.month:02d} is outside that range."
        )


def check_as_of(month: datetime.date, as_of: datetime.date, today: datetime.date) -> None:
    """ValueError unless `as_of` falls between the report month's first day and the later of its last day and today.

    Figures cannot be counted to a day that has not come yet, except the report month's own last day (the default).
    """
    first, last = month_start(month), max(month_end(month), today)
    if as_of < first:
        raise ValueError("The figures cannot be counted to a date before the report month starts.")
    if as_of > last:
        raise ValueError(
            f"The figures can be counted to a day from {_uk(first)} to {_uk(last)}; {_uk(as_of)} has not come yet."
        )
