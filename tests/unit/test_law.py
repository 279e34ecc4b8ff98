"""The rules of issue 14 as the law states them, each on plain case records with a fake clock: what counts
as legal process, what a lapse does, the user's notice, CPA art. 215-2, MLAT, emergencies and intake."""

from __future__ import annotations

from datetime import date

import pytest

from ledesk.models.enums import NoticeReason, NoticeStatus, TimerKind
from ledesk.models.submission import SubmissionError, parse_submission
from ledesk.states.attempt import Attachment
from ledesk.states.completeness import deficiencies, emergency_deficiencies
from ledesk.states.effects import Related
from ledesk.states.engine import apply
from ledesk.states.errors import GuardRefused
from ledesk.states.notice import NonDisclosureOrder, decide
from tests.factories import attempt, calendar, case, legal_process_document, policy, sample, seoul


def refused(rule: str, record, att, rel=None) -> GuardRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(GuardRefused) as info:
        apply(record, att, rel or Related())
    assert info.value.guard == rule, info.value.message
    return info.value


def preserved(name: str = "preservation", **fields: object):  # type: ignore[no-untyped-def]
    return case(name, state="preserved", **fields)


HOLD = Related(has_active_hold=True, has_hold=True, hold_expires_at=seoul(2027, 3, 2, 0))
PHONE = [{"type": "phone", "value": "+82 10-1234-5678", "known_info": ""}]  # the preservation's target, written
#                                                                             another way


# -- 2. what counts as legal process --------------------------------------------------------------------
def test_a_scan_or_a_preservation_request_is_not_legal_process() -> None:
    refused("legal_process_executable", preserved(), attempt("attach_legal_process",
                                                             attachment=Attachment("w.pdf", b"%PDF")), HOLD)
    note = legal_process_document(instrument="preservation_request")
    refused("legal_process_executable", preserved(), attempt("attach_legal_process", attachment=note), HOLD)


def test_a_foreign_authoritys_own_warrant_is_not_executable_but_korean_process_via_mlat_is() -> None:
    foreign = case("foreign_direct", state="awaiting_legal_process", country="US")
    us_warrant = legal_process_document(issued_by="US District Court", targets=None)
    err = refused("legal_process_executable", foreign, attempt("attach_legal_process", attachment=us_warrant))
    assert "MLAT" in err.message
    mlat = case("warrant", state="awaiting_legal_process", regime="MLAT_VIA_MOJ")
    after, _ = apply(mlat, attempt("attach_legal_process", attachment=legal_process_document()), Related())
    assert after.state == "received" and after.legal_process_at is not None


def test_process_that_has_lapsed_or_whose_validity_cannot_be_told_is_refused() -> None:
    lapsed = legal_process_document(issued_on="2026-11-01", valid_until="2026-11-30")
    err = refused("legal_process_valid_now", preserved(), attempt("attach_legal_process", attachment=lapsed), HOLD)
    assert "2026-11-30" in err.message
    blind = legal_process_document(issued_on=None, valid_until=None)
    refused("legal_process_valid_now", preserved(), attempt("attach_legal_process", attachment=blind), HOLD)


def test_a_warrant_naming_no_end_is_valid_seven_days_from_its_issue_rules_on_criminal_procedure_178() -> None:
    # Issued Tuesday 24 November 2026: valid through 1 December, refused from 2 December.
    warrant = legal_process_document(issued_on="2026-11-24", valid_until=None)
    last_day = attempt("attach_legal_process", attachment=warrant, now=seoul(2026, 12, 1, 23, 59))
    assert apply(preserved(), last_day, HOLD)[0].state == "received"
    day_after = attempt("attach_legal_process", attachment=warrant, now=seoul(2026, 12, 2, 0, 1))
    refused("legal_process_valid_now", preserved(), day_after, HOLD)


def test_process_must_name_a_target_of_the_case_matched_by_normalised_identifier() -> None:
    other = legal_process_document(targets=[{"type": "email", "value": "someone@example.com", "known_info": ""}])
    refused("legal_process_names_case_target", preserved(), attempt("attach_legal_process", attachment=other), HOLD)
    same = legal_process_document(targets=PHONE)
    after, step = apply(preserved(), attempt("attach_legal_process", attachment=same), HOLD)
    assert after.state == "received" and step.effects.hold is not None and step.effects.hold.op == "convert"


