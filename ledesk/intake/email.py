"""Reading an e-mail to the disclosure-request address and deciding whether it is from an authority.

Only the Authentication-Results header added by the provider's own mail server (its authserv-id) is
trusted; any other such header could have been written by the sender."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser

from ledesk.intake.authresults import dmarc_verdict
from ledesk.states.attempt import Attachment

SUBJECT = "Law Enforcement Agency Disclosure Request"
MAX_MESSAGE = 30 * 1024 * 1024
MAX_ATTACHMENT = 20 * 1024 * 1024
MAX_ATTACHMENTS = 20
MAX_PARTS = 100      # MIME parts, counted before the parser builds them
MAX_CONTAINERS = 10  # multipart containers, so no deeper nesting than that either
CASE_NUMBER = re.compile(r"\bLE-[0-9A-F]{10}\b")


class MessageError(ValueError):
    code = "invalid_message"


@dataclass
class Received:
    sender: str
    subject: str
    dmarc: str | None                 # the provider's own verdict: "pass" only when aligned with From
    text: str                         # subject and plain-text body, for case numbers and references
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    sender_problem: str = ""          # why From is not exactly one plain address, when it is not
    auth_problem: str = ""            # why our Authentication-Results could not be trusted, when not


def safe_name(name: str | None, index: int) -> str:
    """A stored name that cannot escape a folder: the base name's safe characters, or a generated one."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[:120]
    return base or f"attachment-{index}"


def strict_sender(message: EmailMessage) -> tuple[str, str]:
    """(the one From address, "") or (what it claims, why it is not acceptable): exactly one From header,
    parsed with no defects, to exactly one address whose display name is not itself an address."""
    values = message.get_all("From") or []
    if len(values) != 1:
        return "", f"the message has {len(values)} From headers; exactly one is accepted"
    header = message["From"]
    addresses = list(getattr(header, "addresses", ()))
    raw = addresses[0].addr_spec if addresses else ""
    claimed = _readable(raw)  # every refusal below stores and shows it: it must be writable
    if getattr(header, "defects", ()):
        return claimed, f"the From header does not parse cleanly ({header.defects[0].__class__.__name__})"
    if len(addresses) != 1:
        return claimed, f"the From header names {len(addresses)} addresses; exactly one is accepted"
    if "@" in addresses[0].display_name or addresses[0].addr_spec.count("@") != 1:
        return claimed, "the From header's display name is an address of its own"
    if claimed != raw:
        # Raw 8-bit bytes in the address (not RFC 6532 UTF-8) cannot be read as any domain, let alone an
        # allow-listed one; kept readable, it is refused as a sender like any other that is not plain.
        return claimed, "the From address holds bytes that are not a readable address"
    return claimed, ""


def _readable(text: str) -> str:
    """A sender-written value as it can be stored and shown: undecodable bytes and control characters
    replaced (every write of it must succeed)."""
    cleaned = text.encode("utf-8", "replace").decode("utf-8", "replace")
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in cleaned)[:320]


def raw_values(message: EmailMessage, name: str) -> list[str]:
    """A header's values as the sender's bytes had them, only unfolded: never RFC 2047-decoded. RFC 8601
    allows no encoded words in Authentication-Results, so `=?utf-8?q?mail.ledesk.local?=` must stay that
    text and never become our authserv-id."""
    return [re.sub(r"\r?\n(?=[ \t])", "", str(value)).strip() for key, value in message.raw_items()
            if key.lower() == name.lower()]


def own_dmarc_verdict(message: EmailMessage, authserv_id: str, from_domain: str) -> tuple[str | None, str]:
    """The provider's own DMARC verdict as the text the intake records: "pass" only when it passed for
    exactly the From domain (header.from), and why not otherwise."""
    verdict = dmarc_verdict(raw_values(message, "Authentication-Results"), authserv_id, from_domain)
    if verdict.dmarc == "pass" and not verdict.aligned:
        return "pass for another domain", "DMARC passed for a header.from other than the From domain"
    return verdict.dmarc, verdict.problem


_BOUNDARY_LINE = re.compile(rb"^--", re.M)
_MULTIPART = re.compile(rb"content-type:\s*multipart/", re.I)


def _check_shape(data: bytes) -> None:
    """Refuse a message with too many parts or too deep a nesting before the parser builds any of it: a
    1 MB message of 20,000 empty parts would otherwise cost the parser seconds."""
    if len(_BOUNDARY_LINE.findall(data, 0, len(data))) > 2 * MAX_PARTS:
        raise MessageError(f"more than {MAX_PARTS} MIME parts")
    if len(_MULTIPART.findall(data)) > MAX_CONTAINERS:
        raise MessageError(f"more than {MAX_CONTAINERS} multipart containers (MIME nested too deep)")


def read_message(data: bytes, authserv_id: str) -> Received:
    if len(data) > MAX_MESSAGE:
        raise MessageError(f"the message is {len(data):,} bytes; at most {MAX_MESSAGE:,} are accepted")
    _check_shape(data)
    try:
        return _read(data, authserv_id)
    except MessageError:
        raise
    except Exception as exc:  # an unknown charset, a broken part, any parser failure: this message only
        raise MessageError(f"the message cannot be read: {exc.__class__.__name__}: {str(exc)[:200]}") from None


def _read(data: bytes, authserv_id: str) -> Received:
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
        assert isinstance(message, EmailMessage)
        sender, sender_problem = strict_sender(message)
        subject = str(message.get("Subject") or "")
    except Exception as exc:  # the e-mail package raises many types on malformed headers
        raise MessageError(f"the message cannot be read: {exc.__class__.__name__}: {exc}") from None
    if not sender:
        raise MessageError(f"the message must have exactly one sender (From): {sender_problem}")
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
    # Shown to the reviewer as the verdict read it: raw, so an encoded word is seen for what it is.
    headers["Authentication-Results"] = " | ".join(_readable(h)[:500] for h in raw_values(message,
                                                                                      "Authentication-Results"))
    dmarc, problem = own_dmarc_verdict(message, authserv_id, sender.rpartition("@")[2])
    return Received(sender, subject, dmarc, text, attachments, headers, sender_problem, problem)
