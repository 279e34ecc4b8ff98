"""The authority portal in a real browser (Debian's Chromium through Playwright) against `ledesk api` in its
own process: an officer submits a request by upload, answers the deficiency letter, downloads the signed
production and verifies it; another authority's officer finds none of it. Screenshots under tests/artifacts/."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledesk.vault.signing import verify_package
from tests.cli import Ledesk
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_browser import sign_in, start_api
from tests.factories import SAMPLES, sample
from tests.unit.test_portal_fields import page_fields

MASTER = {"LEDESK_MASTER_KEY": "p" * 43 + "="}


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[dict[str, Any]]:
    cli = Ledesk(tmp_path / "home")
    cli.env.update(MASTER)
    cli.run("init")
    cli.run("authorities", "add", "police.go.kr", "--name", "KNPA", "--country", "KR", "--type", "police")
    cli.run("authorities", "add", "spo.go.kr", "--name", "Prosecution", "--country", "KR", "--type", "prosecution")
    cli.run("actors", "add", "alice", "--role", "reviewer")
    cli.run("actors", "add", "bob", "--role", "approver")
    accounts = tmp_path / "a.jsonl"
    accounts.write_text(json.dumps({"account_id": "acct-9", "email": "hong.gildong@example.com",
                                    "subscriber": {"name": "Hong Gil-dong"}}) + "\n")
    cli.run("datasource", "load", str(accounts))
    kim = cli.run("tokens", "create", "--authority", "police.go.kr", "--officer", "Kim Min-jun", "--badge", "12-3456")
    lee = cli.run("tokens", "create", "--authority", "spo.go.kr", "--officer", "Lee Seo-yeon", "--badge", "SPO-77")
    server, base = start_api(cli.env)
    yield {"base": base, "cli": cli, "kim": kim["token"], "lee": lee["token"]}
    server.terminate()
    server.wait(timeout=20)


def _sign_in(browser: Any, base: str, token: str) -> Any:
    return sign_in(browser, base, token, home="/portal")


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_an_officer_submits_cures_downloads_and_verifies_and_no_one_else_sees_it(
        browser: Any, portal: dict[str, Any], tmp_path: Path) -> None:
    base, cli = portal["base"], portal["cli"]
    ARTIFACTS.mkdir(exist_ok=True)
    kim = _sign_in(browser, base, portal["kim"])
    assert kim.locator("#me").inner_text() == "Kim Min-jun" and kim.locator("#empty").count() == 1

    # Submit by upload: an incomplete request, then answer its deficiency letter by upload.
    kim.set_input_files("#submit-form input[type=file]", str(SAMPLES / "incomplete.json"))
    kim.click("#submit")
    kim.wait_for_url(f"{base}/portal/LE-*")
    case_id = kim.url.rsplit("/", 1)[-1].split("?")[0]
    assert "Incomplete" in kim.locator("#standing").inner_text() and kim.locator("#missing li").count() >= 1
    kim.screenshot(path=str(ARTIFACTS / "portal-incomplete.png"), full_page=True)
    # The project's own sample supplement, as it is: it says only what it adds.
    kim.set_input_files("#document-form input[type=file]", str(SAMPLES / "incomplete_supplement.json"))
    kim.click("#send")
    kim.wait_for_url(f"{base}/portal/{case_id}?done=linked")
    assert kim.locator("#standing").inner_text() == "Under review"
    shown = cli.run("show", case_id)
    assert shown["state"] == "received" and shown["officer"]["name"] == "Kim Min-jun"
    assert shown["officer"]["badge_number"] == "12-3456"

    # Or fill the request in the page itself: the same fields as the form.
    kim.goto(f"{base}/portal")
    kim.click("#fill-in")
    fields = page_fields(sample("preservation", reference="PORTAL-FIELDS-1"))
    for name, value in fields.items():
        box = kim.locator(f"[name='{name}']")
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)
    kim.screenshot(path=str(ARTIFACTS / "portal-new.png"), full_page=False)
    kim.click("#send-fields")
    kim.wait_for_url(f"{base}/portal/LE-*")
    filled_in = kim.url.rsplit("/", 1)[-1].split("?")[0]
    assert cli.run("show", filled_in)["reference"] == "PORTAL-FIELDS-1"

    # The legal team answers a warrant of the same authority; the officer downloads the signed package.
    warrant = cli.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    cli.run("advance", warrant, "recommend_disclosure", "--actor", "alice", "--reason", "covered")
    cli.run("advance", warrant, "approve_disclosure", "--actor", "bob")
    cli.run("sweep", now="2026-12-08T09:00:00+09:00")
    assert cli.run("show", warrant)["state"] == "disclosed"
    kim.goto(f"{base}/portal/{warrant}?lang=ko")
    assert kim.locator("#standing").inner_text() == "회신 완료"
    fingerprint = kim.locator("#fingerprint").inner_text()
    kim.screenshot(path=str(ARTIFACTS / "portal-production.png"), full_page=True)
    with kim.expect_download() as download:
        kim.click("#download")
    saved = tmp_path / "production.zip"
    download.value.save_as(saved)
    verdict = verify_package(saved.read_bytes(), fingerprint)
    assert verdict.ok and verdict.files >= 1, verdict.problems
    assert cli.run("verify-production", str(saved), "--fingerprint", fingerprint)["ok"]
    kim.click("#confirm-receipt")
    assert kim.locator("#received").count() == 1
    history = [h["trigger"] for h in cli.run("show", warrant)["history"]]
    assert "produced_data_read" in history and "production_received" in history
    status, body = _get(f"{base}/v1/submissions/{warrant}/production", portal["kim"])
    assert status == 200 and verify_package(body, fingerprint).ok

    # Another authority's officer: none of it exists.
    lee = _sign_in(browser, base, portal["lee"])
    assert case_id not in lee.content() and warrant not in lee.content()
    for path in (f"/portal/{case_id}", f"/portal/{warrant}", f"/portal/{warrant}/production"):
        assert lee.goto(f"{base}{path}").status == 404, path
    assert _get(f"{base}/v1/submissions/{warrant}/production", portal["lee"])[0] == 404
    assert _get(f"{base}/v1/submissions/{warrant}", portal["lee"])[0] == 404
    # A reviewer's session is not a portal session, nor the other way round.
    elsewhere = browser.new_context().new_page().goto(f"{base}/portal/{warrant}").url
    assert elsewhere.endswith(f"/portal/signin?next=%2Fportal%2F{warrant}")
    assert kim.goto(f"{base}/").url.endswith("/signin")


def test_a_korean_officer_stays_in_korean_sees_the_letters_and_is_told_each_fields_problem(
        browser: Any, portal: dict[str, Any]) -> None:
    """Issue 26 §4: from a Korean link through sign-in, the officer prefilled from the token, every field's
    problem said beside it, and the request page with our letters, the date it waits on and the outcomes."""
    base, cli = portal["base"], portal["cli"]
    kim = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    kim.goto(f"{base}/portal?lang=ko")
    assert kim.url.endswith("/portal/signin?lang=ko") and "로그인" in kim.locator("h1").inner_text()
    kim.fill("input[name=token]", portal["kim"])
    kim.click("#signin")
    kim.wait_for_url(f"{base}/portal?lang=ko")
    assert "요청 목록" in kim.content()
    kim.click("#fill-in")
    assert kim.locator("[name='officer.name']").input_value() == "Kim Min-jun"
    assert kim.locator("[name='officer.badge_number']").input_value() == "12-3456"
    kim.select_option("[name='kind']", "preservation")
    kim.fill("[name='sender.email']", "ab")  # a date box takes no impossible day; an address can be wrong
    kim.fill("[name='targets.0.value']", "hong.gildong@example.com")
    kim.click("#send-fields")
    assert kim.locator("#problem-sender-email").inner_text() == "귀 기관 도메인의 이메일 주소를 적어 주십시오."
    assert "제출되지 않았습니다" in kim.locator("#error").inner_text()
    assert kim.locator("[name='targets.0.value']").input_value() == "hong.gildong@example.com"  # kept as typed
    kim.screenshot(path=str(ARTIFACTS / "portal-field-problems-ko.png"), full_page=False)

    case_id = cli.run("intake", str(SAMPLES / "incomplete.json"))["case_id"]
    kim.goto(f"{base}/portal/{case_id}")
    assert kim.locator("#standing").inner_text().startswith("보완 필요")
    assert kim.locator("#answer-by").inner_text().endswith(".")  # 2026. 12. 16.
    assert "요청 보완 요청" in kim.locator("#letters").inner_text()
    with kim.expect_download() as download:
        kim.click("#letters li:has-text('요청 보완 요청') a")
    assert download.value.suggested_filename == f"{case_id}-deficiency.docx"
    assert "대기" in kim.locator("#request-targets").inner_text()
    kim.screenshot(path=str(ARTIFACTS / "portal-request-ko.png"), full_page=True)
    assert kim.goto(f"{base}/portal/LE-NOPE").status == 404
    assert "귀 기관의 요청 중 해당 요청이 없습니다" in kim.locator("#not-found").inner_text()
