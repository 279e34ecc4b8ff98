"""Prefect costs, each next to the same work without it, measured in the same run on a real Prefect server.

- Emergency latency: from calling the intake flow on a dropped emergency to the on-call page reaching a
  local SMTP server (aiosmtpd), over 50 requests, next to the same request through `run_deployment` of a
  served intake deployment (which waits for the runner to poll and start a process).
- Sweep overhead: the sweep flow (fire, page, mirror to Prefect, open-case table) over the same domain
  sweep called directly, on copies of one seeded database with 1,000 and 100,000 due timers."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledesk.serve import free_port

SAMPLES = Path(__file__).resolve().parents[1] / "ledesk" / "samples"
ROOT = Path(__file__).resolve().parents[1]


class _Pages:
    """An SMTP server's DATA handler that notes when each page arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        text = envelope.content.decode("utf-8", "replace")
        if "X-LEDesk-Kind: emergency_page" in text:
            case = text.split("X-LEDesk-Case: ", 1)[1].split()[0]
            self.arrived[case] = time.perf_counter()
        return "250 OK"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _drop(home: Path, n: int) -> None:
    sub = json.loads((SAMPLES / "emergency.json").read_text(encoding="utf-8"))
    sub["reference"] = f"BENCH-EM-{n:05d}"  # a new request each time, not a duplicate
    inbox = home / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / f".em-{n}.json").write_text(json.dumps(sub))
    (inbox / f".em-{n}.json").rename(inbox / f"em-{n}.json")


