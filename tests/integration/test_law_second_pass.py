"""Issue 23, the law's second pass, the rules that need the vault, the data source and the database: what a
production reads, what is out of retention, a preservation of no account, what a foreign or emergency
request gets and what it leaves behind (ledger, notice, follow-up), MLAT, and the referral's secrecy."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ledesk.adapters import admin
from ledesk.models.tables import timers
from ledesk.reports import statutory
from ledesk.states.errors import GuardRefused
from tests.factories import legal_process_document, sample, seoul
from tests.integration.conftest import World

LOGS = [{"at": "2026-08-31T15:30:00+00:00", "ip": "203.0.113.77"},   # 1 Sep 00:30 Seoul
        {"at": "2026-11-30T15:30:00+00:00", "ip": "203.0.113.78"}]   # 1 Dec 00:30 Seoul
ACCOUNT = {"account_id": "acct-42", "phone": "+82 10 1234 5678", "email": "suspect@example.com",
           "username": "quiet_river", "subscriber": {"name": "Hong Gil-dong"}, "access_logs": LOGS}


@pytest.fixture
def desk(world: World) -> World:
    world.source.load([ACCOUNT])
    return world


def _production(world: World, case_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sealed parts and the manifest's per-target lines of a disclosed case."""
    row = world.rows("select production_id, scope from productions where case_id = :c", c=case_id)[0]
    with world.engine.connect() as conn:
        parts = world.vault.read(conn, row.production_id)
    scope = row.scope if isinstance(row.scope, list) else json.loads(row.scope)
    return parts, scope


def _letters(world: World, case_id: str, kind: str) -> list[str]:
    return [r.body for r in world.rows("select body from letters where case_id = :c and kind = :k order by id",
                                       c=case_id, k=kind)]


# -- what is kept ----------------------------------------------------------------------------------------
def test_a_production_reads_the_snapshot_and_the_data_source_after_it_each_record_once(desk: World) -> None:
    """CPA art. 215(1), 106: the warrant reaches every record it names that the provider holds."""
    case_id = desk.intake("preservation")["case_id"]
    desk.fire(case_id, "preserve", "alice")  # the snapshot holds 1 Sep's record (its period ends 30 Nov)
    # After the snapshot: 1 Sep's record is gone from the data source, and 3 Dec's is new.
    desk.source.load([{**ACCOUNT, "access_logs": [LOGS[1], {"at": "2026-12-03T01:00:00+00:00", "ip": "203.0.113.79"}]}])
    warrant = legal_process_document(targets=[{"type": "phone", "value": "010-1234-5678"}],
                                     data_requested=[{"category": "ip_logs", "from": "2026-09-01", "to": "2026-12-31",
                                                      "purpose": "trace", "necessity": "logins"}])
    desk.clock.set(seoul(2026, 12, 4))
    desk.fire(case_id, "attach_legal_process", "alice", attachment=warrant)
    desk.fire(case_id, "recommend_disclosure", "alice", reason="covers the logs")
    desk.fire(case_id, "approve_disclosure", "bob")
    desk.sweep(at=seoul(2026, 12, 11, 10))
    parts, _ = _production(desk, case_id)
    [part] = parts
    assert [r["ip"] for r in part["records"]] == ["203.0.113.77", "203.0.113.78", "203.0.113.79"]


def test_out_of_retention_is_the_policys_retention_not_the_oldest_record_left(desk: World) -> None:
    """PCSA Decree 41(2): IP access logs are kept three months; a record the retention has not yet
    trimmed does not move that line, and the letter states the gap also when records are found."""
    desk.source.load([{**ACCOUNT, "access_logs": [{"at": "2026-01-05T00:00:00+00:00", "ip": "192.0.2.1"}, *LOGS]}])
    gone = sample("court_permission", reference="OLD-LOGS")
    gone["targets"] = [{"type": "email", "value": "suspect@example.com", "known_info": ""}]
    gone["data_requested"][0].update({"from": "2026-03-01", "to": "2026-05-31"})
    some = sample("court_permission", reference="SOME-LOGS")
    some["targets"] = gone["targets"]
    some["legal_basis"] = {**some["legal_basis"], "document_reference": "2026-CP-4411"}
    some["data_requested"][0].update({"from": "2026-06-01", "to": "2026-11-30"})
    outcomes = {}
    for raw in (gone, some):
        case_id = desk.submit(raw)["case_id"]
        desk.fire(case_id, "recommend_disclosure", "alice", reason="permission")
        desk.fire(case_id, "approve_disclosure", "bob")
        outcomes[raw["reference"]] = (case_id, desk.show(case_id)["targets"][0]["outcome"])
    assert outcomes["OLD-LOGS"][1] == "out_of_retention" and outcomes["SOME-LOGS"][1] == "produce"
    _, scope = _production(desk, outcomes["SOME-LOGS"][0])
    assert scope[0]["gaps"] == [{"category": "ip_logs", "from": "2026-06-01", "kept_from": "2026-09-01",
                                 "months": 3}]
    [cover] = _letters(desk, outcomes["SOME-LOGS"][0], "disclosure_cover")
    assert ("not held, older than we keep them: IP address logs 1 June 2026 to before 1 September 2026 "
            "(3 months kept)") in cover
    [old] = _letters(desk, outcomes["OLD-LOGS"][0], "no_records")
    assert "older than we keep them" in old and "1 March 2026 to before 1 September 2026" in old


