"""Form intake end to end (guard, parse, validate, persist, acknowledgement queued) on SQLite, next to a
naive reader that only parses: python-docx's Document() and cell.text, measured in the same run."""

from __future__ import annotations

import io
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.models.tables import authorities

SAMPLE = Path(__file__).resolve().parents[1] / "ledesk" / "samples" / "warrant.json"


def _forms(n: int) -> list[bytes]:
    from ledesk.intake.forms.blank import blank_form
    from ledesk.intake.forms.fill import fill_form

    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    blank = blank_form("legal_process", "LE Desk Cloud")
    # Distinct references, so none is a duplicate of another.
    return [fill_form(blank, {**base, "reference": f"SMPA-2026-{i:07d}"}) for i in range(n)]


def _naive(data: bytes) -> dict[str, str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    found: dict[str, str] = {}
    for table in doc.tables:
        for row in table.rows:
            cells = row.cells
            if len(cells) >= 2:
                found[cells[0].text] = cells[1].text
    return found


def run(n: int = 400) -> dict[str, Any]:
    from ledesk.intake.channels import intake_bytes
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy

    forms = _forms(n)
    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'forms.db'}")
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(insert(authorities).values(domain="police.go.kr", name="KNPA", country="KR", type="police",
                                                    created_at=now))
        started = time.perf_counter()
        for i, data in enumerate(forms):
            with engine.begin() as conn:
                result = intake_bytes(conn, f"form-{i}.docx", data, now, policy, cal)
            assert result["state"] == "received", result
        ours = time.perf_counter() - started
        engine.dispose()
    started = time.perf_counter()
    for data in forms:
        _naive(data)
    naive = time.perf_counter() - started
    return {"name": f"form intake end to end, {n} filled forms (SQLite, one transaction each)",
            "figure": round(n / ours), "unit": "forms/s", "reference": round(n / naive),
            "reference_name": "python-docx Document() + cell.text, parse only", "ratio": round(naive / ours, 2),
            "targets": ">= 200 forms/s on one core"}
