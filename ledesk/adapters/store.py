"""Reading case records and writing what triggers did, in batches, inside the caller's transaction.

One code path for one reviewer's click and for a sweep of 100,000 timers: a batch of one is a batch."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from ledesk.adapters import audit
from ledesk.models.enums import CaseState, HoldStatus, OutboxChannel, OutboxStatus, TimerStatus
from ledesk.models.tables import (
    callbacks,
    cases,
    documents,
    holds,
    letters,
    notices,
    outbox,
    targets,
    timers,
)
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import COLUMN_NAMES, CaseRecord
from ledesk.states.effects import ALL, Effects, NoticeUpdate, Related
from ledesk.states.engine import apply
from ledesk.states.errors import ConcurrentChange, NotFound
from ledesk.states.notice import NonDisclosureOrder
from ledesk.states.step import Outcome, Step, new_id

_CASE_COLUMNS = [cases.c[name] for name in COLUMN_NAMES]  # in the record's field order
_LIVE_HOLD = (HoldStatus.ACTIVE.value, HoldStatus.EXTENDED.value)


# -- reading ------------------------------------------------------------------------------------------
def load_cases(conn: Connection, case_ids: list[str], lock: bool = False,
               skip_locked: bool = False) -> dict[str, CaseRecord]:
    """Case records by id. Writers lock the case rows first (on PostgreSQL; SQLite has one writer), so
    every transaction takes locks in the same order: case, then its timers, holds and the rest. With
    `skip_locked`, cases another transaction holds are left out instead of waited for."""
    found: dict[str, CaseRecord] = {}
    for start in range(0, len(case_ids), 900):
        query = select(*_CASE_COLUMNS).where(cases.c.case_id.in_(case_ids[start:start + 900]))
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=skip_locked)
        for row in conn.execute(query):
            record = CaseRecord.from_tuple(row)
            found[record.case_id] = record
    return found


def load_case(conn: Connection, case_id: str, lock: bool = False) -> CaseRecord:
    found = load_cases(conn, [case_id], lock=lock)
    if case_id not in found:
        raise NotFound(f"no case {case_id}")
    return found[case_id]


def related(conn: Connection, case_ids: list[str]) -> dict[str, Related]:
    out = {cid: Related() for cid in case_ids}
    for start in range(0, len(case_ids), 900):
        chunk = case_ids[start:start + 900]
        for row in conn.execute(select(holds.c.case_id, holds.c.expires_at, holds.c.status)
                                .where(holds.c.case_id.in_(chunk),
                                       holds.c.status.in_((*_LIVE_HOLD, HoldStatus.CONVERTED.value)))):
            rel = out[row.case_id]
            rel.has_hold = True
            if row.status not in _LIVE_HOLD:
                continue
            rel.has_active_hold = True
            if row.expires_at and (rel.hold_expires_at is None or row.expires_at > rel.hold_expires_at):
                rel.hold_expires_at = row.expires_at
        for row in conn.execute(select(notices).where(notices.c.case_id.in_(chunk))):
            rel = out[row.case_id]
            rel.notice_status = row.status
            rel.notice_due_at = row.due_at
            rel.order = NonDisclosureOrder(
                until=date.fromisoformat(row.nondisclosure_until) if row.nondisclosure_until else None,
                indefinite=bool(row.nondisclosure_indefinite), reference=row.nondisclosure_reference or "")
    return out


# -- writing ------------------------------------------------------------------------------------------
def insert_case_details(conn: Connection, case_id: str, target_rows: list[tuple[str, str, str]],
                        order: NonDisclosureOrder, notice_status: str, notice_reason: str) -> None:
    """A new case's targets and notice, after `write` has inserted the case itself."""
    _write_targets(conn, case_id, target_rows)
    conn.execute(insert(notices).values(
        case_id=case_id, status=notice_status, reason=notice_reason,
        nondisclosure_until=order.until.isoformat() if order.until else None,
        nondisclosure_indefinite=order.indefinite, nondisclosure_reference=order.reference or None))


def _write_targets(conn: Connection, case_id: str, rows: list[tuple[str, str, str]]) -> None:
    if rows:
        conn.execute(insert(targets), [{"case_id": case_id, "type": t, "value": v, "raw_value": raw,
                                        "outcome": "pending"} for t, v, raw in rows])


