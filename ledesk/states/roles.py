"""The one role guard. Every command that a person gives (a trigger, a non-disclosure order, a referral,
an assignment, an invoice, a report) asks it, so a refusal reads the same everywhere and the API answers
it with 403 everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from ledesk.models.tables import actor_roles
from ledesk.states.errors import GuardRefused

# Staff who decide on cases and may produce reports (on-call alone does not).
CASE_STAFF = frozenset({"reviewer", "approver", "admin"})


def roles_of(conn: Connection, actor: str) -> frozenset[str]:
    return frozenset(conn.scalars(select(actor_roles.c.role).where(actor_roles.c.actor == actor)))


def require(actor: str, roles: frozenset[str], allowed: Iterable[str], doing: str) -> None:
    """Refuse unless `actor`, holding `roles`, has one of `allowed` for `doing` (a trigger's name, or what
    the command does in words)."""
    if not roles:
        raise GuardRefused("known_actor", f"{actor!r} is not a registered actor")
    wanted = [str(r) for r in allowed]
    if not roles & set(wanted):
        raise GuardRefused("actor_role", f"{doing} needs the role {' or '.join(wanted)}; {actor} has "
                                         f"{', '.join(sorted(roles))}")


def require_in(conn: Connection, actor: str, allowed: Iterable[str], doing: str) -> frozenset[str]:
    """`require`, reading the actor's roles first; returns them."""
    roles = roles_of(conn, actor)
    require(actor, roles, allowed, doing)
    return roles
