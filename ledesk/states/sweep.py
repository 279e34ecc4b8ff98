"""The sweep: fire every timer that is due, in batches.

Each batch is one transaction: due timers are claimed (FOR UPDATE SKIP LOCKED where the database has
it, so two workers never fire the same timer; SQLite has one writer at a time), their cases read in
one query, the rules applied in memory, and everything written back as batched statements. A timer
whose rule refuses is closed with the refusal as its result; one whose handler fails is marked failed
for the operators, and neither stops the batch."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update

from ledesk.models.enums import SYSTEM_ACTOR, TERMINAL_STATES, CaseState, NoticeStatus, TimerKind, TimerStatus, Trigger
from ledesk.models.tables import timers
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import ledger, messages
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects, NoticeUpdate, Related
from ledesk.states.engine import Preserver, apply, discloses, system_attempt
from ledesk.states.errors import ConcurrentChange, Refused
from ledesk.states.store import Outcome, Step, load_cases, related, write

log = logging.getLogger(__name__)

# Timers whose firing is a trigger of the machine; every other kind is an action (a letter, a page).
TRIGGER_OF: dict[str, tuple[Trigger, str]] = {  # kind -> (trigger, state it applies in)
    TimerKind.CURE_DEADLINE: (Trigger.EXPIRE, CaseState.INCOMPLETE),
    TimerKind.PRESERVATION_EXPIRY: (Trigger.EXPIRE, CaseState.PRESERVED),
    TimerKind.LEGAL_PROCESS_DEADLINE: (Trigger.EXPIRE, CaseState.AWAITING_LEGAL_PROCESS),
    TimerKind.NOTICE_LEAD_TIME: (Trigger.DISCLOSE, CaseState.NOTIFY_USER),
}


@dataclass
class SweepResult:
    fired: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


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
    return Effects(messages=[messages.simple("expiry_warning", d.case, "Preservation ends soon",
                                             f"The preservation ends at the end of {until}. Send legal process "
                                             "or a renewed request before then, or the data is deleted.",
                                             expiry=until)])


def _delayed_notice(d: _Due) -> Effects | str:
    if d.rel.notice_status != NoticeStatus.DEFERRED or d.rel.order.indefinite:
        return f"notice is {d.rel.notice_status}"
    return Effects(messages=messages.user_notices(d.case, d.policy, "A non-disclosure order delayed this notice."),
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


def sweep(engine: Engine, now: datetime, policy: Policy, cal: LegalCalendar, batch_size: int = 1000,
          max_batches: int | None = None, vault: Preserver | None = None) -> SweepResult:
    result = SweepResult()
    batches = conflicts = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        try:
            with vault.committed(engine) if vault is not None else engine.begin() as conn:
                done = _sweep_batch(conn, now, policy, cal, batch_size, result, vault)
        except ConcurrentChange:
            # A reviewer changed one of these cases while we worked: retry the batch from fresh reads.
            conflicts += 1
            if conflicts > 5:
                raise
            log.info("sweep batch hit a concurrent change; retrying")
            continue
        if done < batch_size:
            break
    return result


def fire_early(engine: Engine, case_id: str, kind: str, now: datetime, policy: Policy,
               cal: LegalCalendar) -> SweepResult:
    """Fire one case's pending timer of `kind` now, ahead of its due time. The second line behind the
    database timer (a Prefect automation that sees no acknowledgement of an emergency) calls this; it
    claims the same timer row the sweep would, so the escalation goes out once, whichever line is first."""
    result = SweepResult()
    with engine.begin() as conn:
        _sweep_batch(conn, now, policy, cal, 10, result, only=(case_id, kind))
    return result


def _claim(conn: Connection, now: datetime, batch_size: int, only: tuple[str, str] | None = None) -> list[Any]:
    query = (select(timers.c.id, timers.c.case_id, timers.c.kind, timers.c.due_at)
             .where(timers.c.status == TimerStatus.PENDING)
             .order_by(timers.c.due_at, timers.c.id).limit(batch_size))
    query = query.where(timers.c.due_at <= now) if only is None else \
        query.where(timers.c.case_id == only[0], timers.c.kind == only[1])
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(conn.execute(query))


def _fire(case: CaseRecord, t: Any, rel: Related, now: datetime, policy: Policy,
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


def _sweep_batch(conn: Connection, now: datetime, policy: Policy, cal: LegalCalendar, batch_size: int,
                 result: SweepResult, vault: Preserver | None = None, only: tuple[str, str] | None = None) -> int:
    due = _claim(conn, now, batch_size, only)
    if not due:
        return 0
    by_case: dict[str, list[Any]] = defaultdict(list)
    for t in due:
        by_case[t.case_id].append(t)
    # A case a reviewer is changing right now is skipped, not waited for: its timers stay pending and
    # fire on the next sweep, and no lock cycle with the reviewer's transaction can form.
    records = load_cases(conn, list(by_case), lock=True, skip_locked=True)
    skipped = 0
    for busy in set(by_case) - set(records):
        skipped += len(by_case.pop(busy))
    case_ids = list(by_case)
    rels = related(conn, case_ids)
    outcomes: list[Outcome] = []
    closed: list[dict[str, Any]] = []
    fired: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for cid, case_timers in by_case.items():
        original = records[cid]
        case, steps = original, []
        for t in case_timers:
            case, step, close, done = _fire(case, t, rels[cid], now, policy, cal)
            closed.append(close)
            if step is not None:
                steps.append(step)
            if done is not None:
                (failed if "error" in done else fired).append(done)
        if steps:
            outcomes.append(Outcome(case, original.version, steps))
    write(conn, outcomes)
    if vault is not None:  # a disclosure after the notice lead time is produced in the same transaction
        for outcome in outcomes:
            if any(discloses(step) for step in outcome.steps):
                production = vault.produce(conn, outcome.case, policy, now, SYSTEM_ACTOR)
                ledger.record(conn, outcome.case, production, now, policy, cal)
    # Timers are closed last, so a timer cancelled by its own case's expiry still reads as fired.
    if closed:
        conn.execute(update(timers).where(timers.c.id == bindparam("i"))
                     .values(status=bindparam("s"), result=bindparam("r"), fired_at=now), closed)
    result.fired += fired
    result.failed += failed
    return len(due) - skipped  # fewer than a full batch ends this sweep; the skipped ones wait for the next
