"""The provider's official mailbox over IMAP (LEDESK_IMAP_URL): each message goes through the same e-mail
intake as a dropped .eml file, then is moved to `LE Desk/Processed` or `LE Desk/Refused`.

Exactly once: a message is known by its mailbox, UIDVALIDITY, UID and content digest, and by its
Message-ID, recorded in the same transaction as the case it opened (services.intake.take_mail). A crash
between that commit and the move, a restart, or two workers polling at once finds the record and only
moves the message. The digest is part of the name because a mail store restored from a backup may hand
out the same UIDVALIDITY and UIDs again, to other messages.

Messages are fetched one at a time, the body in chunks (`BODY.PEEK[]<offset.length>`), so a poll holds
one message in memory however many large ones wait behind it."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ledesk.states.errors import BadInput, LedeskError

if TYPE_CHECKING:
    from imapclient import IMAPClient

log = logging.getLogger(__name__)

PROCESSED, REFUSED = ("LE Desk", "Processed"), ("LE Desk", "Refused")
FETCH_CHUNK = 4 * 1024 * 1024  # bytes of a body asked for at a time
MAX_MESSAGE_BYTES = 30 * 1024 * 1024  # the e-mail intake's own limits apply after this


class MailboxError(BadInput):
    code = "mailbox"


@dataclass(frozen=True)
class MailKey:
    """How a message is known, whatever happens to the connection that read it."""

    mailbox: str       # user@host/FOLDER
    uidvalidity: int
    uid: int
    message_id: str | None
    content_sha256: str = ""  # of the whole message as fetched

    @property
    def name(self) -> str:
        return f"imap-{self.uidvalidity}-{self.uid}.eml"


@dataclass(frozen=True)
class MailboxConfig:
    url: str
    tls: str           # "imaps" (TLS from the start) or "starttls"; "plain" only to loopback
    user: str
    host: str
    port: int
    folder: str
    password: str
    # How often the IDLE watcher also asks (NOOP) whether mail arrived: some servers hold IDLE's EXISTS back
    # (Dovecot by half a second), and an emergency should not wait for that. LEDESK_IMAP_CHECK_SECONDS;
    # 0 leaves it to IDLE alone.
    check_seconds: float = 0.2

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}/{self.folder}"

    @property
    def safe_url(self) -> str:
        return f"{'imaps' if self.tls == 'imaps' else 'imap'}://{self.user}@{self.host}:{self.port}/{self.folder}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> MailboxConfig | None:
        env = dict(os.environ if environ is None else environ)
        url = env.get("LEDESK_IMAP_URL", "").strip()
        if not url:
            return None
        cfg = cls.parse(url, _password(env))
        check = env.get("LEDESK_IMAP_CHECK_SECONDS", "").strip()
        if check:
            try:
                seconds = float(check)
            except ValueError:
                raise MailboxError(f"LEDESK_IMAP_CHECK_SECONDS must be a number of seconds, not {check!r}") from None
            if not 0 <= seconds <= 3600:
                raise MailboxError("LEDESK_IMAP_CHECK_SECONDS must be between 0 and 3600")
            cfg = replace(cfg, check_seconds=seconds)
        return cfg

    @classmethod
    def parse(cls, url: str, password: str) -> MailboxConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("imaps", "imap") or not parts.hostname or not parts.username:
            raise MailboxError("LEDESK_IMAP_URL must be imaps://USER@HOST[:PORT]/FOLDER (or imap:// with "
                               f"STARTTLS), not {url.split('@')[-1]!r}")
        if parts.password:
            raise MailboxError("LEDESK_IMAP_URL must not carry the password: use LEDESK_IMAP_PASSWORD_FILE")
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        tls = "imaps" if parts.scheme == "imaps" else "starttls"
        return cls(url, tls, unquote(parts.username), parts.hostname, parts.port or (993 if tls == "imaps" else 143),
                   folder, password)


def _password(env: dict[str, str]) -> str:
    path = env.get("LEDESK_IMAP_PASSWORD_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise MailboxError(f"cannot read LEDESK_IMAP_PASSWORD_FILE {path}: {exc.strerror}") from None
    password = env.get("LEDESK_IMAP_PASSWORD", "")
    if not password:
        raise MailboxError("LEDESK_IMAP_URL is set but neither LEDESK_IMAP_PASSWORD_FILE nor LEDESK_IMAP_PASSWORD")
    return password


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def connect(cfg: MailboxConfig, timeout: float = 30) -> IMAPClient:
    """A logged-in connection. TLS is required, except that a mail server on loopback may be spoken to in
    plain text (a local test or relay) when it offers no STARTTLS."""
    from imapclient import IMAPClient

    context = ssl.create_default_context()
    if os.environ.get("LEDESK_IMAP_CA_FILE"):
        context.load_verify_locations(os.environ["LEDESK_IMAP_CA_FILE"])
    client = IMAPClient(cfg.host, port=cfg.port, ssl=cfg.tls == "imaps", ssl_context=context, timeout=timeout)
    if cfg.tls == "starttls":
        if client.has_capability("STARTTLS"):
            client.starttls(context)
        elif not _loopback(cfg.host):
            client.shutdown()
            raise MailboxError(f"{cfg.host} offers no STARTTLS: LE Desk does not send the mailbox password in "
                               "plain text over the network (use imaps://)")
    client.login(cfg.user, cfg.password)
    return client


def _folder(client: IMAPClient, parts: tuple[str, str]) -> str:
    """`LE Desk/Processed` in the server's own hierarchy delimiter, created when missing."""
    listed = client.list_folders(directory="", pattern="")
    delimiter = listed[0][1] if listed and listed[0][1] else b"/"
    name = (delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter)).join(parts)
    if not client.folder_exists(name):
        try:
            client.create_folder(name)
        except Exception:
            if not client.folder_exists(name):  # another worker made it at the same moment
                raise
    return name


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
    else:
        client.copy([uid], folder)
        client.delete_messages([uid])
        client.uid_expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()


