"""The intake flow: every file in the drop folder (LEDESK_HOME/inbox) through intake, each moved to
processed/ or refused/ with its outcome beside it. An emergency goes into the emergency flow in this same
run, straight after its file is committed, before the next file is read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prefect import flow, tags

from ledesk.bootstrap import runtime
from ledesk.flows.emergency import emergency
from ledesk.flows.publish import publish
from ledesk.intake.mailbox import MailboxConfig
from ledesk.services.intake import opened_emergency


def take_arrivals(now: str | None = None) -> list[dict[str, Any]]:
    """Take what arrived, no Prefect involved: the official mailbox when one is configured (LEDESK_IMAP_URL),
    else the drop folder of one machine. Each message commits on its own and an emergency's page leaves
    right after its commit (the intake service sends it), before the next message is read. `ledesk serve`'s
    watchers call this straight from the IMAP IDLE notification or the folder watch, then hand the outcomes
    to the intake flow, which records them rather than gating them."""
    rt = runtime(now)
    mailbox = MailboxConfig.from_env()
    desk = rt.services.intake
    source: Iterator[Mapping[str, Any]] = desk.take_mailbox(mailbox) if mailbox else desk.take_inbox()
    return [dict(taken) for taken in source]


@flow(name="intake", log_prints=True)
async def intake(now: str | None = None, taken: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Take what arrived (or record `taken`, what a watcher already took and paged) and follow each
    emergency in the emergency flow, which delivers any page still queued and shows the case in the UI."""
    outcomes: list[dict[str, Any]] = []
    emergencies: list[dict[str, Any]] = []
    mailbox = MailboxConfig.from_env()
    for outcome in (taken if taken is not None else take_arrivals(now)):
        outcomes.append(outcome)
        case_id = opened_emergency(outcome)
        if case_id is not None:
            with tags(f"case:{case_id}", "emergency"):
                followed = await emergency(case_id, now)
            # The page left with the intake's commit; the emergency run delivers only what is still queued.
            followed["paged"] += int((outcome.get("page") or {}).get("sent", 0))
            emergencies.append(followed)
    if outcomes:
        await publish(now)
    summary: dict[str, Any] = {
        "files": len(outcomes),
        "opened": [o["case_id"] for o in outcomes if o.get("status") == "opened"],
        "linked": [o["case_id"] for o in outcomes if o.get("status") == "linked"],
        "duplicates": [o["case_id"] for o in outcomes if o.get("status") == "duplicate"],
        "not_reviewed": [o["file"] for o in outcomes if o.get("status") == "not_reviewed"],
        "refused": [o["file"] for o in outcomes if "error" in o],
        "source": mailbox.safe_url if mailbox else "drop folder",
        "emergencies": emergencies,
    }
    if outcomes:
        print(f"{len(outcomes)} files: " + ", ".join(f"{k} {len(v)}" for k, v in summary.items() if k != "files"))
    return summary
