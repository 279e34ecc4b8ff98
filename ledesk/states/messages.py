"""The words of every outbound message. Plain text for now; the letters issue renders them as .docx."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledesk.models.enums import OutboxChannel, RejectReason
from ledesk.policy.schema import Policy
from ledesk.states.case import CaseRecord
from ledesk.states.korean import particle
from ledesk.states.phrasing import english_date, korean_date

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


# Why a request is declined, as the rejection letter says it to the authority (never the reviewer's own words).
REJECT_REASONS: dict[RejectReason, tuple[str, str]] = {
    RejectReason.INSUFFICIENT_INSTRUMENT: (
        "the legal instrument does not authorise the disclosure asked for",
        "제출하신 법적 근거로는 요청하신 자료를 제공할 수 없습니다"),
    RejectReason.NOT_AN_AUTHORITY: (
        "the request does not come from an authority entitled to ask for this data",
        "이 자료를 요청할 권한이 있는 기관의 요청이 아닙니다"),
    RejectReason.FOREIGN_DIRECT: (
        "a foreign authority's request must reach us through mutual legal assistance",
        "외국 수사기관의 요청은 국제형사사법공조 절차를 거쳐야 합니다"),
    RejectReason.VAGUE_OR_OVERBROAD: (
        "the request is too vague or too broad to identify the data it asks for",
        "요청 대상 자료를 특정할 수 없을 만큼 요청이 모호하거나 범위가 지나치게 넓습니다"),
    RejectReason.NOT_HELD: ("we do not hold the data asked for", "요청하신 자료를 당사가 보유하고 있지 않습니다"),
    RejectReason.EXPERT_TESTIMONY: (
        "we do not provide expert testimony", "당사는 전문가 증언을 제공하지 않습니다"),
    RejectReason.VERIFICATION_FAILED: (
        "we could not verify that the request comes from the authority it names",
        "요청이 명시된 기관에서 발송된 것인지 확인할 수 없었습니다"),
    RejectReason.DUPLICATE: ("the request repeats one already answered", "이미 회신한 요청과 중복됩니다"),
    RejectReason.LAPSED: ("what was needed did not arrive in time", "필요한 자료가 기한 내에 도착하지 않았습니다"),
    RejectReason.OTHER: ("the request cannot be answered as made", "요청하신 내용으로는 회신할 수 없습니다"),
}


def reject_reason(code: str, lang: str = "en") -> str:
    """The reason a rejection letter gives, in words; the code is the statistic, never the wording."""
    en, ko = REJECT_REASONS[next((r for r in RejectReason if r.value == code), RejectReason.OTHER)]
    return ko if lang == "ko" else en


def _items(items: list[dict[str, str]], lang: str = "en") -> str:
    """What is missing, in words (never the submission's JSON paths): English, or Korean where the rule
    gave the Korean words (deficiencies recorded before it did are said in English)."""
    key = "message_ko" if lang == "ko" else "message"
    return "; ".join(d.get(key) or d["message"] for d in items)


def deficiency(case: CaseRecord, items: list[dict[str, str]], deadline: str) -> Message:
    lines = "\n".join(f"- {d['message']}" for d in items)
    return Message("deficiency", OutboxChannel.EMAIL, _officer(case), f"Incomplete request: {_ref(case)}",
                   f"Your request cannot be processed until these items are supplied by {english_date(deadline)}:\n"
                   f"{lines}\nIf they are not supplied in time the request lapses.\n{WAIVER}\n",
                   context={"items": _items(items), "items_ko": _items(items, "ko"), "deadline": deadline})


def cure_reminder(case: CaseRecord, deadline: str) -> Message:
    items = "\n".join(f"- {d['message']}" for d in case.deficiencies)
    return Message("cure_reminder", OutboxChannel.EMAIL, _officer(case), f"Reminder, incomplete request: {_ref(case)}",
                   f"The request lapses at the end of {english_date(deadline)} unless these items arrive:\n{items}\n",
                   context={"items": _items(case.deficiencies), "items_ko": _items(case.deficiencies, "ko"),
                            "deadline": deadline})


def simple(kind: str, case: CaseRecord, subject: str, text: str, **context: Any) -> Message:
    return Message(kind, OutboxChannel.EMAIL, _officer(case), f"{subject}: {_ref(case)}", text + "\n", context=context)


def page(kind: str, case: CaseRecord, to: str, text: str) -> Message:
    return Message(kind, OutboxChannel.PAGE, to, f"[LE Desk] {text} ({case.case_id})",
                   f"{text}\nCase {case.case_id}, authority {case.authority_domain}.\n", letter=False)


def internal(kind: str, case: CaseRecord, policy: Policy, text: str) -> Message:
    return Message(kind, OutboxChannel.INTERNAL, policy.legal_team_address, f"[LE Desk] {text} ({case.case_id})",
                   f"{text}\nCase {case.case_id}.\n", letter=False)


def user_notices(case: CaseRecord, policy: Policy, provide_on: date | None = None,
                 delayed: bool = False) -> list[Message]:
    """One notice per target, to the account holder; the address is resolved from the data source when the
    notice is delivered. It says the same in English and Korean: the day from which the data may be
    provided (the lead time's end, never a day before), or that an order delayed it. Nothing of the
    authority's request is in it: no officer, no unit, no reference."""
    provider = policy.provider_name
    en = [f"{provider} received a request from a government authority for data about your account."]
    ko = [f"{particle(provider, '은/는')} 수사기관으로부터 귀하의 계정 정보에 대한 요청을 받았습니다."]
    if provide_on is not None:
        en.append(f"Unless a court stops it, the data will be provided on or after {english_date(provide_on)} "
                  "(Asia/Seoul), not before.")
        ko.append(f"법원이 이를 막지 않는 한, 자료는 {korean_date(provide_on)}(한국 시간) 이후에 제공되며 "
                  "그 전에는 제공되지 않습니다.")
    if delayed:
        en.append("A non-disclosure order delayed this notice.")
        ko.append("비공개 명령으로 이 안내가 늦게 발송되었습니다.")
    body = " ".join(en) + "\n\n" + " ".join(ko) + "\n"
    context = {"provide_on": provide_on.isoformat() if provide_on else "", "delayed": delayed}
    return [Message("user_notice", OutboxChannel.USER_NOTICE, f"{t.type}:{t.value}",
                    f"Notice from {provider} about a request for your data / 귀하의 정보에 대한 요청 안내", body,
                    context={**context, "account": t.value})
            for t in case.submission.targets]
