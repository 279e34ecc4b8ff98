"""Issue 23, the law's second pass, the rules that are pure: what a foreign or emergency request may get,
what is kept, and the letters and notices. Each test cites the article its rule states; the rules that
need the vault and the data source are tested in tests/integration/test_law_second_pass.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledesk.models.enums import NoticeReason, NoticeStatus
from ledesk.models.submission import parse_submission
from ledesk.reports.transparency import facts
from ledesk.states import scope
from ledesk.states.completeness import deficiencies, statutory_notes
from ledesk.states.effects import Related
from ledesk.states.engine import apply
from ledesk.states.errors import GuardRefused
from ledesk.states.followup import checked, not_covering
from ledesk.states.ledger import PCSA, entry
from ledesk.states.notice import NonDisclosureOrder, decide
from ledesk.states.phrasing import english_date
from ledesk.states.referral import referral_held
from tests.factories import attempt, calendar, case, legal_process_document, policy, sample, seoul

P = policy()
CAL = calendar(P)


def _emergency(categories: list[str], country: str = "KR", **fields: object):  # type: ignore[no-untyped-def]
    raw = sample("emergency")
    raw["data_requested"] = [{**raw["data_requested"][0], "category": c} for c in categories]
    record = case("emergency", country=country, **fields)
    record.submission = parse_submission(raw)
    return record


# -- what a foreign or emergency request may get ----------------------------------------------------------
@pytest.mark.parametrize("category", ["ip_logs", "access_logs", "traffic_data"])
def test_a_foreign_authoritys_direct_emergency_gets_no_communication_confirmation_data(category: str) -> None:
    """PCSA arts. 2(11), 3(1), 13: IP and access logs and call records go only to Korean prosecutors or police."""
    foreign = _emergency(["subscriber_info", category], country="US")
    why = scope.withheld_why(foreign, category, P, "police")
    assert why is not None and "PCSA arts. 3(1), 13" in why and "mutual legal assistance" in why
    assert scope.released(foreign, P, "police") == ["subscriber_info"]
    assert scope.released(_emergency([category]), P, "police") == [category]
    # A Korean authority that is neither prosecutor nor police does not obtain it either.
    assert scope.released(_emergency([category]), P, "regulator") == []


def test_an_emergency_that_releases_communication_confirmation_data_is_noticed_by_the_agency() -> None:
    """PCSA art. 13-5: the agency tells the user; the provider never does (art. 11(2)); no 90-day review."""
    plan = decide(_emergency(["ip_logs"]), NonDisclosureOrder(), seoul(2026, 12, 1, 10), P, CAL)
    assert (plan.status, plan.reason, plan.due_at) == (NoticeStatus.SUPPRESSED, NoticeReason.AGENCY_NOTIFIES, None)
    subscriber = decide(_emergency(["subscriber_info"]), NonDisclosureOrder(), seoul(2026, 12, 1, 10), P, CAL)
    assert (subscriber.status, subscriber.reason) == (NoticeStatus.DEFERRED, NoticeReason.EMERGENCY)
    # A foreign emergency is released no such data, so nothing about it is the agency's to notify.
    foreign = decide(_emergency(["ip_logs"], country="US"), NonDisclosureOrder(), seoul(2026, 12, 1, 10), P, CAL)
    assert foreign.status == NoticeStatus.DEFERRED


def test_the_emergency_disclosure_of_ip_logs_suppresses_the_notice_for_ever() -> None:
    record = _emergency(["ip_logs"], callback_ok_by="olga")
    after, step = apply(record, attempt("emergency_disclose", "bob", ("approver",)), Related())
    assert after.state == "disclosed" and step.effects.notice is not None
    assert step.effects.notice.status == NoticeStatus.SUPPRESSED
    assert not [t for t in step.effects.timers if t.kind in ("notice_review", "delayed_notice")]


def test_an_emergency_that_released_ip_logs_is_entered_in_the_pcsa_ledger() -> None:
    """PCSA art. 13(7), (8): provision under the art. 13(3) proviso is registered and reported half-yearly."""
    now = seoul(2026, 12, 1, 12)
    row = entry(_emergency(["ip_logs"]), "Seoul Police", "police", ["ip_logs"], ["produce"], now, P, CAL)
    assert row is not None and row["ledger"] == PCSA
    assert entry(_emergency(["subscriber_info"]), "Seoul Police", "police", ["subscriber_info"], ["produce"],
                 now, P, CAL) is None


def test_the_follow_up_must_be_the_instrument_that_covers_what_was_released() -> None:
    """PCSA art. 13(3) proviso: IP logs released in urgency need the district court's permission after."""
    released_logs = _emergency(["ip_logs"], state="disclosed")
    message = not_covering("statutory_request", ["ip_logs"], P)
    assert message is not None and "PCSA art. 13(3) proviso" in message and "alert continues" in message
    assert not_covering("court_permission", ["ip_logs"], P) is None
    assert not_covering("court_permission", ["content"], P) is not None  # a warrant's, not this
    assert not_covering("statutory_request", ["subscriber_info"], P) is None
    target = [{"type": t.type.value, "value": t.value} for t in released_logs.submission.targets]
    request = legal_process_document(instrument="statutory_request", issued_by="Seoul Police", targets=target,
                                     provisions=["TBA art. 83(3)"])
    with pytest.raises(GuardRefused) as info:
        checked(released_logs, attempt("followup"), request, ["ip_logs"])
    assert info.value.guard == "followup_covers_release"
    checked(released_logs, attempt("followup"),
            legal_process_document(instrument="court_permission", targets=target), ["ip_logs"])


