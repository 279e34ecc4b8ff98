"""The second line behind the database timer: a Prefect automation that sees no acknowledgement of an
emergency within its window runs this. It fires the case's acknowledgement timer early through the domain,
which pages the escalation contact only if the case is still unacknowledged and the timer has not already
done it, so the two lines never page twice."""

from __future__ import annotations

from typing import Any

from prefect import flow

from ledesk.bootstrap import runtime
from ledesk.flows.publish import case_of, publish
from ledesk.models.enums import OutboxChannel


@flow(name="escalate-unacknowledged-emergency", flow_run_name="escalate-{case}", log_prints=True)
async def escalate_unacknowledged(case: str, now: str | None = None) -> dict[str, Any]:
    rt = runtime(now)
    case_id = case_of(case)
    result = rt.services.cases.escalate_unacknowledged(case_id)
    paged = result.fired and result.fired[0].get("action") == "escalation"
    sent = rt.services.outbox.deliver(cases=[case_id], channels=[OutboxChannel.PAGE]).sent if paged else []
    await publish(now)
    print(f"{case_id}: " + ("escalation paged" if paged else "no escalation needed (acknowledged or already paged)"))
    return {"case_id": case_id, "escalated": bool(paged), "sent": len(sent)}
