"""The sweep flow, every minute: fire every due timer in batches (the domain claims them with FOR UPDATE
SKIP LOCKED on PostgreSQL, one writer at a time on SQLite, so two workers never fire the same timer),
deliver at once the escalation pages it queued, then mirror the changes and the open-case table to Prefect.
A sweep of 100,000 timers is still a handful of task runs: the batches loop inside one task."""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from ledesk.bootstrap import runtime
from ledesk.flows.publish import publish, publish_open_cases, publish_picture
from ledesk.models.enums import OutboxChannel


@task(name="fire-due-timers", cache_policy=NO_CACHE)
async def fire_due_timers(now: str | None, batch_size: int) -> dict[str, Any]:
    """What fired, as counts and the cases to page: a result Prefect keeps must stay small whatever the
    number of timers (the audit log and the timer rows hold the detail)."""
    started = time.perf_counter()
    report = runtime(now).services.cases.sweep(batch_size)
    return {"seconds": round(time.perf_counter() - started, 3), "fired": len(report.fired),
            "failed": report.failed[:100], "failed_count": len(report.failed),
            "escalated": sorted({f["case_id"] for f in report.fired if f.get("action") == "escalation"}),
            "retention_deleted": report.retention_deleted or 0, "checkpoint": report.checkpoint}


@task(name="deliver-escalation-pages", cache_policy=NO_CACHE)
async def deliver_pages(now: str | None, case_ids: list[str]) -> int:
    return len(runtime(now).services.outbox.deliver(cases=case_ids, channels=[OutboxChannel.PAGE]).sent)


@flow(name="sweep", log_prints=True)
async def sweep(now: str | None = None, batch_size: int = 1000) -> dict[str, Any]:
    doc = await fire_due_timers(now, batch_size)
    if doc["checkpoint"]:  # a witness copy of the signed checkpoint, outside the database and the disk
        from prefect.events import emit_event

        mark = doc["checkpoint"]
        emit_event("ledesk.audit.checkpoint", resource={"prefect.resource.id": "ledesk.audit"},
                   payload={k: mark[k] for k in ("events", "head", "at", "key", "signature")})
    paged = await deliver_pages(now, doc["escalated"]) if doc["escalated"] else 0
    mirrored = await publish(now)
    open_cases = await publish_open_cases(now)
    await publish_picture(now)
    summary = {"fired": doc["fired"], "sweep_seconds": doc["seconds"], "failed": doc["failed_count"],
               "escalations_paged": paged, "retention_deleted": doc["retention_deleted"], "open_cases": open_cases,
               **mirrored}
    if doc["failed"]:  # each failed timer is also marked failed in the database for the operators
        print(f"failed timers (first {len(doc['failed'])}): {doc['failed']}")
    if doc["fired"] or doc["failed"]:
        print(", ".join(f"{k}: {v}" for k, v in summary.items()))
    return summary
