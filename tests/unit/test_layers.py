"""The shape of the code, checked: entry points (CLI, API and web UI, flows) on top, starting at bootstrap and
calling the service layer only; the service layer the one writer, on one unit of work; adapters (persistence
and the outside world) under it; the domain (states, models, policy) at the bottom, pure and importing
nothing above it; and `ledesk` the only import root. The picture in docs/architecture.md is drawn from
these imports (`python -m tests.unit.test_layers` prints it) and a test fails when the two differ."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ledesk"
ENTRY_POINTS = ("ledesk.cli", "ledesk.api", "ledesk.flows")
# `ledesk serve`, `ledesk demo` and the desk the demo leaves: they start the API and the flows together, and
# only the CLI's commands of the same names start them.
RUNNERS = ("ledesk.serve", "ledesk.demo", "ledesk.desk_seed")
COMPOSITION = ("ledesk.bootstrap",)
SERVICES = ("ledesk.services",)
ADAPTERS = ("ledesk.adapters", "ledesk.intake", "ledesk.vault", "ledesk.reports", "ledesk.letters",
            "ledesk.delivery", "ledesk.datasource")
DOMAIN = ("ledesk.states", "ledesk.models", "ledesk.policy")
FRAMEWORKS = ("prefect", "fastapi", "starlette", "uvicorn")
OLD_ROOTS = ("api", "cli", "datasource", "delivery", "flows", "forms", "intake", "letters", "models", "policy",
             "reports", "states", "vault")
LAYERS = {"command": ("ledesk.cli", *RUNNERS), "entry points": ("ledesk.api", "ledesk.flows"),
          "composition": COMPOSITION, "services": SERVICES, "adapters": ADAPTERS, "domain": DOMAIN}

# Where a connection or a transaction may be opened (a `.begin()`, `.connect()` or `.raw_connection()` call),
# and why. Everywhere else code is handed the connection of the unit of work it runs in.
OPENS_CONNECTIONS = {
    "ledesk/services/unit.py": "the unit of work: every command's one write transaction, and the read side's",
    "ledesk/models/migrate.py": "migrations run outside any command",
    "ledesk/datasource/embedded.py": "the embedded data source is a database of its own, not the case database",
    "ledesk/delivery/dispatch.py": "a message is claimed and marked sent each in its own transaction, around "
                                   "the transport's send, so a crash neither loses nor repeats it",
    "ledesk/letters/render.py": "a letter's rendered file and hash are recorded one letter at a time",
    "ledesk/vault/store.py": "wipe_log: SQLite's WAL checkpoint runs outside any transaction (raw_connection)",
}
OPENING_CALLS = {"begin", "connect", "raw_connection"}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py") and "migrations" not in Path(folder).parts:
                path = Path(folder) / name
                parts = path.relative_to(ROOT).with_suffix("").parts
                found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _layer(name: str) -> str | None:
    return next((layer for layer, packages in LAYERS.items() if _within(name, packages)), None)


MODULES = _modules()


def _offenders(inside: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{module} imports {name}" for module, path in MODULES.items() if _within(module, inside)
                  for name in _imports(path) if _within(name, forbidden))


def test_the_scan_sees_every_layer() -> None:
    for packages in LAYERS.values():
        for package in packages:
            assert any(_within(m, (package,)) for m in MODULES), package
    assert all(_layer(m) is not None for m in MODULES if m != "ledesk"), [m for m in MODULES if not _layer(m)]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_an_entry_point_imports_no_other_entry_point(entry: str) -> None:
    assert _offenders((entry,), tuple(e for e in ENTRY_POINTS if e != entry)) == []


def test_entry_points_reach_persistence_only_through_the_services() -> None:
    offenders = _offenders(ENTRY_POINTS, ("ledesk.adapters", "sqlalchemy"))
    # The CLI's last net turns a database's own error into a clear message: it reads the error, nothing else.
    assert [o for o in offenders if not o.startswith("ledesk.cli.main imports sqlalchemy.exc")] == []


def test_the_services_import_no_entry_point_nor_framework() -> None:
    assert _offenders(SERVICES, (*ENTRY_POINTS, *RUNNERS, *COMPOSITION, *FRAMEWORKS)) == []


def test_the_domain_imports_nothing_above_it() -> None:
    assert _offenders(DOMAIN, (*ENTRY_POINTS, *RUNNERS, *COMPOSITION, *SERVICES, *ADAPTERS, *FRAMEWORKS)) == []


def test_the_rules_are_pure() -> None:
    """ledesk.states holds the rules alone: no database. Persistence is ledesk.adapters."""
    assert _offenders(("ledesk.states",), ("sqlalchemy",)) == []


def test_entry_points_never_build_an_attempt() -> None:
    """They give the service layer what the person said; the service layer builds the attempt."""
    offenders = sorted(module for module, path in MODULES.items() if _within(module, ENTRY_POINTS)
                       and ({"ledesk.states.attempt.Attempt", "ledesk.states.engine.system_attempt"}
                            & _imports(path)))
    assert offenders == []


def _opening_calls(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in OPENING_CALLS and not node.args]


def test_only_the_unit_of_work_opens_a_transaction() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in MODULES.values()
                 if path.relative_to(ROOT).as_posix() not in OPENS_CONNECTIONS for line in _opening_calls(path)]
    assert offenders == []
    for allowed in OPENS_CONNECTIONS:  # an entry that no longer opens anything is removed, not kept
        assert _opening_calls(ROOT / allowed), allowed


def test_the_scan_finds_an_opened_transaction(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f(engine):\n    with engine.begin() as conn:\n        return reader(engine).connect()\n")
    assert _opening_calls(sample) == [2, 3]


def test_nothing_imports_an_old_short_name() -> None:
    offenders = sorted(f"{module} imports {name}" for module, path in MODULES.items()
                       for name in _imports(path) if name.split(".")[0] in OLD_ROOTS)
    assert offenders == []


def test_the_old_short_names_do_not_import_from_outside_the_checkout(tmp_path: Path) -> None:
    code = ("import importlib.util, sys\n"
            f"missing = [n for n in {OLD_ROOTS!r} if importlib.util.find_spec(n) is not None]\n"
            "import ledesk.states, ledesk.flows, ledesk.models, ledesk.cli.main\n"
            "print(missing)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def picture() -> str:
    """The layers and which imports which, as a mermaid flowchart drawn from the code."""
    edges: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        source = _layer(module)
        for name in _imports(path):
            target = _layer(name)
            if source and target and target != source:
                edges[source].add(target)
    ids = {layer: layer.replace(" ", "_") for layer in LAYERS}
    lines = ["flowchart TD"]
    lines += [f'  {ids[layer]}["{layer}<br/>{", ".join(p.removeprefix("ledesk.") for p in packages)}"]'
              for layer, packages in LAYERS.items()]
    lines += [f"  {ids[a]} --> {ids[b]}" for a in LAYERS for b in LAYERS if b in edges[a]]
    return "\n".join(lines) + "\n"


def test_the_architecture_picture_is_drawn_from_the_imports() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{picture()}```" in doc, "docs/architecture.md is stale: python -m tests.unit.test_layers"


def test_the_picture_points_down_only() -> None:
    """Entry points on top, the domain at the bottom: no layer imports one above it."""
    order = list(LAYERS)
    upward = [line for line in picture().splitlines() if "-->" in line
              and order.index(line.split("-->")[1].strip().replace("_", " "))
              < order.index(line.split("-->")[0].strip().replace("_", " "))]
    assert upward == []


if __name__ == "__main__":
    sys.stdout.write(picture())