def unreachable(cfg: MailboxConfig, exc: Exception) -> LedeskError:
    """What a poll that could not talk to the mail server answers (never a traceback)."""
    if isinstance(exc, LedeskError):
        return exc
    return MailboxError(f"mailbox {cfg.safe_url}: {exc.__class__.__name__}: {str(exc)[:300]} (what was taken "
                        "before it is committed; the next poll goes on from there)")


def is_refused(outcome: dict[str, Any]) -> bool:
    """Refused: not taken as a request at all (an error, or a sender that is not reviewed)."""
    return "error" in outcome or outcome.get("status") == "not_reviewed"


def message_id(data: bytes) -> str | None:
    """The Message-ID as the sender wrote it: raw, never decoded (RFC 5322 allows no encoded words in it),
    and only its visible ASCII, so no value a sender controls (a NUL, a control character, an encoded word
    that decodes to one) can fail the write that records the message and stop the mailbox behind it."""
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(data[:65536])["Message-ID"]
    except Exception:  # a header too broken to read is still taken (and refused) by the e-mail intake
        return None
    text = "".join(ch for ch in str(value or "") if "!" <= ch <= "~")
    return text[:300] or None


def fetch_body(client: IMAPClient, uid: int, size: int) -> bytes:
    """One message's bytes, asked for FETCH_CHUNK at a time into one buffer of the size the server gave."""
    body = bytearray()
    while True:
        reply = client.fetch([uid], [f"BODY.PEEK[]<{len(body)}.{FETCH_CHUNK}>"]).get(uid, {})
        chunk = next((bytes(v) for k, v in reply.items() if k.startswith(b"BODY[]") and v is not None), b"")
        body += chunk
        if len(chunk) < FETCH_CHUNK or len(body) > max(size, MAX_MESSAGE_BYTES):
            return bytes(body)


def poll(cfg: MailboxConfig, take: Callable[[MailKey, bytes], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One pass over the folder: each message taken by `take` (the service layer's, one transaction each)
    and moved where its outcome says, yielded as soon as it is committed (an emergency is paged before the
    next message is read)."""
    client = connect(cfg)
    try:
        info = client.select_folder(cfg.folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        processed, refused = _folder(client, PROCESSED), _folder(client, REFUSED)
        uids = sorted(client.search("ALL"))
        for uid in uids:
            size = int(client.fetch([uid], ["RFC822.SIZE"]).get(uid, {}).get(b"RFC822.SIZE", 0))
            if size > MAX_MESSAGE_BYTES:
                outcome: dict[str, Any] = {"file": f"uid {uid}", "uid": uid, "code": "too_large",
                                           "error": f"larger than {MAX_MESSAGE_BYTES // 2**20} MB"}
                _move(client, uid, refused)
                yield outcome
                continue
            data = fetch_body(client, uid, size)
            key = MailKey(cfg.key, uidvalidity, uid, message_id(data), hashlib.sha256(data).hexdigest())
            outcome = {"file": f"uid {uid}", "uid": uid, "message_id": key.message_id, **take(key, data)}
            del data  # before the next message is fetched
            _move(client, uid, refused if is_refused(outcome) else processed)
            yield outcome
    finally:
        # The server may have gone away mid-poll; what was taken is committed and recorded.
        with contextlib.suppress(Exception):
            client.logout()


def _untagged(reply: Any) -> list[Any]:
    """The untagged responses of an IMAPClient reply ((text, responses) from DONE and NOOP)."""
    if isinstance(reply, tuple) and len(reply) == 2 and isinstance(reply[1], list):
        return list(reply[1])
    return []


def _arrived(responses: list[Any]) -> bool:
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def watch(cfg: MailboxConfig, new_mail: Callable[[], None], stopping: threading.Event,
          idle_seconds: float = 60, max_backoff: float = 60) -> None:
    """Keep an IMAP IDLE connection and call `new_mail` whenever the folder may hold a message (at start,
    on every EXISTS, and every `idle_seconds` as a keep-alive poll). When the server goes away, reconnect
    with exponential backoff, and say so."""
    backoff = 1.0
    while not stopping.is_set():
        try:
            client = connect(cfg, timeout=idle_seconds + 30)
        except Exception as exc:
            log.warning("mailbox %s unreachable (%s: %s); retrying in %.0f s", cfg.safe_url,
                        exc.__class__.__name__, exc, backoff)
            stopping.wait(backoff)
            backoff = min(backoff * 2, max_backoff)
            continue
        if backoff > 1:
            log.warning("mailbox %s reachable again", cfg.safe_url)
        backoff = 1.0
        try:
            client.select_folder(cfg.folder, readonly=True)
            new_mail()
            window = cfg.check_seconds if cfg.check_seconds > 0 else idle_seconds
            quiet = 0.0
            while not stopping.is_set():
                client.idle()
                responses = list(client.idle_check(timeout=window))
                responses += _untagged(client.idle_done())
                if not responses and cfg.check_seconds > 0:  # IDLE said nothing (yet): ask the folder now
                    responses = _untagged(client.noop())
                quiet = 0.0 if responses else quiet + window
                if _arrived(responses) or quiet >= idle_seconds:  # new mail, or the keep-alive poll
                    quiet = 0.0
                    new_mail()
        except Exception as exc:
            log.warning("mailbox %s connection lost (%s: %s); reconnecting", cfg.safe_url,
                        exc.__class__.__name__, exc)
            time.sleep(0.2)
        finally:
            with contextlib.suppress(Exception):
                client.logout()
