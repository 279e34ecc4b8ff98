"""API tokens: made once, shown once, kept only as a SHA-256, revocable. A token speaks either for a staff
actor (with that actor's roles, read afresh on every request, so a removed role takes effect at once) or
for an allow-listed authority, which may only submit requests and read its own submissions' status."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from ledesk.adapters import audit
from ledesk.adapters.actors import roles_of
from ledesk.models.tables import actors, authorities, tokens, web_sessions
from ledesk.states.errors import BadInput, NotFound
from ledesk.states.principal import Principal

PREFIX = "ldk"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(conn: Connection, now: datetime, actor: str | None = None, authority: str | None = None,
           by: str = "system", officer: str | None = None, badge: str | None = None) -> dict[str, str]:
    if (actor is None) == (authority is None):
        raise BadInput("a token is for one staff actor or for one authority (--authority DOMAIN)")
    if (officer or badge) and authority is None:
        raise BadInput("--officer and --badge name an authority's officer: give them with --authority")
    if authority is not None and bool(officer and officer.strip()) != bool(badge and badge.strip()):
        raise BadInput("an officer's token names both the officer (--officer NAME) and the badge (--badge ID)")
    if actor is not None and conn.execute(select(actors.c.name).where(actors.c.name == actor)).first() is None:
        raise BadInput(f"no actor {actor!r}: add it with `ledesk actors add` first")
    if authority is not None and conn.execute(
            select(authorities.c.domain).where(authorities.c.domain == authority)).first() is None:
        raise BadInput(f"{authority!r} is not an allow-listed authority")
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    officer, badge = (officer or "").strip() or None, (badge or "").strip() or None
    conn.execute(insert(tokens).values(token_id=token_id, actor=actor, authority_domain=authority,
                                       secret_sha256=_digest(secret), created_at=now, officer=officer, badge=badge))
    audit.append(conn, [audit.EventDraft(None, "token_created", by, now, reason=token_id,
                                         data={"token_id": token_id, "actor": actor, "authority": authority,
                                               "officer": officer, "badge": badge})])
    return {"token": f"{PREFIX}_{token_id}_{secret}", "token_id": token_id}


def revoke(conn: Connection, token_id: str, now: datetime, by: str = "system") -> dict[str, str]:
    done = conn.execute(update(tokens).where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
                        .values(revoked_at=now))
    if not done.rowcount:
        raise NotFound(f"no live token {token_id!r}")
    audit.append(conn, [audit.EventDraft(None, "token_revoked", by, now, reason=token_id,
                                         data={"token_id": token_id})])
    return {"token_id": token_id, "revoked_at": now.isoformat()}


def resolve(conn: Connection, token: str) -> Principal | None:
    """The principal a presented token speaks for, or None (malformed, unknown, revoked: all alike)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12:
        return None
    row = conn.execute(select(tokens).where(tokens.c.token_id == parts[1])).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.secret_sha256, _digest(parts[2])):
        return None
    roles = roles_of(conn, row.actor) if row.actor else frozenset()
    return Principal(row.token_id, row.actor, roles, row.authority_domain, row.officer, row.badge)


# -- web sessions --------------------------------------------------------------------------------------
SESSION_PREFIX = "lds"


def open_session(conn: Connection, who: Principal, now: datetime) -> str:
    """A new session for a signed-in staff member or officer; the secret goes in the cookie and is shown
    nowhere else."""
    secret = f"{SESSION_PREFIX}_{secrets.token_urlsafe(32)}"
    conn.execute(insert(web_sessions).values(session_sha256=_digest(secret), token_id=who.token_id, created_at=now,
                                             last_seen_at=now))
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
                    longest: timedelta, authority: bool = False) -> Session | None:
    """A live session, read only; None when unknown, signed out, idle too long, too old, or its token was
    revoked. A staff session (the reviewers' UI) or, with `authority`, an officer's (the portal): never
    the one for the other."""
    if not secret.startswith(SESSION_PREFIX + "_"):
        return None
    row = conn.execute(select(web_sessions).where(web_sessions.c.session_sha256 == _digest(secret))).first()
    if row is None or row.revoked_at is not None or now - row.last_seen_at > idle or now - row.created_at > longest:
        return None
    token = conn.execute(select(tokens).where(tokens.c.token_id == row.token_id)).first()
    if token is None or token.revoked_at is not None or (token.actor is None) != authority:
        return None
    if authority:
        return Session(Principal(token.token_id, None, frozenset(), token.authority_domain, token.officer,
                                 token.badge), row.last_seen_at)
    return Session(Principal(token.token_id, token.actor, roles_of(conn, token.actor), None), row.last_seen_at)


def touch_session(conn: Connection, secret: str, now: datetime) -> None:
    """Restart a session's idle clock."""
    conn.execute(update(web_sessions).where(web_sessions.c.session_sha256 == _digest(secret))
                 .values(last_seen_at=now))


def close_session(conn: Connection, secret: str, now: datetime) -> None:
    conn.execute(update(web_sessions).where(web_sessions.c.session_sha256 == _digest(secret),
                                            web_sessions.c.revoked_at.is_(None)).values(revoked_at=now))
