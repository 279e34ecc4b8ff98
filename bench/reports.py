"""The transparency report over a year of requests on SQLite: `reports.transparency.report` (every case's
facts, targets, notice, production and holds read, then pivoted), next to the floor: one GROUP BY that
counts the same cases and targets by kind, country and state in SQL, with no per-case facts at all. Also
the .docx with its chart, and the statutory half-year report from a ledger of the same size."""

from __future__ import annotations

import json
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.models.tables import authorities, cases, holds, ledger, notices, productions, targets

SAMPLES = Path(__file__).resolve().parents[1] / "ledesk" / "samples"
YEAR = datetime(2026, 12, 31, 15, tzinfo=UTC)  # 1 January 2027, 00:00 in Seoul
KINDS = (("warrant", "legal_process", "KR_WARRANT"), ("court_permission", "legal_process", "KR_PCSA13"),
         ("emergency", "emergency", "EMERGENCY"), ("preservation", "preservation", "POLICY_PRESERVATION"),
         ("foreign_direct", "legal_process", "FOREIGN_DIRECT"))
STATES = ("received", "disclosed", "disclosed", "rejected", "expired", "preserved")


def seed(engine: Any, n: int) -> None:
    rng = random.Random(8)
    subs = {name: json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8")) for name, _, _ in KINDS}
    with engine.begin() as conn:
        for domain, country in (("police.go.kr", "KR"), ("fbi.gov", "US")):
            conn.execute(insert(authorities).values(domain=domain, name=domain, country=country, type="police",
                                                    created_at=YEAR))
        for start in range(0, n, 10_000):
            rows, target_rows, notice_rows, production_rows, hold_rows, ledger_rows = [], [], [], [], [], []
            for i in range(start, min(n, start + 10_000)):
                name, kind, regime = KINDS[i % len(KINDS)]
                state = rng.choice(STATES)
                cid = f"LE-R{i:09d}"
                at = YEAR + timedelta(minutes=rng.randrange(365 * 24 * 60))
                country = "US" if name == "foreign_direct" else "KR"
                rows.append({"case_id": cid, "kind": kind, "regime": regime, "state": state, "version": 2,
                             "authority_domain": "fbi.gov" if country == "US" else "police.go.kr",
                             "country": country, "reference": cid, "sender_email": "x@police.go.kr",
                             "dedupe_key": cid, "submission": subs[name], "deficiencies": [],
                             "policy_version": "bench", "received_at": at, "updated_at": at,
                             "reject_reason": "other" if state == "rejected" else None,
                             "callback_failed": False, "extensions_used": 0})
                outcome = rng.choice(("produce", "no_data")) if state == "disclosed" else "pending"
                target_rows.append({"case_id": cid, "type": "email", "value": f"u{i}@example.com",
                                    "raw_value": f"u{i}@example.com", "outcome": outcome})
                notice_rows.append({"case_id": cid, "status": "sent" if state == "disclosed" else "undecided",
                                    "reason": "", "nondisclosure_indefinite": False})
                if state == "disclosed":
                    production_rows.append({"production_id": f"P-{cid}", "case_id": cid, "source": "datasource",
                                            "created_at": at, "categories": ["subscriber_info"], "size_bytes": 500})
                    if regime == "KR_PCSA13":
                        ledger_rows.append({"ledger": "pcsa", "case_id": cid, "provided_at": at,
                                            "provided_on": at.date().isoformat(), "authority_name": "KNPA",
                                            "authority_type": "police", "reference": cid, "document_reference": "",
                                            "categories": ["ip_logs"], "accounts_requested": 1,
                                            "accounts_provided": int(outcome == "produce"),
                                            "purge_on": "2034-01-01"})
                if state == "preserved":
                    hold_rows.append({"hold_id": f"H-{cid}", "case_id": cid, "status": "active",
                                      "categories": ["ip_logs"], "created_at": at})
            for table, batch in ((cases, rows), (targets, target_rows), (notices, notice_rows),
                                 (productions, production_rows), (holds, hold_rows), (ledger, ledger_rows)):
                if batch:
                    conn.execute(insert(table), batch)


def run(n: int = 100_000) -> dict[str, Any]:
    from datetime import date

    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy
    from ledesk.reports import chart, render, statutory, transparency

    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'ledesk.db'}")
        upgrade(engine)
        seed(engine, n)
        first, last = date(2027, 1, 1), date(2027, 12, 31)
        with engine.connect() as conn:
            started = time.perf_counter()
            floor_rows = conn.execute(select(cases.c.kind, cases.c.country, cases.c.state, func.count(),
                                             func.count(targets.c.id))
                                      .join(targets, targets.c.case_id == cases.c.case_id)
                                      .where(cases.c.received_at >= cal.start_of(first),
                                             cases.c.received_at < cal.end_of(last))
                                      .group_by(cases.c.kind, cases.c.country, cases.c.state)).all()
            floor_s = time.perf_counter() - started
            started = time.perf_counter()
            facts, unreviewed = transparency.collect(conn, first, last, cal)
            rows = transparency.figures(facts, unreviewed, first, last)["rows"]
            report_s = time.perf_counter() - started
            tracemalloc.start()  # a second pass for memory: tracing slows the first one several times over
            transparency.report(conn, first, last, cal)
            peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            started = time.perf_counter()
            png = chart.requests_per_month(transparency.monthly(facts), "bench")
            render.docx_bytes(rows, "bench", png)
            docx_s = time.perf_counter() - started
            started = time.perf_counter()
            doc = statutory.report(conn, "pcsa", "2027-H1", policy, cal, datetime(2027, 7, 2, tzinfo=UTC))
            statutory_s = time.perf_counter() - started
        engine.dispose()
    assert sum(r["requests"] for r in rows if r["measure"] == "received") == n
    assert sum(int(r[3]) for r in floor_rows) == n
    return {
        "name": f"transparency report, {n:,} requests in a year (SQLite)",
        "figure": round(report_s, 2), "unit": "s", "reference": round(floor_s, 2),
        "reference_name": "one GROUP BY count of the same cases and targets", "ratio": round(report_s / floor_s, 1),
        "peak_python_mb": round(peak_mb, 1), "docx_with_chart_seconds": round(docx_s, 2),
        "statutory_half_year_seconds": round(statutory_s, 3), "statutory_requests": doc["totals"]["requests"],
        "targets": "a year of 100,000 requests reported in under 10 s",
    }


if __name__ == "__main__":
    import sys

    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
