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
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from ledesk.models.db import ledesk_home

log = logging.getLogger("ledesk.serve")
INBOX_POLL_SECONDS = 0.05  # a directory listing: cheap, and an emergency waits at most this


def free_port() -> int:
    """A loopback port nothing listens on now (for a server of our own)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_prefect_server(host: str, port: int, timeout: float = 90,
                         retention_days: int = 90) -> tuple[subprocess.Popen[bytes], str]:
    home = ledesk_home().resolve() / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           # Prefect's database does not grow without end: old events and finished flow runs are vacuumed.
           "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs",
           "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD": str(retention_days * 86400),
           # the UI in the browser calls the API at this address, whatever --port was given
           "PREFECT_SERVER_API_HOST": host, "PREFECT_SERVER_API_PORT": str(port),
           "PREFECT_UI_API_URL": f"http://{host}:{port}/api"}
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


async def watch_inbox(home: Path, stopping: asyncio.Event) -> None:
    """Take the drop folder's files whenever it holds one (take_then_record: each in its own transaction,
    an emergency paged right after its commit); a pass in progress is finished, never cut off, when LE Desk
    stops (a matter of moments)."""
    inbox = home / "inbox"
    while not stopping.is_set():
        try:
            if inbox.is_dir() and any(not p.name.startswith(".") for p in inbox.iterdir() if p.is_file()):
                await take_then_record()
        except Exception:  # a bad run is in the Prefect UI; the watch goes on
            log.exception("intake run failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), INBOX_POLL_SECONDS)


async def watch_mailbox(cfg: Any, stopping: asyncio.Event) -> None:
    """Take the mailbox's mail (take_then_record) whenever the IMAP IDLE connection, or its NOOP check, says
    mail arrived, so an emergency pages on-call well under a second after it lands. The IDLE connection
    lives on a thread of its own and reconnects with backoff when the mail server goes away
    (intake.mailbox.watch)."""
    from ledesk.intake.mailbox import watch

    loop = asyncio.get_running_loop()
    arrived, halt = asyncio.Event(), threading.Event()
    idler = threading.Thread(target=watch, args=(cfg, lambda: loop.call_soon_threadsafe(arrived.set), halt),
                             name="imap-idle", daemon=True)  # daemon: it may be inside a minute's IDLE at exit
    idler.start()
    try:
        while not stopping.is_set():
            waits = {asyncio.create_task(arrived.wait()), asyncio.create_task(stopping.wait())}
            _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if stopping.is_set():
                break
            arrived.clear()
            try:
                await take_then_record()
            except Exception:  # a bad run is in the Prefect UI; the watch goes on
                log.exception("intake run failed")
    finally:
        halt.set()


RECORD_AFTER_SECONDS = 1.0  # arrivals this close together are recorded by one intake flow run


class Recorder:
    """Hands what the watcher took to intake flow runs in the background, so recording gates neither this
    arrival nor the next: arrivals within RECORD_AFTER_SECONDS of each other share one run. A flow run that
    cannot start loses nothing: the cases, pages and mailbox records are already committed."""

    def __init__(self) -> None:
        self.waiting: list[dict[str, Any]] = []
        self.task: asyncio.Task[None] | None = None

    def add(self, taken: list[dict[str, Any]]) -> None:
        self.waiting += taken
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        from ledesk.flows.intake import intake

        while self.waiting:
            await asyncio.sleep(RECORD_AFTER_SECONDS)
            batch, self.waiting = self.waiting, []
            try:
                await intake(taken=batch)
            except Exception:  # the run's failure is in the Prefect UI; what it records is committed
                log.exception("intake run failed")

    async def finish(self, timeout: float) -> None:
        """Let the recording still to do finish (at shutdown, before Prefect is drained)."""
        if self.task is not None and not self.task.done():
            await asyncio.wait({self.task}, timeout=timeout)


RECORDER = Recorder()


async def take_then_record() -> None:
    """The emergency path: take what arrived and page on-call right after each commit, off the event loop
    and outside any flow run; then let an intake flow run record what happened (Recorder)."""
    from ledesk.flows.intake import take_arrivals

    taken = await asyncio.to_thread(take_arrivals)
    if taken:
        RECORDER.add(taken)


async def drain_prefect(timeout: float = 10) -> None:
    """Hand Prefect's queued logs and events to its server while it is still up: once it is stopped,
    their workers would retry against nothing and hold the process open at exit."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(RuntimeError):
            result = worker.drain_all(timeout=timeout)
            if inspect.isawaitable(result):
                await result


