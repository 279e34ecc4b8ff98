"""Issue 23, who issued the instrument: a warrant is issued by a judge (Constitution art. 12(3), CPA art.
215(1)), a communication-confirmation permission by a district court (PCSA art. 13(3)). A "warrant" from
a police station or a prosecutors' office is not that instrument: one rule (states.process.not_court_issued)
refuses it for conversion, disclosure, an emergency's follow-up and a CPA 215-2 extension alike."""

from __future__ import annotations

import pytest

from ledesk.models.submission import parse_submission
from ledesk.states.effects import Related
from ledesk.states.engine import apply
from ledesk.states.errors import GuardRefused
from ledesk.states.followup import checked
from ledesk.states.process import issued_by_court, not_court_issued
from tests.factories import attempt, case, legal_process_document, policy, sample, seoul

HOLD = Related(has_active_hold=True, has_hold=True, hold_expires_at=seoul(2027, 3, 2, 0))
NOT_COURTS = ["Gangnam Police Station", "Seoul Central District Prosecutors' Office", "서울강남경찰서",
              "서울중앙지방검찰청", ""]


def _refused(rule: str, record, att, rel=None) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(GuardRefused) as info:
        apply(record, att, rel or Related())
    assert info.value.guard == rule, info.value.message
    return info.value.message


@pytest.mark.parametrize("issuer", ["Seoul Central District Court", "서울중앙지방법원",
                                    "Judge Park, Suwon District Court"])
def test_a_court_or_a_judge_issues(issuer: str) -> None:
    assert issued_by_court(issuer)


@pytest.mark.parametrize("issuer", NOT_COURTS)
def test_a_police_station_or_a_prosecutors_office_does_not(issuer: str) -> None:
    assert not issued_by_court(issuer)


@pytest.mark.parametrize("instrument", ["search_warrant", "court_permission"])
def test_only_court_issued_instruments_are_held_to_it(instrument: str) -> None:
    """A statutory request (TBA art. 83(3)) is the prosecutor's or police's own: no court is named."""
    basis = parse_submission(sample("warrant")).legal_basis.model_copy(
        update={"instrument": instrument, "issued_by": "Gangnam Police Station"})
    message = not_court_issued(basis, policy())
    assert message is not None and "Constitution art. 12(3)" in message and "Gangnam Police Station" in message
    statutory = basis.model_copy(update={"instrument": "statutory_request"})
    assert not_court_issued(statutory, policy()) is None


@pytest.mark.parametrize("issuer", NOT_COURTS[:2])
def test_a_warrant_from_the_police_does_not_convert_a_preservation(issuer: str) -> None:
    warrant = legal_process_document(issued_by=issuer)
    message = _refused("legal_process_executable", case("preservation", state="preserved"),
                       attempt("attach_legal_process", attachment=warrant), HOLD)
    assert "not legal process" in message
    by_court = legal_process_document(issued_by="Seoul Central District Court")
    assert apply(case("preservation", state="preserved"), attempt("attach_legal_process", attachment=by_court),
                 HOLD)[0].state == "received"


def test_a_warrant_from_a_prosecutors_office_does_not_support_a_disclosure() -> None:
    raw = sample("warrant")
    raw["legal_basis"] = {**raw["legal_basis"], "issued_by": "Seoul Central District Prosecutors' Office"}
    record = case("warrant", recommended_by="alice")
    record.submission = parse_submission(raw)
    message = _refused("instrument_suffices", record, attempt("approve_disclosure", "bob", ("approver",)))
    assert "CPA art. 215(1)" in message


def test_a_communication_confirmation_permission_from_the_police_is_not_one() -> None:
    """PCSA art. 13(3): the permission comes from a district court."""
    raw = sample("court_permission")
    raw["legal_basis"] = {**raw["legal_basis"], "issued_by": "Seoul Metropolitan Police Agency"}
    record = case("court_permission", recommended_by="alice")
    record.submission = parse_submission(raw)
    assert "PCSA art. 13(3)" in _refused("instrument_suffices", record,
                                         attempt("approve_disclosure", "bob", ("approver",)))


def test_an_emergencys_follow_up_from_the_police_is_not_its_legal_process() -> None:
    disclosed = case("emergency", state="disclosed")
    target = [{"type": t.type.value, "value": t.value} for t in disclosed.submission.targets]
    follow_up = legal_process_document(instrument="court_permission", issued_by="Seoul Metropolitan Police Agency",
                                       targets=target)
    with pytest.raises(GuardRefused) as info:
        checked(disclosed, attempt("followup"), follow_up)
    assert info.value.guard == "legal_process_executable" and "court" in info.value.message


def test_the_215_2_extension_reads_the_same_rule() -> None:
    """CPA art. 215-2(3): the extension needs the court's permission; a permission the prosecutor wrote is not."""
    hold = Related(has_active_hold=True, has_hold=True, hold_expires_at=seoul(2027, 1, 30, 0))
    by_prosecutor = legal_process_document(instrument="court_permission", issued_by="서울중앙지방검찰청")
    message = _refused("court_permission_if_required", case("preservation_statutory", state="preserved"),
                       attempt("extend", attachment=by_prosecutor), hold)
    assert "not by a court" in message


def test_a_warrant_executed_once_is_spent() -> None:
    """Supreme Court 99모161: once executed, a warrant cannot be executed again, however the case it came in
    on ended; the store answers whether it was (adapters.store.executed_warrant)."""
    record = case("warrant", recommended_by="alice")
    approve = attempt("approve_disclosure", "bob", ("approver",))
    approve.warrant_executed_in = lambda: "LE-FIRST"
    message = _refused("warrant_not_spent", record, approve)
    assert "99모161" in message and "LE-FIRST" in message and "2026-SW-88121" in message
    unspent = attempt("approve_disclosure", "bob", ("approver",))
    assert apply(record, unspent, Related())[0].state == "notify_user"
