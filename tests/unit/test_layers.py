"""The shape of the code, checked: the entry points (CLI, API and web UI, flows) start at bootstrap and
the service layer and never import one another; the domain (states, models, policy) imports nothing
above it, nor Prefect, FastAPI or the CLI; and `ledesk` is the only import root."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ledesk"
ENTRY_POINTS = ("ledesk.cli", "ledesk.api", "ledesk.flows")
DOMAIN = ("ledesk.states", "ledesk.models", "ledesk.policy")
ABOVE_DOMAIN = ("ledesk.intake", "ledesk.vault", "ledesk.reports", "ledesk.letters", "ledesk.delivery",
                "ledesk.datasource", "ledesk.service", "ledesk.bootstrap", "ledesk.serve", "ledesk.demo",
                *ENTRY_POINTS, "prefect", "fastapi", "starlette", "uvicorn")
OLD_ROOTS = ("api", "cli", "datasource", "delivery", "flows", "forms", "intake", "letters", "models", "policy",
             "reports", "states", "vault")


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


MODULES = _modules()


def test_the_scan_sees_every_layer() -> None:
    for package in (*ENTRY_POINTS, *DOMAIN, "ledesk.service", "ledesk.bootstrap"):
        assert any(_within(m, (package,)) for m in MODULES), package


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_an_entry_point_imports_no_other_entry_point(entry: str) -> None:
    others = tuple(e for e in ENTRY_POINTS if e != entry)
    offenders = sorted(f"{module} imports {name}" for module, path in MODULES.items() if _within(module, (entry,))
                       for name in _imports(path) if _within(name, others))
    assert offenders == []


def test_the_domain_imports_nothing_above_it() -> None:
    offenders = sorted(f"{module} imports {name}" for module, path in MODULES.items() if _within(module, DOMAIN)
                       for name in _imports(path) if _within(name, ABOVE_DOMAIN))
    assert offenders == []


def test_entry_points_never_build_an_attempt() -> None:
    """They give the service layer what the person said; the service layer builds the attempt."""
    offenders = sorted(module for module, path in MODULES.items() if _within(module, ENTRY_POINTS)
                       and ({"ledesk.states.attempt.Attempt", "ledesk.states.engine.system_attempt"}
                            & _imports(path)))
    assert offenders == []


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
