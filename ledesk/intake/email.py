"""Reading an e-mail to the disclosure-request address and deciding whether it is from an authority.

Only the Authentication-Results header added by the provider's own mail server (its authserv-id) is
trusted; any other such header could have been written by the sender."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from ledesk.states.attempt import Attachment

SUBJECT = "Law Enforcement Agency Disclosure Request"
MAX_MESSAGE = 30 * 1024 * 1024
MAX_ATTACHMENT = 20 * 1024 * 1024
MAX_ATTACHMENTS = 20
CASE_NUMBER = re.compile(r"\bLE-[0-9A-F]{10}\b")


class MessageError(ValueError):
    code = "invalid_message"


@dataclass
class Received:
    sender: str
    subject: str
    dmarc: str | None                 # the provider's own verdict: pass, fail, none... or None if absent
    text: str                         # subject and plain-text body, for case numbers and references
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def safe_name(name: str | None, index: int) -> str:
    """A stored name that cannot escape a folder: the base name's safe characters, or a generated one."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[:120]
    return base or f"attachment-{index}"


def own_dmarc_verdict(message: EmailMessage, authserv_id: str) -> str | None:
    for header in message.get_all("Authentication-Results") or []:
        text = str(header)
        server = text.split(";", 1)[0].strip().split()
        if server and server[0].casefold() == authserv_id.casefold():
            found = re.search(r"\bdmarc\s*=\s*([A-Za-z]+)", text)
            return found.group(1).lower() if found else "none"
    return None


def read_message(data: bytes, authserv_id: str) -> Received:
    if len(data) > MAX_MESSAGE:
        raise MessageError(f"the message is {len(data):,} bytes; at most {MAX_MESSAGE:,} are accepted")
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
        assert isinstance(message, EmailMessage)
        senders = getaddresses([str(v) for v in message.get_all("From") or []])
        subject = str(message.get("Subject") or "")
    except Exception as exc:  # the e-mail package raises many types on malformed headers
        raise MessageError(f"the message cannot be read: {exc.__class__.__name__}: {exc}") from None
    addresses = [addr for _, addr in senders if addr]
    if len(addresses) != 1:
        raise MessageError("the message must have exactly one sender (From)")
    body = message.get_body(preferencelist=("plain",))
    text = subject + "\n" + (body.get_content() if body is not None else "")
    attachments: list[Attachment] = []
    for index, part in enumerate(message.iter_attachments(), 1):
        if index > MAX_ATTACHMENTS:
            raise MessageError(f"more than {MAX_ATTACHMENTS} attachments")
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if len(payload) > MAX_ATTACHMENT:
            raise MessageError(f"attachment {index} is {len(payload):,} bytes; at most {MAX_ATTACHMENT:,}")
        attachments.append(Attachment(safe_name(part.get_filename(), index), payload, "attachment"))
    headers = {k: str(message.get(k) or "")[:500] for k in ("From", "To", "Subject", "Date", "Message-ID")}
    headers["Authentication-Results"] = " | ".join(str(h)[:500] for h in message.get_all("Authentication-Results")
                                                   or [])
    return Received(addresses[0], subject, own_dmarc_verdict(message, authserv_id), text, attachments, headers)