def record(conn: Connection, case: CaseRecord, step: Step, read_at_version: int | None = None) -> None:
    """Write one step that happened to one case (a trigger, or an action that keeps its state: an order,
    a referral, an invoice, a purge). `read_at_version` is the version the case was read at when `case`
    is already the record after the step. The step's changes are applied here, so an action that keeps
    the state still writes what it changed."""
    expected = case.version if read_at_version is None else read_at_version
    if step.effects.changes:
        case = case.clone()
        for name, value in step.effects.changes.items():
            setattr(case, name, value)
    write(conn, [Outcome(case, expected, [step])])


def write(conn: Connection, outcomes: list[Outcome]) -> None:
    """Write every outcome's case row, audit events, timers, messages, holds and notices. Raises
    ConcurrentChange (and the caller's transaction rolls back) if any case moved on since it was read."""
    if not outcomes:
        return
    _write_cases(conn, outcomes)
    batch = _Batch()
    for outcome in outcomes:
        for step in outcome.steps:
            batch.add(conn, outcome.case.case_id, step)
    batch.flush(conn)


Rows = list[dict[str, Any]]


@dataclass
class _Batch:
    """The rows a batch of steps writes, gathered first so that each table gets one executemany."""

    cancel_all: Rows = field(default_factory=list)
    cancel_kind: Rows = field(default_factory=list)
    timers: Rows = field(default_factory=list)
    letters: Rows = field(default_factory=list)
    messages: Rows = field(default_factory=list)
    holds: dict[str, Rows] = field(default_factory=lambda: defaultdict(list))
    notices: dict[frozenset[str], Rows] = field(default_factory=lambda: defaultdict(list))
    callbacks: Rows = field(default_factory=list)
    documents: Rows = field(default_factory=list)
    outcomes: Rows = field(default_factory=list)
    cancel_notices: Rows = field(default_factory=list)
    drafts: list[audit.EventDraft] = field(default_factory=list)

    def add(self, conn: Connection, cid: str, step: Step) -> None:
        fx, at = step.effects, step.at
        self._add_timers(cid, fx, at)
        self._add_messages(cid, fx, at)
        if fx.hold is not None:
            self.holds[fx.hold.op].append({"c": cid, "hold_id": new_id("H") if fx.hold.op == "create" else None,
                                           "exp": fx.hold.expires_at, "cats": list(fx.hold.categories), "at": at})
        if fx.notice is not None:
            row = _notice_row(cid, fx.notice)
            self.notices[frozenset(row)].append(row)
        if fx.callback is not None:
            self.callbacks.append({"case_id": cid, **fx.callback})
        self.documents += [{"case_id": cid, "kind": d.kind, "filename": d.filename[:255], "sha256": d.sha256,
                            "content": d.content, "created_at": at} for d in fx.documents]
        if fx.targets is not None:  # a supplement renames the targets: replaced at once, in order
            conn.execute(delete(targets).where(targets.c.case_id == cid))
            _write_targets(conn, cid, fx.targets)
        if fx.target_outcome is not None:
            self.outcomes.append({"c": cid, "o": fx.target_outcome})
        if fx.cancel_user_notices:
            self.cancel_notices.append({"c": cid})
        self.drafts.append(_event(cid, step))

    def _add_timers(self, cid: str, fx: Effects, at: datetime) -> None:
        if ALL in fx.cancel:
            self.cancel_all.append({"c": cid, "when": at})
        self.cancel_kind += [{"c": cid, "k": k, "when": at} for k in sorted(fx.cancel - {ALL})]
        self.timers += [{"case_id": cid, "kind": t.kind, "due_at": t.due_at, "status": TimerStatus.PENDING,
                         "data": t.data, "created_at": at} for t in fx.timers]

    def _add_messages(self, cid: str, fx: Effects, at: datetime) -> None:
        for m in fx.messages:
            sha = hashlib.sha256(m.body.encode("utf-8")).hexdigest()
            if m.letter:
                self.letters.append({"case_id": cid, "kind": m.kind, "sha256": sha, "body": m.body,
                                     "created_at": at, "context": m.context})
            self.messages.append({"case_id": cid, "kind": m.kind, "channel": m.channel, "to": m.to,
                                  "subject": m.subject, "body": m.body, "letter_sha256": sha if m.letter else None,
                                  "status": OutboxStatus.PENDING, "attempts": 0, "created_at": at})

    def flush(self, conn: Connection) -> None:
        self._flush_timers(conn)
        if self.letters:
            conn.execute(insert(letters), self.letters)
        if self.cancel_notices:
            conn.execute(update(outbox).where(outbox.c.case_id == bindparam("c"),
                                              outbox.c.channel == OutboxChannel.USER_NOTICE,
                                              outbox.c.status == OutboxStatus.PENDING)
                         .values(status=OutboxStatus.CANCELLED), self.cancel_notices)
        if self.messages:
            conn.execute(insert(outbox), self.messages)
        _write_holds(conn, self.holds)
        for rows in self.notices.values():
            values: dict[str, Any] = {k: bindparam(f"n_{k}") for k in rows[0] if k != "c"}
            conn.execute(update(notices).where(notices.c.case_id == bindparam("c")).values(**values),
                         [{("c" if k == "c" else f"n_{k}"): v for k, v in r.items()} for r in rows])
        if self.callbacks:
            conn.execute(insert(callbacks), self.callbacks)
        if self.documents:
            conn.execute(insert(documents), self.documents)
        if self.outcomes:
            conn.execute(update(targets).where(targets.c.case_id == bindparam("c")).values(outcome=bindparam("o")),
                         self.outcomes)
        audit.append(conn, self.drafts)

    def _flush_timers(self, conn: Connection) -> None:
        t = timers.c
        if self.cancel_all:
            conn.execute(update(timers).where(t.case_id == bindparam("c"), t.status == TimerStatus.PENDING)
                         .values(status=TimerStatus.CANCELLED, fired_at=bindparam("when"), result="case closed"),
                         self.cancel_all)
        if self.cancel_kind:
            conn.execute(update(timers).where(t.case_id == bindparam("c"), t.kind == bindparam("k"),
                                              t.status == TimerStatus.PENDING)
                         .values(status=TimerStatus.CANCELLED, fired_at=bindparam("when"), result="superseded"),
                         self.cancel_kind)
        if self.timers:
            conn.execute(insert(timers), self.timers)


