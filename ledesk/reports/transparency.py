"""The transparency report: the pivot the large providers publish, period x requesting country x instrument
x measure, counted both as requests and as accounts (targets).

Each case received in the range is reduced to one `CaseFacts` (what it was, where it stands), and the
pivot is a pure function of those facts, so the arithmetic is tested without a database. The rules:

- three tables: legal process, emergency, preservation. A preservation later followed by legal process
  is counted once, under the legal process: in the same case (legal process attached), or when a legal
  process case in the same report names it as its related case.
- each request has exactly one outcome, so `received` = rejected + no_data + produced + pending + lapsed
  (preservations: rejected + preserved + pending + lapsed); accounts add up the same way, a produced
  request's targets with nothing to produce counting under no_data.
- MLAT requests are counted under the requesting state, not the ministry that relayed them.
- requests from senders that are not authorities were never reviewed and are not counted: they appear
  as an internal figure only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ledesk.models.enums import CaseKind, CaseState, NoticeStatus, RejectReason, TargetOutcome
from ledesk.models.tables import cases, holds, not_reviewed, notices, productions, targets
from ledesk.policy.calendar import LegalCalendar
from ledesk.states.errors import BadInput
from ledesk.states.statutory import half_of

LEGAL_PROCESS, EMERGENCY, PRESERVATION = "legal_process", "emergency", "preservation"
REJECTION_REASONS, INTERNAL = "rejection_reasons", "internal"
TABLES = (LEGAL_PROCESS, EMERGENCY, PRESERVATION, REJECTION_REASONS, INTERNAL)

OUTCOMES = {
    LEGAL_PROCESS: ("rejected", "no_data", "produced", "pending", "lapsed"),
    EMERGENCY: ("rejected", "no_data", "produced", "pending", "lapsed"),
    PRESERVATION: ("rejected", "preserved", "pending", "lapsed"),
}
# Figures beside the outcomes; each counts a subset of the received requests.
DETAILS = {
    LEGAL_PROCESS: ("produced_content", "produced_non_content", "nondisclosure_order", "users_notified",
                    "notices_delayed", "redirected_to_customer"),
    EMERGENCY: ("produced_content", "produced_non_content", "verification_failed", "redirected_to_customer",
                "followup_process_received"),
    PRESERVATION: ("extended",),
}
MEASURES = {t: ("received", *OUTCOMES[t], *DETAILS[t]) for t in OUTCOMES}
# Plain strings: compared once per target, enum comparisons cost more than the rest of the pivot.
PRODUCE, CUSTOMER_CONTROLLED = TargetOutcome.PRODUCE.value, TargetOutcome.CUSTOMER_CONTROLLED.value
REDIRECTED = TargetOutcome.REDIRECTED.value
COLUMNS = ("table", "period", "country", "instrument", "measure", "requests", "accounts")


@dataclass(frozen=True, slots=True)
class CaseFacts:
    case_id: str
    table: str
    period: str           # half-year of receipt, YYYY-H1 / YYYY-H2
    month: str            # YYYY-MM of receipt
    country: str
    instrument: str
    outcome: str
    accounts: int
    accounts_produced: int
    reject_reason: str | None = None
    content: bool = False
    nondisclosure_order: bool = False
    user_notified: bool = False
    notice_delayed: bool = False
    redirected: bool = False
    verification_failed: bool = False
    extended: bool = False
    followup_process: bool = False  # an emergency's follow-up legal process arrived


def check_range(first: date, last: date) -> None:
    """A report covers a real period of this century; anything else is a typing mistake."""
    if last < first:
        raise BadInput(f"to {last} is before from {first}")
    if first < date(2000, 1, 1) or last > date(2099, 12, 31):
        raise BadInput("report dates run from 2000-01-01 to 2099-12-31")


def halves(first: date, last: date) -> list[str]:
    out: list[str] = []
    year, part = first.year, 1 if first.month <= 6 else 2
    while (year, part) <= (last.year, 1 if last.month <= 6 else 2):
        out.append(f"{year}-H{part}")
        year, part = (year, 2) if part == 1 else (year + 1, 1)
    return out


def _outcome(state: str, target_outcomes: list[str], preserved: bool, table: str) -> str:
    if state == CaseState.REJECTED:
        return "rejected"
    if table == PRESERVATION:
        if preserved:
            return "preserved"
        return "lapsed" if state == CaseState.EXPIRED else "pending"
    if state == CaseState.DISCLOSED:
        return "produced" if PRODUCE in target_outcomes else "no_data"
    if state == CaseState.EXPIRED:
        return "lapsed"
    return "pending"


def facts(row: dict[str, Any], target_outcomes: list[str], notice: dict[str, Any] | None,
          produced_categories: list[str], hold_statuses: list[str], cal: LegalCalendar) -> CaseFacts:
    """One case as the report sees it. `row` has the case columns the report reads, and `instrument` and
    `mlat_origin` from its submission."""
    kind = row["kind"]
    instrument = str(row["instrument"] or "")
    if kind == CaseKind.EMERGENCY:
        table, instrument = EMERGENCY, "emergency"
    elif kind == CaseKind.PRESERVATION and not row["legal_process_at"]:
        table, instrument = PRESERVATION, "preservation_request"
    else:
        table = LEGAL_PROCESS
        instrument = instrument or "unspecified"
    country = str(row["country"])
    if table == LEGAL_PROCESS and (row["mlat_origin"] or "").strip():
        # Through the treaty: counted under the requesting state as MLAT, whichever Korean process (an
        # approval, a court permission, a warrant) it was executed on, never as a domestic instrument.
        country, instrument = str(row["mlat_origin"]).strip(), "mlat"
    received = cal.local_date(row["received_at"])
    outcome = _outcome(row["state"], target_outcomes, bool(hold_statuses), table)
    notice = notice or {}
    ndo = bool(notice.get("nondisclosure_until") or notice.get("nondisclosure_indefinite")
               or notice.get("reason") == "nondisclosure_order")
    sent = notice.get("status") == NoticeStatus.SENT
    return CaseFacts(
        case_id=row["case_id"], table=table, period=half_of(received), month=f"{received:%Y-%m}",
        country=country.upper(), instrument=instrument, outcome=outcome, accounts=len(target_outcomes),
        accounts_produced=target_outcomes.count(PRODUCE) if outcome == "produced" else 0,
        reject_reason=(row["reject_reason"] or RejectReason.OTHER.value) if outcome == "rejected" else None,
        content=outcome == "produced" and "content" in produced_categories,
        nondisclosure_order=ndo,
        user_notified=sent,
        notice_delayed=notice.get("status") == NoticeStatus.DEFERRED or (sent and ndo),
        redirected=bool({CUSTOMER_CONTROLLED, REDIRECTED} & set(target_outcomes)),
        verification_failed=bool(row["callback_failed"]),
        followup_process=kind == CaseKind.EMERGENCY and bool(row["legal_process_at"]),
        extended="extended" in hold_statuses or int(row["extensions_used"] or 0) > 0,
    )


def _measures(f: CaseFacts) -> Iterable[tuple[str, int]]:
    """(measure, accounts) for each measure this case counts in."""
    yield "received", f.accounts
    if f.outcome == "produced":
        yield "produced", f.accounts_produced
        if f.accounts > f.accounts_produced:
            yield "no_data", f.accounts - f.accounts_produced
    else:
        yield f.outcome, f.accounts
    details = DETAILS[f.table]
    flags = {
        "produced_content": f.outcome == "produced" and f.content,
        "produced_non_content": f.outcome == "produced" and not f.content,
        "nondisclosure_order": f.nondisclosure_order,
        "users_notified": f.user_notified,
        "notices_delayed": f.notice_delayed,
        "redirected_to_customer": f.redirected,
        "verification_failed": f.verification_failed,
        "followup_process_received": f.followup_process,
        "extended": f.extended,
    }
    for name in details:
        if flags[name]:
            yield name, f.accounts_produced if name.startswith("produced_") else f.accounts


def pivot(all_facts: Iterable[CaseFacts], not_reviewed_by_period: dict[str, int],
          periods: list[str]) -> list[dict[str, Any]]:
    """The report as long rows: (table, period, country, instrument, measure) -> requests, accounts.
    Every measure of a group that received anything is present, zeros included; rejection reasons only
    where there were some; the internal not-reviewed figure for every period of the range."""
    requests: Counter[tuple[str, str, str, str, str]] = Counter()
    accounts: Counter[tuple[str, str, str, str, str]] = Counter()
    groups: set[tuple[str, str, str, str]] = set()
    for f in all_facts:
        groups.add((f.table, f.period, f.country, f.instrument))
        extra_no_data = f.outcome == "produced" and f.accounts > f.accounts_produced
        for measure, count in _measures(f):
            key = (f.table, f.period, f.country, f.instrument, measure)
            # A produced request's unproductive targets add accounts to no_data, not a request.
            requests[key] += 0 if (measure == "no_data" and extra_no_data) else 1
            accounts[key] += count
        if f.reject_reason:
            key = (REJECTION_REASONS, f.period, f.country, f.instrument, f.reject_reason)
            requests[key] += 1
            accounts[key] += f.accounts
    rows: list[dict[str, Any]] = []
    order = {t: i for i, t in enumerate(TABLES)}
    for table, period, country, instrument in sorted(groups, key=lambda g: (order[g[0]], *g[1:])):
        for measure in MEASURES[table]:
            key = (table, period, country, instrument, measure)
            rows.append(_row(table, period, country, instrument, measure, requests[key], accounts[key]))
    reasons = sorted((k for k in requests if k[0] == REJECTION_REASONS), key=lambda k: k[1:])
    rows += [_row(*k, requests[k], accounts[k]) for k in reasons]
    rows += [_row(INTERNAL, p, "", "", "not_reviewed", not_reviewed_by_period.get(p, 0), 0) for p in periods]
    return rows


def _row(table: str, period: str, country: str, instrument: str, measure: str, requests: int,
         accounts: int) -> dict[str, Any]:
    return {"table": table, "period": period, "country": country, "instrument": instrument, "measure": measure,
            "requests": requests, "accounts": accounts}


def collect(conn: Connection, first: date, last: date, cal: LegalCalendar) -> tuple[list[CaseFacts], dict[str, int]]:
    """Facts for every case received from `first` to `last` (Seoul dates, both included), and the
    not-reviewed submissions per half-year."""
    check_range(first, last)
    start, end = cal.start_of(first), cal.end_of(last)
    in_range = (cases.c.received_at >= start) & (cases.c.received_at < end)
    # Two fields of the submission are read in SQL, not every submission parsed in Python.
    instrument = cases.c.submission[("legal_basis", "instrument")].as_string().label("instrument")
    mlat_origin = cases.c.submission[("mlat", "origin_country")].as_string().label("mlat_origin")

    # Each related table is read once, joined to the same range, rather than by lists of case ids.
    def of_cases(*columns: Any, order_by: Any = None) -> Any:
        table = columns[0].table
        query = select(*columns).join(cases, cases.c.case_id == table.c.case_id).where(in_range)
        return conn.execute(query if order_by is None else query.order_by(order_by))

    outcomes: dict[str, list[str]] = defaultdict(list)
    for case_id, outcome in of_cases(targets.c.case_id, targets.c.outcome, order_by=targets.c.id):
        outcomes[case_id].append(outcome)
    notice_of = {n[0]: {"status": n[1], "reason": n[2], "nondisclosure_until": n[3], "nondisclosure_indefinite": n[4]}
                 for n in of_cases(notices.c.case_id, notices.c.status, notices.c.reason,
                                   notices.c.nondisclosure_until, notices.c.nondisclosure_indefinite)}
    produced = {case_id: list(categories or []) for case_id, categories in
                of_cases(productions.c.case_id, productions.c.categories)}
    hold_statuses: dict[str, list[str]] = defaultdict(list)
    for case_id, status in of_cases(holds.c.case_id, holds.c.status):
        hold_statuses[case_id].append(status)
    # A preservation whose legal process came as a case of its own, in this report, is counted there.
    followed = set(conn.execute(select(cases.c.linked_to).where(
        in_range, cases.c.kind == CaseKind.LEGAL_PROCESS.value, cases.c.linked_to.is_not(None))).scalars())
    result = conn.execute(select(
        cases.c.case_id, cases.c.kind, cases.c.state, cases.c.country, instrument, mlat_origin, cases.c.received_at,
        cases.c.reject_reason, cases.c.legal_process_at, cases.c.callback_failed, cases.c.extensions_used)
        .where(in_range).order_by(cases.c.received_at, cases.c.case_id))
    keys = list(result.keys())
    all_facts = []
    for values in result:  # one case at a time: the facts are kept, the rows are not
        r = dict(zip(keys, values, strict=True))
        case_id = r["case_id"]
        if r["kind"] == CaseKind.PRESERVATION and case_id in followed:
            continue
        all_facts.append(facts(r, outcomes.pop(case_id, []), notice_of.pop(case_id, None),
                               produced.pop(case_id, []), hold_statuses.pop(case_id, []), cal))
    unreviewed: Counter[str] = Counter()
    for (at,) in conn.execute(select(not_reviewed.c.at).where(not_reviewed.c.at >= start, not_reviewed.c.at < end)):
        unreviewed[half_of(cal.local_date(at))] += 1
    return all_facts, dict(unreviewed)


def figures(all_facts: list[CaseFacts], unreviewed: dict[str, int], first: date, last: date) -> dict[str, Any]:
    """The report's rows with the two totals every caller shows: requests counted, submissions not reviewed."""
    rows = pivot(all_facts, unreviewed, halves(first, last))
    return {"rows": rows, "requests": sum(r["requests"] for r in rows if r["measure"] == "received"),
            "not_reviewed": sum(unreviewed.values())}


def report(conn: Connection, first: date, last: date, cal: LegalCalendar) -> dict[str, Any]:
    all_facts, unreviewed = collect(conn, first, last, cal)
    return figures(all_facts, unreviewed, first, last)


def monthly(all_facts: Iterable[CaseFacts]) -> dict[str, dict[str, Any]]:
    """Per month of receipt: requests by instrument, and the share of requests with some data produced."""
    months: dict[str, dict[str, Any]] = {}
    for f in all_facts:
        m = months.setdefault(f.month, {"by_instrument": Counter(), "received": 0, "produced": 0})
        m["by_instrument"][f.instrument] += 1
        m["received"] += 1
        m["produced"] += f.outcome == "produced"
    for m in months.values():
        m["produced_share"] = m["produced"] / m["received"] if m["received"] else 0.0
    return dict(sorted(months.items()))

