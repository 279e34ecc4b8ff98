"""Sweep throughput: 100,000 due preservation expiries fired through `ledesk sweep`'s code path on
SQLite, next to the floor: the same batches written by plain SQLAlchemy Core executemany (state update,
audit insert, timer update) with nothing else. Each run is a fresh copy of one seeded database, in a
child process, so peak memory is that run's own."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, update

from ledesk.adapters.audit import GENESIS
from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.models.tables import audit_head, authorities, cases, events, holds, notices, targets, timers

SAMPLE = Path(__file__).resolve().parents[1] / "ledesk" / "samples" / "preservation.json"
RECEIVED = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
NOW = datetime(2027, 3, 10, 0, 0, tzinfo=UTC)


def seed(path: Path, n: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_engine(engine, n)
    engine.dispose()


def seed_engine(engine: Any, n: int, due_every: int = 1) -> None:
    """n preserved cases on any database already migrated; every `due_every`-th one's expiry is due at NOW,
    the others' months later (due_every=10: 10% due)."""
    submission = json.loads(SAMPLE.read_text(encoding="utf-8"))
    with engine.begin() as conn:
        conn.execute(insert(authorities).values(domain="police.go.kr", name="KNPA", country="KR", type="police",
                                                created_at=RECEIVED))
        conn.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS))
        for start in range(0, n, 10_000):
            ids = [f"LE-B{i:09d}" for i in range(start, min(n, start + 10_000))]
            conn.execute(insert(cases), [{
                "case_id": cid, "kind": "preservation", "regime": "POLICY_PRESERVATION", "state": "preserved",
                "version": 2, "authority_domain": "police.go.kr", "country": "KR", "reference": cid,
                "sender_email": "minjun.kim@police.go.kr", "dedupe_key": cid, "submission": submission,
                "deficiencies": [], "policy_version": "bench", "received_at": RECEIVED, "updated_at": RECEIVED,
                "callback_failed": False, "extensions_used": 0} for cid in ids])
            conn.execute(insert(targets), [{"case_id": cid, "type": "phone", "value": "+821012345678",
                                            "raw_value": "010-1234-5678", "outcome": "pending"} for cid in ids])
            conn.execute(insert(holds), [{"hold_id": f"H-{cid}", "case_id": cid, "status": "active",
                                          "categories": ["ip_logs"], "created_at": RECEIVED,
                                          "expires_at": RECEIVED + timedelta(days=90)} for cid in ids])
            conn.execute(insert(notices), [{"case_id": cid, "status": "not_required", "reason": "preservation_only",
                                            "nondisclosure_indefinite": False} for cid in ids])
            conn.execute(insert(timers), [
                {"case_id": cid, "kind": kind, "status": status, "created_at": RECEIVED,
                 "due_at": RECEIVED + timedelta(days=days if int(cid[4:]) % due_every == 0 else days + 365)}
                for cid in ids for kind, days, status in (("preservation_expiry", 90, "pending"),
                                                          ("expiry_warning", 76, "fired"))])


