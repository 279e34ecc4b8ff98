"""One attempt to fire a trigger: who, when, why, with what document, under which policy and calendar."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    kind: str = "document"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def as_json(self) -> dict[str, Any] | None:
        """The attachment as a partial submission, or None when it is not a JSON document."""
        if not self.filename.lower().endswith(".json"):
            return None
        try:
            value = json.loads(self.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        return value if isinstance(value, dict) else None


def _no_repeat() -> str | None:
    return None


@dataclass
class Attempt:
    trigger: str
    actor: str
    roles: frozenset[str]
    now: datetime
    policy: Policy
    calendar: LegalCalendar
    reason: str = ""
    attachment: Attachment | None = None
    failed: bool = False                       # verify_callback: the call did not confirm the request
    deficiencies: list[dict[str, str]] = field(default_factory=list)
    due_at: datetime | None = None             # the timer that fires an automatic trigger
    notice_status: str = ""                    # the notice decision the approval routes on
    # A fact only the database knows, asked lazily: the open 215-2 case that already preserved this data.
    repeat_statutory_preservation: Callable[[], str | None] = _no_repeat
    # Filled in by the guards for the effects to use (e.g. the merged supplement).
    scratch: dict[str, Any] = field(default_factory=dict)
