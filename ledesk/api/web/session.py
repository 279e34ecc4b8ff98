"""What every page shares: the signed-in person (from the session cookie), the CSRF token of the
session, the page language, and rendering a template with the security headers."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ledesk.api.deps import PORTAL_COOKIE, SESSION_COOKIE, Rt, session_principal, session_token
from ledesk.api.i18n import (
    forecast,
    state_words,
    timeline_reason,
    timeline_step,
    trigger_words,
    value_words,
    withheld_words,
    words,
)
from ledesk.bootstrap import Runtime
from ledesk.letters.wording import LETTERS
from ledesk.states.principal import Principal

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "frame-ancestors 'none'")
CSRF_FAILED = "CSRF check failed: reload the page and try again"


def local(value: str | None, zone: str = "Asia/Seoul") -> str:
    """An instant as the legal team reads it: local time in the policy's zone."""
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


templates.env.filters["local"] = local
# A figure that cannot be measured yet (no case decided) reads as a dash, never "None".
templates.env.filters["figure"] = lambda value: "–" if value is None else value


def csrf_for(token: str) -> str:
    return hmac.new(token.encode(), b"ledesk-csrf", hashlib.sha256).hexdigest()


def csrf_of(request: Request, cookie: str = SESSION_COOKIE) -> str:
    return csrf_for(session_token(request, cookie) or "")


def csrf_ok(request: Request, csrf: str, cookie: str = SESSION_COOKIE) -> bool:
    return hmac.compare_digest(csrf, csrf_of(request, cookie))


