"""Deployments, schedules and the missed-acknowledgement automation: prefect.yaml is the generated twin of
ledesk/flows/deployments.py, every entrypoint is an async flow named by its module, and on a real Prefect
server the deployments register with their schedules and the automation runs the escalation for an
emergency nobody acknowledged (and not for one somebody did)."""

from __future__ import annotations

import asyncio
import inspect
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId, FlowRunFilter
from sqlalchemy import Engine

from ledesk.flows.deployments import flow_of, prefect_yaml, runner_deployments, specs
from tests.factories import policy

ROOT = Path(__file__).resolve().parents[2]


def test_prefect_yaml_is_generated_from_the_deployment_specs() -> None:
    assert (ROOT / "prefect.yaml").read_text() == prefect_yaml(policy()), \
        "prefect.yaml is stale: run `python -m ledesk.flows.deployments > prefect.yaml`"
    doc = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    assert {d["work_pool"]["name"] for d in doc["deployments"]} == {"ledesk"}
    by_name = {d["name"]: d for d in doc["deployments"]}
    assert by_name["sweep"]["schedules"] == [{"cron": "* * * * *", "timezone": "Asia/Seoul"}]
    assert by_name["purge-daily"]["schedules"][0]["cron"] == "15 0 * * *"
    [trigger] = by_name["escalate"]["triggers"]
    assert trigger["posture"] == "Proactive" and trigger["within"] == 15 * 60


@pytest.mark.parametrize("spec", specs(policy()), ids=lambda s: s.name)
def test_every_entrypoint_is_an_async_flow(spec: Any) -> None:
    module = spec.entrypoint.partition(":")[0]
    assert module.startswith("ledesk.flows.") and (ROOT / (module.replace(".", "/") + ".py")).is_file()
    flow = flow_of(spec.entrypoint)
    assert isinstance(flow, Flow)
    assert inspect.iscoroutinefunction(flow.fn), "sync flows cost about a second each in Prefect 3.9"


def test_prefect_loads_every_entrypoint_from_the_project_folder() -> None:
    """What `prefect deploy` and a worker do: load `ledesk.flows.<module>:<flow>` from the project's folder,
    importing the installed package's module (never a second copy of the file under another name)."""
    entrypoints = [s.entrypoint for s in specs(policy())]
    code = ("import json, sys\nfrom prefect.flows import load_flow_from_entrypoint\n"
            "print(json.dumps([load_flow_from_entrypoint(e).name for e in sys.argv[1:]]))")
    done = subprocess.run([sys.executable, "-c", code, *entrypoints], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [flow_of(e).name for e in entrypoints]


async def _runs_of(deployment_id: Any, cases: set[str]) -> list[Any]:
    async with get_client() as client:
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter())
    return [r for r in runs if r.parameters.get("case") in cases]  # the server is shared by the session


async def _apply(deployments: list[Any]) -> dict[str, Any]:
    ids = {}
    for d in deployments:
        ids[d.name] = await d.apply()
    async with get_client() as client:
        for name, deployment_id in ids.items():
            found = await client.read_deployment(deployment_id)
            assert found.name == name
        automations = await client.read_automations_by_name("emergency-not-acknowledged")
    assert len(automations) == 1 and automations[0].trigger.posture == "Proactive"
    return ids


@pytest.mark.long
def test_the_automation_escalates_an_unacknowledged_emergency(
        db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_api: str) -> None:
    from ledesk.flows.publish import publish, resource_id
    from tests.integration.conftest import World

    monkeypatch.setenv("LEDESK_DATABASE_URL", db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LEDESK_HOME", str(tmp_path))
    world = World(db, tmp_path)
    deployments = runner_deployments(world.policy)
    schedules = {d.name: [s.schedule for s in d.schedules] for d in deployments}
    assert schedules["sweep"][0].cron == "* * * * *" and schedules["sweep"][0].timezone == "Asia/Seoul"
    escalate = next(d for d in deployments if d.name == "escalate")
    escalate.triggers[0].within = timedelta(seconds=10)  # the real window is 15 minutes; the rule is the same
    ids = asyncio.run(_apply(deployments))

    world.clock.set(datetime.now(UTC))  # events near the wall clock keep their own times and order
    quiet = world.intake("emergency")["case_id"]
    handled = world.intake("emergency", reference="KNPA-2026-EM-0002")["case_id"]
    world.clock.advance(timedelta(seconds=1))
    world.fire(handled, "verify_callback", "olga", reason="called the duty desk back")

    async def mirror() -> None:
        from prefect import flow

        @flow(name="mirror-for-test")
        async def run() -> None:
            await publish()

        await run()

    asyncio.run(mirror())
    mine = {resource_id(quiet), resource_id(handled)}
    deadline = time.monotonic() + 60
    runs: list[Any] = []
    while time.monotonic() < deadline:
        runs = asyncio.run(_runs_of(ids["escalate"], mine))
        if runs:
            time.sleep(8)  # give a wrong second run (for the acknowledged case) the time to appear
            runs = asyncio.run(_runs_of(ids["escalate"], mine))
            break
        time.sleep(1)
    assert [r.parameters for r in runs] == [{"case": resource_id(quiet)}]


def test_prefect_deploy_accepts_prefect_yaml_for_the_ledesk_pool(prefect_api: str, tmp_path: Path) -> None:
    """The real `prefect deploy --all`, as deployments/deploy.sh runs it, against the test server."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp_path),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}  # the venv's `prefect`
    proc = subprocess.run(["bash", "deployments/deploy.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

    async def deployed() -> dict[str, Any]:
        async with get_client() as client:
            return {d.name: d for d in await client.read_deployments() if d.work_pool_name == "ledesk"}

    found = asyncio.run(deployed())
    assert set(found) == {s.name for s in specs(policy())}
    assert found["sweep"].schedules[0].schedule.cron == "* * * * *"


def test_a_run_left_pending_when_serve_stops_is_cancelled_and_only_ours(prefect_api: str) -> None:
    """Ctrl-C between the runner claiming a run (Pending) and starting it: on its own server `ledesk serve`
    cancels every such run of its deployments; on a shared one only those it had claimed."""
    from prefect.states import Pending

    from ledesk.serve import cancel_stranded

    [sweep, purge] = [d for d in runner_deployments(policy()) if d.name in ("sweep", "purge-daily")]

    async def scenario() -> tuple[list[str], list[str], dict[str, str]]:
        ids = [await sweep.apply(), await purge.apply()]
        async with get_client() as client:
            runs = [await client.create_flow_run_from_deployment(i) for i in (ids[0], ids[0], ids[1])]
            for run in runs:
                await client.set_flow_run_state(run.id, Pending(), force=True)
            shared = await cancel_stranded(ids, {runs[0].id})  # a shared server: only the one it claimed
            own = await cancel_stranded(ids[:1], None)  # its own server: all of that deployment's
            states = {str(r.id): (await client.read_flow_run(r.id)).state_type.value for r in runs}
        return shared, own, states

    shared, own, states = asyncio.run(scenario())
    first, second, other = states
    assert shared == [first] and own == [second]
    assert states == {first: "CANCELLED", second: "CANCELLED", other: "PENDING"}
    asyncio.run(_cancel([other]))


async def _cancel(run_ids: list[str]) -> None:
    from prefect.states import Cancelled

    async with get_client() as client:
        for run_id in run_ids:
            await client.set_flow_run_state(run_id, Cancelled(), force=True)
