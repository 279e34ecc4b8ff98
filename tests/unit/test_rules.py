"""The transition table's rules, fired on plain case records with a fake clock: no database."""

from __future__ import annotations

import json

import pytest

from ledesk.models.enums import DataCategory, NoticeStatus
from ledesk.models.submission import Approver, DataRequest
from ledesk.states.attempt import Attachment
from ledesk.states.effects import ALL, Related
from ledesk.states.engine import allowed_triggers, apply
from ledesk.states.errors import BadInput, GuardRefused, InvalidTrigger
from ledesk.states.notice import NonDisclosureOrder
from tests.factories import attempt, calendar, case, legal_process_document, policy, seoul


def refused(rule: str, record, att, rel=None) -> GuardRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(GuardRefused) as info:
        apply(record, att, rel or Related())
    assert info.value.guard == rule, info.value.message
    return info.value


def test_an_unknown_trigger_is_bad_input() -> None:
    with pytest.raises(BadInput, match="unknown trigger"):
        apply(case(), attempt("teleport"), Related())


def test_a_trigger_from_the_wrong_state_names_what_is_allowed() -> None:
    with pytest.raises(InvalidTrigger) as info:
        apply(case(state="disclosed"), attempt("preserve"), Related())
    assert "allowed now: none" in info.value.message


def test_unknown_actor_and_wrong_role_are_refused() -> None:
    refused("known_actor", case(), attempt("recommend_disclosure", "mallory", (), reason="x"))
    refused("actor_role", case(), attempt("recommend_disclosure", "olga", ("oncall",), reason="x"))


def test_the_recommender_cannot_approve_their_own_recommendation() -> None:
    record = case(recommended_by="alice")
    err = refused("recommended_by_other", record, attempt("approve_disclosure", "alice", ("reviewer", "approver")))
    assert "second person" in err.message


def test_approval_needs_a_recommendation_first() -> None:
    refused("recommended", case(), attempt("approve_disclosure", "bob", ("approver",)))


def test_approval_moves_to_notify_user_with_the_lead_time() -> None:
    after, step = apply(case(recommended_by="alice"), attempt("approve_disclosure", "bob", ("approver",)), Related())
    assert after.state == "notify_user"
    assert [t.kind for t in step.effects.timers] == ["notice_lead_time"]
    assert any(m.channel == "user_notice" for m in step.effects.messages)


def test_the_case_record_passed_in_is_never_changed() -> None:
    record = case(recommended_by="alice")
    apply(record, attempt("approve_disclosure", "bob", ("approver",)), Related())
    assert record.state == "received" and record.approved_by is None


def test_gag_order_sends_approval_straight_to_disclosure_with_a_delayed_notice() -> None:
    rel = Related(order=NonDisclosureOrder(until=seoul(2027, 3, 31).date()))
    after, step = apply(case(recommended_by="alice"), attempt("approve_disclosure", "bob", ("approver",)), rel)
    assert after.state == "disclosed"
    assert step.effects.notice is not None and step.effects.notice.status == NoticeStatus.DEFERRED
    assert not any(m.channel == "user_notice" for m in step.effects.messages)
    assert [t.kind for t in step.effects.timers] == ["delayed_notice"]
    assert ALL in step.effects.cancel


def test_communication_confirmation_data_notice_is_suppressed_for_ever() -> None:
    record = case("court_permission", recommended_by="alice")
    assert record.regime == "KR_PCSA13"
    rel = Related(order=NonDisclosureOrder(until=seoul(2027, 1, 5).date()))
    after, step = apply(record, attempt("approve_disclosure", "bob", ("approver",)), rel)
    assert after.state == "disclosed"
    assert step.effects.notice is not None and step.effects.notice.status == NoticeStatus.SUPPRESSED
    assert step.effects.timers == []  # no delayed notice, ever
    assert not any(m.channel == "user_notice" for m in step.effects.messages)


def test_statutory_request_cannot_reach_communication_data() -> None:
    record = case("statutory_subscriber_request", recommended_by="alice")
    record.submission.data_requested.append(DataRequest(category=DataCategory.IP_LOGS))
    refused("tba83_policy_allows", record, attempt("approve_disclosure", "bob", ("approver",)))
    complying = policy(tba83__comply=True)
    refused("instrument_suffices", record, attempt("approve_disclosure", "bob", ("approver",), p=complying))