def _run_sweep(path: str, batch: int, out: Any) -> None:
    from ledesk.adapters.sweep import sweep_timers
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy

    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    result = sweep_timers(engine.begin, NOW, policy, cal, batch_size=batch)
    elapsed = time.perf_counter() - started
    out.send({"seconds": elapsed, "transitions": sum(1 for f in result.fired if f.get("trigger") == "expire"),
              "failed": len(result.failed), "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def _run_floor(path: str, batch: int, out: Any) -> None:
    _floor(path, batch, out, everything=False)


def _run_full_floor(path: str, batch: int, out: Any) -> None:
    _floor(path, batch, out, everything=True)


def _floor(path: str, batch: int, out: Any, everything: bool) -> None:
    """The rows a sweep writes, by plain executemany, reading nothing beyond the due ids. The issue's
    floor writes the state, the audit event and the timer; `everything` also writes what a real expiry
    must: the other timers cancelled, the hold released, the letter and its outbox message."""
    from sqlalchemy import select

    from ledesk.models.tables import letters, outbox

    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    done, seq, prev = 0, 0, GENESIS
    while True:
        with engine.begin() as conn:
            due = conn.execute(select(timers.c.id, timers.c.case_id).where(
                timers.c.status == "pending", timers.c.due_at <= NOW).order_by(timers.c.due_at).limit(batch)).all()
            if not due:
                break
            conn.execute(update(cases).where(cases.c.case_id == bindparam("c"))
                         .values(state="expired", version=3, updated_at=NOW), [{"c": t.case_id} for t in due])
            rows = []
            for t in due:
                seq += 1
                h = hashlib.sha256(f"{seq}{t.case_id}{prev}".encode()).hexdigest()
                rows.append({"seq": seq, "case_id": t.case_id, "action": "expire", "source": "preserved",
                             "dest": "expired", "actor": "system", "at": NOW, "reason": "", "data": {},
                             "prev_hash": prev, "hash": h})
                prev = h
            conn.execute(insert(events), rows)
            if everything:
                ids = [{"c": t.case_id} for t in due]
                conn.execute(update(timers).where(timers.c.case_id == bindparam("c"), timers.c.status == "pending")
                             .values(status="cancelled"), ids)
                conn.execute(update(holds).where(holds.c.case_id == bindparam("c"), holds.c.status == "active")
                             .values(status="released", released_at=NOW), ids)
                body = "No legal process arrived before the preservation period ended."
                conn.execute(insert(letters), [{"case_id": t.case_id, "kind": "release", "sha256": "0" * 64,
                                                "body": body, "created_at": NOW} for t in due])
                conn.execute(insert(outbox), [{"case_id": t.case_id, "kind": "release", "channel": "email",
                                               "to": "minjun.kim@police.go.kr", "subject": "Preservation ended",
                                               "body": body, "letter_sha256": "0" * 64, "status": "pending",
                                               "attempts": 0, "created_at": NOW} for t in due])
            conn.execute(update(timers).where(timers.c.id == bindparam("i")).values(status="fired", fired_at=NOW),
                         [{"i": t.id} for t in due])
            done += len(due)
    elapsed = time.perf_counter() - started
    out.send({"seconds": elapsed, "transitions": done, "failed": 0,
              "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def _in_child(target: Any, seeded: Path, batch: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "run.db"
        shutil.copy(seeded, copy)
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=target, args=(str(copy), batch, child))
        proc.start()
        while not parent.poll(1.0):
            if not proc.is_alive():
                raise RuntimeError(f"benchmark child {target.__name__} died with exit code {proc.exitcode}")
        result: dict[str, Any] = parent.recv()
        proc.join()
        return result


def run(n: int = 100_000, batch: int = 1000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seed.db"
        t0 = time.perf_counter()
        seed(seeded, n)
        seed_s = time.perf_counter() - t0
        floor = _in_child(_run_floor, seeded, batch)
        full = _in_child(_run_full_floor, seeded, batch)
        ledesk = _in_child(_run_sweep, seeded, batch)
    assert ledesk["transitions"] == n and ledesk["failed"] == 0, ledesk
    rate, floor_rate = n / ledesk["seconds"], n / floor["seconds"]
    return {"name": f"sweep {n:,} due preservation expiries (SQLite, batches of {batch})",
            "figure": round(rate), "unit": "transitions/s", "reference": round(floor_rate),
            "reference_name": "plain Core executemany floor", "ratio": round(floor_rate / rate, 2),
            "peak_rss_mb": round(ledesk["max_rss_mb"]), "floor_peak_rss_mb": round(floor["max_rss_mb"]),
            "like_for_like_floor": round(n / full["seconds"]),
            "like_for_like_ratio": round(n / full["seconds"] / rate, 2),
            "seed_seconds": round(seed_s, 1), "targets": "rate >= 5,000/s; floor/rate <= 3; peak RSS < 300 MB"}
