"""Outbox dispatch: deliver pending messages by SMTP (LEDESK_SMTP_URL) or as .eml files. The outbox keeps
each message's attempts and backoff, so a failed send is retried by the next run, never lost or doubled."""

from __future__ import annotations

from typing import Any

from prefect import flow

from ledesk.bootstrap import runtime


@flow(name="dispatch-outbox", log_prints=True)
async def dispatch_outbox(now: str | None = None, limit: int = 500) -> dict[str, Any]:
    rt = runtime(now)
    result = rt.services.outbox.deliver(limit)
    summary = {"sent": len(result.sent), "retrying": len(result.retrying), "failed": len(result.failed),
               "held": len(result.held), "recovered": len(result.recovered)}
    if any(summary.values()):
        print(", ".join(f"{k}: {v}" for k, v in summary.items()))
    return summary
