"""E-mail and form intake on a real database: only a verified authority opens a case."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from ledesk.intake.channels import intake_bytes
from ledesk.states.errors import BadInput
from tests.factories import sample
from tests.forms_kit import filled, replace_document
from tests.integration.conftest import World

SUBJECT = "Law Enforcement Agency Disclosure Request"


def message(*, sender: str = "minjun.kim@police.go.kr", subject: str = SUBJECT, dmarc: str | None = "pass",
            authserv: str = "mail.ledesk.local", attachments: list[tuple[str, bytes]] | None = None,
            body: str = "Please find our request attached.") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Kim Min-jun <{sender}>"
    msg["To"] = "le-requests@provider.example"
    msg["Subject"] = subject
    if dmarc is not None:
        msg["Authentication-Results"] = f"{authserv}; spf=pass smtp.mailfrom={sender}; dmarc={dmarc} " \
                                        f"header.from={sender.split('@')[1]}"
    msg.set_content(body)
    for name, content in attachments if attachments is not None else [("request.docx", filled())]:
        maintype, subtype = ("application", "octet-stream")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def take(world: World, name: str, data: bytes) -> dict[str, Any]:
    with world.engine.begin() as conn:
        return intake_bytes(conn, name, data, world.clock.now(), world.policy, world.calendar)


def test_a_verified_authority_email_with_a_form_opens_a_case_with_its_attachments(world: World) -> None:
    data = message(attachments=[("request.docx", filled()), ("warrant scan.pdf", b"%PDF-1.7 warrant"),
                                ("../../etc/passwd", b"root:x:0:0")])
    result = take(world, "m.eml", data)
    assert result["state"] == "received"
    docs = world.rows("select kind, filename from documents where case_id = :c order by id", c=result["case_id"])
    assert docs == [("submission", "request.docx"), ("attachment", "warrant_scan.pdf"), ("attachment", "passwd")]
    assert world.show(result["case_id"])["history"][0]["reason"].endswith("by email")


def test_the_verified_from_address_wins_over_what_the_form_says(world: World) -> None:
    form = filled(sender={"email": "someone@police.go.kr"})
    result = take(world, "m.eml", message(attachments=[("r.docx", form)]))
    stored = world.rows("select sender_email from cases where case_id = :c", c=result["case_id"])[0][0]
    assert stored == "minjun.kim@police.go.kr"


def test_a_wrong_subject_is_not_reviewed(world: World) -> None:
    result = take(world, "m.eml", message(subject="Hello"))
    assert result["status"] == "not_reviewed" and "subject" in result["reason"]
    row = world.rows("select channel, headers, attachments from not_reviewed")[0]
    assert row[0] == "email"
    headers = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    attachments = row[2] if isinstance(row[2], list) else json.loads(row[2])
    assert headers["Subject"] == "Hello" and len(attachments) == 2  # the .eml itself and its form
    assert all(len(a["sha256"]) == 64 for a in attachments)
    assert world.count("cases") == 0 and world.count("documents") == 0


def test_dmarc_failure_from_a_listed_domain_is_not_reviewed_and_raises_an_alert(world: World) -> None:
    result = take(world, "m.eml", message(dmarc="fail"))
    assert result["status"] == "not_reviewed" and "DMARC" in result["reason"]
    alerts = world.rows("select subject from outbox where kind = 'security_alert'")
    assert len(alerts) == 1 and "spoofing" in alerts[0][0]
    assert world.count("cases") == 0


def test_a_pass_verdict_from_someone_elses_server_is_not_trusted(world: World) -> None:
    result = take(world, "m.eml", message(authserv="mx.attacker.example"))
    assert result["status"] == "not_reviewed" and "no verdict from mail.ledesk.local" in result["reason"]


@pytest.mark.parametrize("authserv", ["=?utf-8?q?mail.ledesk.local?=", "=?us-ascii?b?bWFpbC5sZWRlc2subG9jYWw=?=",
                                      "=?utf-8?q?mail=2Eledesk=2Elocal?="])
def test_an_encoded_word_authserv_id_is_not_ours(world: World, authserv: str) -> None:
    """Issue 25: RFC 8601 allows no encoded words in Authentication-Results; read decoded, one that decodes
    to our authserv-id would pass as our own server's verdict."""
    header = f"Authentication-Results: {authserv}; dmarc=pass header.from=police.go.kr\r\n".encode()
    result = take(world, "m.eml", header + message(dmarc=None))
    assert result["status"] == "not_reviewed" and "no verdict from mail.ledesk.local" in result["reason"], result
    folded = b"Authentication-Results: mail.ledesk.local;\r\n dmarc=pass header.from=police.go.kr\r\n"
    assert take(world, "m2.eml", folded + message(dmarc=None))["state"] == "received"  # folding is still read


