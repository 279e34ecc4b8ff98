"""The flows on a real Prefect server: the drop folder through intake, the emergency page delivered to a
real SMTP server inside the intake run, the sweep, purge and escalation, and what the Prefect UI shows
(events, case artifacts, the open-case table, runs named and tagged by case)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prefect.events.filters import EventFilter, EventOccurredFilter, EventResourceFilter
from sqlalchemy import Engine

from ledesk.flows.publish import artifact_key, resource_id
from tests.factories import sample, seoul
from tests.integration.conftest import World
from tests.integration.test_delivery import Inbox, smtp_server  # noqa: F401  (fixture)
from tests.servers import prefect_post

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def desk_env(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             smtp_server: tuple[Inbox, int]) -> Iterator[dict[str, Any]]:  # noqa: F811
    inbox, port = smtp_server
    monkeypatch.setenv("LEDESK_DATABASE_URL", db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LEDESK_HOME", str(tmp_path))
    monkeypatch.setenv("LEDESK_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("LEDESK_MASTER_KEY", "q" * 43 + "=")
    yield {"home": tmp_path, "smtp": inbox}


def drop(home: Path, name: str, payload: dict[str, Any] | bytes) -> None:
    inbox = home / "inbox"
    inbox.mkdir(exist_ok=True)
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    (inbox / name).write_bytes(data)


def at(instant: Any) -> str:
    return instant.isoformat()


def case_events(prefect_api: str, case_id: str, want: str, timeout: float = 20) -> list[dict[str, Any]]:
    """The events Prefect holds for a case, polled until one named `want` arrives (Prefect stores the
    events it was given a moment later)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = datetime.now(UTC)
        found = prefect_post(f"{prefect_api}/events/filter", {"filter": EventFilter(
            resource=EventResourceFilter(id=[resource_id(case_id)]),
            # The world's clock is fixed on 1 December 2026: its events are that old, or re-timed to now once
            # they are older than Prefect keeps (flows.publish.occurred_at), however far the real date moves.
            occurred=EventOccurredFilter(since=now - timedelta(days=30), until=now + timedelta(days=1)),
        ).model_dump(mode="json"), "limit": 50})["events"]
        if any(e["event"] == want for e in found):
            return found
        time.sleep(0.5)
    return found


def events_of(prefect_api: str, case_id: str, want: str, timeout: float = 20) -> list[str]:
    return [e["event"] for e in case_events(prefect_api, case_id, want, timeout)]


def flow_runs_related(event: dict[str, Any]) -> list[str]:
    return [r["prefect.resource.id"] for r in event["related"] if r["prefect.resource.role"] == "flow-run"]


def artifact(prefect_api: str, key: str) -> dict[str, Any]:
    found = prefect_post(f"{prefect_api}/artifacts/latest/filter", {"artifacts": {"key": {"any_": [key]}}})
    assert found, f"no artifact {key}"
    return found[0]  # type: ignore[no-any-return]


def test_intake_flow_takes_the_drop_folder_and_pages_on_call_in_the_same_run(
        world: World, desk_env: dict[str, Any], prefect_api: str) -> None:
    from ledesk.flows.intake import intake

    home, smtp = desk_env["home"], desk_env["smtp"]
    drop(home, "a-emergency.json", sample("emergency"))
    drop(home, "b-warrant.json", sample("warrant"))
    drop(home, "c-stranger.json", sample("warrant", sender={"email": "someone@gmail.com"}))
    drop(home, "d-notes.txt", b"not a request")
    (home / "inbox" / ".e-half-written.json").write_bytes(b"{")  # a writer's temporary file is left alone
    summary = asyncio.run(intake(now=at(seoul(2026, 12, 5, 2, 10))))

    assert summary["files"] == 4 and len(summary["opened"]) == 2
    assert summary["not_reviewed"] == ["c-stranger.json"] and summary["refused"] == ["d-notes.txt"]
    assert sorted(p.name for p in (home / "processed").iterdir() if not p.name.endswith(".result.json")) == \
        ["a-emergency.json", "b-warrant.json", "c-stranger.json"]
    assert "not a .json" in (home / "refused" / "d-notes.txt.result.json").read_text()
    assert [p.name for p in (home / "inbox").iterdir()] == [".e-half-written.json"]

    [em] = summary["emergencies"]
    assert em["paged"] == 1
    pages = [m for m in smtp.messages if m["X-LEDesk-Kind"] == "emergency_page"]
    assert [(m["To"], m["X-LEDesk-Case"]) for m in pages] == [(world.policy.oncall_address, em["case_id"])]
    assert {t["timer"] for t in em["timers"]} >= {"emergency_acknowledge", "emergency_decision"}

    # The Prefect UI: the case's events, its artifact, and the emergency run named and tagged by the case.
    assert "ledesk.case.intake" in events_of(prefect_api, em["case_id"], "ledesk.case.intake")
    case_page = artifact(prefect_api, artifact_key(em["case_id"]))
    assert em["case_id"] in case_page["data"] and "emergency_acknowledge" in case_page["data"]
    assert "acct" not in case_page["data"]  # targets stay in LE Desk
    runs = prefect_post(f"{prefect_api}/flow_runs/filter", {
        "flow_runs": {"tags": {"all_": [f"case:{em['case_id']}"]}}})
    assert [r["name"] for r in runs] == [f"emergency-{em['case_id']}"]


