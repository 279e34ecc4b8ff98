"""Request limits enforced as the body arrives, before any route reads it: a declared or a chunked body
over the limit is answered 413, and an API call without any credential is answered 401 before a byte of
its body is read."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from ledesk.api.bodies import MAX_JSON_BYTES, MAX_UPLOAD_BYTES
from ledesk.api.deps import SESSION_COOKIE
from ledesk.api.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
TOKEN_PATHS = ("/v1/",)
# A web form posting a file wraps it in multipart: its boundaries, part headers and the CSRF field. The
# file itself is held to MAX_UPLOAD_BYTES by read_upload, as the API holds a submission's body.
FORM_OVERHEAD = 64 * 1024


def limit_for(path: str) -> int:
    """The largest body a path takes: a submission or document upload as much as the API's submission,
    on the API, the reviewers' UI and the portal alike; any other body MAX_JSON_BYTES."""
    if path.startswith("/v1/submissions"):
        return MAX_UPLOAD_BYTES
    if path.startswith("/cases/") or path == "/portal/submit" or (
            path.startswith("/portal/") and path.endswith("/document")):
        return MAX_UPLOAD_BYTES + FORM_OVERHEAD
    return MAX_JSON_BYTES


async def _answer(send: Send, status: int, body: dict[str, Any], extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": data})


class RequestLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if path.startswith(TOKEN_PATHS) and b"authorization" not in headers and \
                SESSION_COOKIE.encode() not in headers.get(b"cookie", b""):
            await _answer(send, 401, error_body("unauthorized", "a bearer token is needed (ledesk tokens create "
                                                                "ACTOR)"), [(b"www-authenticate", b"Bearer")])
            return
        limit = limit_for(path)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _answer(send, 413, error_body("too_large", f"request body over {limit:,} bytes"))
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Count a body that declared no length (chunked); past the limit the app sees the client go away,
        and whatever it would answer is replaced by 413."""
        seen = 0
        too_large = False

        async def counting() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        answered = False

        async def guarded(message: Message) -> None:
            nonlocal answered
            if not too_large:
                await send(message)
            elif not answered:
                answered = True
                await _answer(send, 413, error_body("too_large", f"request body over {limit:,} bytes"))

        try:
            await self.app(scope, counting, guarded)
        except Exception:
            if not too_large:
                raise
            if not answered:
                await _answer(send, 413, error_body("too_large", f"request body over {limit:,} bytes"))
