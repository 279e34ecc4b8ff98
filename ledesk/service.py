"""The service layer: every command that changes a case, each one method that opens the one transaction,
asks the one role guard (states.roles) and returns a typed result. The CLI, the API, the web UI and the
flows call these and nothing below them that writes.

Below this layer the rules (ledesk.states) work inside the transaction they are given; above it, the
entry points only translate input and output. bootstrap.Runtime.desk() builds one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from sqlalchemy import Connection, Engine, select, update

from ledesk.models.enums import SYSTEM_ACTOR, Trigger
from ledesk.models.tables import cases, holds, productions
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import audit, ledger, roles, statutory
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.clock import Clock
from ledesk.states.engine import apply, discloses, repeat_statutory_preservation
from ledesk.states.errors import BadInput, GuardRefused, NotFound, Refused
from ledesk.states.machine import TRIGGERS
from ledesk.states.store import load_case, record, related
from ledesk.states.sweep import sweep as sweep_timers
from ledesk.vault.store import Vault

if TYPE_CHECKING:
    from ledesk.intake.mailbox import MailboxConfig, MailKey
    from ledesk.vault.production import Package


class DownloadClosed(Refused):
    """A production the portal no longer gives out: its download window is over, or it was destroyed."""

    code = "download_closed"

MAX_MINUTES = 24 * 60


class Retention(Protocol):
    """The data source's own log retention, which the sweep applies once a day."""

    def retention_due(self, today: date) -> bool: ...

    def apply_retention(self, now: datetime, months_by_category: dict[str, int]) -> int: ...


class Checkpointer(Protocol):
    """Signed audit checkpoints kept outside the database (vault.checkpoints.Checkpoints)."""

    def due(self, now: datetime) -> bool: ...

    def write(self, conn: Connection, now: datetime) -> dict[str, Any]: ...


class IntakeResult(TypedDict, total=False):
    case_id: str | None
    status: str
    state: str
    kind: str
    regime: str
    reason: str
    deficiencies: list[dict[str, str]]
    linked_to: str | None
    duplicate_of: str


