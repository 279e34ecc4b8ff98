"""The unit of work: the one place a command's write transaction begins and commits, and where the
read-side's connections come from. Everything a command writes (the case, its audit events, timers,
holds, notice and outbox rows) commits here together, or nothing does.

It anchors every decision: a transaction that wrote one signs a checkpoint before it commits and appends
it after (Anchor). It also owns the commit hook of crypto-shredding: a hold's key is destroyed in the key
store only once the transaction that marked the hold purged has committed (vault.store.shred_after_commit
queues it), so a rolled-back purge, or a production whose commit failed, still finds its key."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from ledesk.adapters.audit import ANCHOR_DUE
from ledesk.models.db import reader
from ledesk.vault.keystore import KeyStore
from ledesk.vault.store import PENDING, wipe_log

if TYPE_CHECKING:
    from ledesk.vault.checkpoints import Checkpoints

log = logging.getLogger(__name__)


@dataclass
class Anchor:
    """The signed checkpoint of a decision: signed inside its transaction (the chain's head is locked there,
    so it is exactly what commits), appended to the checkpoint file and the witness after the commit. A
    key store that cannot sign does not stop the decision: it stays under the next hourly checkpoint, and
    `audit verify` counts it as not yet anchored."""

    checkpoints: Checkpoints
    now: Callable[[], datetime]

    def sign_now(self, conn: Connection) -> dict[str, Any] | None:
        try:
            return self.checkpoints.sign(conn, self.now())
        except Exception as exc:
            log.warning("decision not anchored: the audit key could not sign (%s)", exc)
            return None

    def append(self, record: dict[str, Any]) -> None:
        try:
            self.checkpoints.append(record)
        except OSError as exc:
            log.warning("decision checkpoint not written: %s", exc)


@dataclass
class UnitOfWork:
    engine: Engine
    keys: KeyStore
    # Signs a checkpoint in the transaction of every decision (adapters.audit.ANCHORED) and appends it
    # (and its witness copy) once the transaction has committed. None: decisions are not anchored (tests).
    anchor: Anchor | None = None

    @contextmanager
    def write(self, wipe: bool = True) -> Iterator[Connection]:
        """One write transaction. `wipe=False` leaves truncating SQLite's write-ahead log to the caller (a
        purge of many holds does it once, at the end)."""
        signed: dict[str, Any] | None = None
        with self.engine.begin() as conn:
            conn.info[PENDING] = []
            try:
                yield conn
                if conn.info.pop(ANCHOR_DUE, False) and self.anchor is not None:
                    signed = self.anchor.sign_now(conn)
            finally:
                due: list[str] = conn.info.pop(PENDING, [])
                conn.info.pop(ANCHOR_DUE, None)
        if signed is not None and self.anchor is not None:
            self.anchor.append(signed)
        for key_id in due:
            self.keys.destroy(key_id)
        if due and wipe:
            wipe_log(self.engine)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection: on SQLite it never takes the writer's lock (WAL)."""
        with reader(self.engine).connect() as conn:
            yield conn

    def wipe_log(self) -> None:
        wipe_log(self.engine)