def test_tba83_is_declined_by_default_and_needs_a_senior_approver_when_allowed() -> None:
    record = case("statutory_subscriber_request", recommended_by="alice")
    assert record.regime == "KR_TBA83"
    refused("tba83_policy_allows", record, attempt("approve_disclosure", "bob", ("approver",)))
    complying = policy(tba83__comply=True)
    record.submission.approver = Approver(name="Park", rank="Inspector")
    err = refused("tba83_policy_allows", record, attempt("approve_disclosure", "bob", ("approver",), p=complying))
    assert "below" in err.message
    record.submission.approver = Approver(name="Park", rank="Superintendent")
    after, _ = apply(record, attempt("approve_disclosure", "bob", ("approver",), p=complying), Related())
    assert after.state == "notify_user"


def test_foreign_direct_request_is_never_approved() -> None:
    record = case("foreign_direct", country="US", recommended_by="alice")
    assert record.regime == "FOREIGN_DIRECT"
    refused("not_foreign_direct", record, attempt("approve_disclosure", "bob", ("approver",)))
    assert "approve_disclosure" not in allowed_triggers(record, policy(), calendar())


def test_lapsed_legal_process_cannot_be_approved() -> None:
    record = case(recommended_by="alice")
    refused("legal_process_valid", record, attempt("approve_disclosure", "bob", ("approver",),
                                                   now=seoul(2026, 12, 28)))


def test_emergency_needs_a_successful_callback_by_someone_else() -> None:
    record = case("emergency")
    refused("callback_verified", record, attempt("emergency_disclose", "bob", ("approver",)))
    after, step = apply(record, attempt("verify_callback", "olga", ("oncall",), reason="called +82 2 700 4100"),
                        Related())
    assert after.callback_ok_by == "olga"
    refused("callback_by_other", after, attempt("emergency_disclose", "olga", ("oncall", "approver")))
    done, step = apply(after, attempt("emergency_disclose", "bob", ("approver",)), Related())
    assert done.state == "disclosed"
    assert "emergency_followup" in [t.kind for t in step.effects.timers]


def test_a_failed_callback_blocks_emergency_disclosure_and_raises_an_alert() -> None:
    after, step = apply(case("emergency"), attempt("verify_callback", "olga", ("oncall",), reason="nobody at the "
                                                   "station knows this officer", failed=True), Related())
    assert after.callback_failed
    assert {m.kind for m in step.effects.messages} == {"security_alert"}
    refused("no_failed_callback", after, attempt("emergency_disclose", "bob", ("approver",)))


def test_emergencies_are_never_flagged_incomplete() -> None:
    refused("not_emergency", case("emergency"), attempt("flag_incomplete", reason="no badge number"))


def test_preservation_extension_only_once_and_215_2_only_with_court_permission() -> None:
    statutory = case("preservation_statutory", state="preserved")
    assert statutory.regime == "KR_CPA215_2"
    refused("court_permission_if_required", statutory, attempt("extend"))
    permit = legal_process_document(instrument="court_permission", issued_by="Seoul Central District Court")
    after, _step = apply(statutory, attempt("extend", attachment=permit), Related(hold_expires_at=seoul(2027, 2, 2, 0)))
    assert after.extensions_used == 1
    refused("extension_available", after, attempt("extend", attachment=permit))


def test_reject_needs_a_reason_and_tells_the_requester_only_the_code() -> None:
    refused("has_reason", case(), attempt("reject"))
    reason = "expert_testimony_not_provided: they want Bob in court on Monday"
    after, step = apply(case(), attempt("reject", reason=reason), Related())
    assert after.reject_reason == "expert_testimony_not_provided"
    assert after.internal_note == reason
    other, _ = apply(case(), attempt("reject", reason="no"), Related())
    assert other.reject_reason == "other"
    letter = next(m for m in step.effects.messages if m.kind == "rejection")
    assert "Bob" not in letter.body


