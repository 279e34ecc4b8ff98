"""Two people take a warrant from intake to `notify_user` in a real browser (Debian's Chromium through
Playwright) against `ledesk api` in its own process: the reviewer recommends, the approver approves in a
second browser context, and nobody is offered approval of their own recommendation. Screenshots of the
queue and a case page are written under tests/artifacts/."""

from __future__ import annotations

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
from tests.conftest import pg_database
from tests.e2e.test_cli import Ledesk
from tests.factories import SAMPLES

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed: `apt-get install chromium` to run the browser tests"
        if os.environ.get("LEDESK_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


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
    cli.run("authorities", "add", "police.go.kr", "--name", "KNPA", "--country", "KR", "--type", "police")
    cli.run("actors", "add", "alice", "--role", "reviewer")
    cli.run("actors", "add", "bob", "--role", "approver", "--role", "reviewer")
    tokens = {name: cli.run("tokens", "create", name)["token"] for name in ("alice", "bob")}
    warrant = cli.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    second = cli.run("intake", str(SAMPLES / "warrant_with_gag_order.json"))["case_id"]
    port = free_port()
    env = {**cli.env, "LEDESK_MASTER_KEY": "q" * 43 + "="}
    server = subprocess.Popen([sys.executable, "-m", "ledesk.cli", "api", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)
    yield {"base": base, "tokens": tokens, "warrant": warrant, "second": second, "cli": cli}
    server.terminate()
    server.wait(timeout=20)


def sign_in(browser: Any, base: str, token: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/")
    assert page.url.endswith("/signin")
    page.fill("input[name=token]", token)
    page.click("#signin")
    page.wait_for_url(f"{base}/")
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
    alice.fill("#actions form:has(#do-recommend_disclosure) textarea", "the warrant covers both categories")
    alice.click("#do-recommend_disclosure")
    assert "recommend_disclosure" in alice.locator("#flash").inner_text()
    assert alice.locator("#do-approve_disclosure").count() == 0

    bob = sign_in(browser, base, desk["tokens"]["bob"])  # a second context: his own cookie, his own session
    bob.goto(f"{base}/cases/{case}")
    bob.click("#do-approve_disclosure")
    assert bob.locator("#state").inner_text() == "notify_user"
    assert "approve_disclosure" in bob.locator("#timeline").inner_text()
    bob.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)

    # Bob, approver and reviewer, recommends the other case: approving his own recommendation is not offered.
    bob.goto(f"{base}/cases/{desk['second']}")
    bob.fill("#actions form:has(#do-recommend_disclosure) textarea", "covered")
    bob.click("#do-recommend_disclosure")
    assert bob.locator("#do-approve_disclosure").count() == 0

    # Alice's page, reloaded, shows the approval made in the other session; in Korean on request.
    alice.goto(f"{base}/cases/{case}?lang=ko")
    assert alice.locator("#state").inner_text() == "notify_user"
    assert "처리 이력" in alice.content()


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
    assert "open cases" in page.locator("#figures").inner_text()
    page.screenshot(path=str(ARTIFACTS / "stats.png"), full_page=True)
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
    page.goto(f"{desk['base']}/reports")
    page.fill("#transparency input[name=from]", "2026-12-31")
    page.fill("#transparency input[name=to]", "2026-12-01")
    page.click("#make-transparency")
    assert "before" in page.locator("#flash").inner_text()