class InboxFile(IntakeResult, total=False):
    file: str
    error: str
    code: str


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
class Desk:
    """LE Desk's service layer over one database, clock, policy and calendar."""

    engine: Engine
    clock: Clock
    policy: Policy
    calendar: LegalCalendar
    # Takes the snapshot when a hold is created, in the same transaction (vault.store.Vault). Without
    # one, holds are recorded but nothing is copied: only tests of the rules run that way.
    vault: Vault | None = None
    source: Retention | None = None
    checkpoints: Checkpointer | None = None

    # -- the one transaction ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Everything a command writes commits here together, or nothing does (the keys of what it
        shredded are destroyed once it has committed)."""
        with self.vault.committed(self.engine) if self.vault is not None else self.engine.begin() as conn:
            yield conn

    def now(self) -> datetime:
        return self.clock.now()

    def attempt(self, trigger: str, actor: str, actor_roles: frozenset[str], **kw: Any) -> Attempt:
        return Attempt(trigger=trigger, actor=actor, roles=actor_roles, now=self.clock.now(), policy=self.policy,
                       calendar=self.calendar, **kw)

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
        with self.transaction() as conn:
            case = load_case(conn, case_id, lock=True)
            actor_roles = frozenset() if actor == SYSTEM_ACTOR else roles.roles_of(conn, actor)
            attempt = self.attempt(trigger, actor, actor_roles, reason=reason, attachment=attachment, failed=failed)
            if trigger == Trigger.PRESERVE:
                attempt.repeat_statutory_preservation = lambda: repeat_statutory_preservation(conn, case)
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
        if self.vault is None:
            return
        if hold is not None and hold.op == "create":
            hold_id = conn.execute(select(holds.c.hold_id).where(holds.c.case_id == after.case_id)
                                   .order_by(holds.c.created_at.desc()).limit(1)).scalar_one()
            summary = self.vault.snapshot(conn, hold_id, after.submission, attempt.now)
            audit.append(conn, [audit.EventDraft(after.case_id, "snapshot_taken", SYSTEM_ACTOR, attempt.now,
                                                 reason=f"hold {hold_id}", data={"hold_id": hold_id, **summary})])
        if disclosed:
            production = self.vault.produce(conn, after, self.policy, attempt.now, actor)
            ledger.record(conn, after, production, attempt.now, self.policy, self.calendar)

    def pressable(self, case_id: str, allowed: list[str], actor: str, actor_roles: frozenset[str]) -> list[str]:
        """Of the triggers `allowed` (the machine's, from `show`), those this person could fire now: each is
        tried on a copy of the case under their own name, so approving one's own recommendation is not
        offered. Nothing is written."""
        from ledesk.states.errors import Refused

        with self.engine.connect() as conn:
            case = load_case(conn, case_id)
            rel = related(conn, [case_id])[case_id]
        out = []
        for trigger in allowed:
            try:
                apply(case, self.attempt(trigger, actor, actor_roles, reason="(reason given on the form)"), rel)
            except Refused:
                continue
            out.append(trigger)
        return out

    # -- opening a case ---------------------------------------------------------------------------
    def take(self, name: str, data: bytes, authority: str | None = None, officer: tuple[str, str] | None = None,
             related_case: str | None = None) -> IntakeResult:
        """A submission as it arrived: `.json` (the portal), `.docx` (a filled form) or `.eml` (an e-mail).
        With `authority`, the case must be that authority's (a portal token's), or nothing is kept; with
        `officer`, the token's officer is the submission's; with `related_case`, it supplements that case."""
        from ledesk.intake.channels import intake_bytes

        if related_case is not None and not name.lower().endswith((".json", ".docx")):
            raise BadInput("a document for a case is a .json or a filled .docx form")
        with self.transaction() as conn:
            result: IntakeResult = intake_bytes(conn, name, data, self.clock.now(), self.policy,  # type: ignore[assignment]
                                                self.calendar, officer=officer, related_case=related_case)
            if authority is not None:
                owner = conn.execute(select(cases.c.authority_domain).where(
                    cases.c.case_id == result.get("case_id"))).scalar() if result.get("case_id") else None
                if owner != authority:  # raising here rolls the whole intake back
                    raise GuardRefused("actor_role", "the submission's sender is not of the authority this "
                                                     "token is for")
            return result

    def take_file(self, path: Path) -> IntakeResult:
        from ledesk.intake.channels import read_file

        return self.take(path.name, read_file(path))

    def take_inbox(self, home: Path) -> Iterator[InboxFile]:
        """Each file of the drop folder in its own transaction, yielded as soon as it is committed (so an
        emergency is paged before the next file is read), then moved to processed/ or refused/."""
        from ledesk.intake.folder import each_inbox_file

        yield from each_inbox_file(home, self.take_file)  # type: ignore[misc]

    # -- the authority's side (API and portal) ----------------------------------------------------
    def own_case(self, conn: Connection, case_id: str, authority: str) -> None:
        """Another authority's case, or none, looks exactly alike: not found."""
        owner = conn.execute(select(cases.c.authority_domain).where(cases.c.case_id == case_id)).scalar()
        if owner is None or owner != authority:
            raise NotFound(f"no submission {case_id}")

    def production_for(self, case_id: str, authority: str, who: str) -> Package:
        """The signed package of a disclosed case, for the authority of the case only and until the
        policy's download window ends; each download is an audit event."""
        from ledesk.vault.production import package

        if self.vault is None:
            raise RuntimeError("a production is read through the vault: build the Desk with it")
        now = self.clock.now()
        with self.transaction() as conn:
            self.own_case(conn, case_id, authority)
            made = conn.execute(select(productions.c.created_at).where(productions.c.case_id == case_id)).scalar()
            if made is None:
                raise NotFound(f"submission {case_id} has no production to download")
            closes = self.policy.production.download_closes(made)
            if now > closes:
                raise DownloadClosed(f"the download window of {case_id}'s production closed on "
                                     f"{closes.isoformat()} ({self.policy.production.download_days} days)")
            try:
                return package(conn, self.vault, case_id, now, who, "the authority portal (download)")
            except LookupError as exc:
                raise DownloadClosed(str(exc)) from None

    def confirm_receipt(self, case_id: str, authority: str, who: str) -> dict[str, Any]:
        """The authority says it received the package (recorded once; the audit log keeps who and when)."""
        now = self.clock.now()
        with self.transaction() as conn:
            self.own_case(conn, case_id, authority)
            row = conn.execute(select(productions.c.production_id, productions.c.received_at)
                               .where(productions.c.case_id == case_id)).first()
            if row is None:
                raise NotFound(f"submission {case_id} has no production")
            if row.received_at is None:
                conn.execute(update(productions).where(productions.c.case_id == case_id).values(received_at=now))
                audit.append(conn, [audit.EventDraft(case_id, "production_received", who, now,
                                                     data={"production_id": row.production_id})])
            return {"case_id": case_id, "received_at": (row.received_at or now).isoformat()}

    def take_mail(self, key: MailKey, data: bytes) -> dict[str, Any]:
        """One message of the official mailbox, taken exactly once: the record of it (UIDVALIDITY + UID,
        Message-ID) commits with the case it opened, and a message already recorded is not taken again
        (its recorded outcome is returned, with `already_taken`)."""
        from sqlalchemy.exc import IntegrityError

        from ledesk.intake.channels import intake_bytes
        from ledesk.states.errors import LedeskError

        try:
            with self.transaction() as conn:
                prior = _mail_taken(conn, key)
                if prior is not None:
                    return {**prior, "already_taken": True}
                result = dict(intake_bytes(conn, key.name, data, self.clock.now(), self.policy, self.calendar))
                _record_mail(conn, key, result, self.clock.now())
                return result
        except IntegrityError:  # another worker took the same message at the same moment: theirs stands
            with self.engine.connect() as conn:
                prior = _mail_taken(conn, key)
            if prior is None:
                raise
            return {**prior, "already_taken": True}
        except LedeskError as exc:
            refused: dict[str, Any] = {"error": exc.message, "code": exc.code}
        except Exception as exc:  # one unreadable message never stops the ones after it
            refused = {"error": f"unreadable: {exc.__class__.__name__}: {str(exc)[:200]}", "code": "unreadable"}
        try:
            with self.transaction() as conn:
                _record_mail(conn, key, refused, self.clock.now())
        except IntegrityError:
            pass
        return refused

    def take_mailbox(self, cfg: MailboxConfig) -> Iterator[dict[str, Any]]:
        """One pass over the official mailbox, each message yielded as soon as it is committed and moved."""
        from ledesk.intake.mailbox import poll

        yield from poll(cfg, self.take_mail)

    # -- commands that keep the state -------------------------------------------------------------
    def record_order(self, case_id: str, actor: str, until: date | None, indefinite: bool, reason: str = "",
                     attachment: Attachment | None = None, reference: str = "") -> CaseRecord:
        """A new or extended non-disclosure order; the user notice is re-planned."""
        from ledesk.states.nondisclosure import MAY_RECORD_ORDER, record_order

        if until is not None and indefinite:
            raise BadInput("give exactly one of an end date or indefinite")
        with self.transaction() as conn:
            actor_roles = roles.require_in(conn, actor, MAY_RECORD_ORDER, "recording a non-disclosure order")
            return record_order(conn, case_id, until, indefinite,
                                self.attempt("nondisclosure", actor, actor_roles, reason=reason), attachment,
                                reference.strip()[:200])

    def attach_followup(self, case_id: str, actor: str, attachment: Attachment | None,
                        reason: str = "") -> CaseRecord:
        """The follow-up legal process of a disclosed emergency: stored, checked, the follow-up alert stopped."""
        from ledesk.states.followup import MAY_ATTACH_FOLLOWUP, attach_followup

        with self.transaction() as conn:
            actor_roles = roles.require_in(conn, actor, MAY_ATTACH_FOLLOWUP, "attaching follow-up legal process")
            return attach_followup(conn, case_id, self.attempt("followup", actor, actor_roles, reason=reason),
                                   attachment)

    def refer(self, case_id: str, actor: str, reason: str) -> CaseRecord:
        """A terms-of-service referral to the abuse team, held while the user's notice is held."""
        from ledesk.states.referral import MAY_REFER, refer

        with self.transaction() as conn:
            actor_roles = roles.require_in(conn, actor, MAY_REFER, "a terms-of-service referral")
            return refer(conn, case_id, self.attempt("tos_referral", actor, actor_roles, reason=reason))

    def assign(self, case_id: str, reviewer: str, actor: str) -> dict[str, Any]:
        from ledesk.states.admin import assign

        with self.transaction() as conn:
            roles.require_in(conn, actor, roles.CASE_STAFF, "assigning cases")
            return assign(conn, case_id, reviewer, actor, self.clock.now())

    def invoice(self, case_id: str, actor: str) -> dict[str, Any]:
        """Queue the cost invoice letter for a case, once."""
        from ledesk.reports.invoice import MAY_INVOICE, invoice

        with self.transaction() as conn:
            roles.require_in(conn, actor, MAY_INVOICE, "issuing an invoice")
            return invoice(conn, case_id, actor, self.clock.now(), self.policy)

    # -- what the clock does ----------------------------------------------------------------------
    def sweep(self, batch_size: int = 1000) -> SweepReport:
        """Fire every due timer, the statutory report reminders, then the data source's own retention
        once a day. The timer sweep commits batch by batch (states.sweep says why)."""
        now = self.clock.now()
        result = sweep_timers(self.engine, now, self.policy, self.calendar, batch_size=batch_size, vault=self.vault)
        with self.transaction() as conn:
            reminders = statutory.remind(conn, now, self.policy, self.calendar)
        report = SweepReport(fired=result.fired + reminders, failed=result.failed)
        if self.source is not None and self.source.retention_due(self.calendar.local_date(now)):
            report.retention_deleted = self.source.apply_retention(now, retention_months(self.policy))
        if self.checkpoints is not None and self.checkpoints.due(now):
            with self.transaction() as conn:  # the hourly signed checkpoint of the audit chain
                report.checkpoint = self.checkpoints.write(conn, now)
        return report

    def purge(self) -> PurgeReport:
        """Crypto-shred released holds, each in its own transaction, and productions whose retention is over
        (PIPA art. 21); then delete provision-ledger entries whose retention is over."""
        from ledesk.vault.production import destroy_expired
        from ledesk.vault.purge import purge_hold, released
        from ledesk.vault.store import wipe_log

        if self.vault is None:
            raise RuntimeError("a purge destroys keys: build the Desk with its vault (Runtime.desk())")
        now = self.clock.now()
        report = PurgeReport()
        with self.engine.connect() as conn:
            candidates = released(conn)
            report.leftover_keys_destroyed = self.vault.destroy_leftover_keys(conn)
        for hold_id, case_id in candidates:
            with self.vault.committed(self.engine, wipe=False) as conn:
                if purge_hold(conn, self.vault.keys, hold_id, case_id, now, self.policy.provider_name):
                    report.purged.append({"case_id": case_id, "hold_id": hold_id})
        with self.transaction() as conn:
            report.productions_destroyed = destroy_expired(conn, now)
            report.ledger_purged = ledger.purge(conn, self.calendar.local_date(now), now)
        if report.purged:
            wipe_log(self.engine)
        return report


