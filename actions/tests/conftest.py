import datetime
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def today(time_machine):
    """Freeze the clock on Saturday 21 Nov 2026, 10:00 in London (the product's "today")."""
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), tick=False)
    return datetime.date(2026, 11, 21)


def at(day: datetime.date, hour: int = 10):
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)
