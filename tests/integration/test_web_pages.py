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