async def cancel_stranded(deployment_ids: list[Any], claimed: set[Any] | None) -> list[str]:
    """Cancel the runs of these deployments left Pending by a runner that stopped: on the server this process
    started, every one (nobody else serves them); on a shared server only those this runner had claimed
    (`claimed`), since another machine's runner may be starting its own. Returns their ids."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Cancelled

    if not deployment_ids or claimed == set():
        return []
    pending = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PENDING])),
                            id=FlowRunFilterId(any_=list(claimed)) if claimed is not None else None)
    ours = DeploymentFilter(id=DeploymentFilterId(any_=deployment_ids))
    cancelled = []
    async with get_client() as client:
        for run in await client.read_flow_runs(flow_run_filter=pending, deployment_filter=ours):
            await client.set_flow_run_state(run.id, Cancelled(message="ledesk serve stopped before the run started"),
                                            force=True)
            cancelled.append(str(run.id))
    return cancelled


def _quiet_server_class() -> Any:
    import uvicorn

    class QuietServer(uvicorn.Server):
        """A uvicorn server that leaves SIGINT and SIGTERM to `ledesk serve`, which stops everything."""

        @contextlib.contextmanager
        def capture_signals(self) -> Any:
            yield

    return QuietServer


async def serve_deployments(rt: Any, watch: bool = True, api_port: int | None = None, host: str = "127.0.0.1",
                            grace_seconds: float = 20, own_server: bool = True) -> bool:
    """Serve until SIGINT or SIGTERM; returns False when the runner did not wind down within the grace."""
    import uvicorn
    from prefect.runner import Runner

    from ledesk.api.app import create_app

    _QuietServer = _quiet_server_class()
    policy = rt.policy
    from ledesk.flows.deployments import runner_deployments

    # Built off the event loop: Prefect's to_deployment turns into a coroutine when called inside one.
    deployments = await asyncio.to_thread(runner_deployments, policy)
    # Pausing the schedules at shutdown is right on the server this process started; on a shared server
    # (PREFECT_API_URL set) they are the operators' deployments, and stopping one worker must not pause them.
    runner = Runner(pause_on_shutdown=own_server)
    deployment_ids = [await runner.add_deployment(deployment)  # type: ignore[misc]  # a coroutine here
                      for deployment in deployments]
    stopping = asyncio.Event()
    serving = asyncio.create_task(runner.start())
    await asyncio.sleep(0)  # the runner installs its own SIGTERM handler as it starts; ours come after
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    from ledesk.intake.mailbox import MailboxConfig

    mailbox = MailboxConfig.from_env()
    watcher = asyncio.create_task(watch_mailbox(mailbox, stopping) if mailbox else
                                  watch_inbox(ledesk_home(), stopping)) if watch else None
    web = _QuietServer(uvicorn.Config(create_app(rt), host=host, port=api_port, log_level="warning",
                                      server_header=False)) if api_port else None
    web_task = asyncio.create_task(web.serve()) if web else None
    stop_wait = asyncio.create_task(stopping.wait())
    await asyncio.wait({serving, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
    stopping.set()  # (also when the runner ended by itself)
    if web is not None and web_task is not None:
        web.should_exit = True
        await asyncio.wait({web_task}, timeout=grace_seconds)
    if watcher is not None:
        await asyncio.wait({watcher}, timeout=grace_seconds)
        await RECORDER.finish(grace_seconds)
    claimed = set(getattr(getattr(runner, "_scheduled_run_poller", None), "_submitting_flow_run_ids", ()))
    serving.cancel()  # the runner pauses the schedules and cancels the runs it started
    done, _ = await asyncio.wait({serving}, timeout=grace_seconds)
    stop_wait.cancel()
    # A run the runner had claimed (Pending) but not started when it stopped would stay Pending for ever.
    await cancel_stranded(deployment_ids, None if own_server else claimed)
    await drain_prefect()
    return bool(done)


def run_serve(rt: Any, host: str, port: int, watch: bool = True, api_port: int | None = 8000,
              out: Any = sys.stdout) -> int:
    from ledesk.models.migrate import upgrade

    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server, api_url = start_prefect_server(host, port,
                                               retention_days=rt.policy.web.prefect_flow_run_retention_days)
        os.environ["PREFECT_API_URL"] = api_url  # before Prefect is first imported in this process
        os.environ.setdefault("PREFECT_HOME", str(ledesk_home().resolve() / "prefect"))
    ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
    if api_port:  # where the Prefect UI's image artifact finds the operators' picture chart
        os.environ.setdefault("LEDESK_PUBLIC_URL", f"http://{host}:{api_port}")
    upgrade(rt.engine)

    from ledesk.intake.mailbox import MailboxConfig

    mailbox = MailboxConfig.from_env()  # a bad setting stops here, with its message, before anything starts
    inbox = ledesk_home().resolve() / "inbox"
    source = f"the mailbox {mailbox.safe_url} (IMAP IDLE)" if mailbox else str(inbox)
    out.write((f"Reviewers' web UI and API at http://{host}:{api_port}/ (sign in with `ledesk tokens create`).\n"
               if api_port else "")
              + f"LE Desk serving its deployments; Prefect UI at {ui} (deployments, runs, events, artifacts).\n"
              + (f"Watching {source} for requests" if watch else f"{source} is read by the watch-inbox schedule only")
              + "; Ctrl-C stops.\n")
    out.flush()
    clean = False
    try:
        clean = asyncio.run(serve_deployments(rt, watch, api_port, host, own_server=server is not None))
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            stop(server)
    out.write("LE Desk stopped.\n" if clean else "LE Desk stopped (the runner did not wind down in time).\n")
    out.flush()
    if not clean:  # do not hang on a flow run that will not die; the server is already down
        os._exit(0)
    return 0


def run_api(rt: Any, host: str, port: int) -> int:
    """`ledesk api`: the HTTP API and the web UI alone, on the database made current first."""
    import uvicorn

    from ledesk.api.app import create_app
    from ledesk.models.migrate import upgrade

    upgrade(rt.engine)
    uvicorn.run(create_app(rt), host=host, port=port, log_level="warning", server_header=False)
    return 0
