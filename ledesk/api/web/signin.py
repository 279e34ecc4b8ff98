"""Signing in with a token, and out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ledesk.api.deps import Rt
from ledesk.api.web.session import CSRF_FAILED, csrf_ok, end_session, page, token_signin

router = APIRouter(include_in_schema=False)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, rt: Rt) -> Response:
    return page(request, rt, "signin.html", error=None)


@router.post("/signin")
def signin(request: Request, rt: Rt, token: str = Form(max_length=200)) -> Response:
    return token_signin(request, rt, token, portal=False, template="signin.html")


@router.post("/signout")
def signout(request: Request, rt: Rt, csrf: str = Form(max_length=100)) -> Response:
    if not csrf_ok(request, csrf):
        return Response(CSRF_FAILED, status_code=403)
    response = RedirectResponse("/signin", status_code=303)
    end_session(response, request, rt)
    return response
