"""One entry for every way a request arrives: a JSON file (the portal), a filled .docx form, or an e-mail.
Each is read into the same submission and handed to states.intake in one transaction."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from ledesk.adapters.intake import (
    Envelope,
    correspondence,
    email_domain,
    find_authority,
    intake,
    lookalike_alert,
    not_reviewed_record,
)
from ledesk.intake.email import CASE_NUMBER, SUBJECT, MessageError, read_message
from ledesk.intake.forms.guard import FormError
from ledesk.intake.forms.parse import read_form
from ledesk.models.enums import TERMINAL_STATES, CaseState, Channel, Trigger
from ledesk.models.submission import SubmissionError
from ledesk.models.tables import cases
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states.attempt import Attachment
from ledesk.states.errors import BadInput, GuardRefused

MAX_JSON = 5 * 1024 * 1024


def authserv_id(policy: Policy) -> str:
    return os.environ.get("LEDESK_AUTHSERV_ID") or policy.authserv_id


def _json(data: bytes, name: str) -> dict[str, Any]:
    if len(data) > MAX_JSON:
        raise BadInput(f"{name}: larger than {MAX_JSON // (1024 * 1024)} MB")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and also the integer of more than 4,300 digits that
        # json refuses to convert (sys.set_int_max_str_digits): a sender's number must not be a 500.
        raise BadInput(f"{name}: not valid JSON ({exc.__class__.__name__}: {str(exc)[:120]})") from None
    if not isinstance(value, dict):
        raise BadInput(f"{name}: a submission is a JSON object")
    return value


def _form(data: bytes, name: str) -> dict[str, Any]:
    try:
        return read_form(data)
    except FormError as exc:
        raise BadInput(f"{name}: {exc}") from None


def _submit(conn: Connection, raw: dict[str, Any], now: datetime, policy: Policy, cal: LegalCalendar,
            name: str, envelope: Envelope) -> dict[str, Any]:
    try:
        return intake(conn, raw, now, policy, cal, name, envelope)
    except SubmissionError as exc:
        raise BadInput(f"{name}: {exc}") from None


def _as_supplement_of(conn: Connection, raw: dict[str, Any], case_id: str) -> None:
    """A document sent on a case's page needs to say only what it adds (as `incomplete_supplement.json`
    does): what it leaves out of the envelope is the case's. A preserved case's document is its legal
    process; whoever sends it, the case must still be the sending authority's (the service checks)."""
    raw["related_case"] = case_id
    found = conn.execute(select(cases.c.kind, cases.c.state, cases.c.sender_email)
                         .where(cases.c.case_id == case_id)).first()
    if found is None:
        return
    waits_for_process = found.state in (CaseState.PRESERVED, CaseState.AWAITING_LEGAL_PROCESS)
    raw.setdefault("kind", "legal_process" if waits_for_process else found.kind)
    if not isinstance(raw.get("sender"), dict) or not raw["sender"].get("email"):
        raw["sender"] = {"email": found.sender_email}


def intake_bytes(conn: Connection, name: str, data: bytes, now: datetime, policy: Policy,
                 cal: LegalCalendar, officer: tuple[str, str] | None = None,
                 related_case: str | None = None) -> dict[str, Any]:
    """A submission as it arrived. `officer` (name, badge) is the officer the portal token was issued to:
    it names the submission's officer, whatever the document says; `related_case` makes the document a
    supplement of that case (the portal's upload on a case page)."""
    suffix = Path(name).suffix.lower()
    if suffix in (".json", ".docx"):
        if suffix == ".json":
            raw, envelope = _json(data, name), Envelope(Channel.PORTAL)
        else:
            raw, envelope = _form(data, name), Envelope(Channel.FORM, Attachment(Path(name).name, data, "submission"))
        if officer is not None:
            given: dict[str, Any] = raw["officer"] if isinstance(raw.get("officer"), dict) else {}
            raw["officer"] = {**given, "name": officer[0], "badge_number": officer[1]}
        if related_case is not None:
            _as_supplement_of(conn, raw, related_case)
        return _submit(conn, raw, now, policy, cal, name, envelope)
    if suffix == ".eml":
        return intake_email(conn, name, data, now, policy, cal)
    raise BadInput(f"{name}: intake takes .json, .docx or .eml")