def test_sweep_flow_fires_due_timers_and_mirrors_them(world: World, desk_env: dict[str, Any],
                                                      prefect_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledesk.flows.sweep import sweep

    case = world.intake("preservation")["case_id"]
    world.fire(case, "preserve", "alice")
    expires = world.show(case)["holds"][0]["expires_at"]
    run = asyncio.run(sweep(now=at(datetime.fromisoformat(expires) + timedelta(minutes=1)), return_state=True))
    summary = run.result()
    assert summary["fired"] >= 1 and summary["failed"] == 0
    assert world.show(case)["state"] == "expired"
    by_name = {e["event"]: e for e in case_events(prefect_api, case, "ledesk.case.expire")}
    # The expiry was made by this sweep run, and its event says so; the preservation was made by a person
    # at the desk, and the sweep run that published it is not named as its maker.
    assert flow_runs_related(by_name["ledesk.case.expire"]) == [f"prefect.flow-run.{run.state_details.flow_run_id}"]
    assert flow_runs_related(by_name["ledesk.case.preserve"]) == []
    assert any(r["prefect.resource.id"] == "ledesk.actor.alice" for r in by_name["ledesk.case.preserve"]["related"])
    assert "expired" in artifact(prefect_api, artifact_key(case))["data"]
    assert artifact(prefect_api, "open-cases")["type"] == "table"
    assert artifact(prefect_api, "operators-picture")["type"] == "table"
    chart = artifact(prefect_api, "operators-picture-chart")
    import base64

    assert chart["type"] == "image" and chart["data"].startswith("data:image/png;base64,")
    # The picture itself, not a link the Prefect UI cannot open without a reviewer's session.
    assert base64.b64decode(chart["data"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    # Nothing due: a second sweep fires nothing and hands nothing on twice.
    again = asyncio.run(sweep(now=at(datetime.fromisoformat(expires) + timedelta(minutes=2))))
    assert again["fired"] == 0 and again["events"] == 0
    # The operators' artifacts are rewritten in place by each sweep, not a new version a minute.
    for key in ("open-cases", "operators-picture", "operators-picture-chart"):
        versions = prefect_post(f"{prefect_api}/artifacts/filter", {"artifacts": {"key": {"any_": [key]}}})
        assert len(versions) == 1, (key, len(versions))


def test_escalation_flow_pages_once_and_never_behind_an_acknowledgement(
        world: World, desk_env: dict[str, Any]) -> None:
    from ledesk.flows.escalate import escalate_unacknowledged
    from ledesk.flows.sweep import sweep

    smtp = desk_env["smtp"]
    quiet = world.intake("emergency")["case_id"]
    handled = world.intake("emergency", reference="KNPA-2026-EM-0002")["case_id"]
    world.clock.advance(timedelta(minutes=5))
    world.fire(handled, "verify_callback", "olga", reason="called the duty desk back")

    now = at(world.clock.now() + timedelta(minutes=11))
    first = asyncio.run(escalate_unacknowledged(resource_id(quiet), now=now))
    assert first["escalated"] is True  # (the first on-call page, never dispatched here, leaves with it)
    assert asyncio.run(escalate_unacknowledged(resource_id(quiet), now=now))["escalated"] is False
    assert asyncio.run(escalate_unacknowledged(resource_id(handled), now=now))["escalated"] is False
    # The database timer, due now, finds the escalation already done and pages nobody again.
    asyncio.run(sweep(now=at(world.clock.now() + timedelta(minutes=16))))
    escalations = [m for m in smtp.messages if m["X-LEDesk-Kind"] == "escalation"]
    assert [(m["X-LEDesk-Case"], m["To"]) for m in escalations] == [(quiet, world.policy.escalation_addresses[0])]


def test_purge_flow_shreds_lapsed_holds(world: World, desk_env: dict[str, Any]) -> None:
    from ledesk.datasource.embedded import EmbeddedSource
    from ledesk.flows.purge import purge_expired_preservations
    from ledesk.flows.sweep import sweep

    EmbeddedSource(desk_env["home"] / "datasource.db").generate(5, world.clock.now())
    case = world.intake("preservation")["case_id"]
    world.fire(case, "preserve", "alice")
    later = seoul(2027, 6, 1)
    asyncio.run(sweep(now=at(later)))
    purged = asyncio.run(purge_expired_preservations(now=at(later)))["purged"]
    assert [p["case_id"] for p in purged] == [case]
    assert asyncio.run(purge_expired_preservations(now=at(later)))["purged"] == []


def test_report_flows_write_the_files_and_show_them_as_artifacts(world: World, desk_env: dict[str, Any],
                                                                  prefect_api: str) -> None:
    from ledesk.flows.report import statutory_reports, transparency_report

    world.intake("warrant")
    world.intake("emergency")
    monthly = asyncio.run(transparency_report(now=at(seoul(2027, 1, 1, 6))))   # December 2026
    assert monthly["month"] == "2026-12" and monthly["requests"] == 2
    assert {Path(p).suffix for p in monthly["paths"].values()} == {".csv", ".docx", ".png"}
    assert all(Path(p).is_file() for p in monthly["paths"].values())
    half = asyncio.run(statutory_reports(now=at(seoul(2027, 1, 2, 9))))
    assert half["half"] == "2026-H2"
    assert {n: r["due_on"] for n, r in half["reports"].items()} == {"pcsa": "2027-02-01", "tba": "2027-02-01"}
    produced = world.rows("select ledger, half from statutory_reports where produced_at is not null order by ledger")
    assert [tuple(r) for r in produced] == [("pcsa", "2026-H2"), ("tba", "2026-H2")]
    keys = {a["key"] for a in prefect_post(f"{prefect_api}/artifacts/filter", {})}
    assert {"transparency-2026-12", "transparency-report-latest", "statutory-reports-2026-h2"} <= keys


def test_case_events_carry_the_audit_time_one_acknowledgement_and_the_actor(
        world: World, desk_env: dict[str, Any], prefect_api: str) -> None:
    from ledesk.flows.publish import publish

    now = datetime.now(UTC).replace(microsecond=0)
    world.clock.set(now)  # the audit times are real: within Prefect's event retention
    case_id = world.intake("emergency")["case_id"]
    world.fire(case_id, "verify_callback", "olga", reason="called the station back")
    world.fire(case_id, "emergency_disclose", "bob")
    asyncio.run(publish(now=at(now)))
    found = case_events(prefect_api, case_id, "ledesk.case.emergency_disclose")
    by_name = {e["event"]: e for e in found}
    assert [e["event"] for e in found].count("ledesk.case.acknowledged") == 1
    disclose = by_name["ledesk.case.emergency_disclose"]
    assert datetime.fromisoformat(disclose["occurred"]) == datetime.fromisoformat(disclose["payload"]["at"])
    related = {r["prefect.resource.id"] for r in disclose["related"]}
    # The actor, and no flow run: a person made the change, whichever run handed it to Prefect.
    assert related == {"ledesk.actor.bob"}
    assert "simulated" not in disclose["resource"]["prefect.resource.name"]


def test_an_event_outside_prefects_retention_is_stamped_when_published_and_says_so() -> None:
    from ledesk.flows.publish import occurred_at

    wall = datetime(2026, 12, 1, tzinfo=UTC)
    assert occurred_at(wall - timedelta(days=6), wall, timedelta(days=7)) == (wall - timedelta(days=6), False)
    assert occurred_at(wall + timedelta(days=90), wall, timedelta(days=7)) == (wall, True)  # a simulated clock
    assert occurred_at(wall - timedelta(days=8), wall, timedelta(days=7)) == (wall, True)


def test_a_flow_on_a_database_never_initialised_says_run_ledesk_init(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ledesk.bootstrap import NotInitialised, runtime

    monkeypatch.setenv("LEDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(NotInitialised, match="run `ledesk init`"):
        runtime()
