"""Who an actor is, as the case database records it: the roles the one role guard (states.roles) checks."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from ledesk.models.tables import actor_roles, authorities
from ledesk.states.roles import require


def roles_of(conn: Connection, actor: str) -> frozenset[str]:
    return frozenset(conn.scalars(select(actor_roles.c.role).where(actor_roles.c.actor == actor)))


def with_role(conn: Connection, role: str) -> list[str]:
    """The staff members who hold `role`, by name: those a case may be assigned to, for a reviewer."""
    return list(conn.scalars(select(actor_roles.c.actor).where(actor_roles.c.role == role)
                             .order_by(actor_roles.c.actor)))


def authority_type(conn: Connection, domain: str) -> str | None:
    """The allow-list's type of an authority (police, prosecution, court, regulator, other)."""
    found = conn.execute(select(authorities.c.type).where(authorities.c.domain == domain)).scalar()
    return str(found) if found is not None else None


def require_in(conn: Connection, actor: str, allowed: Iterable[str], doing: str) -> frozenset[str]:
    """`states.roles.require`, reading the actor's roles first; returns them."""
    roles = roles_of(conn, actor)
    require(actor, roles, allowed, doing)
    return roles
