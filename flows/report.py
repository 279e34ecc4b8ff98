"""The monthly report run: on the 1st, counts of the previous month's requests by kind, regime and where
each stands, as a table artifact (`transparency-YYYY-MM`). The full transparency and statutory reports
come from the reporting work; this run is where they will be scheduled."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from prefect import flow
from prefect.artifacts import acreate_table_artifact

from flows.runtime import runtime
from states.queries import received_counts


@flow(name="transparency-report", log_prints=True)
async def transparency_report(month: str | None = None, now: str | None = None) -> dict[str, Any]:
    """`month` is YYYY-MM; by default the month before the clock's."""
    rt = runtime(now)
    today = rt.calendar.local_date(rt.clock.now())
    if month:
        first = date.fromisoformat(f"{month}-01")
    else:
        first = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    zone = rt.calendar.zone
    start, end = datetime.combine(first, time(), zone), datetime.combine(following, time(), zone)
    with rt.reader.connect() as conn:
        rows = received_counts(conn, start, end)
    await acreate_table_artifact(table=rows or [{"kind": "(no requests)", "cases": 0}],
                                 key=f"transparency-{first:%Y-%m}",
                                 description=f"Requests received in {first:%Y-%m} by kind, regime and state")
    total = sum(r["cases"] for r in rows)
    print(f"{first:%Y-%m}: {total} requests")
    return {"month": f"{first:%Y-%m}", "requests": total, "rows": rows}
