"""Small factories for tests: a policy, a calendar, a clock, a submission, a case record."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ledesk.models.submission import parse_submission
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.load import DEFAULT_POLICY, load_policy_file
from ledesk.policy.schema import Policy
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.regime import regime_for

SAMPLES = Path(__file__).resolve().parents[1] / "ledesk" / "samples"
SEOUL = ZoneInfo("Asia/Seoul")


def policy(**overrides: Any) -> Policy:
    base = load_policy_file(DEFAULT_POLICY)
    if not overrides:
        return base
    data = base.model_dump()
    for dotted, value in overrides.items():
        node = data
        *path, last = dotted.split("__")
        for key in path:
            node = node[key]
        node[last] = value
    return Policy.model_validate(data)


def calendar(p: Policy | None = None) -> LegalCalendar:
    p = p or policy()
    return LegalCalendar(p.timezone, p.holiday_country, p.extra_holidays)


def seoul(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SEOUL).astimezone(UTC)


def sample(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data.update(changes)
    return data


def case(name: str = "warrant", *, state: str = "received", country: str = "KR", at: datetime | None = None,
         **fields: Any) -> CaseRecord:
    at = at or seoul(2026, 12, 1)
    sub = parse_submission(sample(name))
    record = CaseRecord.new(
        sub, case_id=fields.pop("case_id", "LE-TEST"), kind=sub.kind.value, regime=regime_for(sub, country).value,
        state=state, version=1, authority_domain="police.go.kr", country=country, reference=sub.reference,
        sender_email=sub.sender.email, dedupe_key="k", policy_version="test", received_at=at, updated_at=at)
    for key, value in fields.items():
        setattr(record, key, value)
    return record


def attempt(trigger: str, actor: str = "alice", roles: tuple[str, ...] = ("reviewer",), *,
            now: datetime | None = None, p: Policy | None = None, **kw: Any) -> Attempt:
    p = p or policy()
    return Attempt(trigger=trigger, actor=actor, roles=frozenset(roles), now=now or seoul(2026, 12, 1, 10),
                   policy=p, calendar=calendar(p), **kw)


def legal_process_document(name: str = "process.json", *, targets: list[dict[str, str]] | None = None,
                           data_requested: list[dict[str, Any]] | None = None, **basis: Any) -> Attachment:
    """A legal-process document as an attached partial submission (what `--attach FILE.json` carries)."""
    legal_basis = {"instrument": "search_warrant", "provisions": ["Criminal Procedure Act art. 215"],
                   "issued_by": "Seoul Central District Court", "issued_on": "2026-11-30",
                   "valid_until": "2026-12-30", "document_reference": "2026-SW-1", "investigation": "fraud", **basis}
    doc: dict[str, Any] = {"legal_basis": legal_basis}
    if targets is not None:
        doc["targets"] = targets
    if data_requested is not None:
        doc["data_requested"] = data_requested
    return Attachment(name, json.dumps(doc).encode())
