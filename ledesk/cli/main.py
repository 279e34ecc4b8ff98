"""`ledesk`: every command of CONTRACT.md. Exit codes: 0 done, 1 refused by the rules, 2 bad input or usage.

Each noun's commands live in a module of their own (people, submissions, cases, clock, outbox, datasource,
reports, audit, servers); this module assembles the parser and turns errors into exit codes. Heavy
modules are imported inside the commands that use them, so `ledesk show` starts fast."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ledesk.bootstrap import Runtime, private_files
from ledesk.cli import audit, cases, clock, datasource, keys, outbox, people, reports, servers, submissions
from ledesk.cli.common import Command, Parser, UsageError
from ledesk.cli.render import emit, show_times_in
from ledesk.states.errors import BadInput, LedeskError


def build_parser() -> argparse.ArgumentParser:
    # --json goes before or after the command's name. Each subcommand's copy leaves the value alone unless
    # given (SUPPRESS), so `ledesk --json init` is not undone by init's own default.
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print exactly one JSON document")
    parser = Parser(prog="ledesk", description="LE Desk: law-enforcement requests, deadlines and proof.")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON document")
    parser.add_argument("--utc", action="store_true", help="text output in UTC (default: the policy's zone, "
                                                           "Asia/Seoul)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def add(name: str, fn: Command, help_: str, **kw: Any) -> Parser:
        p = sub.add_parser(name, help=help_, description=help_, parents=[common], **kw)
        p.set_defaults(fn=fn)
        return p

    people.register(add, common)
    submissions.register(add, common)
    cases.register(add)
    clock.register(add)
    outbox.register(add, common)
    datasource.register(add, common)
    reports.register(add, common)
    audit.register(add, common)
    keys.register(add, common)
    servers.register(add)
    return parser


def _error(exc: LedeskError, as_json: bool) -> int:
    doc: dict[str, Any] = {"error": exc.message, "code": exc.code}
    guard = getattr(exc, "guard", None)
    if guard:
        doc["guard"] = guard
    if as_json:
        emit(doc, True)
    else:
        sys.stderr.write(f"ledesk: {exc.message}\n")
    return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    private_files()
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "fn", None):
            raise UsageError("say which command; `ledesk --help` lists them")
        runtime = Runtime()
        try:
            runtime.clock  # noqa: B018  (a bad LEDESK_NOW is refused before anything runs)
        except ValueError as exc:
            raise BadInput(f"LEDESK_NOW: {exc}") from None
        try:
            if not args.json:
                show_times_in("UTC" if args.utc else runtime.policy.timezone)
            return int(args.fn(runtime, args))
        finally:
            runtime.close()
    except LedeskError as exc:
        return _error(exc, as_json)
    except Exception as exc:  # the boundary: turn known library failures into clear errors
        translated = _translate(exc)
        if translated is None:
            raise
        return _error(translated, as_json)


def _translate(exc: Exception) -> LedeskError | None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from ledesk.policy.load import PolicyError

    if isinstance(exc, PolicyError) or (isinstance(exc, ValueError) and getattr(exc, "code", "") == "bad_input"):
        return BadInput(str(exc))
    if isinstance(exc, OperationalError | ProgrammingError):
        text = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        if "no such table" in text or "does not exist" in text:
            return BadInput("the database is not initialised: run `ledesk init`")
        return BadInput(f"database error: {text.splitlines()[0]}")
    return None


if __name__ == "__main__":
    raise SystemExit(main())
