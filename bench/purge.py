"""Purge 1,000 lapsed holds (crypto-shred, destruction record, certificate, audit event, WAL truncated)
with each key store: the embedded SQLite store and SoftHSM2 over PKCS#11. Next to the floor measured in the
same run: deleting each hold's key row and ciphertext rows in one plain SQLite transaction apiece, with no
bookkeeping. Before the key store (keys as rows of the case database) the same purge took 2.4 s.

`python -m bench.purge [--holds N]`"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, delete, insert

from ledesk.adapters import admin
from ledesk.adapters.intake import intake
from ledesk.adapters.sweep import sweep_timers
from ledesk.datasource.embedded import EmbeddedSource, access_logs, accounts
from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.services import Services
from ledesk.states.clock import FixedClock
from ledesk.vault.keys import master_key
from ledesk.vault.keystore import KeyStore, Pkcs11KeyStore, SqliteKeyStore

SAMPLE = Path(__file__).resolve().parents[1] / "ledesk" / "samples" / "preservation.json"
BEFORE_KEY_STORE_S = 2.4  # the same purge with keys in the case database (measured before this change)
SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


def _softhsm(folder: Path) -> str | None:
    if not (os.path.exists(SOFTHSM) and shutil.which("softhsm2-util")):
        return None
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "bench", "--pin", "1111",
                    "--so-pin", "2222"], check=True, capture_output=True)
    return f"pkcs11:token=bench?module-path={SOFTHSM}&pin-value=1111"


def _purge(home: Path, keys: KeyStore, n: int) -> float:
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy

    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    source = EmbeddedSource(home / "datasource.db")
    with source.engine.begin() as conn:
        conn.execute(insert(accounts), [{"account_id": f"acct-{i:05d}", "username": f"user{i:05d}",
                                         "subscriber": {}, "customer_controlled": 0} for i in range(n)])
        conn.execute(insert(access_logs), [{"account_id": f"acct-{i:05d}", "at": datetime(2026, 10, 1, tzinfo=UTC)
                                            + timedelta(minutes=j), "ip": f"203.0.113.{j + 1}"}
                                           for i in range(n) for j in range(20)])
    engine = make_engine(f"sqlite:///{home / 'ledesk.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        admin.add_authority(conn, "police.go.kr", "KNPA", "KR", "police", now)
        admin.add_actor(conn, "alice", ["reviewer"], now)
        ids = [intake(conn, {**base, "reference": f"P-{i}", "targets": [
            {"type": "username", "value": f"user{i:05d}", "known_info": ""}]}, now, policy, cal)["case_id"]
            for i in range(n)]
    desk = Services.build(engine, FixedClock(now), policy, cal, home, source=source, keys=keys).cases
    for case_id in ids:
        desk.fire(case_id, "preserve", "alice")
    later = now + timedelta(days=120)
    sweep_timers(engine.begin, later, policy, cal)
    started = time.perf_counter()
    purged = Services.build(engine, FixedClock(later), policy, cal, home, source=source,
                            keys=keys).cases.purge().purged
    seconds = time.perf_counter() - started
    assert len(purged) == n and not keys.key_ids()
    engine.dispose()
    source.engine.dispose()
    return seconds


def _floor(folder: Path, n: int) -> float:
    meta = MetaData()
    keys = Table("k", meta, Column("id", String, primary_key=True), Column("key", LargeBinary))
    blobs = Table("b", meta, Column("id", Integer, primary_key=True), Column("hold", String, index=True),
                  Column("c", LargeBinary))
    engine = make_engine(f"sqlite:///{folder / 'floor.db'}")
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(keys), [{"id": f"H{i}", "key": os.urandom(60)} for i in range(n)])
        conn.execute(insert(blobs), [{"hold": f"H{i}", "c": os.urandom(1500)} for i in range(n)])
    started = time.perf_counter()
    for i in range(n):
        with engine.begin() as conn:
            conn.execute(delete(keys).where(keys.c.id == f"H{i}"))
            conn.execute(delete(blobs).where(blobs.c.hold == f"H{i}"))
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def run(n: int = 1000) -> list[dict[str, Any]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        floor_s = _floor(root, n)
        stores: list[tuple[str, Any]] = [("SQLite key store", lambda home: SqliteKeyStore(
            home / "keys" / "holds.db", master_key(home)))]
        (root / "hsm").mkdir()
        uri = _softhsm(root / "hsm")
        if uri:
            stores.append(("SoftHSM2 over PKCS#11", lambda home: Pkcs11KeyStore(uri)))
        for label, make in stores:
            home = root / label.split()[0].lower()
            home.mkdir(mode=0o700)
            seconds = _purge(home, make(home), n)
            out.append({"name": f"purge {n:,} lapsed holds, {label}", "figure": round(seconds, 2), "unit": "s",
                        "reference": round(floor_s, 2),
                        "reference_name": "delete key + ciphertext rows, no bookkeeping",
                        "ratio": round(seconds / floor_s, 2), "before_key_store_seconds": BEFORE_KEY_STORE_S,
                        "targets": "report only"})
        if not uri:
            print("SoftHSM2 is not installed (apt-get install softhsm2): the PKCS#11 figure is left out")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.purge")
    parser.add_argument("--holds", type=int, default=1000)
    for result in run(parser.parse_args().holds):
        print(json.dumps(result))
