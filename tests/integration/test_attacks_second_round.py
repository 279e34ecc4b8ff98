"""The second round of attacks (issue 25), each performed against the real stores: what someone with the
database alone, or with a copy of LEDESK_HOME, can no longer do."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text, update

from ledesk.models.tables import cases, tokens, web_sessions
from ledesk.states.errors import BadInput
from tests.factories import sample
from tests.integration.conftest import Api, World

# -- someone with the database alone: token rows -----------------------------------------------------


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def test_a_token_row_written_into_the_database_signs_nobody_in(world: World) -> None:
    admin = world.services.admin
    real = admin.create_token(actor="alice")
    assert admin.bearer(real["token"]) is not None
    sealed = world.rows("select seal from tokens where token_id = :t", t=real["token_id"])[0][0]
    with world.engine.begin() as conn:  # the insider's row: a secret of their choosing, the approver's name,
        conn.execute(insert(tokens).values(  # even a copy of a genuine row's seal
            token_id="a1b2c3d4e5f6", actor="bob", secret_sha256=_sha("chosen"), created_at=world.clock.now(),
            expires_at=world.clock.now() + timedelta(days=3650), seal=sealed))
    assert admin.bearer("ldk_a1b2c3d4e5f6_chosen") is None
    assert {r["token_id"]: r["status"] for r in admin.list_tokens()}["a1b2c3d4e5f6"] == "unsealed"
    with pytest.raises(BadInput, match="does not verify"):  # renewing would launder it
        admin.renew_token("a1b2c3d4e5f6")


@pytest.mark.parametrize("change", [{"actor": "bob"}, {"authority_domain": "police.go.kr", "actor": None},
                                    {"expires_at": "later"}, {"secret_sha256": _sha("chosen")}])
def test_a_genuine_token_row_edited_in_the_database_stops_working(world: World, change: dict[str, object]) -> None:
    admin = world.services.admin
    made = admin.create_token(actor="alice")
    if change.get("expires_at") == "later":
        change = {"expires_at": world.clock.now() + timedelta(days=3650)}
    with world.engine.begin() as conn:
        conn.execute(update(tokens).where(tokens.c.token_id == made["token_id"]).values(**change))
    presented = f"ldk_{made['token_id']}_chosen" if "secret_sha256" in change else made["token"]
    assert admin.bearer(presented) is None
    assert admin.bearer(made["token"]) is None


def test_a_web_session_row_written_into_the_database_opens_no_session(world: World) -> None:
    admin = world.services.admin
    bob = admin.create_token(actor="bob")
    with world.engine.begin() as conn:  # a session of the insider's choosing on the approver's real token
        conn.execute(insert(web_sessions).values(session_seal=_sha("lds_chosen"), token_id=bob["token_id"],
                                                 created_at=world.clock.now(), last_seen_at=world.clock.now()))
    assert admin.session("lds_chosen") is None
    principal = admin.bearer(bob["token"])
    assert principal is not None
    assert admin.session(admin.open_session(principal)) == principal  # a real one still works
    stored = {r[0] for r in world.rows("select session_seal from web_sessions")}
    assert all(len(s) == 64 for s in stored)


def test_tokens_expire_and_renew_and_every_change_is_an_audit_event(world: World) -> None:
    admin = world.services.admin
    officer = admin.create_token(authority="police.go.kr", officer="Kim Min-jun", badge="12-3456")
    staff = admin.create_token(actor="alice")
    web = world.policy.web
    world.clock.advance(timedelta(days=web.officer_token_days))
    assert admin.bearer(officer["token"]) is None  # an officer's token lasts days
    assert admin.bearer(staff["token"]) is not None  # a staff member's longer
    status = {r["token_id"]: r["status"] for r in admin.list_tokens()}
    assert status == {officer["token_id"]: "expired", staff["token_id"]: "live"}
    admin.renew_token(officer["token_id"])
    assert admin.bearer(officer["token"]) is not None
    admin.revoke_token(staff["token_id"])
    assert admin.bearer(staff["token"]) is None
    events = [r[0] for r in world.rows("select action from events where action like 'token_%' order by seq")]
    assert events == ["token_created", "token_created", "token_renewed", "token_revoked"]


def test_removing_an_actor_or_an_authority_revokes_its_tokens_and_closes_its_mail(world: World) -> None:
    admin = world.services.admin
    alice, police = admin.create_token(actor="alice"), admin.create_token(authority="police.go.kr")
    bob = admin.create_token(actor="bob")
    partly = admin.remove_actor("bob", ["approver"])
    assert partly["roles"] == ["reviewer"] and partly["tokens_revoked"] == []
    still = admin.bearer(bob["token"])
    assert still is not None and "approver" not in still.roles
    gone = admin.remove_actor("alice")
    assert gone["tokens_revoked"] == [alice["token_id"]] and admin.bearer(alice["token"]) is None
    off = admin.remove_authority("police.go.kr")
    assert off["tokens_revoked"] == [police["token_id"]] and admin.bearer(police["token"]) is None
    with pytest.raises(BadInput, match="not an allow-listed authority"):
        admin.create_token(authority="police.go.kr")
    refused = world.intake("warrant")  # police.go.kr's request, now from a domain off the list
    assert refused["case_id"] is None and refused["status"] == "not_reviewed", refused
    actions = [r[0] for r in world.rows("select action from events order by seq")]
    assert {"actor_roles_removed", "authority_removed"} <= set(actions)


# -- someone with the database alone: the owner swap -------------------------------------------------


def _disclosed_to_police(api: Api) -> tuple[str, Any]:
    """A warrant police.go.kr submits, taken to disclosure by two people, and its first download."""
    case_id = api.call("POST", "/v1/submissions", "police", json=sample("warrant")).json()["case_id"]
    desk = api.world.desk
    desk.fire(case_id, "recommend_disclosure", "alice", reason="covered")
    desk.fire(case_id, "approve_disclosure", "bob")
    api.world.clock.advance(timedelta(days=8))
    desk.fire(case_id, "disclose", "bob")
    return case_id, api.call("GET", f"/v1/submissions/{case_id}/production", "police")


def test_changing_a_cases_authority_in_the_database_hands_its_production_to_nobody(api: Api) -> None:
    from ledesk.vault.signing import verify_package

    case_id, got = _disclosed_to_police(api)
    verdict = verify_package(got.content)
    assert verdict.ok and (verdict.case_id, verdict.authority) == (case_id, "police.go.kr")
    with api.world.engine.begin() as conn:  # the insider gives the case to another authority
        conn.execute(update(cases).where(cases.c.case_id == case_id).values(authority_domain="fbi.gov"))
    stolen = api.call("GET", f"/v1/submissions/{case_id}/production", "fbi")
    assert stolen.status_code == 404 and b"PK" not in stolen.content[:2]
    assert api.call("GET", f"/v1/submissions/{case_id}/production", "police").status_code == 404
    reads = [r for r in api.world.rows("select action from events where case_id = :c", c=case_id)
             if r[0] == "produced_data_read"]
    assert len(reads) == 1  # the refused download read nothing


def test_verify_production_prints_the_case_and_authority_it_verified(api: Api, tmp_path: Path) -> None:
    from tests.cli import call

    case_id, got = _disclosed_to_police(api)
    (tmp_path / "p.zip").write_bytes(got.content)
    fp = json.loads(zipfile.ZipFile(io.BytesIO(got.content)).read(f"{case_id}/manifest.json"))["key_fingerprint"]
    done = call(["verify-production", str(tmp_path / "p.zip"), "--fingerprint", fp], dict(os.environ))
    assert done.code == 0 and f"case {case_id}, produced for police.go.kr" in done.stdout, done


# -- anyone on the internet: no input is a 500 -------------------------------------------------------


def _portal(api: Api, who: str = "police") -> tuple[Any, str]:
    """A TestClient signed in to the portal with an officer's token, and the page's CSRF token."""
    from fastapi.testclient import TestClient

    web = TestClient(api.client.app, raise_server_exceptions=False)
    r = web.post("/portal/signin", data={"token": api.tokens[who]}, headers={"origin": "http://testserver"},
                 follow_redirects=False)
    assert r.status_code == 303, r.text
    page = web.get("/portal").text
    return web, page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


HUGE = "9" * 5000


@pytest.mark.parametrize("change, field", [
    ({"reference": "R" * 201}, "reference"),
    ({"reference": "nul\x00ref"}, "reference"),
    ({"related_case": "LE-" + "9" * 40}, "related_case"),
    ({"targets": [{"type": "email", "value": "a" * 490 + "@example.com"}]}, "targets.0.value"),
    ({"targets": [{"type": "email", "value": "hong\x00@example.com"}]}, "targets.0.value"),
    ({"officer": {"name": "Kim\x00"}}, "officer.name"),
    ({"officer": {"email": "k" * 400 + "@police.go.kr"}}, "officer.email"),
    ({"nondisclosure": {"reference": "N" * 201}}, "nondisclosure.reference"),
    ({"legal_basis": {"document_reference": "D" * 201}}, "legal_basis.document_reference"),
])
def test_a_value_longer_than_its_column_or_holding_nul_is_422_naming_the_field(
        api: Api, change: dict[str, Any], field: str) -> None:
    before = api.world.count("cases")
    body = sample("warrant")
    for key, value in change.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) and isinstance(body.get(key), dict) else value
    r = api.call("POST", "/v1/submissions", "police", json=body)
    assert r.status_code == 422 and field in r.json()["error"], (r.status_code, r.text[:300])
    assert api.world.count("cases") == before


def test_a_5000_digit_integer_is_422_on_the_api_and_an_error_on_the_portal(api: Api) -> None:
    raw = json.dumps(sample("warrant"))[:-1] + f', "respond_by": {HUGE}}}'
    r = api.call("POST", "/v1/submissions", "police", content=raw.encode(),
                 headers={"content-type": "application/json"})
    assert r.status_code == 422 and "not valid JSON" in r.json()["error"], r.text[:300]
    web, csrf = _portal(api)
    r = web.post("/portal/submit", data={"csrf": csrf}, files={"file": ("request.json", raw.encode())})
    assert r.status_code == 200 and "not valid JSON" in r.text
    fields = {"csrf": csrf, "kind": "legal_process", "reference": HUGE, "target_1_type": "email",
              "target_1_value": HUGE}
    r = web.post("/portal/new", data=fields, follow_redirects=False)
    assert r.status_code in (200, 303), (r.status_code, r.text[:300])  # an error shown, or a case: never a 500
    assert api.world.rows("select count(*) from cases where reference = :r", r=HUGE)[0][0] == 0


def test_an_honest_form_of_a_few_mb_is_taken_by_the_portal_as_by_the_api(api: Api) -> None:
    """Issue 25: the portal's upload limit was the 1 MB of a JSON body; it is the API's."""
    web, csrf = _portal(api)
    big = {"file": ("request.json", json.dumps({**sample("warrant"), "reference": "BIG-JSON",
                                                "authorisation_documents": ["x" * 15_000] * 100}).encode())}
    assert len(big["file"][1]) > 1_400_000
    r = web.post("/portal/submit", data={"csrf": csrf}, files=big, follow_redirects=False)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    over = {"file": ("request.json", b" " * (20_000_000 + 1))}
    refused = web.post("/portal/submit", data={"csrf": csrf}, files=over)  # one byte over: said on the page
    assert refused.status_code == 200 and "larger than" in refused.text


def test_a_related_case_of_another_authority_is_refused(api: Api) -> None:
    """Issue 25: naming another authority's case linked to it and counted it in the report."""
    fbi = sample("warrant")
    fbi["sender"], fbi["officer"] = {"email": "agent@fbi.gov"}, {**fbi["officer"], "email": "agent@fbi.gov"}
    theirs = api.call("POST", "/v1/submissions", "fbi", json=fbi)
    assert theirs.status_code == 201, theirs.text
    other = theirs.json()["case_id"]
    r = api.call("POST", "/v1/submissions", "police", json={**sample("warrant"), "related_case": other,
                                                            "reference": "NAMES-THEIRS"})
    assert r.status_code == 422 and "related_case" in r.json()["error"], r.text
    missing = api.call("POST", "/v1/submissions", "police", json={**sample("warrant"), "related_case": "LE-NONE"})
    assert missing.status_code == 422 and missing.json()["error"] == r.json()["error"].replace(other, "LE-NONE")
    assert api.world.rows("select count(*) from cases where linked_to = :c", c=other)[0][0] == 0