def _notice_row(cid: str, notice: NoticeUpdate) -> dict[str, Any]:
    row: dict[str, Any] = {"c": cid, "status": notice.status, "reason": notice.reason, "due_at": notice.due_at}
    if notice.sent_at is not None:
        row["sent_at"] = notice.sent_at
    if notice.order is not None:
        row["nondisclosure_until"] = notice.order.until.isoformat() if notice.order.until else None
        row["nondisclosure_indefinite"] = notice.order.indefinite
        row["nondisclosure_reference"] = notice.order.reference or None
    return row


def _event(cid: str, step: Step) -> audit.EventDraft:
    fx = step.effects
    data = dict(fx.audit)
    if fx.timers:
        data["timers"] = [f"{t.kind}@{t.due_at.isoformat()}" for t in fx.timers]
    if fx.messages:
        data["messages"] = [f"{m.kind}->{m.to}" for m in fx.messages]
    return audit.EventDraft(cid, step.action, step.actor, step.at, step.source, step.dest, step.reason, data)


def _write_cases(conn: Connection, outcomes: list[Outcome]) -> None:
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    created = [o for o in outcomes if o.expected_version == 0]
    for o in created:
        o.case.version = 1
        o.case.updated_at = o.steps[-1].at if o.steps else o.case.updated_at
    if created:
        conn.execute(insert(cases), [o.case.column_values() for o in created])
    for o in outcomes:
        if o.expected_version == 0:
            continue
        changed = {"state", "updated_at"}
        for step in o.steps:
            changed |= set(step.effects.changes)
        o.case.version = o.expected_version + 1
        o.case.updated_at = o.steps[-1].at if o.steps else o.case.updated_at
        row = {f"v_{k}": o.case.column_value(k) for k in changed}
        row["v_version"] = o.case.version
        row["c"], row["expected"] = o.case.case_id, o.expected_version
        groups[frozenset(changed)].append(row)
    for changed_columns, rows in groups.items():
        stmt = (update(cases)
                .where(cases.c.case_id == bindparam("c"), cases.c.version == bindparam("expected"))
                .values(version=bindparam("v_version"), **{k: bindparam(f"v_{k}") for k in changed_columns}))
        result = conn.execute(stmt, rows)
        if result.rowcount != len(rows):
            raise ConcurrentChange(rows[0]["c"] if len(rows) == 1 else f"in a batch of {len(rows)}")


