"""Working days: England and Wales's, so weekends and bank holidays are not (allocation due dates, Child of
Concern response times, the report's first working week)."""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # England and Wales share one list of bank holidays; the "ENG" subdivision carries it.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_day_on_or_before(day: datetime.date) -> datetime.date:
    """`day` if it is a working day, else the last working day before it (Friday 24 Dec 2027 for Sat 25 Dec)."""
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day
