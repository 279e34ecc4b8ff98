"""The dispatcher: claim pending outbox rows, send each once, record the result; retry with backoff.

A row is claimed (status `sending`, with the time) in its own transaction before anything is sent. A
dispatcher that dies after sending but before recording leaves the row `sending`; the next run, once the
claim is older than the lease, asks the transport whether that Message-ID went out and records it as sent
instead of sending it again. A notice to a user is checked against the case's notice at the moment of
sending: while it is deferred or suppressed, nothing goes to the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select, update

from ledesk.adapters.store import load_cases
from ledesk.delivery.transports import Transport
from ledesk.models.enums import NoticeStatus, OutboxChannel, OutboxStatus, Regime
from ledesk.models.tables import letters, notices, outbox
from ledesk.states.referral import referral_held
from ledesk.states.retention import began_as_statutory_preservation

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1
# Long subjects (case number and the authority's reference) stay on one line instead of folding oddly.
MAIL_POLICY = email_policy.default.clone(max_line_length=200)
LEASE = timedelta(minutes=5)
SEOUL = ZoneInfo("Asia/Seoul")
HELD = {NoticeStatus.DEFERRED.value, NoticeStatus.SUPPRESSED.value, NoticeStatus.NOT_REQUIRED.value}


@dataclass
class DispatchResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)


def message_id(row_id: int, domain: str) -> str:
    return f"<ledesk-outbox-{row_id}@{domain}>"


Contacts = Callable[[str, str], str | None]  # (target type, identifier) -> the address the provider holds


def _user_address(row: Any, contacts: Contacts | None) -> str | None:
    """A user notice goes only to a contact the provider holds for the account (from the data source),
    never to an address the authority typed: a request naming someone else's e-mail as the target must
    not tell that person about it."""
    kind, _, value = str(row.to).partition(":")
    return contacts(kind, value) if contacts is not None and value else None


def _recover(engine: Engine, transport: Transport, now: datetime, result: DispatchResult) -> None:
    with engine.begin() as conn:
        stale = conn.execute(select(outbox.c.id, outbox.c.message_id).where(
            outbox.c.status == OutboxStatus.SENDING, outbox.c.claimed_at <= now - LEASE)).all()
        for row in stale:
            if row.message_id and transport.delivered(row.message_id):
                conn.execute(update(outbox).where(outbox.c.id == row.id).values(status=OutboxStatus.SENT, sent_at=now))
                result.recovered.append(row.id)
            else:
                conn.execute(update(outbox).where(outbox.c.id == row.id).values(status=OutboxStatus.PENDING))


def _referral_held(conn: Connection, case_id: str, today: date, secret_regimes: frozenset[str]) -> str | None:
    """states.referral.referral_held on the case's notice, its order and whether its request is secret by
    statute (its regime now, or a CPA 215-2 preservation it began as: the secrecy outlives conversion)."""
    notice = conn.execute(select(notices.c.status, notices.c.nondisclosure_until, notices.c.nondisclosure_indefinite)
                          .where(notices.c.case_id == case_id)).first()
    case = load_cases(conn, [case_id]).get(case_id)
    secret = case is not None and (case.regime in secret_regimes or (
        began_as_statutory_preservation(case) and Regime.KR_CPA215_2.value in secret_regimes))
    until = date.fromisoformat(notice.nondisclosure_until) if notice and notice.nondisclosure_until else None
    return referral_held(notice.status if notice else None, until, bool(notice and notice.nondisclosure_indefinite),
                         secret, today)


def _claim(engine: Engine, now: datetime, limit: int, domain: str, result: DispatchResult,
           only: tuple[list[str], list[str] | None] | None = None, contacts: Contacts | None = None,
           today: date | None = None, secret_regimes: frozenset[str] = frozenset()) -> list[Any]:
    today = today or now.date()
    with engine.begin() as conn:
        query = (select(outbox).where(outbox.c.status == OutboxStatus.PENDING,
                                      (outbox.c.next_attempt_at.is_(None)) | (outbox.c.next_attempt_at <= now))
                 .order_by(outbox.c.id).limit(limit))
        if only is not None:
            query = query.where(outbox.c.case_id.in_(only[0]))
            if only[1] is not None:
                query = query.where(outbox.c.channel.in_(only[1]))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = conn.execute(query).all()
        claimed = []
        for row in rows:
            if row.channel == OutboxChannel.REFERRAL:
                why = _referral_held(conn, row.case_id, today, secret_regimes)
                if why is not None:  # enforcement now would tip the user off; ask again next run
                    conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                        last_error=f"held back: {why}"[:500]))
                    result.held.append(row.id)
                    continue
            if row.channel == OutboxChannel.USER_NOTICE:
                notice = conn.execute(select(notices.c.status).where(notices.c.case_id == row.case_id)).scalar()
                if notice in HELD:
                    conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                        status=OutboxStatus.CANCELLED, last_error=f"held back: the user's notice is {notice}"))
                    result.held.append(row.id)
                    continue
            mid = row.message_id or message_id(row.id, domain)
            conn.execute(update(outbox).where(outbox.c.id == row.id, outbox.c.status == OutboxStatus.PENDING)
                         .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=row.attempts + 1,
                                 message_id=mid))
            address = _user_address(row, contacts) if row.channel == OutboxChannel.USER_NOTICE else row.to
            document = None
            if row.letter_sha256:
                document = conn.execute(select(letters.c.path).where(
                    letters.c.case_id == row.case_id, letters.c.sha256 == row.letter_sha256)
                    .order_by(letters.c.id.desc())).scalar()
            claimed.append((row, mid, address, document))
        return claimed


def _message(row: Any, mid: str, address: str, sender: str, now: datetime,
             document: str | None = None) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = sender
    msg["To"] = address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mid
    msg["X-LEDesk-Case"] = row.case_id or "-"
    msg["X-LEDesk-Kind"] = row.kind
    msg.set_content(row.body)
    if document and Path(document).is_file():  # the rendered bilingual letter travels with its text
        msg.add_attachment(Path(document).read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                           filename=f"{row.kind}.docx")
    return msg


def dispatch(engine: Engine, transport: Transport, now: datetime, sender: str, limit: int = 200,
             domain: str = "ledesk.local", letters_home: Path | None = None, provider: str = "LE Desk",
             zone: Any = None, cases: list[str] | None = None, channels: list[str] | None = None,
             contacts: Contacts | None = None, letterhead: dict[str, str] | None = None,
             secret_regimes: frozenset[str] = frozenset()) -> DispatchResult:
    """Deliver pending messages. `cases` and `channels` narrow it to, say, one emergency's pages, which
    leave at once without waiting behind the rest of the outbox. `contacts` finds a user notice's address
    in the data source (without it, user notices fail, visibly)."""
    result = DispatchResult()
    only = None if cases is None else (cases, channels)
    if only is None:
        _recover(engine, transport, now, result)
    if letters_home is not None:  # letters are rendered before they leave, never after
        from ledesk.letters.render import render_pending

        render_pending(engine, letters_home, provider, zone, letterhead=letterhead)
    today = now.astimezone(zone or SEOUL).date()  # an order's end date is a Seoul date
    for row, mid, address, document in _claim(engine, now, limit, domain, result, only, contacts, today,
                                              secret_regimes):
        values: dict[str, Any]
        if address is None:
            values = {"status": OutboxStatus.FAILED,
                      "last_error": f"no e-mail address known for {row.to}; resolve it from the data source"}
            result.failed.append(row.id)
        else:
            try:
                transport.send(_message(row, mid, address, sender, now, document))
            except Exception as exc:  # any transport failure is retried; the row says why
                attempts = row.attempts + 1
                error = f"{exc.__class__.__name__}: {exc}"[:500]
                if attempts >= MAX_ATTEMPTS:
                    values = {"status": OutboxStatus.FAILED, "last_error": error}
                    result.failed.append(row.id)
                else:
                    values = {"status": OutboxStatus.PENDING, "last_error": error,
                              "next_attempt_at": now + BACKOFF[attempts - 1]}
                    result.retrying.append(row.id)
            else:
                values = {"status": OutboxStatus.SENT, "sent_at": now, "last_error": None}
                result.sent.append(row.id)
        with engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row.id).values(**values))
    return result
