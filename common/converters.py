"""URL converter for an allocation month written YYYY-MM (`/audits/allocation/2026-12/`)."""

import datetime

from common.periods import is_sensible_month, month_from_key, month_key


class MonthConverter:
    # Any four digits and two: a month outside EARLIEST_MONTH..LATEST_MONTH (9999-12, 0001-01) or no month at
    # all (2026-13) is then "not found" rather than a date the pages cannot step from.
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> datetime.date:
        month = month_from_key(value)
        if month is None:
            raise ValueError(f"{value} is not a month the product works with")
        return month

    def to_url(self, value: datetime.date | str) -> str:
        month = month_from_key(value) if isinstance(value, str) else value
        if month is None or not is_sensible_month(month):
            raise ValueError(f"{value} is not a month the product works with")
        return month_key(month)
