"""Two people take a warrant from intake to `notify_user` in a real browser (Debian's Chromium through
Playwright) against `ledesk api` in its own process: the reviewer recommends, the approver approves in a
second browser context, and nobody is offered approval of their own recommendation. Screenshots of the
queue and a case page are written under tests/artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledesk.serve import free_port
from tests.cli import Ledesk
from tests.conftest import pg_database
from tests.e2e.conftest import ARTIFACTS
from tests.factories import SAMPLES


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`ledesk api` in its own process on a fresh SQLite file, and on a PostgreSQL database of its own."""
    if request.param == "sqlite":
        yield from _desk(Ledesk(tmp_path / "home"))
        return
    with pg_database(request.getfixturevalue("pg_admin_url"), f"ledesk_browser_{os.getpid()}") as url:
        yield from _desk(Ledesk(tmp_path / "home", url))


def _desk(cli: Ledesk) -> Iterator[dict[str, Any]]:
    cli.run("init")
    cli.run("authorities", "add", "police.go.kr", "--name", "KNPA", "--country", "KR", "--type", "police",
            "--callback-phone", "+82 2 3150 2114")
    cli.run("actors", "add", "alice", "--role", "reviewer")
    cli.run("actors", "add", "bob", "--role", "approver", "--role", "reviewer")
    tokens = {name: cli.run("tokens", "create", name)["token"] for name in ("alice", "bob")}
    warrant = cli.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    second = cli.run("intake", str(SAMPLES / "warrant_with_gag_order.json"))["case_id"]
    server, base = start_api(cli.env)  # one deployment, one master key: the API and the CLI read the same
    yield {"base": base, "tokens": tokens, "warrant": warrant, "second": second, "cli": cli}
    server.terminate()
    server.wait(timeout=20)


def start_api(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """`ledesk api` in its own process, once it answers /healthz."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ledesk.cli", "api", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)


def sign_in(browser: Any, base: str, token: str, home: str = "/") -> Any:
    """A browser page signed in with `token`, at `home` ("/" for the reviewers, "/portal" for an officer),
    after being sent to that home's sign-in page."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    page.goto(f"{base}{home}")
    assert page.url.endswith(home.rstrip("/") + "/signin")
    page.fill("input[name=token]", token)
    page.click("#signin")
    page.wait_for_url(f"{base}{home}?lang=*")
    return page


def test_two_people_take_a_warrant_to_notify_user_in_the_browser(browser: Any, desk: dict[str, Any]) -> None:
    base, case = desk["base"], desk["warrant"]
    ARTIFACTS.mkdir(exist_ok=True)

    alice = sign_in(browser, base, desk["tokens"]["alice"])
    assert alice.locator("#me").inner_text() == "alice"
    alice.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    alice.click(f"text={case}")
    assert alice.locator("#state").inner_text() == "received"
    assert alice.locator("#do-approve_disclosure").count() == 0  # not her role
    # Everything the decision needs is on the page, and no raw diagram source.
    basis = alice.locator("#legal-basis").inner_text()
    for shown in ("search warrant", "Criminal Procedure Act art. 215", "Seoul Central District Court",
                  "27 November 2026", "27 December 2026", "2026-SW-88121", "fraud (phishing)"):
        assert shown in basis, shown
    officer = alice.locator("#officer-card").inner_text()
    for shown in ("Kim Min-jun", "Inspector", "SMPA-20417", "minjun.kim@police.go.kr", "+82 2 700 4100",
                  "31 Naeja-dong", "Lee Seo-yeon"):
        assert shown in officer, shown
    assert "mermaid" not in alice.content()
    assert "identify the account holder" in alice.locator("#data-requested").inner_text()
    assert alice.locator("#data-requested tr").count() >= 2 and alice.locator("#attachments").count() == 1
    assert alice.locator("#do-recommend_disclosure").inner_text() == "Recommend disclosure"  # words, not triggers
    assert alice.locator("#upload-attach_legal_process").count() == 0  # not in this state
    alice.fill("#actions form:has(#do-recommend_disclosure) textarea", "the warrant covers both categories")
    alice.click("#do-recommend_disclosure")
    assert alice.locator("#flash").inner_text() == "Done: Recommend disclosure"
    assert alice.locator("#do-approve_disclosure").count() == 0
    assert "the warrant covers both categories" in alice.locator("#recommendation").inner_text()

    bob = sign_in(browser, base, desk["tokens"]["bob"])  # a second context: his own cookie, his own session
    bob.goto(f"{base}/cases/{case}")
    # The approver may also send back or decline; approving first shows the letters it sends.
    assert bob.locator("#do-send_back").count() == 1 and bob.locator("#do-reject").count() == 1
    bob.fill("#actions form:has(#do-approve_disclosure) textarea", "covered; approved")
    bob.click("#do-approve_disclosure")
    bob.wait_for_selector("#preview")
    notice = bob.locator("#letter-user_notice").inner_text()
    assert "holder of the account" in notice and "Kim Min-jun" not in notice  # to the user, nothing of the request
    assert "Check what goes out" in bob.locator("#preview h2").inner_text()
    bob.screenshot(path=str(ARTIFACTS / "preview-approval.png"), full_page=True)
    bob.click("#go-back")  # nothing happens
    assert bob.locator("#state").inner_text() == "received"
    bob.fill("#actions form:has(#do-approve_disclosure) textarea", "covered; approved")
    bob.click("#do-approve_disclosure")
    bob.click("#confirm")
    bob.wait_for_selector("#flash")
    assert bob.locator("#state").inner_text() == "notify_user"
    assert "Approve disclosure" in bob.locator("#timeline").inner_text()
    bob.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)

    # Bob, approver and reviewer, recommends the other case: approving his own recommendation is not offered.
    bob.goto(f"{base}/cases/{desk['second']}")
    bob.fill("#actions form:has(#do-recommend_disclosure) textarea", "covered")
    bob.click("#do-recommend_disclosure")
    assert bob.locator("#do-approve_disclosure").count() == 0
    assert bob.locator("#waiting").inner_text() == "Waiting for an approver other than you"

    # Alice's page, reloaded, shows the approval made in the other session; in Korean on request.
    alice.goto(f"{base}/cases/{case}?lang=ko")
    assert alice.locator("#state").inner_text() == "notify_user"
    assert "처리 이력" in alice.content() and "제공 승인" in alice.locator("#timeline").inner_text()
    assert alice.locator("#state-label").inner_text() == "이용자 통지 중"
    alice.goto(f"{base}/cases/{desk['second']}?lang=ko")
    alice.screenshot(path=str(ARTIFACTS / "case-ko.png"), full_page=True)
    alice.goto(f"{base}/cases/{case}?lang=en")


