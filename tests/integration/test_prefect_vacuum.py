"""Prefect's own database does not grow without end: the server `ledesk serve` starts vacuums finished flow
runs older than the policy's retention (`[web] prefect_flow_run_retention_days`) and keeps younger ones."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ledesk.policy.load import current_policy
from ledesk.serve import free_port, start_prefect_server, stop
from tests.servers import prefect_post as post


def test_the_served_prefect_server_vacuums_runs_older_than_the_policys_retention(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDESK_HOME", str(tmp_path))
    # Prefect's vacuum runs hourly; the test asks for every second, with the retention serve passes.
    monkeypatch.setenv("PREFECT_SERVER_SERVICES_DB_VACUUM_LOOP_SECONDS", "1")
    days = current_policy().web.prefect_flow_run_retention_days
    server, api = start_prefect_server("127.0.0.1", free_port(), retention_days=days)
    try:
        flow = post(f"{api}/flows/", {"name": "ledesk-vacuum-check"})
        for name in ("past-retention", "within-retention"):
            post(f"{api}/flow_runs/", {"flow_id": flow["id"], "name": name, "state": {"type": "COMPLETED"}})
        # The API cannot back-date a run, so the test ages the two runs in Prefect's own database.
        db = sqlite3.connect(tmp_path / "prefect" / "prefect.db", timeout=30)
        for name, age in (("past-retention", days + 1), ("within-retention", days - 1)):
            ended = (datetime.now(UTC) - timedelta(days=age)).strftime("%Y-%m-%d %H:%M:%S.%f")
            db.execute("update flow_run set end_time = ? where name = ?", (ended, name))
        db.commit()
        db.close()
        names: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            names = sorted(r["name"] for r in post(f"{api}/flow_runs/filter", {}))
            if names == ["within-retention"]:
                break
            time.sleep(0.5)
        assert names == ["within-retention"]
    finally:
        stop(server)
