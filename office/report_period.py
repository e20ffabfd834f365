"""The report's period: the office's local calendar days (Europe/Berlin) and the quarters they touch.

Datetimes are stored as naive UTC; a period of days is turned into [first day 00:00, day after the last
00:00) local time, in UTC, and a stored moment back into its local day.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int
    start: date
    end: date

    @property
    def key(self):
        return f"{self.year}-Q{self.number}"


def quarters(start, end):
    """The calendar quarters the period touches, clipped to the period."""
    found, year, number = [], start.year, (start.month - 1) // 3 + 1
    while True:
        q_start = date(year, 3 * number - 2, 1)
        if q_start > end:
            return found
        q_end = (date(year + (number == 4), (3 * number) % 12 + 1, 1)) - timedelta(days=1)
        found.append(Quarter(year, number, max(q_start, start), min(q_end, end)))
        year, number = (year + 1, 1) if number == 4 else (year, number + 1)


def zone():
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def bounds(start, end):
    """Naive UTC datetimes [start 00:00, day after end 00:00) of the office's local days."""
    return utc_midnight(start), utc_midnight(end + timedelta(days=1))


def utc_midnight(day):
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def within(column, start, end):
    low, high = bounds(start, end)
    return and_(column >= low, column < high)


def local_day(value):
    """The office's local calendar day of a naive UTC datetime (a date stays what it is)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).astimezone(zone()).date()
    return value
