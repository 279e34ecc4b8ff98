"""The words of every outbound message. Plain text for now; the letters issue renders them as .docx."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledesk.models.enums import OutboxChannel
from ledesk.policy.schema import Policy
from ledesk.states.case import CaseRecord

WAIVER = ("Accepting a document by e-mail is for convenience only and waives no right or objection of "
          "the provider.")


@dataclass(frozen=True)
class Message:
    kind: str
    channel: OutboxChannel
    to: str
    subject: str
    body: str
    letter: bool = True  # a letter to an authority or user is kept with its hash; pages are not letters
    context: dict[str, Any] = field(default_factory=dict)  # what the letter's template needs


def _officer(case: CaseRecord) -> str:
    return case.submission.officer.email or case.sender_email


def _ref(case: CaseRecord) -> str:
    return f"LE Desk case {case.case_id} (your reference {case.reference or 'none'})"


def acknowledgement(case: CaseRecord, policy: Policy) -> Message:
    return Message("acknowledgement", OutboxChannel.EMAIL, _officer(case), f"Received: {_ref(case)}",
                   f"{policy.provider_name} has received your request, {_ref(case)}.\n{WAIVER}\n")


def _items(items: list[dict[str, str]]) -> str:
    return "; ".join(f"{d['field']} ({d['message']})" for d in items)


def deficiency(case: CaseRecord, items: list[dict[str, str]], deadline: str) -> Message:
    lines = "\n".join(f"- {d['field']}: {d['message']}" for d in items)
    return Message("deficiency", OutboxChannel.EMAIL, _officer(case), f"Incomplete request: {_ref(case)}",
                   f"Your request cannot be processed until these items are supplied by {deadline}:\n"
                   f"{lines}\nIf they are not supplied in time the request lapses.\n{WAIVER}\n",
                   context={"items": _items(items), "deadline": deadline})


def cure_reminder(case: CaseRecord, deadline: str) -> Message:
    items = "\n".join(f"- {d['field']}: {d['message']}" for d in case.deficiencies)
    return Message("cure_reminder", OutboxChannel.EMAIL, _officer(case), f"Reminder, incomplete request: {_ref(case)}",
                   f"The request lapses at the end of {deadline} unless these items arrive:\n{items}\n",
                   context={"items": _items(case.deficiencies), "deadline": deadline})


def simple(kind: str, case: CaseRecord, subject: str, text: str, **context: Any) -> Message:
    return Message(kind, OutboxChannel.EMAIL, _officer(case), f"{subject}: {_ref(case)}", text + "\n", context=context)


def page(kind: str, case: CaseRecord, to: str, text: str) -> Message:
    return Message(kind, OutboxChannel.PAGE, to, f"[LE Desk] {text} ({case.case_id})",
                   f"{text}\nCase {case.case_id}, authority {case.authority_domain}.\n", letter=False)


def internal(kind: str, case: CaseRecord, policy: Policy, text: str) -> Message:
    return Message(kind, OutboxChannel.INTERNAL, policy.legal_team_address, f"[LE Desk] {text} ({case.case_id})",
                   f"{text}\nCase {case.case_id}.\n", letter=False)


def user_notices(case: CaseRecord, policy: Policy, text: str) -> list[Message]:
    """One notice per target; the address is resolved from the data source when the notice is delivered."""
    return [Message("user_notice", OutboxChannel.USER_NOTICE, f"{t.type}:{t.value}",
                    f"Notice from {policy.provider_name} about a request for your data",
                    f"{policy.provider_name} received a request from a government authority for data about "
                    f"your account. {text}\n", context={"text": text})
            for t in case.submission.targets]
