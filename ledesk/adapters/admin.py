"""Staff and the authority allow-list. Every change is an audit event, like any change to a case."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ledesk.adapters import audit
from ledesk.models.enums import SYSTEM_ACTOR, AuthorityType, Role
from ledesk.models.tables import actor_roles, actors, assignments, authorities, cases, tokens
from ledesk.states.errors import BadInput, NotFound

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def add_actor(conn: Connection, name: str, roles: list[str], now: datetime, by: str = SYSTEM_ACTOR,
              full_name: str | None = None, title: str | None = None) -> dict[str, Any]:
    """Register a staff member or add roles; `full_name` and `title` are how the letters they sign name
    them (given again, they replace what was recorded)."""
    if not _NAME.match(name):
        raise BadInput(f"actor name {name!r}: use letters, digits, '.', '_', '@' or '-' (at most 100)")
    if name == SYSTEM_ACTOR:
        raise BadInput(f"{SYSTEM_ACTOR!r} is reserved for automatic steps")
    unknown = [r for r in roles if r not in {x.value for x in Role}]
    if unknown or not roles:
        raise BadInput(f"roles must be among {', '.join(r.value for r in Role)}; got {', '.join(unknown) or 'none'}")
    signs = {k: v.strip() for k, v in (("full_name", full_name), ("title", title)) if v is not None}
    for key, value in signs.items():
        if not value or len(value) > 200 or any(ord(c) < 32 for c in value):
            raise BadInput(f"--{key.replace('_', '-')}: 1 to 200 printable characters, as a letter would sign it")
    if conn.execute(select(actors.c.name).where(actors.c.name == name)).first() is None:
        conn.execute(insert(actors).values(name=name, created_at=now, **signs))
    elif signs:
        conn.execute(update(actors).where(actors.c.name == name).values(**signs))
        audit.append(conn, [audit.EventDraft(None, "actor_signature_changed", by, now, reason=name,
                                             data={"actor": name, **signs})])
    have = set(conn.scalars(select(actor_roles.c.role).where(actor_roles.c.actor == name)))
    added = sorted(set(roles) - have)
    if added:
        conn.execute(insert(actor_roles), [{"actor": name, "role": r} for r in added])
        audit.append(conn, [audit.EventDraft(None, "actor_roles_added", by, now, reason=name,
                                             data={"actor": name, "roles": added})])
    row = conn.execute(select(actors.c.full_name, actors.c.title).where(actors.c.name == name)).one()
    signature = {k: v for k, v in (("full_name", row.full_name), ("title", row.title)) if v}
    return {"actor": name, "roles": sorted(have | set(roles)), **signature}


def add_authority(conn: Connection, domain: str, name: str, country: str, type_: str, now: datetime,
                  by: str = SYSTEM_ACTOR, callback_phone: str | None = None) -> dict[str, Any]:
    domain = domain.strip().rstrip(".").casefold()
    if not _DOMAIN.match(domain):
        raise BadInput(f"{domain!r} is not a domain name (e.g. police.go.kr)")
    if not re.fullmatch(r"[A-Za-z]{2}", country):
        raise BadInput(f"country {country!r}: use the two-letter ISO code, e.g. KR")
    if type_ not in {t.value for t in AuthorityType}:
        raise BadInput(f"type {type_!r}: one of {', '.join(t.value for t in AuthorityType)}")
    if not name.strip():
        raise BadInput("the authority needs a name (--name)")
    existing = conn.execute(select(authorities).where(authorities.c.domain == domain)).first()
    values: dict[str, Any] = {"name": name.strip(), "country": country.upper(), "type": type_}
    if callback_phone is not None:
        if not re.fullmatch(r"\+?[0-9][0-9 ()\-.]{5,40}", callback_phone.strip()):
            raise BadInput(f"--callback-phone {callback_phone!r}: a telephone number, e.g. +82 2 3150 2114")
        values["callback_phone"] = callback_phone.strip()
    if existing is None:
        conn.execute(insert(authorities).values(domain=domain, created_at=now, **values))
    else:  # listing a removed authority again puts it back
        conn.execute(authorities.update().where(authorities.c.domain == domain).values(removed_at=None, **values))
    audit.append(conn, [audit.EventDraft(None, "authority_listed", by, now, reason=domain,
                                         data={"domain": domain, **values})])
    return {"domain": domain, **values}


def _revoke_tokens(conn: Connection, now: datetime, by: str, *where: Any) -> list[str]:
    live = list(conn.scalars(select(tokens.c.token_id).where(tokens.c.revoked_at.is_(None), *where)))
    if live:
        conn.execute(update(tokens).where(tokens.c.token_id.in_(live)).values(revoked_at=now))
        audit.append(conn, [audit.EventDraft(None, "token_revoked", by, now, reason=t, data={"token_id": t})
                            for t in live])
    return live


def remove_actor(conn: Connection, name: str, now: datetime, roles: list[str] | None = None,
                 by: str = SYSTEM_ACTOR) -> dict[str, Any]:
    """Take roles from a staff member: the given ones, or all of them. Without a role left, the actor's
    tokens are revoked; the name stays, because the audit log and the cases name it."""
    have = set(conn.scalars(select(actor_roles.c.role).where(actor_roles.c.actor == name)))
    if conn.execute(select(actors.c.name).where(actors.c.name == name)).first() is None:
        raise NotFound(f"no actor {name!r}")
    unknown = sorted(set(roles or []) - have)
    if unknown:
        raise BadInput(f"{name!r} does not have the role(s) {', '.join(unknown)}; "
                       f"it has {', '.join(sorted(have)) or 'none'}")
    removed = sorted(set(roles) if roles else have)
    if removed:
        conn.execute(actor_roles.delete().where(actor_roles.c.actor == name, actor_roles.c.role.in_(removed)))
        audit.append(conn, [audit.EventDraft(None, "actor_roles_removed", by, now, reason=name,
                                             data={"actor": name, "roles": removed})])
    left = sorted(have - set(removed))
    revoked = [] if left else _revoke_tokens(conn, now, by, tokens.c.actor == name)
    return {"actor": name, "roles_removed": removed, "roles": left, "tokens_revoked": revoked}


def remove_authority(conn: Connection, domain: str, now: datetime, by: str = SYSTEM_ACTOR) -> dict[str, Any]:
    """Take an authority off the allow-list: its mail and portal submissions are refused from now on and its
    officers' tokens are revoked. Its cases stay as they are; the row stays because they name it."""
    domain = domain.strip().rstrip(".").casefold()
    row = conn.execute(select(authorities).where(authorities.c.domain == domain)).first()
    if row is None or row.removed_at is not None:
        raise NotFound(f"{domain!r} is not an allow-listed authority")
    conn.execute(update(authorities).where(authorities.c.domain == domain).values(removed_at=now))
    audit.append(conn, [audit.EventDraft(None, "authority_removed", by, now, reason=domain, data={"domain": domain})])
    revoked = _revoke_tokens(conn, now, by, tokens.c.authority_domain == domain)
    return {"domain": domain, "removed_at": now.isoformat(), "tokens_revoked": revoked}


def assign(conn: Connection, case_id: str, reviewer: str, by: str, now: datetime) -> dict[str, Any]:
    """Give a case to a reviewer (replacing any earlier assignment); the audit log keeps the history."""
    if conn.execute(select(cases.c.case_id).where(cases.c.case_id == case_id)).first() is None:
        raise NotFound(f"no case {case_id}")
    if "reviewer" not in set(conn.scalars(select(actor_roles.c.role).where(actor_roles.c.actor == reviewer))):
        raise BadInput(f"{reviewer!r} is not a reviewer")
    before = conn.execute(select(assignments.c.reviewer).where(assignments.c.case_id == case_id)).scalar()
    if before is None:
        conn.execute(insert(assignments).values(case_id=case_id, reviewer=reviewer, assigned_by=by, assigned_at=now))
    else:
        conn.execute(update(assignments).where(assignments.c.case_id == case_id)
                     .values(reviewer=reviewer, assigned_by=by, assigned_at=now))
    audit.append(conn, [audit.EventDraft(case_id, "assigned", by, now, reason=reviewer,
                                         data={"reviewer": reviewer, "before": before})])
    return {"case_id": case_id, "assigned_to": reviewer}
