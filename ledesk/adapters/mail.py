"""The record of each message of the official mailbox that was taken: its UIDVALIDITY + UID, content
digest and Message-ID, and what came of it. It commits with the case the message opened, so a message is
taken once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, or_, select

from ledesk.models.tables import mailbox_messages

if TYPE_CHECKING:
    from ledesk.intake.mailbox import MailKey


def taken(conn: Connection, key: MailKey) -> dict[str, Any] | None:
    """The outcome of this message if it was taken before: by its UIDVALIDITY, UID and content digest, or by
    its Message-ID when an earlier message with it was taken as a request. The same UIDVALIDITY and UID
    with other content is another message (a mail store restored from backup numbers anew). A refused
    message's Message-ID is never kept (record), so a forged or failing mail cannot claim the Message-ID
    of a genuine request that comes later: exactly-once keys on what was verified."""
    mm = mailbox_messages
    same_uid = ((mm.c.mailbox == key.mailbox) & (mm.c.uidvalidity == key.uidvalidity) & (mm.c.uid == key.uid)
                & (mm.c.content_sha256 == key.content_sha256))
    query = select(mm.c.outcome).where(or_(same_uid, mm.c.message_id == key.message_id) if key.message_id
                                       else same_uid).limit(1)
    outcome = conn.execute(query).scalar()
    return dict(outcome) if outcome is not None else None


def record(conn: Connection, key: MailKey, outcome: dict[str, Any], now: datetime) -> None:
    from ledesk.intake.mailbox import is_refused

    verified = not is_refused(outcome)
    conn.execute(insert(mailbox_messages).values(mailbox=key.mailbox, uidvalidity=key.uidvalidity, uid=key.uid,
                                                 content_sha256=key.content_sha256,
                                                 message_id=key.message_id if verified else None, outcome=outcome,
                                                 case_id=outcome.get("case_id"), taken_at=now))
