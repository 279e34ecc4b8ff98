"""API tokens: made once, shown once, revocable, expiring. A token speaks either for a staff actor (with
that actor's roles, read afresh on every request, so a removed role takes effect at once) or for an
allow-listed authority, which may only submit requests and read its own submissions' status.

The database keeps a token's SHA-256 and a seal: an HMAC, under a key in the key store, of everything
the row says (id, who, officer, expiry, the secret's digest). A row written by someone who has the
database alone, or an old row edited to name another actor or a later expiry, fails its seal and grants
nothing. Web sessions are kept only as the same HMAC of their secret, for the same reason."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from ledesk.adapters import audit
from ledesk.adapters.actors import roles_of
from ledesk.models.tables import actors, authorities, tokens, web_sessions
from ledesk.states.errors import BadInput, NotFound
from ledesk.states.principal import Principal

PREFIX = "ldk"

Seal = Callable[[bytes], bytes]  # HMAC-SHA256 under the key store's token key (KeyStore.seal)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token_seal(seal: Seal, token_id: str, actor: str | None, authority: str | None, officer: str | None,
                badge: str | None, expires_at: datetime, secret_sha256: str) -> str:
    fields = [token_id, actor, authority, officer, badge, expires_at.isoformat(), secret_sha256]
    return seal(b"ledesk token v1\0" + json.dumps(fields).encode()).hex()


def _row_seal(seal: Seal, row: Row[Any], expires_at: datetime) -> str:
    """The seal of a stored token's fields with this expiry."""
    return _token_seal(seal, row.token_id, row.actor, row.authority_domain, row.officer, row.badge, expires_at,
                       row.secret_sha256)


def _row_sealed(seal: Seal, row: Row[Any]) -> bool:
    if row.seal is None or row.expires_at is None:
        return False  # made before tokens were sealed: it grants nothing and shows as unsealed
    return hmac.compare_digest(row.seal, _row_seal(seal, row, row.expires_at))


def _session_key(seal: Seal, secret: str) -> str:
    return seal(b"ledesk session v1\0" + secret.encode()).hex()


def lifetime(days_for_officers: int, days_for_staff: int, actor: str | None) -> timedelta:
    return timedelta(days=days_for_staff if actor is not None else days_for_officers)


def create(conn: Connection, now: datetime, seal: Seal, lasts: timedelta, actor: str | None = None,
           authority: str | None = None, by: str = "system", officer: str | None = None,
           badge: str | None = None) -> dict[str, str]:
    if (actor is None) == (authority is None):
        raise BadInput("a token is for one staff actor or for one authority (--authority DOMAIN)")
    if (officer or badge) and authority is None:
        raise BadInput("--officer and --badge name an authority's officer: give them with --authority")
    if authority is not None and bool(officer and officer.strip()) != bool(badge and badge.strip()):
        raise BadInput("an officer's token names both the officer (--officer NAME) and the badge (--badge ID)")
    if actor is not None and conn.execute(select(actors.c.name).where(actors.c.name == actor)).first() is None:
        raise BadInput(f"no actor {actor!r}: add it with `ledesk actors add` first")
    if authority is not None and conn.execute(
            select(authorities.c.domain).where(authorities.c.domain == authority,
                                               authorities.c.removed_at.is_(None))).first() is None:
        raise BadInput(f"{authority!r} is not an allow-listed authority")
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    officer, badge = (officer or "").strip() or None, (badge or "").strip() or None
    expires_at, digest = now + lasts, _digest(secret)
    conn.execute(insert(tokens).values(
        token_id=token_id, actor=actor, authority_domain=authority, secret_sha256=digest, created_at=now,
        officer=officer, badge=badge, expires_at=expires_at,
        seal=_token_seal(seal, token_id, actor, authority, officer, badge, expires_at, digest)))
    audit.append(conn, [audit.EventDraft(None, "token_created", by, now, reason=token_id,
                                         data={"token_id": token_id, "actor": actor, "authority": authority,
                                               "officer": officer, "badge": badge,
                                               "expires_at": expires_at.isoformat()})])
    return {"token": f"{PREFIX}_{token_id}_{secret}", "token_id": token_id, "expires_at": expires_at.isoformat()}


def renew(conn: Connection, token_id: str, now: datetime, seal: Seal, lasts: Callable[[str | None], timedelta],
          by: str = "system") -> dict[str, str]:
    """Give a live token a new expiry, counted from now by `lasts` of its actor (None for an officer's);
    its secret stays the same. A token whose seal does not verify is not renewed: sealing it again would
    launder a forged row."""
    row = conn.execute(select(tokens).where(tokens.c.token_id == token_id)).first()
    if row is None or row.revoked_at is not None:
        raise NotFound(f"no live token {token_id!r}")
    if not _row_sealed(seal, row):
        raise BadInput(f"token {token_id!r} does not verify against the key store's token key (it was made before "
                       "tokens were sealed, or its row was altered): revoke it and issue a new one")
    expires_at = now + lasts(row.actor)
    conn.execute(update(tokens).where(tokens.c.token_id == token_id).values(
        expires_at=expires_at, seal=_row_seal(seal, row, expires_at)))
    audit.append(conn, [audit.EventDraft(None, "token_renewed", by, now, reason=token_id,
                                         data={"token_id": token_id, "expires_at": expires_at.isoformat()})])
    return {"token_id": token_id, "expires_at": expires_at.isoformat()}


