"""The `ledesk` command as the end-to-end tests drive it.

`Ledesk.run` calls `ledesk.cli.main:main` in this process, with the command's own environment (LEDESK_HOME,
LEDESK_NOW, LEDESK_DATABASE_URL, ...) in force for the call and its output captured: the same parser, the
same commands, the same exit codes and JSON as the installed `ledesk`, without a second Python starting
for each command (a second each, most of the suite's time before). `Ledesk.process` runs the real
entry point in a subprocess, for the few smoke tests that prove the installed command starts and for
the long-running commands (`serve`, `api`, `demo`)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledesk.cli.main import main

START = "2026-12-01T09:00:00+09:00"


@dataclass(frozen=True)
class Done:
    """What one command did: its exit code and what it printed."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """`env` as the whole environment for the duration, then the test's own again."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def call(argv: list[str], env: dict[str, str]) -> Done:
    """`ledesk ARGV` in this process, as a shell would run it with `env` and no input."""
    out, err = io.StringIO(), io.StringIO()
    with environment(env), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's --help and --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Done(code, out.getvalue(), err.getvalue())


class Ledesk:
    def __init__(self, home: Path, database_url: str | None = None) -> None:
        self.env = {**os.environ, "LEDESK_HOME": str(home), "LEDESK_NOW": START}
        self.env.pop("LEDESK_DATABASE_URL", None)
        if database_url:
            self.env["LEDESK_DATABASE_URL"] = database_url

    def _env(self, now: str | None) -> dict[str, str]:
        return {**self.env, **({"LEDESK_NOW": now} if now else {})}

    def call(self, *args: str, now: str | None = None) -> Done:
        """The command as typed (no --json added), in this process."""
        return call(list(args), self._env(now))

    def run(self, *args: str, now: str | None = None, code: int = 0) -> Any:
        """The command with --json, in this process: its one JSON document, after checking its exit code."""
        done = self.call(*args, "--json", now=now)
        assert done.code == code, (done.code, done.stdout, done.stderr)
        return done.json()

    def process(self, *args: str, now: str | None = None, timeout: float = 120) -> Done:
        """The installed entry point in a process of its own (`python -m ledesk.cli`), no standard input."""
        proc = subprocess.run([sys.executable, "-m", "ledesk.cli", *args], env=self._env(now), capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return Done(proc.returncode, proc.stdout, proc.stderr)
