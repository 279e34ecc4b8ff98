"""The audit chain finds any edited, inserted or deleted event."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ledesk.adapters.audit import verify
from ledesk.models.db import reader
from ledesk.services import Services
from tests.integration.conftest import World


@pytest.fixture
def world(world: World) -> World:
    """These tests sign their checkpoints themselves, with a key store of their own: the world's decisions
    are not anchored here (tests/integration/test_audit_anchored.py tests that they are)."""
    ctx = world.services.ctx
    world.services = Services.build(world.engine, world.clock, world.policy, world.calendar, world.home,
                                    source=ctx.source, keys=ctx.vault.keys, anchor_decisions=False)
    return world


def verdict(world: World):  # type: ignore[no-untyped-def]
    with reader(world.engine).connect() as conn:
        return verify(conn)


def build(world: World) -> int:
    case_id = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="covers it")
    world.fire(case_id, "approve_disclosure", "bob")
    v = verdict(world)
    assert v.ok and v.first_bad is None
    return v.events


def tamper(world: World, sql: str, **params: object) -> None:
    with world.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_an_intact_chain_verifies(world: World) -> None:
    assert build(world) == world.count("events") >= 9


def test_an_edited_reason_is_found(world: World) -> None:
    build(world)
    tamper(world, "update events set reason = 'nothing to see' where action = 'approve_disclosure'")
    seq = world.rows("select seq from events where action = 'approve_disclosure'")[0][0]
    v = verdict(world)
    assert not v.ok and v.first_bad == seq


def test_an_edited_actor_with_a_recomputed_hash_breaks_the_next_link(world: World) -> None:
    from ledesk.adapters.audit import digest

    build(world)
    from sqlalchemy import select

    from ledesk.models.tables import events

    with reader(world.engine).connect() as conn:
        row = conn.execute(select(events).where(events.c.action == "recommend_disclosure")).one()._mapping
    forged = {**dict(row), "actor": "bob"}
    tamper(world, "update events set actor = 'bob', hash = :h where seq = :s",
           h=digest(row["seq"], forged, row["prev_hash"]), s=row["seq"])
    v = verdict(world)
    assert not v.ok and v.first_bad == row["seq"] + 1


def test_a_deleted_event_in_the_middle_is_found(world: World) -> None:
    build(world)
    tamper(world, "delete from events where seq = 3")
    v = verdict(world)
    assert not v.ok and v.first_bad == 3


def test_deleting_the_newest_events_is_found(world: World) -> None:
    total = build(world)
    tamper(world, "delete from events where seq = :s", s=total)
    v = verdict(world)
    assert not v.ok and v.first_bad == total


def test_an_inserted_event_is_found(world: World) -> None:
    total = build(world)
    tamper(world, "update events set seq = seq + 1000 where seq = :s", s=total)
    tamper(world, "insert into events (seq, case_id, action, actor, at, reason, data, prev_hash, hash) "
                  "select :s, case_id, 'disclose', 'bob', at, '', data, prev_hash, hash from events where seq = :o",
           s=total, o=total + 1000)
    tamper(world, "update events set seq = :n where seq = :o", n=total + 1, o=total + 1000)
    v = verdict(world)
    assert not v.ok and v.first_bad == total


# -- signed checkpoints: an insider with write access to the database --------------------------------------
def _rehash_from(world: World, seq: int) -> None:
    """What an insider does after editing event `seq`: recompute every hash after it and move the head."""
    from sqlalchemy import select

    from ledesk.adapters.audit import digest
    from ledesk.models.tables import events

    with world.engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(events).order_by(events.c.seq))]
        prev = rows[seq - 2]["hash"] if seq > 1 else "0" * 64
        for row in rows[seq - 1:]:
            row["prev_hash"] = prev
            row["hash"] = digest(row["seq"], row, prev)
            conn.execute(text("update events set prev_hash = :p, hash = :h where seq = :s"),
                         {"p": prev, "h": row["hash"], "s": row["seq"]})
            prev = row["hash"]
        conn.execute(text("update audit_head set hash = :h"), {"h": prev})


def _checkpoint(world: World, tmp_path):  # type: ignore[no-untyped-def]
    from ledesk.vault.checkpoints import Checkpoints
    from ledesk.vault.keystore import SqliteKeyStore

    marks = Checkpoints(tmp_path, SqliteKeyStore(tmp_path / "keys" / "holds.db", b"k" * 32))
    with world.engine.begin() as conn:
        marks.write(conn, world.clock.now())
    return marks


def _verdict_with(world: World, marks):  # type: ignore[no-untyped-def]
    with reader(world.engine).connect() as conn:
        return verify(conn, checkpoints=marks.read())


def test_an_edit_rehashed_to_the_head_passes_the_chain_but_not_the_checkpoint(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = build(world)
    marks = _checkpoint(world, tmp_path)
    tamper(world, "update events set reason = 'nothing to see' where action = 'approve_disclosure'")
    seq = world.rows("select seq from events where action = 'approve_disclosure'")[0][0]
    _rehash_from(world, seq)
    assert verdict(world).ok  # the chain agrees with itself...
    v = _verdict_with(world, marks)
    assert not v.ok and v.first_bad == 1 and f"event {events}" in (v.problem or "")  # ...not with what was signed


def test_dropped_events_and_a_moved_head_are_caught_by_the_checkpoint(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = build(world)
    marks = _checkpoint(world, tmp_path)
    last = world.rows("select hash from events where seq = :s", s=events - 2)[0][0]
    tamper(world, "delete from events where seq > :s", s=events - 2)
    tamper(world, "update audit_head set seq = :s, hash = :h", s=events - 2, h=last)
    assert verdict(world).ok
    v = _verdict_with(world, marks)
    assert not v.ok and v.first_bad == events - 1 and "removed" in (v.problem or "")


def test_a_forged_checkpoint_is_refused_and_later_events_still_verify(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    import pytest

    from ledesk.vault.checkpoints import CheckpointError

    build(world)
    marks = _checkpoint(world, tmp_path)
    world.intake("court_permission")  # events after the checkpoint: edits there are caught as before
    assert _verdict_with(world, marks).ok
    record = json.loads(marks.path.read_text())
    marks.path.write_text(json.dumps({**record, "events": record["events"] - 1}) + "\n")
    with pytest.raises(CheckpointError, match="does not verify"):
        marks.read()


def test_checkpoints_signed_by_a_legacy_audit_key_file_still_verify_and_new_ones_use_the_key_store(
        world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import base64
    import json
    import os

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from ledesk.adapters.audit import head
    from ledesk.vault.checkpoints import _signed_bytes
    from ledesk.vault.signing import fingerprint

    build(world)
    legacy = Ed25519PrivateKey.generate()  # what a deployment from before the key store kept under keys/
    (tmp_path / "keys").mkdir(mode=0o700)
    fd = os.open(tmp_path / "keys" / "audit.key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, legacy.private_bytes_raw())
    os.close(fd)
    with world.engine.connect() as conn:
        events, top = head(conn)
    at = world.clock.now().isoformat()
    old = {"events": events, "head": top, "at": at,
           "key": fingerprint(legacy.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
           "signature": base64.b64encode(legacy.sign(_signed_bytes(events, top, at))).decode()}
    (tmp_path / "audit").mkdir(mode=0o700)
    (tmp_path / "audit" / "checkpoints.jsonl").write_text(json.dumps(old) + "\n")
    from ledesk.vault.checkpoints import Checkpoints
    from ledesk.vault.keystore import SqliteKeyStore

    upgrading = Checkpoints(tmp_path, SqliteKeyStore(tmp_path / "keys" / "holds.db", b"k" * 32))
    assert upgrading.adopt_legacy(world.clock.now()) == old["key"]  # `ledesk init` at the upgrade
    marks = _checkpoint(world, tmp_path)
    lines = [json.loads(line) for line in marks.path.read_text().splitlines()]
    assert len(lines) == 2 and lines[1]["key"] == fingerprint(marks.key.public_raw()) != old["key"]
    assert len(marks.read()) == 2 and _verdict_with(world, marks).ok
    # A checkpoint signed by some other key is refused, even when its signature is valid for that key.
    stranger = Ed25519PrivateKey.generate()
    forged = {**old, "key": "0" * 16,
              "signature": base64.b64encode(stranger.sign(_signed_bytes(events, top, at))).decode()}
    with open(marks.path, "a") as handle:
        handle.write(json.dumps(forged) + "\n")
    import pytest

    from ledesk.vault.checkpoints import CheckpointError

    with pytest.raises(CheckpointError, match="checkpoint 3"):
        marks.read()
