"""Opening a case from a submission: verify the sender, check completeness, catch duplicates, route.

Correspondence from anyone who is not a verified authority opens no case and looks nothing up; only a
'not reviewed' record with the submission's hash is kept."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from ledesk.adapters import audit
from ledesk.adapters.store import fire_on, insert_case_details, load_cases, record, write
from ledesk.models.enums import (
    SYSTEM_ACTOR,
    TERMINAL_STATES,
    CaseKind,
    CaseState,
    Channel,
    NoticeReason,
    NoticeStatus,
    OutboxChannel,
    OutboxStatus,
    Regime,
    TimerKind,
    Trigger,
)
from ledesk.models.submission import Submission, SubmissionError, parse_submission
from ledesk.models.tables import authorities, cases, not_reviewed, outbox
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import deadlines, messages
from ledesk.states.attempt import Attachment
from ledesk.states.case import CaseRecord
from ledesk.states.completeness import deficiencies, emergency_deficiencies, statutory_notes
from ledesk.states.effects import Effects, Related, TimerPlan, target_rows
from ledesk.states.engine import apply, system_attempt
from ledesk.states.errors import GuardRefused
from ledesk.states.lookalike import imitated
from ledesk.states.notice import NonDisclosureOrder
from ledesk.states.process import is_legal_process
from ledesk.states.regime import regime_for
from ledesk.states.step import Outcome, Step, new_id
from ledesk.states.targets import dedupe_key


def email_domain(address: str) -> str:
    """The domain of exactly one plain address; "" for a list, a display name, or anything else."""
    text = address.strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or text.count("@") != 1 or any(c in text for c in ' ,;<>()"\t\n'):
        return ""
    return domain.rstrip(".").casefold()


def find_authority(conn: Connection, domain: str) -> Any:
    """The allow-listed authority for a domain: the exact domain, or a listed parent of it."""
    if not domain:
        return None
    labels = domain.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = {r.domain: r for r in conn.execute(select(authorities).where(authorities.c.domain.in_(candidates),
                                                                        authorities.c.removed_at.is_(None)))}
    for candidate in candidates:  # the most specific listing wins
        if candidate in rows:
            return rows[candidate]
    return None


def within(domain: str, authority_domain: str) -> bool:
    return domain == authority_domain or domain.endswith("." + authority_domain)


@dataclass(frozen=True)
class Envelope:
    """How a submission arrived: the channel, the original file, what came with it."""

    channel: Channel = Channel.PORTAL
    source: Attachment | None = None
    attachments: tuple[Attachment, ...] = ()
    headers: dict[str, str] | None = None


def not_reviewed_record(conn: Connection, sender: str, reason: str, sha: str, now: datetime, policy: Policy,
                        envelope: Envelope, alert: str | None = None) -> dict[str, Any]:
    """Keep who sent what and why it was not reviewed; nothing about any account is looked up."""
    conn.execute(insert(not_reviewed).values(
        at=now, sender=sender[:320], reason=reason[:500], sha256=sha, channel=envelope.channel,
        headers=envelope.headers,
        attachments=[{"name": a.filename[:255], "sha256": a.sha256, "size": len(a.content)}
                     for a in ((envelope.source,) if envelope.source else ()) + envelope.attachments]))
    if alert:
        conn.execute(insert(outbox).values(
            case_id=None, kind="security_alert", channel=OutboxChannel.INTERNAL, to=policy.legal_team_address,
            subject=f"[LE Desk] SECURITY: {alert}"[:300],
            body=f"{alert}\nSender: {sender}\nReason not reviewed: {reason}\nSHA-256: {sha}\n",
            status=OutboxStatus.PENDING, attempts=0, created_at=now))
    return {"case_id": None, "status": "not_reviewed", "reason": reason}


def _not_reviewed(conn: Connection, sender: str, reason: str, raw: dict[str, Any], now: datetime, policy: Policy,
                  envelope: Envelope) -> dict[str, Any]:
    sha = (envelope.source.sha256 if envelope.source else
           hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest())
    return not_reviewed_record(conn, sender, reason, sha, now, policy, envelope, lookalike_alert(conn, sender))


def lookalike_alert(conn: Connection, sender: str) -> str | None:
    """The security alert for a sender whose domain imitates an allow-listed authority, if it does."""
    domain = email_domain(sender)
    if not domain:
        return None
    real = imitated(domain, list(conn.scalars(select(authorities.c.domain))))
    return f"look-alike sender domain {domain} imitates {real}" if real else None


def intake(conn: Connection, raw: dict[str, Any], now: datetime, policy: Policy, cal: LegalCalendar,
           filename: str = "submission.json", envelope: Envelope | None = None) -> dict[str, Any]:
    envelope = envelope or Envelope()
    sub = parse_submission(raw)  # SubmissionError: bad input, nothing written
    domain = email_domain(sub.sender.email)
    authority = find_authority(conn, domain)
    if authority is None:
        return _not_reviewed(conn, sub.sender.email, f"sender domain {domain or '(none)'} is not an allow-listed "
                             "law-enforcement authority", raw, now, policy, envelope)
    officer_domain = email_domain(sub.officer.email) if sub.officer.email else ""
    if sub.officer.email and not within(officer_domain, authority.domain):
        return _not_reviewed(conn, sub.sender.email, f"officer e-mail domain {officer_domain or '(invalid)'} is "
                             f"not the authority's own domain {authority.domain}", raw, now, policy, envelope)
    rows = target_rows(sub)
    key = dedupe_key(sub.reference, [(t, v) for t, v, _ in rows])
    document = (Attachment(envelope.source.filename, envelope.source.content, "submission") if envelope.source
                else Attachment(filename, json.dumps(raw, ensure_ascii=False, indent=1).encode(), "submission"))
    extra = [Attachment(a.filename, a.content, "attachment") for a in envelope.attachments]

    if sub.related_case:
        owner = conn.execute(select(cases.c.authority_domain).where(cases.c.case_id == sub.related_case)).scalar()
        if owner != authority.domain:
            # Another authority's case, or none: said alike, so the answer tells nobody whose cases exist.
            raise SubmissionError(f"related_case: {sub.related_case} is not a request of {authority.domain}")
        linked = _supplement_related(conn, sub, authority.domain, [document, *extra], now, policy, cal)
        if linked is not None:
            return linked

    duplicate = conn.execute(select(cases.c.case_id, cases.c.state, cases.c.kind).where(
        cases.c.authority_domain == authority.domain, cases.c.dedupe_key == key,
        cases.c.state.not_in([s.value for s in TERMINAL_STATES])).limit(1)).first()
    if duplicate is not None:
        audit.append(conn, [audit.EventDraft(duplicate.case_id, "duplicate_received", SYSTEM_ACTOR, now,
                                             reason="the same request was sent again",
                                             data={"sha256": document.sha256})])
        return {"case_id": duplicate.case_id, "status": "duplicate", "duplicate_of": duplicate.case_id,
                "state": duplicate.state, "kind": duplicate.kind, "deficiencies": [], "linked_to": None}

    case = _new_case(sub, authority, key, now, policy)
    order = NonDisclosureOrder(
        until=sub.nondisclosure.until if sub.nondisclosure else None,
        indefinite=bool(sub.nondisclosure and sub.nondisclosure.indefinite),
        reference=sub.nondisclosure.reference if sub.nondisclosure else "")
    preservation_only = sub.kind == CaseKind.PRESERVATION
    opening = _opening_effects(case, sub, document, now, policy, cal)
    opening.documents += extra
    opening.audit["channel"] = envelope.channel
    steps = [Step("intake", None, CaseState.RECEIVED, SYSTEM_ACTOR, now,
                  f"{sub.kind.value} request from {authority.domain} by {envelope.channel}", opening)]
    statutory = case.regime == Regime.KR_CPA215_2
    missing = deficiencies(sub, cal.local_date(now), statutory=statutory)
    notes = statutory_notes(sub) if statutory else []
    if notes:  # kept on the case for the reviewer; the preservation does not wait for them
        opening.audit["notes"] = notes
        case.internal_note = "; ".join(n["message"] for n in notes)
    after = case
    if sub.kind == CaseKind.EMERGENCY:
        # Answered at once whatever it lacks; what it lacks is named, and the disclosure waits for it.
        missing = case.deficiencies = emergency_deficiencies(sub)
    elif missing:
        attempt = system_attempt(Trigger.FLAG_INCOMPLETE, now, policy, cal, deficiencies=missing)
        after, step = apply(case, attempt, Related())
        steps.append(step)
    write(conn, [Outcome(after, 0, steps)])  # inserts the case with its first events, timers and letters
    insert_case_details(conn, case.case_id, rows, order,
                        NoticeStatus.NOT_REQUIRED if preservation_only else NoticeStatus.UNDECIDED,
                        NoticeReason.PRESERVATION_ONLY if preservation_only else NoticeReason.NONE)
    return {"case_id": case.case_id, "status": "opened", "state": after.state, "kind": case.kind,
            "regime": case.regime, "deficiencies": missing, "notes": notes, "linked_to": case.linked_to}


def _new_case(sub: Submission, authority: Any, key: str, now: datetime, policy: Policy) -> CaseRecord:
    return CaseRecord.new(
        sub, case_id=new_id("LE"), kind=sub.kind.value, regime=regime_for(sub, authority.country).value,
        state=CaseState.RECEIVED.value, version=1, authority_domain=authority.domain,
        country=authority.country, reference=sub.reference, sender_email=sub.sender.email,
        dedupe_key=key, policy_version=policy.version, received_at=now, updated_at=now, linked_to=sub.related_case)


def _opening_effects(case: CaseRecord, sub: Submission, document: Attachment, now: datetime, policy: Policy,
                     cal: LegalCalendar) -> Effects:
    fx = Effects(documents=[document], audit={"regime": case.regime, "sha256": document.sha256})
    fx.messages.append(messages.acknowledgement(case, policy))
    if sub.respond_by:
        fx.timers.append(TimerPlan(TimerKind.RESPONSE_DUE, deadlines.response_due(sub.respond_by, cal)))
    if sub.kind == CaseKind.EMERGENCY:
        # The page is committed with the case, so no emergency can exist without someone being paged.
        fx.messages.append(messages.page("emergency_page", case, policy.oncall_address,
                                         "EMERGENCY request received: acknowledge within "
                                         f"{policy.emergency.acknowledge_minutes} minutes"))
        fx.timers += [
            TimerPlan(TimerKind.EMERGENCY_ACKNOWLEDGE, deadlines.emergency_acknowledge(now, policy)),
            TimerPlan(TimerKind.EMERGENCY_TRIAGE, deadlines.emergency_triage(now, policy)),
            TimerPlan(TimerKind.EMERGENCY_DECISION, deadlines.emergency_decision(now, policy)),
        ]
    return fx


def _supplement_related(conn: Connection, sub: Submission, authority_domain: str, documents: list[Attachment],
                        now: datetime, policy: Policy, cal: LegalCalendar) -> dict[str, Any] | None:
    """A submission naming an open case of the same authority supplements it: it cures an incomplete
    case, or brings the legal process a preserved or waiting case needs. Otherwise it opens a new case."""
    assert sub.related_case is not None
    found = load_cases(conn, [sub.related_case]).get(sub.related_case)
    if found is None or found.authority_domain != authority_domain:
        return None
    given = sub.model_dump(mode="json", by_alias=True, exclude_unset=True)
    supplement = {k: v for k, v in given.items() if k not in {"kind", "sender", "related_case"}}
    carries_process = is_legal_process(sub.legal_basis.instrument)
    if found.is_emergency and found.state == CaseState.DISCLOSED and carries_process:
        return _followup(conn, found, supplement, documents, sub.sender.email, now, policy, cal)
    if found.state in TERMINAL_STATES:
        return None
    if found.state == CaseState.INCOMPLETE:
        trigger = Trigger.CURE
    elif found.state in (CaseState.PRESERVED, CaseState.AWAITING_LEGAL_PROCESS) and carries_process:
        trigger = Trigger.ATTACH_LEGAL_PROCESS
    else:
        return None
    attachment = Attachment("supplement.json", json.dumps(supplement).encode(), "supplement")
    attempt = system_attempt(trigger, now, policy, cal, attachment=attachment)
    try:
        after, _ = fire_on(conn, found, attempt, documents=documents)
    except GuardRefused as exc:  # kept with the rule that refused it; the case does not move
        kept = correspondence(conn, found.case_id, attachment, now, sub.sender.email, refused=exc, extra=documents)
        return {**kept, "status": "not_legal_process" if trigger == Trigger.ATTACH_LEGAL_PROCESS else "refused",
                "reason": exc.message, "guard": exc.guard}
    return {"case_id": found.case_id, "status": "linked", "state": after.state, "kind": found.kind,
            "deficiencies": after.deficiencies, "linked_to": found.case_id}


def _followup(conn: Connection, found: CaseRecord, supplement: dict[str, Any], documents: list[Attachment],
              sender: str, now: datetime, policy: Policy, cal: LegalCalendar) -> dict[str, Any]:
    """A disclosed emergency's follow-up legal process, sent by the authority (portal or e-mail)."""
    from ledesk.adapters.orders import attach_followup

    attachment = Attachment("followup.json", json.dumps(supplement).encode(), "legal_process")
    try:
        after = attach_followup(conn, found.case_id, system_attempt("followup", now, policy, cal,
                                                                     reason=f"follow-up process from {sender}"),
                                attachment)
    except GuardRefused as exc:
        kept = correspondence(conn, found.case_id, attachment, now, sender, refused=exc, extra=documents)
        return {**kept, "status": "not_legal_process", "reason": exc.message, "guard": exc.guard}
    return {"case_id": found.case_id, "status": "linked", "state": after.state, "kind": found.kind,
            "deficiencies": [], "linked_to": found.case_id}


def correspondence(conn: Connection, case_id: str, document: Attachment, now: datetime, sender: str,
                   refused: GuardRefused | None = None, extra: list[Attachment] | None = None) -> dict[str, Any]:
    """Mail about an open case that is not legal process (nothing attached, or a document the rules refuse
    as process): kept on the case, and nothing else changes, whatever it says."""
    case = load_cases(conn, [case_id], lock=True)[case_id]
    kept = [Attachment(document.filename, document.content, "correspondence"), *(extra or [])]
    why = f"not legal process: {refused.message}" if refused else "no document attached"
    fx = Effects(documents=kept, audit={"guard": refused.guard} if refused else {})
    record(conn, case, Step("correspondence", case.state, case.state, SYSTEM_ACTOR, now,
                            f"e-mail from {sender}: {why}", fx))
    return {"case_id": case_id, "status": "correspondence", "state": case.state, "kind": case.kind,
            "deficiencies": [], "linked_to": case_id}
