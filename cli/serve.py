"""`ledesk serve`: everything an operator needs running, in one command.

- a Prefect server of its own (SQLite under LEDESK_HOME/prefect) when PREFECT_API_URL names none;
- every deployment with its schedule, served in this process (no work pool needed on one machine);
- the missed-acknowledgement automation, created with the escalation deployment;
- a watch on the drop folder that runs the intake flow the moment a file lands (so an emergency pages
  on-call in about a second instead of waiting for the next scheduled run).
Ctrl-C (or SIGTERM) stops the watch, pauses the schedules and stops the server it started."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from models.db import ledesk_home

log = logging.getLogger("ledesk.serve")
INBOX_POLL_SECONDS = 1.0


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_prefect_server(host: str, port: int, timeout: float = 90) -> tuple[subprocess.Popen[bytes], str]:
    home = ledesk_home().resolve() / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect)] if prefect.exists() else [sys.executable, "-m", "prefect"]
    logfile = (home / "server.log").open("ab")
    server = subprocess.Popen([*command, "server", "start", "--host", host, "--port", str(port)],
                              env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    api_url = f"http://{host}:{port}/api"
    deadline = time.monotonic() + timeout
    while not healthy(api_url):
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"the Prefect server did not start on {host}:{port}; see {home / 'server.log'}")
        time.sleep(0.5)
    return server, api_url


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


async def watch_inbox(home: Path) -> None:
    from flows.intake import intake

    inbox = home / "inbox"
    while True:
        try:
            if inbox.is_dir() and any(not p.name.startswith(".") for p in inbox.iterdir() if p.is_file()):
                await intake()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bad run is in the Prefect UI; the watch goes on
            log.exception("intake run failed")
        await asyncio.sleep(INBOX_POLL_SECONDS)


async def serve_deployments(policy: Any, watch: bool = True) -> None:
    from prefect import aserve

    from flows.deployments import runner_deployments

    # Built off the event loop: Prefect's to_deployment turns into a coroutine when called inside one.
    deployments = await asyncio.to_thread(runner_deployments, policy)
    watcher = asyncio.create_task(watch_inbox(ledesk_home())) if watch else None
    try:
        await aserve(*deployments, print_starting_message=False)
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def run_serve(rt: Any, host: str, port: int, watch: bool = True, out: Any = sys.stdout) -> int:
    from models.migrate import upgrade

    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server, api_url = start_prefect_server(host, port)
        os.environ["PREFECT_API_URL"] = api_url  # before Prefect is first imported in this process
        os.environ.setdefault("PREFECT_HOME", str(ledesk_home().resolve() / "prefect"))
    ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
    upgrade(rt.engine)

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    inbox = ledesk_home().resolve() / "inbox"
    out.write(f"LE Desk serving its deployments; Prefect UI at {ui} (deployments, runs, events, artifacts).\n"
              + (f"Watching {inbox} for requests" if watch else f"{inbox} is read by the watch-inbox schedule only")
              + "; Ctrl-C stops.\n")
    out.flush()
    try:
        asyncio.run(serve_deployments(rt.policy, watch))
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            stop(server)
    out.write("LE Desk stopped.\n")
    return 0
