"""Disclosure packages: what a disclosure produces, built once at the moment of disclosure from the hold
(or the data source when nothing was preserved), limited to the categories the instrument permits and
the periods asked for, sealed in the vault like a hold; and the export of it for the authority."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ledesk.models.enums import HoldStatus, TargetOutcome
from ledesk.models.tables import holds, letters, productions, targets
from ledesk.states import audit
from ledesk.states.case import CaseRecord
from ledesk.states.store import new_id
from ledesk.vault.store import Vault


def _permitted(case: CaseRecord, instruments: dict[str, list[str]]) -> set[str]:
    allowed = set(instruments.get(case.instrument or "", []))
    return {c for c in case.categories if c in allowed}


def build(conn: Connection, vault: Vault, case: CaseRecord, instruments: dict[str, list[str]], now: datetime,
          actor: str) -> dict[str, Any]:
    """Seal the production of a disclosed case and set each target's outcome. Runs in the disclosing
    transaction, so a disclosure without its production cannot exist."""
    permitted = _permitted(case, instruments)
    hold = conn.execute(select(holds.c.hold_id).where(
        holds.c.case_id == case.case_id, holds.c.status.in_([HoldStatus.CONVERTED.value, HoldStatus.ACTIVE.value,
                                                             HoldStatus.EXTENDED.value]))).scalar()
    parts: list[dict[str, Any]]
    if hold is not None:
        parts = [p for p in vault.read(conn, hold) if p["category"] in permitted]
        audit.append(conn, [audit.EventDraft(case.case_id, "preserved_data_read", actor, now,
                                             reason=f"production from hold {hold}", data={"hold_id": hold})])
    else:
        parts = [p for p in vault.collect(case.submission, now, permitted) if p["account_id"]]
    outcomes = _outcomes(vault, case, parts)
    production_id = new_id("P")
    vault.seal(conn, production_id, parts, now)
    size = sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in parts)
    conn.execute(insert(productions).values(production_id=production_id, case_id=case.case_id,
                                            source="hold" if hold else "datasource", created_at=now,
                                            categories=sorted(permitted), size_bytes=size))
    ids = [r.id for r in conn.execute(select(targets.c.id).where(targets.c.case_id == case.case_id)
                                      .order_by(targets.c.id))]
    for target_id, outcome in zip(ids, outcomes, strict=False):
        conn.execute(update(targets).where(targets.c.id == target_id).values(outcome=outcome))
    summary = {"production_id": production_id, "parts": len(parts), "categories": sorted(permitted),
               "outcomes": outcomes, "size_bytes": size}
    audit.append(conn, [audit.EventDraft(case.case_id, "production_built", actor, now, data=summary)])
    _outcome_letters(conn, case, outcomes, now, actor)
    return summary


def _outcome_letters(conn: Connection, case: CaseRecord, outcomes: list[str], now: datetime, actor: str) -> None:
    """Nothing to produce gets a no-records letter; an enterprise customer's own data, a redirect."""
    from ledesk.states import messages
    from ledesk.states.effects import Effects
    from ledesk.states.store import Step, load_case, record

    letters_due = []
    if TargetOutcome.CUSTOMER_CONTROLLED.value in outcomes:
        letters_due.append(messages.simple(
            "redirect", case, "Data held by another entity",
            "Some of the data you asked for is an enterprise customer's own data; please address your request "
            "to that customer.", entity="the enterprise customer that controls the account"))
    if TargetOutcome.PRODUCE.value not in outcomes:
        letters_due.append(messages.simple("no_records", case, "No records",
                                           "We found no records responsive to your request."))
    if letters_due:
        current = load_case(conn, case.case_id)
        record(conn, current, Step("outcome_letters", current.state, current.state, actor, now, "",
                                   Effects(messages=letters_due)))


def _outcomes(vault: Vault, case: CaseRecord, parts: list[dict[str, Any]]) -> list[str]:
    """Per target: produce, no data, out of retention (the period asked starts before the oldest record
    still kept), not held by this entity, or customer controlled (an enterprise customer's own data)."""
    result = []
    for index, target in enumerate(case.submission.targets):
        mine = [p for p in parts if p["target_index"] == index]
        account = next((p["account_id"] for p in mine if p.get("account_id")), None) or vault.source.lookup(
            str(target.type), target.value)
        if account is None:
            result.append(TargetOutcome.NOT_HELD.value)
        elif getattr(vault.source, "customer_controlled", lambda _a: False)(account):
            result.append(TargetOutcome.CUSTOMER_CONTROLLED.value)
        elif any(p["records"] for p in mine):
            result.append(TargetOutcome.PRODUCE.value)
        elif _before_retention(vault, case):
            result.append(TargetOutcome.OUT_OF_RETENTION.value)
        else:
            result.append(TargetOutcome.NO_DATA.value)
    return result


def _before_retention(vault: Vault, case: CaseRecord) -> bool:
    for request in case.submission.data_requested:
        earliest = vault.source.earliest(str(request.category))
        if request.from_ and earliest and request.from_ < earliest:
            return True
    return False


def export(conn: Connection, vault: Vault, case_id: str, folder: Path, now: datetime, actor: str) -> dict[str, Any]:
    """Write the disclosure package: one file per part, the cover letter, and manifest.json with the
    SHA-256 of every file. The read is an audit event."""
    production_id = conn.execute(select(productions.c.production_id).where(productions.c.case_id == case_id)).scalar()
    if production_id is None:
        raise LookupError(f"case {case_id} has no production: it was not disclosed")
    parts = vault.read(conn, production_id)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, bytes]] = []
    for position, part in enumerate(parts):
        name = f"{position + 1:03d}-target{part['target_index'] + 1}-{part['category']}.json"
        files.append((name, json.dumps(part, ensure_ascii=False, indent=1).encode()))
    cover = conn.execute(select(letters.c.body, letters.c.path).where(letters.c.case_id == case_id,
                                                                      letters.c.kind == "disclosure_cover")
                         .order_by(letters.c.id.desc())).first()
    files.append(("cover-letter.txt", (cover.body if cover else "").encode()))
    if cover is not None and cover.path and Path(cover.path).is_file():  # the bilingual letter, once rendered
        files.append(("cover-letter.docx", Path(cover.path).read_bytes()))
    manifest = {"case_id": case_id, "production_id": production_id, "exported_at": now.isoformat(),
                "files": [{"name": n, "bytes": len(c), "sha256": hashlib.sha256(c).hexdigest()} for n, c in files]}
    for name, content in files:
        (folder / name).write_bytes(content)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    audit.append(conn, [audit.EventDraft(case_id, "produced_data_read", actor, now, reason=f"export to {folder}",
                                         data={"production_id": production_id, "files": len(files)})])
    return {"path": str(folder), "files": len(files) + 1, "manifest": manifest}
