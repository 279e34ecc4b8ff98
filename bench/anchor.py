"""What anchoring every decision costs, and what a Merkle proof costs. (1) N rejections, each of which now
signs a checkpoint (Ed25519, embedded key store) in its own transaction and appends it to the file, next to
the same N rejections with anchoring off, in the same run. (2) An inclusion proof and a consistency proof
over a log of M events, next to `audit verify` walking the same log (the naive way to show an event is in).

`python -m bench.anchor [--decisions N] [--events M]`"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledesk.adapters import admin, audit
from ledesk.adapters.intake import intake
from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.load import current_policy
from ledesk.services import Services
from ledesk.states.clock import FixedClock

SAMPLE = Path(__file__).resolve().parents[1] / "ledesk" / "samples" / "warrant.json"
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def _desk(home: Path, n: int, anchored: bool) -> tuple[Services, list[str]]:
    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    engine = make_engine(f"sqlite:///{home / 'ledesk.db'}")
    upgrade(engine)
    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    with engine.begin() as conn:
        admin.add_authority(conn, "police.go.kr", "KNPA", "KR", "police", NOW)
        admin.add_actor(conn, "alice", ["reviewer"], NOW)
        ids = [intake(conn, {**base, "reference": f"W-{i}"}, NOW, policy, cal)["case_id"] for i in range(n)]
    return Services.build(engine, FixedClock(NOW), policy, cal, home, anchor_decisions=anchored), ids


def _decisions(home: Path, n: int, anchored: bool) -> list[float]:
    services, ids = _desk(home, n, anchored)
    services.admin.checkpoint()  # the audit key made before timing starts, as in a running deployment
    times = []
    for case_id in ids:
        started = time.perf_counter()
        services.cases.fire(case_id, "reject", "alice", reason="other: bench")
        times.append(time.perf_counter() - started)
    services.ctx.uow.engine.dispose()
    return times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _proofs(home: Path, m: int) -> dict[str, float]:
    services, _ = _desk(home, 1, True)
    with services.ctx.uow.write() as conn:  # a log of m events, appended in large batches
        for start in range(0, m, 10_000):
            audit.append(conn, [audit.EventDraft(None, "bench", "system", NOW, reason=str(i))
                                for i in range(start, min(m, start + 10_000))])
    services.admin.checkpoint()
    services.admin.checkpoint()
    events = services.queries.verify_audit().verdict.events
    started = time.perf_counter()
    proof = services.queries.prove(events // 2, position=2)
    prove_s = time.perf_counter() - started
    started = time.perf_counter()
    consistent = services.queries.consistency(1, 2)
    consistency_s = time.perf_counter() - started
    started = time.perf_counter()
    verdict = services.queries.verify_audit().verdict
    verify_s = time.perf_counter() - started
    assert proof["verified"] and consistent["verified"] and verdict.ok
    return {"prove": prove_s, "consistency": consistency_s, "verify": verify_s, "events": events,
            "path": len(proof["path"])}


def run(decisions: int = 200, events: int = 100_000) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "on").mkdir()
        (root / "off").mkdir()
        on = _decisions(root / "on", decisions, True)
        off = _decisions(root / "off", decisions, False)
        (root / "log").mkdir()
        proofs = _proofs(root / "log", events)
    on_p50, off_p50 = statistics.median(on) * 1000, statistics.median(off) * 1000
    return [
        {"name": f"a decision anchored by its own signed checkpoint (p50 of {decisions} rejections)",
         "figure": round(on_p50, 2), "unit": "ms", "reference": round(off_p50, 2),
         "reference_name": "the same rejection, not anchored", "ratio": round(on_p50 / off_p50, 2),
         "p95_ms": round(_p95(on) * 1000, 2), "unanchored_p95_ms": round(_p95(off) * 1000, 2),
         "targets": "report only: a checkpoint is an Ed25519 signature and one appended line"},
        {"name": f"inclusion proof of one event in a log of {proofs['events']:,}", "figure": round(proofs["prove"], 3),
         "unit": "s", "reference": round(proofs["verify"], 3), "reference_name": "audit verify over the same log",
         "ratio": round(proofs["prove"] / proofs["verify"], 3), "proof_hashes": proofs["path"],
         "consistency_seconds": round(proofs["consistency"], 3),
         "targets": f"log2(n) = {proofs['path']} hashes to check; reading the leaves dominates"},
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.anchor")
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--events", type=int, default=100_000)
    parsed = parser.parse_args()
    for result in run(parsed.decisions, parsed.events):
        print(json.dumps(result))
