"""The official mailbox from the command line and under `ledesk serve`, against a real Dovecot: `ledesk
mailbox poll` takes what arrived, and an emergency APPENDed to the mailbox pages on-call within seconds
through the IMAP IDLE connection."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient

from ledesk.serve import free_port
from tests.cli import Ledesk
from tests.conftest import Dovecot
from tests.e2e.test_serve import post, wait_for
from tests.forms_kit import filled
from tests.integration.test_email_intake import message


def _cli(tmp_path: Path, dovecot: Dovecot) -> tuple[Ledesk, IMAPClient]:
    user, password = dovecot.user()
    cli = Ledesk(tmp_path / "home")
    (tmp_path / "imap-password").write_text(password + "\n")
    cli.env.update({"LEDESK_IMAP_URL": dovecot.url(user), "LEDESK_IMAP_PASSWORD_FILE": str(tmp_path / "imap-password")})
    cli.run("init")
    cli.run("authorities", "add", "police.go.kr", "--name", "KNPA", "--country", "KR", "--type", "police")
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login(user, password)
    return cli, client


def test_mailbox_poll_from_the_command_line(tmp_path: Path, dovecot: Dovecot) -> None:
    cli, client = _cli(tmp_path, dovecot)
    client.append("INBOX", message(attachments=[("request.docx", filled("warrant", reference="CLI-MB-1"))]))
    client.append("INBOX", message(sender="officer@police-go.kr.example"))
    polled = cli.run("mailbox", "poll")
    assert polled["mailbox"].startswith("imap://") and "pw-" not in str(polled)
    assert [t["status"] for t in polled["taken"]] == ["opened"] and len(polled["refused"]) == 1
    assert cli.run("show", polled["taken"][0]["case_id"])["reference"] == "CLI-MB-1"
    assert cli.run("mailbox", "poll") == {"mailbox": polled["mailbox"], "taken": [], "refused": []}
    cli.env["LEDESK_IMAP_URL"] = f"imap://nobody@127.0.0.1:{free_port()}/INBOX"  # no server there
    failed = cli.run("mailbox", "poll", code=2)
    assert failed["code"] == "mailbox" and "ConnectionRefusedError" in failed["error"]


@pytest.mark.long
def test_serve_pages_on_call_seconds_after_an_emergency_reaches_the_mailbox(tmp_path: Path,
                                                                            dovecot: Dovecot) -> None:
    cli, client = _cli(tmp_path, dovecot)
    home = tmp_path / "home"
    port = free_port()
    env = {k: v for k, v in cli.env.items() if not k.startswith("PREFECT_") and k != "LEDESK_NOW"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "ledesk.cli", "serve", "--port", str(port), "--api-port", "0"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: "IMAP IDLE" in (tmp_path / "serve.log").read_text(), 60, "serve to start")
        api = f"http://127.0.0.1:{port}/api"
        wait_for(lambda: {d["name"] for d in post(f"{api}/deployments/filter", {})} >= {"watch-inbox"}, 150,
                 "the deployments")
        time.sleep(3)  # the IDLE connection starts right after the deployments
        client.append("INBOX", message(attachments=[("request.docx", filled("emergency", reference="MB-E-1"))]))
        appended = time.monotonic()
        page = wait_for(lambda: [p for p in (home / "outbox").glob("*.eml")
                                 if b"X-LEDesk-Kind: emergency_page" in p.read_bytes()], 60, "the page")
        took = time.monotonic() - appended
        assert page and took < 20, f"the page took {took:.1f} s"
        print(f"APPEND to page: {took:.1f} s")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    assert "LE Desk stopped" in (tmp_path / "serve.log").read_text()
