"""The transparency pivot as pure arithmetic on case facts: one outcome per request, accounts that add
up, MLAT under the requesting state, a preservation turned legal process counted once."""

from __future__ import annotations

from typing import Any

from ledesk.reports.transparency import CaseFacts, facts, halves, pivot
from tests.factories import calendar, sample, seoul

CAL = calendar()


def row(name: str = "warrant", **changes: Any) -> dict[str, Any]:
    base = {"case_id": "LE-1", "kind": sample(name)["kind"], "state": "received", "country": "KR",
            "instrument": sample(name)["legal_basis"]["instrument"], "mlat_origin": None,
            "received_at": seoul(2026, 12, 1), "reject_reason": None,
            "legal_process_at": None, "linked_to": None, "callback_failed": False, "extensions_used": 0}
    base.update(changes)
    return base


def cell(rows: list[dict[str, Any]], *key: str) -> tuple[int, int]:
    found = [r for r in rows if (r["table"], r["period"], r["country"], r["instrument"], r["measure"]) == key]
    assert len(found) == 1, key
    return found[0]["requests"], found[0]["accounts"]


def test_mlat_is_counted_under_the_requesting_state_not_the_relaying_ministry() -> None:
    f = facts(row(instrument="mlat", mlat_origin="jp"), ["pending"], None, [], [], CAL)
    assert (f.table, f.country, f.instrument) == ("legal_process", "JP", "mlat")


def test_a_preservation_with_legal_process_attached_counts_as_legal_process() -> None:
    f = facts(row("preservation", instrument="search_warrant", legal_process_at=seoul(2026, 12, 5)), ["pending"],
              None, [], ["converted"], CAL)
    assert (f.table, f.instrument, f.outcome) == ("legal_process", "search_warrant", "pending")
    plain = facts(row("preservation", state="preserved"), ["pending"], None, [], ["active"], CAL)
    assert (plain.table, plain.instrument, plain.outcome) == ("preservation", "preservation_request", "preserved")


def test_a_produced_request_counts_its_unproductive_accounts_under_no_data_but_the_request_once() -> None:
    f = facts(row(state="disclosed"), ["produce", "no_data", "not_held"], None, ["content", "subscriber_info"], [],
              CAL)
    rows = pivot([f], {}, ["2026-H2"])
    key = ("legal_process", "2026-H2", "KR", "search_warrant")
    assert cell(rows, *key, "received") == (1, 3)
    assert cell(rows, *key, "produced") == (1, 1)
    assert cell(rows, *key, "no_data") == (0, 2)
    assert cell(rows, *key, "produced_content") == (1, 1)
    assert cell(rows, *key, "produced_non_content") == (0, 0)


def test_rejections_are_histogrammed_by_reason_and_unreviewed_submissions_are_only_internal() -> None:
    rejected = [facts(row(case_id=f"LE-{n}", state="rejected", reject_reason=reason), ["rejected"], None, [], [], CAL)
                for n, reason in enumerate(["foreign_direct_request", "foreign_direct_request", "vague_or_overbroad"])]
    rows = pivot(rejected, {"2026-H2": 4}, halves(seoul(2026, 12, 1).date(), seoul(2027, 1, 2).date()))
    assert cell(rows, "rejection_reasons", "2026-H2", "KR", "search_warrant", "foreign_direct_request") == (2, 2)
    assert cell(rows, "rejection_reasons", "2026-H2", "KR", "search_warrant", "vague_or_overbroad") == (1, 1)
    assert cell(rows, "internal", "2026-H2", "", "", "not_reviewed") == (4, 0)
    assert cell(rows, "internal", "2027-H1", "", "", "not_reviewed") == (0, 0)
    assert cell(rows, "legal_process", "2026-H2", "KR", "search_warrant", "received") == (3, 3)


def test_notices_delayed_under_an_order_and_users_notified() -> None:
    delayed = facts(row(state="disclosed"), ["produce"], {"status": "deferred", "reason": "nondisclosure_order",
                                                           "nondisclosure_until": "2027-03-31"}, [], [], CAL)
    after_order = {"status": "sent", "nondisclosure_until": "2027-01-01"}
    sent_after_order = facts(row(state="disclosed"), ["produce"], after_order, [], [], CAL)
    told = facts(row(state="disclosed"), ["produce"], {"status": "sent"}, [], [], CAL)
    assert [(f.nondisclosure_order, f.notice_delayed, f.user_notified) for f in (delayed, sent_after_order, told)] == [
        (True, True, False), (True, True, True), (False, False, True)]


def test_every_group_lists_every_measure_even_when_zero() -> None:
    rows = pivot([CaseFacts("LE-1", "preservation", "2026-H2", "2026-12", "KR", "preservation_request", "pending", 2,
                            0)], {}, ["2026-H2"])
    assert [r["measure"] for r in rows if r["table"] == "preservation"] == [
        "received", "rejected", "preserved", "pending", "lapsed", "extended"]
