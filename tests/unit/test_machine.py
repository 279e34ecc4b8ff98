"""The transition table is the one source of truth: the machine, the diagram, the CLI help and the rule
names all come from it, and nothing else moves a case's state."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from transitions import Machine

from ledesk.models.enums import CaseState
from ledesk.states import guards, machine

ROOT = Path(__file__).resolve().parents[2]


def test_one_unbound_machine_without_auto_transitions() -> None:
    assert isinstance(machine.MACHINE, Machine)
    assert machine.MACHINE.models == []
    assert not any(name.startswith("to_") for name in machine.MACHINE.events)
    assert set(machine.MACHINE.events) == set(machine.TRIGGERS)


def test_the_table_has_every_contract_trigger_and_state() -> None:
    assert set(machine.TRIGGERS) == {
        "flag_incomplete", "cure", "preserve", "extend", "require_legal_process", "attach_legal_process",
        "recommend_disclosure", "approve_disclosure", "send_back", "disclose", "acknowledge", "verify_callback",
        "emergency_disclose", "reject", "expire"}
    used = {s for r in machine.TABLE for s in (*r.source, r.dest)}
    assert used == {s.value for s in CaseState}


def test_every_guard_named_in_the_table_exists() -> None:
    named = {g for r in machine.TABLE for g in r.guards}
    assert named <= set(guards.GUARDS), named - set(guards.GUARDS)
    assert {r.route for r in machine.TABLE if r.route} <= set(guards.ROUTES)


def test_terminal_states_have_no_way_out() -> None:
    for state in ("disclosed", "expired", "rejected"):
        assert machine.triggers_from(state) == []


def test_the_readme_diagram_is_the_machine() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```mermaid\n(.*?)```", readme, re.S)
    assert found, "README.md has no mermaid block"
    assert found.group(1) == machine.mermaid(), "README diagram is stale: run `ledesk machine --mermaid`"
    assert machine.markdown_table() in readme, "README transition table is stale: see states.machine.markdown_table"


def test_cli_help_lists_every_trigger_from_the_table() -> None:
    from ledesk.cli.cases import trigger_help as _trigger_help

    text = _trigger_help()
    for rule in machine.TABLE:
        assert rule.trigger in text and rule.summary in text


def _assigns_state(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Attribute) and t.attr == "state":
                lines.append(node.lineno)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr" and len(node.args) > 1:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and arg.value == "state":
                lines.append(node.lineno)
    return lines


def _package_sources() -> list[Path]:
    """Every module of the package, its flows, states and models included."""
    found = []
    for folder, _, files in os.walk(ROOT / "ledesk"):
        found += [Path(folder) / name for name in files if name.endswith(".py")]
    assert len(found) > 80 and any("states" in p.parts for p in found)
    return sorted(found)


def test_nothing_but_the_machine_assigns_a_case_state() -> None:
    offenders = []
    for path in _package_sources():
        for line in _assigns_state(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_only_the_store_writes_the_state_column() -> None:
    writers = []
    for path in _package_sources():
        text = path.read_text(encoding="utf-8")
        if re.search(r"update\(cases\)", text):
            writers.append(str(path.relative_to(ROOT)))
    assert writers == ["ledesk/adapters/store.py"]
