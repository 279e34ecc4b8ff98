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
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from ledesk.adapters.store import load_cases, related, write
from ledesk.models.enums import TimerStatus
from ledesk.models.tables import timers
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states.case import CaseRecord
from ledesk.states.engine import discloses
from ledesk.states.errors import ConcurrentChange
from ledesk.states.step import Outcome
from ledesk.states.timers import fire

log = logging.getLogger(__name__)


# What the caller does, in the batch's transaction, with a case the sweep disclosed (the service layer
# builds its production and ledger entry).
Disclosed = Callable[[Connection, CaseRecord], None]


@dataclass
class SweepResult:
    fired: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def sweep_timers(transaction: Callable[[], AbstractContextManager[Connection]], now: datetime, policy: Policy,
                 cal: LegalCalendar, batch_size: int = 1000, max_batches: int | None = None,
                 disclosed: Disclosed | None = None) -> SweepResult:
    """Every due timer, a batch per `transaction` (the unit of work's write)."""
    result = SweepResult()
    batches = conflicts = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        try:
            with transaction() as conn:
                done = _sweep_batch(conn, now, policy, cal, batch_size, result, disclosed)
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


def fire_early(conn: Connection, case_id: str, kind: str, now: datetime, policy: Policy,
               cal: LegalCalendar) -> SweepResult:
    """Fire one case's pending timer of `kind` now, ahead of its due time. The second line behind the
    database timer (a Prefect automation that sees no acknowledgement of an emergency) calls this; it
    claims the same timer row the sweep would, so the escalation goes out once, whichever line is first."""
    result = SweepResult()
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
                 result: SweepResult, disclosed: Disclosed | None = None, only: tuple[str, str] | None = None) -> int:
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
            case, step, close, done = fire(case, t, rels[cid], now, policy, cal)
            closed.append(close)
            if step is not None:
                steps.append(step)
            if done is not None:
                (failed if "error" in done else fired).append(done)
        if steps:
            outcomes.append(Outcome(case, original.version, steps))
    write(conn, outcomes)
    if disclosed is not None:  # a disclosure after the notice lead time is produced in the same transaction
        for outcome in outcomes:
            if any(discloses(step) for step in outcome.steps):
                disclosed(conn, outcome.case)
    # Timers are closed last, so a timer cancelled by its own case's expiry still reads as fired.
    if closed:
        conn.execute(update(timers).where(timers.c.id == bindparam("i"))
                     .values(status=bindparam("s"), result=bindparam("r"), fired_at=now), closed)
    result.fired += fired
    result.failed += failed
    return len(due) - skipped  # fewer than a full batch ends this sweep; the skipped ones wait for the next
