"""Opening cases from JSON submissions on a real database."""

from __future__ import annotations

import json

import pytest

from ledesk.models.submission import SubmissionError
from tests.factories import sample
from tests.integration.conftest import World


def test_a_complete_warrant_opens_a_received_case_with_an_acknowledgement(world: World) -> None:
    result = world.intake("warrant")
    assert result["state"] == "received" and result["deficiencies"] == [] and result["linked_to"] is None
    doc = world.show(result["case_id"])
    assert doc["regime"] == "KR_WARRANT" and doc["policy_version"] == world.policy.version
    assert [t["kind"] for t in doc["timers"]] == ["response_due"]
    assert [h["trigger"] for h in doc["history"]] == ["intake"]
    ack = world.rows("select body from outbox where case_id = :c and kind = 'acknowledgement'", c=result["case_id"])
    assert "waives no right or objection" in ack[0][0]
    assert doc["targets"] == [{"type": "email", "value": "hong.gildong@example.com", "outcome": "pending"}]


def test_an_incomplete_request_names_every_missing_item_and_gets_14_days(world: World) -> None:
    result = world.intake("incomplete")
    assert result["state"] == "incomplete"
    fields = {d["field"] for d in result["deficiencies"]}
    assert fields == {"officer.badge_number", "officer.phone", "data_requested[0].purpose",
                      "data_requested[0].necessity"}
    doc = world.show(result["case_id"])
    assert [h["trigger"] for h in doc["history"]] == ["intake", "flag_incomplete"]
    kinds = {t["kind"]: t["due_at"] for t in doc["timers"]}
    assert kinds["cure_deadline"] == "2026-12-15T15:00:00+00:00"
    letter = world.rows("select body from outbox where kind = 'deficiency'")[0][0]
    for item in result["deficiencies"]:  # each item said in words (issue 26), never as its JSON path
        assert item["message"] in letter and item["field"] not in letter
    assert "the purpose of requested data item 1" in letter
    [context] = [r[0] for r in world.rows("select context from letters where kind = 'deficiency'")]
    context = json.loads(context) if isinstance(context, str) else context  # raw SQL: SQLite gives the text
    assert "요청 자료 1의 사용 목적" in context["items_ko"] and "담당 수사관의 전화번호" in context["items_ko"]
    assert "data_requested" not in context["items"] + context["items_ko"]


def test_a_look_alike_sender_opens_no_case_and_looks_nothing_up(world: World) -> None:
    before = world.count("events")
    result = world.intake("lookalike_sender")
    assert result == {"case_id": None, "status": "not_reviewed", "reason": result["reason"]}
    assert "police-go-kr.com" in result["reason"]
    assert world.count("cases") == 0 and world.count("events") == before
    assert world.count("not_reviewed") == 1
    alerts = world.rows("select kind, case_id, subject from outbox")
    assert [(a[0], a[1]) for a in alerts] == [("security_alert", None)]
    assert "imitates police.go.kr" in alerts[0][2]


def test_an_officer_address_outside_the_authority_domain_is_not_reviewed(world: World) -> None:
    raw = sample("warrant")
    raw["officer"]["email"] = "someone@gmail.com"
    assert world.submit(raw)["status"] == "not_reviewed"
    assert world.count("cases") == 0 and world.count("outbox") == 0


def test_a_subdomain_of_a_listed_authority_is_that_authority(world: World) -> None:
    raw = sample("warrant")
    raw["sender"]["email"] = raw["officer"]["email"] = "kim@cyber.police.go.kr"
    result = world.submit(raw)
    assert result["state"] == "received"
    assert world.show(result["case_id"])["authority"]["domain"] == "police.go.kr"


def test_the_sender_cannot_claim_to_be_domestic(world: World) -> None:
    raw = sample("foreign_direct")
    raw["authority"]["country"] = "KR"
    result = world.submit(raw)
    assert world.show(result["case_id"])["regime"] == "FOREIGN_DIRECT"


def test_a_resent_request_is_a_duplicate_even_with_the_phone_written_differently(world: World) -> None:
    first = world.intake("preservation")
    raw = sample("preservation")
    raw["targets"][0]["value"] = "+82 10 1234 5678"
    again = world.submit(raw)
    assert again["duplicate_of"] == first["case_id"] and again["case_id"] == first["case_id"]
    assert world.count("cases") == 1
    assert [h["trigger"] for h in world.show(first["case_id"])["history"]] == ["intake", "duplicate_received"]


def test_an_emergency_pages_on_call_in_the_same_transaction(world: World) -> None:
    result = world.intake("emergency")
    assert result["state"] == "received" and result["deficiencies"] == []
    pages = world.rows("select \"to\" from outbox where case_id = :c and channel = 'page'", c=result["case_id"])
    assert [p[0] for p in pages] == [world.policy.oncall_address]
    kinds = sorted(t["kind"] for t in world.show(result["case_id"])["timers"])
    assert kinds == ["emergency_acknowledge", "emergency_decision", "emergency_triage"]


def test_bad_submissions_are_refused_and_write_nothing(world: World) -> None:
    before = world.count("events")
    for raw in ({**sample("warrant"), "surprise": 1}, {**sample("warrant"), "respond_by": "next week"},
                {**sample("warrant"), "kind": "wiretap"}, {"kind": "legal_process"}):
        with pytest.raises(SubmissionError):
            world.submit(raw)
    assert world.count("cases") == 0 and world.count("events") == before and world.count("not_reviewed") == 0


def test_a_supplement_naming_the_case_cures_it(world: World) -> None:
    case_id = world.intake("incomplete")["case_id"]
    raw = {**sample("incomplete_supplement"), "kind": "legal_process", "related_case": case_id,
           "sender": {"email": "minjun.kim@police.go.kr"}}
    result = world.submit(raw)
    assert result == {"case_id": case_id, "status": "linked", "state": "received", "kind": "legal_process",
                      "deficiencies": [], "linked_to": case_id}
    doc = world.show(case_id)
    assert {t["kind"]: t["status"] for t in doc["timers"]}["cure_deadline"] == "cancelled"


def test_legal_process_naming_a_preserved_case_converts_the_hold(world: World) -> None:
    case_id = world.intake("preservation")["case_id"]
    world.fire(case_id, "preserve", "alice")
    raw = {**sample("legal_process_for_preservation"), "kind": "legal_process", "related_case": case_id,
           "sender": {"email": "minjun.kim@police.go.kr"}}
    assert world.submit(raw)["state"] == "received"
    doc = world.show(case_id)
    # Converted, it keeps its preservation period's end (no hold without an end date, issue 23).
    assert doc["holds"][0]["status"] == "converted" and doc["holds"][0]["expires_at"] is not None
    assert doc["regime"] == "KR_WARRANT"
    assert {t["kind"]: t["status"] for t in doc["timers"]}["preservation_expiry"] == "cancelled"