def test_on_call_records_the_call_back_and_documents_are_uploaded_in_the_browser(
        browser: Any, desk: dict[str, Any], tmp_path: Path) -> None:
    import json

    cli = desk["cli"]
    cli.run("actors", "add", "olga", "--role", "oncall")
    olga_token = cli.run("tokens", "create", "olga")["token"]
    emergency = cli.run("intake", str(SAMPLES / "emergency.json"))["case_id"]
    olga = sign_in(browser, desk["base"], olga_token)
    olga.goto(f"{desk['base']}/cases/{emergency}")
    olga.click("#do-acknowledge")  # she has the page: the acknowledgement escalation stands down
    olga.wait_for_selector("#flash")
    assert cli.run("show", emergency)["history"][-1]["trigger"] == "acknowledge"
    assert olga.locator("#do-acknowledge").count() == 0
    # The number to call is the one on file for the authority; the request's own is shown as not to be relied on.
    assert olga.locator("#callback-number").inner_text() == "+82 2 3150 2114"
    assert olga.locator("#emergency").count() == 1
    assert olga.locator("#request-number").inner_text() != "+82 2 3150 2114"
    assert "do not rely on it" in olga.locator("#officer-card").inner_text()
    assert olga.locator("#callback-form input[name=number_called]").input_value() == "+82 2 3150 2114"
    olga.fill("#callback-form input[name=number_called]", "+82-2-700-0000")
    olga.select_option("#callback-form select[name=result]", "confirmed")
    olga.fill("#callback-form textarea", "Sgt. Park answered at the station switchboard")
    olga.click("#do-verify_callback")
    history = cli.run("show", emergency)["history"]
    assert history[-1]["trigger"] == "verify_callback" and "+82-2-700-0000" in history[-1]["reason"]
    assert cli.run("show", emergency)["callback_ok_by"] == "olga"
    ARTIFACTS.mkdir(exist_ok=True)
    olga.screenshot(path=str(ARTIFACTS / "case-emergency.png"), full_page=True)

    # A preserved case: its legal process arrives as an upload on the page.
    preserved = cli.run("intake", str(SAMPLES / "preservation.json"))["case_id"]
    cli.run("advance", preserved, "preserve", "--actor", "alice")
    alice = sign_in(browser, desk["base"], desk["tokens"]["alice"])
    alice.goto(f"{desk['base']}/cases/{preserved}")
    assert alice.locator("#upload-attach_legal_process").count() == 1
    process = json.loads((SAMPLES / "legal_process_for_preservation.json").read_text())
    (tmp_path / "warrant.json").write_text(json.dumps(process))
    alice.set_input_files("#upload-attach_legal_process input[type=file]", str(tmp_path / "warrant.json"))
    alice.click("#do-attach_legal_process")
    # No letter without a look: the upload is held while the letter it sends is shown; nothing happened yet.
    alice.wait_for_selector("#preview")
    assert alice.locator("#letter-legal_process_received").count() == 1
    assert alice.locator("#staged-document").inner_text() == "warrant.json"
    assert cli.run("show", preserved)["state"] == "preserved"
    alice.screenshot(path=str(ARTIFACTS / "preview-upload.png"), full_page=True)
    alice.click("#confirm")
    alice.wait_for_selector("#flash")
    assert alice.locator("#state").inner_text() == "received", alice.locator("#flash").inner_text()
    assert alice.locator("#attachments a").count() >= 2
    with alice.expect_download() as download:
        alice.locator("#attachments a").last.click()
    assert download.value.suggested_filename.endswith(".json")


