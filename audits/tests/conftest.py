"""Fixtures shared by the audits app's tests."""

import datetime
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture
def allocation_today(time_machine):
    """Freeze the clock at 10:00 on Saturday 21 Nov 2026 (London), the day the allocation tests plan from."""
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
