"""Purge expired preservations, daily and on demand: crypto-shred every hold whose case expired or was
released, write its destruction record and certificate, and queue the release letters; and delete the
provision-ledger entries whose retention (7 years PCSA, 1 year TBA) is over."""

from __future__ import annotations

from typing import Any

from prefect import flow

from ledesk.bootstrap import runtime
from ledesk.flows.publish import publish


@flow(name="purge-expired-preservations", log_prints=True)
async def purge_expired_preservations(now: str | None = None) -> dict[str, Any]:
    doc = runtime(now).services.cases.purge().as_json()
    await publish(now)
    purged = doc["purged"]
    if purged:
        print(f"purged {len(purged)} holds: " + ", ".join(f"{p['case_id']}/{p['hold_id']}" for p in purged))
    if doc["ledger_purged"]:
        gone = ", ".join(f"{name} {count}" for name, count in doc["ledger_purged"].items())
        print(f"ledger entries past retention deleted: {gone}")
    return doc
