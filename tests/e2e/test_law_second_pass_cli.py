"""Issue 23's rules through the `ledesk` command, one test per section of the issue: who issued the
instrument, what a foreign or emergency request may get, what is kept and for how long, and the letters
and notices. --json, exit codes naming the rule, LEDESK_NOW as the clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any

from tests.cli import Ledesk
from tests.e2e.test_cli import ledesk  # noqa: F401  (the fixture)
from tests.factories import sample

LOGS = [{"at": "2026-08-31T15:30:00+00:00", "ip": "203.0.113.77"},
        {"at": "2026-11-30T15:30:00+00:00", "ip": "203.0.113.78"}]
ACCOUNTS = [{"account_id": "acct-42", "phone": "010-1234-5678", "email": "suspect@example.com",
             "username": "quiet_river", "subscriber": {"name": "Hong"}, "access_logs": LOGS},
            {"account_id": "acct-99", "username": "darkseller99", "subscriber": {"name": "Seller"},
             "access_logs": LOGS}]


def write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False))
    return str(path)


def load_accounts(cli: Ledesk, tmp_path: Path, accounts: list[dict[str, Any]] = ACCOUNTS) -> None:
    path = tmp_path / "accounts.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in accounts))
    cli.run("datasource", "load", str(path))


def sent(cli: Ledesk, case_id: str, kind: str, now: str | None = None) -> list[str]:
    """The bodies of the case's messages of one kind, as delivered (`ledesk dispatch` writes .eml files)."""
    cli.run("dispatch", now=now)
    found = []
    for path in sorted((Path(cli.env["LEDESK_HOME"]) / "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=email_policy.default)
        if message["X-LEDesk-Case"] == case_id and message["X-LEDesk-Kind"] == kind:
            found.append(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    return found


def process(**basis: Any) -> dict[str, Any]:
    targets = basis.pop("targets", None)
    data = basis.pop("data_requested", None)
    doc: dict[str, Any] = {"legal_basis": {**sample("warrant")["legal_basis"], **basis}}
    if targets is not None:
        doc["targets"] = targets
    if data is not None:
        doc["data_requested"] = data
    return doc


def test_who_issued_the_instrument_and_who_may_ask(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    """Constitution art. 12(3), CPA art. 215(1); TBA art. 83(3); Supreme Court 99모161."""
    raw = sample("warrant", reference="POLICE-WARRANT")
    raw["legal_basis"] = {**raw["legal_basis"], "issued_by": "Gangnam Police Station"}
    case_id = ledesk.run("intake", write(tmp_path, "w.json", raw))["case_id"]
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "looks fine")
    refused = ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob", code=1)
    assert refused["guard"] == "instrument_suffices" and "Gangnam Police Station" in refused["error"]
    # A regulator may not ask for subscriber data, even with the policy's switch on.
    policy_file = tmp_path / "policy.toml"
    default = (Path(__file__).resolve().parents[2] / "ledesk" / "policy" / "default.toml").read_text()
    policy_file.write_text(default.replace("comply = false", "comply = true"))
    ledesk.env["LEDESK_POLICY"] = str(policy_file)
    ledesk.run("authorities", "add", "ftc.go.kr", "--name", "Fair Trade Commission", "--country", "KR",
               "--type", "regulator")
    ftc = sample("statutory_subscriber_request", reference="FTC-1")
    ftc["sender"] = {"email": "case@ftc.go.kr"}
    ftc["officer"] = {**ftc["officer"], "email": "case@ftc.go.kr"}
    ftc["approver"] = {"name": "Park", "rank": "superintendent"}
    regulator = ledesk.run("intake", write(tmp_path, "ftc.json", ftc))["case_id"]
    ledesk.run("advance", regulator, "recommend_disclosure", "--actor", "alice", "--reason", "subscriber data")
    assert ledesk.run("advance", regulator, "approve_disclosure", "--actor", "bob", code=1)["guard"] == \
        "tba83_policy_allows"
    # A warrant is spent once executed: the same number for the same target again is refused.
    first = ledesk.run("intake", write(tmp_path, "1.json", sample("warrant", reference="FIRST")))["case_id"]
    ledesk.run("advance", first, "recommend_disclosure", "--actor", "alice", "--reason", "ok")
    ledesk.run("advance", first, "approve_disclosure", "--actor", "bob")
    ledesk.run("sweep", now="2026-12-08T10:00:00+09:00")
    again = ledesk.run("intake", write(tmp_path, "2.json", sample("warrant", reference="AGAIN")),
                       now="2026-12-08T11:00:00+09:00")["case_id"]
    ledesk.run("advance", again, "recommend_disclosure", "--actor", "alice", "--reason", "ok",
               now="2026-12-08T11:00:00+09:00")
    assert ledesk.run("advance", again, "approve_disclosure", "--actor", "bob", code=1,
                      now="2026-12-08T11:00:00+09:00")["guard"] == "warrant_not_spent"


def _emergency(cli: Ledesk, tmp_path: Path, sender: str, reference: str) -> str:
    raw = sample("emergency", reference=reference)
    raw["data_requested"].append({**raw["data_requested"][0], "category": "ip_logs", "from": "2026-09-01",
                                  "to": "2026-11-30"})
    raw["sender"] = {"email": sender}
    raw["officer"] = {**raw["officer"], "email": sender}
    case_id: str = cli.run("intake", write(tmp_path, f"{reference}.json", raw))["case_id"]
    cli.run("advance", case_id, "verify_callback", "--actor", "olga", "--reason", "called the duty desk")
    cli.run("advance", case_id, "emergency_disclose", "--actor", "bob")
    return case_id


def test_what_a_foreign_or_emergency_request_may_get(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    """PCSA arts. 3(1), 13(3) proviso, 13(7), 13-5; MLAT Act art. 17(2)."""
    load_accounts(ledesk, tmp_path)
    ledesk.run("actors", "add", "olga", "--role", "oncall")
    ledesk.run("authorities", "add", "fbi.gov", "--name", "FBI", "--country", "US", "--type", "police")
    foreign = _emergency(ledesk, tmp_path, "agent@fbi.gov", "FBI-1")
    shown = ledesk.run("show", foreign)
    bodies = sent(ledesk, foreign, "disclosure_cover")
    assert any("withheld IP address logs: communication-confirmation data is provided only to Korean prosecutors" in b
               for b in bodies)
    assert shown["notice"]["status"] == "deferred"
    domestic = _emergency(ledesk, tmp_path, "minjun.kim@police.go.kr", "SMPA-IP")
    assert ledesk.run("show", domestic)["notice"]["reason"] == "agency_notifies_by_law"
    report = ledesk.run("report", "pcsa", "--half", "2026-H2", "-o", str(tmp_path / "pcsa.csv"))
    assert sum(r["requests"] for r in report["rows"]) == 1
    statutory = process(instrument="statutory_request", issued_by="Seoul Police", provisions=["TBA art. 83(3)"],
                        targets=[{"type": "username", "value": "quiet_river", "known_info": ""}])
    assert ledesk.run("followup", domestic, "--attach", write(tmp_path, "f1.json", statutory), "--actor", "alice",
                      code=1)["guard"] == "followup_covers_release"
    overdue = ledesk.run("sweep", now="2026-12-05T00:00:00+09:00")["fired"]
    assert domestic in {f["case_id"] for f in overdue}  # the follow-up alert was not stopped
    permission = process(instrument="court_permission", document_reference="2026-CP-EM",
                         targets=[{"type": "username", "value": "quiet_river", "known_info": ""}])
    ledesk.run("followup", domestic, "--attach", write(tmp_path, "f2.json", permission), "--actor", "alice",
               now="2026-12-05T01:00:00+09:00")
    # MLAT: counted under the requesting state, on the Korean permission it was executed on.
    ledesk.run("authorities", "add", "moj.go.kr", "--name", "Ministry of Justice", "--country", "KR", "--type", "other")
    mlat = sample("court_permission", reference="MLAT-JP", mlat={"origin_country": "JP",
                                                                  "korean_process_reference": "2026-MLAT-9"})
    mlat["legal_basis"] = {**mlat["legal_basis"], "instrument": "mlat", "issued_by": "Ministry of Justice"}
    mlat["targets"] = [{"type": "email", "value": "suspect@example.com", "known_info": ""}]
    mlat["sender"] = {"email": "treaty@moj.go.kr"}
    mlat["officer"] = {**mlat["officer"], "email": "treaty@moj.go.kr"}
    treaty = ledesk.run("intake", write(tmp_path, "mlat.json", mlat))["case_id"]
    ledesk.run("advance", treaty, "require_legal_process", "--actor", "alice", "--reason", "IP logs need a permission")
    korean = process(instrument="court_permission", document_reference="2026-CP-MLAT",
                     targets=[{"type": "email", "value": "suspect@example.com", "known_info": ""}])
    ledesk.run("advance", treaty, "attach_legal_process", "--actor", "alice", "--attach",
               write(tmp_path, "k.json", korean))
    ledesk.run("advance", treaty, "recommend_disclosure", "--actor", "alice", "--reason", "permission covers it")
    assert ledesk.run("advance", treaty, "approve_disclosure", "--actor", "bob")["state"] == "disclosed"
    invoice = ledesk.run("invoice", treaty, "--actor", "alice")
    assert invoice["bill_to"]["country"] == "JP" and "2026-CP-MLAT" in invoice["bill_to"]["basis"]
    rows = ledesk.run("report", "transparency", "--from", "2026-12-01", "--to", "2026-12-31",
                      "-o", str(tmp_path / "t.csv"))["rows"]
    assert ("JP", "mlat") in {(r["country"], r["instrument"]) for r in rows if r["table"] == "legal_process"}


def test_what_is_kept_and_for_how_long(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    """CPA art. 215-2; Rules on Crim. Proc. art. 178; PIPA art. 21(1); PCSA Decree 41(2)."""
    load_accounts(ledesk, tmp_path)
    raw = sample("preservation_statutory")
    raw["preservation"]["steps_to_obtain_legal_process"] = ""
    raw["targets"] += [{"type": "username", "value": "quiet_river", "known_info": ""},
                       {"type": "email", "value": "nobody@example.com", "known_info": ""}]
    opened = ledesk.run("intake", write(tmp_path, "p.json", raw))
    assert opened["state"] == "received" and opened["notes"]
    case_id = opened["case_id"]
    ledesk.run("advance", case_id, "preserve", "--actor", "alice")
    shown = ledesk.run("show", case_id)
    assert {t["value"]: t["outcome"] for t in shown["targets"]}["nobody@example.com"] == "no_data"
    assert "no_records" in {letter["kind"] for letter in shown["letters"]}
    assert shown["holds"][0]["expires_at"] is not None
    narrow = process(targets=[{"type": "username", "value": "darkseller99", "known_info": ""}],
                     data_requested=[{"category": "ip_logs", "from": "2026-06-01", "to": "2026-11-30",
                                      "purpose": "trace", "necessity": "logins"}])
    ledesk.run("advance", case_id, "attach_legal_process", "--actor", "alice", "--attach",
               write(tmp_path, "w.json", narrow))
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "one account")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    ledesk.run("sweep", now="2026-12-08T10:00:00+09:00")
    shown = ledesk.run("show", case_id)
    assert shown["state"] == "disclosed" and shown["holds"][0]["status"] == "converted"
    [cover] = sent(ledesk, case_id, "disclosure_cover", now="2026-12-08T10:01:00+09:00")
    assert "not held, older than we keep them: IP address logs 1 June 2026 to before 1 September 2026" in cover
    assert ledesk.run("purge", now="2027-01-20T10:00:00+09:00")["purged"] == []
    purged = ledesk.run("purge", now="2027-02-15T10:00:00+09:00")["purged"]
    assert [p["case_id"] for p in purged] == [case_id]


def test_letters_and_notices(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    """CPA art. 215-2 secrecy and an NDO hold a referral; a notice names the disclosure's own day."""
    load_accounts(ledesk, tmp_path, [{"account_id": "acct-7", "email": "hong.gildong@example.com", "subscriber": {}}])
    statutory = ledesk.run("intake", write(tmp_path, "s.json", sample("preservation_statutory")))["case_id"]
    ledesk.run("refer", statutory, "--actor", "alice", "--reason", "sells stolen accounts (terms 4.2)")
    ledesk.run("advance", statutory, "reject", "--actor", "alice", "--reason", "other: withdrawn")
    gagged = ledesk.run("intake", write(tmp_path, "g.json", sample("warrant", reference="GAG",
                                                                    nondisclosure={"until": "2027-03-31",
                                                                                   "reference": "NDO-1"})))
    ledesk.run("refer", gagged["case_id"], "--actor", "alice", "--reason", "spam (terms 2.1)")
    ledesk.run("dispatch")
    referrals = [m for m in ledesk.run("outbox")["messages"] if m["kind"] == "tos_referral"]
    assert [m["status"] for m in referrals] == ["pending", "pending"]
    warrant = ledesk.run("intake", write(tmp_path, "w.json", sample("warrant", reference="NOTICE-DAY")))["case_id"]
    ledesk.run("advance", warrant, "recommend_disclosure", "--actor", "alice", "--reason", "ok",
               now="2026-12-01T23:30:00+09:00")
    ledesk.run("advance", warrant, "approve_disclosure", "--actor", "bob", now="2026-12-01T23:30:00+09:00")
    [notice] = sent(ledesk, warrant, "user_notice", now="2026-12-01T23:31:00+09:00")
    assert "on or after 8 December 2026 (Asia/Seoul), not before" in notice
    assert ledesk.run("sweep", now="2026-12-08T23:29:00+09:00")["fired"] == []
    ledesk.run("sweep", now="2026-12-08T23:31:00+09:00")
    assert ledesk.run("show", warrant)["state"] == "disclosed"