def test_a_preservation_of_an_account_that_does_not_exist_tells_the_authority(desk: World) -> None:
    raw = sample("preservation")
    raw["targets"].append({"type": "email", "value": "nobody@example.com", "known_info": ""})
    case_id = desk.submit(raw)["case_id"]
    desk.fire(case_id, "preserve", "alice")
    shown = desk.show(case_id)
    assert shown["state"] == "preserved"
    assert [(t["value"], t["outcome"]) for t in shown["targets"]] == [("+821012345678", "pending"),
                                                                       ("nobody@example.com", "no_data")]
    [letter] = _letters(desk, case_id, "no_records")
    assert "nobody@example.com: no such account" in letter and "+821012345678" not in letter


def test_a_215_2_request_without_the_steps_statement_opens_for_preservation_with_a_note(desk: World) -> None:
    raw = sample("preservation_statutory")
    raw["preservation"]["steps_to_obtain_legal_process"] = ""
    opened = desk.submit(raw)
    assert opened["state"] == "received" and opened["deficiencies"] == []
    assert [n["field"] for n in opened["notes"]] == ["preservation.steps_to_obtain_legal_process"]
    assert desk.fire(opened["case_id"], "preserve", "alice").state == "preserved"


# -- what a foreign or emergency request may get --------------------------------------------------------
def _emergency(world: World, sender: str, reference: str) -> str:
    raw = sample("emergency", reference=reference)
    raw["data_requested"].append({**raw["data_requested"][0], "category": "ip_logs", "from": "2026-09-01",
                                  "to": "2026-11-30"})
    raw["sender"] = {"email": sender}
    raw["officer"] = {**raw["officer"], "email": sender}
    case_id: str = world.submit(raw)["case_id"]
    world.fire(case_id, "verify_callback", "olga", reason="called the duty desk back")
    world.fire(case_id, "emergency_disclose", "bob")
    return case_id


def test_a_foreign_direct_emergency_gets_no_ip_logs_and_its_letter_says_why(desk: World) -> None:
    """PCSA arts. 3(1), 13: communication-confirmation data only for Korean prosecutors or police."""
    case_id = _emergency(desk, "agent@fbi.gov", "FBI-EM-1")
    parts, scope = _production(desk, case_id)
    assert [p["category"] for p in parts] == ["subscriber_info"]
    assert [w["category"] for w in scope[0]["withheld"]] == ["ip_logs"]
    [cover] = _letters(desk, case_id, "disclosure_cover")
    assert ("withheld IP address logs: communication-confirmation data is provided only to Korean prosecutors "
            "or police") in cover
    [context] = [r.context for r in desk.rows("select context from letters where case_id = :c and kind = "
                                               "'disclosure_cover'", c=case_id)]
    korean = (context if isinstance(context, dict) else json.loads(context))["targets_summary_ko"]
    assert "통신비밀보호법 제3조제1항, 제13조" in korean
    assert desk.rows("select count(*) from ledger")[0][0] == 0
    assert desk.show(case_id)["notice"]["status"] == "deferred"


