"""Signed audit checkpoints, kept outside the database: the audit key (Ed25519, in the key store: the HSM
where LEDESK_KEYSTORE names one) signs (events, head hash, time), and each checkpoint is appended to
LEDESK_HOME/audit/checkpoints.jsonl. Someone with write access to the database alone can then no longer
rewrite the log unnoticed; `ledesk audit verify` checks the chain against every checkpoint."""

from __future__ import annotations

import base64
import json
import logging
import os
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection

from ledesk.adapters import audit
from ledesk.vault.keystore import AUDIT_KEY, KeyStore
from ledesk.vault.signing import Signer, fingerprint

INTERVAL = timedelta(hours=1)  # the sweep writes one at most this often
log = logging.getLogger(__name__)


class CheckpointError(ValueError):
    code = "bad_input"


def legacy_audit_key(home: Path) -> Ed25519PrivateKey | None:
    """The audit key of a deployment from before the key store held it (a file under keys/): it still
    verifies the checkpoints it signed, and signs nothing new."""
    path = home / "keys" / "audit.key"
    if not path.exists():
        return None
    if path.stat().st_mode & 0o077:
        raise CheckpointError(f"{path} is readable by others; it must be mode 0600")
    return Ed25519PrivateKey.from_private_bytes(path.read_bytes())


def _signed_bytes(events: int, head: str, at: str, root: str | None = None) -> bytes:
    """What the audit key signs: the chain's length and head, the time, and (since the Merkle tree) its root."""
    body: dict[str, Any] = {"events": events, "head": head, "at": at}
    if root is not None:
        body["root"] = root
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class Checkpoints:
    home: Path
    keys: KeyStore  # holds the audit key (AUDIT_KEY), read only when a checkpoint is written or read
    witness: str | None = None  # a file path or an http(s) URL that receives a copy of every checkpoint

    @property
    def key(self) -> Signer:
        return self.keys.signer(AUDIT_KEY)

    @property
    def path(self) -> Path:
        return self.home / "audit" / "checkpoints.jsonl"

    def write(self, conn: Connection, now: datetime) -> dict[str, Any]:
        """Sign the chain's head as this transaction sees it and append it."""
        record = self.sign(conn, now)
        self.append(record)
        return {**record, "path": str(self.path)}

    def sign(self, conn: Connection, now: datetime) -> dict[str, Any]:
        """The signed checkpoint of the chain as this transaction sees it (its head row locked): length,
        head hash, Merkle root, time."""
        events, head, root = audit.tree_head(conn)
        at = now.isoformat()
        return {"events": events, "head": head, "root": root, "at": at, "key": fingerprint(self.key.public_raw()),
                "signature": base64.b64encode(self.key.sign(_signed_bytes(events, head, at, root))).decode()}

    def append(self, record: dict[str, Any]) -> None:
        """Append a signed checkpoint to the file and hand a copy to the witness, where the database's
        writer cannot reach: a file of its own or a URL the operator names (LEDESK_AUDIT_WITNESS). A witness
        that cannot be reached is logged; the checkpoint is kept here all the same."""
        line = json.dumps({k: v for k, v in record.items() if k != "path"}) + "\n"
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:  # append-only: lines are never rewritten
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        if self.witness:
            try:
                send_to_witness(self.witness, line)
            except OSError as exc:
                log.warning("audit witness %s not reached: %s", self.witness, exc)

    def read(self) -> list[audit.Checkpoint]:
        """Every checkpoint whose signature the audit key verifies; a bad one is an error, not skipped."""
        if not self.path.exists():
            return []
        current = self.key.public_raw()
        publics = {fingerprint(current): Ed25519PublicKey.from_public_bytes(current)}
        legacy = legacy_audit_key(self.home)
        if legacy is not None:
            raw = legacy.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            publics[fingerprint(raw)] = legacy.public_key()
        found = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                public = publics.get(str(record.get("key")))
                if public is None:
                    raise ValueError(f"signed by an unknown key {record.get('key')}")
                root = str(record["root"]) if record.get("root") is not None else None
                public.verify(base64.b64decode(record["signature"]),
                              _signed_bytes(int(record["events"]), str(record["head"]), str(record["at"]), root))
            except (InvalidSignature, ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(f"checkpoint {number} in {self.path} does not verify "
                                      f"({exc.__class__.__name__}): the checkpoints were tampered with") from None
            found.append(audit.Checkpoint(int(record["events"]), str(record["head"]), str(record["at"]),
                                          str(record.get("root") or "")))
        return found

    def due(self, now: datetime) -> bool:
        if not self.path.exists():
            return True
        lines = [ln for ln in self.path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if not lines:
            return True
        last = datetime.fromisoformat(json.loads(lines[-1])["at"])
        return now - last >= INTERVAL


def send_to_witness(witness: str, line: str) -> None:
    """Append the checkpoint's line to the witness file, or POST it (JSON) to the witness URL."""
    if witness.startswith(("http://", "https://")):
        request = urllib.request.Request(witness, data=line.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
        return
    path = Path(witness)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
