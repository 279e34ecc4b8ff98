"""The unit of work: the one place a command's write transaction begins and commits, and where the
read-side's connections come from. Everything a command writes (the case, its audit events, timers,
holds, notice and outbox rows) commits here together, or nothing does.

It also owns the commit hook of crypto-shredding: a hold's key is destroyed in the key store only once the
transaction that marked the hold purged has committed (vault.store.shred_after_commit queues it), so a
rolled-back purge, or a production whose commit failed, still finds its key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from ledesk.models.db import reader
from ledesk.vault.keystore import KeyStore
from ledesk.vault.store import PENDING, wipe_log


@dataclass
class UnitOfWork:
    engine: Engine
    keys: KeyStore

    @contextmanager
    def write(self, wipe: bool = True) -> Iterator[Connection]:
        """One write transaction. `wipe=False` leaves truncating SQLite's write-ahead log to the caller (a
        purge of many holds does it once, at the end)."""
        with self.engine.begin() as conn:
            conn.info[PENDING] = []
            try:
                yield conn
            finally:
                due: list[str] = conn.info.pop(PENDING, [])
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
