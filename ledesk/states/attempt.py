"""One attempt to fire a trigger: who, when, why, with what document, under which policy and calendar."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ledesk.models.submission import Submission
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy

if TYPE_CHECKING:
    from ledesk.states.notice import NoticePlan


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
    # A fact only the database knows, asked lazily: the open 215-2 case that already preserved this data.
    repeat_statutory_preservation: Callable[[], str | None] = _no_repeat
    # Another: the earlier case that already executed this warrant (its number) on one of this case's targets.
    warrant_executed_in: Callable[[], str | None] = _no_repeat
    # And the allow-list's type of the case's authority (not what its form says); None when not asked.
    authority_type: Callable[[], str | None] = _no_repeat
    # Decided by the engine before the machine runs (engine.prepare), for the guards and effects to read:
    notice_plan: NoticePlan | None = None      # approvals: the notice decision the destination routes on
    merged: Submission | None = None           # cure, attach_legal_process: the case's submission with the
    merge_error: str | None = None             # attached JSON supplement, or why it does not merge
    hold_expires_at: datetime | None = None    # extend: when the live hold's period ends

    @property
    def notice_status(self) -> str:
        return self.notice_plan.status if self.notice_plan is not None else ""
