"""`ledesk serve` as an operator starts it on a fresh machine: it starts its own Prefect server, registers
every deployment with its schedule, pages on-call within seconds of an emergency landing in the drop
folder, and stops cleanly (server included) on Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ledesk.serve import free_port
from tests.cli import Ledesk
from tests.e2e.conftest import ARTIFACTS
from tests.factories import SAMPLES
from tests.servers import prefect_post as post


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.long
def test_serve_runs_the_deployments_pages_on_call_and_stops_on_ctrl_c(tmp_path: Path, browser: Any) -> None:
    home = tmp_path / "home"
    cli = Ledesk(home)
    cli.run("init")
    cli.run("authorities", "add", "police.go.kr", "--name", "KNPA", "--country", "KR", "--type", "police")
    port, api_port = free_port(), free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in cli.env.items() if not k.startswith("PREFECT_") and k != "LEDESK_NOW"}
    log = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "ledesk.cli", "serve", "--port", str(port), "--api-port", str(api_port)]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    t0 = time.monotonic()
    try:
        names = wait_for(lambda: {d["name"] for d in post(f"{api}/deployments/filter", {})} >=
                         {"watch-inbox", "sweep", "purge-daily", "dispatch", "monthly", "half-yearly", "escalate"}, 150,
                         "the deployments")
        assert names
        print(f"deployments registered after {time.monotonic() - t0:.1f} s")
        def web_up() -> bool:  # the API and web UI start right after the deployments
            with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/healthz", timeout=5) as health:
                return bool(json.loads(health.read()) == {"status": "ok"})

        wait_for(web_up, 30, "the web UI")
        (home / "inbox").mkdir(exist_ok=True)
        shutil.copy(SAMPLES / "emergency.json", home / "inbox" / ".emergency.json")
        dropped = time.monotonic()
        (home / "inbox" / ".emergency.json").rename(home / "inbox" / "emergency.json")
        page = wait_for(lambda: [p for p in (home / "outbox").glob("*.eml")
                                 if b"X-LEDesk-Kind: emergency_page" in p.read_bytes()], 30, "the page")
        assert time.monotonic() - dropped < 10, "the watch runs intake as soon as a file lands"
        case_id = json.loads((home / "processed" / "emergency.json.result.json").read_text())["case_id"]
        assert case_id.encode() in page[0].read_bytes()
        # The page left before any flow run; the intake run then records it, with the case's emergency run.
        def run_names() -> list[str]:  # a run is named from its template once it starts
            runs = post(f"{api}/flow_runs/filter", {"flow_runs": {"tags": {"all_": [f"case:{case_id}"]}}})
            names = [r["name"] for r in runs]
            return names if names == [f"emergency-{case_id}"] else []

        assert wait_for(run_names, 30, "the emergency run") == [f"emergency-{case_id}"]
        key = f"case-{case_id.lower()}"  # the case page is published just after the page leaves
        artifacts = wait_for(lambda: post(f"{api}/artifacts/latest/filter", {"artifacts": {"key": {"any_": [key]}}}),
                             20, "the case artifact")
        assert case_id in artifacts[0]["data"]
        prefect_ui_shows_the_picture(api, browser)
    finally:
        print(f"stopping after {time.monotonic() - t0:.1f} s")
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("serve did not stop: " + (tmp_path / "serve.log").read_text()[-3000:]) from None
        finally:
            log.close()
    print(f"stopped after {time.monotonic() - t0:.1f} s")
    output = (tmp_path / "serve.log").read_text()
    assert code == 0, output[-3000:]
    assert "LE Desk stopped." in output
    with socket.socket() as s:  # the Prefect server it started is gone too
        assert s.connect_ex(("127.0.0.1", port)) != 0
    assert (home / "prefect").is_dir() and not os.environ.get("PREFECT_API_URL")


def prefect_ui_shows_the_picture(api: str, browser: Any) -> None:
    """The operators' chart as an operator sees it: in the Prefect UI of the server `ledesk serve` started,
    drawn, not a broken image. A sweep is asked for now rather than waiting for the minute's schedule."""
    [sweep] = post(f"{api}/deployments/filter", {"deployments": {"name": {"any_": ["sweep"]}}})
    post(f"{api}/deployments/{sweep['id']}/create_flow_run", {})
    [chart] = wait_for(lambda: post(f"{api}/artifacts/latest/filter",
                                    {"artifacts": {"key": {"any_": ["operators-picture-chart"]}}}),
                       60, "the operators' picture artifact")
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(api.removesuffix("/api") + "/artifacts/key/operators-picture-chart")
    page.click(f"text={chart['latest_id'][:8]}")  # the latest picture, as an operator opens it from the key's page
    image = page.locator("img[src^='data:image/png']").first
    image.wait_for(timeout=30_000)
    page.wait_for_function("[...document.images].some(i => i.src.startsWith('data:image/png') && i.complete)")
    assert image.evaluate("i => i.naturalWidth") > 600  # the chart itself, drawn
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "prefect-operators-picture.png"), full_page=True)
