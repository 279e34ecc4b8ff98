"""The case record the rules work on: a plain object built from one row, so rules run without a database."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from ledesk.models.enums import CaseKind, Regime
from ledesk.models.submission import Submission
from ledesk.states.process import is_legal_process


@dataclass
class CaseRecord:
    case_id: str
    kind: str
    regime: str
    state: str
    version: int
    authority_domain: str
    country: str
    reference: str
    sender_email: str
    dedupe_key: str
    submission_json: dict[str, Any]    # as stored; `submission` is it validated, on first use
    policy_version: str
    received_at: datetime
    updated_at: datetime
    deficiencies: list[dict[str, str]] = field(default_factory=list)
    linked_to: str | None = None
    recommended_by: str | None = None
    recommendation_reason: str | None = None
    recommended_at: datetime | None = None
    approved_by: str | None = None
    callback_ok_by: str | None = None
    callback_failed: bool = False
    acknowledged_at: datetime | None = None
    legal_process_at: datetime | None = None
    extensions_used: int = 0
    reject_reason: str | None = None
    internal_note: str | None = None
    closed_at: datetime | None = None

    @classmethod
    def new(cls, submission: Submission, **fields: Any) -> CaseRecord:
        record = cls(submission_json=submission.to_json_dict(), **fields)
        record.__dict__["_submission"] = submission
        return record

    @classmethod
    def from_row(cls, row: Any) -> CaseRecord:
        mapping = row._mapping if hasattr(row, "_mapping") else row
        return cls.from_tuple([mapping[name] for name in COLUMN_NAMES])

    @classmethod
    def from_tuple(cls, values: Any) -> CaseRecord:
        """From a row selected in COLUMN_NAMES order (the sweep reads thousands at a time). The submission
        is validated when a rule first reads it: most timers a sweep fires never do."""
        return cls(*values)

    @property
    def submission(self) -> Submission:
        found: Submission | None = self.__dict__.get("_submission")
        if found is None:
            found = Submission.model_validate(self.submission_json)
            self.__dict__["_submission"] = found
        return found

    @submission.setter
    def submission(self, value: Submission) -> None:
        self.__dict__["_submission"] = value
        self.submission_json = value.to_json_dict()

    def clone(self) -> CaseRecord:
        """A shallow copy, cheaper than copy.copy for the thousands a sweep makes."""
        twin = object.__new__(CaseRecord)
        twin.__dict__.update(self.__dict__)
        return twin

    def column_values(self) -> dict[str, Any]:
        return {name: self.column_value(name) for name in COLUMN_NAMES}

    def column_value(self, name: str) -> Any:
        """A column's value (the submission as its JSON)."""
        return self.submission_json if name == "submission" else getattr(self, name)

    # -- facts the rules ask about ----------------------------------------------------------------
    @property
    def instrument(self) -> str | None:
        value = self.submission.legal_basis.instrument
        return str(value) if value else None

    @property
    def categories(self) -> list[str]:
        return [str(d.category) for d in self.submission.data_requested]

    @property
    def is_emergency(self) -> bool:
        return self.kind == CaseKind.EMERGENCY

    @property
    def is_preservation(self) -> bool:
        return self.kind == CaseKind.PRESERVATION

    @property
    def has_disclosure_instrument(self) -> bool:
        return is_legal_process(self.instrument)

    @property
    def treaty_origin(self) -> str | None:
        """The requesting state of a request that came through mutual legal assistance (MLAT), however the
        Korean process it was executed on is called: it is counted and invoiced under that state."""
        mlat = self.submission.mlat
        return mlat.origin_country.strip().upper() or None if mlat is not None else None

    @property
    def is_foreign_direct(self) -> bool:
        return self.regime == Regime.FOREIGN_DIRECT


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(CaseRecord))
# The cases table's columns in the record's field order: the same names, but the submission's column.
COLUMN_NAMES: tuple[str, ...] = tuple("submission" if n == "submission_json" else n for n in FIELD_NAMES)
