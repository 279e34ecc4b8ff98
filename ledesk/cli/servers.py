"""`ledesk api`, `serve`, `demo`: the long-running processes and the end-to-end demonstration. They are
started by ledesk.serve and ledesk.demo, which compose the API and the flows; the CLI imports neither."""

from __future__ import annotations

import argparse
from pathlib import Path

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder
from ledesk.cli.render import emit
from ledesk.states.errors import BadInput


def _port(port: int, flag: str) -> None:
    if not 0 < port < 65536:
        raise BadInput(f"{flag} takes 1 to 65535")


def cmd_api(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.serve import run_api

    _port(args.port, "--port")
    return run_api(rt, args.host, args.port)


def cmd_serve(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.serve import run_serve

    _port(args.port, "--port")
    try:
        return run_serve(rt, args.host, args.port, watch=not args.no_watch, api_port=args.api_port or None)
    except RuntimeError as exc:
        raise BadInput(str(exc)) from None


def cmd_demo(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.demo import run_demo

    summary = run_demo(Path(args.home) if args.home else None, quiet=args.json)
    emit(summary, args.json, summary["text"])
    return 0 if summary["audit_ok"] else 1


def register(add: Adder) -> None:
    p = add("api", cmd_api, "the HTTP API (/v1/, /openapi.json) and the reviewers' web UI")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p = add("serve", cmd_serve, "run the API, the web UI and the Prefect deployments with their schedules "
                                "(and a Prefect server when PREFECT_API_URL is not set); Ctrl-C stops")
    p.add_argument("--host", default="127.0.0.1", help="where the local Prefect server listens")
    p.add_argument("--port", type=int, default=4200, help="the local Prefect server's port (UI and API)")
    p.add_argument("--api-port", type=int, default=8000, help="the API and web UI's port (0: do not serve them)")
    p.add_argument("--no-watch", action="store_true",
                   help="leave the drop folder to the watch-inbox schedule (when another machine takes intake)")
    p = add("demo", cmd_demo, "run sample requests through the Prefect flows over 120 simulated days")
    p.add_argument("--home", help="folder for the demo database (default: LEDESK_HOME/demo)")