def listing(conn: Connection, now: datetime, seal: Seal) -> list[dict[str, Any]]:
    """Every token with whom it speaks for and whether it works now: live, expired, revoked, or unsealed
    (its row does not verify, so it grants nothing)."""
    out = []
    for row in conn.execute(select(tokens).order_by(tokens.c.created_at, tokens.c.token_id)):
        status = ("revoked" if row.revoked_at is not None else "unsealed" if not _row_sealed(seal, row)
                  else "expired" if row.expires_at <= now else "live")
        out.append({"token_id": row.token_id, "actor": row.actor, "authority": row.authority_domain,
                    "officer": row.officer, "badge": row.badge, "created_at": row.created_at.isoformat(),
                    "expires_at": row.expires_at.isoformat() if row.expires_at else None,
                    "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None, "status": status})
    return out


def revoke(conn: Connection, token_id: str, now: datetime, by: str = "system") -> dict[str, str]:
    done = conn.execute(update(tokens).where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
                        .values(revoked_at=now))
    if not done.rowcount:
        raise NotFound(f"no live token {token_id!r}")
    audit.append(conn, [audit.EventDraft(None, "token_revoked", by, now, reason=token_id,
                                         data={"token_id": token_id})])
    return {"token_id": token_id, "revoked_at": now.isoformat()}


def _parts(token: str) -> tuple[str, str] | None:
    """(id, secret) of a presented token, when it has the token's shape."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12:
        return None
    return parts[1], parts[2]


def token_id_of(token: str) -> str | None:
    """The id part of a presented token, when it has the token's shape."""
    parts = _parts(token)
    return parts[0] if parts else None


def _live(seal: Seal, row: Row[Any] | None, now: datetime) -> bool:
    return (row is not None and row.revoked_at is None and row.expires_at is not None and now < row.expires_at
            and _row_sealed(seal, row))


def resolve(conn: Connection, token: str, now: datetime, seal: Seal) -> Principal | None:
    """The principal a presented token speaks for, or None (malformed, unknown, revoked, expired, or a row
    whose seal does not verify: all alike)."""
    parts = _parts(token)
    if parts is None:
        return None
    row = conn.execute(select(tokens).where(tokens.c.token_id == parts[0])).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, _digest(parts[1])):
        return None
    if not _live(seal, row, now):
        return None
    roles = roles_of(conn, row.actor) if row.actor else frozenset()
    return Principal(row.token_id, row.actor, roles, row.authority_domain, row.officer, row.badge)


# -- web sessions --------------------------------------------------------------------------------------
SESSION_PREFIX = "lds"


def open_session(conn: Connection, who: Principal, now: datetime, seal: Seal) -> str:
    """A new session for a signed-in staff member or officer; the secret goes in the cookie and is shown
    nowhere else."""
    secret = f"{SESSION_PREFIX}_{secrets.token_urlsafe(32)}"
    conn.execute(insert(web_sessions).values(session_seal=_session_key(seal, secret), token_id=who.token_id,
                                             created_at=now, last_seen_at=now))
    audit.append(conn, [audit.EventDraft(None, "signed_in", who.name, now, reason=who.token_id)])
    return secret


TOUCH_EVERY = timedelta(minutes=1)  # the idle clock is restarted at most this often: not a write per page


@dataclass(frozen=True)
class Session:
    principal: Principal
    last_seen_at: datetime

    def needs_touch(self, now: datetime) -> bool:
        return now - self.last_seen_at > TOUCH_EVERY


def resolve_session(conn: Connection, secret: str, now: datetime, idle: timedelta,
                    longest: timedelta, seal: Seal, authority: bool = False) -> Session | None:
    """A live session, read only; None when unknown, signed out, idle too long, too old, or its token was
    revoked. A staff session (the reviewers' UI) or, with `authority`, an officer's (the portal): never
    the one for the other."""
    if not secret.startswith(SESSION_PREFIX + "_"):
        return None
    row = conn.execute(select(web_sessions).where(web_sessions.c.session_seal == _session_key(seal, secret))).first()
    if row is None or row.revoked_at is not None or now - row.last_seen_at > idle or now - row.created_at > longest:
        return None
    token = conn.execute(select(tokens).where(tokens.c.token_id == row.token_id)).first()
    if token is None or not _live(seal, token, now) or (token.actor is None) != authority:
        return None
    if authority:
        return Session(Principal(token.token_id, None, frozenset(), token.authority_domain, token.officer,
                                 token.badge), row.last_seen_at)
    return Session(Principal(token.token_id, token.actor, roles_of(conn, token.actor), None), row.last_seen_at)


def touch_session(conn: Connection, secret: str, now: datetime, seal: Seal) -> None:
    """Restart a session's idle clock."""
    conn.execute(update(web_sessions).where(web_sessions.c.session_seal == _session_key(seal, secret))
                 .values(last_seen_at=now))


def close_session(conn: Connection, secret: str, now: datetime, seal: Seal) -> None:
    conn.execute(update(web_sessions).where(web_sessions.c.session_seal == _session_key(seal, secret),
                                            web_sessions.c.revoked_at.is_(None)).values(revoked_at=now))
