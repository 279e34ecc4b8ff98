"""Every row of DESIGN section 2, with a dated example on the Seoul calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ledesk.states import deadlines
from tests.factories import SEOUL, calendar, policy, seoul

P = policy()
CAL = calendar(P)


def local(instant: datetime) -> datetime:
    return instant.astimezone(SEOUL)


# -- day counting (CPA art. 66) -------------------------------------------------------------------------
def test_first_day_is_not_counted() -> None:
    assert CAL.period_last_day(date(2026, 12, 1), 1) == date(2026, 12, 2)


def test_period_ending_on_a_saturday_moves_to_monday() -> None:
    assert date(2027, 1, 30).weekday() == 5
    assert CAL.period_last_day(date(2026, 12, 1), 60) == date(2027, 2, 1)


def test_period_ending_on_a_public_holiday_moves_to_the_next_business_day() -> None:
    assert CAL.is_holiday(date(2027, 3, 1))  # Independence Movement Day, a Monday
    assert CAL.period_last_day(date(2026, 12, 1), 90) == date(2027, 3, 2)


def test_one_off_holiday_from_policy_extends_too() -> None:
    extra = calendar(policy(extra_holidays=[date(2027, 3, 2)]))
    assert extra.period_last_day(date(2026, 12, 1), 90) == date(2027, 3, 3)


def test_seoul_late_evening_is_still_the_same_utc_day() -> None:
    at = datetime(2026, 12, 1, 23, 58, tzinfo=SEOUL)
    assert at.astimezone(UTC) == datetime(2026, 12, 1, 14, 58, tzinfo=UTC)
    assert CAL.local_date(at) == date(2026, 12, 1)


def test_seoul_just_after_midnight_is_the_next_legal_day_though_utc_is_the_day_before() -> None:
    at = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    assert CAL.local_date(at) == date(2026, 12, 2)


def test_a_deadline_ends_at_seoul_midnight() -> None:
    end = CAL.end_of(date(2026, 12, 15))
    assert end == datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
    assert CAL.local_date(end - timedelta(seconds=1)) == date(2026, 12, 15)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        CAL.local_date(datetime(2026, 12, 1, 9, 0))


# -- preservation -----------------------------------------------------------------------------------------
def test_default_preservation_is_90_days_and_one_90_day_extension() -> None:
    rule = P.preservation["POLICY_PRESERVATION"]
    expiry = deadlines.preservation_expiry(seoul(2026, 12, 1), rule, CAL)
    assert local(expiry) == datetime(2027, 3, 3, 0, 0, tzinfo=SEOUL)  # last day 2 March (1 March is a holiday)
    extended = deadlines.extended_expiry(expiry, rule, CAL)
    assert local(extended) == datetime(2027, 6, 1, 0, 0, tzinfo=SEOUL)  # last day 31 May, a Monday
    assert rule.max_extensions == 1


def test_statutory_215_2_preservation_is_60_days_and_30_more_with_court_permission() -> None:
    rule = P.preservation["KR_CPA215_2"]
    expiry = deadlines.preservation_expiry(seoul(2026, 12, 1), rule, CAL)
    assert local(expiry) == datetime(2027, 2, 2, 0, 0, tzinfo=SEOUL)  # 30 Jan is a Saturday: Monday 1 Feb
    extended = deadlines.extended_expiry(expiry, rule, CAL)
    assert local(extended) == datetime(2027, 3, 4, 0, 0, tzinfo=SEOUL)
    assert rule.extension_needs_court_permission and not rule.repeat_request_allowed
    assert rule.max_extensions == 1 and rule.extension_days == 30


def test_expiry_warning_is_14_days_before() -> None:
    expiry = deadlines.preservation_expiry(seoul(2026, 12, 1), P.preservation["POLICY_PRESERVATION"], CAL)
    assert local(deadlines.expiry_warning(expiry, P)) == datetime(2027, 2, 17, 0, 0, tzinfo=SEOUL)


# -- incomplete requests ---------------------------------------------------------------------------------
def test_incomplete_request_has_14_days_to_cure_with_a_reminder_before_the_end() -> None:
    deadline = deadlines.cure_deadline(seoul(2026, 12, 1, 16), P, CAL)
    assert local(deadline) == datetime(2026, 12, 16, 0, 0, tzinfo=SEOUL)
    assert local(deadlines.cure_reminder(deadline, P)) == datetime(2026, 12, 13, 0, 0, tzinfo=SEOUL)


# -- notice ---------------------------------------------------------------------------------------------
def test_user_notice_lead_time_is_7_days() -> None:
    at = deadlines.disclosure_after_notice(seoul(2026, 12, 1, 10), date(2026, 12, 27), P, CAL)
    assert local(at) == datetime(2026, 12, 8, 10, 0, tzinfo=SEOUL)


def test_lead_time_never_runs_past_the_last_valid_day_of_the_process() -> None:
    at = deadlines.disclosure_after_notice(seoul(2026, 12, 1, 10), date(2026, 12, 4), P, CAL)
    assert local(at) == datetime(2026, 12, 4, 0, 0, tzinfo=SEOUL)
    on_last_day = deadlines.disclosure_after_notice(seoul(2026, 12, 4, 10), date(2026, 12, 4), P, CAL)
    assert on_last_day == seoul(2026, 12, 4, 10)


def test_delayed_notice_is_the_next_business_day_after_the_order_ends() -> None:
    # The order ends on Thursday 24 December; the 25th is Christmas and then a weekend.
    assert local(deadlines.delayed_notice(date(2026, 12, 24), CAL)) == datetime(2026, 12, 28, 0, 0, tzinfo=SEOUL)


def test_us_delayed_notice_and_nondisclosure_ceilings() -> None:
    start = date(2026, 12, 1)
    assert deadlines.us_order_ends(start, P.notice.us_delayed_notice_max_days, None) == date(2027, 3, 1)
    assert deadlines.us_order_ends(start, P.notice.us_nondisclosure_max_days, date(2028, 6, 1)) == date(2027, 12, 1)
    assert deadlines.us_order_ends(start, P.notice.us_nondisclosure_max_days, date(2027, 2, 1)) == date(2027, 2, 1)


# -- emergency --------------------------------------------------------------------------------------------
def test_emergency_acknowledge_triage_and_decision_clock_from_receipt() -> None:
    received = datetime(2026, 12, 5, 2, 10, tzinfo=SEOUL)  # a Saturday night
    assert local(deadlines.emergency_acknowledge(received, P)) == datetime(2026, 12, 5, 2, 25, tzinfo=SEOUL)
    assert local(deadlines.emergency_triage(received, P)) == datetime(2026, 12, 5, 3, 10, tzinfo=SEOUL)
    assert local(deadlines.emergency_decision(received, P)) == datetime(2026, 12, 5, 10, 10, tzinfo=SEOUL)


def test_emergency_follow_up_documents_are_due_in_three_business_days() -> None:
    saturday = datetime(2026, 12, 5, 4, 0, tzinfo=SEOUL)
    assert local(deadlines.emergency_followup(saturday, P, CAL)) == datetime(2026, 12, 10, 0, 0, tzinfo=SEOUL)
    christmas_eve = datetime(2026, 12, 24, 20, 0, tzinfo=SEOUL)
    assert local(deadlines.emergency_followup(christmas_eve, P, CAL)) == datetime(2026, 12, 31, 0, 0, tzinfo=SEOUL)


# -- ledgers, reports, log retention ----------------------------------------------------------------------
def test_half_year_reports_are_due_30_days_after_the_half_year() -> None:
    assert deadlines.half_year_report_due(date(2026, 12, 31), P, CAL) == date(2027, 2, 1)  # 30 Jan: Saturday
    assert deadlines.half_year_report_due(date(2027, 6, 30), P, CAL) == date(2027, 7, 30)
    with pytest.raises(ValueError):
        deadlines.half_year_report_due(date(2027, 5, 31), P, CAL)


def test_ledgers_are_kept_seven_years_pcsa_and_one_year_tba() -> None:
    assert deadlines.ledger_purge_date(date(2026, 12, 1), P.ledgers.pcsa_retention_years) == date(2033, 12, 2)
    assert deadlines.ledger_purge_date(date(2026, 12, 1), P.ledgers.tba_retention_years) == date(2027, 12, 2)
    assert deadlines.ledger_purge_date(date(2028, 2, 29), 1) == date(2029, 3, 1)


def test_minimum_log_retention_three_and_twelve_months() -> None:
    assert deadlines.earliest_log_kept(date(2026, 12, 1), P.log_retention.ip_access_months) == date(2026, 9, 1)
    assert deadlines.earliest_log_kept(date(2026, 12, 1), P.log_retention.call_detail_months) == date(2025, 12, 1)
    assert deadlines.earliest_log_kept(date(2026, 5, 31), 3) == date(2026, 2, 28)
