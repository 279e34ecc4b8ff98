"""Outbox delivery through a real SMTP server on loopback and through the .eml folder: each message once,
retries with backoff, nothing to a user whose notice is held back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ledesk.delivery.dispatch import LEASE, dispatch
from ledesk.delivery.transports import EmlFolder, Smtp
from ledesk.serve import free_port
from tests.factories import sample, seoul
from tests.integration.conftest import World

SENDER = "legal@provider.example"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def statuses(world: World) -> dict[str, int]:
    rows = world.rows("select status, count(*) from outbox group by status")
    return {r[0]: int(r[1]) for r in rows}


def test_every_message_reaches_the_smtp_server_once(world: World, smtp_server: tuple[Inbox, int],
                                                     tmp_path: Path) -> None:
    inbox, port = smtp_server
    world.intake("warrant")
    world.intake("emergency")
    pending = world.count("outbox")
    transport = Smtp(f"smtp://127.0.0.1:{port}", tmp_path / "journal.txt")
    result = dispatch(world.engine, transport, world.clock.now(), SENDER)
    assert len(result.sent) == pending == len(inbox.messages)
    assert dispatch(world.engine, transport, world.clock.now(), SENDER).sent == []
    assert len(inbox.messages) == pending
    page = next(m for m in inbox.messages if m["X-LEDesk-Kind"] == "emergency_page")
    assert page["To"] == world.policy.oncall_address and page["Message-ID"].startswith("<ledesk-outbox-")
    ack = next(m for m in inbox.messages if m["X-LEDesk-Kind"] == "acknowledgement")
    assert "waives no right or objection" in ack.get_content()
    assert statuses(world) == {"sent": pending}


def test_a_server_that_is_down_is_retried_with_backoff(world: World, smtp_server: tuple[Inbox, int],
                                                       tmp_path: Path) -> None:
    inbox, port = smtp_server
    world.intake("warrant")
    down = Smtp(f"smtp://127.0.0.1:{free_port()}", tmp_path / "journal.txt", timeout=2)
    result = dispatch(world.engine, down, world.clock.now(), SENDER)
    assert result.sent == [] and len(result.retrying) == 1
    row = world.rows("select attempts, last_error, status from outbox")[0]
    assert row[0] == 1 and "Connection" in row[1] and row[2] == "pending"
    up = Smtp(f"smtp://127.0.0.1:{port}", tmp_path / "journal.txt")
    assert dispatch(world.engine, up, world.clock.now() + timedelta(seconds=30), SENDER).sent == []  # backing off
    assert len(dispatch(world.engine, up, world.clock.now() + timedelta(minutes=1), SENDER).sent) == 1
    assert len(inbox.messages) == 1


def test_a_dispatcher_killed_after_sending_does_not_send_again(world: World, tmp_path: Path) -> None:
    world.intake("warrant")
    folder = EmlFolder(tmp_path / "outbox")

    class DiesAfterSending:
        def send(self, message: Any) -> None:
            folder.send(message)
            raise SystemExit("killed between sending and recording")

        def delivered(self, message_id: str) -> bool:
            return folder.delivered(message_id)

    with pytest.raises(SystemExit):
        dispatch(world.engine, DiesAfterSending(), world.clock.now(), SENDER)
    assert statuses(world) == {"sending": 1}
    assert dispatch(world.engine, folder, world.clock.now() + timedelta(minutes=1), SENDER).sent == []  # lease
    result = dispatch(world.engine, folder, world.clock.now() + LEASE, SENDER)
    assert result.recovered and result.sent == []
    assert statuses(world) == {"sent": 1}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_user_notices_never_leave_while_the_notice_is_held_back(world: World, tmp_path: Path) -> None:
    case_id = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="ok")
    world.fire(case_id, "approve_disclosure", "bob")
    with world.engine.begin() as conn:  # an order recorded straight in the table, as a fault would
        conn.exec_driver_sql("update notices set status = 'deferred'")
    folder = EmlFolder(tmp_path / "outbox")
    result = dispatch(world.engine, folder, world.clock.now(), SENDER)
    assert len(result.held) == 1
    assert not any("user_notice" in p.read_text() for p in (tmp_path / "outbox").glob("*.eml"))


def test_a_user_notice_goes_only_to_the_contact_the_provider_holds(world: World, tmp_path: Path) -> None:
    from ledesk.datasource.embedded import EmbeddedSource

    source = EmbeddedSource(tmp_path / "datasource.db")
    source.load([{"account_id": "acct-1", "email": "hong.gildong@example.com", "phone": "+82 10 5555 0101",
                  "subscriber": {}}])

    def contacts(kind: str, value: str) -> str | None:
        account = source.lookup(kind, value)
        return source.contact(account) if account else None

    raw = sample("warrant")
    raw["targets"] = [{"type": "phone", "value": "010-5555-0101", "known_info": ""},          # held: its e-mail
                      {"type": "email", "value": "someone.else@example.com", "known_info": ""}]  # typed, unknown
    case_id = world.submit(raw)["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="ok")
    world.fire(case_id, "approve_disclosure", "bob")
    folder = EmlFolder(tmp_path / "outbox")
    result = dispatch(world.engine, folder, world.clock.now(), SENDER, contacts=contacts)
    notices = [p.read_text() for p in (tmp_path / "outbox").glob("*.eml") if "X-LEDesk-Kind: user_notice" in
               p.read_text()]
    assert len(notices) == 1 and "To: hong.gildong@example.com" in notices[0]
    assert not any("someone.else@example.com" in n for n in notices) and len(result.failed) == 1


def test_a_notice_for_an_account_without_known_address_fails_visibly(world: World, tmp_path: Path) -> None:
    case_id = world.intake("warrant_with_gag_order", nondisclosure=None)["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="ok")
    world.fire(case_id, "approve_disclosure", "bob")
    result = dispatch(world.engine, EmlFolder(tmp_path / "o"), world.clock.now(), SENDER)
    assert len(result.failed) == 1
    error = world.rows("select last_error from outbox where status = 'failed'")[0][0]
    assert "account_id:acct-77120" in error


def test_eml_files_are_complete_or_absent(world: World, tmp_path: Path) -> None:
    world.intake("warrant")
    dispatch(world.engine, EmlFolder(tmp_path / "outbox"), seoul(2026, 12, 1), SENDER)
    files = list((tmp_path / "outbox").iterdir())
    assert [f.suffix for f in files] == [".eml"]
    subject = message_from_bytes(files[0].read_bytes(), policy=policy.default)["Subject"]
    assert subject.startswith("Received: LE Desk case")


def test_a_terms_referral_waits_until_the_user_may_know(world: World, tmp_path: Path) -> None:
    case_id = world.intake("warrant_with_gag_order")["case_id"]
    world.desk.refer(case_id, "alice", "sells stolen accounts (terms 4.2)")
    folder = EmlFolder(tmp_path / "outbox")
    assert len(dispatch(world.engine, folder, world.clock.now(), SENDER).held) == 1  # notice undecided
    world.fire(case_id, "recommend_disclosure", "alice", reason="ok")
    world.fire(case_id, "approve_disclosure", "bob")  # the gag order defers the notice to 1 April 2027
    assert len(dispatch(world.engine, folder, world.clock.now(), SENDER).held) == 1
    world.sweep(seoul(2027, 4, 1, 0))  # the delayed notice goes out
    result = dispatch(world.engine, folder, seoul(2027, 4, 1, 0), SENDER)
    kinds = [message_from_bytes(p.read_bytes(), policy=policy.default)["X-LEDesk-Kind"]
             for p in (tmp_path / "outbox").glob("*.eml")]
    assert result.held == [] and "tos_referral" in kinds


def test_a_letter_leaves_with_its_rendered_docx(world: World, tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    world.intake("incomplete")
    folder = EmlFolder(tmp_path / "outbox")
    dispatch(world.engine, folder, world.clock.now(), SENDER, letters_home=tmp_path, provider="LE Desk Cloud",
             zone=ZoneInfo("Asia/Seoul"))
    sent = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in (tmp_path / "outbox").glob("*.eml")]
    deficiency = next(m for m in sent if m["X-LEDesk-Kind"] == "deficiency")
    attachment = next(deficiency.iter_attachments())
    assert attachment.get_filename() == "deficiency.docx"
    assert attachment.get_content().startswith(b"PK")


def test_the_user_notice_a_warrant_sends_names_the_user_and_nothing_of_the_request(world: World) -> None:
    """Issue 26: the notice was addressed to the officer, with the unit and the authority's reference."""
    import zipfile

    case_id = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="covered")
    world.fire(case_id, "approve_disclosure", "bob")
    world.services.ctx.render_letters()
    [path] = [r[0] for r in world.rows("select path from letters where case_id = :c and kind = 'user_notice'",
                                       c=case_id)]
    with zipfile.ZipFile(path) as docx:
        text = docx.read("word/document.xml").decode()
    for never in ("Kim Min-jun", "Seoul Metropolitan Police Agency", "Cyber Investigation", "SMPA-2026-CY-0917"):
        assert never not in text, never
    assert "Hong.GilDong@example.com" in text and "on or after 8 December 2026" in text and "2026. 12. 8." in text
    [body] = [r[0] for r in world.rows("select body from outbox where channel = 'user_notice' and case_id = :c",
                                       c=case_id)]
    assert "Kim Min-jun" not in body and "SMPA-2026-CY-0917" not in body and "2026. 12. 8." in body


