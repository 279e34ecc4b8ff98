"""The audit chain finds any edited, inserted or deleted event."""

from __future__ import annotations

from sqlalchemy import text

from ledesk.models.db import reader
from ledesk.states.audit import verify
from tests.integration.conftest import World


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
    from ledesk.states.audit import digest

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