def intake_email(conn: Connection, name: str, data: bytes, now: datetime, policy: Policy,
                 cal: LegalCalendar) -> dict[str, Any]:
    try:
        mail = read_message(data, authserv_id(policy))
    except MessageError as exc:
        raise BadInput(f"{name}: {exc}") from None
    envelope = Envelope(Channel.EMAIL, Attachment(Path(name).name, data, "email"), tuple(mail.attachments),
                        mail.headers)
    domain = email_domain(mail.sender)
    sha = envelope.source.sha256 if envelope.source else ""
    if SUBJECT.casefold() not in mail.subject.casefold():
        return not_reviewed_record(conn, mail.sender, f"the subject does not contain \"{SUBJECT}\"", sha, now,
                                   policy, envelope)
    authority = find_authority(conn, domain)
    if authority is None:
        return not_reviewed_record(
            conn, mail.sender, f"sender domain {domain or '(none)'} is not an allow-listed law-enforcement authority",
            sha, now, policy, envelope, lookalike_alert(conn, mail.sender))
    if mail.sender_problem:
        # A From that hides a second address or dresses one up as a name is never taken, whatever passed.
        return not_reviewed_record(
            conn, mail.sender, mail.sender_problem, sha, now, policy, envelope,
            f"malformed From for mail claiming to be from allow-listed {authority.domain}: possible spoofing")
    if mail.dmarc != "pass":
        verdict = mail.dmarc or f"no verdict from {authserv_id(policy)}"
        why = f"; {mail.auth_problem}" if mail.auth_problem else ""
        return not_reviewed_record(
            conn, mail.sender, f"DMARC did not pass for {domain} ({verdict}){why}", sha, now, policy, envelope,
            f"DMARC {verdict} for mail claiming to be from allow-listed {authority.domain}: possible spoofing")
    form = next((a for a in mail.attachments if a.filename.lower().endswith((".docx", ".json"))), None)
    others = tuple(a for a in mail.attachments if a is not form)
    related = _named_case(conn, mail.text, authority.domain)
    if form is None:
        if related is None:
            raise BadInput(f"{name}: the e-mail carries no .docx or .json request form and names no open case")
        assert envelope.source is not None
        if not others:  # an e-mail naming the case with nothing attached is correspondence, not process
            return correspondence(conn, related, envelope.source, now, mail.sender)
        return _attach_process(conn, related, others[0], others, now, policy, cal, mail.sender)
    raw = _form(form.content, form.filename) if form.filename.lower().endswith(".docx") else \
        _json(form.content, form.filename)
    raw["sender"] = {"email": mail.sender}  # the verified From, never what the form claims
    if related and not raw.get("related_case"):
        raw["related_case"] = related
    return _submit(conn, raw, now, policy, cal, form.filename,
                   Envelope(Channel.EMAIL, Attachment(form.filename, form.content, "submission"), others, mail.headers))


def _named_case(conn: Connection, text: str, authority_domain: str) -> str | None:
    """An open case of this authority named by our case number, or by the authority's own reference."""
    open_states = [s.value for s in TERMINAL_STATES]
    numbers = CASE_NUMBER.findall(text)
    if numbers:
        found = conn.execute(select(cases.c.case_id).where(
            cases.c.case_id.in_(numbers), cases.c.authority_domain == authority_domain,
            cases.c.state.not_in(open_states))).first()
        if found:
            return str(found.case_id)
    candidates = sorted(reference_candidates(text))
    for start in range(0, len(candidates), 500):
        found = conn.execute(select(cases.c.case_id).where(
            cases.c.authority_domain == authority_domain, cases.c.reference.in_(candidates[start:start + 500]),
            cases.c.state.not_in(open_states)).order_by(cases.c.received_at).limit(1)).first()
        if found:
            return str(found.case_id)
    return None


TOKEN = re.compile(r"[\w-]+")
MAX_CANDIDATES = 5000  # a reference is found in the subject or the first lines; a huge body is not searched whole


def reference_candidates(text: str, most_tokens: int = 8, longest: int = 200) -> set[str]:
    """Every run of whole tokens (up to `most_tokens` on one line) a reference could be: it starts where a
    token starts and ends where one ends, so a reference matches only whole, never as part of a longer
    token. Looked up with one indexed query, not one pattern per open case."""
    out: set[str] = set()
    for line in text.splitlines():
        spans = [(m.start(), m.end()) for m in TOKEN.finditer(line)]
        for i, (begin, _) in enumerate(spans):
            for _, end in spans[i:i + most_tokens]:
                if end - begin > longest:
                    break
                out.add(line[begin:end])
                if len(out) >= MAX_CANDIDATES:
                    return out
    return out


def _attach_process(conn: Connection, case_id: str, document: Attachment, others: tuple[Attachment, ...],
                    now: datetime, policy: Policy, cal: LegalCalendar, sender: str) -> dict[str, Any]:
    """Legal process sent as a document for a case waiting for it. A document that does not count as
    legal process (states.process) is kept as correspondence with the rule that refused it, and the
    preservation's expiry keeps running."""
    from ledesk.adapters.store import fire_on, load_case
    from ledesk.states.engine import system_attempt

    case = load_case(conn, case_id, lock=True)
    attempt = system_attempt(Trigger.ATTACH_LEGAL_PROCESS, now, policy, cal, attachment=document,
                             reason=f"legal process e-mailed by {sender}")
    extra = [Attachment(a.filename, a.content, "attachment") for a in others if a is not document]
    try:
        after, _ = fire_on(conn, case, attempt, documents=extra)
    except GuardRefused as exc:
        kept = correspondence(conn, case_id, document, now, sender, refused=exc, extra=extra)
        return {**kept, "status": "not_legal_process", "reason": exc.message, "guard": exc.guard}
    return {"case_id": case_id, "status": "linked", "state": after.state, "kind": case.kind, "deficiencies": [],
            "linked_to": case_id}


MAX_FILE = 31 * 1024 * 1024


def read_file(path: Path) -> bytes:
    """A submission file's bytes, refused when missing or over the size limit."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE:
        raise BadInput(f"{path}: larger than {MAX_FILE // (1024 * 1024)} MB")
    return path.read_bytes()

