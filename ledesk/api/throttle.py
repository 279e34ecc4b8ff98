"""Failed sign-ins and bearer tokens, counted per client address and per token id over the last minute:
past `[web] failed_auth_per_minute` the API answers 429 (and the sign-in page says to wait), so a token's
secret cannot be guessed one request at a time, nor a leaked token id tried with many secrets.

The count lives in the process (each API process counts its own clients); behind a reverse proxy the
address is the one uvicorn is told to trust (--proxy-headers, --forwarded-allow-ips)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import Request

from ledesk.services.admin import token_id_of
from ledesk.states.principal import Principal

WINDOW_SECONDS = 60.0
MOST_KEYS = 50_000  # the oldest addresses are forgotten first: the table cannot grow without bound


class FailedAuth:
    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self._clock = limit, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._failures.get(key)
        if seen is None:
            return deque()
        while seen and seen[0] <= now - WINDOW_SECONDS:
            seen.popleft()
        return seen

    def wait_seconds(self, keys: list[str]) -> int:
        """0 when these keys may try again now; otherwise how long until the oldest failure ages out."""
        now = self._clock()
        with self._lock:
            waits = [seen[0] + WINDOW_SECONDS - now for key in keys
                     if len(seen := self._recent(key, now)) >= self.limit]
        return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, keys: list[str]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                seen = self._recent(key, now)
                seen.append(now)
                self._failures[key] = seen
                self._failures.move_to_end(key)
            while len(self._failures) > MOST_KEYS:
                self._failures.popitem(last=False)


def keys_of(request: Request, token: str) -> list[str]:
    """Who is trying: the client's address, and the token id the presented token names (if any)."""
    address = request.client.host if request.client else "unknown"
    token_id = token_id_of(token.strip())
    return [f"address:{address}"] + ([f"token:{token_id}"] if token_id else [])


def failed_auth(request: Request) -> FailedAuth:
    """The app's counter, made on first use with the policy's limit."""
    state = request.app.state
    if getattr(state, "failed_auth", None) is None:
        state.failed_auth = FailedAuth(state.rt.policy.web.failed_auth_per_minute)
    counter: FailedAuth = state.failed_auth
    return counter


def checked(request: Request, token: str, accept: Callable[[Principal], bool] = lambda who: True) -> \
        tuple[Principal | None, int]:
    """The one way a presented token is tried, on the API and at sign-in: (None, seconds to wait) while
    its address or id is throttled, before the token is looked at; else (the principal, 0), or (None, 0)
    with the failure counted when the token is unknown or not one `accept` takes."""
    counter, keys = failed_auth(request), keys_of(request, token)
    wait = counter.wait_seconds(keys)
    if wait:
        return None, wait
    who = request.app.state.rt.services.admin.bearer(token.strip())
    if who is None or not accept(who):
        counter.failed(keys)
        return None, 0
    return who, 0
