"""What one trigger, timer or command did to a case (a step), and the case after a run of them (an
outcome): the pure result the rules produce and the store writes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects


@dataclass
class Step:
    action: str                 # a trigger name, or "intake", "timer:<kind>", "nondisclosure", ...
    source: str | None
    dest: str | None
    actor: str
    at: datetime
    reason: str = ""
    effects: Effects = field(default_factory=Effects)


@dataclass
class Outcome:
    case: CaseRecord            # the record after every step
    expected_version: int       # the version it was read at; 0 for a case this outcome creates
    steps: list[Step] = field(default_factory=list)


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5).upper()}"

