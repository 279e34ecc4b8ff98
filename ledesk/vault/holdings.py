"""What the data source holds for each target of a case, before anyone decides: the account (or that there
is none, or that another entity holds it), an enterprise customer's own data, and per category asked for
how many records the period holds, whether the instrument permits it and what retention has already
deleted. Counts only: nobody reads a record before the disclosure is approved, and nothing is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ledesk.adapters.actors import authority_type
from ledesk.policy.schema import Policy
from ledesk.states import scope as release
from ledesk.states.case import CaseRecord
from ledesk.vault.production import customer_controlled, held_elsewhere, retention_gap, target_key
from ledesk.vault.store import Vault


def _count(vault: Vault, account: str, category: str, start: datetime | None, end: datetime | None) -> int:
    """Counted by the data source where it can (the embedded one does), else by reading and counting."""
    counter = getattr(vault.source, "count", None)
    if counter is not None:
        return int(counter(account, category, start, end))
    return len(vault.source.read(account, category, start, end))


def holdings(conn: Connection, vault: Vault, case: CaseRecord, policy: Policy, now: datetime) -> list[dict[str, Any]]:
    """One line per target: `account` (bool), `held_by`, `customer_controlled`, and `categories`, each with
    `records`, `withheld` (why the instrument does not permit it, or None) and `kept_from` (the oldest day
    retention keeps, when the period asked for starts before it)."""
    kind = authority_type(conn, case.authority_domain)
    withheld_why = {c: release.withheld_why(case, c, policy, kind) for c in case.categories}
    lines = []
    for target in case.submission.targets:
        key = target_key(str(target.type), target.value)
        account = vault.source.lookup(*key)
        line: dict[str, Any] = {"type": key[0], "value": target.value, "account": account is not None,
                                "held_by": None if account else held_elsewhere(vault, key),
                                "customer_controlled": False, "categories": []}
        if account is not None:
            line["customer_controlled"] = customer_controlled(vault, account)
            for request in case.submission.data_requested:
                category = request.category.value
                start = vault.calendar.start_of(request.from_) if request.from_ else None
                end = vault.calendar.end_of(request.to) if request.to else None
                gap = retention_gap(vault, category, request.from_, now, policy.log_retention)
                line["categories"].append({
                    "category": category, "records": _count(vault, account, category, start, end),
                    "withheld": withheld_why.get(category), "kept_from": gap["kept_from"] if gap else None})
        lines.append(line)
    return lines
