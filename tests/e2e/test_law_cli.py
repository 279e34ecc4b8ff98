"""Issue 14's rules through the `ledesk` command, as a reviewer meets them: real processes, --json, exit
codes naming the guard, LEDESK_NOW as the clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli import Ledesk
from tests.e2e.test_cli import ledesk  # noqa: F401  (the fixture)
from tests.factories import SAMPLES, sample

ACCOUNTS = [
    {"account_id": "acct-42", "phone": "010-1234-5678", "subscriber": {"name": "Hong"},
     "access_logs": [{"at": "2026-09-01T03:00:00+00:00", "ip": "203.0.113.1"},
                     {"at": "2026-10-15T03:00:00+00:00", "ip": "203.0.113.2"}]},
    {"account_id": "acct-43", "phone": "010-9999-0000", "subscriber": {"name": "Other"},
     "access_logs": [{"at": "2026-10-10T03:00:00+00:00", "ip": "192.0.2.43"}]},
    {"account_id": "corp-1", "email": "ceo@customer.example", "subscriber": {}, "customer_controlled": True},
]


def write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False))
    return str(path)


def process(**basis: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"legal_basis": {**sample("warrant")["legal_basis"], **basis.pop("legal_basis", {})}}
    return {**doc, **basis}


def preserved_two_accounts(cli: Ledesk, tmp_path: Path) -> str:
    cli.run("datasource", "load", _jsonl(tmp_path))
    raw = sample("preservation")
    raw["targets"].append({"type": "phone", "value": "010-9999-0000", "known_info": ""})
    case_id: str = cli.run("intake", write(tmp_path, "p.json", raw))["case_id"]
    cli.run("advance", case_id, "preserve", "--actor", "alice")
    return case_id


def _jsonl(tmp_path: Path) -> str:
    path = tmp_path / "accounts.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ACCOUNTS))
    return str(path)


def test_what_counts_as_legal_process_and_what_is_produced(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    case_id = preserved_two_accounts(ledesk, tmp_path)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7 warrant")
    assert ledesk.run("advance", case_id, "attach_legal_process", "--actor", "alice", "--attach", str(scan),
                      code=1)["guard"] == "legal_process_executable"
    lapsed = process(legal_basis={"issued_on": "2026-11-01", "valid_until": "2026-11-20"})
    assert ledesk.run("advance", case_id, "attach_legal_process", "--actor", "alice",
                      "--attach", write(tmp_path, "old.json", lapsed), code=1)["guard"] == "legal_process_valid_now"
    stranger = process(targets=[{"type": "email", "value": "x@example.com", "known_info": ""}])
    assert ledesk.run("advance", case_id, "attach_legal_process", "--actor", "alice",
                      "--attach", write(tmp_path, "s.json", stranger), code=1)["guard"] == \
        "legal_process_names_case_target"
    assert ledesk.run("show", case_id)["state"] == "preserved"  # the expiry keeps running
    warrant = process(targets=[{"type": "phone", "value": "+82 10 1234 5678", "known_info": ""}],
                      data_requested=[{"category": "ip_logs", "from": "2026-10-01", "to": "2026-11-30"}])
    ledesk.run("advance", case_id, "attach_legal_process", "--actor", "alice",
               "--attach", write(tmp_path, "w.json", warrant))
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "covers the logs")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    ledesk.run("sweep", now="2026-12-08T09:00:00+09:00")
    shown = ledesk.run("show", case_id)
    assert shown["state"] == "disclosed" and shown["holds"][0]["status"] == "purged"
    ledesk.run("export", case_id, "-o", str(tmp_path / "package"), "--actor", "alice",
               now="2026-12-08T10:00:00+09:00")
    manifest = json.loads((tmp_path / "package" / "manifest.json").read_text())
    [part_file] = [f["name"] for f in manifest["files"] if "ip_logs" in f["name"]]
    part = json.loads((tmp_path / "package" / part_file).read_text())
    assert part["account_id"] == "acct-42" and [r["ip"] for r in part["records"]] == ["203.0.113.2"]
    assert any("does not name" in t["withheld"][0]["why"] for t in manifest["targets"] if t["outcome"] == "withheld")
    destroyed = ledesk.run("purge", now="2027-03-09T00:01:00+09:00")["productions_destroyed"]
    assert [d["case_id"] for d in destroyed] == [case_id]


def test_a_lapse_after_approval_sends_the_case_back_to_wait(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    raw = sample("warrant", respond_by="2026-12-20")
    raw["legal_basis"] = {**raw["legal_basis"], "valid_until": "2026-12-10"}
    case_id = ledesk.run("intake", write(tmp_path, "w.json", raw))["case_id"]
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "ok")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    # An approver presses disclose once the lead time is over but the warrant has lapsed.
    shown = ledesk.run("advance", case_id, "disclose", "--actor", "bob", now="2026-12-11T09:00:00+09:00")
    assert shown["state"] == "awaiting_legal_process" and shown["recommended_by"] is None
    assert "legal_process_required" in {letter["kind"] for letter in shown["letters"]}
    renewed = process(legal_basis={"issued_on": "2026-12-11", "valid_until": "2027-01-10"})
    ledesk.run("advance", case_id, "attach_legal_process", "--actor", "alice",
               "--attach", write(tmp_path, "r.json", renewed), now="2026-12-11T10:00:00+09:00")
    assert ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob", code=1,
                      now="2026-12-11T11:00:00+09:00")["guard"] == "recommended"


def test_notice_rules_from_the_command_line(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    case_id = ledesk.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    wish = ledesk.run("nondisclosure", case_id, "--indefinite", "--actor", "alice")
    assert wish["notice"]["status"] == "deferred"  # no order named: reviewed later, not silent for ever
    order = ledesk.run("nondisclosure", case_id, "--indefinite", "--reference", "2026-NDO-7", "--actor", "alice")
    assert order["notice"]["status"] == "suppressed"
    other = ledesk.run("intake", write(tmp_path, "o.json", sample("warrant", reference="ORDER-ENDED")))["case_id"]
    ledesk.run("nondisclosure", other, "--until", "2026-11-30", "--reference", "NDO-OLD", "--actor", "alice")
    ledesk.run("advance", other, "recommend_disclosure", "--actor", "alice", "--reason", "ok")
    approved = ledesk.run("advance", other, "approve_disclosure", "--actor", "bob")
    assert approved["state"] == "notify_user" and approved["notice"]["status"] == "pending"  # the order ended


def test_215_2_extension_emergency_and_intake_rules(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    early = ledesk.run("intake", str(SAMPLES / "preservation_statutory.json"), now="2026-06-29T10:00:00+09:00")
    assert ledesk.run("advance", early["case_id"], "preserve", "--actor", "alice", code=1,
                      now="2026-06-29T11:00:00+09:00")["guard"] == "statutory_regime_in_force"
    in_force = sample("preservation_statutory", reference="SMPA-AFTER-2026-06-30")
    statutory = ledesk.run("intake", write(tmp_path, "st.json", in_force))["case_id"]
    ledesk.run("advance", statutory, "preserve", "--actor", "alice")
    renewal = process(legal_basis={"instrument": "court_permission", "issued_by": "Seoul Prosecutors' Office"})
    assert ledesk.run("advance", statutory, "extend", "--actor", "alice",
                      "--attach", write(tmp_path, "renewal.json", renewal), code=1)["guard"] == \
        "court_permission_if_required"
    assert ledesk.run("advance", statutory, "extend", "--actor", "alice", code=1,
                      now="2027-02-10T09:00:00+09:00")["guard"] == "preservation_not_ended"
    raw = sample("emergency")
    raw["emergency"] = {**raw["emergency"], "certified": False}
    opened = ledesk.run("intake", write(tmp_path, "e.json", raw))
    assert [d["field"] for d in opened["deficiencies"]] == ["emergency.certified"]
    ledesk.run("actors", "add", "olga", "--role", "oncall")
    ledesk.run("advance", opened["case_id"], "verify_callback", "--actor", "olga", "--reason", "called the station")
    assert ledesk.run("advance", opened["case_id"], "emergency_disclose", "--actor", "bob", code=1)["guard"] == \
        "emergency_stated_and_certified"
    late = ledesk.run("intake", write(tmp_path, "late.json", sample("warrant", respond_by="2026. 11. 30.")))
    assert late["state"] == "incomplete" and "respond_by" in [d["field"] for d in late["deficiencies"]]
    korean = ledesk.run("intake", write(tmp_path, "k.json", sample("warrant", reference="KR-DATE",
                                                                    respond_by="2026년 12월 20일")))
    assert korean["state"] == "received"
    bad = ledesk.run("intake", write(tmp_path, "bad.json", sample("warrant", respond_by="20 Dec 2026")), code=2)
    assert "respond_by" in bad["error"]


def test_customer_data_is_redirected_never_produced(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    ledesk.run("datasource", "load", _jsonl(tmp_path))
    raw = sample("warrant")
    raw["targets"] = [{"type": "email", "value": "ceo@customer.example", "known_info": ""}]
    case_id = ledesk.run("intake", write(tmp_path, "c.json", raw))["case_id"]
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "ok")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    ledesk.run("sweep", now="2026-12-08T09:00:00+09:00")
    shown = ledesk.run("show", case_id)
    assert [t["outcome"] for t in shown["targets"]] == ["redirected"]
    kinds = [letter["kind"] for letter in shown["letters"]]
    assert "redirect" in kinds and "no_records" not in kinds


def test_an_emergencys_follow_up_process_is_stored_checked_and_counted(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    ledesk.run("actors", "add", "olga", "--role", "oncall")
    case_id = ledesk.run("intake", str(SAMPLES / "emergency.json"))["case_id"]
    ledesk.run("advance", case_id, "verify_callback", "--actor", "olga", "--reason", "called the station")
    assert ledesk.run("advance", case_id, "emergency_disclose", "--actor", "bob")["state"] == "disclosed"
    scan = tmp_path / "w.pdf"
    scan.write_bytes(b"%PDF warrant")
    assert ledesk.run("followup", case_id, "--attach", str(scan), "--actor", "alice", code=1)["guard"] == \
        "legal_process_document_attached"
    stranger = process(targets=[{"type": "username", "value": "someone_else", "known_info": ""}])
    assert ledesk.run("followup", case_id, "--attach", write(tmp_path, "s.json", stranger), "--actor", "alice",
                      code=1)["guard"] == "legal_process_names_case_target"
    shown = ledesk.run("followup", case_id, "--attach", write(tmp_path, "f.json", process()), "--actor", "alice")
    assert shown["state"] == "disclosed" and shown["history"][-1]["trigger"] == "followup_legal_process"
    assert {t["status"] for t in shown["timers"] if t["kind"] == "emergency_followup"} == {"cancelled"}
    assert ledesk.run("sweep", now="2026-12-10T09:00:00+09:00")["fired"] == []  # no follow-up alert
    rows = ledesk.run("report", "transparency", "--from", "2026-12-01", "--to", "2026-12-31",
                      "-o", str(tmp_path / "r.csv"))["rows"]
    assert [r["requests"] for r in rows if r["measure"] == "followup_process_received"] == [1]
