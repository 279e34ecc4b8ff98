"""Crash safety: the sweep, the purge and the outbox dispatcher, run one after another in a child process,
are killed with SIGKILL at random moments and restarted until they finish. Afterwards nothing is lost or
doubled: no case half-transitioned, every due timer fired once, every expired hold purged once (and none
whose case has legal process), no message delivered twice, the audit chain intact.

CI runs 10 kills on each database; LEDESK_KILL_RUNS=100 is the nightly setting."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text, update

from bench.sweep import NOW, seed_engine
from ledesk.adapters.audit import verify
from ledesk.delivery.dispatch import LEASE
from ledesk.models.tables import cases, metadata
from tests.conftest import STRESS

CASES = 200
RUNS = int(os.environ.get("LEDESK_KILL_RUNS", "10" if STRESS else "4"))


class CountingFolder:
    """The .eml folder, plus a journal line per send, so that a second delivery of a message shows."""

    def __init__(self, folder: Path) -> None:
        from ledesk.delivery.transports import EmlFolder

        self.inner, self.journal = EmlFolder(folder), folder / "sent.journal"

    def send(self, message: Any) -> None:
        self.inner.send(message)
        with open(self.journal, "a") as handle:
            handle.write(f"{message['Message-ID']}\n")
            handle.flush()
            os.fsync(handle.fileno())

    def delivered(self, message_id: str) -> bool:
        return self.inner.delivered(message_id)


def _jobs(url: str, folder: str, round_no: int, working: Any = None) -> None:
    from ledesk.delivery.dispatch import dispatch
    from ledesk.models.db import make_engine
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy
    from ledesk.services import Services
    from ledesk.states.clock import FixedClock

    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    engine = make_engine(url)
    now = NOW + round_no * (LEASE * 2)  # each restart is later, so a send cut off mid-way is recovered
    if working is not None:
        working.set()  # imports done: the kill may now land anywhere in the work itself
    from ledesk.vault.keystore import SqliteKeyStore

    services = Services.build(engine, FixedClock(now), policy, cal, Path(folder),
                              keys=SqliteKeyStore(Path(folder) / "keys" / "holds.db", b"k" * 32))
    services.cases.sweep(batch_size=50)
    services.cases.purge()
    transport = CountingFolder(Path(folder))
    while True:
        result = dispatch(engine, transport, now, "legal@provider.example", limit=25)
        if not (result.sent or result.recovered or result.retrying):
            break


def _scenario(engine: Engine, url: str, folder: Path, rng: random.Random, kills: int) -> int:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
        else:
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    seed_engine(engine, CASES)
    # A few cases got their legal process just before expiry: their holds must survive any crash.
    with engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.case_id.in_([f"LE-B{i:09d}" for i in range(5)]))
                     .values(legal_process_at=NOW))
    ctx = mp.get_context("spawn")
    killed, round_no = 0, 0
    while True:
        round_no += 1
        working = ctx.Event()
        child = ctx.Process(target=_jobs, args=(url, str(folder), round_no, working))
        child.start()
        if killed < kills:
            assert working.wait(timeout=120), "the child never started its work"
            time.sleep(rng.uniform(0, 1.0))  # the work takes a second or more
            if child.is_alive():
                child.kill()
                child.join()
                killed += 1
                continue
        child.join(timeout=300)
        assert child.exitcode == 0, f"round {round_no} failed with {child.exitcode}"
        # Finished on its own: the work is done, and further kills could only land on an idle restart.
        return killed


def _check(engine: Engine, folder: Path) -> None:
    def one(sql: str) -> Any:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    assert one("select count(*) from timers where status in ('pending', 'failed')") == 0
    # The five with legal process do not expire (the rule refuses); every other case expires once.
    assert one("select count(*) from cases where state = 'expired'") == CASES - 5
    assert one("select count(*) from events where action = 'expire'") == CASES - 5
    # Each case's version moved once per audited step, so no step was half written.
    assert one("select count(*) from cases c where version <> 2 + (select count(*) from events e "
               "where e.case_id = c.case_id)") == 0
    assert one("select count(*) from (select hold_id from destructions group by hold_id having count(*) > 1) d") == 0
    assert one("select count(*) from destructions") == CASES - 5
    assert one("select count(*) from destructions d join cases c on c.case_id = d.case_id "
               "where c.legal_process_at is not null") == 0
    assert one("select count(*) from outbox where status <> 'sent'") == 0
    journal = (folder / "sent.journal").read_text().split()
    twice = [mid for mid, n in Counter(journal).items() if n > 1]
    assert not twice, f"delivered twice: {twice[:5]}"
    assert len(list(folder.glob("*.eml"))) == one("select count(*) from outbox")
    with engine.connect() as conn:
        assert verify(conn).ok


@pytest.mark.long
def test_killed_at_random_the_jobs_lose_and_double_nothing(db: Engine, tmp_path: Path) -> None:
    url = db.url.render_as_string(hide_password=False)
    rng = random.Random(f"{db.dialect.name}-{RUNS}")
    done = 0
    scenario = 0
    while done < RUNS:
        scenario += 1
        folder = tmp_path / f"outbox-{scenario}"
        folder.mkdir()
        done += _scenario(db, url, folder, rng, min(5, RUNS - done))
        _check(db, folder)
