"""Several sweep workers (separate processes, separate connections) over one PostgreSQL database with
10,000 due expiries (50,000 with LEDESK_STRESS=1): every timer fires exactly once, every case expires
once, no message is queued twice, and the audit chain is one unbroken line."""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

import pytest
from sqlalchemy import text

from bench.sweep import NOW, seed_engine
from ledesk.adapters.audit import verify
from ledesk.models.db import make_engine
from ledesk.models.tables import metadata
from tests.conftest import STRESS

DUE = 50_000 if STRESS else 10_000
BATCH = 500 if STRESS else 200  # small enough batches that every worker takes some


def _worker(url: str, out: Any) -> None:
    from ledesk.adapters.sweep import sweep_timers
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy
    policy = current_policy()
    engine = make_engine(url)
    result = sweep_timers(engine.begin, NOW, policy, LegalCalendar(policy.timezone, policy.holiday_country,
                                                                 policy.extra_holidays), batch_size=BATCH)
    out.put((len(result.fired), len(result.failed)))
    engine.dispose()


@pytest.mark.long
@pytest.mark.postgres
@pytest.mark.parametrize("workers", [2, 4])
def test_sweep_workers_fire_every_timer_exactly_once(pg_url: str, workers: int) -> None:
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
                          + " RESTART IDENTITY CASCADE"))
    seed_engine(engine, DUE)
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(pg_url, results)) for _ in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
        assert p.exitcode == 0
    fired = [results.get(timeout=5) for _ in procs]
    assert sum(f for f, _ in fired) == DUE and all(failed == 0 for _, failed in fired)
    assert sum(1 for f, _ in fired if f > 0) >= 2, f"the work was not shared: {fired}"

    def one(sql: str) -> Any:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    assert one("select count(*) from timers where kind = 'preservation_expiry' and status = 'fired'") == DUE
    assert one("select count(*) from timers where status = 'pending'") == 0
    assert one("select count(*) from cases where state = 'expired'") == DUE
    assert one("select count(*) from events where action = 'expire'") == DUE
    assert one("select count(*) from (select case_id from events where action = 'expire' "
               "group by case_id having count(*) > 1) twice") == 0
    assert one("select count(*) from (select case_id, kind from outbox group by case_id, kind "
               "having count(*) > 1) twice") == 0
    with engine.connect() as conn:
        assert verify(conn).ok
    engine.dispose()
