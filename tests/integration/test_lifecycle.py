"""Cases through months of simulated time: every timer fires at its instant, not a second before."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ledesk.states.attempt import Attachment
from ledesk.states.errors import ConcurrentChange, GuardRefused
from tests.factories import policy, sample, seoul
from tests.integration.conftest import World


def timer_status(world: World, case_id: str) -> dict[str, str]:
    return {t["kind"]: t["status"] for t in world.show(case_id)["timers"]}


def test_preservation_lapses_at_the_end_of_its_last_day_and_is_released(world: World) -> None:
    case_id = world.intake("preservation")["case_id"]
    world.fire(case_id, "preserve", "alice")
    doc = world.show(case_id)
    assert doc["state"] == "preserved"
    expiry = seoul(2027, 3, 3, 0)  # 90 days from 1 Dec end on 1 March, a holiday: so 2 March counts
    assert doc["holds"][0]["expires_at"] == expiry.isoformat()

    fired = world.sweep(seoul(2027, 2, 17, 0)).fired
    assert [f["timer"] for f in fired] == ["expiry_warning"]
    assert world.sweep(expiry - timedelta(seconds=1)).fired == []
    fired = world.sweep(expiry).fired
    assert fired == [{"case_id": case_id, "timer": "preservation_expiry", "trigger": "expire"}]
    doc = world.show(case_id)
    assert doc["state"] == "expired" and doc["holds"][0]["status"] == "released"
    assert doc["allowed_triggers"] == []
    assert world.rows("select count(*) from outbox where kind = 'release'")[0][0] == 1
    assert world.sweep(expiry + timedelta(days=400)).fired == []


def test_extension_moves_the_expiry_once(world: World) -> None:
    case_id = world.intake("preservation")["case_id"]
    world.fire(case_id, "preserve", "alice")
    world.clock.set(seoul(2027, 2, 20))
    world.fire(case_id, "extend", "alice", reason="renewed request received")
    doc = world.show(case_id)
    assert doc["holds"][0]["expires_at"] == seoul(2027, 6, 1, 0).isoformat()
    pending = [t for t in doc["timers"] if t["status"] == "pending"]
    assert {t["kind"] for t in pending} == {"preservation_expiry", "expiry_warning"}
    with pytest.raises(GuardRefused) as info:
        world.fire(case_id, "extend", "alice")
    assert info.value.guard == "extension_available"
    assert world.sweep(seoul(2027, 3, 3, 1)).fired == []  # the old expiry no longer fires
    assert world.sweep(seoul(2027, 6, 1, 0)).fired[-1]["trigger"] == "expire"


def test_statutory_preservation_cannot_be_requested_twice_for_the_same_data(world: World) -> None:
    first = world.intake("preservation_statutory")["case_id"]
    world.fire(first, "preserve", "alice")
    raw = sample("preservation_statutory")
    raw["reference"] = "SMPA-2026-CY-0999"
    raw["targets"][0]["value"] = "DarkSeller99"
    second = world.submit(raw)["case_id"]
    with pytest.raises(GuardRefused) as info:
        world.fire(second, "preserve", "rita")
    assert info.value.guard == "no_repeat_statutory_request" and first in info.value.message


def test_warrant_disclosed_after_the_user_notice_lead_time(world: World) -> None:
    world.source.load([{"account_id": "acct-hong", "email": "hong.gildong@example.com",
                        "subscriber": {"name": "Hong Gil-dong"}}])  # the warrant's target: the provider holds it
    case_id = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="warrant covers both categories")
    world.clock.set(seoul(2026, 12, 1, 10))
    world.fire(case_id, "approve_disclosure", "bob")
    doc = world.show(case_id)
    assert doc["state"] == "notify_user" and doc["notice"]["status"] == "pending"
    assert doc["notice"]["due_at"] == seoul(2026, 12, 8, 10).isoformat()
    assert world.rows("select count(*) from outbox where channel = 'user_notice'")[0][0] == 1
    with pytest.raises(GuardRefused) as info:
        world.fire(case_id, "disclose", "bob")
    assert info.value.guard == "lead_time_over"
    assert world.sweep(seoul(2026, 12, 8, 9, 59)).fired == []
    assert world.sweep(seoul(2026, 12, 8, 10)).fired[0]["trigger"] == "disclose"
    doc = world.show(case_id)
    assert doc["state"] == "disclosed" and doc["notice"]["status"] == "sent"
    assert {t["outcome"] for t in doc["targets"]} == {"produce"}
    assert [(h["trigger"], h["actor"]) for h in doc["history"]] == [
        ("intake", "system"), ("recommend_disclosure", "alice"), ("approve_disclosure", "bob"), ("disclose", "system"),
        ("production_built", "system")]  # the production the disclosure built, in its transaction


def test_gag_order_defers_the_notice_to_the_next_business_day_after_it_ends(world: World) -> None:
    case_id = world.intake("warrant_with_gag_order")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="ok")
    world.fire(case_id, "approve_disclosure", "bob")
    doc = world.show(case_id)
    assert doc["state"] == "disclosed" and doc["notice"]["status"] == "deferred"
    assert doc["notice"]["due_at"] == seoul(2027, 4, 1, 0).isoformat()  # order ends Wed 31 March
    assert world.rows("select count(*) from outbox where channel = 'user_notice'")[0][0] == 0
    world.sweep(seoul(2027, 3, 31, 23, 59))
    assert world.rows("select count(*) from outbox where channel = 'user_notice'")[0][0] == 0
    fired = world.sweep(seoul(2027, 4, 1, 0)).fired
    assert fired == [{"case_id": case_id, "timer": "delayed_notice", "action": "user_notice"}]
    assert world.show(case_id)["notice"]["status"] == "sent"


def test_an_order_arriving_during_the_lead_time_stops_the_undelivered_notice(world: World) -> None:
    case_id = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="ok")
    world.fire(case_id, "approve_disclosure", "bob")
    world.desk.record_order(case_id, "alice", seoul(2027, 1, 15).date(), False)
    statuses = world.rows("select status from outbox where channel = 'user_notice'")
    assert [s[0] for s in statuses] == ["cancelled"]
    world.sweep(seoul(2026, 12, 8, 10))
    doc = world.show(case_id)
    assert doc["state"] == "disclosed" and doc["notice"]["status"] == "deferred"
    assert timer_status(world, case_id)["delayed_notice"] == "pending"
    assert world.sweep(seoul(2027, 1, 18, 0)).fired[0]["timer"] == "delayed_notice"  # 16-17 Jan: weekend


def test_an_incomplete_request_is_reminded_then_lapses(world: World) -> None:
    case_id = world.intake("incomplete")["case_id"]
    assert [f["timer"] for f in world.sweep(seoul(2026, 12, 13, 0)).fired] == ["cure_reminder"]
    assert [f["timer"] for f in world.sweep(seoul(2026, 12, 15, 23, 59)).fired] == ["response_due"]
    fired = world.sweep(seoul(2026, 12, 16, 0)).fired
    assert fired == [{"case_id": case_id, "timer": "cure_deadline", "trigger": "expire"}]
    assert world.show(case_id)["state"] == "expired"


def test_unacknowledged_emergency_escalates_and_an_acknowledged_one_does_not(world: World) -> None:
    quiet = world.intake("emergency")["case_id"]
    raw = sample("emergency")
    raw["reference"] = "SMPA-2026-EM-0008"
    raw["targets"][0]["value"] = "other_user"
    handled = world.submit(raw)["case_id"]
    world.clock.set(seoul(2026, 12, 1, 9, 5))
    world.fire(handled, "verify_callback", "olga", reason="called +82 2 700 4100, duty sergeant confirmed")
    fired = world.sweep(seoul(2026, 12, 1, 9, 15)).fired
    assert fired == [{"case_id": quiet, "timer": "emergency_acknowledge", "action": "escalation"}]
    world.fire(handled, "emergency_disclose", "bob")
    fired = world.sweep(seoul(2026, 12, 1, 17, 0)).fired
    assert {(f["case_id"], f["timer"]) for f in fired} == {(quiet, "emergency_triage"), (quiet, "emergency_decision")}
    assert timer_status(world, handled)["emergency_followup"] == "pending"


def test_reject_releases_holds_and_closes_every_timer(world: World) -> None:
    case_id = world.intake("preservation")["case_id"]
    world.fire(case_id, "preserve", "alice")
    world.fire(case_id, "reject", "alice", reason="other: authority withdrew the request")
    doc = world.show(case_id)
    assert doc["state"] == "rejected" and doc["holds"][0]["status"] == "released"
    assert {t["status"] for t in doc["timers"]} == {"cancelled"}


def test_foreign_direct_requests_are_redirected_to_mlat(world: World) -> None:
    case_id = world.intake("foreign_direct")["case_id"]
    world.fire(case_id, "require_legal_process", "alice", reason="foreign direct request: MLAT needed")
    assert world.rows("select count(*) from outbox where kind = 'mlat_redirect'")[0][0] == 1
    # The foreign authority's own warrant is not process the provider can execute: MLAT is the channel.
    with pytest.raises(GuardRefused) as info:
        world.fire(case_id, "attach_legal_process", "alice", attachment=Attachment("w.pdf", b"%PDF US warrant"))
    assert info.value.guard == "legal_process_executable" and "MLAT" in info.value.message
    assert world.show(case_id)["state"] == "awaiting_legal_process"


def test_attaching_legal_process_from_a_json_file_replaces_the_basis(world: World, tmp_path: Path) -> None:
    import json

    case_id = world.intake("preservation")["case_id"]
    world.fire(case_id, "preserve", "alice")
    doc = json.dumps(sample("legal_process_for_preservation")).encode()
    world.fire(case_id, "attach_legal_process", "alice", attachment=Attachment("warrant.json", doc))
    shown = world.show(case_id)
    assert shown["state"] == "received" and shown["legal_basis"]["instrument"] == "search_warrant"
    world.fire(case_id, "recommend_disclosure", "alice", reason="the warrant covers the preserved logs")
    world.fire(case_id, "approve_disclosure", "bob")
    assert world.show(case_id)["state"] == "notify_user"
    assert world.rows("select kind from documents where case_id = :c order by id", c=case_id)[-1][0] == "legal_process"


def test_two_writers_on_one_case_never_both_succeed(world: World) -> None:
    from ledesk.adapters.store import load_case, write
    from ledesk.states.engine import apply
    from ledesk.states.step import Outcome
    from tests.factories import attempt

    case_id = world.intake("warrant")["case_id"]
    with world.engine.connect() as conn:
        stale = load_case(conn, case_id)
        conn.rollback()
    world.fire(case_id, "recommend_disclosure", "alice", reason="first")
    after, step = apply(stale, attempt("recommend_disclosure", "rita", reason="second"), related_for(world, case_id))
    with pytest.raises(ConcurrentChange), world.engine.begin() as conn:
        write(conn, [Outcome(after, stale.version, [step])])
    assert world.show(case_id)["recommended_by"] == "alice"


def related_for(world: World, case_id: str):  # type: ignore[no-untyped-def]
    from ledesk.adapters.store import related

    with world.engine.connect() as conn:
        found = related(conn, [case_id])[case_id]
        conn.rollback()
    return found


def test_a_failure_half_way_through_a_trigger_writes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledesk.adapters import audit

    case_id = world.intake("preservation")["case_id"]
    before = (world.count("events"), world.count("timers"), world.count("outbox"), world.count("holds"))

    def boom(conn, drafts):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", boom)
    with pytest.raises(RuntimeError):
        world.fire(case_id, "preserve", "alice")
    monkeypatch.undo()
    assert world.show(case_id)["state"] == "received"
    assert (world.count("events"), world.count("timers"), world.count("outbox"), world.count("holds")) == before


def test_holds_keep_their_identity_when_many_are_extended_and_released_in_one_batch(world: World) -> None:
    ids = []
    for i in range(3):
        raw = sample("preservation")
        raw["reference"] = f"SMPA-2026-CY-70{i}"
        raw["targets"][0]["value"] = f"010-1234-56{i}0"
        ids.append(world.submit(raw)["case_id"])
        world.fire(ids[-1], "preserve", "alice")
    before = {cid: world.show(cid)["holds"][0]["hold_id"] for cid in ids}
    world.fire(ids[0], "extend", "alice")
    fired = world.sweep(seoul(2027, 3, 3, 0), batch_size=100).fired
    assert sorted(f["case_id"] for f in fired if f.get("trigger") == "expire") == sorted(ids[1:])
    after = {cid: world.show(cid)["holds"] for cid in ids}
    assert {cid: h[0]["hold_id"] for cid, h in after.items()} == before
    assert [after[cid][0]["status"] for cid in ids] == ["extended", "released", "released"]


def test_a_regulator_asking_for_subscriber_data_is_refused_whatever_it_calls_itself(world: World) -> None:
    """TBA art. 83(3) names who may ask; the Fair Trade Commission is not among them, even when it writes
    'police' on its form and the policy's switch to comply is on: the allow-list's type decides."""
    from ledesk.adapters import admin

    world.rebuild(policy=policy(tba83__comply=True))
    with world.engine.begin() as conn:
        admin.add_authority(conn, "ftc.go.kr", "Korea Fair Trade Commission", "KR", "regulator", world.clock.now())
    ftc = "investigator@ftc.go.kr"
    case_id = world.intake("statutory_subscriber_request", sender={"email": ftc},
                           officer={**sample("statutory_subscriber_request")["officer"], "email": ftc})["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="subscriber data only")
    with pytest.raises(GuardRefused) as info:
        world.fire(case_id, "approve_disclosure", "bob")
    assert info.value.guard == "tba83_policy_allows" and "art. 83(3)" in info.value.message
    police = world.intake("statutory_subscriber_request", reference="TBA-POLICE-1")["case_id"]
    world.fire(police, "recommend_disclosure", "alice", reason="subscriber data only")
    assert world.fire(police, "approve_disclosure", "bob").state == "notify_user"


def test_a_warrant_is_spent_once_executed_also_after_its_case_is_closed(world: World) -> None:
    """Supreme Court 99모161: a warrant executed once cannot be executed again. A second request under the
    same warrant number (written another way) for the same target is refused at approval; the same number
    for another target, or new process, is not."""
    world.source.load([{"account_id": "acct-hong", "email": "hong.gildong@example.com", "subscriber": {}}])
    first = world.intake("warrant")["case_id"]
    world.fire(first, "recommend_disclosure", "alice", reason="covered")
    world.fire(first, "approve_disclosure", "bob")
    world.sweep(seoul(2026, 12, 8, 10))
    assert world.show(first)["state"] == "disclosed"
    basis = {**sample("warrant")["legal_basis"], "document_reference": "2026 sw 88121"}
    again = world.intake("warrant", reference="SMPA-2026-CY-0999", legal_basis=basis)["case_id"]
    world.fire(again, "recommend_disclosure", "alice", reason="covered")
    with pytest.raises(GuardRefused) as info:
        world.fire(again, "approve_disclosure", "bob")
    assert info.value.guard == "warrant_not_spent" and first in info.value.message and "99모161" in info.value.message
    other = [{"type": "email", "value": "someone.else@example.com", "known_info": ""}]
    elsewhere = world.intake("warrant", reference="SMPA-2026-CY-1000", legal_basis=basis, targets=other)["case_id"]
    world.fire(elsewhere, "recommend_disclosure", "alice", reason="covered")
    assert world.fire(elsewhere, "approve_disclosure", "bob").state == "notify_user"
    fresh = world.intake("warrant", reference="SMPA-2026-CY-1001",
                         legal_basis={**basis, "document_reference": "2026-SW-99000"})["case_id"]
    world.fire(fresh, "recommend_disclosure", "alice", reason="covered")
    assert world.fire(fresh, "approve_disclosure", "bob").state == "notify_user"


# -- four eyes both ways (issue 26) --------------------------------------------------------------------
def test_the_approver_sends_back_and_the_recommendation_is_void(world: World) -> None:
    case_id = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="covered")
    with pytest.raises(GuardRefused) as refused:
        world.fire(case_id, "send_back", "bob")
    assert refused.value.guard == "has_reason"
    world.fire(case_id, "send_back", "bob", reason="the period is wider than the warrant's")
    shown = world.show(case_id)
    assert shown["state"] == "received" and shown["recommended_by"] is None
    with pytest.raises(GuardRefused) as refused:
        world.fire(case_id, "approve_disclosure", "bob")  # nothing to approve until someone recommends again
    assert refused.value.guard == "recommended"
    [note] = [r[0] for r in world.rows("select body from outbox where case_id = :c and kind = 'sent_back'",
                                       c=case_id)]
    assert "the period is wider" in note
    assert not world.rows("select 1 from outbox where case_id = :c and channel = 'email' and kind = 'sent_back'",
                          c=case_id)  # the authority is told nothing of it


def test_the_approver_declines_with_a_rejection_letter(world: World) -> None:
    case_id = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="covered")
    world.fire(case_id, "reject", "bob", reason="insufficient_instrument: the warrant names another account")
    assert world.show(case_id)["state"] == "rejected"
    [body] = [r[0] for r in world.rows("select body from outbox where case_id = :c and kind = 'rejection'",
                                       c=case_id)]
    assert "does not authorise the disclosure" in body and "another account" not in body


def test_on_call_acknowledges_a_page_and_the_acknowledgement_escalation_stands_down(world: World) -> None:
    case_id = world.intake("emergency")["case_id"]
    world.fire(case_id, "acknowledge", "olga")
    with pytest.raises(GuardRefused) as again:
        world.fire(case_id, "acknowledge", "olga")
    assert again.value.guard == "not_acknowledged"
    world.sweep(world.clock.now() + timedelta(minutes=16))
    escalations = world.rows("select body from outbox where case_id = :c and kind = 'escalation'", c=case_id)
    assert not [b for (b,) in escalations if "not acknowledged" in b]


def test_a_cure_that_changes_the_scope_voids_the_recommendation(world: World) -> None:
    import json

    changed = world.intake("warrant")["case_id"]
    same = world.intake("court_permission")["case_id"]
    for case_id in (changed, same):
        world.fire(case_id, "recommend_disclosure", "alice", reason="covered")
        world.fire(case_id, "flag_incomplete", "alice", reason="the officer's phone is missing")
    widened = {"data_requested": [*sample("warrant")["data_requested"],
                                  {"category": "ip_logs", "description": "all logins", "from": "2026-01-01",
                                   "to": "2026-11-30", "purpose": "identify", "necessity": "needed"}]}
    world.fire(changed, "cure", "alice", attachment=Attachment("s.json", json.dumps(widened).encode()))
    world.fire(same, "cure", "alice", attachment=Attachment("s.json", json.dumps({
        "officer": sample("court_permission")["officer"]}).encode()))
    assert world.show(changed)["recommended_by"] is None  # four eyes again on what it now asks
    assert world.show(same)["recommended_by"] == "alice"  # nothing it covered changed


def test_a_preview_shows_the_letters_a_step_would_send_and_writes_nothing(world: World) -> None:
    case_id = world.intake("warrant")["case_id"]
    before = (world.rows("select count(*) from outbox")[0][0], world.rows("select count(*) from events")[0][0],
              world.show(case_id)["version"])
    [letter] = world.services.cases.preview(case_id, "reject", "alice", reason="vague_or_overbroad: a whole year")
    text = "\n".join(letter["paragraphs"])
    assert letter["kind"] == "rejection" and "too vague or too broad" in text and "a whole year" not in text
    assert "To / 수신: Kim Min-jun" in text and "LE Desk Cloud Legal Team" in text
    asked = world.services.cases.preview(case_id, "flag_incomplete", "alice", reason="the officer's rank")
    assert [x["kind"] for x in asked] == ["deficiency"] and "the officer's rank" in "\n".join(asked[0]["paragraphs"])
    assert world.services.cases.preview(case_id, "recommend_disclosure", "alice", reason="covered") == []
    with pytest.raises(GuardRefused):
        world.services.cases.preview(case_id, "reject", "alice")  # refused as firing it would be
    after = (world.rows("select count(*) from outbox")[0][0], world.rows("select count(*) from events")[0][0],
             world.show(case_id)["version"])
    assert after == before


def test_search_finds_part_of_a_reference_an_identifier_or_an_authority_and_never_everything(world: World) -> None:
    """Issue 26: only a whole reference or identifier was found."""
    case_id = world.intake("warrant", reference="SMPA-2026-CY-0917")["case_id"]
    other = world.intake("preservation", reference="DESK-PRESERVE-1")["case_id"]

    def found(text: str) -> set[str]:
        return {r["case_id"] for r in world.services.queries.cases(search=text)}

    assert case_id in found("cy-09") and other not in found("cy-09")
    assert case_id in found("gildong")  # part of the target hong.gildong@example.com
    assert {case_id, other} <= found("Police")  # part of the authority's name
    assert found("%") == found("_x") == set()  # a wildcard is a character, and two characters are not a part
    assert found("no such thing") == set()
