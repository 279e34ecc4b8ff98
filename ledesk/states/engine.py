"""The engine: the only code that fires triggers and so the only code that changes a case's state.

`apply` is pure (case, attempt, related facts -> the step); the store (adapters.store.record, or
`fire_on` there) writes the step inside the caller's transaction with the state, audit event, timers,
holds, notices and outbox rows, all or nothing. The service layer's unit of work owns that transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledesk.models.enums import SYSTEM_ACTOR, Trigger
from ledesk.models.submission import SubmissionError, merge_supplement
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import guards, notice
from ledesk.states.attempt import Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.effects import EFFECTS, Related
from ledesk.states.errors import BadInput, InvalidTrigger, Refused
from ledesk.states.machine import MACHINE, RULES_BY_TRIGGER, SYSTEM, TRIGGERS, triggers_from
from ledesk.states.step import Step


def apply(case: CaseRecord, attempt: Attempt, rel: Related) -> tuple[CaseRecord, Step]:
    """Fire one trigger on a copy of the case. Raises Refused (naming the rule) and changes nothing
    when the trigger may not fire."""
    trigger = attempt.trigger
    if trigger not in TRIGGERS:
        raise BadInput(f"unknown trigger {trigger!r}; triggers are: {', '.join(TRIGGERS)}")
    source = case.state
    if trigger not in triggers_from_cached(source):
        raise InvalidTrigger(trigger, source, allowed_triggers(case, attempt.policy, attempt.calendar))
    prepare(case, attempt, rel)
    after = case.clone()
    if not MACHINE.events[trigger].trigger(after, ctx=attempt):
        raise Refused(f"{trigger} found no destination from {source}")
    effects = EFFECTS[trigger](after, attempt, rel)
    if "state" in effects.changes or "version" in effects.changes:
        raise RuntimeError(f"{trigger}: effects may not set state or version; only the machine moves a case")
    if SYSTEM not in attempt.roles and after.acknowledged_at is None:
        effects.changes["acknowledged_at"] = attempt.now
    for name, value in effects.changes.items():
        setattr(after, name, value)
    return after, Step(trigger, source, after.state, attempt.actor, attempt.now, attempt.reason, effects)


def prepare(case: CaseRecord, attempt: Attempt, rel: Related) -> None:
    """What the attempt needs decided before the machine runs, so guards and effects read typed facts:
    the notice plan an approval routes on, the supplement merged into the submission, the lead time's end."""
    trigger = attempt.trigger
    if trigger in (Trigger.APPROVE_DISCLOSURE, Trigger.EMERGENCY_DISCLOSE):
        attempt.notice_plan = notice.decide(case, rel.order, attempt.now, attempt.policy, attempt.calendar)
    attempt.hold_expires_at = rel.hold_expires_at
    if trigger in (Trigger.CURE, Trigger.ATTACH_LEGAL_PROCESS, Trigger.EXTEND) and attempt.attachment is not None:
        supplement = attempt.attachment.as_json()
        if supplement is not None:
            try:
                attempt.merged = merge_supplement(case.submission, supplement)
            except SubmissionError as exc:
                attempt.merge_error = str(exc)
    if trigger == Trigger.DISCLOSE and attempt.due_at is None:
        attempt.due_at = rel.notice_due_at


_FROM: dict[str, tuple[str, ...]] = {}


def triggers_from_cached(state: str) -> tuple[str, ...]:
    """Triggers leaving a state, in table order."""
    if state not in _FROM:
        _FROM[state] = tuple(triggers_from(state))
    return _FROM[state]


def allowed_triggers(case: CaseRecord, policy: Policy, calendar: LegalCalendar,
                     roles: frozenset[str] | None = None) -> list[str]:
    """Triggers the case offers now: the state allows them and no rule about the case itself refuses.
    With `roles`, only those this person may press (the web buttons)."""
    probe = Attempt(trigger="", actor="", roles=frozenset(), now=case.updated_at, policy=policy, calendar=calendar)
    offered = []
    for trigger in triggers_from_cached(case.state):
        for rule in RULES_BY_TRIGGER[trigger]:
            if case.state not in rule.source or (SYSTEM in rule.by and len(rule.by) == 1):
                continue
            if roles is not None and not roles & set(rule.by):
                continue
            if guards.static_holds(rule, case, probe):
                offered.append(trigger)
                break
    return offered


def discloses(step: Step) -> bool:
    return step.dest == "disclosed" and step.source != "disclosed"


def system_attempt(trigger: str, now: datetime, policy: Policy, calendar: LegalCalendar, **kw: Any) -> Attempt:
    return Attempt(trigger=trigger, actor=SYSTEM_ACTOR, roles=frozenset({SYSTEM}), now=now, policy=policy,
                   calendar=calendar, **kw)