def test_the_authserv_id_comes_from_the_environment_when_set(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDESK_AUTHSERV_ID", "mx1.provider.example")
    assert take(world, "m.eml", message(authserv="mx1.provider.example"))["state"] == "received"


def test_a_look_alike_domain_is_not_reviewed_and_raises_an_alert(world: World) -> None:
    result = take(world, "m.eml", message(sender="minjun.kim@po1ice.go.kr"))
    assert result["status"] == "not_reviewed"
    assert "imitates police.go.kr" in world.rows("select subject from outbox")[0][0]


def test_an_officer_outside_the_authority_domain_is_not_reviewed(world: World) -> None:
    form = filled(officer={**sample("warrant")["officer"], "email": "kim@gmail.com"})
    assert take(world, "m.eml", message(attachments=[("r.docx", form)]))["status"] == "not_reviewed"


def test_legal_process_naming_the_case_number_is_attached_to_the_preserved_case(world: World) -> None:
    case_id = take(world, "p.eml", message(attachments=[("p.docx", filled("preservation"))]))["case_id"]
    world.fire(case_id, "preserve", "alice")
    # A scan alone states no legal basis to check: kept as correspondence, the preservation keeps running.
    scan = message(subject=f"{SUBJECT}: warrant for {case_id}", attachments=[("warrant.pdf", b"%PDF warrant")])
    result = take(world, "s.eml", scan)
    assert result["status"] == "not_legal_process" and result["guard"] == "legal_process_executable"
    assert world.show(case_id)["state"] == "preserved" and world.show(case_id)["holds"][0]["status"] == "active"
    # Mail that names the case with nothing attached is correspondence too.
    note = take(world, "n.eml", message(subject=f"{SUBJECT}: about {case_id}", body="A warrant will follow.",
                                        attachments=[]))
    assert note["status"] == "correspondence" and world.show(case_id)["state"] == "preserved"
    process = {**sample("legal_process_for_preservation"), "kind": "legal_process", "related_case": case_id}
    later = message(subject=f"{SUBJECT}: warrant for {case_id}",
                    attachments=[("warrant.json", json.dumps(process).encode()), ("warrant.pdf", b"%PDF warrant")])
    result = take(world, "w.eml", later)
    assert result == {"case_id": case_id, "status": "linked", "state": "received", "kind": "preservation",
                      "deficiencies": [], "linked_to": case_id}
    assert world.show(case_id)["holds"][0]["status"] == "converted"


def test_a_supplement_naming_the_authority_reference_cures_the_case(world: World) -> None:
    case_id = take(world, "i.eml", message(attachments=[("i.docx", filled("incomplete"))]))["case_id"]
    assert world.show(case_id)["state"] == "incomplete"
    supplement = json.dumps(sample("incomplete_supplement") |
                            {"kind": "legal_process", "sender": {"email": "x@police.go.kr"}}).encode()
    later = message(subject=f"{SUBJECT} - supplement to SMPA-2026-CY-0980", attachments=[("s.json", supplement)])
    assert take(world, "s.eml", later)["state"] == "received"


def test_an_email_with_no_form_and_no_case_is_bad_input(world: World) -> None:
    with pytest.raises(BadInput, match=r"no \.docx or \.json"):
        take(world, "m.eml", message(attachments=[("scan.pdf", b"%PDF")]))
    assert world.count("cases") == 0


def test_a_hostile_form_by_email_is_bad_input_and_writes_nothing(world: World) -> None:
    with pytest.raises(BadInput, match="DTD or entity"):
        hostile = replace_document(filled(), lambda x: x.replace("?>", "?><!DOCTYPE x [<!ENTITY e 'e'>]>", 1))
        take(world, "m.eml", message(attachments=[("r.docx", hostile)]))
    assert world.count("cases") == 0 and world.count("not_reviewed") == 0


def test_the_drop_folder_moves_each_file_by_its_outcome(world: World, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.eml").write_bytes(message())
    (inbox / "b.docx").write_bytes(b"PK not really")
    (inbox / "c.txt").write_text("hello")
    results = list(world.services.intake.take_inbox())
    assert [r["file"] for r in results] == ["a.eml", "b.docx", "c.txt"]
    assert (tmp_path / "processed" / "a.eml").exists() and (tmp_path / "processed" / "a.eml.result.json").exists()
    assert sorted(p.name for p in (tmp_path / "refused").iterdir()) == [
        "b.docx", "b.docx.result.json", "c.txt", "c.txt.result.json"]
    assert list(inbox.iterdir()) == []


def _with_header(data: bytes, name: str, value: str) -> bytes:
    """The message with one header's value replaced as an attacker would write it."""
    head, _, body = data.partition(b"\n\n")
    lines = [ln for ln in head.split(b"\n") if not ln.lower().startswith(name.lower().encode() + b":")]
    return b"\n".join([f"{name}: {value}".encode(), *lines]) + b"\n\n" + body


@pytest.mark.parametrize("from_value", [
    "Kim <minjun.kim@police.go.kr> <attacker@evil.example>",
    "minjun.kim@police.go.kr, attacker@evil.example",
    '"minjun.kim@police.go.kr" <attacker@police.go.kr>',
])
def test_a_from_that_is_not_exactly_one_plain_address_is_not_reviewed_and_alerts(world: World,
                                                                                  from_value: str) -> None:
    data = _with_header(message(attachments=[("e.json", json.dumps(sample("emergency")).encode())]), "From",
                        from_value)
    result = take(world, "m.eml", data)
    assert result["status"] == "not_reviewed", result
    assert world.count("cases") == 0
    alerts = world.rows("select subject from outbox where kind = 'security_alert'")
    assert alerts and "possible spoofing" in alerts[0].subject


@pytest.mark.parametrize("auth", [
    "mail.ledesk.local; spf=pass smtp.mailfrom=dmarc=pass@evil.example",
    "mail.ledesk.local; spf=pass (dmarc=pass header.from=police.go.kr) smtp.mailfrom=a@evil.example",
    "mail.ledesk.local; dmarc=pass header.from=evil.example",
    "relay.evil.example; dmarc=pass header.from=police.go.kr",
])
def test_a_forged_authentication_result_never_opens_a_case(world: World, auth: str) -> None:
    data = _with_header(message(attachments=[("e.json", json.dumps(sample("emergency")).encode())]),
                        "Authentication-Results", auth)
    result = take(world, "m.eml", data)
    assert result["status"] == "not_reviewed" and "DMARC did not pass" in result["reason"], result
    assert world.count("cases") == 0 and world.rows("select count(*) from outbox where kind = 'emergency_page'"
                                                    )[0][0] == 0


def test_an_officer_email_list_is_refused(world: World) -> None:
    raw = sample("warrant")
    raw["officer"] = {**raw["officer"], "email": "minjun.kim@police.go.kr, leak@evil.example"}
    assert world.submit(raw)["status"] == "not_reviewed" and world.count("cases") == 0


def test_a_punycode_look_alike_sender_raises_the_alert(world: World) -> None:
    lookalike = "pоlice.go.kr".encode("idna").decode("ascii")  # a Cyrillic о, as the mail carries it
    raw = sample("emergency", sender={"email": f"kim@{lookalike}"})
    raw["officer"] = {**raw["officer"], "email": f"kim@{lookalike}"}
    assert world.submit(raw)["status"] == "not_reviewed"
    [alert] = world.rows("select subject from outbox where kind = 'security_alert'")
    assert "imitates police.go.kr" in alert.subject


def test_one_unreadable_message_is_refused_and_the_next_is_read(world: World, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    broken = message(body="x").replace(b'charset="utf-8"', b'charset="x-no-such-charset"')
    assert b"x-no-such-charset" in broken
    (inbox / "a.eml").write_bytes(broken)
    (inbox / "b.eml").write_bytes(message())
    results = list(world.services.intake.take_inbox())
    assert [r["file"] for r in results] == ["a.eml", "b.eml"]
    assert "error" in results[0] and results[1]["status"] == "opened"
    assert (tmp_path / "refused" / "a.eml").exists() and (tmp_path / "processed" / "b.eml").exists()


def test_a_message_of_twenty_thousand_parts_is_refused_before_it_is_parsed(world: World) -> None:
    import time

    parts = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(20_000))
    data = (b"From: minjun.kim@police.go.kr\r\nSubject: " + SUBJECT.encode() +
            b"\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + parts + b"--B--\r\n")
    started = time.perf_counter()
    with pytest.raises(BadInput, match="MIME parts"):
        take(world, "big.eml", data)
    assert time.perf_counter() - started < 1.0  # refused before the parser builds 20,000 parts


def test_an_email_joins_a_case_only_by_the_whole_reference(world: World) -> None:
    raw = sample("preservation", reference="2026-1")
    case_id = world.submit(raw)["case_id"]
    world.fire(case_id, "preserve", "alice")
    near = message(subject=f"{SUBJECT}: about 2026-10", attachments=[], body="our reference 2026-10")
    with pytest.raises(BadInput, match="names no open case"):
        take(world, "n.eml", near)
    exact = take(world, "e.eml", message(subject=f"{SUBJECT}: about 2026-1", attachments=[]))
    assert exact["status"] == "correspondence" and exact["case_id"] == case_id


def test_an_8bit_from_domain_is_a_sender_not_reviewed_never_a_crash(world: World) -> None:
    """Issue 25: raw 8-bit bytes in From (not RFC 6532 UTF-8) once failed the database write with a traceback.
    What the sender wrote is kept readable, and the message is not reviewed like any other unreadable sender."""
    data = message().replace(b"From: Kim Min-jun <minjun.kim@police.go.kr>",
                             "From: Kim <kim@경찰.kr>".encode("euc-kr"))
    assert "경찰".encode("euc-kr") in data
    result = take(world, "8bit.eml", data)
    assert result["status"] == "not_reviewed" and result["case_id"] is None
    [row] = world.rows("select sender from not_reviewed")
    assert row.sender.startswith("kim@") and row.sender.isprintable()