def _write_holds(conn: Connection, ops: dict[str, list[dict[str, Any]]]) -> None:
    # Parameter names never equal a column name: in an executemany, SQLAlchemy would add such a key
    # to the SET clause. And no IN (...) here: expanding parameters cannot be used with executemany.
    h = holds.c
    live = or_(h.status == HoldStatus.ACTIVE, h.status == HoldStatus.EXTENDED)
    if ops.get("create"):
        conn.execute(insert(holds), [{"hold_id": r["hold_id"], "case_id": r["c"], "status": HoldStatus.ACTIVE,
                                      "categories": r["cats"], "created_at": r["at"], "expires_at": r["exp"]}
                                     for r in ops["create"]])
    if ops.get("extend"):
        conn.execute(update(holds).where(h.case_id == bindparam("c"), live)
                     .values(status=HoldStatus.EXTENDED, expires_at=bindparam("exp")),
                     [{"c": r["c"], "exp": r["exp"]} for r in ops["extend"]])
    if ops.get("convert"):
        # A converted hold keeps its preservation period's end (states.retention): no hold without an end.
        conn.execute(update(holds).where(h.case_id == bindparam("c"), live)
                     .values(status=HoldStatus.CONVERTED), [{"c": r["c"]} for r in ops["convert"]])
    if ops.get("release"):
        conn.execute(update(holds).where(h.case_id == bindparam("c"), or_(live, h.status == HoldStatus.CONVERTED))
                     .values(status=HoldStatus.RELEASED, released_at=bindparam("when")),
                     [{"c": r["c"], "when": r["at"]} for r in ops["release"]])


def fire_on(conn: Connection, case: CaseRecord, attempt: Attempt, rel: Related | None = None,
            documents: Iterable[Attachment] = ()) -> tuple[CaseRecord, Step]:
    """Fire a trigger on a case read in this transaction and write the step: the one way a trigger's
    outcome reaches the database outside the sweep's batches. `documents` arrive with it (an e-mail's
    other attachments)."""
    after, step = apply(case, attempt, rel if rel is not None else related(conn, [case.case_id])[case.case_id])
    step.effects.documents += list(documents)
    record(conn, after, step, read_at_version=case.version)
    return after, step


def _sharing_a_target(case: CaseRecord) -> Any:
    """The ids of the cases naming a target of this one (same type, same normalised identifier)."""
    mine = select(targets.c.type, targets.c.value).where(targets.c.case_id == case.case_id).subquery()
    return select(targets.c.case_id).join(mine, (mine.c.type == targets.c.type) & (mine.c.value == targets.c.value))


def warrant_number(reference: str) -> str:
    """A warrant's number as written any way (spaces, case, dashes): how two cases are found to name one."""
    return "".join(ch for ch in reference.casefold() if ch.isalnum())


def executed_warrant(conn: Connection, case: CaseRecord) -> str | None:
    """An earlier disclosed case that executed the same warrant (its instrument and number) on a target of
    this case, from any authority."""
    number = warrant_number(case.submission.legal_basis.document_reference)
    if not number:
        return None
    query = (select(cases.c.case_id, cases.c.submission)
             .where(cases.c.case_id.in_(_sharing_a_target(case)), cases.c.case_id != case.case_id,
                    cases.c.state == CaseState.DISCLOSED).order_by(cases.c.case_id))
    for row in conn.execute(query):
        basis = (row.submission or {}).get("legal_basis") or {}
        if basis.get("instrument") == case.instrument and warrant_number(basis.get("document_reference") or "") \
                == number:
            return str(row.case_id)
    return None


def repeat_statutory_preservation(conn: Connection, case: CaseRecord) -> str | None:
    """An earlier case of the same regime whose hold covered the same data: a target of this case and a
    category it asks for (CPA art. 215-2(4) bars a repeat request for the same data, not for other data
    of the same account), from any authority."""
    query = (select(cases.c.case_id, holds.c.categories)
             .join(holds, holds.c.case_id == cases.c.case_id)
             .where(cases.c.case_id.in_(_sharing_a_target(case)), cases.c.regime == case.regime,
                    cases.c.case_id != case.case_id))
    asked = set(case.categories)
    for row in conn.execute(query):
        if asked & set(row.categories or []):
            return str(row.case_id)
    return None
