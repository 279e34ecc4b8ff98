"""The reviewers' web UI: server-rendered pages on the same app and the same service calls as the API.

Sign-in takes a token and keeps it in an HttpOnly, SameSite=Strict cookie; every form carries a CSRF
token derived from the session, checked before anything runs. The buttons on a case page are exactly the
triggers the engine would accept from this person now (each is tried on a copy of the case), so nobody
is offered what the rules or their role would refuse."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ledesk.api.web import case, portal, queue, reports, signin, stats
from ledesk.api.web.session import NotSignedIn, to_signin


def mount_web(app: FastAPI) -> None:
    for module in (signin, portal, queue, reports, stats, case):
        app.include_router(module.router)

    @app.exception_handler(NotSignedIn)
    async def _sign_in_first(request: Request, exc: NotSignedIn) -> Response:
        return to_signin(exc.portal, request)
