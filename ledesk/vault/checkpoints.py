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
    verifies the checkpoints it signed, once adopted (Checkpoints.adopt_legacy), and signs nothing new."""
    path = home / "keys" / "audit.key"
    if not path.exists():
        return None
    if path.stat().st_mode & 0o077:
        raise CheckpointError(f"{path} is readable by others; it must be mode 0600")
    return Ed25519PrivateKey.from_private_bytes(path.read_bytes())


def _public_fingerprint(key: Ed25519PrivateKey) -> str:
    return fingerprint(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _signer_of(line: str) -> str | None:
    """The key fingerprint a checkpoint line names (None for a line that is not a checkpoint)."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return str(record.get("key")) if isinstance(record, dict) else None


def _adoption_bytes(legacy_fingerprint: str, at: str) -> bytes:
    return b"ledesk adopted audit key v1\0" + f"{legacy_fingerprint}\0{at}".encode()


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

    @property
    def adopted_path(self) -> Path:
        """The record, signed by the audit key, of the one legacy key file it took over at the upgrade."""
        return self.home / "audit" / "adopted-key.json"

    def adopt_legacy(self, now: datetime) -> str | None:
        """Decide, once, which legacy keys/audit.key (from before the key store held the audit key) keeps
        verifying what it signed: the one present when the audit key signs for the first time (or at
        `ledesk init` before that), or none. The decision is a record signed by the audit key; a key file
        that appears later, or another than the one recorded, verifies nothing. (Deleting the record as
        well as rewriting checkpoints.jsonl is what the witness's copies catch.)
        Returns the adopted fingerprint, if any."""
        legacy = legacy_audit_key(self.home)
        found = _public_fingerprint(legacy) if legacy is not None else None
        if self.adopted_path.exists():
            recorded = self._adopted()
            if found is not None and recorded != found:
                raise CheckpointError(f"{self.home / 'keys' / 'audit.key'} appeared after this desk's audit key "
                                      f"signed checkpoints (it adopted {recorded or 'no legacy key'}): it "
                                      "verifies nothing; remove it")
            return recorded
        own = fingerprint(self.key.public_raw())
        lines = self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []
        if found is not None and own in {_signer_of(line) for line in lines}:
            raise CheckpointError(f"{self.home / 'keys' / 'audit.key'} appeared after this desk's own audit key "
                                  "signed checkpoints: it is not adopted and verifies nothing; remove it")
        at = now.isoformat()
        record = {"fingerprint": found, "at": at, "by": own,
                  "signature": base64.b64encode(self.key.sign(_adoption_bytes(found or "none", at))).decode()}
        self.adopted_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.adopted_path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        return found

    def _adopted(self) -> str | None:
        """The fingerprint the audit key's adoption record names, when the record verifies."""
        if not self.adopted_path.exists():
            return None
        try:
            record = json.loads(self.adopted_path.read_text(encoding="utf-8"))
            Ed25519PublicKey.from_public_bytes(self.key.public_raw()).verify(
                base64.b64decode(record["signature"]),
                _adoption_bytes(str(record["fingerprint"] or "none"), str(record["at"])))
        except (InvalidSignature, ValueError, KeyError, TypeError):
            raise CheckpointError(f"{self.adopted_path} does not verify: the adoption record was tampered "
                                  "with") from None
        return str(record["fingerprint"]) if record["fingerprint"] else None

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
        if not self.adopted_path.exists():  # the audit key's first checkpoint: which legacy key, if any
            try:
                self.adopt_legacy(datetime.fromisoformat(str(record["at"])))
            except CheckpointError as exc:  # the checkpoint is written all the same; verify will say why
                log.error("%s", exc)
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

    def _publics(self) -> dict[str, Ed25519PublicKey]:
        """The keys a checkpoint may be signed by: the audit key, and the legacy key it adopted."""
        current = self.key.public_raw()
        publics = {fingerprint(current): Ed25519PublicKey.from_public_bytes(current)}
        legacy = legacy_audit_key(self.home)
        legacy_fingerprint = _public_fingerprint(legacy) if legacy is not None else None
        if legacy is not None and legacy_fingerprint == self._adopted():  # only the key adopted
            publics[str(legacy_fingerprint)] = legacy.public_key()
        return publics

    def read(self) -> list[audit.Checkpoint]:
        """Every checkpoint whose signature the audit key verifies; a bad one is an error, not skipped."""
        if not self.path.exists():
            return []
        return self._verified(self.path.read_text(encoding="utf-8").splitlines(), self._publics(), str(self.path))

    def witnessed(self) -> tuple[list[audit.Checkpoint] | None, str]:
        """The checkpoints the witness holds, each verified like ours, and a word on how it went: None and
        why when there is no witness to ask or it cannot be read. A witness URL answers GET with the lines
        it was POSTed (JSON Lines)."""
        if not self.witness:
            return None, "no witness configured (LEDESK_AUDIT_WITNESS)"
        try:
            if self.witness.startswith(("http://", "https://")):
                with urllib.request.urlopen(self.witness, timeout=5) as response:
                    text = response.read().decode("utf-8")
            else:
                text = Path(self.witness).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return None, f"the witness {self.witness} cannot be read: {exc.__class__.__name__}: {str(exc)[:200]}"
        lines = [ln for ln in text.splitlines() if ln.strip()]
        return self._verified(lines, self._publics(), f"the witness {self.witness}"), f"compared with {self.witness}"

    def _verified(self, lines: list[str], publics: dict[str, Ed25519PublicKey], where: str) -> list[audit.Checkpoint]:
        found = []
        for number, line in enumerate(lines, 1):
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
                raise CheckpointError(f"checkpoint {number} in {where} does not verify "
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