def test_a_treaty_request_is_counted_under_the_requesting_state_on_its_korean_basis() -> None:
    """MLAT Act art. 17(2): the Korean process executes it; the report counts it as MLAT from the state."""
    row = {"case_id": "LE-1", "kind": "legal_process", "state": "disclosed", "country": "KR",
           "instrument": "court_permission", "mlat_origin": "US", "received_at": seoul(2026, 12, 1),
           "legal_process_at": seoul(2026, 12, 2), "reject_reason": None, "callback_failed": False,
           "extensions_used": 0}
    counted = facts(row, ["produce"], None, ["ip_logs"], [], CAL)
    assert (counted.country, counted.instrument) == ("US", "mlat")
    domestic = facts({**row, "mlat_origin": None}, ["produce"], None, ["ip_logs"], [], CAL)
    assert (domestic.country, domestic.instrument) == ("KR", "court_permission")


# -- what is kept ----------------------------------------------------------------------------------------
def test_a_215_2_request_without_the_steps_statement_is_preserved_at_once_with_a_note() -> None:
    """CPA art. 215-2(1): preserve at once; the form's items apply "to the extent permitted"."""
    raw = sample("preservation_statutory")
    raw["preservation"]["steps_to_obtain_legal_process"] = ""
    sub = parse_submission(raw)
    assert deficiencies(sub, date(2026, 12, 1), statutory=True) == []
    assert [n["field"] for n in statutory_notes(sub)] == ["preservation.steps_to_obtain_legal_process"]
    assert "preservation.steps_to_obtain_legal_process" in [d["field"] for d in deficiencies(sub, date(2026, 12, 1))]
    record = case("preservation_statutory")
    record.submission = sub
    assert apply(record, attempt("preserve"), Related())[0].state == "preserved"
    voluntary = case("preservation")
    voluntary_raw = sample("preservation")
    voluntary_raw["preservation"]["steps_to_obtain_legal_process"] = ""
    voluntary.submission = parse_submission(voluntary_raw)
    with pytest.raises(GuardRefused) as info:
        apply(voluntary, attempt("preserve"), Related())
    assert info.value.guard == "preservation_attested"


# -- letters and notices ---------------------------------------------------------------------------------
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("status", "until", "indefinite", "secret", "held"), [
    ("pending", None, False, True, True),             # CPA 215-2 secrecy, whatever the notice says
    ("not_required", None, False, True, True),        # a 215-2 preservation that ended: still secret
    ("not_required", TODAY + timedelta(days=30), False, False, True),  # an NDO in force
    ("sent", TODAY + timedelta(days=1), False, False, True),
    ("not_required", None, True, False, True),
    ("deferred", None, False, False, True),
    ("suppressed", None, False, False, True),
    (None, None, False, False, True),
    ("not_required", TODAY - timedelta(days=1), False, False, False),  # the order ended
    ("sent", None, False, False, False),
    ("pending", None, False, False, False),
])
def test_a_referral_is_held_while_any_notice_is_held_or_not_allowed(status: str | None, until: date | None,
                                                                    indefinite: bool, secret: bool,
                                                                    held: bool) -> None:
    """CPA art. 215-2 staff confidentiality, PCSA art. 11(2) and an NDO forbid tipping the user off; a
    referral to abuse is as loud as a notice."""
    assert (referral_held(status, until, indefinite, secret, TODAY) is not None) is held


