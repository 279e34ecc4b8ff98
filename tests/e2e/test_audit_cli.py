"""Issue 24, part 2 through the `ledesk` command: a decision is anchored at once, `audit verify` says what is
not yet under a checkpoint, `audit prove` and `audit consistency` print proofs that check, and a witness copy
of every checkpoint reaches the file LEDESK_AUDIT_WITNESS names."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import Ledesk
from tests.e2e.test_cli import ledesk  # noqa: F401  (the fixture)
from tests.factories import SAMPLES


def test_decisions_are_anchored_and_proved_from_the_command_line(ledesk: Ledesk, tmp_path: Path) -> None:  # noqa: F811
    witness = tmp_path / "witness" / "checkpoints.jsonl"
    ledesk.env["LEDESK_AUDIT_WITNESS"] = str(witness)
    case_id = ledesk.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    waiting = ledesk.run("audit", "verify")
    assert waiting["ok"] and waiting["checkpoints"] == 0 and waiting["unanchored"] == waiting["events"] > 0
    assert "not yet under a checkpoint" in ledesk.call("audit", "verify").stdout
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "ok")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")  # a decision: anchored at once
    anchored = ledesk.run("audit", "verify")
    assert anchored["checkpoints"] == 1 and anchored["unanchored"] == 0
    proof = ledesk.run("audit", "prove", "1")
    assert proof["verified"] and proof["tree_size"] == anchored["events"] and proof["checkpoint"]["position"] == 1
    ledesk.run("intake", str(SAMPLES / "court_permission.json"))
    ledesk.run("audit", "checkpoint")
    assert ledesk.run("audit", "consistency", "1", "2")["verified"]
    assert ledesk.run("audit", "consistency", "2", "1", code=2)["code"] == "bad_input"
    assert ledesk.run("audit", "prove", "999", code=1)["code"] == "refused"  # no checkpoint covers it
    copies = [json.loads(line) for line in witness.read_text().splitlines()]
    signed = [json.loads(line) for line in (Path(ledesk.env["LEDESK_HOME"]) / "audit" / "checkpoints.jsonl")
              .read_text().splitlines()]
    assert copies == signed and len(copies) == 2
