"""Purge expired preservations, daily and on demand: crypto-shred every hold whose case expired or was
released, write its destruction record and certificate, and queue the release letters."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.publish import publish
from flows.runtime import runtime
from vault.purge import purge


@flow(name="purge-expired-preservations", log_prints=True)
async def purge_expired_preservations(now: str | None = None) -> dict[str, Any]:
    rt = runtime(now)
    purged = purge(rt.engine, rt.clock.now(), rt.policy.provider_name)
    await publish(now)
    if purged:
        print(f"purged {len(purged)} holds: " + ", ".join(f"{p['case_id']}/{p['hold_id']}" for p in purged))
    return {"purged": purged}
