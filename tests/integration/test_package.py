"""The package is whole on every checkout: no file of it is a link, and a wheel built from a checkout
made without symlinks (Git for Windows' default, `core.symlinks=false`) holds every module and imports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Loaded by Alembic and `python -m` as scripts, never imported as modules.
SCRIPTS = ("ledesk/models/migrations/", "ledesk/cli/__main__.py")


def _tracked() -> list[tuple[str, str]]:
    """(mode, path) of every file git tracks, as the index has them (the working tree's content)."""
    out = subprocess.run(["git", "ls-files", "-s", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    entries = []
    for record in out.decode().split("\0"):
        if record:
            meta, path = record.split("\t", 1)
            entries.append((meta.split()[0], path))
    return entries


def test_no_file_of_the_project_is_a_link() -> None:
    assert [path for mode, path in _tracked() if mode == "120000"] == []


def _checkout_without_symlinks(into: Path) -> None:
    """What `git -c core.symlinks=false checkout` lays down: every file as it is, and a link as a small
    text file holding its target. Copied from the working tree, so the test sees uncommitted changes too."""
    for mode, path in _tracked():
        source, target = ROOT / path, into / path
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet in the index
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            target.write_text(str(source.readlink()))
        else:
            shutil.copyfile(source, target)


def test_a_checkout_without_symlinks_builds_a_wheel_that_holds_and_imports_every_module(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    _checkout_without_symlinks(checkout)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(tmp_path / "dist"), str(checkout)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("ledesk-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    sources = {path for _, path in _tracked() if path.startswith("ledesk/")}
    assert sources - shipped == set()  # every module, template, policy file and sample
    assert len(sources) > 190

    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    modules = sorted(p.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for p in shipped
                     if p.endswith(".py") and not p.startswith(SCRIPTS))
    code = ("import importlib, json, sys\n"
            f"sys.path.insert(0, {str(unpacked)!r})\n"
            "outside = [m for m in sys.argv[1:]\n"
            f"           if not importlib.import_module(m).__file__.startswith({str(unpacked)!r})]\n"
            "print(json.dumps(outside))")
    done = subprocess.run([sys.executable, "-c", code, *modules], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
