"""Where messages go: an SMTP server, or (the embedded default) .eml files in LEDESK_HOME/outbox/.

Each transport can say whether a Message-ID was already delivered, which is how a dispatcher restarted
after a crash between sending and recording knows not to send again."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def delivered(self, message_id: str) -> bool: ...


def _file_name(message_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", message_id.strip("<>"))[:150] + ".eml"


class EmlFolder:
    """Each message written as one .eml file, atomically: a file either is complete or does not exist."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        target = self.folder / _file_name(str(message["Message-ID"]))
        temporary = target.with_suffix(".tmp")
        with open(temporary, "wb") as handle:
            handle.write(bytes(message))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)

    def delivered(self, message_id: str) -> bool:
        return (self.folder / _file_name(message_id)).exists()


class Smtp:
    """An SMTP relay (`smtp://user:password@host:port?starttls=1`). Accepted Message-IDs are journalled
    right after the server says 250, so a restart never re-sends what the journal holds."""

    def __init__(self, url: str, journal: Path, timeout: float = 20.0) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError(f"LEDESK_SMTP_URL {url!r}: use smtp://[user:password@]host[:port][?starttls=1]")
        self.host, self.port = parsed.hostname, parsed.port or (465 if parsed.scheme == "smtps" else 25)
        self.ssl = parsed.scheme == "smtps"
        self.starttls = parse_qs(parsed.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.user = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.timeout = timeout
        self.journal = journal
        journal.parent.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP = (smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
                                if self.ssl else smtplib.SMTP(self.host, self.port, timeout=self.timeout))
        with client:
            if self.starttls:
                client.starttls(context=context)
            if self.user:
                client.login(self.user, self.password or "")
            client.send_message(message)
        with open(self.journal, "a", encoding="utf-8") as handle:
            handle.write(str(message["Message-ID"]) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def delivered(self, message_id: str) -> bool:
        if not self.journal.exists():
            return False
        with open(self.journal, encoding="utf-8") as handle:
            return any(line.strip() == message_id for line in handle)


def transport_from_env(home: Path) -> Transport:
    url = os.environ.get("LEDESK_SMTP_URL")
    if url:
        return Smtp(url, home / "outbox" / "smtp-journal.txt")
    return EmlFolder(home / "outbox")
