"""CLI start-up: `ledesk show CASE --json` next to `python -c pass`, median of several runs."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "ledesk" / "samples"


def _time(cmd: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(runs: int = 7) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "LEDESK_HOME": home, "LEDESK_NOW": "2026-12-01T09:00:00+09:00"}
        env.pop("LEDESK_DATABASE_URL", None)
        cli = [sys.executable, "-m", "ledesk.cli"]
        subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
        subprocess.run([*cli, "authorities", "add", "police.go.kr", "--name", "KNPA", "--country", "KR", "--type",
                        "police"], env=env, check=True, capture_output=True)
        opened = subprocess.run([*cli, "intake", str(SAMPLES / "warrant.json"), "--json"], env=env, check=True,
                                capture_output=True, text=True)
        case_id = json.loads(opened.stdout)["case_id"]
        show = _time([*cli, "show", case_id, "--json"], env, runs)
        floor = _time([sys.executable, "-c", "pass"], env, runs)
    return {"name": "CLI start-up: ledesk show CASE --json", "figure": round(show, 3), "unit": "s",
            "reference": round(floor, 3), "reference_name": "python -c pass", "ratio": round(show / floor, 1),
            "targets": "show under 0.5 s"}