def _wait_page(pages: _Pages, before: set[str], timeout: float) -> tuple[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = set(pages.arrived) - before
        if new:
            case = new.pop()
            return case, pages.arrived[case]
        time.sleep(0.005)
    raise TimeoutError("no page arrived")


def _setup_home(home: Path) -> None:
    from ledesk.adapters import admin
    from ledesk.models.db import make_engine
    from ledesk.models.migrate import upgrade

    engine = make_engine(os.environ["LEDESK_DATABASE_URL"])
    upgrade(engine)
    with engine.begin() as conn:
        admin.add_authority(conn, "police.go.kr", "Korean National Police Agency", "KR", "police", datetime.now(UTC))
    engine.dispose()


def emergency_latency(requests: int = 50, deployment_requests: int = 10) -> dict[str, Any]:
    from aiosmtpd.controller import Controller

    from ledesk.flows.intake import intake

    pages = _Pages()
    port = free_port()
    controller = Controller(pages, hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["LEDESK_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    home = Path(os.environ["LEDESK_HOME"])
    _setup_home(home)
    fast: list[float] = []
    try:
        asyncio.run(intake())  # the first run pays Prefect's client start-up; a server would have paid it long ago
        for n in range(requests):
            _drop(home, n)
            before = set(pages.arrived)
            started = time.perf_counter()
            asyncio.run(intake())
            fast.append(_wait_page(pages, before, 30)[1] - started)
        slow = _deployment_path(home, pages, requests, deployment_requests)
    finally:
        controller.stop()
    p50, p95 = statistics.median(fast), _percentile(fast, 95)
    slow_p50 = statistics.median(slow)
    return {"name": f"emergency page latency, intake call to SMTP ({requests} requests; "
                    f"run_deployment: {deployment_requests})",
            "figure": round(p95 * 1000), "unit": "ms p95", "fast_p50_ms": round(p50 * 1000),
            "reference": round(_percentile(slow, 95) * 1000), "reference_name": "run_deployment of a served intake",
            "deployment_p50_ms": round(slow_p50 * 1000),
            "ratio": round(slow_p50 / p50, 1),
            "targets": "p95 < 1,000 ms; deployment path p50 / fast path p50 >= 5"}


def _deployment_path(home: Path, pages: _Pages, first: int, count: int) -> list[float]:
    from prefect.deployments import run_deployment

    # `ledesk serve` without its drop-folder watch: only the deployment's run can take the file.
    log = (home / "serve.log").open("w")
    serve = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--no-watch", "--api-port", "0"], cwd=ROOT,
                             env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:  # until the served deployment is registered
            try:
                run_deployment("intake/watch-inbox", timeout=0)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        time.sleep(12)  # let that warm-up run finish
        latencies = []
        for n in range(first, first + count):
            _drop(home, n)
            before = set(pages.arrived)
            started = time.perf_counter()
            run_deployment("intake/watch-inbox", timeout=0)
            latencies.append(_wait_page(pages, before, 60)[1] - started)
        return latencies
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=60)
        log.close()


def sweep_overhead(sizes: tuple[int, ...] = (1_000, 100_000)) -> dict[str, Any]:
    """The flow's wall time minus the domain sweep's own time inside it (same run, so no run-to-run noise),
    with the domain sweep called directly on a copy of the same database as the reference."""
    from bench.sweep import NOW, seed
    from ledesk.bootstrap import runtime
    from ledesk.flows.sweep import sweep as sweep_flow

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LEDESK_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'warm.db'}"
        from ledesk.models.db import make_engine
        from ledesk.models.migrate import upgrade

        upgrade(make_engine(os.environ["LEDESK_DATABASE_URL"]))
        asyncio.run(sweep_flow(now=NOW.isoformat()))  # Prefect's client start-up, paid once per worker
        for n in sizes:
            seeded = Path(tmp) / f"seed-{n}.db"
            seed(seeded, n)
            for how in ("direct", "flow"):
                copy = Path(tmp) / f"{how}-{n}.db"
                shutil.copy(seeded, copy)
                os.environ["LEDESK_DATABASE_URL"] = f"sqlite:///{copy}"
                started = time.perf_counter()
                if how == "direct":
                    fired = len(runtime(NOW.isoformat()).services.cases.sweep().fired)
                    direct = time.perf_counter() - started
                else:
                    summary = asyncio.run(sweep_flow(now=NOW.isoformat()))
                    flow_s, fired = time.perf_counter() - started, summary["fired"]
                assert fired == n, (how, fired)
            rows.append({"due": n, "direct_s": round(direct, 2), "flow_s": round(flow_s, 2),
                         "sweep_in_flow_s": summary["sweep_seconds"],
                         "overhead_s": round(flow_s - summary["sweep_seconds"], 2)})
    small, big = rows[0], rows[-1]
    return {"name": "sweep flow: Prefect's extra time over the domain sweep inside it (SQLite)",
            "figure": big["overhead_s"], "unit": f"s extra at {big['due']:,} due",
            "reference": small["overhead_s"], "reference_name": f"extra at {small['due']:,} due",
            "ratio": round(big["overhead_s"] / small["overhead_s"], 2) if small["overhead_s"] > 0 else None,
            "curve_seconds": rows, "targets": "a fixed cost: about the same extra at 1,000 and 100,000"}


def run(requests: int = 50, deployment_requests: int = 10, sizes: tuple[int, ...] = (1_000, 100_000)
        ) -> list[dict[str, Any]]:
    """Both benchmarks against one Prefect server of their own, in a temporary LE Desk home."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        saved = dict(os.environ)
        os.environ.update({"LEDESK_HOME": str(home), "LEDESK_DATABASE_URL": f"sqlite:///{home / 'ledesk.db'}",
                           "PREFECT_LOGGING_LEVEL": "WARNING", "LEDESK_MASTER_KEY": "q" * 43 + "="})
        os.environ.pop("LEDESK_NOW", None)
        server = None
        try:
            if not os.environ.get("PREFECT_API_URL"):
                from ledesk.serve import start_prefect_server

                server, api_url = start_prefect_server("127.0.0.1", free_port())
                os.environ["PREFECT_API_URL"] = api_url
            return [emergency_latency(requests, deployment_requests), sweep_overhead(sizes)]
        finally:
            if server is not None:
                from ledesk.serve import stop

                stop(server)
            os.environ.clear()
            os.environ.update(saved)


if __name__ == "__main__":
    for result in run():
        print(json.dumps(result))
