"""The `ledesk` command as operators and scripts use it: --json, exit codes, LEDESK_NOW. Commands run in this
process through ledesk.cli.main (tests/cli.py); a few smoke tests start the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli import Ledesk
from tests.conftest import pg_database
from tests.factories import SAMPLES


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledesk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledesk]:
    """The CLI on a fresh SQLite file, and on a fresh PostgreSQL database of its own."""
    if request.param == "sqlite":
        yield _set_up(Ledesk(tmp_path / "home"), None)
        return
    with pg_database(request.getfixturevalue("pg_admin_url"), f"ledesk_e2e_{os.getpid()}") as url:
        yield _set_up(Ledesk(tmp_path / "home", url), url)


def _set_up(cli: Ledesk, url: str | None) -> Ledesk:
    assert cli.run("init")["database"].startswith("sqlite:///" if url is None else "postgresql+psycopg://")
    cli.run("authorities", "add", "police.go.kr", "--name", "KNPA", "--country", "KR", "--type", "police")
    assert cli.run("actors", "add", "alice", "--role", "reviewer") == {"actor": "alice", "roles": ["reviewer"]}
    cli.run("actors", "add", "bob", "--role", "approver")
    assert cli.run("actors", "add", "bob", "--role", "reviewer")["roles"] == ["approver", "reviewer"]
    return cli


def test_a_warrant_from_intake_to_disclosure(ledesk: Ledesk) -> None:
    opened = ledesk.run("intake", str(SAMPLES / "warrant.json"))
    case_id = opened["case_id"]
    assert opened["state"] == "received" and opened["linked_to"] is None
    shown = ledesk.run("show", case_id)
    assert set(shown) >= {"case_id", "kind", "regime", "state", "authority", "targets", "holds", "notice", "timers",
                          "letters", "history", "allowed_triggers"}
    assert shown["received_at"] == "2026-12-01T00:00:00+00:00"
    refused = ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob", code=1)
    assert refused["guard"] == "recommended" and refused["code"] == "guard_refused"
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "bob", "--reason", "covers it")
    refused = ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob", code=1)
    assert refused["guard"] == "recommended_by_other"
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "covers it")
    after = ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    assert after["state"] == "notify_user" and after["notice"]["status"] == "pending"
    assert ledesk.run("cases", "--state", "notify_user")["cases"][0]["case_id"] == case_id
    fired = ledesk.run("sweep", now="2026-12-08T09:00:00+09:00")["fired"]
    assert fired == [{"case_id": case_id, "timer": "notice_lead_time", "trigger": "disclose"}]
    assert ledesk.run("show", case_id)["state"] == "disclosed"
    kinds = {m["kind"] for m in ledesk.run("outbox", "--pending")["messages"]}
    assert {"acknowledgement", "user_notice", "disclosure_cover"} <= kinds
    verified = ledesk.run("audit", "verify")
    # The approval and the disclosure each signed a checkpoint of their own (and the sweep its hourly one).
    assert verified["ok"] and verified["first_bad"] is None and verified["problem"] is None
    assert verified["checkpoints"] >= 2 and verified["unanchored"] == 0


def test_cure_with_an_attached_supplement(ledesk: Ledesk) -> None:
    case_id = ledesk.run("intake", str(SAMPLES / "incomplete.json"))["case_id"]
    after = ledesk.run("advance", case_id, "cure", "--actor", "alice", "--attach",
                       str(SAMPLES / "incomplete_supplement.json"))
    assert after["state"] == "received" and after["deficiencies"] == []


def test_nondisclosure_order_replans_the_notice(ledesk: Ledesk) -> None:
    case_id = ledesk.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    doc = ledesk.run("nondisclosure", case_id, "--until", "2027-02-26", "--actor", "alice")
    assert doc["notice"]["status"] == "deferred"
    # The next business day after Friday 26 February: Monday 1 March is a holiday, so Tuesday 2 March,
    # 00:00 Seoul, which is 15:00 UTC on 1 March.
    assert doc["notice"]["due_at"] == "2027-03-01T15:00:00+00:00"
    assert ledesk.run("nondisclosure", case_id, "--actor", "alice", code=2)["code"] == "bad_input"


def test_bad_input_is_exit_2_and_changes_nothing(ledesk: Ledesk, tmp_path: Path) -> None:
    before = ledesk.run("audit", "verify")["events"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads((SAMPLES / "warrant.json").read_text()), "extra": 1}))
    err = ledesk.run("intake", str(bad), code=2)
    assert "extra: unknown field" in err["error"]
    bad.write_text("{not json")
    assert ledesk.run("intake", str(bad), code=2)["code"] == "bad_input"
    assert ledesk.run("show", "LE-NOPE", code=2)["code"] == "not_found"
    assert ledesk.run("advance", "LE-NOPE", "teleport", "--actor", "alice", code=2)["code"] == "bad_input"
    assert ledesk.run("actors", "add", "system", "--role", "admin", code=2)["code"] == "bad_input"
    assert ledesk.run("authorities", "add", "not a domain", "--name", "x", "--country", "KR", "--type", "police",
                      code=2)["code"] == "bad_input"
    assert ledesk.run("cases", "--due-before", "tomorrow", code=2)["code"] == "bad_input"
    assert ledesk.run("show", "X", now="yesterday", code=2)["code"] == "bad_input"
    assert ledesk.run("frobnicate", code=2)["code"] == "usage"
    assert ledesk.run("cases")["cases"] == []
    assert ledesk.run("audit", "verify")["events"] == before


def test_not_reviewed_sender_exits_0_and_opens_nothing(ledesk: Ledesk) -> None:
    result = ledesk.run("intake", str(SAMPLES / "lookalike_sender.json"))
    assert result["case_id"] is None and result["status"] == "not_reviewed"
    assert ledesk.run("cases")["cases"] == []


def test_an_uninitialised_database_says_so(tmp_path: Path) -> None:
    cli = Ledesk(tmp_path / "empty")
    assert "ledesk init" in cli.run("cases", code=2)["error"]


def test_json_goes_before_or_after_the_command(tmp_path: Path) -> None:
    """A smoke test of the installed entry point: a real process, as a shell starts it."""
    cli = Ledesk(tmp_path)
    for argv in (["--json", "init"], ["init", "--json"]):
        done = cli.process(*argv)
        assert done.code == 0, done.stderr
        assert done.json()["database"].startswith("sqlite:///")
    done = cli.process("init")
    assert done.code == 0 and done.stdout.startswith("database ready")


def test_intake_inbox_takes_each_file_of_the_drop_folder_once(ledesk: Ledesk, tmp_path: Path) -> None:
    inbox = tmp_path / "home" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "a-warrant.json").write_bytes((SAMPLES / "warrant.json").read_bytes())
    (inbox / "b-notes.txt").write_text("not a request")
    files = ledesk.run("intake", "--inbox")["files"]
    assert [f["file"] for f in files] == ["a-warrant.json", "b-notes.txt"]
    assert files[0]["state"] == "received" and "error" in files[1]
    assert (tmp_path / "home" / "processed" / "a-warrant.json").exists()
    assert (tmp_path / "home" / "refused" / "b-notes.txt").exists()
    assert ledesk.run("intake", "--inbox")["files"] == []  # taken once
    assert len(ledesk.run("cases")["cases"]) == 1
    assert ledesk.run("intake", code=2)["code"] == "bad_input"  # neither PATH nor --inbox


def test_schema_refuses_unknown_fields(tmp_path: Path) -> None:
    done = Ledesk(tmp_path).call("schema")
    assert done.code == 0
    schema = done.json()
    assert schema["additionalProperties"] is False and "legal_basis" in schema["properties"]


@pytest.mark.long
def test_demo_runs_end_to_end_and_the_chain_holds(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {"LEDESK_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "ledesk.cli", "demo", "--json"], env=env, capture_output=True,
                          text=True, timeout=300, check=True)
    summary = json.loads(proc.stdout)
    assert summary["audit_ok"] and summary["timers_fired"] >= 10
    # A sweep run on each simulated day something is due (every timer of the story fired through one),
    # with the intake, emergency, report, purge and dispatch runs.
    assert 5 <= summary["days_swept"] < 120 and summary["flow_runs"] >= 40 and summary["letters"] > 0
    assert any(p.name.endswith(".eml") for p in (tmp_path / "demo" / "outbox").iterdir())
    states = {c["state"] for c in summary["cases"]}
    assert {"disclosed", "expired", "rejected"} <= states
    # Then a desk to work at, on today's clock, in LEDESK_HOME itself: `ledesk serve` opens onto it.
    desk = summary["desk"]
    assert set(desk["tokens"]) >= {"alice", "bob", "olga"} and len(desk["cases"]) == 4
    cli = Ledesk(tmp_path)
    cli.env.pop("LEDESK_NOW")
    open_states = {cli.run("show", case_id)["state"] for case_id in desk["cases"].values()}
    assert open_states == {"received", "incomplete", "preserved"}
    from ledesk.desk_seed import seed_desk

    assert seed_desk(f"sqlite:///{tmp_path / 'ledesk.db'}", datetime.now(UTC)) is None  # a desk with cases stays


def test_blank_forms_and_filled_form_intake(ledesk: Ledesk, tmp_path: Path) -> None:
    from ledesk.intake.forms.fill import fill_form

    for kind in ("preservation", "legal_process", "emergency"):
        out = tmp_path / f"{kind}.docx"
        assert ledesk.run("forms", "blank", "--kind", kind, "-o", str(out)) == {"path": str(out), "kind": kind}
        assert out.read_bytes().startswith(b"PK")
    sub = json.loads((SAMPLES / "preservation.json").read_text())
    form = tmp_path / "filled.docx"
    form.write_bytes(fill_form((tmp_path / "preservation.docx").read_bytes(), sub))
    opened = ledesk.run("intake", str(form))
    assert opened["state"] == "received" and opened["kind"] == "preservation"
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    err = ledesk.run("intake", str(bomb), code=2)
    assert err["code"] == "bad_input" and "bomb.docx" in err["error"]


def test_email_intake_from_the_command_line(ledesk: Ledesk, tmp_path: Path) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "minjun.kim@police.go.kr"
    msg["Subject"] = "Law Enforcement Agency Disclosure Request"
    msg["Authentication-Results"] = "mail.ledesk.local; dmarc=pass header.from=police.go.kr"
    msg.set_content("attached")
    msg.add_attachment((SAMPLES / "warrant.json").read_bytes(), maintype="application", subtype="json",
                       filename="request.json")
    path = tmp_path / "m.eml"
    path.write_bytes(bytes(msg))
    assert ledesk.run("intake", str(path))["state"] == "received"
    del msg["Authentication-Results"]
    path.write_bytes(bytes(msg))
    assert ledesk.run("intake", str(path))["status"] == "not_reviewed"


def test_dispatch_writes_eml_files_once(ledesk: Ledesk, tmp_path: Path) -> None:
    ledesk.run("intake", str(SAMPLES / "warrant.json"))
    first = ledesk.run("dispatch")
    assert len(first["sent"]) == 1 and first["failed"] == []
    assert ledesk.run("dispatch")["sent"] == []
    assert len(list((tmp_path / "home" / "outbox").glob("*.eml"))) == 1
    assert ledesk.run("outbox", "--pending")["messages"] == []


def test_datasource_preserve_lapse_and_purge(ledesk: Ledesk, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.jsonl"
    accounts.write_text(json.dumps({"account_id": "acct-1", "phone": "010-1234-5678", "subscriber": {"name": "Hong"},
                                    "access_logs": [{"at": "2026-10-01T00:00:00+00:00", "ip": "203.0.113.9"}]})
                        + "\n")
    assert ledesk.run("datasource", "load", str(accounts)) == {"accounts": 1}
    assert ledesk.run("datasource", "generate", "--accounts", "3") == {"accounts": 3}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\nnot json\n")
    assert ledesk.run("datasource", "load", str(bad), code=2)["code"] == "bad_input"
    case_id = ledesk.run("intake", str(SAMPLES / "preservation.json"))["case_id"]
    ledesk.run("actors", "add", "alice", "--role", "reviewer")
    shown = ledesk.run("advance", case_id, "preserve", "--actor", "alice")
    assert shown["history"][-1]["trigger"] == "snapshot_taken"
    assert ledesk.run("purge") == {"purged": [], "productions_destroyed": [], "ledger_purged": {}}
    swept = ledesk.run("sweep", now="2027-03-03T00:00:00+09:00")
    assert swept["retention_deleted"] == 1 + 3 * 50  # the data source's own retention, once that day
    assert "retention_deleted" not in ledesk.run("sweep", now="2027-03-03T00:10:00+09:00")
    purged = ledesk.run("purge", now="2027-03-03T01:00:00+09:00")["purged"]
    assert purged == [{"case_id": case_id, "hold_id": shown["holds"][0]["hold_id"]}]
    assert ledesk.run("export", case_id, "-o", str(tmp_path / "x"), code=2)["code"] == "bad_input"  # not disclosed
    assert ledesk.run("datasource", "retention", now="2027-03-03T01:00:00+09:00") == {"deleted": 0}


def test_export_of_a_disclosed_case(ledesk: Ledesk, tmp_path: Path) -> None:
    accounts = tmp_path / "a.jsonl"
    accounts.write_text(json.dumps({"account_id": "acct-9", "email": "hong.gildong@example.com",
                                    "subscriber": {"name": "Hong Gil-dong"}}) + "\n")
    ledesk.run("datasource", "load", str(accounts))
    ledesk.run("actors", "add", "alice", "--role", "reviewer")
    case_id = ledesk.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "ok")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    ledesk.run("sweep", now="2026-12-08T09:00:00+09:00")
    assert ledesk.run("show", case_id)["targets"][0]["outcome"] == "produce"
    result = ledesk.run("export", case_id, "-o", str(tmp_path / "package"), "--actor", "alice")
    assert result["files"] == len(list((tmp_path / "package").iterdir()))
    manifest = json.loads((tmp_path / "package" / "manifest.json").read_text())
    assert any("subscriber_info" in f["name"] for f in manifest["files"])
    # The package as the authority gets it, checked as the authority would: by the letter's fingerprint.
    key = ledesk.run("keys", "public")
    assert key["algorithm"] == "Ed25519" and key["fingerprint"] == manifest["key_fingerprint"]
    assert key["pem"].startswith("-----BEGIN PUBLIC KEY-----") and key["key_store"].startswith("sqlite:")
    zipped = tmp_path / "package.zip"
    assert ledesk.run("export", case_id, "-o", str(zipped), "--actor", "alice")["path"] == str(zipped)
    verdict = ledesk.run("verify-production", str(zipped), "--fingerprint", key["fingerprint"])
    assert verdict["ok"] and verdict["problems"] == [] and verdict["key_fingerprint"] == key["fingerprint"]
    import zipfile

    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(tmp_path / "edited.zip", "w") as dst:
        for name in src.namelist():
            dst.writestr(name, b"{}" if "subscriber_info" in name else src.read(name))
    broken = ledesk.run("verify-production", str(tmp_path / "edited.zip"), code=1)
    assert not broken["ok"] and "subscriber_info" in broken["problems"][0]
    # The key inside a package proves nothing alone (issue 25): without a fingerprint or the published key,
    # the check says so and does not pass; with the published key it does.
    untrusted = ledesk.run("verify-production", str(zipped), code=1)
    assert any("no trusted key named" in p for p in untrusted["problems"])
    published = tmp_path / "production-key.pem"
    published.write_text(key["pem"])
    assert ledesk.run("verify-production", str(zipped), "--public-key", str(published))["ok"]


def test_letters_render_from_the_command_line(ledesk: Ledesk) -> None:
    ledesk.run("intake", str(SAMPLES / "incomplete.json"))
    rendered = ledesk.run("letters", "render")["rendered"]
    assert sorted(r["kind"] for r in rendered) == ["acknowledgement", "deficiency"]
    assert all(Path(r["path"]).read_bytes().startswith(b"PK") for r in rendered)
    assert ledesk.run("letters", "render") == {"rendered": []}


def test_a_malformed_master_key_is_refused_before_anything_is_preserved(ledesk: Ledesk) -> None:
    ledesk.run("actors", "add", "alice", "--role", "reviewer")
    case_id = ledesk.run("intake", str(SAMPLES / "preservation.json"))["case_id"]
    ledesk.env["LEDESK_MASTER_KEY"] = "too-short"
    err = ledesk.run("advance", case_id, "preserve", "--actor", "alice", code=2)
    assert "LEDESK_MASTER_KEY" in err["error"]
    del ledesk.env["LEDESK_MASTER_KEY"]
    assert ledesk.run("show", case_id)["state"] == "received"


def test_a_process_with_another_master_key_is_told_so_and_changes_nothing(ledesk: Ledesk) -> None:
    ledesk.run("actors", "add", "alice", "--role", "reviewer")
    ledesk.run("actors", "add", "bob", "--role", "approver")
    case_id = ledesk.run("intake", str(SAMPLES / "preservation.json"))["case_id"]
    ledesk.run("advance", case_id, "preserve", "--actor", "alice")  # its key wrapped by LEDESK_HOME/master.key
    ledesk.run("advance", case_id, "attach_legal_process", "--actor", "alice",
               "--attach", str(SAMPLES / "legal_process_for_preservation.json"))
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "the warrant covers it")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    ledesk.env["LEDESK_MASTER_KEY"] = "q" * 43 + "="  # a second machine started with another master key
    # A wrong master key is the machine's set-up, not one timer's trouble: the sweep stops and says so.
    err = ledesk.run("sweep", now="2026-12-08T09:00:00+09:00", code=2)
    assert "another master key" in err["error"] and "LEDESK_MASTER_KEY" in err["error"]
    assert ledesk.run("show", case_id)["state"] == "notify_user"  # the disclosure waits for the right key
    del ledesk.env["LEDESK_MASTER_KEY"]
    ledesk.run("sweep", now="2026-12-08T09:05:00+09:00")
    assert ledesk.run("show", case_id)["state"] == "disclosed"


def test_reports_and_an_invoice_with_one_command_each(ledesk: Ledesk, tmp_path: Path) -> None:
    from docx import Document

    case_id = ledesk.run("intake", str(SAMPLES / "warrant_with_gag_order.json"))["case_id"]
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "ok", "--minutes", "40")
    assert ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")["state"] == "disclosed"
    report = ledesk.run("report", "transparency", "--from", "2026-07-01", "--to", "2026-12-31", "--format", "csv",
                        "-o", str(tmp_path / "t.csv"))
    header = (tmp_path / "t.csv").read_text().splitlines()[0]
    assert header == "table,period,country,instrument,measure,requests,accounts"
    received = [r for r in report["rows"] if r["measure"] == "received"]
    assert [(r["table"], r["instrument"], r["requests"]) for r in received] == [
        ("legal_process", "search_warrant", 1)]
    docx = ledesk.run("report", "transparency", "--from", "2026-07-01", "--to", "2026-12-31", "--format", "docx")
    document = Document(docx["path"])
    assert len(document.inline_shapes) == 1 and len(document.tables) >= 2   # the chart, then the tables
    png = ledesk.run("report", "transparency", "--from", "2026-07-01", "--to", "2026-12-31", "--format", "png",
                     "-o", str(tmp_path / "t.png"))
    assert Path(png["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pcsa = ledesk.run("report", "pcsa", "--half", "2026-H2", "--format", "csv", now="2027-01-05T10:00:00+09:00")
    assert pcsa["due_on"] == "2027-02-01" and pcsa["complete"] is True and pcsa["totals"]["requests"] == 0
    # Both reports were produced before 18 January, so neither reminder goes out.
    ledesk.run("report", "tba", "--half", "2026-H2", now="2027-01-05T10:00:00+09:00")
    fired = ledesk.run("sweep", now="2027-01-18T09:00:00+09:00")["fired"]
    assert [f for f in fired if f["timer"] == "statutory_report_reminder"] == []
    bill = ledesk.run("invoice", case_id, "--actor", "alice")
    assert bill["minutes"] == 40 + 20 and bill["data_cost"] == 0 and bill["total"] == 60000  # nothing was held
    assert bill["path"].endswith(".docx")
    assert ledesk.run("invoice", case_id, "--actor", "alice", code=1)["guard"] == "invoice_once"
    stats = ledesk.run("stats", "--png", str(tmp_path / "picture.png"))
    assert (tmp_path / "picture.png").read_bytes()[:4] == b"\x89PNG" and stats["png"].endswith("picture.png")
    bad = ledesk.run("report", "transparency", "--from", "2026-12-31", "--to", "2026-07-01", code=2)
    assert bad["code"] == "bad_input" and "before" in bad["error"]
    assert ledesk.run("report", "pcsa", "--half", "2026-H3", code=2)["code"] == "bad_input"
    assert ledesk.run("report", "transparency", "--from", "yesterday", "--to", "2026-07-01", code=2)["code"] == \
        "bad_input"


def test_every_file_and_folder_under_ledesk_home_is_private(ledesk: Ledesk, tmp_path: Path) -> None:
    ledesk.run("intake", str(SAMPLES / "warrant.json"))
    ledesk.run("dispatch")
    ledesk.run("letters", "render")
    home = tmp_path / "home"
    found = [p for p in home.rglob("*")]
    assert any(p.suffix == ".eml" for p in found) and any(p.suffix == ".docx" for p in found)
    loose = [f"{p.relative_to(home)} {oct(p.stat().st_mode & 0o777)}" for p in found
             if p.stat().st_mode & 0o077]
    assert loose == []


def test_audit_checkpoints_from_the_command_line_and_the_sweep(ledesk: Ledesk, tmp_path: Path) -> None:
    ledesk.run("intake", str(SAMPLES / "warrant.json"))
    mark = ledesk.run("audit", "checkpoint")
    assert mark["events"] >= 1 and len(mark["head"]) == 64 and Path(mark["path"]).is_file()
    assert oct(Path(mark["path"]).stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "home" / "keys" / "audit.key").exists()  # the audit key lives in the key store
    swept = ledesk.run("sweep", now="2026-12-01T10:30:00+09:00")
    assert swept["checkpoint"]["events"] >= mark["events"]  # an hour on: the sweep signs one
    assert "checkpoint" not in ledesk.run("sweep", now="2026-12-01T10:40:00+09:00")
    verified = ledesk.run("audit", "verify")
    assert verified["ok"] and verified["checkpoints"] == 2


def test_intake_of_an_emergency_pages_on_call_at_once(ledesk: Ledesk, tmp_path: Path) -> None:
    opened = ledesk.run("intake", str(SAMPLES / "emergency.json"))
    assert opened["kind"] == "emergency" and opened["page"]["sent"] == 1 and "outbox" in opened["page"]["via"]
    pages = [p for p in (tmp_path / "home" / "outbox").glob("*.eml") if b"emergency_page" in p.read_bytes()]
    assert len(pages) == 1 and opened["case_id"].encode() in pages[0].read_bytes()


def test_tokens_are_listed_renewed_and_removed_with_their_holder(ledesk: Ledesk) -> None:
    alice = ledesk.run("tokens", "create", "alice")
    officer = ledesk.run("tokens", "create", "--authority", "police.go.kr", "--officer", "Kim Min-jun",
                         "--badge", "12-3456")
    assert officer["expires_at"] == "2026-12-31T00:00:00+00:00"  # 30 days for an officer
    listed = {t["token_id"]: t for t in ledesk.run("tokens", "list")}
    assert listed[alice["token_id"]]["status"] == "live" and listed[officer["token_id"]]["officer"] == "Kim Min-jun"
    later = "2027-01-05T09:00:00+09:00"
    assert {t["status"] for t in ledesk.run("tokens", "list", now=later)} == {"live", "expired"}
    renewed = ledesk.run("tokens", "renew", officer["token_id"], now=later)
    assert renewed["expires_at"] == "2027-02-04T00:00:00+00:00"
    assert ledesk.run("actors", "remove", "alice")["tokens_revoked"] == [alice["token_id"]]
    assert ledesk.run("authorities", "remove", "police.go.kr")["tokens_revoked"] == [officer["token_id"]]
    assert {t["status"] for t in ledesk.run("tokens", "list")} == {"revoked"}
    missing = ledesk.run("actors", "remove", "nobody", code=2)
    assert "no actor" in missing["error"]


def test_a_case_is_assigned_from_the_command_line_and_the_queue_filters_on_it(ledesk: Ledesk) -> None:
    case_id = ledesk.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    assert ledesk.run("cases", "--assigned-to", "alice")["cases"] == []
    done = ledesk.run("assign", case_id, "--to", "alice", "--actor", "bob")
    assert done == {"case_id": case_id, "assigned_to": "alice"}
    assert [c["case_id"] for c in ledesk.run("cases", "--assigned-to", "alice")["cases"]] == [case_id]
    assert ledesk.run("cases", "--assigned-to", "bob")["cases"] == []
    # Only a reviewer takes a case, and only case staff hand one out; a refusal changes nothing.
    ledesk.run("actors", "add", "olga", "--role", "oncall")
    assert "not a reviewer" in ledesk.run("assign", case_id, "--to", "olga", "--actor", "bob", code=2)["error"]
    ledesk.run("assign", case_id, "--to", "bob", "--actor", "mallory", code=1)
    assert ledesk.run("show", case_id)["assigned_to"] == "alice"
    assigned = [h for h in ledesk.run("show", case_id)["history"] if h["trigger"] == "assigned"]
    assert [h["actor"] for h in assigned] == ["bob"]