def test_a_domestic_emergency_that_released_ip_logs_is_registered_and_followed_by_a_permission(desk: World) -> None:
    """PCSA art. 13(3) proviso, (7), 13-5: registered and reported; the agency notifies; the court's
    permission must follow, and nothing less stops the overdue alert."""
    case_id = _emergency(desk, "minjun.kim@police.go.kr", "SMPA-EM-IP")
    parts, _ = _production(desk, case_id)
    assert sorted(p["category"] for p in parts) == ["ip_logs", "subscriber_info"]
    shown = desk.show(case_id)
    assert (shown["notice"]["status"], shown["notice"]["reason"]) == ("suppressed", "agency_notifies_by_law")
    [entry] = desk.rows("select ledger, case_id from ledger")
    assert tuple(entry) == ("pcsa", case_id)
    with desk.engine.connect() as conn:
        report = statutory.report(conn, "pcsa", "2026-H2", desk.policy, desk.calendar, desk.clock.now())
    assert report["rows"][0]["requests"] == 1
    target = [{"type": "username", "value": "quiet_river"}]
    request = legal_process_document(instrument="statutory_request", issued_by="Seoul Police",
                                     provisions=["TBA art. 83(3)"], targets=target)
    with pytest.raises(GuardRefused) as refused:
        desk.desk.attach_followup(case_id, "alice", request)
    assert refused.value.guard == "followup_covers_release"
    with desk.engine.connect() as conn:
        pending = conn.execute(select(timers.c.status).where(timers.c.case_id == case_id,
                                                            timers.c.kind == "emergency_followup")).scalar()
    assert pending == "pending"
    desk.desk.attach_followup(case_id, "alice", legal_process_document(instrument="court_permission", targets=target))
    assert {t["status"] for t in desk.show(case_id)["timers"] if t["kind"] == "emergency_followup"} == {"cancelled"}


def test_a_treaty_request_is_invoiced_and_counted_under_the_requesting_state(desk: World) -> None:
    """MLAT Act arts. 17(2), 29: Korean process executes it; the requesting state is the party."""
    with desk.engine.begin() as conn:
        admin.add_authority(conn, "moj.go.kr", "Ministry of Justice", "KR", "other", desk.clock.now())
    raw = sample("court_permission", mlat={"origin_country": "JP", "korean_process_reference": "2026-MLAT-9"})
    raw["legal_basis"] = {**raw["legal_basis"], "instrument": "mlat", "issued_by": "Ministry of Justice"}
    raw["targets"] = [{"type": "email", "value": "suspect@example.com", "known_info": ""}]
    raw["sender"] = {"email": "treaty@moj.go.kr"}
    raw["officer"] = {**raw["officer"], "email": "treaty@moj.go.kr"}
    case_id = desk.submit(raw)["case_id"]
    desk.fire(case_id, "require_legal_process", "alice", reason="IP logs need a Korean court permission")
    permission = legal_process_document(instrument="court_permission", document_reference="2026-CP-MLAT",
                                        targets=[{"type": "email", "value": "suspect@example.com"}])
    desk.fire(case_id, "attach_legal_process", "alice", attachment=permission)
    desk.fire(case_id, "recommend_disclosure", "alice", reason="Korean permission covers the logs")
    assert desk.fire(case_id, "approve_disclosure", "bob").state == "disclosed"
    invoice = desk.desk.invoice(case_id, "alice")
    assert invoice["bill_to"]["country"] == "JP" and "2026-CP-MLAT" in invoice["bill_to"]["basis"]
    from ledesk.reports import transparency

    with desk.engine.connect() as conn:
        rows = transparency.report(conn, date(2026, 12, 1), date(2026, 12, 31), desk.calendar)["rows"]
    assert {(r["country"], r["instrument"]) for r in rows if r["table"] == "legal_process"} == {("JP", "mlat")}


# -- letters and notices ---------------------------------------------------------------------------------
def test_a_referral_stays_held_after_a_215_2_case_ends(desk: World) -> None:
    """CPA art. 215-2: staff keep the request secret, also once the case is over."""
    case_id = desk.intake("preservation_statutory")["case_id"]
    desk.fire(case_id, "preserve", "alice")
    desk.desk.refer(case_id, "alice", "sells stolen accounts (terms 4.2)")
    desk.fire(case_id, "reject", "alice", reason="other: withdrawn by the police")
    assert desk.show(case_id)["notice"]["status"] == "not_required"
    held = desk.services.outbox.deliver()
    assert len(held.held) == 1
    [error] = desk.rows("select last_error from outbox where kind = 'tos_referral'")[0]
    assert "secret by statute" in error


# -- how long a converted hold lives ---------------------------------------------------------------------
def _hold(world: World, case_id: str) -> Any:
    [row] = world.rows("select hold_id, status, expires_at from holds where case_id = :c", c=case_id)
    return row


