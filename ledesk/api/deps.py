"""What the API's and the web UI's routes share: the runtime of the app, who is asking, and the checks
on who may ask what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ledesk.api.errors import ApiError
from ledesk.bootstrap import Runtime
from ledesk.states import roles
from ledesk.states.principal import Principal

SESSION_COOKIE = "ledesk_session"
PORTAL_COOKIE = "ledesk_portal"  # an officer's session in the authority portal: never a staff session


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


Rt = Annotated[Runtime, Depends(runtime)]


def session_token(request: Request, cookie: str = SESSION_COOKIE) -> str | None:
    """The web session's secret from its cookie (never an API token)."""
    return request.cookies.get(cookie)


def session_principal(request: Request, rt: Runtime, portal: bool = False) -> Principal | None:
    """The staff member (or, in the portal, the officer) of a live web session, if the request carries one."""
    secret = session_token(request, PORTAL_COOKIE if portal else SESSION_COOKIE)
    if not secret:
        return None
    return rt.services.admin.session(secret, portal)


def principal(request: Request, rt: Rt) -> Principal:
    """The bearer token's principal, or the web session's."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        from ledesk.api.throttle import checked

        found, wait = checked(request, header[7:].strip())
        if wait:
            raise ApiError(429, "too_many_requests", f"too many failed tokens: try again in {wait} s",
                           retry_after=wait)
        if found is None:
            raise ApiError(401, "unauthorized", "the token is unknown, revoked or expired")
        return found
    if not session_token(request):
        raise ApiError(401, "unauthorized", "a bearer token is needed (ledesk tokens create ACTOR)")
    in_session = session_principal(request, rt)
    if in_session is None:
        raise ApiError(401, "unauthorized", "the session has ended: sign in again")
    return in_session


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