@pytest.mark.parametrize("hour", [0, 9, 23])
@pytest.mark.parametrize("valid_days", [0, 1, 3, 30])
def test_a_user_notice_never_names_a_day_before_the_disclosure(hour: int, valid_days: int) -> None:
    """The notice names the day the disclosure happens (the lead time's end, capped by validity, Rules on
    Criminal Procedure art. 178), so the user is never told a day the data is not yet provided."""
    now = seoul(2026, 12, 3, hour, 30)
    raw = sample("warrant")
    raw["legal_basis"] = {**raw["legal_basis"], "issued_on": "2026-12-01",
                          "valid_until": (date(2026, 12, 3) + timedelta(days=valid_days)).isoformat()}
    record = case("warrant", recommended_by="alice")
    record.submission = parse_submission(raw)
    _, step = apply(record, attempt("approve_disclosure", "bob", ("approver",), now=now), Related())
    [timer] = [t for t in step.effects.timers if t.kind == "notice_lead_time"]
    notices = [m for m in step.effects.messages if m.kind == "user_notice"]
    [named] = {m.context["provide_on"] for m in notices}
    assert all(f"on or after {english_date(named)} " in m.body for m in notices)
    disclosed_on = CAL.local_date(timer.due_at)
    assert date.fromisoformat(named) == disclosed_on >= CAL.local_date(now)
    assert timer.due_at >= CAL.start_of(date.fromisoformat(named))


# -- how long a converted hold lives ---------------------------------------------------------------------
def test_a_converted_hold_is_kept_while_its_period_runs_or_its_process_may_be_executed() -> None:
    """Rules on Crim. Proc. art. 178 (validity), PIPA art. 21(1) (destroy without delay once not needed)."""
    from ledesk.states.retention import converted_hold_lapses

    end = seoul(2027, 3, 2, 0)
    record = case("warrant", legal_process_at=seoul(2026, 12, 2))  # valid until 2026-12-27
    assert converted_hold_lapses(record, end, seoul(2027, 1, 5), P, CAL) is None        # the period runs
    lapsed = converted_hold_lapses(record, end, seoul(2027, 3, 2, 1), P, CAL)
    assert lapsed is not None and "not executed" in lapsed
    raw = sample("warrant")
    raw["legal_basis"] = {**raw["legal_basis"], "valid_until": "2027-04-30"}
    record.submission = parse_submission(raw)
    assert converted_hold_lapses(record, end, seoul(2027, 3, 5), P, CAL) is None        # may still be executed
    assert converted_hold_lapses(record, end, seoul(2027, 5, 1), P, CAL) is not None
    closed = case("warrant", state="disclosed")
    assert converted_hold_lapses(closed, end, seoul(2027, 3, 2, 1), P, CAL) is not None
    # A hold converted before every hold had an end: from when the process arrived, the policy's wait.
    assert converted_hold_lapses(closed, None, seoul(2027, 3, 2, 1), P, CAL) is None  # 1 March: a holiday
    assert converted_hold_lapses(closed, None, seoul(2027, 3, 3, 0, 1), P, CAL) is not None


def test_a_215_2_preservation_is_recognised_after_process_converts_it() -> None:
    """CPA art. 215-2: its period binds whatever regime the converting process brings."""
    from ledesk.states.retention import began_as_statutory_preservation

    statutory = case("preservation_statutory")
    assert began_as_statutory_preservation(statutory)
    statutory.regime = "KR_WARRANT"
    assert began_as_statutory_preservation(statutory)
    assert not began_as_statutory_preservation(case("preservation"))
    assert not began_as_statutory_preservation(case("preservation_statutory", country="US"))
