"""The legal team's vocabulary, as string enums stored as plain strings."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    RECEIVED = "received"
    INCOMPLETE = "incomplete"
    AWAITING_LEGAL_PROCESS = "awaiting_legal_process"
    PRESERVED = "preserved"
    NOTIFY_USER = "notify_user"
    DISCLOSED = "disclosed"
    EXPIRED = "expired"
    REJECTED = "rejected"


TERMINAL_STATES = frozenset({CaseState.DISCLOSED, CaseState.EXPIRED, CaseState.REJECTED})


class Trigger(StrEnum):
    """The transition table's triggers (states.machine.TABLE has a row, or two, for each)."""

    FLAG_INCOMPLETE = "flag_incomplete"
    CURE = "cure"
    PRESERVE = "preserve"
    EXTEND = "extend"
    REQUIRE_LEGAL_PROCESS = "require_legal_process"
    ATTACH_LEGAL_PROCESS = "attach_legal_process"
    RECOMMEND_DISCLOSURE = "recommend_disclosure"
    APPROVE_DISCLOSURE = "approve_disclosure"
    SEND_BACK = "send_back"
    DISCLOSE = "disclose"
    ACKNOWLEDGE = "acknowledge"
    VERIFY_CALLBACK = "verify_callback"
    EMERGENCY_DISCLOSE = "emergency_disclose"
    REJECT = "reject"
    EXPIRE = "expire"


class Channel(StrEnum):
    """How a submission arrived."""

    PORTAL = "portal"   # the API, or a JSON file given to `ledesk intake`
    FORM = "form"       # a filled .docx form
    EMAIL = "email"     # an e-mail to the official address


class OutboxChannel(StrEnum):
    """Where an outbound message goes."""

    EMAIL = "email"              # a letter to an authority
    USER_NOTICE = "user_notice"  # the notice to the user
    PAGE = "page"                # on-call
    INTERNAL = "internal"        # the legal team
    REFERRAL = "referral"        # the abuse team, held while the user must not learn of the request


class CaseKind(StrEnum):
    PRESERVATION = "preservation"
    EMERGENCY = "emergency"
    LEGAL_PROCESS = "legal_process"


class Regime(StrEnum):
    KR_WARRANT = "KR_WARRANT"
    KR_PCSA13 = "KR_PCSA13"
    KR_TBA83 = "KR_TBA83"
    KR_CPA215_2 = "KR_CPA215_2"
    KR_OTHER = "KR_OTHER"
    POLICY_PRESERVATION = "POLICY_PRESERVATION"
    FOREIGN_DIRECT = "FOREIGN_DIRECT"
    MLAT_VIA_MOJ = "MLAT_VIA_MOJ"
    EMERGENCY = "EMERGENCY"


class Instrument(StrEnum):
    SEARCH_WARRANT = "search_warrant"
    COURT_PERMISSION = "court_permission"
    SUBPOENA = "subpoena"
    STATUTORY_REQUEST = "statutory_request"
    PRESERVATION_REQUEST = "preservation_request"
    EMERGENCY = "emergency"
    MLAT = "mlat"


class DataCategory(StrEnum):
    SUBSCRIBER_INFO = "subscriber_info"
    ACCESS_LOGS = "access_logs"
    IP_LOGS = "ip_logs"
    TRAFFIC_DATA = "traffic_data"
    CONTENT = "content"
    OTHER = "other"


class TargetType(StrEnum):
    ACCOUNT_ID = "account_id"
    EMAIL = "email"
    USERNAME = "username"
    IP = "ip"
    URL = "url"
    PHONE = "phone"


class AuthorityType(StrEnum):
    POLICE = "police"
    PROSECUTION = "prosecution"
    COURT = "court"
    REGULATOR = "regulator"
    OTHER = "other"


class Role(StrEnum):
    REVIEWER = "reviewer"
    APPROVER = "approver"
    ONCALL = "oncall"
    ADMIN = "admin"


SYSTEM_ACTOR = "system"  # the actor of automatic steps; no person can sign in or act as it


class TargetOutcome(StrEnum):
    PENDING = "pending"
    PRODUCE = "produce"
    NO_DATA = "no_data"
    OUT_OF_RETENTION = "out_of_retention"
    NOT_HELD = "not_held"
    CUSTOMER_CONTROLLED = "customer_controlled"  # kept for cases decided before "redirected" existed
    REDIRECTED = "redirected"  # an enterprise customer's own data: never produced, the customer is named
    REJECTED = "rejected"


class HoldStatus(StrEnum):
    ACTIVE = "active"
    EXTENDED = "extended"
    CONVERTED = "converted"
    RELEASED = "released"
    PURGED = "purged"


class NoticeStatus(StrEnum):
    UNDECIDED = "undecided"
    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    DEFERRED = "deferred"
    SUPPRESSED = "suppressed"
    SENT = "sent"


class NoticeReason(StrEnum):
    NONE = ""
    STATUTORY_SECRECY = "statutory_secrecy"
    NONDISCLOSURE_ORDER = "nondisclosure_order"
    UNSUPPORTED_NONDISCLOSURE = "nondisclosure_requested_without_order"
    EMERGENCY = "emergency"
    AGENCY_NOTIFIES = "agency_notifies_by_law"
    PRESERVATION_ONLY = "preservation_only"
    LEAD_TIME = "lead_time"


class TimerKind(StrEnum):
    RESPONSE_DUE = "response_due"
    CURE_REMINDER = "cure_reminder"
    CURE_DEADLINE = "cure_deadline"
    PRESERVATION_EXPIRY = "preservation_expiry"
    EXPIRY_WARNING = "expiry_warning"
    LEGAL_PROCESS_DEADLINE = "legal_process_deadline"
    NOTICE_LEAD_TIME = "notice_lead_time"
    DELAYED_NOTICE = "delayed_notice"
    NOTICE_REVIEW = "notice_review"
    EMERGENCY_ACKNOWLEDGE = "emergency_acknowledge"
    EMERGENCY_TRIAGE = "emergency_triage"
    EMERGENCY_DECISION = "emergency_decision"
    EMERGENCY_FOLLOWUP = "emergency_followup"


class TimerStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"  # its handler raised: shown to operators, never retried silently


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher; if it died, the Message-ID tells whether it went out
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RejectReason(StrEnum):
    INSUFFICIENT_INSTRUMENT = "insufficient_instrument"
    NOT_AN_AUTHORITY = "not_an_authority"
    FOREIGN_DIRECT = "foreign_direct_request"
    VAGUE_OR_OVERBROAD = "vague_or_overbroad"
    NOT_HELD = "data_not_held"
    EXPERT_TESTIMONY = "expert_testimony_not_provided"
    VERIFICATION_FAILED = "verification_failed"
    DUPLICATE = "duplicate"
    LAPSED = "lapsed"
    OTHER = "other"


COMMUNICATION_CONFIRMATION = frozenset(
    {DataCategory.ACCESS_LOGS, DataCategory.IP_LOGS, DataCategory.TRAFFIC_DATA}
)
