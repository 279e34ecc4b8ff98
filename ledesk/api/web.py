"""The reviewers' web UI: server-rendered pages on the same app and the same domain calls as the API.

Sign-in takes a token and keeps it in an HttpOnly, SameSite=Strict cookie; every form carries a CSRF
token derived from the session, checked before anything runs. The buttons on a case page are exactly the
triggers the engine would accept from this person now (each is tried on a copy of the case), so nobody
is offered what the rules or their role would refuse."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ledesk.api.i18n import words
from ledesk.cli.runtime import Runtime
from ledesk.states.tokens import Principal, resolve

COOKIE = "ledesk_session"
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def _local(value: str | None, zone: str = "Asia/Seoul") -> str:
    """An instant as the legal team reads it: local time in the policy's zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


templates.env.filters["local"] = _local


def session_token(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def csrf_for(token: str) -> str:
    return hmac.new(token.encode(), b"ledesk-csrf", hashlib.sha256).hexdigest()


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "en"
    return lang if lang in ("en", "ko") else "en"


def pressable(rt: Runtime, case_id: str, allowed: list[str], who: Principal) -> list[str]:
    """The triggers this person could fire now: the machine's allowed ones for their roles (`allowed`,
    from `show`), each tried on a copy of the case with the person's own name (so approving one's own
    recommendation is not offered). Triggers that need a document go through the API, not a button."""
    from ledesk.states.engine import Desk, apply
    from ledesk.states.errors import Refused
    from ledesk.states.store import load_case, related

    with rt.reader.connect() as conn:
        case = load_case(conn, case_id)
        rel = related(conn, [case_id])[case_id]
    desk = Desk(rt.engine, rt.clock, rt.policy, rt.calendar)  # only to make attempts: no vault, no key read
    out = []
    for trigger in allowed:
        attempt = desk.attempt(trigger, who.actor or "", who.roles, reason="(reason given on the form)")
        try:
            apply(case, attempt, rel)
        except Refused:
            continue
        out.append(trigger)
    return out


REPORT_ROLES = frozenset({"reviewer", "approver", "admin"})  # staff who may produce reports (not on-call alone)
MEDIA = {"csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8", "png": "image/png",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def mount_web(app: FastAPI, rt: Runtime, principal: Callable[[Request], Principal]) -> None:
    def page(request: Request, name: str, **context: Any) -> Response:
        lang = _lang(request)
        response = templates.TemplateResponse(request, name, {"t": words(lang), "lang": lang,
                                                              "zone": rt.policy.timezone, **context})
        if request.query_params.get("lang") in ("en", "ko"):
            response.set_cookie("lang", lang, httponly=True, samesite="strict")
        response.headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'; " \
                                                      "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def signed_in(request: Request) -> Principal | None:
        token = session_token(request)
        if not token:
            return None
        with rt.reader.connect() as conn:
            who = resolve(conn, token)
        return who if who is not None and who.actor is not None else None

    def form_sender(request: Request, csrf: str) -> Principal | Response:
        """The signed-in person behind a posted form, or the response that turns the post away."""
        who = signed_in(request)
        if who is None:
            return RedirectResponse("/signin", status_code=303)
        if not hmac.compare_digest(csrf, csrf_for(session_token(request) or "")):
            return Response("CSRF check failed: reload the page and try again", status_code=403)
        return who

    @app.get("/signin", response_class=HTMLResponse, include_in_schema=False)
    def signin_form(request: Request) -> Response:
        return page(request, "signin.html", error=None)

    @app.post("/signin", include_in_schema=False)
    def signin(request: Request, token: str = Form(max_length=200)) -> Response:
        with rt.reader.connect() as conn:
            who = resolve(conn, token.strip())
        if who is None or who.actor is None:
            return page(request, "signin.html", error=words(_lang(request))["bad_token"])
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", max_age=12 * 3600)
        return response

    @app.post("/signout", include_in_schema=False)
    def signout(request: Request, csrf: str = Form(max_length=100)) -> Response:
        if not hmac.compare_digest(csrf, csrf_for(session_token(request) or "")):
            return Response("CSRF check failed: reload the page and try again", status_code=403)
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def queue_page(request: Request, state: str | None = None, kind: str | None = None) -> Response:
        from ledesk.states.queries import list_cases

        who = signed_in(request)
        if who is None:
            return RedirectResponse("/signin", status_code=303)
        with rt.reader.connect() as conn:
            rows = list_cases(conn, state=state or None, kind=kind or None, limit=200, open_only=not state)
        emergencies = [r for r in rows if r["kind"] == "emergency" and r["state"] == "received"]
        return page(request, "queue.html", who=who, rows=rows, emergencies=emergencies, state=state or "",
                    kind=kind or "", csrf=csrf_for(session_token(request) or ""))

    @app.get("/reports", response_class=HTMLResponse, include_in_schema=False)
    def reports_page(request: Request, error: str | None = None) -> Response:
        from ledesk.states import statutory

        who = signed_in(request)
        if who is None:
            return RedirectResponse("/signin", status_code=303)
        today = rt.calendar.local_date(rt.clock.now())
        first, last = statutory.bounds(statutory.previous(statutory.half_of(today)))
        return page(request, "reports.html", who=who, error=error, first=first, last=last,
                    half=statutory.half_of(first), csrf=csrf_for(session_token(request) or ""))

    @app.get("/reports/transparency", include_in_schema=False)
    def transparency_file(request: Request, date_from: str = Query(alias="from", max_length=20),
                          date_to: str = Query(alias="to", max_length=20),
                          fmt: str = Query(default="docx", alias="format", max_length=10)) -> Response:
        from ledesk.models.db import ledesk_home
        from ledesk.reports.produce import transparency_report
        from ledesk.states.clock import parse_day
        from ledesk.states.errors import LedeskError

        who = signed_in(request)
        if who is None:
            return RedirectResponse("/signin", status_code=303)
        if not who.roles & REPORT_ROLES:
            return Response("reports need the reviewer, approver or admin role", status_code=403)
        try:
            first, last = parse_day(date_from), parse_day(date_to)
            with rt.reader.connect() as conn:
                doc = transparency_report(conn, first, last, [fmt], rt.calendar, ledesk_home(),
                                          provider=rt.policy.provider_name)
        except LedeskError as exc:
            return RedirectResponse(f"/reports?error={quote(exc.message)}", status_code=303)
        return FileResponse(doc["path"], filename=Path(doc["path"]).name, media_type=MEDIA[fmt])

    @app.post("/reports/statutory", include_in_schema=False)
    def statutory_file(request: Request, csrf: str = Form(max_length=100), ledger: str = Form(max_length=10),
                       half: str = Form(max_length=20), fmt: str = Form(default="docx", alias="format",
                                                                        max_length=10)) -> Response:
        from ledesk.models.db import ledesk_home
        from ledesk.reports.produce import statutory_report
        from ledesk.states.errors import LedeskError

        who = form_sender(request, csrf)
        if isinstance(who, Response):
            return who
        if not who.roles & REPORT_ROLES:
            return Response("reports need the reviewer, approver or admin role", status_code=403)
        if ledger not in ("pcsa", "tba"):
            return RedirectResponse(f"/reports?error={quote('ledger is pcsa or tba')}", status_code=303)
        try:
            with rt.engine.begin() as conn:  # producing it is recorded: its reminder is then not sent
                doc = statutory_report(conn, ledger, half, fmt, rt.policy, rt.calendar, rt.clock.now(),
                                       ledesk_home(), who.actor or "")
        except LedeskError as exc:
            return RedirectResponse(f"/reports?error={quote(exc.message)}", status_code=303)
        return FileResponse(doc["path"], filename=Path(doc["path"]).name, media_type=MEDIA[fmt])

    @app.get("/stats", response_class=HTMLResponse, include_in_schema=False)
    def stats_page(request: Request) -> Response:
        from ledesk.states.stats import picture

        who = signed_in(request)
        if who is None:
            return RedirectResponse("/signin", status_code=303)
        with rt.reader.connect() as conn:
            doc = picture(conn, rt.clock.now())
        return page(request, "stats.html", who=who, doc=doc, csrf=csrf_for(session_token(request) or ""))

    @app.get("/stats/picture.png", include_in_schema=False)
    def stats_png(request: Request) -> Response:
        """The operators' picture as a chart; the Prefect UI's image artifact points here."""
        from ledesk.reports.chart import operators_picture
        from ledesk.states.stats import picture

        if principal_or_none(request) is None:
            return Response("sign in first", status_code=401)
        with rt.reader.connect() as conn:
            doc = picture(conn, rt.clock.now())
        return Response(operators_picture(doc), media_type="image/png", headers={"Cache-Control": "no-store"})

    def principal_or_none(request: Request) -> Principal | None:
        from ledesk.api.app import ApiError

        try:
            who = principal(request)  # a bearer token or the session cookie
        except ApiError:
            return None
        return who if who.actor is not None else None

    @app.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def case_page(request: Request, case_id: str, done: str | None = None, error: str | None = None) -> Response:
        from ledesk.api.app import show_case
        from ledesk.models.enums import CaseState
        from ledesk.states.machine import mermaid

        who = signed_in(request)
        if who is None:
            return RedirectResponse("/signin", status_code=303)
        doc = show_case(rt, case_id, who.roles)
        return page(request, "case.html", who=who, case=doc,
                    buttons=pressable(rt, case_id, doc["allowed_triggers"], who),
                    diagram=mermaid(doc["state"]), states=[s.value for s in CaseState], done=done, error=error,
                    csrf=csrf_for(session_token(request) or ""))

    @app.post("/cases/{case_id}/triggers/{trigger}", include_in_schema=False)
    def press(request: Request, case_id: str, trigger: str, csrf: str = Form(max_length=100),
              reason: str = Form(default="", max_length=4000), failed: bool = Form(default=False)) -> Response:
        from ledesk.states.errors import LedeskError

        who = form_sender(request, csrf)
        if isinstance(who, Response):
            return who
        where = f"/cases/{quote(case_id)}"
        try:
            rt.desk().fire(case_id, trigger, who.actor or "", reason=reason, failed=failed)
        except LedeskError as exc:
            return RedirectResponse(f"{where}?error={quote(exc.message)}", status_code=303)
        return RedirectResponse(f"{where}?done={quote(trigger)}", status_code=303)
