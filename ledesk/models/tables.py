"""The tables LE Desk keeps. SQLAlchemy Core on purpose: the sweep writes thousands of transitions a
second as batched statements, and the engine is the only code that turns rows into case records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC instants on every backend (SQLite has no time zones of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: LE Desk stores aware UTC instants only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant: datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)


def _now_column(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, UTCDateTime(), nullable=nullable)


actors = Table(
    "actors", metadata,
    Column("name", String(100), primary_key=True),
    _now_column("created_at"),
    # How a letter this person signs names them: "Park Ji-won", "Senior Counsel / 선임 변호사".
    Column("full_name", String(200), nullable=True),
    Column("title", String(200), nullable=True),
)

actor_roles = Table(
    "actor_roles", metadata,
    Column("actor", String(100), ForeignKey("actors.name"), primary_key=True),
    Column("role", String(20), primary_key=True),
)

authorities = Table(
    "authorities", metadata,
    Column("domain", String(253), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("type", String(20), nullable=False),
    _now_column("created_at"),
    # Taken off the allow-list (`ledesk authorities remove`): its mail and tokens are refused from then on;
    # the row stays because its cases name it.
    Column("removed_at", UTCDateTime(), nullable=True),
    # The number an emergency is verified on: the authority's switchboard as the legal team found it
    # (never the number a request gives, which a forger controls).
    Column("callback_phone", String(60), nullable=True),
)

cases = Table(
    "cases", metadata,
    Column("case_id", String(32), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("regime", String(30), nullable=False),
    Column("state", String(30), nullable=False),
    # Optimistic lock: every write says which version it read, so two writers never both succeed.
    Column("version", Integer, nullable=False, default=1),
    Column("authority_domain", String(253), ForeignKey("authorities.domain"), nullable=False),
    # The allow-list's country at intake, never the sender's claim: it decides foreign vs domestic.
    Column("country", String(2), nullable=False),
    Column("reference", String(200), nullable=False, default=""),
    Column("sender_email", String(320), nullable=False),
    Column("dedupe_key", String(64), nullable=False),
    Column("submission", JSON, nullable=False),
    Column("deficiencies", JSON, nullable=False, default=list),
    Column("policy_version", String(50), nullable=False),
    _now_column("received_at"),
    Column("linked_to", String(32), nullable=True),
    Column("recommended_by", String(100), nullable=True),
    Column("recommendation_reason", Text, nullable=True),
    _now_column("recommended_at", nullable=True),
    Column("approved_by", String(100), nullable=True),
    Column("callback_ok_by", String(100), nullable=True),
    Column("callback_failed", Boolean, nullable=False, default=False),
    _now_column("acknowledged_at", nullable=True),
    _now_column("legal_process_at", nullable=True),
    Column("extensions_used", Integer, nullable=False, default=0),
    Column("reject_reason", String(50), nullable=True),
    # Internal notes never reach the authority; requester-facing text lives in letters.
    Column("internal_note", Text, nullable=True),
    _now_column("closed_at", nullable=True),
    _now_column("updated_at"),
    Index("ix_cases_state", "state"),
    Index("ix_cases_dedupe", "authority_domain", "dedupe_key"),
    Index("ix_cases_reference", "authority_domain", "reference"),  # an e-mail naming the authority's reference
)

targets = Table(
    "targets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("type", String(20), nullable=False),
    Column("value", String(500), nullable=False),
    Column("raw_value", String(500), nullable=False),
    Column("outcome", String(30), nullable=False),
    Index("ix_targets_value", "type", "value"),
)

holds = Table(
    "holds", metadata,
    Column("hold_id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("categories", JSON, nullable=False),
    _now_column("created_at"),
    _now_column("expires_at", nullable=True),
    _now_column("released_at", nullable=True),
    _now_column("purged_at", nullable=True),
)

notices = Table(
    "notices", metadata,
    Column("case_id", String(32), ForeignKey("cases.case_id"), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("reason", String(40), nullable=False, default=""),
    _now_column("due_at", nullable=True),
    _now_column("sent_at", nullable=True),
    Column("nondisclosure_until", String(10), nullable=True),
    Column("nondisclosure_indefinite", Boolean, nullable=False, default=False),
    Column("nondisclosure_reference", String(200), nullable=True),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    _now_column("created_at"),
)

letters = Table(
    "letters", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("path", String(500), nullable=True),
    _now_column("created_at"),
    # What the letter's template needs beyond the case; the .docx is rendered later, out of the transition.
    Column("context", JSON, nullable=True),
    Column("docx_sha256", String(64), nullable=True),
    Column("template_version", String(40), nullable=True),
    _now_column("rendered_at", nullable=True),
)

timers = Table(
    "timers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("data", JSON, nullable=True),
    _now_column("created_at"),
    _now_column("fired_at", nullable=True),
    Column("result", String(200), nullable=True),
    # The sweep asks "pending and due": this index makes the cost follow the due rows, not the open cases.
    Index("ix_timers_due", "status", "due_at"),
    Index("ix_timers_case", "case_id", "status"),
)

callbacks = Table(
    "callbacks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("details", Text, nullable=False),
    _now_column("at"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=True, index=True),
    Column("kind", String(40), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("to", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("letter_sha256", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    _now_column("created_at"),
    _now_column("sent_at", nullable=True),
    # Delivery: the Message-ID is the idempotency key a restarted dispatcher checks before sending again.
    Column("message_id", String(200), nullable=True, unique=True),
    _now_column("claimed_at", nullable=True),
    _now_column("next_attempt_at", nullable=True),
    Column("last_error", String(500), nullable=True),
    Index("ix_outbox_status", "status", "id"),
)

# The vault: each sealed set (a hold's snapshot, or a case's production) encrypted under a key of its own,
# that key wrapped by the master key. Purging deletes the key (crypto-shredding) and the blobs, and
# leaves a destruction record. `hold_id` names the set: a hold id (H-...) or a production id (P-...).
vault_keys = Table(
    "vault_keys", metadata,
    Column("hold_id", String(32), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    _now_column("created_at"),
)

vault_blobs = Table(
    "vault_blobs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hold_id", String(32), nullable=False, index=True),
    Column("part", Integer, nullable=False),       # position in the snapshot; no identifier in clear
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
)

productions = Table(
    "productions", metadata,
    Column("production_id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False, unique=True),
    Column("source", String(20), nullable=False),   # hold or datasource
    _now_column("created_at"),
    Column("categories", JSON, nullable=True),      # what the instrument permitted and was produced
    Column("size_bytes", Integer, nullable=True),   # data volume produced, for cost recovery
    Column("scope", JSON, nullable=True),           # per target: what was produced, what withheld and why
    _now_column("destroy_on", nullable=True),       # the end of the policy's production retention
    _now_column("destroyed_at", nullable=True),     # crypto-shredded then (PIPA art. 21)
    # The manifest as signed when the production was sealed (per file: name, size, SHA-256; per target:
    # produced, withheld and why), its Ed25519 signature and the production key's fingerprint. Kept after
    # the production is destroyed: the record of what was handed over.
    Column("manifest", Text, nullable=True),
    Column("manifest_sig", LargeBinary, nullable=True),
    Column("key_fingerprint", String(64), nullable=True),
    _now_column("received_at", nullable=True),      # the authority confirmed it received the package
)

destructions = Table(
    "destructions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hold_id", String(32), ForeignKey("holds.hold_id"), nullable=False, unique=True),
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False),
    _now_column("purged_at"),
    Column("blobs", Integer, nullable=False),
    Column("ciphertext_sha256", String(64), nullable=False),  # what was destroyed, without what it said
)

# The audit log is append-only and hash-chained: seq is contiguous, and each hash covers the previous.
events = Table(
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("case_id", String(32), nullable=True, index=True),
    Column("action", String(60), nullable=False),
    Column("source", String(30), nullable=True),
    Column("dest", String(30), nullable=True),
    Column("actor", String(100), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("data", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    # The Merkle tree's right edge over the chain (vault.merkle.Frontier): checkpoints sign its root.
    Column("frontier", JSON, nullable=True),
)

not_reviewed = Table(
    "not_reviewed", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _now_column("at"),
    Column("sender", String(320), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("channel", String(20), nullable=False, server_default="portal"),
    Column("headers", JSON, nullable=True),
    Column("attachments", JSON, nullable=True),  # [{"name", "sha256", "size"}]: kept, never opened
    UniqueConstraint("sha256", "at"),
)

# How far each reader of the audit log has got: the Prefect publisher records the last event it
# handed to Prefect, so every transition reaches the UI once even when several workers publish.
# The official mailbox (intake.mailbox): every message taken, by mailbox + UIDVALIDITY + UID and by
# Message-ID, written in the transaction that opened its case, so no message is ever taken twice.
mailbox_messages = Table(
    "mailbox_messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mailbox", String(300), nullable=False),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("uid", BigInteger, nullable=False),
    # The same UIDVALIDITY and UID name another message after a mail store is restored: the content says
    # which. Null on rows recorded before it was kept (they match by Message-ID only).
    Column("content_sha256", String(64), nullable=True),
    Column("message_id", String(300), nullable=True, unique=True),
    Column("outcome", JSON, nullable=False),
    Column("case_id", String(32), nullable=True),
    _now_column("taken_at"),
    UniqueConstraint("mailbox", "uidvalidity", "uid", "content_sha256", name="uq_mailbox_messages_message"),
)

feed_cursors = Table(
    "feed_cursors", metadata,
    Column("name", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
)

# API tokens: only the SHA-256 of the secret is kept; a token speaks for a staff actor (with the actor's
# roles) or for an allow-listed authority (which may only submit and read its own submissions' status).
tokens = Table(
    "tokens", metadata,
    Column("token_id", String(16), primary_key=True),
    Column("actor", String(100), ForeignKey("actors.name"), nullable=True),
    Column("authority_domain", String(253), ForeignKey("authorities.domain"), nullable=True),
    Column("secret_sha256", String(64), nullable=False),
    _now_column("created_at"),
    Column("revoked_at", UTCDateTime(), nullable=True),
    # An authority's token is one officer's: a submission made with it names that officer.
    Column("officer", String(200), nullable=True),
    Column("badge", String(60), nullable=True),
    Column("expires_at", UTCDateTime(), nullable=True),
    # HMAC under the key store's token key of every field above that says who the token is and until
    # when (adapters.tokens): null on rows made before sealing, which grant nothing.
    Column("seal", String(64), nullable=True),
)

# A signed-in browser: the cookie carries a random session secret (kept only as its HMAC under the key
# store's token key), never the API token it was opened with; it ends when idle too long, at sign-out,
# or when its token is revoked or expires.
web_sessions = Table(
    "web_sessions", metadata,
    Column("session_seal", String(64), primary_key=True),
    Column("token_id", String(16), ForeignKey("tokens.token_id"), nullable=False),
    _now_column("created_at"),
    _now_column("last_seen_at"),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# Which reviewer a case is with; the history of assignments is in the audit log.
assignments = Table(
    "assignments", metadata,
    Column("case_id", String(32), ForeignKey("cases.case_id"), primary_key=True),
    Column("reviewer", String(100), ForeignKey("actors.name"), nullable=False),
    Column("assigned_by", String(100), nullable=False),
    _now_column("assigned_at"),
    Index("ix_assignments_reviewer", "reviewer"),
)


# Provision ledgers (PCSA art. 13(8) and Decree 39; TBA Decree 53): one entry per disclosure under a
# ledgered regime, from which the half-year statutory reports are made. Each entry is kept for its
# statute's years and purged by the purge flow on `purge_on`.
ledger = Table(
    "ledger", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ledger", String(10), nullable=False),            # pcsa or tba
    Column("case_id", String(32), ForeignKey("cases.case_id"), nullable=False, index=True),
    _now_column("provided_at"),
    Column("provided_on", String(10), nullable=False, index=True),  # Seoul date, YYYY-MM-DD
    Column("authority_name", String(200), nullable=False),
    Column("authority_type", String(20), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("document_reference", String(200), nullable=False),
    Column("categories", JSON, nullable=False),
    Column("accounts_requested", Integer, nullable=False),
    Column("accounts_provided", Integer, nullable=False),
    Column("purge_on", String(10), nullable=False, index=True),
)

# The half-year statutory reports: when each is due, when the compliance lead was reminded, and when it
# was produced. The sweep plans the coming ones and sends each reminder once.
statutory_reports = Table(
    "statutory_reports", metadata,
    Column("ledger", String(10), primary_key=True),
    Column("half", String(7), primary_key=True),             # 2026-H2
    Column("due_on", String(10), nullable=False),
    Column("remind_at", UTCDateTime(), nullable=False, index=True),
    Column("reminded_at", UTCDateTime(), nullable=True),
    Column("produced_at", UTCDateTime(), nullable=True),
    Column("sha256", String(64), nullable=True),
)
