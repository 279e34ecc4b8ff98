"""Cost recovery: the reviewer time spent on a case (the minutes recorded with each action, or the
policy's standard time for it) and the volume of data produced, priced by the policy's fee schedule, and
the invoice letter. An MLAT request is billed to the requesting state, not to the ministry that relayed it."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledesk.adapters.store import load_case, record
from ledesk.models.enums import SYSTEM_ACTOR, Role
from ledesk.models.tables import authorities, events, letters, productions
from ledesk.policy.schema import Policy
from ledesk.states import messages
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects
from ledesk.states.errors import GuardRefused, Refused
from ledesk.states.machine import TRIGGERS
from ledesk.states.step import Step

GIGABYTE = 1_000_000_000
MAY_INVOICE = frozenset({Role.REVIEWER, Role.APPROVER, Role.ADMIN})


def bill_to(conn: Connection, case: CaseRecord) -> dict[str, str]:
    """Who pays: the requesting state for MLAT, otherwise the authority that asked."""
    basis = case.submission.legal_basis
    korean = " ".join(part for part in (str(basis.instrument or ""), basis.document_reference) if part)
    origin = case.treaty_origin
    if origin is not None:  # through the treaty: the requesting state pays, on the Korean process executed
        return {"party": f"the requesting state ({origin})", "country": origin, "via": case.authority_domain,
                "basis": f"mutual legal assistance, executed on the Korean {korean}".strip()}
    name = conn.execute(select(authorities.c.name).where(authorities.c.domain == case.authority_domain)).scalar()
    return {"party": str(name or case.authority_domain), "country": case.country, "via": "", "basis": korean}


def costs(conn: Connection, case: CaseRecord, policy: Policy) -> dict[str, Any]:
    """Every person's action on the case with its minutes, the data produced, and what they cost."""
    fees = policy.fees
    lines = []
    for e in conn.execute(select(events.c.action, events.c.actor, events.c.at, events.c.data)
                          .where(events.c.case_id == case.case_id, events.c.actor != SYSTEM_ACTOR)
                          .order_by(events.c.seq)):
        if e.action not in TRIGGERS and e.action not in fees.minutes:
            continue
        recorded = (e.data or {}).get("minutes")
        minutes = int(recorded) if recorded is not None else fees.minutes.get(e.action, fees.default_minutes)
        lines.append({"action": e.action, "actor": e.actor, "at": e.at.isoformat(), "minutes": minutes,
                      "recorded": recorded is not None})
    size = conn.execute(select(productions.c.size_bytes).where(productions.c.case_id == case.case_id)).scalar()
    size = int(size or 0)
    gigabytes = math.ceil(size / GIGABYTE)  # per started gigabyte
    minutes = sum(line["minutes"] for line in lines)
    reviewer_cost = round(minutes * fees.reviewer_hourly_rate / 60)
    data_cost = gigabytes * fees.per_gigabyte
    return {"case_id": case.case_id, "currency": fees.currency, "lines": lines, "minutes": minutes,
            "reviewer_cost": reviewer_cost, "bytes_produced": size, "gigabytes_billed": gigabytes,
            "data_cost": data_cost, "total": max(fees.minimum_fee, reviewer_cost + data_cost),
            "bill_to": bill_to(conn, case)}


def _money(currency: str, amount: int) -> str:
    return f"{currency} {amount:,}"


def invoice(conn: Connection, case_id: str, actor: str, now: datetime, policy: Policy) -> dict[str, Any]:
    """Queue the invoice letter for a case, once. Refused for instruments the policy does not invoice
    (emergencies, preservations) and for a second invoice."""
    case = load_case(conn, case_id, lock=True)
    if case.instrument not in policy.fees.invoice_instruments:
        raise GuardRefused("invoiceable_instrument", f"case {case_id} ({case.instrument or case.kind}) is not "
                           f"invoiced: the policy invoices {', '.join(policy.fees.invoice_instruments)}")
    if conn.execute(select(letters.c.id).where(letters.c.case_id == case_id, letters.c.kind == "cost_invoice")
                    .limit(1)).first():
        raise GuardRefused("invoice_once", f"case {case_id} was already invoiced")
    doc = costs(conn, case, policy)
    if doc["total"] <= 0:
        raise Refused(f"case {case_id} has no recorded cost to invoice")
    amount = (f"{_money(doc['currency'], doc['total'])} (reviewer time {doc['minutes']} minutes at "
              f"{_money(doc['currency'], policy.fees.reviewer_hourly_rate)} per hour: "
              f"{_money(doc['currency'], doc['reviewer_cost'])}; data produced {doc['gigabytes_billed']} GB: "
              f"{_money(doc['currency'], doc['data_cost'])}), payable by {doc['bill_to']['party']}"
              + (f"; basis: {doc['bill_to']['basis']}" if doc["bill_to"]["basis"] else ""))
    letter = messages.simple("cost_invoice", case, "Invoice for costs of responding",
                             f"We invoice {amount} for responding to case {case_id}.", amount=amount)
    step = Step("invoice", case.state, case.state, actor, now, f"invoice {_money(doc['currency'], doc['total'])}",
                Effects(messages=[letter], audit={"total": doc["total"], "currency": doc["currency"],
                                                  "minutes": doc["minutes"], "bytes_produced": doc["bytes_produced"],
                                                  "bill_to": doc["bill_to"]}))
    record(conn, case, step)
    return {**doc, "amount": amount}
