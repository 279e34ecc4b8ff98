"""The sweep: fire every timer that is due, in batches.

Each batch is one transaction: due timers are claimed (FOR UPDATE SKIP LOCKED where the database has
it, so two workers never fire the same timer; SQLite has one writer at a time), their cases read in
one query, the rules applied in memory, and everything written back as batched statements. A timer
whose rule refuses is closed with the refusal as its result; one whose handler fails is marked failed
for the operators, and neither stops the batch."""

from __future__ import annotations

import logging
from collections import defaultdict
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


def _action(case: CaseRecord, kind: str, rel: Related, now: datetime, policy: Policy,
            cal: LegalCalendar, due_at: datetime) -> Effects | str:
    """What an action timer does, or why it does nothing now (returned as text)."""
    open_ = case.state not in TERMINAL_STATES
    received = case.state == CaseState.RECEIVED
    if kind == TimerKind.RESPONSE_DUE:
        return Effects(messages=[messages.internal("response_due", case, policy, "Response due today")]) \
            if open_ else "case closed"
    if kind == TimerKind.CURE_REMINDER:
        if case.state != CaseState.INCOMPLETE:
            return "no longer incomplete"
        # The reminder is due some days before the cure deadline; the letter names the deadline's last day.
        deadline = due_at + timedelta(days=policy.cure.reminder_days_before)
        return Effects(messages=[messages.cure_reminder(case, cal.last_day(deadline).isoformat())])
    if kind == TimerKind.EXPIRY_WARNING:
        if case.state != CaseState.PRESERVED:
            return "no longer preserved"
        until = cal.last_day(rel.hold_expires_at).isoformat() if rel.hold_expires_at else "the end of the period"
        return Effects(messages=[messages.simple("expiry_warning", case, "Preservation ends soon",
                                                 f"The preservation ends at the end of {until}. Send legal process "
                                                 "or a renewed request before then, or the data is deleted.",
                                                 expiry=until)])
    if kind == TimerKind.DELAYED_NOTICE:
        if rel.notice_status != NoticeStatus.DEFERRED or rel.order.indefinite:
            return f"notice is {rel.notice_status}"
        fx = Effects(messages=messages.user_notices(case, policy, "A non-disclosure order delayed this notice."),
                     notice=NoticeUpdate(NoticeStatus.SENT, "", None, sent_at=now))
        return fx
    if kind == TimerKind.NOTICE_REVIEW:
        if rel.notice_status != NoticeStatus.DEFERRED:
            return f"notice is {rel.notice_status}"
        return Effects(messages=[messages.internal("notice_review", case, policy,
                                                   "Deferred user notice needs a decision")])
    if kind == TimerKind.EMERGENCY_ACKNOWLEDGE:
        if case.acknowledged_at is not None or not received:
            return "acknowledged"
        return Effects(messages=[messages.page("escalation", case, policy.escalation_addresses[0],
                                               "EMERGENCY not acknowledged in time")])
    if kind == TimerKind.EMERGENCY_TRIAGE:
        if case.callback_ok_by or case.callback_failed or not received:
            return "call-back recorded"
        return Effects(messages=[messages.page("escalation", case, policy.escalation_addresses[0],
                                               "EMERGENCY call-back not made within the triage time")])
    if kind == TimerKind.EMERGENCY_DECISION:
        if not received:
            return "decided"
        return Effects(messages=[messages.page("escalation", case, policy.escalation_addresses[-1],
                                               "EMERGENCY not decided in time")])
    if kind == TimerKind.EMERGENCY_FOLLOWUP:
        if case.legal_process_at is not None:
            return "documents received"
        return Effects(messages=[messages.internal("followup_overdue", case, policy,
                                                   "Emergency follow-up documents are overdue")])
    return f"unknown timer kind {kind}"


def sweep(engine: Engine, now: datetime, policy: Policy, cal: LegalCalendar, batch_size: int = 1000,
          max_batches: int | None = None, vault: Preserver | None = None) -> SweepResult:
    result = SweepResult()
    batches = conflicts = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        try:
            with engine.begin() as conn:
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
            try:
                if t.kind in TRIGGER_OF:
                    trigger, state = TRIGGER_OF[t.kind]
                    if case.state != state:
                        closed.append({"i": t.id, "r": f"case is {case.state}", "s": TimerStatus.CANCELLED})
                        continue
                    attempt = system_attempt(trigger, now, policy, cal, due_at=t.due_at,
                                             reason=f"{t.kind} passed")
                    case, step = apply(case, attempt, rels[cid])
                    steps.append(step)
                    fired.append({"case_id": cid, "timer": t.kind, "trigger": trigger})
                    closed.append({"i": t.id, "r": trigger, "s": TimerStatus.FIRED})
                    continue
                effects = _action(case, t.kind, rels[cid], now, policy, cal, t.due_at)
                if isinstance(effects, str):
                    closed.append({"i": t.id, "r": effects, "s": TimerStatus.CANCELLED})
                    continue
                steps.append(Step(f"timer:{t.kind}", case.state, case.state, SYSTEM_ACTOR, now, "", effects))
                fired.append({"case_id": cid, "timer": t.kind, "action": effects.messages[0].kind
                              if effects.messages else t.kind})
                closed.append({"i": t.id, "r": "done", "s": TimerStatus.FIRED})
            except Refused as exc:
                closed.append({"i": t.id, "r": exc.message[:200], "s": TimerStatus.CANCELLED})
            except Exception as exc:  # one bad case must not stop every other deadline
                log.exception("timer %s of case %s failed", t.id, cid)
                failed.append({"case_id": cid, "timer": t.kind, "error": str(exc)[:200]})
                closed.append({"i": t.id, "r": f"failed: {exc}"[:200], "s": TimerStatus.FAILED})
        if steps:
            outcomes.append(Outcome(case, original.version, steps))
    write(conn, outcomes)
    if vault is not None:  # a disclosure after the notice lead time is produced in the same transaction
        for outcome in outcomes:
            if any(discloses(step) for step in outcome.steps):
                production = vault.produce(conn, outcome.case, policy.instruments, now, SYSTEM_ACTOR)
                ledger.record(conn, outcome.case, production, now, policy, cal)
    # Timers are closed last, so a timer cancelled by its own case's expiry still reads as fired.
    if closed:
        conn.execute(update(timers).where(timers.c.id == bindparam("i"))
                     .values(status=bindparam("s"), result=bindparam("r"), fired_at=now), closed)
    result.fired += fired
    result.failed += failed
    return len(due) - skipped  # fewer than a full batch ends this sweep; the skipped ones wait for the next