def test_new_legal_process_voids_the_recommendation() -> None:
    waiting = case("warrant", state="awaiting_legal_process", recommended_by="alice", recommendation_reason="ok",
                   approved_by="bob")
    after, _ = apply(waiting, attempt("attach_legal_process", attachment=legal_process_document()), Related())
    assert after.recommended_by is None and after.approved_by is None
    refused("recommended", after, attempt("approve_disclosure", "bob", ("approver",)))


def test_a_process_that_lapses_during_the_notice_lead_time_does_not_disclose() -> None:
    notified = case("warrant", state="notify_user", recommended_by="alice", approved_by="bob",
                    legal_process_at=seoul(2026, 12, 1))
    # The sample warrant is valid until 27 December 2026; the lead time ends after that.
    late = attempt("disclose", "system", ("system",), now=seoul(2026, 12, 28, 10), due_at=seoul(2026, 12, 28))
    after, step = apply(notified, late, Related(notice_status="sent"))
    assert after.state == "awaiting_legal_process" and after.recommended_by is None
    assert [m.kind for m in step.effects.messages] == ["legal_process_required"]
    assert [t.kind for t in step.effects.timers] == [TimerKind.LEGAL_PROCESS_DEADLINE]
    in_time = attempt("disclose", "system", ("system",), now=seoul(2026, 12, 9, 10), due_at=seoul(2026, 12, 9))
    assert apply(notified, in_time, Related(notice_status="pending"))[0].state == "disclosed"


def test_approval_refuses_a_warrant_past_its_seven_days() -> None:
    raw = sample("warrant")
    raw["legal_basis"] = {**raw["legal_basis"], "issued_on": "2026-11-20", "valid_until": None}
    record = case("warrant", recommended_by="alice")
    record.submission = parse_submission(raw)
    refused("legal_process_valid", record, attempt("approve_disclosure", "bob", ("approver",)))


# -- 3. nothing kept longer than the law allows ----------------------------------------------------------
def test_an_ended_preservation_cannot_be_extended_even_before_the_sweep() -> None:
    ended = Related(has_active_hold=True, has_hold=True, hold_expires_at=seoul(2027, 3, 2, 0))
    err = refused("preservation_not_ended", preserved(), attempt("extend", now=seoul(2027, 3, 2, 0, 5)), ended)
    assert "2027-03-01" in err.message
    assert apply(preserved(), attempt("extend", now=seoul(2027, 3, 1, 23)), ended)[0].extensions_used == 1


# -- 5. the user's notice ----------------------------------------------------------------------------------
def _plan(record, order: NonDisclosureOrder, now=None):  # type: ignore[no-untyped-def]
    p = policy()
    return decide(record, order, now or seoul(2026, 12, 1, 10), p, calendar(p))


def test_an_order_whose_end_has_passed_defers_nothing() -> None:
    plan = _plan(case("warrant"), NonDisclosureOrder(until=date(2026, 11, 30), reference="NDO-1"))
    assert plan.status == NoticeStatus.PENDING and plan.reason == NoticeReason.LEAD_TIME
    plan = _plan(case("warrant"), NonDisclosureOrder(until=date(2026, 12, 1), reference="NDO-1"))
    assert plan.status == NoticeStatus.DEFERRED  # the order's last day is today: still in force


def test_indefinite_without_an_order_is_a_wish_reviewed_later_and_with_one_suppresses() -> None:
    wish = _plan(case("warrant"), NonDisclosureOrder(indefinite=True))
    assert wish.status == NoticeStatus.DEFERRED and wish.reason == NoticeReason.UNSUPPORTED_NONDISCLOSURE
    assert wish.due_at == calendar(policy()).start_of(date(2027, 3, 2))  # 90 days, the first not counted
    order = _plan(case("warrant"), NonDisclosureOrder(indefinite=True, reference="2026-NDO-7"))
    assert order.status == NoticeStatus.SUPPRESSED
    approve = attempt("approve_disclosure", "bob", ("approver",))
    after, step = apply(case("warrant", recommended_by="alice"), approve,
                        Related(order=NonDisclosureOrder(indefinite=True)))
    assert after.state == "disclosed" and [t.kind for t in step.effects.timers] == [TimerKind.NOTICE_REVIEW]


