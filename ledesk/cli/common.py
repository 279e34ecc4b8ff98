"""What every command module shares: the parser type, reading files named on the command line, and the
`show` document every case command prints."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, Protocol

from ledesk.bootstrap import Runtime
from ledesk.cli.render import case_text, emit
from ledesk.models.views import CaseView
from ledesk.states.attempt import Attachment
from ledesk.states.errors import BadInput

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024

Command = Callable[[Runtime, argparse.Namespace], int]


class UsageError(BadInput):
    code = "usage"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


class Adder(Protocol):
    """Adds a top-level command: its name, what runs it, its help; returns its parser."""

    def __call__(self, name: str, fn: Command, help_: str, **kw: Any) -> Parser: ...


def subcommands(parser: Parser, common: Parser) -> Callable[[str, Command, str], Parser]:
    """A command with subcommands (`ledesk actors add`): returns the function that adds one."""
    sub = parser.add_subparsers(dest="sub", parser_class=Parser)

    def add(name: str, fn: Command, help_: str) -> Parser:
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        p.set_defaults(fn=fn)
        return p

    return add


def need_subcommand(rt: Runtime, args: argparse.Namespace) -> int:
    raise UsageError(f"ledesk {args.command}: say which (see ledesk {args.command} --help)")


def read_file(path: str, limit: int) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{path}: no such file")
    if p.stat().st_size > limit:
        raise BadInput(f"{path}: larger than {limit // (1024 * 1024)} MB")
    return p.read_bytes()


def attachment(path: str | None) -> Attachment | None:
    if path is None:
        return None
    content = read_file(path, MAX_ATTACHMENT_BYTES)
    name = Path(path).name
    if name.lower().endswith(".json"):
        try:
            json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadInput(f"{path}: not valid JSON ({exc})") from None
    return Attachment(name, content)


def cli_actor(given: str | None) -> str:
    """Who reads produced data or produces a report when no --actor is given: the person at the shell."""
    return given or f"cli:{getpass.getuser()}"


def show(rt: Runtime, case_id: str) -> CaseView:
    return rt.services.queries.show(case_id)


def emit_case(rt: Runtime, case_id: str, as_json: bool) -> int:
    doc = show(rt, case_id)
    emit(doc, as_json, case_text(doc))
    return 0
