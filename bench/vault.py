"""Preserve 1,000 accounts of 1,000 log lines each through `preserve` (hold, snapshot, audit, letters),
then lapse and purge them; next to the raw floor in the same run: reading the same rows and writing the
same bytes with AES-GCM and no bookkeeping."""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, insert

from ledesk.adapters import admin
from ledesk.adapters.intake import intake
from ledesk.adapters.sweep import sweep_timers
from ledesk.datasource.embedded import EmbeddedSource, access_logs, accounts
from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.services import Services
from ledesk.states.clock import FixedClock
from ledesk.vault.keystore import SqliteKeyStore

SAMPLE = Path(__file__).resolve().parents[1] / "ledesk" / "samples" / "preservation.json"


def _fill(source: EmbeddedSource, n_accounts: int, lines: int, start: datetime) -> None:
    with source.engine.begin() as conn:
        conn.execute(insert(accounts), [{"account_id": f"acct-{i:05d}", "username": f"user{i:05d}",
                                         "subscriber": {}, "customer_controlled": 0} for i in range(n_accounts)])
        for i in range(n_accounts):
            conn.execute(insert(access_logs), [{"account_id": f"acct-{i:05d}", "at": start + timedelta(minutes=j),
                                                "ip": f"203.0.{j % 256}.{i % 250 + 1}"} for j in range(lines)])


def run(n_accounts: int = 1000, lines: int = 1000) -> dict[str, Any]:
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy

    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        source = EmbeddedSource(Path(tmp) / "datasource.db")
        _fill(source, n_accounts, lines, datetime(2026, 10, 1, tzinfo=UTC))
        engine = make_engine(f"sqlite:///{Path(tmp) / 'ledesk.db'}")
        upgrade(engine)
        keys = SqliteKeyStore(Path(tmp) / "keys" / "holds.db", AESGCM.generate_key(bit_length=256))
        desk = Services.build(engine, FixedClock(now), policy, cal, Path(tmp), source=source, keys=keys).cases
        with engine.begin() as conn:
            admin.add_authority(conn, "police.go.kr", "KNPA", "KR", "police", now)
            admin.add_actor(conn, "alice", ["reviewer"], now)
            ids = [intake(conn, {**base, "reference": f"B-{i}", "targets": [
                {"type": "username", "value": f"user{i:05d}", "known_info": ""}]}, now, policy, cal)["case_id"]
                for i in range(n_accounts)]
        started = time.perf_counter()
        for case_id in ids:
            desk.fire(case_id, "preserve", "alice")
        preserve_s = time.perf_counter() - started
        records = n_accounts * lines
        sweep_timers(engine.begin, now + timedelta(days=120), policy, cal)
        started = time.perf_counter()
        later = Services.build(engine, FixedClock(now + timedelta(days=120)), policy, cal, Path(tmp), source=source,
                               keys=keys)
        purged = later.cases.purge().purged
        purge_s = time.perf_counter() - started
        assert len(purged) == n_accounts

        # The floor: the same reads, the same AES-GCM bytes, one plain table, no bookkeeping.
        floor_meta = MetaData()
        raw = Table("raw_blobs", floor_meta, Column("id", Integer, primary_key=True),
                    Column("nonce", LargeBinary), Column("ciphertext", LargeBinary))
        floor_engine = make_engine(f"sqlite:///{Path(tmp) / 'floor.db'}")
        floor_meta.create_all(floor_engine)
        started = time.perf_counter()
        for i in range(n_accounts):
            cipher = AESGCM(AESGCM.generate_key(bit_length=256))
            items = source.read(f"acct-{i:05d}", "ip_logs", cal.start_of(datetime(2026, 9, 1).date()),
                                cal.end_of(datetime(2026, 11, 30).date()))
            nonce = os.urandom(12)
            with floor_engine.begin() as conn:
                conn.execute(insert(raw).values(nonce=nonce, ciphertext=cipher.encrypt(
                    nonce, json.dumps({"records": items}).encode(), b"floor")))
        floor_s = time.perf_counter() - started
        engine.dispose()
        floor_engine.dispose()
        source.engine.dispose()
    return {"name": f"preserve {n_accounts:,} accounts x {lines:,} log lines (SQLite), then purge",
            "figure": round(records / preserve_s), "unit": "records/s", "reference": round(records / floor_s),
            "reference_name": "read + AES-GCM + write, no bookkeeping", "ratio": round(preserve_s / floor_s, 2),
            "purge_seconds": round(purge_s, 2), "targets": "report only"}