def test_the_queue_shows_an_emergency_banner(browser: Any, desk: dict[str, Any], tmp_path: Path) -> None:
    cli = desk["cli"]
    shutil.copy(SAMPLES / "emergency.json", tmp_path / "em.json")
    emergency = cli.run("intake", str(tmp_path / "em.json"))["case_id"]
    page = sign_in(browser, desk["base"], desk["tokens"]["alice"])
    assert emergency in page.locator("#emergency-banner").inner_text()
    assert page.locator(".countdown").count() >= 1


def test_the_operators_picture_page_draws_its_chart(browser: Any, desk: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = sign_in(browser, desk["base"], desk["tokens"]["alice"])
    page.click("#stats-link")
    page.wait_for_url(f"{desk['base']}/stats")
    page.wait_for_function("document.querySelector('#picture').complete")
    assert page.evaluate("document.querySelector('#picture').naturalWidth") > 600  # a drawn PNG, not a broken image
    assert "Open cases" in page.locator("#figures").inner_text()
    page.screenshot(path=str(ARTIFACTS / "stats.png"), full_page=True)
    english = page.evaluate("fetch(document.querySelector('#picture').src).then(r => r.arrayBuffer())"
                            ".then(b => b.byteLength)")
    # In Korean: the figures, the states and the chart itself.
    page.goto(f"{desk['base']}/stats?lang=ko")
    page.wait_for_function("document.querySelector('#picture').complete")
    figures = page.locator("#figures").inner_text()
    assert "진행 중 사건" in figures and "24시간 내 기한" in figures and "open cases" not in figures.lower()
    assert "None" not in figures  # nothing measured yet reads as a dash
    assert page.locator("#picture").get_attribute("src") == "/stats/picture.png?lang=ko"
    assert page.evaluate("document.querySelector('#picture').naturalWidth") > 600
    korean = page.evaluate("fetch(document.querySelector('#picture').src).then(r => r.arrayBuffer())"
                           ".then(b => b.byteLength)")
    assert korean != english  # a different picture: its words are Korean
    page.screenshot(path=str(ARTIFACTS / "stats-ko.png"), full_page=True)
    anonymous = browser.new_context().new_page()
    assert anonymous.goto(f"{desk['base']}/stats/picture.png").status == 401


def test_the_compliance_lead_downloads_the_reports_in_the_browser(browser: Any, desk: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    page = sign_in(browser, desk["base"], desk["tokens"]["bob"])
    page.click("#reports-link")
    page.fill("#transparency input[name=from]", "2026-12-01")
    page.fill("#transparency input[name=to]", "2026-12-31")
    with page.expect_download() as download:
        page.click("#make-transparency")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "transparency-2026-12-01-2026-12-31.docx" and saved.read_bytes()[:2] == b"PK"
    page.screenshot(path=str(ARTIFACTS / "reports.png"), full_page=True)
    page.fill("#statutory input[name=half]", "2026-H2")
    with page.expect_download() as download:
        page.click("#make-statutory")
    assert download.value.suggested_filename == "pcsa-2026-H2.docx"
    page.goto(f"{desk['base']}/reports?lang=ko")
    text = page.locator("main").inner_text()
    assert "투명성 보고서" in text and "법정 반기 보고서" in text and "통신사실확인자료" in text
    assert "Transparency report" not in text and "half-year" not in text
    page.screenshot(path=str(ARTIFACTS / "reports-ko.png"), full_page=True)
    page.goto(f"{desk['base']}/reports?lang=en")
    page.goto(f"{desk['base']}/reports")
    page.fill("#transparency input[name=from]", "2026-12-31")
    page.fill("#transparency input[name=to]", "2026-12-01")
    page.click("#make-transparency")
    assert "before" in page.locator("#flash").inner_text()


def test_the_queue_searches_keeps_its_filters_and_says_when_nothing_matches(browser: Any,
                                                                            desk: dict[str, Any]) -> None:
    base = desk["base"]
    page = sign_in(browser, base, desk["tokens"]["alice"])
    page.fill("#search", "hong.gildong@EXAMPLE.com")  # a target's identifier, written another way
    page.click("#filter")
    assert page.locator("#queue a").all_inner_texts() == [desk["warrant"]]
    page.fill("#search", "SMPA-2026-CY-0950")  # an authority's whole reference
    page.click("#filter")
    assert page.locator("#queue a").all_inner_texts() == [desk["second"]]
    page.goto(f"{base}/")  # the filter stays
    assert page.locator("#search").input_value() == "SMPA-2026-CY-0950"
    page.fill("#search", "no such thing")
    page.click("#filter")
    assert page.locator("#empty-queue").count() == 1
    page.click("#clear")
    assert page.locator("#search").input_value() == "" and page.locator("#queue a").count() >= 2


def test_the_case_page_shows_in_korean_what_a_decision_rests_on_and_the_case_is_assigned(
        browser: Any, desk: dict[str, Any], tmp_path: Path) -> None:
    """Issue 26 §3-4: before approval the page shows the non-disclosure order, the notice that follows and what
    the data source holds per target; codes are words; the case is handed to a reviewer from the page."""
    accounts = tmp_path / "accounts.jsonl"
    accounts.write_text(json.dumps({"account_id": "acct-77120", "subscriber": {"name": "X"}, "content": [
        {"name": "kit.zip", "text": "-", "created_at": "2026-10-01T00:00:00+00:00"}]}) + "\n")
    desk["cli"].run("datasource", "load", str(accounts))
    bob = sign_in(browser, desk["base"], desk["tokens"]["bob"])
    bob.goto(f"{desk['base']}/cases/{desk['second']}?lang=ko")
    assert bob.locator("#nondisclosure").inner_text() == "2027. 3. 31.까지 · 명령 번호 2026-NDO-17"
    assert "명령이 끝나는 2027. 4. 1." in bob.locator("#notice-forecast").inner_text()
    holdings = bob.locator("#holdings").inner_text()
    assert "acct-77120" in holdings and "통신 내용" in holdings and "가입자 정보" in holdings
    heading = bob.locator("h1").inner_text()
    assert "영장(형사소송법)" in heading and "KR_WARRANT" not in heading
    assert "압수·수색영장" in bob.locator("#legal-basis").inner_text()
    bob.select_option("#assign-reviewer", "alice")
    bob.click("#do-assign")
    bob.wait_for_selector("#flash")
    assert bob.locator("#flash").inner_text() == "완료: 담당자 배정"
    assert bob.locator("#assigned-to").inner_text() == "alice"
    assert "담당자 배정" in bob.locator("#timeline").inner_text()
    bob.locator("#before-deciding").screenshot(path=str(ARTIFACTS / "case-before-deciding-ko.png"))
    bob.screenshot(path=str(ARTIFACTS / "case-page-ko.png"), full_page=True)
    bob.goto(f"{desk['base']}/cases/LE-NOSUCHCASE")
    assert "해당 페이지나 사건이 없습니다" in bob.locator("#not-found").inner_text()
