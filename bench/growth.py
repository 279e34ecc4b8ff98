"""The sweep's growth curve: 1,000 to 1,000,000 open cases, 10% of them due, on SQLite and PostgreSQL.
The sweep's time should follow the due timers, not the open cases: the claim reads the (status, due_at)
index and stops at the batch size, as the query plans printed here show. The reference of each row is the
same sweep over a database holding only its due cases (the floor for that many due timers)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from bench.sweep import NOW, seed_engine
from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.models.tables import timers

PG = os.environ.get("LEDESK_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _claim_query() -> Any:
    return (select(timers.c.id, timers.c.case_id, timers.c.kind, timers.c.due_at)
            .where(timers.c.status == "pending", timers.c.due_at <= NOW)
            .order_by(timers.c.due_at, timers.c.id).limit(1000))


def _plan(engine: Any) -> str:
    compiled = _claim_query().compile(engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        rows = conn.execute(text(prefix + str(compiled))).all()
    return " | ".join(str(r[-1]) for r in rows)


def _fresh(kind: str, tmp: Path, name: str) -> tuple[Any, Any]:
    if kind == "sqlite":
        return make_engine(f"sqlite:///{tmp / f'{name}.db'}"), None
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    from sqlalchemy.engine import make_url

    return make_engine(make_url(PG).set(database=name).render_as_string(hide_password=False)), admin


def _sweep_seconds(engine: Any) -> tuple[float, int]:
    from ledesk.adapters.sweep import sweep_timers
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy

    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    started = time.perf_counter()
    result = sweep_timers(engine.begin, NOW, policy, cal, batch_size=1000)
    return time.perf_counter() - started, len(result.fired)


def one(kind: str, open_cases: int, tmp: Path) -> dict[str, Any]:
    due = open_cases // 10
    measured: dict[str, Any] = {}
    for label, n, every in (("all", open_cases, 10), ("due_only", due, 1)):
        name = f"ledesk_growth_{label}_{open_cases}"
        engine, admin = _fresh(kind, tmp, name)
        upgrade(engine)
        seed_engine(engine, n, due_every=every)
        if kind == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        if label == "all":
            measured["plan"] = _plan(engine)
        seconds, fired = _sweep_seconds(engine)
        assert fired == due, (kind, label, fired, due)
        measured[label] = seconds
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return {"database": kind, "open_cases": open_cases, "due": due, "sweep_s": round(measured["all"], 2),
            "due_only_s": round(measured["due_only"], 2),
            "ratio": round(measured["all"] / measured["due_only"], 2),
            "us_per_due_timer": round(measured["all"] / due * 1e6), "claim_plan": measured["plan"]}


def run(sizes: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000)) -> dict[str, Any]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("sqlite", "postgresql"):
            for n in sizes:
                rows.append(one(kind, n, Path(tmp)))
                print(f"  growth {rows[-1]}", flush=True)
    biggest = [r for r in rows if r["open_cases"] == max(sizes)]
    worst = max(r["ratio"] for r in biggest)
    return {"name": f"sweep growth, {min(sizes):,} to {max(sizes):,} open cases with 10% due (SQLite, PostgreSQL)",
            "figure": round(max(r["sweep_s"] for r in biggest), 2), "unit": f"s at {max(sizes):,} open",
            "reference": round(max(r["due_only_s"] for r in biggest), 2),
            "reference_name": "the same due timers with no other open cases", "ratio": worst, "curve": rows,
            "targets": "cost follows the due timers: ratio near 1 at every size; the claim uses the due index"}


if __name__ == "__main__":
    import json
    import sys

    sizes = tuple(int(x) for x in sys.argv[1:]) or (1_000, 10_000, 100_000, 1_000_000)
    print(json.dumps(run(sizes), indent=1))
