"""The HTTP API on both databases, through httpx: who may do what, and every error code the API promises
(401, 403, 404, 409, 413, 422) with a readable body and never a stack trace."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import sample
from tests.integration.conftest import Api


def test_health_is_open_and_everything_else_needs_a_token(api: Api) -> None:
    assert api.call("GET", "/healthz").json() == {"status": "ok"}
    assert api.call("GET", "/openapi.json").json()["info"]["title"] == "LE Desk"
    for method, path in [("GET", "/v1/cases"), ("GET", "/v1/cases/LE-X"), ("POST", "/v1/submissions"),
                         ("GET", "/v1/submissions/LE-X"), ("POST", "/v1/cases/LE-X/triggers/reject")]:
        r = api.call(method, path)
        assert r.status_code == 401 and r.json()["code"] == "unauthorized", (method, path)
    bad = api.call("GET", "/v1/cases", headers={"Authorization": "Bearer ldk_000000000000_nope"})
    assert bad.status_code == 401


def test_a_revoked_token_stops_working_at_once(api: Api) -> None:
    assert api.call("GET", "/v1/cases", "alice").status_code == 200
    token_id = api.tokens["alice"].split("_")[1]
    api.rt.services.admin.revoke_token(token_id)
    assert api.call("GET", "/v1/cases", "alice").status_code == 401


def test_an_authority_submits_and_sees_only_the_status_of_its_own(api: Api) -> None:
    r = api.call("POST", "/v1/submissions", "police", json=sample("warrant"))
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    assert set(r.json()) <= {"case_id", "status", "state", "kind", "deficiencies", "duplicate_of", "linked_to"}
    status = api.call("GET", f"/v1/submissions/{case_id}", "police").json()
    assert status["status"] == "received" and "history" not in status and "targets" not in status
    assert api.call("GET", f"/v1/submissions/{case_id}", "fbi").status_code == 404
    assert api.call("GET", f"/v1/cases/{case_id}", "police").status_code == 403
    assert api.call("GET", "/v1/cases", "police").status_code == 403
    # A request whose sender is another authority's is refused and leaves nothing behind.
    before = api.world.count("cases")
    r = api.call("POST", "/v1/submissions", "fbi", json=sample("warrant", reference="X-1"))
    assert r.status_code == 403 and api.world.count("cases") == before
    assert api.call("POST", "/v1/submissions", "alice", json=sample("warrant")).status_code == 403


def test_a_malformed_submission_is_refused_and_changes_nothing(api: Api) -> None:
    before = api.world.count("cases")
    r = api.call("POST", "/v1/submissions", "police", content=b"{not json",
                 headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "bad_input"
    assert api.world.count("cases") == before


def test_two_people_take_a_warrant_to_disclosure_and_the_rules_name_themselves(api: Api) -> None:
    case_id = api.world.intake("warrant")["case_id"]
    path = f"/v1/cases/{case_id}/triggers"
    r = api.call("POST", f"{path}/approve_disclosure", "alice", json={})
    assert r.status_code == 403 and r.json()["guard"] == "actor_role"
    r = api.call("POST", f"{path}/recommend_disclosure", "bob", json={"reason": "warrant covers both"})
    assert r.status_code == 200 and r.json()["recommended_by"] == "bob"
    r = api.call("POST", f"{path}/approve_disclosure", "bob", json={})
    assert r.status_code == 422 and r.json()["guard"] == "recommended_by_other"
    api.call("POST", f"{path}/recommend_disclosure", "alice", json={"reason": "second look"})
    r = api.call("POST", f"{path}/approve_disclosure", "bob", json={})
    assert r.status_code == 200 and r.json()["state"] == "notify_user"
    r = api.call("POST", f"{path}/preserve", "alice", json={})
    assert r.status_code == 409 and r.json()["code"] == "invalid_trigger"
    assert api.call("POST", f"{path}/no_such_trigger", "alice", json={}).status_code == 404
    assert api.call("POST", "/v1/cases/LE-NOPE/triggers/reject", "alice", json={"reason": "x"}).status_code == 404
    assert api.call("GET", "/v1/cases/LE-NOPE", "alice").status_code == 404
    r = api.call("POST", f"{path}/reject", "alice", json={"reason": 5, "extra": True})
    assert r.status_code == 422 and r.json()["code"] == "bad_input"
    doc = api.call("GET", f"/v1/cases/{case_id}", "alice").json()
    assert [h["trigger"] for h in doc["history"]][-1] == "approve_disclosure"


def test_two_approvers_at_the_same_moment_exactly_one_wins(api: Api) -> None:
    case_id = api.world.intake("warrant")["case_id"]
    with api.world.engine.begin() as conn:
        from ledesk.adapters import admin

        admin.add_actor(conn, "dana", ["approver"], api.world.clock.now())
    api.tokens["dana"] = api.rt.services.admin.create_token(actor="dana")["token"]
    api.call("POST", f"/v1/cases/{case_id}/triggers/recommend_disclosure", "alice", json={"reason": "ok"})
    codes: list[int] = []
    gate = threading.Barrier(2)

    def approve(who: str) -> None:
        gate.wait()
        codes.append(api.call("POST", f"/v1/cases/{case_id}/triggers/approve_disclosure", who, json={}).status_code)

    threads = [threading.Thread(target=approve, args=(w,)) for w in ("bob", "dana")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    history = api.call("GET", f"/v1/cases/{case_id}", "alice").json()["history"]
    assert [h["trigger"] for h in history].count("approve_disclosure") == 1


def test_queue_filters_assignment_and_nondisclosure(api: Api) -> None:
    warrant = api.world.intake("warrant")["case_id"]
    api.world.intake("preservation")
    assert {c["kind"] for c in api.call("GET", "/v1/cases?kind=preservation", "alice").json()["cases"]} == \
        {"preservation"}
    r = api.call("POST", f"/v1/cases/{warrant}/assign", "bob", json={"reviewer": "alice"})
    assert r.json() == {"case_id": warrant, "assigned_to": "alice"}
    assert [c["case_id"] for c in api.call("GET", "/v1/cases?assigned_to=alice", "bob").json()["cases"]] == [warrant]
    assert api.call("POST", f"/v1/cases/{warrant}/assign", "bob", json={"reviewer": "olga"}).status_code == 422
    r = api.call("POST", f"/v1/cases/{warrant}/nondisclosure", "alice", json={"indefinite": True, "reason": "court"})
    assert r.status_code == 200 and r.json()["notice"]["status"] == "deferred"  # no order named: a wish
    r = api.call("POST", f"/v1/cases/{warrant}/nondisclosure", "alice",
                 json={"indefinite": True, "reference": "2026-NDO-7", "reason": "court"})
    assert r.status_code == 200 and r.json()["notice"]["status"] == "suppressed"
    assert api.call("GET", "/v1/cases?limit=0", "alice").status_code == 422
    assert api.call("GET", "/v1/cases?due_before=2026-12-01T00:00:00", "alice").status_code == 422


def test_a_letter_download_is_an_audit_event(api: Api) -> None:
    case_id = api.world.intake("warrant")["case_id"]
    r = api.call("GET", f"/v1/cases/{case_id}/letters/0", "alice")
    assert r.status_code == 200 and r.content.startswith(b"PK")
    history = api.call("GET", f"/v1/cases/{case_id}", "alice").json()["history"]
    assert history[-1]["trigger"] == "letter_downloaded" and history[-1]["actor"] == "alice"
    assert api.call("GET", f"/v1/cases/{case_id}/letters/99", "alice").status_code == 404


def test_too_large_is_413_and_an_internal_error_tells_nothing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    big = b"{" + b" " * 2_000_000 + b"}"
    r = api.call("POST", "/v1/cases/LE-X/triggers/reject", "alice", content=big,
                 headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    import ledesk.adapters.queries

    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(ledesk.adapters.queries, "list_cases", boom)
    r = api.call("GET", "/v1/cases", "alice")
    assert r.status_code == 500 and "passwd" not in r.text and "Traceback" not in r.text


def test_the_web_ui_escapes_what_a_form_submitted_and_checks_csrf(api: Api) -> None:
    officer = sample("warrant")["officer"] | {"name": "<script>alert(1)</script>"}
    case_id = api.world.intake("warrant", officer=officer)["case_id"]
    web = api.client
    assert web.get("/", follow_redirects=False).headers["location"] == "/signin"
    for elsewhere in ({"origin": "https://evil.example"}, {"referer": "https://evil.example/login"},
                      {"origin": "null"}):
        r = web.post("/signin", data={"token": api.tokens["alice"]}, headers=elsewhere, follow_redirects=False)
        assert r.status_code == 403 and "set-cookie" not in r.headers, elsewhere  # no login CSRF
    r = web.post("/signin", data={"token": api.tokens["alice"]}, headers={"origin": "http://testserver"},
                 follow_redirects=False)
    assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
    assert "samesite=strict" in r.headers["set-cookie"].lower()
    page = web.get(f"/cases/{case_id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'id="do-recommend_disclosure"' in page and 'id="do-approve_disclosure"' not in page
    r = web.post(f"/cases/{case_id}/triggers/recommend_disclosure", data={"csrf": "forged", "reason": "x"},
                 follow_redirects=False)
    assert r.status_code == 403
    assert api.call("GET", f"/v1/cases/{case_id}", "alice").json()["recommended_by"] is None


def test_the_export_of_a_disclosed_case_downloads_as_a_zip(api: Api) -> None:
    import io
    import zipfile

    case_id = api.world.intake("warrant")["case_id"]
    assert api.call("GET", f"/v1/cases/{case_id}/export", "alice").status_code == 409  # not disclosed yet
    desk = api.world.desk
    desk.fire(case_id, "recommend_disclosure", "alice", reason="covered")
    desk.fire(case_id, "approve_disclosure", "bob")
    from datetime import timedelta

    api.world.clock.advance(timedelta(days=8))  # past the user's notice lead time
    desk.fire(case_id, "disclose", "bob")
    import tempfile

    def no_temporary_files(*args: object, **kw: object) -> None:
        raise AssertionError("the export wrote to a temporary folder")

    with pytest.MonkeyPatch.context() as patch:  # produced data is never written outside the process
        for name in ("mkdtemp", "mkstemp", "TemporaryDirectory", "NamedTemporaryFile", "TemporaryFile"):
            patch.setattr(tempfile, name, no_temporary_files)
        r = api.call("GET", f"/v1/cases/{case_id}/export", "alice")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    import hashlib
    import json

    from ledesk.vault.signing import verify_package

    manifest = json.loads(archive.read(f"{case_id}/manifest.json"))
    assert all(hashlib.sha256(archive.read(f"{case_id}/{f['name']}")).hexdigest() == f["sha256"]
               for f in manifest["files"])
    assert verify_package(r.content).ok and f"{case_id}/manifest.sig" in archive.namelist()
    history = api.call("GET", f"/v1/cases/{case_id}", "alice").json()["history"]
    assert history[-1]["trigger"] == "produced_data_read" and history[-1]["actor"] == "alice"


def test_the_operators_picture_adds_up(api: Api) -> None:
    from datetime import timedelta

    from ledesk.adapters.stats import picture

    world = api.world
    warrant = world.intake("warrant")["case_id"]
    world.intake("preservation")
    emergency = world.intake("emergency")["case_id"]
    world.clock.advance(timedelta(minutes=6))
    world.fire(emergency, "verify_callback", "olga", reason="called back")
    world.clock.advance(timedelta(hours=2) - timedelta(minutes=6))
    world.fire(warrant, "reject", "alice", reason="insufficient_instrument: not covered")
    with world.engine.connect() as conn:
        doc = picture(conn, world.clock.now())
    assert doc["open_by_state"] == {"received": 2} and doc["open_total"] == 2
    assert doc["median_hours_to_decision"] == {"legal_process": 2.0}
    assert doc["emergency_acknowledgement"]["acknowledged"] == 1
    assert doc["emergency_acknowledgement"]["median_minutes"] == 6.0
    # Independently: every pending timer, by its due time (SQLite hands back naive UTC).
    from datetime import UTC, datetime

    now = world.clock.now()
    dues = [(datetime.fromisoformat(v) if isinstance(v, str) else v) for (v,) in
            world.rows("select due_at from timers where status = 'pending'")]
    dues = [d if d.tzinfo else d.replace(tzinfo=UTC) for d in dues]
    assert doc["due_next_24h"] == sum(1 for d in dues if now < d <= now + timedelta(hours=24))
    assert doc["due_next_7d"] == sum(1 for d in dues if now < d <= now + timedelta(days=7))
    assert doc["overdue_count"] == sum(1 for d in dues if d <= now) > 0  # the emergency's timers, unswept


def test_reports_are_read_by_staff_and_never_by_authorities_or_on_call_alone(api: Api) -> None:
    api.world.intake("warrant")
    api.world.intake("emergency")
    got = api.call("GET", "/v1/reports/transparency", "alice", params={"from": "2026-12-01", "to": "2026-12-31"})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["requests"] == 2 and body["not_reviewed"] == 0
    assert {(r["table"], r["requests"]) for r in body["rows"] if r["measure"] == "received"} == {
        ("legal_process", 1), ("emergency", 1)}
    pcsa = api.call("GET", "/v1/reports/pcsa", "bob", params={"half": "2026-H2"})
    assert pcsa.status_code == 200 and pcsa.json()["due_on"] == "2027-02-01"
    assert api.world.count("statutory_reports") == 0  # reading the figures is not producing the report
    for who in ("police", "olga"):
        refused = api.call("GET", "/v1/reports/transparency", who, params={"from": "2026-12-01", "to": "2026-12-31"})
        assert refused.status_code == 403, who
    backwards = api.call("GET", "/v1/reports/transparency", "alice", params={"from": "2026-12-31", "to": "2026-12-01"})
    assert backwards.status_code == 422 and "before" in backwards.json()["error"]
    assert api.call("GET", "/v1/reports/pcsa", "alice", params={"half": "2026-H3"}).status_code in (400, 422)
    assert api.call("GET", "/v1/reports/other", "alice", params={"half": "2026-H2"}).status_code == 422
    assert api.call("GET", "/v1/reports/transparency", params={"from": "2026-12-01", "to": "2026-12-31"}
                    ).status_code == 401


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(api: Api) -> None:
    case_id = api.world.intake("warrant")["case_id"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body arrives chunked
        yield b'{"reason": "'
        for _ in range(40):
            yield b"x" * 50_000
        yield b'"}'

    r = api.call("POST", f"/v1/cases/{case_id}/triggers/reject", "alice", content=chunks(),
                 headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert api.world.show(case_id)["state"] == "received"


def test_a_call_without_a_token_is_answered_401_before_its_body_is_read(api: Api) -> None:
    r = api.call("POST", "/v1/submissions", content=b"x" * 10, headers={"content-length": str(50_000_000)})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert api.call("GET", "/healthz").status_code == 200


def test_the_web_session_is_the_servers_and_ends_idle_at_sign_out_or_with_its_token(api: Api) -> None:
    from datetime import timedelta

    web = api.client
    r = web.post("/signin", data={"token": api.tokens["alice"]}, headers={"origin": "http://testserver"},
                 follow_redirects=False)
    cookie = r.cookies["ledesk_session"]
    assert cookie != api.tokens["alice"] and api.tokens["alice"].split("_", 2)[2] not in cookie
    assert web.get("/", follow_redirects=False).status_code == 200
    api.world.clock.advance(timedelta(minutes=29))
    assert web.get("/", follow_redirects=False).status_code == 200  # each page view restarts the idle clock
    api.world.clock.advance(timedelta(minutes=31))
    assert web.get("/", follow_redirects=False).headers["location"] == "/signin"  # idle too long
    r = web.post("/signin", data={"token": api.tokens["alice"]}, headers={"origin": "http://testserver"},
                 follow_redirects=False)
    cookie = r.cookies["ledesk_session"]
    page = web.get("/").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert web.post("/signout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    web.cookies.set("ledesk_session", cookie)  # the copied cookie, replayed after sign-out
    assert web.get("/", follow_redirects=False).headers["location"] == "/signin"
    assert web.get("/v1/cases").status_code == 401  # nor does the API take it
    r = web.post("/signin", data={"token": api.tokens["bob"]}, headers={"origin": "http://testserver"},
                 follow_redirects=False)
    with api.world.engine.begin() as conn:
        from ledesk.adapters import tokens as token_store

        token_id = api.tokens["bob"].split("_")[1]
        token_store.revoke(conn, token_id, api.world.clock.now())
    assert web.get("/", follow_redirects=False).headers["location"] == "/signin"  # the token's sessions end too


def test_an_officers_production_download_is_theirs_only_for_the_window_and_an_audit_event(api: Api) -> None:
    from datetime import timedelta

    from ledesk.states.errors import BadInput
    from ledesk.vault.signing import verify_package

    admin = api.rt.services.admin
    kim = admin.create_token(authority="police.go.kr", officer="Kim Min-jun", badge="12-3456")["token"]
    with pytest.raises(BadInput, match="both the officer"):
        admin.create_token(authority="police.go.kr", officer="Kim Min-jun")
    with pytest.raises(BadInput, match="with --authority"):
        admin.create_token(actor="alice", officer="Kim Min-jun", badge="1")
    api.tokens["kim"] = kim
    r = api.call("POST", "/v1/submissions", "kim", json=sample("warrant"))
    assert r.status_code == 201
    case_id = r.json()["case_id"]
    officer = api.call("GET", f"/v1/cases/{case_id}", "alice").json()["officer"]
    assert (officer["name"], officer["badge_number"]) == ("Kim Min-jun", "12-3456")  # the token's, not the form's
    assert api.call("GET", f"/v1/submissions/{case_id}/production", "kim").status_code == 404  # nothing yet
    desk = api.world.desk
    desk.fire(case_id, "recommend_disclosure", "alice", reason="covered")
    desk.fire(case_id, "approve_disclosure", "bob")
    api.world.clock.advance(timedelta(days=8))
    desk.fire(case_id, "disclose", "bob")
    got = api.call("GET", f"/v1/submissions/{case_id}/production", "kim")
    assert got.status_code == 200 and verify_package(got.content).ok
    assert api.call("GET", f"/v1/submissions/{case_id}/production", "fbi").status_code == 404
    assert api.call("GET", f"/v1/submissions/{case_id}/production", "alice").status_code == 404
    reads = [h for h in api.call("GET", f"/v1/cases/{case_id}", "alice").json()["history"]
             if h["trigger"] == "produced_data_read"]
    assert reads and "Kim Min-jun" in reads[-1]["actor"]
    assert api.call("POST", f"/v1/submissions/{case_id}/production/receipt", "kim").json()["case_id"] == case_id
    api.world.clock.advance(timedelta(days=api.world.policy.production.download_days + 1))
    api.rt.services.admin.renew_token(kim.split("_")[1])  # the officer's token outlives its 30 days
    closed = api.call("GET", f"/v1/submissions/{case_id}/production", "kim")
    assert closed.status_code == 410 and closed.json()["code"] == "download_closed"