def test_a_converted_hold_whose_process_lapses_unexecuted_ends_with_its_preservation_period(desk: World) -> None:
    """Rules on Crim. Proc. art. 178, PIPA art. 21(1): process not executed in time lapses; the hold goes
    back to its preservation period and is destroyed at its end. No hold is ever without an end date."""
    short = desk.intake("preservation")["case_id"]
    desk.fire(short, "preserve", "alice")
    expiry = _hold(desk, short).expires_at
    desk.fire(short, "attach_legal_process", "alice", attachment=legal_process_document(
        targets=[{"type": "phone", "value": "010-1234-5678"}], valid_until="2026-12-10"))
    assert _hold(desk, short).status == "converted" and _hold(desk, short).expires_at == expiry
    desk.clock.set(seoul(2026, 12, 11))  # the warrant lapsed, unexecuted; the preservation period runs
    desk.desk.purge()
    assert _hold(desk, short).status == "converted"
    desk.clock.set(seoul(2027, 3, 3, 1))  # the 90 days are over
    assert [p["case_id"] for p in desk.desk.purge().purged] == [short]
    assert _hold(desk, short).status == "purged"
    [release] = _letters(desk, short, "release")
    assert "was not executed" in release and "lapsed" in release
    assert desk.rows("select count(*) from holds where expires_at is null")[0][0] == 0


def test_a_converted_hold_outlives_its_period_while_its_process_may_still_be_executed(desk: World) -> None:
    case_id = desk.intake("preservation")["case_id"]
    desk.fire(case_id, "preserve", "alice")
    desk.fire(case_id, "attach_legal_process", "alice", attachment=legal_process_document(
        targets=[{"type": "phone", "value": "010-1234-5678"}], valid_until="2027-04-30"))
    desk.clock.set(seoul(2027, 3, 5))
    assert desk.desk.purge().purged == [] and _hold(desk, case_id).status == "converted"
    desk.clock.set(seoul(2027, 5, 1))
    assert [p["case_id"] for p in desk.desk.purge().purged] == [case_id]


def test_a_215_2_preservation_binds_for_its_whole_period_after_a_narrower_warrant(desk: World) -> None:
    """CPA art. 215-2: the preservation binds for its period; a warrant executed on one target leaves the
    other preserved until the period ends, then it is destroyed."""
    desk.source.load([ACCOUNT, {"account_id": "acct-99", "username": "darkseller99", "subscriber": {},
                                "access_logs": LOGS}])
    raw = sample("preservation_statutory")
    raw["targets"].append({"type": "username", "value": "quiet_river", "known_info": ""})
    case_id = desk.submit(raw)["case_id"]
    desk.fire(case_id, "preserve", "alice")
    hold = _hold(desk, case_id)
    narrow = legal_process_document(targets=[{"type": "username", "value": "darkseller99"}],
                                    data_requested=[{"category": "ip_logs", "from": "2026-09-01", "to": "2026-11-30",
                                                     "purpose": "trace", "necessity": "logins"}])
    desk.fire(case_id, "attach_legal_process", "alice", attachment=narrow)
    desk.fire(case_id, "recommend_disclosure", "alice", reason="warrant for one account")
    desk.fire(case_id, "approve_disclosure", "bob")
    desk.sweep(at=seoul(2026, 12, 9))  # the user's notice lead time is over
    assert desk.show(case_id)["state"] == "disclosed"
    assert _hold(desk, case_id).status == "converted"  # the other account stays preserved
    assert "hold_kept" in {h["trigger"] for h in desk.show(case_id)["history"]}
    desk.clock.set(seoul(2027, 1, 15))
    assert desk.desk.purge().purged == []
    desk.clock.set(datetime.fromisoformat(desk.show(case_id)["holds"][0]["expires_at"]))
    assert [p["hold_id"] for p in desk.desk.purge().purged] == [hold.hold_id]
    # A warrant that takes all of it leaves nothing to keep: the snapshot goes with the production.
    whole = sample("preservation_statutory", reference="SMPA-WHOLE")
    whole["targets"] = [{"type": "username", "value": "quiet_river", "known_info": ""}]
    desk.clock.set(seoul(2026, 12, 1))
    other = desk.submit(whole)["case_id"]
    desk.fire(other, "preserve", "alice")
    desk.fire(other, "attach_legal_process", "alice", attachment=legal_process_document(
        document_reference="2026-SW-2", targets=[{"type": "username", "value": "quiet_river"}],
        data_requested=[{"category": "ip_logs", "from": "2026-09-01", "to": "2026-11-30", "purpose": "trace",
                         "necessity": "logins"}]))
    desk.fire(other, "recommend_disclosure", "alice", reason="warrant for all of it")
    desk.fire(other, "approve_disclosure", "bob")
    desk.sweep(at=seoul(2026, 12, 9))
    assert _hold(desk, other).status == "purged"
