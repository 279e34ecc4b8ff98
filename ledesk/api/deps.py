"""What the API's and the web UI's routes share: the runtime of the app, who is asking, and the checks
on who may ask what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ledesk.api.errors import ApiError
from ledesk.bootstrap import Runtime
from ledesk.states import roles
from ledesk.states.tokens import Principal, resolve

SESSION_COOKIE = "ledesk_session"


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


Rt = Annotated[Runtime, Depends(runtime)]


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def principal(request: Request, rt: Rt) -> Principal:
    """The bearer token's principal, or the web session's."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else session_token(request)
    if not token:
        raise ApiError(401, "unauthorized", "a bearer token is needed (ledesk tokens create ACTOR)")
    with rt.reader.connect() as conn:
        found = resolve(conn, token)
    if found is None:
        raise ApiError(401, "unauthorized", "the token is unknown or revoked")
    return found


Who = Annotated[Principal, Depends(principal)]


def staff(who: Principal) -> str:
    """The staff actor behind a token; an authority's token is turned away."""
    if who.actor is None:
        raise ApiError(403, "forbidden", "an authority token may only submit and read its own submissions")
    return who.actor


def compliance(who: Principal) -> str:
    """A staff actor who may read and produce reports (states.roles.CASE_STAFF; on-call alone may not)."""
    actor = staff(who)
    roles.require(actor, who.roles, roles.CASE_STAFF, "reports")
    return actor
