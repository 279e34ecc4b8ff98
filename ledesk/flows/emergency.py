"""The emergency fast path: runs inside the intake run that opened the case, so nothing waits for a worker
to poll. The page to on-call was committed with the case (with its acknowledgement, triage and decision
timers); this run hands it to the mail server at once and puts the case in the Prefect UI."""

from __future__ import annotations

from typing import Any

from prefect import flow

from ledesk.bootstrap import runtime
from ledesk.flows.publish import publish
from ledesk.models.enums import OutboxChannel


@flow(name="emergency", flow_run_name="emergency-{case_id}", log_prints=True)
async def emergency(case_id: str, now: str | None = None) -> dict[str, Any]:
    rt = runtime(now)
    sent = rt.services.outbox.deliver(cases=[case_id], channels=[OutboxChannel.PAGE])
    # after the page has left: this read is not on the fast path
    watch = [{"timer": t["kind"], "due_at": t["due_at"]}
             for t in rt.services.queries.show(case_id)["timers"] if t["status"] == "pending"]
    if sent.retrying or sent.failed:  # the dispatch flow keeps retrying; the operator should know now
        print(f"page for {case_id} not delivered yet: retrying {sent.retrying}, failed {sent.failed}")
    await publish(now)
    return {"case_id": case_id, "paged": len(sent.sent), "retrying": len(sent.retrying), "timers": watch}
