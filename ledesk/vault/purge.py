"""Purging released holds: crypto-shred, a destruction record, and a destruction certificate letter.

Each hold is purged in its own transaction (the service layer's purge opens one per hold) that first
re-reads (and on PostgreSQL locks) the case: a hold is never purged while its case has legal process
attached, whatever else is happening at that moment. A purge killed half way rolled back whole, so the
next run simply does it again."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from ledesk.adapters.store import load_cases, record
from ledesk.models.enums import SYSTEM_ACTOR, TERMINAL_STATES, HoldStatus
from ledesk.models.tables import destructions, holds
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import messages
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects
from ledesk.states.phrasing import english_date
from ledesk.states.retention import converted_hold_lapses
from ledesk.states.step import Step
from ledesk.vault.keystore import KeyStore
from ledesk.vault.store import destroy


def released(conn: Connection) -> list[tuple[str, str]]:
    """(hold id, case id) of every released hold, oldest release first."""
    return [(r.hold_id, r.case_id) for r in conn.execute(
        select(holds.c.hold_id, holds.c.case_id).where(holds.c.status == HoldStatus.RELEASED)
        .order_by(holds.c.released_at))]


def _locked(conn: Connection, hold_id: str, case_id: str, status: str) -> tuple[CaseRecord | None, Any]:
    """The case and the hold, locked in that order (the order every transaction takes its locks in), or
    (None, None) when either is gone or the hold is no longer in `status`."""
    case = load_cases(conn, [case_id], lock=True).get(case_id)
    hold = conn.execute(select(holds.c.status, holds.c.expires_at, holds.c.released_at)
                        .where(holds.c.hold_id == hold_id).with_for_update()).first()
    if case is None or hold is None or hold.status != status:
        return None, None
    return case, hold


def converted_due(conn: Connection, now: datetime) -> list[tuple[str, str]]:
    """(hold id, case id) of converted holds whose preservation period has ended (or that have no end)."""
    return [(r.hold_id, r.case_id) for r in conn.execute(
        select(holds.c.hold_id, holds.c.case_id).where(
            holds.c.status == HoldStatus.CONVERTED, or_(holds.c.expires_at.is_(None), holds.c.expires_at <= now))
        .order_by(holds.c.expires_at))]


def release_lapsed(conn: Connection, hold_id: str, case_id: str, now: datetime, policy: Policy,
                   cal: LegalCalendar) -> str | None:
    """Release a converted hold whose time is over (states.retention says when), telling the authority;
    the purge then destroys it. Returns why, or None when the hold is kept (nothing written)."""
    case, hold = _locked(conn, hold_id, case_id, HoldStatus.CONVERTED)
    if case is None or hold is None:
        return None
    why = converted_hold_lapses(case, hold.expires_at, now, policy, cal)
    if why is None:
        return None
    conn.execute(update(holds).where(holds.c.hold_id == hold_id).values(status=HoldStatus.RELEASED, released_at=now))
    letter = messages.simple("release", case, "Preservation ended",
                             f"The preserved data of hold {hold_id} will be deleted: {why}.")
    record(conn, case, Step("hold_released", case.state, case.state, SYSTEM_ACTOR, now, why,
                            Effects(messages=[letter], audit={"hold_id": hold_id, "why": why})))
    return why


def purge_hold(conn: Connection, keys: KeyStore, hold_id: str, case_id: str, now: datetime, provider: str,
               zone: tzinfo | None = None) -> bool:
    """Crypto-shred one released hold and certify it, in the caller's transaction. False (and nothing
    written) when the hold is no longer released, or its case has legal process attached and is still
    open (the race with a reviewer attaching process); a closed case's hold is purged like any other."""
    case, hold = _locked(conn, hold_id, case_id, HoldStatus.RELEASED)
    if case is None or hold is None:
        return False
    if case.legal_process_at and case.state not in TERMINAL_STATES and (
            hold.released_at is None or case.legal_process_at > hold.released_at):
        return False  # process arrived after the release: never lost to the purge
    shred(conn, keys, hold_id, case, now, provider, "the preservation ended", zone)
    return True


def shred(conn: Connection, keys: KeyStore, hold_id: str, case: CaseRecord, now: datetime, provider: str,
          why: str, zone: tzinfo | None = None) -> None:
    """Destroy a hold's ciphertext (and its key, once this commits), record the destruction and queue its
    certificate, which names the key, the key store and how the key was destroyed."""
    count, digest = destroy(conn, hold_id)
    conn.execute(update(holds).where(holds.c.hold_id == hold_id).values(status=HoldStatus.PURGED, purged_at=now))
    conn.execute(insert(destructions).values(hold_id=hold_id, case_id=case.case_id, purged_at=now, blobs=count,
                                             ciphertext_sha256=digest))
    # The authority reads which kind of store and how the key was destroyed, never the store's file path
    # or token URI (internal; the audit event below keeps it).
    hsm = keys.name.startswith("pkcs11:")
    store = "an HSM (PKCS#11)" if hsm else "the provider's key store"
    certificate = messages.simple(
        "destruction_certificate", case, "Destruction certificate",
        f"{provider} certifies that the data preserved under hold {hold_id} was destroyed on "
        f"{english_date(now, zone)} ({zone or 'UTC'}) ({why}): its key {hold_id} in {store} was erased ({keys.method}) "
        f"and {count} encrypted parts deleted (SHA-256 of the destroyed ciphertext {digest}).",
        hold_id=hold_id, destroyed_at=now.isoformat(), parts=count, digest=digest, key_id=hold_id,
        key_store=store, key_store_ko="HSM(PKCS#11)" if hsm else "당사 키 저장소", method=keys.method)
    current = load_cases(conn, [case.case_id]).get(case.case_id, case)
    record(conn, current, Step("purge", current.state, current.state, SYSTEM_ACTOR, now,
                               f"hold {hold_id} purged: {why}",
                               Effects(messages=[certificate], audit={"hold_id": hold_id, "blobs": count,
                                                                      "ciphertext_sha256": digest, "key_id": hold_id,
                                                                      "key_store": keys.name,
                                                                      "method": keys.method})))
