"""Signed audit checkpoints, kept outside the database: the audit key (Ed25519, a file of its own under
LEDESK_HOME/keys, 0600) signs (events, head hash, time), and each checkpoint is appended to
LEDESK_HOME/audit/checkpoints.jsonl. Someone with write access to the database alone can then no longer
rewrite the log unnoticed; `ledesk audit verify` checks the chain against every checkpoint."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection

from ledesk.states import audit
from ledesk.vault.signing import fingerprint

INTERVAL = timedelta(hours=1)  # the sweep writes one at most this often


class CheckpointError(ValueError):
    code = "bad_input"


def _private_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def audit_key(home: Path) -> Ed25519PrivateKey:
    path = home / "keys" / "audit.key"
    if not path.exists():
        _private_file(path, Ed25519PrivateKey.generate().private_bytes_raw())
    if path.stat().st_mode & 0o077:
        raise CheckpointError(f"{path} is readable by others; it must be mode 0600")
    return Ed25519PrivateKey.from_private_bytes(path.read_bytes())


def _signed_bytes(events: int, head: str, at: str) -> bytes:
    return json.dumps({"events": events, "head": head, "at": at}, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class Checkpoints:
    home: Path

    @property
    def path(self) -> Path:
        return self.home / "audit" / "checkpoints.jsonl"

    def write(self, conn: Connection, now: datetime) -> dict[str, Any]:
        """Sign the chain's head as this transaction sees it and append it."""
        events, head = audit.head(conn)
        key = audit_key(self.home)
        at = now.isoformat()
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        record = {"events": events, "head": head, "at": at, "key": fingerprint(public),
                  "signature": base64.b64encode(key.sign(_signed_bytes(events, head, at))).decode()}
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:  # append-only: lines are never rewritten
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return {**record, "path": str(self.path)}

    def read(self) -> list[audit.Checkpoint]:
        """Every checkpoint whose signature the audit key verifies; a bad one is an error, not skipped."""
        if not self.path.exists():
            return []
        public = audit_key(self.home).public_key()
        found = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                public.verify(base64.b64decode(record["signature"]),
                              _signed_bytes(int(record["events"]), str(record["head"]), str(record["at"])))
            except (InvalidSignature, ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(f"checkpoint {number} in {self.path} does not verify "
                                      f"({exc.__class__.__name__}): the checkpoints were tampered with") from None
            found.append(audit.Checkpoint(int(record["events"]), str(record["head"]), str(record["at"])))
        return found

    def due(self, now: datetime) -> bool:
        if not self.path.exists():
            return True
        lines = [ln for ln in self.path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if not lines:
            return True
        last = datetime.fromisoformat(json.loads(lines[-1])["at"])
        return now - last >= INTERVAL
