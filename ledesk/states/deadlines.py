"""Every deadline LE Desk keeps, computed from policy numbers on the legal calendar. Pure: the clock's
instant and the calendar are arguments, so a 90-day period is tested in microseconds."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ledesk.policy.calendar import LegalCalendar, add_months
from ledesk.policy.schema import Policy, PreservationRule


def preservation_expiry(start: datetime, rule: PreservationRule, cal: LegalCalendar) -> datetime:
    """When a new preservation lapses: the end of its last day (CPA art. 66 counting)."""
    return cal.end_of(cal.period_last_day(cal.local_date(start), rule.days))


def extended_expiry(current_expiry: datetime, rule: PreservationRule, cal: LegalCalendar) -> datetime:
    """The extension runs from the end of the current period, so it never shortens what was granted."""
    last_day = cal.last_day(current_expiry)
    return cal.end_of(cal.period_last_day(last_day, rule.extension_days))


def expiry_warning(expiry: datetime, policy: Policy) -> datetime:
    return expiry - timedelta(days=policy.expiry_warning.days_before)


def cure_deadline(now: datetime, policy: Policy, cal: LegalCalendar) -> datetime:
    return cal.end_of(cal.period_last_day(cal.local_date(now), policy.cure.days))


def cure_reminder(deadline: datetime, policy: Policy) -> datetime:
    return deadline - timedelta(days=policy.cure.reminder_days_before)


def legal_process_deadline(now: datetime, policy: Policy, cal: LegalCalendar) -> datetime:
    return cal.end_of(cal.period_last_day(cal.local_date(now), policy.legal_process_wait.days))


def response_due(respond_by: date, cal: LegalCalendar) -> datetime:
    """The reminder fires as the requested day begins, while there is still the day to answer."""
    return cal.start_of(respond_by)


def disclosure_after_notice(now: datetime, valid_until: date | None, policy: Policy,
                            cal: LegalCalendar) -> datetime:
    """Disclosure follows the user notice by the lead time, but never after the process's last valid day:
    then it happens as that day begins (or at once, when that day has already begun)."""
    at = now + timedelta(days=policy.notice.lead_time_days)
    if valid_until is not None and policy.notice.cap_at_legal_process_validity:
        at = min(at, max(now, cal.start_of(valid_until)))
    return at


def delayed_notice(order_ends: date, cal: LegalCalendar) -> datetime:
    """The delayed notice goes out on the next business day after the non-disclosure order ends."""
    return cal.start_of(cal.next_business_day_after(order_ends))


def unsupported_deferral_review(now: datetime, policy: Policy, cal: LegalCalendar) -> datetime:
    """When a notice deferred at an authority's wish, without an order, comes back for review."""
    return cal.start_of(cal.period_last_day(cal.local_date(now), policy.notice.unsupported_deferral_days))


def emergency_notice_review(now: datetime, policy: Policy, cal: LegalCalendar) -> datetime:
    return cal.start_of(cal.period_last_day(cal.local_date(now), policy.notice.emergency_deferral_days))


def emergency_acknowledge(now: datetime, policy: Policy) -> datetime:
    return now + timedelta(minutes=policy.emergency.acknowledge_minutes)


def emergency_triage(now: datetime, policy: Policy) -> datetime:
    return now + timedelta(minutes=policy.emergency.triage_minutes)


def emergency_decision(now: datetime, policy: Policy) -> datetime:
    return now + timedelta(hours=policy.emergency.decision_hours)


def emergency_followup(now: datetime, policy: Policy, cal: LegalCalendar) -> datetime:
    """Follow-up documents are due by the end of the third business day after disclosure."""
    return cal.end_of(cal.add_business_days(cal.local_date(now), policy.emergency.followup_business_days))


def half_year_report_due(half_end: date, policy: Policy, cal: LegalCalendar) -> date:
    """Statutory half-year reports are due 30 days after 30 June and 31 December."""
    if (half_end.month, half_end.day) not in ((6, 30), (12, 31)):
        raise ValueError(f"{half_end} does not end a half-year")
    return cal.period_last_day(half_end, policy.ledgers.half_year_report_due_days)


def ledger_purge_date(entry: date, years: int) -> date:
    """A ledger entry is kept for whole years and may be purged on the day after."""
    return add_months(entry, 12 * years) + timedelta(days=1)


def earliest_log_kept(today: date, months: int) -> date:
    """The oldest day a data source must still hold for a minimum retention of `months`."""
    return add_months(today, -months)


def us_order_ends(start: date, max_days: int, requested_until: date | None) -> date:
    """A US delayed-notice or non-disclosure period, capped at the statute's usual ceiling."""
    cap = start + timedelta(days=max_days)
    return cap if requested_until is None else min(requested_until, cap)
