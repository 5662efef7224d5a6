"""URL converter for an allocation month written YYYY-MM (`/audits/allocation/2026-12/`)."""

import datetime


class MonthConverter:
    # Years 1900-2099: wide enough for any tracker history, and the month page's
    # previous/next links can never step outside the calendar.
    regex = r"(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> datetime.date:
        year, month = value.split("-")
        return datetime.date(int(year), int(month), 1)

    def to_url(self, value: datetime.date | str) -> str:
        if isinstance(value, datetime.date):
            return f"{value.year:04d}-{value.month:02d}"
        return value