def test_expire_only_when_the_deadline_passed_and_nothing_is_attached() -> None:
    from ledesk.states.engine import system_attempt

    p, cal = policy(), calendar()
    record = case("preservation", state="preserved")
    early = system_attempt("expire", seoul(2027, 1, 1), p, cal, due_at=seoul(2027, 3, 3, 0))
    refused("deadline_passed", record, early)
    record.legal_process_at = seoul(2027, 2, 1)
    late = system_attempt("expire", seoul(2027, 3, 3, 1), p, cal, due_at=seoul(2027, 3, 3, 0))
    refused("no_legal_process_attached", record, late)


def test_people_cannot_fire_system_only_triggers() -> None:
    refused("actor_role", case("preservation", state="preserved"), attempt("expire", "bob", ("approver",)))


def test_cure_needs_a_supplement_that_resolves_everything() -> None:
    record = case("incomplete", state="incomplete")
    partial = Attachment("s.json", json.dumps({"officer": {"name": "Kim"}}).encode())
    err = refused("supplement_resolves_deficiencies", record, attempt("cure", attachment=partial))
    assert "still missing" in err.message
    from tests.factories import sample

    full = Attachment("s.json", json.dumps(sample("incomplete_supplement")).encode())
    after, _step = apply(record, attempt("cure", attachment=full), Related())
    assert after.state == "received" and after.deficiencies == []


def test_allowed_triggers_follow_the_table_and_the_case() -> None:
    p, cal = policy(), calendar()
    assert allowed_triggers(case(), p, cal) == ["flag_incomplete", "require_legal_process",
                                                "recommend_disclosure", "reject"]
    assert "preserve" in allowed_triggers(case("preservation"), p, cal)
    assert "verify_callback" in allowed_triggers(case("emergency"), p, cal)
    assert allowed_triggers(case(state="expired"), p, cal) == []
    # The approver approves, sends back or declines; never only approves.
    assert allowed_triggers(case(recommended_by="a"), p, cal, frozenset({"approver"})) == [
        "approve_disclosure", "send_back", "reject"]
    assert "acknowledge" in allowed_triggers(case("emergency"), p, cal, frozenset({"oncall"}))


def test_what_names_legal_process_is_one_rule() -> None:
    """A preservation or an emergency request asks; every other instrument compels. The case, intake's
    routing of a follow-up and the executability guard all read this one rule."""
    from ledesk.models.enums import Instrument
    from ledesk.states.process import is_legal_process

    compels = {i for i in Instrument if is_legal_process(i)}
    assert compels == set(Instrument) - {Instrument.PRESERVATION_REQUEST, Instrument.EMERGENCY}
    assert not is_legal_process(None)
    assert case("warrant").has_disclosure_instrument and not case("preservation").has_disclosure_instrument


# -- who may request subscriber data (TBA art. 83(3)) ----------------------------------------------------
@pytest.mark.parametrize("kind", ["regulator", "other"])
def test_only_the_bodies_tba_83_3_names_may_request_subscriber_data(kind: str) -> None:
    """TBA art. 83(3): a court, a prosecutor, the head of an investigative agency, the National Tax Service
    or the head of an intelligence agency. A regulator (the Fair Trade Commission) is refused even when the
    policy's switch to comply is on; the allow-list's type of the authority decides, not what it wrote."""
    complying = policy(tba83__comply=True)
    record = case("statutory_subscriber_request", recommended_by="alice", authority_domain="ftc.go.kr")
    record.submission.approver = Approver(name="Park", rank="Superintendent")
    approve = attempt("approve_disclosure", "bob", ("approver",), p=complying)
    approve.authority_type = lambda: kind
    err = refused("tba83_policy_allows", record, approve)
    assert "art. 83(3)" in err.message and "ftc.go.kr" in err.message


@pytest.mark.parametrize(("kind", "domain"), [("police", "police.go.kr"), ("prosecution", "spo.go.kr"),
                                              ("court", "scourt.go.kr"), ("other", "nts.go.kr"),
                                              ("other", "nis.go.kr")])
def test_a_body_tba_83_3_names_is_judged_on_its_approver_only(kind: str, domain: str) -> None:
    complying = policy(tba83__comply=True)
    record = case("statutory_subscriber_request", recommended_by="alice", authority_domain=domain)
    record.submission.approver = Approver(name="Park", rank="Superintendent")
    approve = attempt("approve_disclosure", "bob", ("approver",), p=complying)
    approve.authority_type = lambda: kind
    after, _ = apply(record, approve, Related())
    assert after.state == "notify_user"
