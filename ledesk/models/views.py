"""The read models the entry points show: a case as `ledesk show` and `GET /v1/cases/{id}` print it, and a
row of the queue. Typed dictionaries: the CLI prints them as JSON as
they are, the web templates read their keys, the API declares them as its response models (OpenAPI)."""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict  # pydantic reads its fields on Python 3.11 (OpenAPI, response models)


class AuthorityView(TypedDict):
    domain: str
    country: str
    name: str
    type: str | None
    callback_phone: str | None  # on file (the allow-list), never the request's own number


class DocumentView(TypedDict):
    index: int
    kind: str
    filename: str
    sha256: str
    received_at: str | None


class TargetView(TypedDict):
    type: str
    value: str
    outcome: str


class HoldView(TypedDict):
    hold_id: str
    status: str
    expires_at: str | None


class OrderView(TypedDict):
    until: str | None
    indefinite: bool | None
    reference: str | None


class NoticeView(TypedDict):
    status: str
    reason: str
    due_at: str | None
    sent_at: str | None
    nondisclosure: OrderView | None


class TimerView(TypedDict):
    kind: str
    due_at: str | None
    status: str


class LetterView(TypedDict):
    kind: str
    sha256: str | None
    path: str | None
    template_version: str | None


class StepView(TypedDict):
    trigger: str
    source: str | None
    dest: str | None
    actor: str
    at: str | None
    reason: str


class CaseView(TypedDict):
    """One case: what arrived (as the authority sent it), where it stands, what is due, what went out."""

    case_id: str
    kind: str
    regime: str
    state: str
    version: int
    policy_version: str
    reference: str
    received_at: str | None
    authority: AuthorityView
    officer: dict[str, Any]
    approver: dict[str, Any] | None
    legal_basis: dict[str, Any]
    data_requested: list[dict[str, Any]]
    emergency: dict[str, Any] | None
    requested_targets: list[dict[str, Any]]
    documents: list[DocumentView]
    deficiencies: list[dict[str, Any]]
    linked_to: str | None
    recommended_by: str | None
    approved_by: str | None
    callback_ok_by: str | None
    callback_failed: bool
    reject_reason: str | None
    targets: list[TargetView]
    holds: list[HoldView]
    notice: NoticeView
    timers: list[TimerView]
    letters: list[LetterView]
    history: list[StepView]
    allowed_triggers: list[str]
    assigned_to: str | None


class CaseRow(TypedDict):
    """A case in the queue, by its nearest pending deadline."""

    case_id: str
    state: str
    kind: str
    regime: str
    authority: str
    reference: str
    received_at: str | None
    next_deadline: str | None
    assigned_to: str | None


class CaseList(TypedDict):
    cases: list[CaseRow]
