"""The shape of a policy file, validated on load so a typo cannot silently change a legal deadline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PreservationRule(_Strict):
    in_force_from: date | None = None   # a statutory regime applies to requests from this Seoul day on
    days: int = Field(gt=0)
    extension_days: int = Field(ge=0)
    max_extensions: int = Field(ge=0)
    extension_needs_court_permission: bool
    repeat_request_allowed: bool


class CureRule(_Strict):
    days: int = Field(gt=0)
    reminder_days_before: int = Field(ge=0)

    @model_validator(mode="after")
    def _reminder_inside_window(self) -> CureRule:
        if self.reminder_days_before >= self.days:
            raise ValueError("cure.reminder_days_before must be shorter than cure.days")
        return self


class NoticeRule(_Strict):
    lead_time_days: int = Field(ge=0)
    cap_at_legal_process_validity: bool
    suppressed_regimes: list[str]
    emergency_deferral_days: int = Field(gt=0)
    unsupported_deferral_days: int = Field(gt=0)
    us_delayed_notice_max_days: int = Field(gt=0)
    us_nondisclosure_max_days: int = Field(gt=0)


class EmergencyRule(_Strict):
    acknowledge_minutes: int = Field(gt=0)
    triage_minutes: int = Field(gt=0)
    decision_hours: int = Field(gt=0)
    followup_business_days: int = Field(gt=0)


class ExpiryWarningRule(_Strict):
    days_before: int = Field(ge=0)


class LegalProcessWaitRule(_Strict):
    days: int = Field(gt=0)


class LegalProcessRule(_Strict):
    default_validity_days: int = Field(gt=0)
    court_issued: list[str] = Field(min_length=1)


class WebRule(_Strict):
    session_idle_minutes: int = Field(gt=0)
    session_max_hours: int = Field(gt=0)
    # Prefect's own database, on the server `ledesk serve` starts: finished flow runs (and their logs,
    # task runs and artifacts) older than this are vacuumed. LE Desk's audit log is its record, not Prefect's.
    prefect_flow_run_retention_days: int = Field(default=90, gt=0)
    # An API token lives this long from issue or renewal: an officer's a short time (officers change
    # posts, and a token left in a police mailbox is the usual way a stolen one is used), staff longer.
    officer_token_days: int = Field(default=30, gt=0)
    staff_token_days: int = Field(default=365, gt=0)
    # Failed sign-ins and bearer tokens allowed per client address (and per token id) in a minute before
    # the API answers 429: a token's secret is not to be guessed one request at a time.
    failed_auth_per_minute: int = Field(default=10, gt=0)


class ProductionRule(_Strict):
    retention_days: int = Field(gt=0)
    download_days: int = Field(default=30, gt=0)  # the portal's download window (production_download_days)

    def download_closes(self, sealed_at: datetime) -> datetime:
        """When the authority can no longer download a production sealed at `sealed_at`."""
        return sealed_at + timedelta(days=self.download_days)


class Tba83Rule(_Strict):
    comply: bool
    approver_ranks: list[str]
    # TBA art. 83(3): who may ask at all. Authorities by their allow-listed type, and by domain those the
    # allow-list cannot type apart (the National Tax Service, the intelligence agency).
    requester_types: list[str] = ["court", "prosecution", "police"]
    requester_domains: list[str] = ["nts.go.kr", "nis.go.kr"]


class CommunicationConfirmationRule(_Strict):
    """PCSA art. 2(11): communication-confirmation data (IP and access logs, call records). Only Korean
    prosecutors or police obtain it (arts. 3(1), 13), with a district court's permission, which in an
    emergency must follow the request (art. 13(3) proviso)."""
    categories: list[str] = ["access_logs", "ip_logs", "traffic_data"]
    recipient_country: str = "KR"
    recipient_types: list[str] = ["police", "prosecution"]
    # The instruments that cover it as an emergency's follow-up: the court's permission, or a warrant.
    followup_instruments: list[str] = ["court_permission", "search_warrant"]


class LedgerRule(_Strict):
    pcsa_retention_years: int = Field(gt=0)
    tba_retention_years: int = Field(gt=0)
    half_year_report_due_days: int = Field(gt=0)
    reminder_days_before: int = Field(gt=0)
    pcsa_regimes: list[str] = Field(min_length=1)
    tba_regimes: list[str] = Field(min_length=1)


class FeeRule(_Strict):
    """What responding costs and what may be invoiced (costs of responding may be invoiced)."""

    currency: str = Field(min_length=3, max_length=3)
    reviewer_hourly_rate: int = Field(ge=0)
    per_gigabyte: int = Field(ge=0)
    minimum_fee: int = Field(ge=0)
    default_minutes: int = Field(ge=0)
    minutes: dict[str, int] = {}      # standard reviewer minutes per action, when none were recorded
    invoice_instruments: list[str] = Field(min_length=1)


class LogRetentionRule(_Strict):
    internet_logs_months: int = Field(gt=0)
    ip_access_months: int = Field(gt=0)
    call_detail_months: int = Field(gt=0)

    def by_category(self) -> dict[str, int]:
        """Months kept per data category (PCSA Decree 41(2)); a category not named is not a log and has
        no retention limit here (subscriber data, content)."""
        return {"access_logs": self.internet_logs_months, "ip_logs": self.ip_access_months,
                "traffic_data": self.call_detail_months}


class Policy(_Strict):
    version: str = Field(min_length=1)
    timezone: str
    holiday_country: str = Field(min_length=2, max_length=2)
    extra_holidays: list[date] = []
    authserv_id: str
    provider_name: str
    # The letterhead of every letter: the provider's postal address and the legal team's contact.
    provider_address: str = ""
    provider_contact: str = ""
    # The line under the signature that stands for the team's seal (직인): who the letter binds.
    seal_line: str = ""
    # Where authorities reach the portal, as a letter gives it: "https://lawenforcement.provider.example".
    portal_url: str = Field(default="https://ledesk.provider.example", pattern=r"^https?://[^\s/]+(/\S*)?$")

    def letterhead(self) -> dict[str, str]:
        return {"address": self.provider_address, "contact": self.provider_contact, "seal": self.seal_line}
    legal_team_address: str
    oncall_address: str
    escalation_addresses: list[str] = Field(min_length=1)
    abuse_team_address: str
    compliance_lead_address: str
    preservation: dict[str, PreservationRule]
    cure: CureRule
    notice: NoticeRule
    emergency: EmergencyRule
    expiry_warning: ExpiryWarningRule
    legal_process_wait: LegalProcessWaitRule
    legal_process: LegalProcessRule
    production: ProductionRule
    web: WebRule
    tba83: Tba83Rule
    instruments: dict[str, list[str]]
    ledgers: LedgerRule
    fees: FeeRule
    log_retention: LogRetentionRule
    communication_confirmation: CommunicationConfirmationRule = CommunicationConfirmationRule()

    @model_validator(mode="after")
    def _known_names(self) -> Policy:
        from ledesk.models.enums import DataCategory, Instrument, Regime

        regimes = {r.value for r in Regime}
        for name in [*self.preservation, *self.notice.suppressed_regimes, *self.ledgers.pcsa_regimes,
                     *self.ledgers.tba_regimes]:
            if name not in regimes:
                raise ValueError(f"unknown regime {name!r} in policy")
        for instrument, categories in self.instruments.items():
            if instrument not in {i.value for i in Instrument}:
                raise ValueError(f"unknown instrument {instrument!r} in policy.instruments")
            for category in categories:
                if category not in {c.value for c in DataCategory}:
                    raise ValueError(f"unknown data category {category!r} for {instrument}")
        for instrument in self.fees.invoice_instruments:
            if instrument not in {i.value for i in Instrument}:
                raise ValueError(f"unknown instrument {instrument!r} in policy.fees.invoice_instruments")
        cc = self.communication_confirmation
        for category in cc.categories:
            if category not in {c.value for c in DataCategory}:
                raise ValueError(f"unknown data category {category!r} in policy.communication_confirmation")
        for instrument in cc.followup_instruments:
            if instrument not in {i.value for i in Instrument}:
                raise ValueError(f"unknown instrument {instrument!r} in policy.communication_confirmation")
        missing = {i.value for i in Instrument} - set(self.instruments)
        if missing:
            raise ValueError(f"policy.instruments lacks {sorted(missing)}")
        return self

    def preservation_rule(self, regime: str) -> PreservationRule:
        try:
            return self.preservation[regime]
        except KeyError:
            raise KeyError(f"policy has no preservation rule for regime {regime}") from None
