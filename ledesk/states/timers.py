"""What a due timer does: a timer of some kinds fires a trigger of the machine (an expiry, the disclosure
after the notice lead time), of the others an action (a letter, a reminder, an escalation page), or
nothing with the reason why. Pure: the sweep (adapters.sweep) claims the due timers and writes what
these decide."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ledesk.models.enums import SYSTEM_ACTOR, TERMINAL_STATES, CaseState, NoticeStatus, TimerKind, TimerStatus, Trigger
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import messages
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects, NoticeUpdate, Related
from ledesk.states.engine import apply, system_attempt
from ledesk.states.errors import Refused
from ledesk.states.phrasing import english_date
from ledesk.states.step import Step

log = logging.getLogger(__name__)

# Timers whose firing is a trigger of the machine; every other kind is an action (a letter, a page).
TRIGGER_OF: dict[str, tuple[Trigger, str]] = {  # kind -> (trigger, state it applies in)
    TimerKind.CURE_DEADLINE: (Trigger.EXPIRE, CaseState.INCOMPLETE),
    TimerKind.PRESERVATION_EXPIRY: (Trigger.EXPIRE, CaseState.PRESERVED),
    TimerKind.LEGAL_PROCESS_DEADLINE: (Trigger.EXPIRE, CaseState.AWAITING_LEGAL_PROCESS),
    TimerKind.NOTICE_LEAD_TIME: (Trigger.DISCLOSE, CaseState.NOTIFY_USER),
}


@dataclass(frozen=True)
class _Due:
    """A due action timer with what its handler may read."""

    case: CaseRecord
    rel: Related
    now: datetime
    policy: Policy
    cal: LegalCalendar
    due_at: datetime

    @property
    def received(self) -> bool:
        return self.case.state == CaseState.RECEIVED


Action = Callable[[_Due], Effects | str]  # the effects, or why the timer does nothing now


def _response_due(d: _Due) -> Effects | str:
    if d.case.state in TERMINAL_STATES:
        return "case closed"
    return Effects(messages=[messages.internal("response_due", d.case, d.policy, "Response due today")])


def _cure_reminder(d: _Due) -> Effects | str:
    if d.case.state != CaseState.INCOMPLETE:
        return "no longer incomplete"
    # The reminder is due some days before the cure deadline; the letter names the deadline's last day.
    deadline = d.due_at + timedelta(days=d.policy.cure.reminder_days_before)
    return Effects(messages=[messages.cure_reminder(d.case, d.cal.last_day(deadline).isoformat())])


def _expiry_warning(d: _Due) -> Effects | str:
    if d.case.state != CaseState.PRESERVED:
        return "no longer preserved"
    expires = d.rel.hold_expires_at
    until = d.cal.last_day(expires).isoformat() if expires else "the end of the period"
    said = english_date(d.cal.last_day(expires)) if expires else until
    return Effects(messages=[messages.simple("expiry_warning", d.case, "Preservation ends soon",
                                             f"The preservation ends at the end of {said}. Send legal process "
                                             "or a renewed request before then, or the data is deleted.",
                                             expiry=until)])


def _delayed_notice(d: _Due) -> Effects | str:
    if d.rel.notice_status != NoticeStatus.DEFERRED or d.rel.order.indefinite:
        return f"notice is {d.rel.notice_status}"
    return Effects(messages=messages.user_notices(d.case, d.policy, delayed=True),
                   notice=NoticeUpdate(NoticeStatus.SENT, "", None, sent_at=d.now))


def _notice_review(d: _Due) -> Effects | str:
    if d.rel.notice_status != NoticeStatus.DEFERRED:
        return f"notice is {d.rel.notice_status}"
    return Effects(messages=[messages.internal("notice_review", d.case, d.policy,
                                               "Deferred user notice needs a decision")])


def _escalate(done: Callable[[_Due], str | None], last_level: bool, text: str) -> Action:
    """An emergency escalation: page the first (or last) escalation contact unless `done` says why not."""
    def fire(d: _Due) -> Effects | str:
        why_not = done(d)
        if why_not is not None:
            return why_not
        to = d.policy.escalation_addresses[-1 if last_level else 0]
        return Effects(messages=[messages.page("escalation", d.case, to, text)])

    return fire


def _followup_overdue(d: _Due) -> Effects | str:
    if d.case.legal_process_at is not None:
        return "documents received"
    return Effects(messages=[messages.internal("followup_overdue", d.case, d.policy,
                                               "Emergency follow-up documents are overdue")])


ACTIONS: dict[str, Action] = {
    TimerKind.RESPONSE_DUE: _response_due,
    TimerKind.CURE_REMINDER: _cure_reminder,
    TimerKind.EXPIRY_WARNING: _expiry_warning,
    TimerKind.DELAYED_NOTICE: _delayed_notice,
    TimerKind.NOTICE_REVIEW: _notice_review,
    TimerKind.EMERGENCY_ACKNOWLEDGE: _escalate(
        lambda d: "acknowledged" if d.case.acknowledged_at is not None or not d.received else None,
        False, "EMERGENCY not acknowledged in time"),
    TimerKind.EMERGENCY_TRIAGE: _escalate(
        lambda d: "call-back recorded" if d.case.callback_ok_by or d.case.callback_failed or not d.received else None,
        False, "EMERGENCY call-back not made within the triage time"),
    TimerKind.EMERGENCY_DECISION: _escalate(lambda d: None if d.received else "decided", True,
                                            "EMERGENCY not decided in time"),
    TimerKind.EMERGENCY_FOLLOWUP: _followup_overdue,
}


def _action(case: CaseRecord, kind: str, rel: Related, now: datetime, policy: Policy,
            cal: LegalCalendar, due_at: datetime) -> Effects | str:
    """What an action timer does, or why it does nothing now (returned as text)."""
    handler = ACTIONS.get(kind)
    if handler is None:
        return f"unknown timer kind {kind}"
    return handler(_Due(case, rel, now, policy, cal, due_at))


def fire(case: CaseRecord, t: Any, rel: Related, now: datetime, policy: Policy,
          cal: LegalCalendar) -> tuple[CaseRecord, Step | None, dict[str, Any], dict[str, Any] | None]:
    """One due timer on the case as it stands after the timers before it: the case after, the step it
    took, how the timer row is closed, and what to report (fired, or failed with the error)."""
    cid = case.case_id
    try:
        if t.kind in TRIGGER_OF:
            trigger, state = TRIGGER_OF[t.kind]
            if case.state != state:
                return case, None, {"i": t.id, "r": f"case is {case.state}", "s": TimerStatus.CANCELLED}, None
            attempt = system_attempt(trigger, now, policy, cal, due_at=t.due_at, reason=f"{t.kind} passed")
            after, step = apply(case, attempt, rel)
            return (after, step, {"i": t.id, "r": trigger, "s": TimerStatus.FIRED},
                    {"case_id": cid, "timer": t.kind, "trigger": trigger})
        effects = _action(case, t.kind, rel, now, policy, cal, t.due_at)
        if isinstance(effects, str):
            return case, None, {"i": t.id, "r": effects, "s": TimerStatus.CANCELLED}, None
        step = Step(f"timer:{t.kind}", case.state, case.state, SYSTEM_ACTOR, now, "", effects)
        action = effects.messages[0].kind if effects.messages else t.kind
        return (case, step, {"i": t.id, "r": "done", "s": TimerStatus.FIRED},
                {"case_id": cid, "timer": t.kind, "action": action})
    except Refused as exc:
        return case, None, {"i": t.id, "r": exc.message[:200], "s": TimerStatus.CANCELLED}, None
    except Exception as exc:  # one bad case must not stop every other deadline
        log.exception("timer %s of case %s failed", t.id, cid)
        return (case, None, {"i": t.id, "r": f"failed: {exc}"[:200], "s": TimerStatus.FAILED},
                {"case_id": cid, "timer": t.kind, "error": str(exc)[:200]})
