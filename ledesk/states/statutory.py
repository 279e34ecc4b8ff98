"""The statutory half-year reports' calendar: which half-year a date is in, when its report is due (30 days
after 30 June and 31 December, under CPA art. 66 day counting), and the reminder the compliance lead gets
before each due date. The sweep plans the coming reports and sends each reminder exactly once."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import deadlines
from ledesk.states.errors import BadInput
from ledesk.states.ledger import LEDGERS

# A reminder lands at the start of the working day, not at midnight.
REMINDER_HOUR = 9
TITLES = {"pcsa": "PCSA communication-confirmation data half-year report (PCSA art. 13(8), Decree 39)",
          "tba": "TBA subscriber data half-year report (TBA art. 83, Decree 53)"}
TITLES_KO = {"pcsa": "통신사실확인자료 제공 현황 반기 보고 (통신비밀보호법 제13조제8항)",
             "tba": "통신자료 제공 현황 반기 보고 (전기통신사업법 제83조)"}


def half_of(day: date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def bounds(half: str) -> tuple[date, date]:
    """First and last day of a half-year written `YYYY-H1` or `YYYY-H2`."""
    match = re.fullmatch(r"(\d{4})-?H([12])", half.strip().upper())
    if not match:
        raise BadInput(f"half-year {half!r} is not YYYY-H1 or YYYY-H2")
    year, part = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2099:
        raise BadInput(f"half-year {half!r}: the year runs from 2000 to 2099")
    return (date(year, 1, 1), date(year, 6, 30)) if part == 1 else (date(year, 7, 1), date(year, 12, 31))


def label(half: str) -> str:
    first, _ = bounds(half)
    return half_of(first)


def previous(half: str) -> str:
    first, _ = bounds(half)
    return half_of(first - timedelta(days=1))


def due_on(half: str, policy: Policy, cal: LegalCalendar) -> date:
    return deadlines.half_year_report_due(bounds(half)[1], policy, cal)


def remind_at(half: str, policy: Policy, cal: LegalCalendar) -> datetime:
    day = due_on(half, policy, cal) - timedelta(days=policy.ledgers.reminder_days_before)
    return cal.start_of(day) + timedelta(hours=REMINDER_HOUR)


def schedule(today: date, policy: Policy, cal: LegalCalendar) -> list[dict[str, Any]]:
    """The reports that can still be due: the last half-year's (due in the month after it ends) and this
    one's, for each ledger."""
    rows = []
    for half in (previous(half_of(today)), half_of(today)):
        due = due_on(half, policy, cal)
        if due < today:
            continue
        for name in LEDGERS:
            rows.append({"ledger": name, "half": half, "due_on": due.isoformat(),
                         "remind_at": remind_at(half, policy, cal)})
    return rows
