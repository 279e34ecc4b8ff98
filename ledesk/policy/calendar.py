"""The legal calendar: Seoul dates, Korean public holidays, business days and CPA art. 66 day counting.

Instants are always timezone-aware UTC; a legal date is the date in the policy's time zone. A period
"ends" at the first instant of the day after its last day, so a deadline on a date is met by anything
done before local midnight.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class LegalCalendar:
    def __init__(self, timezone: str, country: str, extra_holidays: Iterable[date] = ()) -> None:
        self.zone = ZoneInfo(timezone)
        self.country = country
        self._extra = frozenset(extra_holidays)
        self._years: dict[int, frozenset[date]] = {}

    # -- holidays ---------------------------------------------------------------------------------
    def _holidays_of(self, year: int) -> frozenset[date]:
        found = self._years.get(year)
        if found is None:
            import holidays  # imported on first use: commands that count no days stay fast

            found = frozenset(holidays.country_holidays(self.country, years=[year]).keys())
            self._years[year] = found
        return found

    def is_holiday(self, day: date) -> bool:
        return day in self._extra or day in self._holidays_of(day.year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def roll_forward(self, day: date) -> date:
        """The day itself if it is a business day, else the next one (extend, never shorten)."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def next_business_day_after(self, day: date) -> date:
        return self.roll_forward(day + timedelta(days=1))

    def add_business_days(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self.next_business_day_after(day)
        return day

    # -- instants and local dates -----------------------------------------------------------------
    def local_date(self, instant: datetime) -> date:
        return as_utc(instant).astimezone(self.zone).date()

    def start_of(self, day: date) -> datetime:
        """First instant of a local day, in UTC."""
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    def end_of(self, day: date) -> datetime:
        """The instant a deadline on `day` passes: local midnight that ends the day, in UTC."""
        return self.start_of(day + timedelta(days=1))

    def last_day(self, deadline: datetime) -> date:
        """The local day a deadline instant (the midnight that ends it) belongs to: the inverse of end_of."""
        return self.local_date(deadline) - timedelta(days=1)

    # -- CPA art. 66 ------------------------------------------------------------------------------
    def period_last_day(self, first_day: date, days: int) -> date:
        """Last day of a period of `days` days that starts on `first_day`.

        The first day is not counted, and a last day that falls on a Saturday, Sunday or public
        holiday moves to the next business day.
        """
        return self.roll_forward(first_day + timedelta(days=days))

    def period_last_day_months(self, first_day: date, months: int) -> date:
        """Months are counted by the calendar; the period ends on the day before the same date."""
        return self.roll_forward(add_months(first_day, months))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone; LE Desk only keeps aware instants")
    return instant.astimezone(UTC)