def test_the_instrument_not_the_kind_decides_the_notice() -> None:
    raw = sample("preservation")
    raw["legal_basis"] = sample("warrant")["legal_basis"]
    record = case("preservation")
    record.submission = parse_submission(raw)
    assert _plan(record, NonDisclosureOrder()).status == NoticeStatus.PENDING
    assert _plan(case("preservation"), NonDisclosureOrder()).status == NoticeStatus.NOT_REQUIRED


# -- 6. CPA art. 215-2 and MLAT ----------------------------------------------------------------------------
def test_215_2_binds_only_from_its_entry_into_force_act_21241() -> None:
    before = case("preservation_statutory", at=seoul(2026, 6, 29, 12))
    err = refused("statutory_regime_in_force", before, attempt("preserve", now=seoul(2026, 6, 29, 13)))
    assert "2026-06-30" in err.message and "voluntary" in err.message
    on_the_day = case("preservation_statutory", at=seoul(2026, 6, 30, 9))
    assert apply(on_the_day, attempt("preserve", now=seoul(2026, 6, 30, 10)), Related())[0].state == "preserved"


def test_the_215_2_extension_needs_a_court_permission_issued_by_a_court() -> None:
    statutory = preserved("preservation_statutory")
    hold = Related(has_active_hold=True, has_hold=True, hold_expires_at=seoul(2027, 1, 30, 0))
    renewal = legal_process_document(instrument="statutory_request", issued_by="Seoul Central District Prosecutors")
    err = refused("court_permission_if_required", statutory, attempt("extend", attachment=renewal), hold)
    assert "statutory_request" in err.message
    by_prosecutor = legal_process_document(instrument="court_permission", issued_by="Seoul Prosecutors' Office")
    err = refused("court_permission_if_required", statutory, attempt("extend", attachment=by_prosecutor), hold)
    assert "not by a court" in err.message
    refused("court_permission_if_required", statutory,
            attempt("extend", attachment=Attachment("permission.pdf", b"%PDF")), hold)
    court = legal_process_document(instrument="court_permission", issued_by="서울중앙지방법원")
    assert apply(statutory, attempt("extend", attachment=court), hold)[0].extensions_used == 1


def test_mlat_approval_covers_subscriber_data_only_mlat_act_17_2() -> None:
    assert policy().instruments["mlat"] == ["subscriber_info"]
    record = case("warrant", recommended_by="alice", regime="MLAT_VIA_MOJ")
    raw = sample("warrant", mlat={"origin_country": "JP", "korean_process_reference": "MLAT-1"})
    raw["legal_basis"] = {**raw["legal_basis"], "instrument": "mlat"}
    record.submission = parse_submission(raw)
    err = refused("instrument_suffices", record, attempt("approve_disclosure", "bob", ("approver",)))
    assert "content" in err.message


# -- 7. emergencies and intake -----------------------------------------------------------------------------
def test_an_emergency_discloses_only_on_a_stated_and_certified_danger() -> None:
    raw = sample("emergency")
    raw["emergency"] = {**raw["emergency"], "certified": False}
    record = case("emergency", callback_ok_by="olga")
    record.submission = parse_submission(raw)
    err = refused("emergency_stated_and_certified", record, attempt("emergency_disclose", "bob", ("approver",)))
    assert "certification" in err.message
    assert [d["field"] for d in emergency_deficiencies(record.submission)] == ["emergency.certified"]
    assert emergency_deficiencies(parse_submission(sample("emergency"))) == []


def test_a_respond_by_date_already_past_is_a_deficiency() -> None:
    sub = parse_submission(sample("warrant", respond_by="2026-11-30"))
    assert "respond_by" in [d["field"] for d in deficiencies(sub, date(2026, 12, 1))]
    assert "respond_by" not in [d["field"] for d in deficiencies(sub, date(2026, 11, 30))]


@pytest.mark.parametrize("written", ["2026. 11. 3.", "2026.11.03", "2026년 11월 3일", "2026-11-03", "2026. 11. 3"])
def test_dates_written_the_korean_way_are_dates(written: str) -> None:
    assert parse_submission(sample("warrant", respond_by=written)).respond_by == date(2026, 11, 3)


@pytest.mark.parametrize("written", ["3 Nov 2026", "2026/13/01", "11/03/2026", "2026년 2월 30일"])
def test_anything_else_is_refused_naming_the_field(written: str) -> None:
    with pytest.raises(SubmissionError, match="respond_by"):
        parse_submission(sample("warrant", respond_by=written))
