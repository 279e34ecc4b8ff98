"""The official mailbox over IMAP (issue 16, part 1), against a real Dovecot server on loopback: the same
e-mail intake as the drop folder, each message moved by its outcome, and taken exactly once whatever
crashes, restarts or second workers do."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest
from imapclient import IMAPClient

from ledesk.intake.mailbox import MailboxConfig, MailboxError, connect, watch
from tests.conftest import Dovecot
from tests.factories import sample
from tests.forms_kit import filled
from tests.integration.conftest import World
from tests.integration.test_email_intake import message


def _request(reference: str, kind: str = "warrant", message_id: str | None = None) -> bytes:
    raw = message(attachments=[("request.docx", filled(kind, reference=reference))])
    if message_id:
        raw = f"Message-ID: {message_id}\r\n".encode() + raw
    return raw


@pytest.fixture
def mailbox(dovecot: Dovecot) -> tuple[MailboxConfig, IMAPClient]:
    user, password = dovecot.user()
    cfg = MailboxConfig.parse(dovecot.url(user), password)
    client = connect(cfg)
    client.select_folder("INBOX")
    return cfg, client


def _inbox(client: IMAPClient) -> list[int]:
    client.select_folder("INBOX")  # a fresh view: what other connections moved away is gone
    return list(client.search("ALL"))


def _folder(client: IMAPClient, name: str) -> list[int]:
    delimiter = client.list_folders(directory="", pattern="")[0][1].decode()
    folder = name.replace("/", delimiter)
    if not client.folder_exists(folder):
        return []
    client.select_folder(folder, readonly=True)
    uids = list(client.search("ALL"))
    client.select_folder("INBOX")
    return uids


def test_a_poll_takes_each_request_and_moves_it_by_its_outcome(world: World, mailbox: Any) -> None:
    cfg, client = mailbox
    client.append("INBOX", _request("MB-1", message_id="<mb-1@police.go.kr>"))
    client.append("INBOX", message(sender="someone@evil.example"))      # not an authority: not reviewed
    client.append("INBOX", b"Subject: broken\r\nContent-Type: multipart/mixed\r\n\r\nno boundary")
    outcomes = list(world.services.intake.take_mailbox(cfg))
    assert [o.get("status") for o in outcomes][:2] == ["opened", "not_reviewed"]
    assert outcomes[1]["status"] == "not_reviewed" and "error" in outcomes[2]
    assert _inbox(client) == []
    assert len(_folder(client, "LE Desk/Processed")) == 1 and len(_folder(client, "LE Desk/Refused")) == 2
    shown = world.show(outcomes[0]["case_id"])
    assert shown["state"] == "received" and shown["reference"] == "MB-1"
    assert list(world.services.intake.take_mailbox(cfg)) == []  # an empty folder is an empty pass


def test_a_crash_between_the_commit_and_the_move_never_opens_the_case_twice(world: World, mailbox: Any,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import ledesk.intake.mailbox as mb

    cfg, client = mailbox
    client.append("INBOX", _request("MB-CRASH", message_id="<crash@police.go.kr>"))

    def dies(*args: Any) -> None:
        raise ConnectionResetError("the worker died before the move")

    monkeypatch.setattr(mb, "_move", dies)
    with pytest.raises(ConnectionResetError):
        list(world.services.intake.take_mailbox(cfg))
    monkeypatch.undo()
    assert len(_inbox(client)) == 1  # still in the inbox, its case committed
    again = list(world.services.intake.take_mailbox(cfg))
    assert again[0]["already_taken"] and again[0]["status"] == "opened"
    assert world.rows("select count(*) from cases where reference = 'MB-CRASH'")[0][0] == 1
    assert _inbox(client) == [] and len(_folder(client, "LE Desk/Processed")) == 1


def test_the_same_message_twice_and_two_workers_at_once_open_one_case(world: World, mailbox: Any) -> None:
    cfg, client = mailbox
    for n in range(6):
        client.append("INBOX", _request(f"MB-W{n}", message_id=f"<w{n}@police.go.kr>"))
    client.append("INBOX", _request("MB-W0", message_id="<w0@police.go.kr>"))  # the same message, resent
    results: list[list[dict[str, Any]]] = [[], []]
    start = threading.Barrier(2)

    def worker(n: int) -> None:
        start.wait()
        try:
            results[n] = list(world.services.intake.take_mailbox(cfg))
        except Exception as exc:  # a message the other worker moved first is gone from this one's view
            results[n] = [{"worker_error": repr(exc)}]

    threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    list(world.services.intake.take_mailbox(cfg))  # whatever a worker left behind, a later pass finishes
    refs = [r[0] for r in world.rows("select reference from cases where reference like 'MB-W%' order by reference")]
    assert refs == [f"MB-W{n}" for n in range(6)]
    assert _inbox(client) == []
    assert world.rows("select count(*) from mailbox_messages")[0][0] >= 6


def test_an_emergency_is_taken_within_seconds_under_idle(world: World, mailbox: Any) -> None:
    cfg, client = mailbox
    stopping, arrived = threading.Event(), threading.Event()
    taken: list[dict[str, Any]] = []

    def new_mail() -> None:
        taken.extend(world.services.intake.take_mailbox(cfg))
        if any(t.get("kind") == "emergency" for t in taken):
            arrived.set()

    watcher = threading.Thread(target=watch, args=(cfg, new_mail, stopping), kwargs={"idle_seconds": 30},
                               daemon=True)
    watcher.start()
    import time

    time.sleep(1)  # the watcher is idling
    client.append("INBOX", _request("MB-EMERG", kind="emergency"))
    try:
        assert arrived.wait(15), "the IDLE watcher did not take the emergency"
    finally:
        stopping.set()
    assert [t["kind"] for t in taken if "kind" in t] == ["emergency"]


def test_the_mailbox_settings_say_what_is_wrong(dovecot: Dovecot, tmp_path: Any) -> None:
    with pytest.raises(MailboxError, match="imaps://USER@HOST"):
        MailboxConfig.parse("https://host/INBOX", "pw")
    with pytest.raises(MailboxError, match="password"):
        MailboxConfig.parse("imaps://u:secret@host/INBOX", "pw")
    with pytest.raises(MailboxError, match="LEDESK_IMAP_PASSWORD"):
        MailboxConfig.from_env({"LEDESK_IMAP_URL": "imaps://u@host/INBOX"})
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    cfg = MailboxConfig.from_env({"LEDESK_IMAP_URL": "imaps://legal%40provider.example@mail.example/LE%20Requests",
                                  "LEDESK_IMAP_PASSWORD_FILE": str(secret)})
    assert cfg is not None and (cfg.user, cfg.port, cfg.folder, cfg.password) == (
        "legal@provider.example", 993, "LE Requests", "s3cret")
    user, _ = dovecot.user()
    from imapclient.exceptions import LoginError

    with pytest.raises(LoginError):
        connect(MailboxConfig.parse(dovecot.url(user), "wrong password"))
    assert sample("warrant")  # the samples the requests are built from exist


def test_a_message_id_that_cannot_be_stored_never_stops_the_mailbox(world: World, mailbox: Any) -> None:
    """Issue 25: a Message-ID decoding to a NUL (which PostgreSQL cannot store) once stopped every poll at that
    message. What a sender controls is normalised: the poison is refused or taken, and what follows is taken."""
    cfg, client = mailbox
    client.append("INBOX", _request("POISON", message_id="=?utf-8?q?poison=00id?="))
    client.append("INBOX", b"Message-ID: <nul\x00id@police.go.kr>\r\n" + _request("NUL-RAW"))
    client.append("INBOX", _request("AFTER-POISON", kind="emergency", message_id="<after@police.go.kr>"))
    outcomes = list(world.services.intake.take_mailbox(cfg))
    assert len(outcomes) == 3 and outcomes[-1].get("status") == "opened" and outcomes[-1]["kind"] == "emergency"
    assert all("\x00" not in str(o.get("message_id") or "") for o in outcomes)
    assert _inbox(client) == []


def test_a_refused_message_never_claims_the_message_id_of_a_genuine_one(world: World, mailbox: Any) -> None:
    """Issue 25: a mail failing DMARC with the Message-ID of a genuine request that arrives later does not
    make the genuine one "already taken": exactly-once keys on what was verified."""
    cfg, client = mailbox
    forged = message(dmarc="fail", attachments=[("request.docx", filled("warrant", reference="PRE-EMPT"))])
    client.append("INBOX", b"Message-ID: <genuine-7@police.go.kr>\r\n" + forged)
    first = list(world.services.intake.take_mailbox(cfg))
    assert [o.get("status") for o in first] == ["not_reviewed"]
    client.append("INBOX", _request("GENUINE-7", message_id="<genuine-7@police.go.kr>"))
    [genuine] = list(world.services.intake.take_mailbox(cfg))
    assert genuine.get("status") == "opened" and not genuine.get("already_taken")
    # The genuine one's Message-ID is kept: the same request sent again is taken once.
    client.append("INBOX", _request("GENUINE-7", message_id="<genuine-7@police.go.kr>"))
    [again] = list(world.services.intake.take_mailbox(cfg))
    assert again.get("already_taken")


def test_a_restored_mail_store_reusing_uids_never_matches_a_new_emergency_to_an_old_outcome(
        world: World, mailbox: Any) -> None:
    """Issue 25: after a restore the server may hand out the same UIDVALIDITY and UIDs again, to other
    messages. A message is known by its content digest too: a new emergency under an old UID is taken."""
    from ledesk.intake.mailbox import MailKey

    cfg, client = mailbox
    client.append("INBOX", _request("BEFORE-RESTORE", message_id="<before@police.go.kr>"))
    [first] = list(world.services.intake.take_mailbox(cfg))
    row = world.rows("select uidvalidity, uid, content_sha256 from mailbox_messages")[0]
    assert first["status"] == "opened" and len(row.content_sha256) == 64
    emergency = _request("AFTER-RESTORE", kind="emergency", message_id="<after-restore@police.go.kr>")
    reused = MailKey(cfg.key, row.uidvalidity, row.uid, "<after-restore@police.go.kr>",
                     hashlib.sha256(emergency).hexdigest())
    taken = world.services.intake.take_mail(reused, emergency)
    assert taken.get("status") == "opened" and not taken.get("already_taken") and taken["kind"] == "emergency"
    # The very same message under its old name is still taken once.
    again = MailKey(cfg.key, row.uidvalidity, row.uid, None, row.content_sha256)
    assert world.services.intake.take_mail(again, b"whatever")["already_taken"]


def test_a_large_message_is_fetched_in_chunks_whole(world: World, mailbox: Any) -> None:
    """Issue 25: messages are fetched one at a time, the body in FETCH_CHUNK pieces, and arrive whole."""
    import ledesk.intake.mailbox as mb

    cfg, client = mailbox
    scan = bytes(range(256)) * (9 * 4096)  # a 9 MB scan: its base64 spans several chunks
    big = message(attachments=[("request.docx", filled("warrant", reference="BIG-1")), ("scan.pdf", scan)])
    assert len(big) > 2 * mb.FETCH_CHUNK
    client.append("INBOX", big)
    [taken] = list(world.services.intake.take_mailbox(cfg))
    assert taken.get("status") == "opened", taken
    digest = world.rows("select content_sha256 from mailbox_messages")[0][0]
    stored = world.rows("select sha256 from documents where case_id = :c and filename = 'scan.pdf'",
                        c=taken["case_id"])
    assert stored and stored[0][0] == hashlib.sha256(scan).hexdigest()
    assert digest is not None
