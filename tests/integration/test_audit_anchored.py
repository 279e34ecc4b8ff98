"""Issue 24, part 2: every decision is anchored by a signed checkpoint written in its own transaction, so
nothing decided can be rewritten or cut off unseen; `audit verify` says how much is not yet anchored; the
checkpoints sign a Merkle root (RFC 9162), so one event's inclusion and one checkpoint's extension of another
are proved with log2(n) hashes; a witness copy of each checkpoint leaves for a file or URL."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import text

from ledesk.services import Services
from tests.integration.conftest import World
from tests.integration.test_audit import _rehash_from


def _verify(world: World) -> Any:
    verdict = world.services.queries.verify_audit().verdict
    return verdict


def _lines(world: World) -> list[dict[str, Any]]:
    path = world.home / "audit" / "checkpoints.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _decided(world: World) -> str:
    case_id: str = world.intake("warrant")["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="covers it")
    assert _lines(world) == []  # a recommendation decides nothing
    assert _verify(world).unanchored == _verify(world).events > 0
    world.fire(case_id, "reject", "bob", reason="other: withdrawn")  # a decision
    return case_id


def test_a_decision_signs_a_checkpoint_of_exactly_what_it_committed(world: World) -> None:
    _decided(world)
    [mark] = _lines(world)
    verdict = _verify(world)
    assert verdict.ok and mark["events"] == verdict.events and verdict.unanchored == 0
    assert len(mark["root"]) == 64 and mark["head"] == world.rows("select hash from audit_head")[0][0]


def test_a_rewrite_after_a_decision_is_found(world: World) -> None:
    _decided(world)
    with world.engine.begin() as conn:
        conn.execute(text("update events set reason = 'approved after all' where action = 'reject'"))
    seq = world.rows("select seq from events where action = 'reject'")[0][0]
    _rehash_from(world, seq)
    verdict = _verify(world)
    assert not verdict.ok and "checkpoint" in (verdict.problem or "")


def test_a_truncation_after_a_decision_is_found(world: World) -> None:
    _decided(world)
    events = _verify(world).events
    keep = events - 2
    last = world.rows("select hash from events where seq = :s", s=keep)[0][0]
    with world.engine.begin() as conn:
        conn.execute(text("delete from events where seq > :s"), {"s": keep})
        conn.execute(text("update audit_head set seq = :s, hash = :h"), {"s": keep, "h": last})
    verdict = _verify(world)
    assert not verdict.ok and "removed" in (verdict.problem or "")


def test_an_event_is_proved_in_a_checkpoint_and_one_checkpoint_extends_another(world: World) -> None:
    _decided(world)
    second = world.intake("court_permission")["case_id"]
    world.fire(second, "reject", "alice", reason="other: withdrawn")
    assert len(_lines(world)) == 2
    proof = world.services.queries.prove(2)
    assert proof["verified"] and proof["checkpoint"]["position"] == 1 and proof["tree_size"] >= 2
    later = world.services.queries.prove(2, position=2)
    assert later["verified"] and later["tree_size"] > proof["tree_size"]
    assert world.services.queries.consistency(1, 2)["verified"]
    # The database's copy edited under the first checkpoint: neither proof holds any more.
    with world.engine.begin() as conn:
        conn.execute(text("update events set reason = 'edited' where seq = 2"))
    _rehash_from(world, 2)
    assert not world.services.queries.prove(2)["verified"]
    assert not world.services.queries.consistency(1, 2)["verified"]


class _Witness(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Witness.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def test_a_witness_copy_goes_to_a_file_and_to_a_url_the_operator_names(world: World, tmp_path: Path) -> None:
    ctx = world.services.ctx
    witness_file = tmp_path / "elsewhere" / "witness.jsonl"
    world.services = Services.build(world.engine, world.clock, world.policy, world.calendar, world.home,
                                    source=ctx.source, keys=ctx.vault.keys, witness=str(witness_file))
    _decided(world)
    assert [json.loads(line) for line in witness_file.read_text().splitlines()] == _lines(world)
    server = HTTPServer(("127.0.0.1", 0), _Witness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        world.services = Services.build(world.engine, world.clock, world.policy, world.calendar, world.home,
                                        source=ctx.source, keys=ctx.vault.keys,
                                        witness=f"http://127.0.0.1:{server.server_port}/checkpoints")
        other = world.intake("court_permission")["case_id"]
        world.fire(other, "reject", "alice", reason="other: withdrawn")
    finally:
        server.shutdown()
    assert _Witness.received and _Witness.received[-1] == _lines(world)[-1]
