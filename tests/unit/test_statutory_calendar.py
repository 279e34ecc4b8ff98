"""The statutory half-year reports' due dates and reminders, on the Seoul calendar (CPA art. 66)."""

from __future__ import annotations

from datetime import date

import pytest

from ledesk.states import statutory
from ledesk.states.errors import BadInput
from tests.factories import calendar, policy, seoul

P = policy()
CAL = calendar(P)


def test_the_second_half_of_2026_is_due_on_monday_1_february_2027_because_30_january_is_a_saturday() -> None:
    assert date(2027, 1, 30).weekday() == 5
    assert statutory.due_on("2026-H2", P, CAL) == date(2027, 2, 1)
    assert statutory.remind_at("2026-H2", P, CAL) == seoul(2027, 1, 18, 9)


def test_a_due_date_on_a_weekday_stays_and_one_on_a_sunday_moves_to_monday() -> None:
    assert date(2027, 7, 30).weekday() == 4
    assert statutory.due_on("2027-H1", P, CAL) == date(2027, 7, 30)
    assert date(2028, 7, 30).weekday() == 6
    assert statutory.due_on("2028-H1", P, CAL) == date(2028, 7, 31)


def test_a_due_date_on_a_public_holiday_moves_past_it() -> None:
    # 30 January 2025 was the last day of the Seollal holidays (28-30 January), a Thursday.
    assert date(2025, 1, 30).weekday() == 3 and CAL.is_holiday(date(2025, 1, 30))
    assert statutory.due_on("2024-H2", P, CAL) == date(2025, 1, 31)


def test_the_reports_still_due_are_planned_and_past_ones_are_not() -> None:
    planned = {(r["ledger"], r["half"]) for r in statutory.schedule(date(2027, 1, 10), P, CAL)}
    assert planned == {("pcsa", "2026-H2"), ("tba", "2026-H2"), ("pcsa", "2027-H1"), ("tba", "2027-H1")}
    later = {(r["ledger"], r["half"]) for r in statutory.schedule(date(2027, 2, 2), P, CAL)}
    assert later == {("pcsa", "2027-H1"), ("tba", "2027-H1")}


@pytest.mark.parametrize("text", ["2026", "2026-H3", "H1-2026", "", "2026-h1x"])
def test_a_half_year_that_is_not_yyyy_h1_or_h2_is_refused(text: str) -> None:
    with pytest.raises(BadInput, match="YYYY-H1 or YYYY-H2"):
        statutory.bounds(text)


def test_half_year_names_and_bounds() -> None:
    assert statutory.bounds("2027-h1") == (date(2027, 1, 1), date(2027, 6, 30))
    assert statutory.previous("2027-H1") == "2026-H2"
    assert statutory.half_of(date(2026, 7, 1)) == "2026-H2"


def test_a_half_year_outside_this_century_is_refused_not_crashed() -> None:
    with pytest.raises(BadInput, match="2000 to 2099"):
        statutory.bounds("0000-H1")