def test_a_letter_is_signed_by_the_name_and_title_on_record_never_the_login_id(world: World) -> None:
    """Issue 26: letters were signed "bob", the approver's login id."""
    import re
    import zipfile

    world.services.admin.add_actor("bob", ["approver"], full_name="Park Ji-won (박지원)",
                                   title="Senior Counsel / 선임 변호사")
    signed = world.intake("warrant")["case_id"]
    world.fire(signed, "recommend_disclosure", "alice", reason="covered")
    world.fire(signed, "approve_disclosure", "bob")
    declined = world.intake("court_permission")["case_id"]
    assert declined != signed
    world.fire(declined, "reject", "alice", reason="vague_or_overbroad: the period is the whole year")
    world.services.ctx.render_letters()

    def text(case_id: str, kind: str) -> str:
        [path] = [r[0] for r in world.rows("select path from letters where case_id = :c and kind = :k",
                                           c=case_id, k=kind)]
        with zipfile.ZipFile(path) as docx:
            return re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode())

    notice = text(signed, "user_notice")
    assert "Park Ji-won (박지원)Senior Counsel / 선임 변호사LE Desk Cloud Legal Team (seal)" in notice
    assert "bob" not in notice
    rejection = text(declined, "rejection")  # alice has no name on record: the team signs
    assert "alice" not in rejection and "LE Desk Cloud Legal Team / LE Desk Cloud 법무팀" in rejection
    assert "too vague or too broad" in rejection and "범위가 지나치게 넓습니다" in rejection
    assert "the whole year" not in rejection  # the reviewer's note stays internal


