"""Snapshots in, snapshots out, and their destruction. Plaintext exists only in memory here: what is
written is AES-GCM ciphertext under the hold's own key, bound to the hold and its position."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, delete, insert, select

from ledesk.datasource.connector import Connector
from ledesk.models.submission import Submission
from ledesk.models.tables import vault_blobs, vault_keys
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.vault.keys import unwrap, wrap


@dataclass
class Vault:
    source: Connector
    master: bytes
    calendar: LegalCalendar  # a requested period's dates are Seoul dates

    def collect(self, submission: Submission, now: datetime,
                categories: set[str] | None = None) -> list[dict[str, Any]]:
        """What exists now for each target, per requested category and period (all, or `categories`)."""
        parts = []
        for t_index, target in enumerate(submission.targets):
            account = self.source.lookup(str(target.type), target.value)
            for request in submission.data_requested:
                category = str(request.category)
                if categories is not None and category not in categories:
                    continue
                start = self.calendar.start_of(request.from_) if request.from_ else None
                end = self.calendar.end_of(request.to) if request.to else None
                parts.append({"target_index": t_index, "target": target.model_dump(mode="json"),
                              "account_id": account, "category": category,
                              "from": request.from_.isoformat() if request.from_ else None,
                              "to": request.to.isoformat() if request.to else None, "taken_at": now.isoformat(),
                              "records": self.source.read(account, category, start, end) if account else []})
        return parts

    def seal(self, conn: Connection, set_id: str, parts: list[dict[str, Any]], now: datetime) -> None:
        """Encrypt the parts under a new key of their own, bound to the set and each part's position."""
        key = AESGCM.generate_key(bit_length=256)
        cipher = AESGCM(key)
        rows = []
        for position, part in enumerate(parts):
            nonce = os.urandom(12)
            sealed = cipher.encrypt(nonce, json.dumps(part).encode(), f"{set_id}:{position}".encode())
            rows.append({"hold_id": set_id, "part": position, "nonce": nonce, "ciphertext": sealed})
        conn.execute(insert(vault_keys).values(hold_id=set_id, wrapped_key=wrap(self.master, key, set_id),
                                               created_at=now))
        if rows:
            conn.execute(insert(vault_blobs), rows)

    def snapshot(self, conn: Connection, hold_id: str, submission: Submission, now: datetime) -> dict[str, Any]:
        """Preserve exactly what exists now for each target, in the requested categories and periods."""
        parts = self.collect(submission, now)
        self.seal(conn, hold_id, parts, now)
        return {"parts": len(parts), "accounts_found": len({p["account_id"] for p in parts if p["account_id"]}),
                "records": sum(len(p["records"]) for p in parts)}

    def produce(self, conn: Connection, case: Any, policy: Policy, now: datetime, actor: str) -> dict[str, Any]:
        from ledesk.vault.production import build

        return build(conn, self, case, policy, now, actor)

    def read(self, conn: Connection, hold_id: str) -> list[dict[str, Any]]:
        wrapped = conn.execute(select(vault_keys.c.wrapped_key).where(vault_keys.c.hold_id == hold_id)).scalar()
        if wrapped is None:
            raise LookupError(f"hold {hold_id} has no key: it was purged, or never preserved")
        cipher = AESGCM(unwrap(self.master, wrapped, hold_id))
        parts = []
        for row in conn.execute(select(vault_blobs).where(vault_blobs.c.hold_id == hold_id)
                                .order_by(vault_blobs.c.part)):
            plain = cipher.decrypt(row.nonce, row.ciphertext, f"{hold_id}:{row.part}".encode())
            parts.append(json.loads(plain))
        return parts


def destroy(conn: Connection, hold_id: str) -> tuple[int, str]:
    """Crypto-shred a hold: the key first, then the ciphertext. Returns what was destroyed, as counts and
    a digest of the ciphertext, never its content."""
    digest = hashlib.sha256()
    count = 0
    for row in conn.execute(select(vault_blobs.c.ciphertext).where(vault_blobs.c.hold_id == hold_id)
                            .order_by(vault_blobs.c.part)):
        digest.update(row.ciphertext)
        count += 1
    conn.execute(delete(vault_keys).where(vault_keys.c.hold_id == hold_id))
    conn.execute(delete(vault_blobs).where(vault_blobs.c.hold_id == hold_id))
    return count, digest.hexdigest()