def test_post_submissions_declares_its_body(api: Api) -> None:
    doc = api.call("GET", "/openapi.json").json()
    body = doc["paths"]["/v1/submissions"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/Submission"}
    declared = doc["components"]["schemas"]["Submission"]
    assert declared["properties"]["reference"]["maxLength"] == 200 and "sender" in declared["required"]
    assert doc["components"]["schemas"]["Target"]["properties"]["value"]["maxLength"] == 500


# -- anyone on the internet: guessing tokens ------------------------------------------------------------


def test_failed_bearer_tokens_are_throttled_per_address_and_per_token_id(api: Api) -> None:
    limit = api.world.policy.web.failed_auth_per_minute
    real = api.tokens["alice"]
    token_id = real.split("_")[1]
    for i in range(limit):  # one token id, many secrets
        r = api.call("GET", "/v1/cases", headers={"Authorization": f"Bearer ldk_{token_id}_guess{i}"})
        assert r.status_code == 401
    r = api.call("GET", "/v1/cases", headers={"Authorization": f"Bearer ldk_{token_id}_guess"})
    assert r.status_code == 429 and r.json()["code"] == "too_many_requests" and int(r.headers["retry-after"]) > 0
    # The right secret is not even tried now: a guess that succeeds looks like one that fails.
    assert api.call("GET", "/v1/cases", "alice").status_code == 429
    from fastapi.testclient import TestClient

    elsewhere = TestClient(api.client.app, client=("198.51.100.7", 5000))
    assert elsewhere.get("/v1/cases", headers={"Authorization": f"Bearer {api.tokens['bob']}"}).status_code == 200
    assert elsewhere.get("/v1/cases", headers={"Authorization": f"Bearer {real}"}).status_code == 429  # the id
    api.client.app.state.failed_auth._clock = lambda: 10.0**9  # a minute later (the throttle's own clock)
    assert api.call("GET", "/v1/cases", "alice").status_code == 200


def test_failed_sign_ins_are_throttled(api: Api) -> None:
    from fastapi.testclient import TestClient

    web = TestClient(api.client.app, raise_server_exceptions=False, client=("203.0.113.9", 4000))
    for path in ("/signin", "/portal/signin"):
        web.app.state.failed_auth = None  # each page counts afresh in this test
        for _ in range(api.world.policy.web.failed_auth_per_minute):
            r = web.post(path, data={"token": "ldk_000000000000_wrong"}, headers={"origin": "http://testserver"})
            assert r.status_code == 200 and "unknown" in r.text
        r = web.post(path, data={"token": api.tokens["alice" if path == "/signin" else "police"]},
                     headers={"origin": "http://testserver"}, follow_redirects=False)
        assert r.status_code == 429 and "try again in" in r.text


# -- someone with a copy of LEDESK_HOME ----------------------------------------------------------------


def _desk_checkpoints(world: World, home: Path, witness: str | None = None) -> Any:
    from ledesk.vault.checkpoints import Checkpoints

    return Checkpoints(home, world.vault.keys, witness)


def test_a_planted_legacy_audit_key_verifies_nothing(world: World, tmp_path: Path) -> None:
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from ledesk.adapters.audit import head
    from ledesk.vault.checkpoints import CheckpointError, _signed_bytes
    from ledesk.vault.signing import fingerprint

    home = tmp_path / "desk"
    marks = _desk_checkpoints(world, home)
    world.intake("warrant")
    with world.engine.begin() as conn:
        marks.write(conn, world.clock.now())  # the desk's own audit key has signed
    planted = Ed25519PrivateKey.generate()
    (home / "keys").mkdir(mode=0o700, exist_ok=True)
    (home / "keys" / "audit.key").write_bytes(planted.private_bytes_raw())
    (home / "keys" / "audit.key").chmod(0o600)
    with world.engine.connect() as conn:
        events, _ = head(conn)
    at = world.clock.now().isoformat()
    rewritten = {"events": events, "head": "f" * 64, "at": at,
                 "key": fingerprint(planted.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
                 "signature": base64.b64encode(planted.sign(_signed_bytes(events, "f" * 64, at))).decode()}
    marks.path.write_text(json.dumps(rewritten) + "\n")  # history re-signed with the planted key
    with pytest.raises(CheckpointError, match="does not verify"):
        marks.read()
    with pytest.raises(CheckpointError, match="appeared after"):  # and `ledesk init` does not adopt it
        marks.adopt_legacy(world.clock.now())


def test_deleting_checkpoints_or_rolling_back_with_them_is_caught_by_the_witness(world: World, tmp_path: Path) -> None:
    import shutil

    from ledesk.services import Services

    home, witness = tmp_path / "desk", tmp_path / "elsewhere" / "witness.jsonl"
    services = Services.build(world.engine, world.clock, world.policy, world.calendar, home,
                              source=world.source, keys=world.vault.keys, witness=str(witness))
    case_id = world.intake("warrant")["case_id"]
    services.cases.fire(case_id, "reject", "alice", reason="out_of_scope")  # a decision: anchored
    check = services.queries.verify_audit()
    assert check.verdict.ok and check.witness["reachable"] and check.witness["missing_here"] == 0
    kept = services.ctx.checkpoints.path.read_text()
    services.ctx.checkpoints.path.unlink()  # the checkpoints deleted
    gone = services.queries.verify_audit()
    assert not gone.verdict.ok and "lacks 1 signed checkpoint" in (gone.verdict.problem or "")
    services.ctx.checkpoints.path.write_text(kept)
    # A rollback of the database and the checkpoints together: a later decision's checkpoint went to the
    # witness, then both the events and checkpoints.jsonl are put back as they were before it.
    shutil.copy(services.ctx.checkpoints.path, tmp_path / "before.jsonl")
    later = world.intake("warrant", reference="LATER")["case_id"]
    services.cases.fire(later, "reject", "alice", reason="out_of_scope")
    with world.engine.begin() as conn:
        top = conn.execute(text("select max(seq) from events where case_id = :c"), {"c": case_id}).scalar()
        conn.execute(text("delete from events where seq > :s"), {"s": top})
        conn.execute(text("update audit_head set seq = :s, hash = (select hash from events where seq = :s), "
                          "frontier = null"), {"s": top})
    shutil.copy(tmp_path / "before.jsonl", services.ctx.checkpoints.path)
    rolled = services.queries.verify_audit()
    assert not rolled.verdict.ok, rolled
    blind = Services.build(world.engine, world.clock, world.policy, world.calendar, home, source=world.source,
                           keys=world.vault.keys).queries.verify_audit()
    assert blind.verdict.ok and not blind.witness["reachable"]  # without the witness it cannot be seen,
    assert "no witness configured" in blind.witness["status"]  # and verify says so


def test_the_master_key_comes_from_outside_ledesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    from ledesk.vault import keys
    from ledesk.vault.keys import MasterKeyError, master_key

    home = tmp_path / "home"
    outside = tmp_path / "secrets" / "master.key"
    outside.parent.mkdir()
    outside.write_text("ab" * 32 + "\n")
    outside.chmod(0o600)
    monkeypatch.delenv("LEDESK_MASTER_KEY", raising=False)
    monkeypatch.setenv("LEDESK_MASTER_KEY_FILE", str(outside))
    assert master_key(home) == bytes.fromhex("ab" * 32) and not (home / "master.key").exists()
    outside.chmod(0o644)
    with pytest.raises(MasterKeyError, match="readable by others"):
        master_key(home)
    monkeypatch.delenv("LEDESK_MASTER_KEY_FILE")
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "ledesk-master-key").write_text("cd" * 32)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    assert master_key(home) == bytes.fromhex("cd" * 32) and "systemd credential" in keys.where(home)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    monkeypatch.setenv("LEDESK_KEYSTORE", "pkcs11:token=ledesk?module-path=/nowhere.so")
    with pytest.raises(MasterKeyError, match="HSM"):  # never made beside an HSM
        master_key(home)
    assert not (home / "master.key").exists()
    monkeypatch.delenv("LEDESK_KEYSTORE")
    with caplog.at_level("WARNING"):
        made = master_key(home)  # the default still works, with a warning at start
    assert len(made) == 32 and (home / "master.key").exists()
    assert "beside the data it protects" in caplog.text
