"""What the data source holds for a case's targets, as the case page shows it before a decision: one target
with LOGS access-log records in the period asked for, counted by the data source (SQL count), next to the
naive way measured in the same run: reading every record and counting the list. The page pays this on
every request, so the figure is per call.

`python -m bench.holdings [LOGS]`"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOGS = 20_000
CALLS = 50


def _per_call(work: Any) -> float:
    work()  # warm
    started = time.perf_counter()
    for _ in range(CALLS):
        work()
    return (time.perf_counter() - started) / CALLS * 1000


def run(logs: int = LOGS) -> dict[str, Any]:
    from bench.sweep import seed

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({"LEDESK_HOME": tmp, "LEDESK_MASTER_KEY": "q" * 43 + "="})
        from ledesk.bootstrap import Runtime

        db = Path(tmp) / "ledesk.db"
        seed(db, 10)
        rt = Runtime(f"sqlite:///{db}")
        start = datetime(2026, 9, 1, tzinfo=UTC).timestamp()
        rt.services.admin.load_accounts([{"account_id": "acct-bench", "phone": "010-1234-5678", "access_logs": [
            {"at": datetime.fromtimestamp(start + n * 300, UTC).isoformat(), "ip": "203.0.113.7"}
            for n in range(logs)]}])
        case_id, source = "LE-B000000001", rt.services.ctx.vault.source
        found = rt.services.queries.before_deciding(case_id)["holdings"][0]["categories"][0]["records"]
        assert found == logs, found
        counted = _per_call(lambda: rt.services.queries.before_deciding(case_id))
        period = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        naive = _per_call(lambda: len(source.read("acct-bench", "ip_logs", *period)))
        rt.engine.dispose()
    return {"name": f"case page's holdings, one target with {logs:,} log records (SQLite)",
            "figure": round(counted, 2), "unit": "ms per page", "reference": round(naive, 2),
            "reference_name": "reading the target's records and counting them (the data source read alone)",
            "ratio": round(naive / counted, 1)}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else LOGS)))
