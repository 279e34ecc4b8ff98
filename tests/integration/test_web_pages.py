"""The reviewers' pages and the portal as served (in this process, on the world's database): what a page
shows before a decision, assignment, the page language through sign-in, and pages in the legal team's words."""

from __future__ import annotations

import re

from tests.integration.conftest import Api


def _signed_in(api: Api, who: str = "alice", lang: str = "en") -> None:
    r = api.client.post(f"/signin?lang={lang}", data={"token": api.tokens[who]},
                        headers={"origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _cells(page: str, table_id: str) -> list[list[str]]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]


def _text(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    assert found, element_id
    return re.sub(r"\s+", " ", found.group(1)).strip()


def test_the_case_page_shows_what_the_data_source_holds_and_the_notice_an_approval_would_plan(api: Api) -> None:
    api.rt.services.admin.load_accounts([{
        "account_id": "acct-77120", "email": "gag@example.com", "subscriber": {"name": "X"},
        "content": [{"name": "a", "text": "in", "created_at": "2026-10-01T00:00:00+00:00"},
                    {"name": "b", "text": "in", "created_at": "2026-11-29T00:00:00+00:00"},
                    {"name": "c", "text": "before the period", "created_at": "2026-08-01T00:00:00+00:00"}]}])
    gagged = api.world.intake("warrant_with_gag_order")["case_id"]
    absent = api.world.intake("warrant")["case_id"]
    _signed_in(api)
    page = api.client.get(f"/cases/{gagged}").text
    assert _text(page, "nondisclosure") == "until 31 March 2027 · order number 2026-NDO-17"
    assert _text(page, "notice-forecast").startswith("The order holds the notice: the user is told on 1 April 2027")
    rows = _cells(page, "holdings")
    assert [r[2:4] for r in rows] == [["subscriber information", "1"], ["content", "2"]]
    assert rows[0][:2] == ["acct-77120", "yes"] and all(r[4] == "yes" for r in rows)
    # A target the provider holds no account for says so; the notice is the lead time's.
    page = api.client.get(f"/cases/{absent}").text
    assert _cells(page, "holdings") == [["Hong.GilDong@example.com", "no account"]]
    assert _text(page, "nondisclosure") == "none on file"
    assert "data is provided after 8 December 2026" in _text(page, "notice-forecast")
    # Looking writes nothing, and reads no record into the audit log.
    before = api.world.rows("SELECT count(*) AS n FROM events")
    api.client.get(f"/cases/{gagged}")
    assert api.world.rows("SELECT count(*) AS n FROM events") == before


def test_a_case_is_assigned_from_its_page_and_the_queue_shows_mine(api: Api) -> None:
    case_id = api.world.intake("warrant")["case_id"]
    other = api.world.intake("preservation")["case_id"]
    _signed_in(api, "bob")
    page = api.client.get(f"/cases/{case_id}").text
    assert _text(page, "assigned-to") == "nobody yet"
    r = api.client.post(f"/cases/{case_id}/assign", data={"csrf": _csrf(page), "reviewer": "alice"},
                        follow_redirects=False)
    assert r.status_code == 303
    page = api.client.get(r.headers["location"]).text
    assert _text(page, "assigned-to") == "alice" and _text(page, "flash").startswith("Done: Assigned")
    refused = api.client.post(f"/cases/{case_id}/assign", data={"csrf": _csrf(page), "reviewer": "olga"})
    assert "not a reviewer" in _text(refused.text, "flash")
    assert api.call("GET", f"/v1/cases/{case_id}", "bob").json()["assigned_to"] == "alice"
    _signed_in(api, "alice")
    mine = api.client.get("/?mine=1").text
    assert case_id in mine and other not in mine
    assert other in api.client.get("/?clear=1").text


def _officer(api: Api, lang: str = "ko") -> str:
    """An officer signed in to the portal from a Korean link: the page they land on, after sign-in."""
    token = api.rt.services.admin.create_token(authority="police.go.kr", officer="김민준", badge="SMPA-20417")["token"]
    first = api.client.get(f"/portal?lang={lang}", follow_redirects=False)
    assert first.headers["location"] == f"/portal/signin?lang={lang}"
    signin = api.client.get(first.headers["location"]).text
    action = re.search(r'<form method="post" action="([^"]+)"', signin)
    assert action and action.group(1) == f"/portal/signin?lang={lang}"
    landed = api.client.post(action.group(1), data={"token": token}, headers={"origin": "http://testserver"})
    assert landed.status_code == 200
    return landed.text


def test_the_portal_keeps_korean_through_sign_in_and_prefills_the_officer(api: Api) -> None:
    home = _officer(api)
    assert '<html lang="ko">' in home and "요청 목록" in home
    form = api.client.get("/portal/new").text  # the language stays for the next pages (its cookie)
    assert '<html lang="ko">' in form
    assert re.search(r'name="officer.name" value="김민준"', form)
    assert re.search(r'name="officer.badge_number" value="SMPA-20417"', form)


def test_the_portal_says_what_is_wrong_with_each_field_in_a_sentence(api: Api) -> None:
    form = _officer(api, "en") and api.client.get("/portal/new").text
    sent = api.client.post("/portal/new", data={
        "csrf": _csrf(form), "kind": "preservation", "sender.email": "minjun.kim@police.go.kr",
        "legal_basis.issued_on": "2026-13-45", "targets.0.type": "email", "targets.0.value": "a@example.com"})
    assert sent.status_code == 200
    assert _text(sent.text, "problem-legal_basis-issued_on") == \
        "Write a date as YYYY-MM-DD (or YYYY. M. D.), and a day that exists."
    assert "Nothing was submitted: please correct the fields marked below." in sent.text
    # Every field's problem at once, beside it; in Korean on a Korean page.
    sent = api.client.post("/portal/new?lang=ko", data={
        "csrf": _csrf(form), "kind": "preservation", "sender.email": "minjun.kim@police.go.kr",
        "targets.0.type": "e-mail", "targets.0.value": "a@example.com", "data_requested.0.from": "2026. 2. 30."})
    assert _text(sent.text, "problem-targets-0-type") == "목록의 값 중 하나를 선택하여 주십시오."
    assert _text(sent.text, "problem-data_requested-0-from").startswith("날짜는 YYYY-MM-DD")
    assert "<li>대상 1: 유형: 목록의 값 중 하나를 선택하여 주십시오.</li>" in sent.text
    assert api.world.rows("SELECT count(*) FROM cases")[0][0] == 0  # nothing was taken


def test_the_portal_case_page_shows_the_request_its_letters_the_date_it_waits_on_and_each_outcome(api: Api) -> None:
    _officer(api, "en")
    opened = api.world.intake("incomplete")
    case_id = opened["case_id"]
    page = api.client.get(f"/portal/{case_id}").text
    import json

    from ledesk.states.phrasing import english_date

    context = api.world.rows("SELECT context FROM letters WHERE case_id = :c AND kind = 'deficiency'", c=case_id)[0][0]
    deadline = (json.loads(context) if isinstance(context, str) else context)["deadline"]
    assert _text(page, "answer-by") == english_date(deadline)  # the same last day as the deficiency letter
    assert "Please send what is missing by" in page
    letters = _cells(page, "request-targets")
    assert letters and letters[0][2] == "pending"
    shown = re.findall(r'href="/portal/[^/]+/letters/(\d+)"', page)
    assert shown, "the deficiency letter is listed"
    got = api.client.get(f"/portal/{case_id}/letters/{shown[0]}")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    # A letter that is not the authority's (or a case that is not) is simply not there, in the page's language.
    assert api.client.get(f"/portal/{case_id}/letters/99").status_code == 404
    missing = api.client.get("/portal/LE-NOPE?lang=ko")
    assert missing.status_code == 404 and "귀 기관의 요청 중 해당 요청이 없습니다" in missing.text


def test_a_page_that_is_not_there_is_a_page_in_the_readers_language(api: Api) -> None:
    _signed_in(api)
    r = api.client.get("/cases/LE-DOESNOTEXIST?lang=ko")
    assert r.status_code == 404 and '<html lang="ko">' in r.text and "해당 페이지나 사건이 없습니다" in r.text
    assert api.client.get("/no/such/page").status_code == 404
    assert api.call("GET", "/v1/cases/LE-DOESNOTEXIST", "alice").json()["code"] == "not_found"  # scripts: JSON


def test_an_upload_shows_its_letters_first_and_the_held_document_confirms_one_step_once(api: Api) -> None:
    import json

    from tests.factories import SAMPLES

    case_id = api.world.intake("incomplete")["case_id"]
    _signed_in(api)
    page = api.client.get(f"/cases/{case_id}").text
    supplement = (SAMPLES / "incomplete_supplement.json").read_bytes()
    shown = api.client.post(f"/cases/{case_id}/documents/cure", data={"csrf": _csrf(page), "reason": "answered"},
                            files={"file": ("supplement.json", supplement, "application/json")})
    assert 'id="letter-supplement_received"' in shown.text and api.world.show(case_id)["state"] == "incomplete"
    ticket = re.search(r'name="staged" value="([0-9a-f]{32})"', shown.text)
    assert ticket
    # Someone else cannot confirm it; a made-up ticket is refused; nothing moved.
    _signed_in(api, "bob")
    theirs = api.client.post(f"/cases/{case_id}/documents/cure", data={"csrf": _csrf(api.client.get("/").text),
                                                                        "staged": ticket.group(1)})
    assert "someone else" in _text(theirs.text, "flash") and api.world.show(case_id)["state"] == "incomplete"
    _signed_in(api, "alice")
    csrf = _csrf(api.client.get("/").text)
    done = api.client.post(f"/cases/{case_id}/documents/cure", data={"csrf": csrf, "staged": ticket.group(1),
                                                                      "reason": "answered"})
    assert _text(done.text, "flash") == "Done: Record the supplement"
    assert api.world.show(case_id)["state"] == "received"
    cured = [h for h in api.world.show(case_id)["history"] if h["trigger"] == "cure"]
    assert len(cured) == 1
    assert api.world.show(case_id)["officer"]["badge_number"] == json.loads(supplement)["officer"]["badge_number"]
    again = api.client.post(f"/cases/{case_id}/documents/cure", data={"csrf": csrf, "staged": ticket.group(1)})
    assert "not held any more" in _text(again.text, "flash")


def test_a_refusal_on_a_korean_page_is_said_in_korean_by_its_rule(api: Api) -> None:
    case_id = api.world.intake("warrant")["case_id"]
    _signed_in(api, "alice", "ko")
    page = api.client.get(f"/cases/{case_id}?lang=ko").text
    refused = api.client.post(f"/cases/{case_id}/triggers/recommend_disclosure",
                              data={"csrf": _csrf(page), "reason": "", "confirmed": "yes"})
    assert _text(refused.text, "flash").startswith("거부됨: 사유를 적어 주십시오. (")


def test_a_document_the_rules_refuse_is_told_to_the_officer_in_korean(api: Api) -> None:
    import json

    page = _officer(api, "ko")
    case_id = api.world.intake("incomplete")["case_id"]
    page = api.client.get(f"/portal/{case_id}").text
    still_short = json.dumps({"officer": {"rank": "Inspector"}}).encode()  # answers none of what is missing
    sent = api.client.post(f"/portal/{case_id}/document", data={"csrf": _csrf(page)},
                           files={"file": ("answer.json", still_short, "application/json")})
    assert _text(sent.text, "error").startswith("보완 자료가 유효하지 않거나 아직 빠진 사항이 있습니다. (")
    assert api.world.show(case_id)["state"] == "incomplete"


def test_a_letters_link_lands_on_its_request_after_sign_in_and_never_off_the_site(api: Api) -> None:
    token = api.rt.services.admin.create_token(authority="police.go.kr", officer="김민준", badge="SMPA-20417")["token"]
    case_id = api.world.intake("incomplete")["case_id"]
    first = api.client.get(f"/portal/{case_id}?lang=ko", follow_redirects=False)
    assert first.headers["location"] == f"/portal/signin?lang=ko&next=%2Fportal%2F{case_id}"
    form = api.client.get(first.headers["location"]).text
    action = re.search(r'<form method="post" action="([^"]+)"', form)
    assert action
    signed = api.client.post(action.group(1).replace("&amp;", "&"), data={"token": token},
                             headers={"origin": "http://testserver"}, follow_redirects=False)
    assert signed.headers["location"] == f"/portal/{case_id}?lang=ko"
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/cases/" + case_id, "/portal/x?y", "/portal\\x"):
        again = api.client.post("/portal/signin", params={"next": elsewhere}, data={"token": token},
                                headers={"origin": "http://testserver"}, follow_redirects=False)
        assert again.headers["location"] == "/portal?lang=ko", elsewhere  # the language cookie stays


def test_a_file_the_portal_cannot_take_is_said_in_korean_by_its_kind(api: Api) -> None:
    page = _officer(api, "ko")
    sent = api.client.post("/portal/submit", data={"csrf": _csrf(page)},
                           files={"file": ("request.txt", b"please send everything", "text/plain")})
    assert _text(sent.text, "error").startswith("입력 내용을 처리할 수 없습니다. (")
    assert api.world.rows("SELECT count(*) FROM cases")[0][0] == 0


def test_the_approvers_preview_says_what_notice_follows_the_approval(api: Api) -> None:
    case_id = api.world.intake("warrant_with_gag_order")["case_id"]
    api.world.fire(case_id, "recommend_disclosure", "alice", reason="the warrant covers it")
    _signed_in(api, "bob")
    page = api.client.get(f"/cases/{case_id}").text
    shown = api.client.post(f"/cases/{case_id}/triggers/approve_disclosure",
                            data={"csrf": _csrf(page), "reason": "checked"}).text
    assert _text(shown, "preview-notice").startswith("The order holds the notice: the user is told on 1 April 2027")
    assert 'id="letter-user_notice"' not in shown and api.world.show(case_id)["state"] == "received"
