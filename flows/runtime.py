"""The runtime a flow run works with: one engine per database for the whole process (a worker runs many
flows), and the clock of the run: `now` when the caller simulates time, else LEDESK_NOW or the real clock."""

from __future__ import annotations

import copy

from ledesk.cli.runtime import Runtime
from ledesk.models.db import database_url
from ledesk.states.clock import FixedClock, parse_instant

_shared: dict[str, Runtime] = {}


def runtime(now: str | None = None) -> Runtime:
    url = database_url()
    base = _shared.setdefault(url, Runtime(url))
    rt = copy.copy(base)  # shares the engine, policy and calendar already built
    rt._clock = FixedClock(parse_instant(now)) if now else None
    return rt
