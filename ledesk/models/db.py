"""Reaching the case database. Nothing here connects at import time: `prefect deploy` imports flows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event


def ledesk_home() -> Path:
    return Path(os.environ.get("LEDESK_HOME") or "./var")


def database_url() -> str:
    url = os.environ.get("LEDESK_DATABASE_URL")
    if url:
        return url
    home = ledesk_home()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(home / 'ledesk.db').resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A purged hold's ciphertext is overwritten with zeros in the file, not merely unlinked from the
    # b-tree (vault.store.wipe_log then truncates the WAL's older copies).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _begin(conn: Any) -> None:
    read_only = conn.get_execution_options().get("ledesk_read_only", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reader(engine: Engine) -> Engine:
    """The same database for code that only reads (show, lists, audit verify)."""
    return engine.execution_options(ledesk_read_only=True)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so a write transaction
        # takes the lock at its start and two writers serialise instead of failing half way. Readers
        # (see `reader`) begin a plain transaction and, with WAL, never wait for a writer.
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(url, pool_pre_ping=True)