def _mail_taken(conn: Connection, key: MailKey) -> dict[str, Any] | None:
    from sqlalchemy import or_

    from ledesk.models.tables import mailbox_messages as mm

    same_uid = (mm.c.mailbox == key.mailbox) & (mm.c.uidvalidity == key.uidvalidity) & (mm.c.uid == key.uid)
    query = select(mm.c.outcome).where(or_(same_uid, mm.c.message_id == key.message_id) if key.message_id
                                       else same_uid).limit(1)
    outcome = conn.execute(query).scalar()
    return dict(outcome) if outcome is not None else None


def _record_mail(conn: Connection, key: MailKey, outcome: dict[str, Any], now: datetime) -> None:
    from sqlalchemy import insert

    from ledesk.models.tables import mailbox_messages

    conn.execute(insert(mailbox_messages).values(mailbox=key.mailbox, uidvalidity=key.uidvalidity, uid=key.uid,
                                                 message_id=key.message_id, outcome=outcome,
                                                 case_id=outcome.get("case_id"), taken_at=now))


def retention_months(policy: Policy) -> dict[str, int]:
    """Minimum log retention by data category (PCSA Decree 41(2)), from policy."""
    p = policy.log_retention
    return {"access_logs": p.internet_logs_months, "ip_logs": p.ip_access_months,
            "traffic_data": p.call_detail_months}
