"""Issue 24, part 3: a production package is checked with standard tools alone (unzip, openssl, sha256sum,
jq), by exactly the lines the README shows; every file in it is signed, and a file added, edited or a key
swapped makes those lines fail."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.cli import Ledesk
from tests.e2e.test_cli import ledesk  # noqa: F401  (the fixture)
from tests.factories import SAMPLES

README = Path(__file__).resolve().parents[2] / "README.md"
TOOLS = ("unzip", "openssl", "sha256sum", "jq")


def readme_lines() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- verify-package -->\n```sh\n(.*?)```", text, re.S)
    assert block, "the README shows how to check a package"
    return block.group(1)


def check(folder: Path, package: Path, fingerprint: str) -> subprocess.CompletedProcess[str]:
    script = "set -euo pipefail\n" + readme_lines()
    return subprocess.run(["bash", "-c", script], cwd=folder, env={**os.environ, "FPR": fingerprint},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def _rezip(source: Path, target: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        prefix = old.namelist()[0].split("/", 1)[0]
        for name in old.namelist():
            new.writestr(name, change.pop(name.split("/", 1)[1], old.read(name)))
        for name, content in change.items():
            new.writestr(f"{prefix}/{name}", content)


@pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS) and not os.environ.get("CI"),
                    reason=f"needs {', '.join(TOOLS)}")
def test_a_package_verifies_with_standard_tools_and_every_change_fails(ledesk: Ledesk,  # noqa: F811
                                                                      tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.jsonl"
    accounts.write_text('{"account_id": "acct-1", "email": "hong.gildong@example.com", '
                        '"subscriber": {"name": "Hong"}}\n')
    ledesk.run("datasource", "load", str(accounts))
    case_id = ledesk.run("intake", str(SAMPLES / "warrant.json"))["case_id"]
    ledesk.run("advance", case_id, "recommend_disclosure", "--actor", "alice", "--reason", "ok")
    ledesk.run("advance", case_id, "approve_disclosure", "--actor", "bob")
    ledesk.run("sweep", now="2026-12-08T10:00:00+09:00")
    package = tmp_path / "package.zip"
    ledesk.run("export", case_id, "-o", str(package), "--actor", "alice", now="2026-12-08T11:00:00+09:00")
    fingerprint = ledesk.run("keys", "public")["fingerprint"]
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(package, good / "package.zip")
    done = check(good, package, fingerprint)
    assert done.returncode == 0, done.stderr
    manifest_names = zipfile.ZipFile(package).namelist()
    assert not any(n.endswith(("cover-letter.txt", "cover-letter.docx")) for n in manifest_names)
    attacks = {
        "a file added": {"cover-letter.txt": b"Please also wire the fee to"},
        "a data file edited": {next(n.split("/", 1)[1] for n in manifest_names if n.endswith(".json")
                                    and "manifest" not in n): b"{}"},
        "the manifest edited": {"manifest.json": zipfile.ZipFile(package).read(
            next(n for n in manifest_names if n.endswith("manifest.json"))).replace(b'"files"', b'"filez"', 1)},
    }
    for what, change in attacks.items():
        folder = tmp_path / what.replace(" ", "-")
        folder.mkdir()
        _rezip(package, folder / "package.zip", dict(change))
        assert check(folder, package, fingerprint).returncode != 0, what
    other = tmp_path / "other-key"
    other.mkdir()
    shutil.copy(package, other / "package.zip")
    assert check(other, package, "0" * 32).returncode != 0  # not the key the letter names
