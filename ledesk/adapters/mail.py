"""The record of each message of the official mailbox that was taken: its UIDVALIDITY + UID and
Message-ID, and what came of it. It commits with the case the message opened, so a message is taken once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, or_, select

from ledesk.models.tables import mailbox_messages

if TYPE_CHECKING:
    from ledesk.intake.mailbox import MailKey


def taken(conn: Connection, key: MailKey) -> dict[str, Any] | None:
    mm = mailbox_messages
    same_uid = (mm.c.mailbox == key.mailbox) & (mm.c.uidvalidity == key.uidvalidity) & (mm.c.uid == key.uid)
    query = select(mm.c.outcome).where(or_(same_uid, mm.c.message_id == key.message_id) if key.message_id
                                       else same_uid).limit(1)
    outcome = conn.execute(query).scalar()
    return dict(outcome) if outcome is not None else None


def record(conn: Connection, key: MailKey, outcome: dict[str, Any], now: datetime) -> None:
    conn.execute(insert(mailbox_messages).values(mailbox=key.mailbox, uidvalidity=key.uidvalidity, uid=key.uid,
                                                 message_id=key.message_id, outcome=outcome,
                                                 case_id=outcome.get("case_id"), taken_at=now))
