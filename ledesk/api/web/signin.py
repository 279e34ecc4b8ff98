"""Signing in with a token, and out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ledesk.api.deps import Rt
from ledesk.api.i18n import words
from ledesk.api.web.session import CSRF_FAILED, csrf_ok, end_session, lang, page, start_session
from ledesk.states.tokens import resolve

router = APIRouter(include_in_schema=False)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, rt: Rt) -> Response:
    return page(request, rt, "signin.html", error=None)


def _cross_site(request: Request) -> bool:
    """A sign-in posted from another site (login CSRF): its Origin, or else its Referer, names another
    origin than this one. Browsers send Origin with every cross-origin POST."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":
        return claimed == "null"
    here = f"{request.url.scheme}://{request.url.netloc}"
    return not (claimed == here or claimed.startswith(here + "/"))


@router.post("/signin")
def signin(request: Request, rt: Rt, token: str = Form(max_length=200)) -> Response:
    if _cross_site(request):
        return Response("sign in from this site's own page", status_code=403)
    with rt.reader.connect() as conn:
        who = resolve(conn, token.strip())
    if who is None or who.actor is None:
        return page(request, rt, "signin.html", error=words(lang(request))["bad_token"])
    response = RedirectResponse("/", status_code=303)
    start_session(response, request, rt, who)
    return response


@router.post("/signout")
def signout(request: Request, rt: Rt, csrf: str = Form(max_length=100)) -> Response:
    if not csrf_ok(request, csrf):
        return Response(CSRF_FAILED, status_code=403)
    response = RedirectResponse("/signin", status_code=303)
    end_session(response, request, rt)
    return response