def lang(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get("lang") or "en"
    return chosen if chosen in ("en", "ko") else "en"


# Each letter kind as its subject line names it, per language: built once, read by every page.
LETTER_NAMES = {lang: {kind: w.subject_ko if lang == "ko" else w.subject_en for kind, w in LETTERS.items()}
                for lang in ("en", "ko")}


def said(chosen: str, zone: str) -> dict[str, Any]:
    """Codes as the legal team says them on a page in `chosen`: regimes, instruments, categories, a day, the
    notice an approval would plan (the same words as the letters, from states.phrasing)."""
    from ledesk.states import phrasing

    where = ZoneInfo(zone)

    def day(value: str | None) -> str:
        """A day, or an instant in the legal team's zone; a deadline that falls at midnight is that day."""
        if not value:
            return "-"
        when: str | datetime = value
        if len(value) > 10:
            local = datetime.fromisoformat(value).astimezone(where)
            when = local.date().isoformat() if (local.hour, local.minute) == (0, 0) else local
        return phrasing.korean_date(when, where) if chosen == "ko" else phrasing.english_date(when, where)

    def last_day(value: str | None) -> str:
        """The last day of a deadline: one that ends at midnight is the day before it (as the letters say)."""
        if not value:
            return "-"
        return day((datetime.fromisoformat(value).astimezone(where) - timedelta(microseconds=1)).date().isoformat())

    return {"lw": LETTER_NAMES.get(chosen, LETTER_NAMES["en"]),
            "regime_words": lambda code: phrasing.regime(code, chosen),
            "instrument_words": lambda code: phrasing.instrument(code, chosen) if code else "-",
            "category_words": lambda code: phrasing.category(code, chosen), "day": day,
            "last_day": last_day,
            "step_words": lambda action: timeline_step(action, chosen),
            "reason_words": lambda reason: timeline_reason(reason, chosen),
            "withheld_words": lambda reason: withheld_words(reason, chosen),
            "forecast": lambda plan: forecast(plan["status"], plan["reason"], day(plan["due_at"]), chosen)}


def page(request: Request, rt: Runtime, name: str, **context: Any) -> Response:
    chosen = lang(request)
    shared = {"t": words(chosen), "tw": trigger_words(chosen), "vw": value_words(chosen), "sw": state_words(chosen),
              "lang": chosen, "zone": rt.policy.timezone, **said(chosen, rt.policy.timezone)}
    response = templates.TemplateResponse(request, name, {**shared, **context})
    if request.query_params.get("lang") in ("en", "ko"):
        response.set_cookie("lang", chosen, httponly=True, samesite="strict")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def not_found(request: Request, rt: Runtime, portal: bool | None = None) -> Response:
    """The page for nothing there (or not yours: the portal never says which), in the page's language."""
    if portal is None:
        portal = request.url.path.startswith("/portal")
    answer = page(request, rt, "not_found.html", portal=portal,
                  who=None if portal else signed_in(request, rt), officer=signed_in(request, rt, portal=True)
                  if portal else None, csrf=csrf_of(request, PORTAL_COOKIE if portal else SESSION_COOKIE))
    answer.status_code = 404
    return answer


def signed_in(request: Request, rt: Runtime, portal: bool = False) -> Principal | None:
    """The staff member (or, in the portal, the officer) of the session cookie, if the session is live."""
    return session_principal(request, rt, portal=portal)


def to_signin(portal: bool = False, request: Request | None = None) -> Response:
    """To the sign-in page, in the language the person was reading (a `?lang=` they came with is kept), and
    back to the page they asked for once signed in (a letter's link to a request lands on that request)."""
    from urllib.parse import urlencode

    where = "/portal/signin" if portal else "/signin"
    query: dict[str, str] = {}
    if request is not None:
        asked = request.query_params.get("lang")
        if asked in ("en", "ko"):
            query["lang"] = asked
        if request.method == "GET" and back_to(request.url.path, portal) not in ("/", "/portal"):
            query["next"] = request.url.path
    return RedirectResponse(f"{where}?{urlencode(query)}" if query else where, status_code=303)


def back_to(path: str | None, portal: bool) -> str:
    """Where a sign-in returns: a page of this site's own part (the portal's, or the reviewers'), else home."""
    home = "/portal" if portal else "/"
    if not path or not path.startswith("/") or path.startswith("//") or any(c in path for c in "\\?#\r\n"):
        return home
    if portal != path.startswith("/portal") or path.rstrip("/").endswith("/signin"):
        return home
    return path


class NotSignedIn(Exception):
    """A page asked for without a live session: answered by the sign-in page (mount_web's handler)."""

    def __init__(self, portal: bool) -> None:
        super().__init__("not signed in")
        self.portal = portal


def staff_session(request: Request, rt: Rt) -> Principal:
    """The staff member of the reviewers' UI session, for a page that needs one."""
    who = signed_in(request, rt)
    if who is None:
        raise NotSignedIn(portal=False)
    return who


def officer_session(request: Request, rt: Rt) -> Principal:
    """The officer of the portal session, for a portal page that needs one."""
    who = signed_in(request, rt, portal=True)
    if who is None or who.authority is None:
        raise NotSignedIn(portal=True)
    return who


StaffSession = Annotated[Principal, Depends(staff_session)]
OfficerSession = Annotated[Principal, Depends(officer_session)]


def form_sender(request: Request, rt: Runtime, csrf: str, portal: bool = False) -> Principal | Response:
    """The signed-in person behind a posted form, or the response that turns the post away."""
    who = signed_in(request, rt, portal)
    if who is None:
        return to_signin(portal, request)
    if not csrf_ok(request, csrf, PORTAL_COOKIE if portal else SESSION_COOKIE):
        return Response(CSRF_FAILED, status_code=403)
    return who


def token_signin(request: Request, rt: Runtime, token: str, portal: bool, template: str) -> Response:
    """Sign in with a token: a staff member's for the reviewers' UI, an officer's for the portal."""
    from ledesk.api.throttle import checked

    if cross_site(request):
        return Response("sign in from this site's own page", status_code=403)
    who, wait = checked(request, token, lambda found: (found.authority if portal else found.actor) is not None)
    if wait:
        answer = page(request, rt, template, error=words(lang(request))["signin_throttled"].format(seconds=wait))
        answer.status_code = 429
        answer.headers["Retry-After"] = str(wait)
        return answer
    if who is None:
        return page(request, rt, template, error=words(lang(request))["bad_token"])
    going = back_to(request.query_params.get("next"), portal)
    response = RedirectResponse(f"{going}?lang={lang(request)}", status_code=303)
    start_session(response, request, rt, who, PORTAL_COOKIE if portal else SESSION_COOKIE)
    return response


def cross_site(request: Request) -> bool:
    """A sign-in posted from another site (login CSRF): its Origin, or else its Referer, names another
    origin than this one. Browsers send Origin with every cross-origin POST."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":
        return claimed == "null"
    here = f"{request.url.scheme}://{request.url.netloc}"
    return not (claimed == here or claimed.startswith(here + "/"))


def start_session(response: Response, request: Request, rt: Runtime, who: Principal,
                  cookie: str = SESSION_COOKIE) -> None:
    """A server-side session for `who`; the cookie carries only its secret, never the API token."""
    secret = rt.services.admin.open_session(who)
    response.set_cookie(cookie, secret, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=rt.policy.web.session_max_hours * 3600)


def end_session(response: Response, request: Request, rt: Runtime, cookie: str = SESSION_COOKIE) -> None:
    """Sign-out revokes the session on the server, so a copied cookie no longer works."""
    secret = session_token(request, cookie)
    if secret:
        rt.services.admin.close_session(secret)
    response.delete_cookie(cookie)