def test_the_seeded_desk_never_back_dates_a_timer_or_sends_an_old_letter_at_first_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 26: the preservation seeded 85 days back had an expiry warning 9 days overdue, and its old
    letters left at first start under today's date."""
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text

    from ledesk.desk_seed import seed_desk

    monkeypatch.setenv("LEDESK_HOME", str(tmp_path))
    now = datetime.now(UTC)
    seeded = seed_desk(f"sqlite:///{tmp_path / 'desk.db'}", now)
    assert seeded is not None and "officer 김민준 (portal)" in seeded["tokens"]
    engine = create_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    with engine.connect() as conn:
        due = conn.execute(text("select kind, due_at from timers where status = 'pending' order by due_at")).all()
        old = conn.execute(text("select kind, created_at from outbox where status = 'pending'")).all()
        signs = dict(conn.execute(text("select name, full_name from actors")).all())
        bodies = conn.execute(text("select kind, body from outbox where channel in ('email', 'user_notice')")).all()
    engine.dispose()
    # What an e-mail's text says is a day as people write it, never an ISO stamp or UTC offset.
    import re

    stamped = [(k, m) for k, b in bodies for m in re.findall(r"\d{4}-\d\d-\d\d(?:T[\d:]+)?(?:\+00:00)?", b)
               if not b.count(f"LE-{m}")]
    assert len(bodies) >= 5 and stamped == [], stamped
    assert due and all(datetime.fromisoformat(str(d)).replace(tzinfo=UTC) > now for _, d in due), due
    assert ("expiry_warning" in {k for k, _ in due})  # the preservation is near its end, its warning ahead
    assert all(datetime.fromisoformat(str(c)).replace(tzinfo=UTC) > now.replace(microsecond=0) - timedelta(minutes=5)
               for _, c in old), old  # what was queued back then was delivered back then
    assert signs["bob"] == "Park Ji-won (박지원)"
