"""The reviewers' pages and the case-detail endpoint with 100,000 cases in the database (SQLite), served by
uvicorn with 2 workers on loopback: queue and case page latency (p50, p95) over sequential requests, and
sustained requests per second on GET /v1/cases/{id}, next to a plain FastAPI endpoint that returns the
same JSON from memory, served and loaded the same way in the same run."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from ledesk.serve import free_port

ROOT = Path(__file__).resolve().parents[1]
LOGS = 20_000


def _start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "2", "--log-level", "warning"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"uvicorn {args} did not start") from None
            time.sleep(0.3)


def _latency(client: httpx.Client, url: str, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.text[:200])
    times.sort()
    return statistics.median(times) * 1000, times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000


async def _load(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> float:
    done = 0
    stop = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() < stop:
            response = await client.get(url, headers=headers)
            assert response.status_code == 200
            done += 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return done / (time.monotonic() - started)


def run(cases: int = 100_000, requests: int = 100, seconds: float = 8, concurrency: int = 16) -> dict[str, Any]:
    from bench.sweep import seed
    from ledesk.adapters import admin
    from ledesk.bootstrap import Runtime
    from ledesk.models.db import make_engine

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ledesk.db"
        seed(db, cases)
        engine = make_engine(f"sqlite:///{db}")
        with engine.begin() as conn:
            admin.add_actor(conn, "alice", ["reviewer"], datetime.now(UTC))
        engine.dispose()
        env = {**os.environ, "LEDESK_DATABASE_URL": f"sqlite:///{db}", "LEDESK_HOME": tmp,
               "LEDESK_MASTER_KEY": "q" * 43 + "="}
        # The token is sealed under the key store the server will open: this process's, same home and key.
        os.environ.update({"LEDESK_HOME": tmp, "LEDESK_MASTER_KEY": env["LEDESK_MASTER_KEY"]})
        rt = Runtime(f"sqlite:///{db}")
        token = rt.services.admin.create_token(actor="alice")["token"]
        # The benched case's target holds an account with LOGS access-log records in the period asked for:
        # the case page counts them (what the data source holds) on every request.
        start = datetime(2026, 9, 1, tzinfo=UTC).timestamp()
        rt.services.admin.load_accounts([{"account_id": "acct-bench", "phone": "010-1234-5678", "access_logs": [
            {"at": datetime.fromtimestamp(start + n * 300, UTC).isoformat(), "ip": "203.0.113.7"}
            for n in range(LOGS)]}])
        port = free_port()
        api = _start(["--factory", "ledesk.api.app:create_app"], env, port)
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        case_id = "LE-B000050000" if cases > 50_000 else "LE-B000000001"
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                signed = client.post("/signin", data={"token": token}, headers={"origin": base})
                assert signed.status_code in (200, 303) and client.cookies, signed.text[:200]
                document = client.get(f"/v1/cases/{case_id}", headers=auth).json()
                _latency(client, "/", 5)  # warm both workers' caches
                queue_p50, queue_p95 = _latency(client, "/", requests)
                case_p50, case_p95 = _latency(client, f"/cases/{case_id}", requests)
            rps = asyncio.run(_load(f"{base}/v1/cases/{case_id}", auth, seconds, concurrency))
        finally:
            api.terminate()
            api.wait(timeout=30)
        (Path(tmp) / "doc.json").write_text(json.dumps(document))
        (Path(tmp) / "plain.py").write_text(textwrap.dedent(f"""
            import json
            from fastapi import FastAPI
            app = FastAPI()
            DOC = json.loads(open({str(Path(tmp) / 'doc.json')!r}).read())
            @app.get("/healthz")
            def health():
                return {{"status": "ok"}}
            @app.get("/v1/cases/{{case_id}}")
            def case(case_id: str):
                return DOC
        """))
        plain_port = free_port()
        plain = _start(["--app-dir", tmp, "plain:app"], env, plain_port)
        try:
            plain_rps = asyncio.run(_load(f"http://127.0.0.1:{plain_port}/v1/cases/{case_id}", auth, seconds,
                                          concurrency))
        finally:
            plain.terminate()
            plain.wait(timeout=30)
    return {"name": f"case-detail endpoint, {cases:,} cases (SQLite, uvicorn 2 workers, {concurrency} connections)",
            "figure": round(rps), "unit": "requests/s", "reference": round(plain_rps),
            "reference_name": "plain FastAPI endpoint returning the same JSON from memory",
            "ratio": round(plain_rps / rps, 2),
            "queue_page_p50_ms": round(queue_p50, 1), "queue_page_p95_ms": round(queue_p95, 1),
            "case_page_p50_ms": round(case_p50, 1), "case_page_p95_ms": round(case_p95, 1),
            "case_page_holds": f"{LOGS:,} access-log records counted per case page",
            "targets": "queue and case page p95 < 100 ms"}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
