"""Working a case: a person fires a trigger, records an order, attaches follow-up process, refers, assigns,
invoices; the clock fires timers and purges. Each command is one transaction of the unit of work, asks the
one role guard (states.roles) and returns what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from ledesk.adapters import actors, audit, ledger
from ledesk.adapters import statutory as statutory_db
from ledesk.adapters.store import executed_warrant, load_case, record, related, repeat_statutory_preservation
from ledesk.adapters.sweep import SweepResult, fire_early, sweep_timers
from ledesk.models.enums import SYSTEM_ACTOR, TimerKind, Trigger
from ledesk.models.tables import holds
from ledesk.services.context import Context, retention_months
from ledesk.states import roles
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.engine import apply, discloses
from ledesk.states.errors import BadInput, Refused
from ledesk.states.machine import TRIGGERS
from ledesk.vault.production import preservation_outcomes

MAX_MINUTES = 24 * 60


@dataclass
class SweepReport:
    fired: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    retention_deleted: int | None = None
    checkpoint: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"fired": self.fired, "failed": self.failed, "succeeded": len(self.fired)}
        if self.retention_deleted is not None:
            doc["retention_deleted"] = self.retention_deleted
        if self.checkpoint is not None:
            doc["checkpoint"] = self.checkpoint
        return doc


@dataclass
class PurgeReport:
    purged: list[dict[str, str]] = field(default_factory=list)
    productions_destroyed: list[dict[str, str]] = field(default_factory=list)
    ledger_purged: dict[str, int] = field(default_factory=dict)
    leftover_keys_destroyed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"purged": self.purged, "productions_destroyed": self.productions_destroyed,
                               "ledger_purged": self.ledger_purged}
        if self.leftover_keys_destroyed:
            doc["leftover_keys_destroyed"] = self.leftover_keys_destroyed
        return doc


@dataclass
class CaseService:
    ctx: Context

    # -- triggers ---------------------------------------------------------------------------------
    def fire(self, case_id: str, trigger: str, actor: str, reason: str = "",
             attachment: Attachment | None = None, failed: bool = False, minutes: int | None = None) -> CaseRecord:
        """A person fires a trigger. `minutes` is the reviewer time the action took, for cost recovery
        (the policy's standard time when not given)."""
        if trigger not in TRIGGERS:
            raise BadInput(f"unknown trigger {trigger!r}; triggers are: {', '.join(TRIGGERS)}")
        if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
            raise BadInput(f"--minutes must be between 0 and {MAX_MINUTES}, not {minutes}")
        if failed and trigger != Trigger.VERIFY_CALLBACK:
            raise BadInput("--failed goes with verify_callback only")
        with self.ctx.uow.write() as conn:
            case = load_case(conn, case_id, lock=True)
            actor_roles = frozenset() if actor == SYSTEM_ACTOR else actors.roles_of(conn, actor)
            attempt = self.ctx.attempt(trigger, actor, actor_roles, reason=reason, attachment=attachment,
                                       failed=failed)
            _database_facts(conn, case, attempt)
            after, step = apply(case, attempt, related(conn, [case_id])[case_id])
            if minutes is not None:
                step.effects.audit["minutes"] = minutes
            record(conn, after, step, read_at_version=case.version)
            self._preserve_and_produce(conn, after, step.effects.hold, discloses(step), attempt, actor)
            return after

    def _preserve_and_produce(self, conn: Connection, after: CaseRecord, hold: Any, disclosed: bool,
                              attempt: Attempt, actor: str) -> None:
        """The vault's part of a trigger, in the trigger's transaction: the snapshot of a new hold, the
        production and ledger entry of a disclosure."""
        vault = self.ctx.vault
        if hold is not None and hold.op == "create":
            hold_id = conn.execute(select(holds.c.hold_id).where(holds.c.case_id == after.case_id)
                                   .order_by(holds.c.created_at.desc()).limit(1)).scalar_one()
            summary = vault.snapshot(conn, hold_id, after.submission, attempt.now)
            audit.append(conn, [audit.EventDraft(after.case_id, "snapshot_taken", SYSTEM_ACTOR, attempt.now,
                                                 reason=f"hold {hold_id}", data={"hold_id": hold_id, **summary})])
            preservation_outcomes(conn, vault, after, attempt.now, SYSTEM_ACTOR, self.ctx.policy)
        if disclosed:
            self._produce(conn, after, attempt.now, actor)

    def _produce(self, conn: Connection, case: CaseRecord, now: datetime, actor: str) -> None:
        """A disclosure's production (what the instrument names, sealed and signed) and its ledger entry."""
        production = self.ctx.vault.produce(conn, case, self.ctx.policy, now, actor)
        ledger.record(conn, case, production, now, self.ctx.policy, self.ctx.calendar)

    def preview(self, case_id: str, trigger: str, actor: str, reason: str = "", failed: bool = False,
                attachment: Attachment | None = None) -> list[dict[str, Any]]:
        """The letters this step would send, as their recipient would read them (rendered from their
        templates, signed as they would be), without writing anything: the web page shows them and asks
        to confirm before the step is taken. A refused step raises as `fire` would."""
        from ledesk.letters.render import letter_context, render, text_of

        if trigger not in TRIGGERS:
            raise BadInput(f"unknown trigger {trigger!r}; triggers are: {', '.join(TRIGGERS)}")
        ctx, out = self.ctx, []
        with ctx.uow.read() as conn:
            case = load_case(conn, case_id)
            attempt = ctx.attempt(trigger, actor, actors.roles_of(conn, actor), reason=reason, failed=failed,
                                  attachment=attachment)
            _database_facts(conn, case, attempt)
            after, step = apply(case, attempt, related(conn, [case_id])[case_id])
            for message in (m for m in step.effects.messages if m.letter):
                context = letter_context(conn, case_id, message.context, attempt.now, ctx.policy.provider_name,
                                         ctx.calendar.zone, ctx.policy.letterhead(), signed_by=after)
                if context is None:
                    continue
                content, version = render(message.kind, context, ctx.calendar.zone)
                out.append({"kind": message.kind, "to": message.to, "subject": message.subject,
                            "channel": str(message.channel), "template_version": version,
                            "paragraphs": text_of(content)})
        return out

    def pressable(self, case_id: str, allowed: list[str], actor: str, actor_roles: frozenset[str]) -> list[str]:
        """Of the triggers `allowed` (the machine's, from `show`), those this person could fire now: each is
        tried on a copy of the case under their own name, so approving one's own recommendation is not
        offered. Nothing is written."""
        out = []
        with self.ctx.uow.read() as conn:
            case = load_case(conn, case_id)
            rel = related(conn, [case_id])[case_id]
            for trigger in allowed:
                attempt = self.ctx.attempt(trigger, actor, actor_roles, reason="(reason given on the form)")
                _database_facts(conn, case, attempt)
                try:
                    apply(case, attempt, rel)
                except Refused:
                    continue
                out.append(trigger)
        return out

    # -- commands that keep the state -------------------------------------------------------------
    def record_order(self, case_id: str, actor: str, until: date | None, indefinite: bool, reason: str = "",
                     attachment: Attachment | None = None, reference: str = "") -> CaseRecord:
        """A new or extended non-disclosure order; the user notice is re-planned."""
        from ledesk.adapters.orders import record_order
        from ledesk.states.nondisclosure import MAY_RECORD_ORDER

        if until is not None and indefinite:
            raise BadInput("give exactly one of an end date or indefinite")
        with self.ctx.uow.write() as conn:
            actor_roles = actors.require_in(conn, actor, MAY_RECORD_ORDER, "recording a non-disclosure order")
            return record_order(conn, case_id, until, indefinite,
                                self.ctx.attempt("nondisclosure", actor, actor_roles, reason=reason), attachment,
                                reference.strip()[:200])

    def attach_followup(self, case_id: str, actor: str, attachment: Attachment | None,
                        reason: str = "") -> CaseRecord:
        """The follow-up legal process of a disclosed emergency: stored, checked, the follow-up alert stopped."""
        from ledesk.adapters.orders import attach_followup
        from ledesk.states.followup import MAY_ATTACH_FOLLOWUP

        with self.ctx.uow.write() as conn:
            actor_roles = actors.require_in(conn, actor, MAY_ATTACH_FOLLOWUP, "attaching follow-up legal process")
            return attach_followup(conn, case_id, self.ctx.attempt("followup", actor, actor_roles, reason=reason),
                                   attachment)

    def refer(self, case_id: str, actor: str, reason: str) -> CaseRecord:
        """A terms-of-service referral to the abuse team, held while the user's notice is held."""
        from ledesk.adapters.orders import refer
        from ledesk.states.referral import MAY_REFER

        with self.ctx.uow.write() as conn:
            actor_roles = actors.require_in(conn, actor, MAY_REFER, "a terms-of-service referral")
            return refer(conn, case_id, self.ctx.attempt("tos_referral", actor, actor_roles, reason=reason))

    def assign(self, case_id: str, reviewer: str, actor: str) -> dict[str, Any]:
        from ledesk.adapters.admin import assign

        with self.ctx.uow.write() as conn:
            actors.require_in(conn, actor, roles.CASE_STAFF, "assigning cases")
            return assign(conn, case_id, reviewer, actor, self.ctx.now())

    def invoice(self, case_id: str, actor: str) -> dict[str, Any]:
        """Queue the cost invoice letter for a case, once, and render it (its path is in the result)."""
        from ledesk.reports.invoice import MAY_INVOICE, invoice

        with self.ctx.uow.write() as conn:
            actors.require_in(conn, actor, MAY_INVOICE, "issuing an invoice")
            doc = invoice(conn, case_id, actor, self.ctx.now(), self.ctx.policy)
        rendered = self.ctx.render_letters()
        doc["path"] = next((r["path"] for r in rendered if r["case_id"] == case_id and r["kind"] == "cost_invoice"),
                           None)
        return doc

    # -- what the clock does ----------------------------------------------------------------------
    def sweep(self, batch_size: int = 1000) -> SweepReport:
        """Fire every due timer, the statutory report reminders, then the data source's own retention
        once a day, and the hourly signed checkpoint. The timer sweep commits batch by batch
        (adapters.sweep says why)."""
        ctx = self.ctx
        now = ctx.now()
        result = sweep_timers(ctx.uow.write, now, ctx.policy, ctx.calendar, batch_size=batch_size,
                              disclosed=lambda conn, case: self._produce(conn, case, now, SYSTEM_ACTOR))
        with ctx.uow.write() as conn:
            reminders = statutory_db.remind(conn, now, ctx.policy, ctx.calendar)
        report = SweepReport(fired=result.fired + reminders, failed=result.failed)
        if ctx.source.retention_due(ctx.calendar.local_date(now)):
            report.retention_deleted = ctx.source.apply_retention(now, retention_months(ctx.policy))
        if ctx.checkpoints.due(now):
            with ctx.uow.write() as conn:
                report.checkpoint = ctx.checkpoints.write(conn, now)
        return report

    def escalate_unacknowledged(self, case_id: str) -> SweepResult:
        """The second line behind the acknowledgement timer: fire that timer of the case now. It claims the
        same row the sweep would, so the escalation goes out once, whichever line is first."""
        with self.ctx.uow.write() as conn:
            return fire_early(conn, case_id, TimerKind.EMERGENCY_ACKNOWLEDGE, self.ctx.now(), self.ctx.policy,
                              self.ctx.calendar)

    def purge(self) -> PurgeReport:
        """Release converted holds whose time is over (states.retention), then crypto-shred released holds,
        each in its own transaction, and productions whose retention is over (PIPA art. 21); then delete
        provision-ledger entries whose retention is over."""
        from ledesk.vault.production import destroy_expired
        from ledesk.vault.purge import converted_due, purge_hold, release_lapsed, released

        ctx = self.ctx
        now = ctx.now()
        report = PurgeReport()
        with ctx.uow.read() as conn:
            due = converted_due(conn, now)
        for hold_id, case_id in due:  # converted holds whose time is over are released first, one by one
            with ctx.uow.write() as conn:
                release_lapsed(conn, hold_id, case_id, now, ctx.policy, ctx.calendar)
        with ctx.uow.read() as conn:
            candidates = released(conn)
            report.leftover_keys_destroyed = ctx.vault.destroy_leftover_keys(conn)
        for hold_id, case_id in candidates:
            with ctx.uow.write(wipe=False) as conn:
                if purge_hold(conn, ctx.vault.keys, hold_id, case_id, now, ctx.policy.provider_name,
                              ctx.calendar.zone):
                    report.purged.append({"case_id": case_id, "hold_id": hold_id})
        with ctx.uow.write() as conn:
            report.productions_destroyed = destroy_expired(conn, now)
            report.ledger_purged = ledger.purge(conn, ctx.calendar.local_date(now), now)
        if report.purged:
            ctx.uow.wipe_log()
        return report


def _database_facts(conn: Connection, case: CaseRecord, attempt: Attempt) -> None:
    """The facts only the database knows that a trigger's rules ask, read when asked and in this
    transaction: the earlier 215-2 preservation of the same data, the earlier execution of the same
    warrant, the allow-list's type of the authority."""
    if attempt.trigger == Trigger.PRESERVE:
        attempt.repeat_statutory_preservation = lambda: repeat_statutory_preservation(conn, case)
    if attempt.trigger == Trigger.APPROVE_DISCLOSURE:
        attempt.warrant_executed_in = lambda: executed_warrant(conn, case)
        attempt.authority_type = lambda: actors.authority_type(conn, case.authority_domain)
