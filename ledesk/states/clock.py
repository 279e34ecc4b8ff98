"""Clocks. The domain never reads the wall clock itself; it is handed one of these."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to: simulations and tests skip 90 days in microseconds."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware instant")
        self._now = instant.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """ISO-8601 with an offset; a bare date or naive time is refused rather than guessed."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 instant (e.g. 2026-11-28T09:00:00+09:00)") from None
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset; write e.g. 2026-11-28T09:00:00+09:00")
    return value.astimezone(UTC)


def parse_day(text: str) -> date:
    """A legal date written YYYY-MM-DD, or the reason it is not one (as bad input)."""
    from ledesk.states.errors import BadInput

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{text!r} is not a date (YYYY-MM-DD)") from None


def clock_from_env() -> Clock:
    fixed = os.environ.get("LEDESK_NOW")
    return FixedClock(parse_instant(fixed)) if fixed else SystemClock()
