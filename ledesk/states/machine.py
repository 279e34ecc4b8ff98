"""The transition table: the one place that says which trigger moves a case from where to where, who may
fire it and which named rules must hold. The guards, the CLI help, the API's allowed triggers, the web
buttons and the README diagram are all derived from TABLE.

One module-level Machine with no model: triggers are fired as `MACHINE.events[name].trigger(case)`,
which costs nothing per case (a Machine per row would cost tens of kilobytes each).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from ledesk.models.enums import TERMINAL_STATES, CaseState, Trigger
from ledesk.states import guards
from ledesk.states.attempt import Attempt

SYSTEM = "system"  # the pseudo-role of automatic steps (intake, timers)
NON_TERMINAL = tuple(s.value for s in CaseState if s not in TERMINAL_STATES)


@dataclass(frozen=True)
class Rule:
    trigger: Trigger
    source: tuple[str, ...]
    dest: str
    by: tuple[str, ...]           # roles that may fire it; "system" means automatic steps
    guards: tuple[str, ...]       # named rules that must hold, checked in order, each explains a refusal
    summary: str
    route: str | None = None      # a silent condition choosing between rows of the same trigger


S = CaseState
T = Trigger
# Both destinations of an approval hold to the same rules; only the notice decision routes between them.
APPROVAL = ("not_emergency", "recommended", "recommended_by_other", "not_foreign_direct", "tba83_policy_allows",
            "instrument_suffices", "legal_process_valid", "warrant_not_spent")
TABLE: tuple[Rule, ...] = (
    Rule(T.FLAG_INCOMPLETE, (S.RECEIVED,), S.INCOMPLETE, (SYSTEM, "reviewer"),
         ("not_emergency", "has_deficiency"),
         "name every missing item and send a deficiency letter; 14 days to cure"),
    Rule(T.CURE, (S.INCOMPLETE,), S.RECEIVED, (SYSTEM, "reviewer"),
         ("supplement_attached", "supplement_resolves_deficiencies"),
         "the supplement resolves every deficiency"),
    Rule(T.PRESERVE, (S.RECEIVED,), S.PRESERVED, ("reviewer",),
         ("preservation_kind", "regime_allows_preservation", "statutory_regime_in_force",
          "no_repeat_statutory_request", "preservation_attested"),
         "snapshot the targets' data and hold it until legal process arrives or the period ends"),
    Rule(T.EXTEND, (S.PRESERVED,), S.PRESERVED, ("reviewer",),
         ("extension_available", "preservation_not_ended", "court_permission_if_required"),
         "extend the preservation once (CPA 215-2: only with a court-permission document)"),
    Rule(T.REQUIRE_LEGAL_PROCESS, (S.RECEIVED,), S.AWAITING_LEGAL_PROCESS, ("reviewer",),
         ("has_reason",),
         "wait for sufficient legal process (insufficient instrument, foreign direct request, urgent "
         "request pending court permission)"),
    Rule(T.ATTACH_LEGAL_PROCESS, (S.PRESERVED, S.AWAITING_LEGAL_PROCESS), S.RECEIVED, (SYSTEM, "reviewer"),
         ("legal_process_document_attached", "legal_process_executable", "legal_process_valid_now",
          "legal_process_names_case_target"),
         "attach the legal-process document; an active hold converts; an earlier recommendation is void"),
    Rule(T.RECOMMEND_DISCLOSURE, (S.RECEIVED,), S.RECEIVED, ("reviewer",),
         ("not_emergency", "has_reason"),
         "record who recommends disclosure and why"),
    Rule(T.APPROVE_DISCLOSURE, (S.RECEIVED,), S.NOTIFY_USER, ("approver",), APPROVAL,
         "approve; the user is notified first, with the lead time", route="notice_pending"),
    Rule(T.APPROVE_DISCLOSURE, (S.RECEIVED,), S.DISCLOSED, ("approver",), APPROVAL,
         "approve; no notice is due now (suppressed, deferred or not required)", route="notice_not_pending"),
    Rule(T.SEND_BACK, (S.RECEIVED,), S.RECEIVED, ("approver",), ("recommended", "has_reason"),
         "send the recommendation back to the reviewers with the approver's reason; it is void"),
    Rule(T.DISCLOSE, (S.NOTIFY_USER,), S.DISCLOSED, (SYSTEM, "approver"),
         ("lead_time_over",),
         "produce the data once the notice lead time is over", route="process_still_valid"),
    Rule(T.DISCLOSE, (S.NOTIFY_USER,), S.AWAITING_LEGAL_PROCESS, (SYSTEM, "approver"),
         ("lead_time_over",),
         "the legal process lapsed during the lead time: nothing is produced; wait for new process",
         route="process_lapsed"),
    Rule(T.ACKNOWLEDGE, (S.RECEIVED,), S.RECEIVED, ("oncall", "reviewer", "approver"),
         ("emergency_kind", "not_acknowledged"),
         "acknowledge the emergency's page: someone has it (stops the acknowledgement escalation)"),
    Rule(T.VERIFY_CALLBACK, (S.RECEIVED,), S.RECEIVED, ("oncall",),
         ("emergency_kind", "has_reason"),
         "record the out-of-band call-back: number called, who answered, result (--failed if it failed)"),
    Rule(T.EMERGENCY_DISCLOSE, (S.RECEIVED,), S.DISCLOSED, ("approver",),
         ("emergency_kind", "emergency_stated_and_certified", "no_failed_callback", "callback_verified",
          "callback_by_other"),
         "disclose the minimum needed after a verified call-back by someone else"),
    Rule(T.REJECT, NON_TERMINAL, S.REJECTED, ("reviewer", "approver"),
         ("has_reason",),
         "decline with a reason code (a reviewer, or the approver instead of approving)"),
    Rule(T.EXPIRE, (S.INCOMPLETE, S.AWAITING_LEGAL_PROCESS, S.PRESERVED), S.EXPIRED, (SYSTEM,),
         ("deadline_passed", "no_legal_process_attached"),
         "the deadline passed with nothing attached; holds are released for purging"),
)

# The guards that read an attached document: a trigger with one of them is fired with a file (an upload
# form in the web UI, `--attach` in the CLI), never with a bare button.
DOCUMENT_GUARDS = frozenset({"supplement_attached", "legal_process_document_attached", "court_permission_if_required"})
TRIGGERS: tuple[Trigger, ...] = tuple(dict.fromkeys(rule.trigger for rule in TABLE))
TAKES_DOCUMENT: frozenset[str] = frozenset(r.trigger for r in TABLE if DOCUMENT_GUARDS & set(r.guards))
if set(TRIGGERS) != set(Trigger):  # the enum names the table's triggers, no more and no fewer
    raise RuntimeError(f"Trigger and TABLE disagree: {sorted(set(Trigger) ^ set(TRIGGERS))}")
RULES_BY_TRIGGER: dict[str, tuple[Rule, ...]] = {
    t: tuple(r for r in TABLE if r.trigger == t) for t in TRIGGERS
}


def _check(rule: Rule) -> Callable[[Any], bool]:
    def condition(event: Any) -> bool:
        ctx: Attempt = event.kwargs["ctx"]
        guards.check_role(rule, ctx)
        for name in rule.guards:
            guards.check(name, event.model, ctx)
        return rule.route is None or guards.route(rule.route, event.model, ctx)

    condition.__name__ = f"check_{rule.trigger}_{rule.dest}"
    return condition


def _build() -> Machine:
    return Machine(
        model=None,
        states=[s.value for s in CaseState],
        initial=CaseState.RECEIVED.value,
        transitions=[
            {"trigger": r.trigger, "source": [str(x) for x in r.source], "dest": str(r.dest),
             "conditions": [_check(r)]}
            for r in TABLE
        ],
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )


MACHINE = _build()


def triggers_from(state: str) -> list[str]:
    return [t for t in TRIGGERS if any(state in r.source for r in RULES_BY_TRIGGER[t])]


def markdown_table() -> str:
    """The table as the README shows it."""
    lines = ["| trigger | from | to | who | rules that must hold |", "|---|---|---|---|---|"]
    for r in TABLE:
        source = ", ".join(r.source) if len(r.source) < 5 else "any open state"
        lines.append(f"| `{r.trigger}` | {source} | {r.dest} | {', '.join(r.by)} | {', '.join(r.guards)} |")
    return "\n".join(lines) + "\n"


def mermaid(current: str | None = None) -> str:
    """The state diagram, drawn by transitions' mermaid engine from the same TABLE; `current` is the
    state shown as active (by default where every case begins)."""
    from transitions.extensions import GraphMachine

    class Diagram:  # GraphMachine draws from a model; this one exists only to be drawn
        pass

    drawn = Diagram()
    GraphMachine(
        model=drawn,
        states=[s.value for s in CaseState],
        initial=CaseState(current or CaseState.RECEIVED).value,
        transitions=[{"trigger": r.trigger, "source": [str(x) for x in r.source], "dest": str(r.dest)}
                     for r in TABLE],
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=False,
        title="LE Desk case",
    )
    source: str = drawn.get_graph().draw(None)  # type: ignore[attr-defined]
    return source.strip() + "\n"
