"""Cases in the Prefect UI: every audit event of a case becomes a Prefect event, and every case that changed
gets a fresh `case-<id>` markdown artifact. Both are read from the audit log through cursors, so a
transition made anywhere (the CLI, the API, a sweep on another machine) reaches the UI on the next flow run.

What goes to Prefect is deliberately thin: states, actions, actors and deadlines, never the targets or a
reason's text. Anyone who reaches the Prefect UI sees it, and its events are kept only 7 days; the record
that counts stays in LE Desk's own audit log."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import task
from prefect.artifacts import acreate_image_artifact, acreate_markdown_artifact, acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.events import Event

from ledesk.bootstrap import Runtime, runtime
from ledesk.models.views import CaseView
from ledesk.services.mirror import FeedEvent

EVENTS_CURSOR = "prefect-events"
ARTIFACTS_CURSOR = "prefect-artifacts"
# A burst (a mass expiry) is mirrored over several runs rather than making one run's cost grow with it.
EVENTS_PER_RUN = 2000
ARTIFACTS_PER_RUN = 50
_NAMESPACE = uuid.UUID("6f1d2c8e-7a43-4f2b-9c1e-5b8a0d3e4f71")


def resource_id(case_id: str) -> str:
    return f"ledesk.case.{case_id}"


def case_of(resource: str) -> str:
    """The case id in a resource id (what an automation passes back)."""
    return resource.removeprefix("ledesk.case.")


def event_name(action: str) -> str:
    return "ledesk.case." + action.replace(":", ".")


def artifact_key(case_id: str) -> str:
    return f"case-{case_id.lower()}"


ACKNOWLEDGED = "ledesk.case.acknowledged"


def event_retention() -> timedelta:
    """How far back Prefect keeps events (PREFECT_EVENTS_RETENTION_PERIOD, 7 days by default)."""
    from prefect.settings import get_current_settings

    period: timedelta = get_current_settings().server.events.retention_period
    return period


def occurred_at(at: datetime, wall: datetime, retention: timedelta) -> tuple[datetime, bool]:
    """When the event says it happened: the moment the case changed (the audit time) whenever Prefect keeps
    events that old; else (a simulated clock, months away) the moment it is published, flagged as such."""
    if wall - retention < at <= wall + timedelta(minutes=5):
        return at, False
    return wall, True


def case_events(e: FeedEvent, wall: datetime, retention: timedelta) -> list[Event]:
    """The Prefect events one audit event becomes: the action, and the first acknowledgement of a case."""
    occurred, simulated = occurred_at(e.at, wall, retention)
    # A simulated time says so where the Prefect UI shows it, the resource's name, not only in the payload.
    name = f"{e.case_id} (simulated time {e.at:%Y-%m-%d %H:%M} UTC)" if simulated else e.case_id
    resource = {"prefect.resource.id": resource_id(e.case_id), "prefect.resource.name": name,
                "ledesk.state": e.state, "ledesk.kind": e.kind, "ledesk.regime": e.regime}
    payload = {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "source": e.source, "dest": e.dest,
               "simulated_time": simulated}
    related = [{"prefect.resource.id": f"ledesk.actor.{e.actor}", "prefect.resource.role": "actor",
                "prefect.resource.name": e.actor}]
    if e.made_in and e.made_in.get("flow_run_id"):
        # The run that made the change, named as Prefect names its own runs so the UI links to it.
        related.append({"prefect.resource.id": f"prefect.flow-run.{e.made_in['flow_run_id']}",
                        "prefect.resource.role": "flow-run",
                        "prefect.resource.name": e.made_in.get("flow_run_name") or e.made_in["flow_run_id"]})
    # The same audit event always has the same id, and Prefect ignores an id it has seen.
    common = {"resource": resource, "occurred": occurred, "payload": payload, "related": related}
    out = [Event.model_validate({"event": event_name(e.action), **common,
                                 "id": uuid.uuid5(_NAMESPACE, f"{e.seq}:{e.hash}")})]
    if e.by_person:
        # What the missed-acknowledgement automation waits for: a person first touched the case. One per
        # case, whatever else that action wrote to the log (an emergency_disclose writes several events).
        out.append(Event.model_validate({"event": ACKNOWLEDGED, **common,
                                         "id": uuid.uuid5(_NAMESPACE, f"{e.case_id}:acknowledged")}))
    return out


async def send_events(batch: list[Event]) -> None:
    """Post the events and wait for Prefect to take them, so the cursor moves only past events Prefect
    has. Posting, rather than `emit_event` inside a run, also keeps Prefect from naming the publishing
    run as related to a change some other run, or a person at the CLI, made."""
    if not batch:
        return
    async with get_client() as client:
        for start in range(0, len(batch), 200):
            response = await client.request(
                "POST", "/events", json=[ev.model_dump(mode="json") for ev in batch[start:start + 200]])
            response.raise_for_status()


def _when(value: str | None, rt: Runtime) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(rt.calendar.zone).strftime("%Y-%m-%d %H:%M")


def case_markdown(doc: Mapping[str, Any], rt: Runtime) -> str:
    pending = [t for t in doc["timers"] if t["status"] == "pending"]
    lines = [
        f"# {doc['case_id']}: {doc['state']}",
        "",
        f"**Kind** {doc['kind']} · **Regime** {doc['regime']} · **Authority** {doc['authority']['domain']} "
        f"({doc['authority']['country']}) · **Received** {_when(doc['received_at'], rt)}",
        "",
        f"**Notice to the user**: {doc['notice']['status']}"
        + (f" ({doc['notice']['reason']})" if doc["notice"]["reason"] else ""),
        "",
        "## Deadlines (" + rt.calendar.zone.key + ")",
        "",
        "| timer | due |",
        "|---|---|",
        *[f"| {t['kind']} | {_when(t['due_at'], rt)} |" for t in pending],
        *(["| (none pending) | |"] if not pending else []),
        "",
        "## Holds",
        "",
        *[f"- {h['hold_id']}: {h['status']}, expires {_when(h['expires_at'], rt)}" for h in doc["holds"]],
        *(["- none"] if not doc["holds"] else []),
        "",
        "## Timeline",
        "",
        "| when | action | by | state |",
        "|---|---|---|---|",
        *[f"| {_when(h['at'], rt)} | {h['trigger']} | {h['actor']} | {h['dest'] or ''} |" for h in doc["history"]],
        "",
        f"Allowed next: {', '.join(doc['allowed_triggers']) or 'nothing (closed)'}. "
        "Act in LE Desk (`ledesk advance`), not here: this page is a mirror.",
    ]
    return "\n".join(lines)


async def publish_events(rt: Runtime, limit: int = EVENTS_PER_RUN) -> int:
    mirror = rt.services.mirror
    after = mirror.claim(EVENTS_CURSOR)
    batch, upto = mirror.read(after, limit)
    wall, retention = datetime.now(UTC), event_retention()
    await send_events([ev for e in batch for ev in case_events(e, wall, retention)])
    mirror.advance(EVENTS_CURSOR, after, upto)
    return len(batch)


async def publish_artifacts(rt: Runtime, limit: int = ARTIFACTS_PER_RUN) -> list[str]:
    mirror = rt.services.mirror
    after = mirror.claim(ARTIFACTS_CURSOR)
    batch, upto = mirror.read(after, EVENTS_PER_RUN)
    chosen: list[str] = []
    for e in batch:
        if e.case_id in chosen:
            continue
        if len(chosen) == limit:  # the rest of the burst is for the next run, from this event on
            upto = e.seq - 1
            break
        chosen.append(e.case_id)
    docs = [rt.services.queries.show(cid) for cid in chosen]
    gate = asyncio.Semaphore(8)

    async def one(doc: CaseView) -> None:
        async with gate:
            await acreate_markdown_artifact(markdown=case_markdown(doc, rt), key=artifact_key(doc["case_id"]),
                                            description=f"LE Desk case {doc['case_id']}: {doc['state']}")

    await asyncio.gather(*(one(doc) for doc in docs))
    mirror.advance(ARTIFACTS_CURSOR, after, upto)
    return chosen


@task(name="publish-to-prefect", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
async def publish(now: str | None = None) -> dict[str, int]:
    """Hand new audit events and changed cases to Prefect (a mirror; failures are retried next run)."""
    rt = runtime(now)
    events = await publish_events(rt)
    cases = await publish_artifacts(rt)
    return {"events": events, "case_artifacts": len(cases)}


async def kept_in_place(key: str, data: str, description: str, create: Callable[[], Awaitable[Any]]) -> None:
    """An operators' artifact is one artifact rewritten in place by every sweep, not a new version a minute
    (581 versions a day grew Prefect's database by 0.45 MB a minute): the latest version of `key` is
    updated, and only the first run creates it."""
    from prefect.client.schemas.actions import ArtifactUpdate
    from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

    async with get_client() as client:
        latest = await client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key])), limit=1)
        if latest:
            await client.update_artifact(latest[0].latest_id, ArtifactUpdate(data=data, description=description))
            return
    await create()


@task(name="publish-open-cases", cache_policy=NO_CACHE)
async def publish_open_cases(now: str | None = None, limit: int = 200) -> int:
    """The operators' table: open cases, nearest deadline first."""
    rt = runtime(now)
    rows = rt.services.queries.cases(limit=limit, open_only=True)
    table = [{"case": r["case_id"], "state": r["state"], "kind": r["kind"], "regime": r["regime"],
              "next deadline": _when(r["next_deadline"], rt), "received": _when(r["received_at"], rt)}
             for r in rows]
    table = table or [{"case": "(no open cases)"}]
    about = "Open LE Desk cases, nearest deadline first"
    await kept_in_place("open-cases", json.dumps(table), about,
                        lambda: acreate_table_artifact(table=table, key="open-cases", description=about))
    return len(rows)


@task(name="publish-operators-picture", cache_policy=NO_CACHE)
async def publish_picture(now: str | None = None) -> dict[str, Any]:
    """`ledesk stats` as a table artifact (`operators-picture`), refreshed by every sweep."""
    rt = runtime(now)
    doc = rt.services.reports.picture()
    ack = doc["emergency_acknowledgement"]
    rows = [{"figure": f"open: {state}", "value": n} for state, n in sorted(doc["open_by_state"].items())]
    rows += [{"figure": "deadlines in the next 24 hours", "value": doc["due_next_24h"]},
             {"figure": "deadlines in the next 7 days", "value": doc["due_next_7d"]},
             {"figure": "overdue timers", "value": doc["overdue_count"]},
             {"figure": "failed timers", "value": doc["failed_timers"]},
             *[{"figure": f"median hours to decision: {k}", "value": v}
               for k, v in doc["median_hours_to_decision"].items()],
             {"figure": "emergency acknowledgement, median minutes", "value": ack["median_minutes"]},
             {"figure": "emergencies open and unacknowledged", "value": ack["open_unacknowledged"]}]
    about = "Open cases, deadlines, overdue items, decision and acknowledgement times"
    await kept_in_place("operators-picture", json.dumps(rows), about,
                        lambda: acreate_table_artifact(table=rows, key="operators-picture", description=about))
    # The chart travels inside the artifact as a data URL: a link to the web UI would need a signed-in
    # reviewer's session, which the Prefect UI does not have, and showed a broken image.
    import base64

    from ledesk.reports.chart import operators_picture

    png = base64.b64encode(operators_picture(doc, _when(doc["at"], rt) + " " + rt.calendar.zone.key)).decode()
    image = f"data:image/png;base64,{png}"
    drawn = "The operators' picture as a chart (the same as `ledesk stats --png`)"
    await kept_in_place("operators-picture-chart", image, drawn,
                        lambda: acreate_image_artifact(image_url=image, key="operators-picture-chart",
                                                       description=drawn))
    return doc
