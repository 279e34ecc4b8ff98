"""Snapshots in, snapshots out, and their destruction. Plaintext exists only in memory here: what is
written is AES-GCM ciphertext under the hold's own key, bound to the hold and its position. The key lives
in the key store (vault.keystore), never in the case database.

A key is destroyed only once the transaction that marks its hold purged has committed (a rolled-back
purge, or a production whose commit failed, must still find its key); `shred_after_commit` queues it on
the connection and the unit of work (services.unit) destroys what was queued once it has committed.
Should the process die in between, the next purge finds the key of a purged hold still in the store and
destroys it (`destroy_leftover_keys`)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from ledesk.datasource.connector import Connector
from ledesk.models.enums import HoldStatus
from ledesk.models.submission import Submission
from ledesk.models.tables import holds, productions, vault_blobs, vault_keys
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.vault.keys import unwrap
from ledesk.vault.keystore import KeyStore

log = logging.getLogger(__name__)
PENDING = "ledesk.keys_to_destroy"  # conn.info: key ids the transaction's commit makes destroyable


@dataclass
class Vault:
    source: Connector
    keys: KeyStore
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
        """Encrypt the parts under a new key of their own, bound to the set and each part's position. The key
        is made in the store before the case commits; should the case roll back, the key is left with no
        ciphertext, encrypting nothing."""
        cipher = self.keys.create(set_id)
        rows = []
        for position, part in enumerate(parts):
            nonce = os.urandom(12)
            sealed = cipher.encrypt(nonce, json.dumps(part).encode(), f"{set_id}:{position}".encode())
            rows.append({"hold_id": set_id, "part": position, "nonce": nonce, "ciphertext": sealed})
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
        cipher = self.keys.cipher(hold_id)
        parts = []
        for row in conn.execute(select(vault_blobs).where(vault_blobs.c.hold_id == hold_id)
                                .order_by(vault_blobs.c.part)):
            plain = cipher.decrypt(row.nonce, row.ciphertext, f"{hold_id}:{row.part}".encode())
            parts.append(json.loads(plain))
        return parts


    def destroy_leftover_keys(self, conn: Connection) -> list[str]:
        """Keys of holds and productions the database says are destroyed that the store still has (the
        process died between the commit and the key's destruction)."""
        stored = self.keys.key_ids()
        if not stored:
            return []
        gone = set(conn.execute(select(holds.c.hold_id).where(holds.c.status == HoldStatus.PURGED)).scalars())
        gone |= set(conn.execute(select(productions.c.production_id).where(
            productions.c.destroyed_at.is_not(None))).scalars())
        leftover = sorted(stored & gone)
        for key_id in leftover:
            self.keys.destroy(key_id)
        return leftover

def adopt_legacy_keys(conn: Connection, keys: KeyStore, master: Callable[[], bytes]) -> int:
    """Move keys that releases before the key store kept (wrapped) in the case database into the key
    store, then erase them from the database (the caller then truncates the write-ahead log). `ledesk
    init` runs it. The master key is asked for only when there are such keys (with an HSM there is
    usually none, and none is made)."""
    rows = conn.execute(select(vault_keys.c.hold_id, vault_keys.c.wrapped_key)).all()
    have = keys.key_ids() if rows else set()
    wrapping = master() if rows else b""
    for row in rows:
        if row.hold_id not in have:
            keys.adopt(row.hold_id, unwrap(wrapping, row.wrapped_key, row.hold_id))
    conn.execute(delete(vault_keys))
    return len(rows)


def shred_after_commit(conn: Connection, key_id: str) -> None:
    """Queue a key's destruction for when this transaction commits (the unit of work's write)."""
    if PENDING not in conn.info:
        raise RuntimeError("a key can only be shredded in a transaction of the unit of work (services.unit)")
    conn.info[PENDING].append(key_id)


def wipe_log(engine: Engine) -> None:
    """On SQLite, fold the write-ahead log into the database and truncate it, so that ciphertext deleted
    with secure_delete leaves no older copy in ledesk.db-wal. Waits (busy_timeout) for readers of an older
    snapshot; a connection merely held open by another process does not stop it."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
    try:
        driver = raw.driver_connection
        assert driver is not None
        busy, _, _ = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        raw.close()
    if busy:
        log.warning("the write-ahead log could not be truncated now (a reader holds an older snapshot); "
                    "the next purge truncates it")


def destroy(conn: Connection, hold_id: str) -> tuple[int, str]:
    """Crypto-shred a hold or production: its ciphertext now, its key when the transaction commits.
    Returns what was destroyed, as counts and a digest of the ciphertext, never its content."""
    digest = hashlib.sha256()
    count = 0
    for row in conn.execute(select(vault_blobs.c.ciphertext).where(vault_blobs.c.hold_id == hold_id)
                            .order_by(vault_blobs.c.part)):
        digest.update(row.ciphertext)
        count += 1
    conn.execute(delete(vault_blobs).where(vault_blobs.c.hold_id == hold_id))
    shred_after_commit(conn, hold_id)
    return count, digest.hexdigest()
