"""The second round of attacks (issue 25), each performed against the real stores: what someone with the
database alone, or with a copy of LEDESK_HOME, can no longer do."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from ledesk.models.tables import tokens, web_sessions
from ledesk.states.errors import BadInput
from tests.integration.conftest import World

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
