"""The one role guard. Every command that a person gives (a trigger, a non-disclosure order, a referral,
an assignment, an invoice, a report) asks it, so a refusal reads the same everywhere and the API answers
it with 403 everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from ledesk.states.errors import GuardRefused

# Staff who decide on cases and may produce reports (on-call alone does not).
CASE_STAFF = frozenset({"reviewer", "approver", "admin"})


def require(actor: str, roles: frozenset[str], allowed: Iterable[str], doing: str) -> None:
    """Refuse unless `actor`, holding `roles`, has one of `allowed` for `doing` (a trigger's name, or what
    the command does in words)."""
    if not roles:
        raise GuardRefused("known_actor", f"{actor!r} is not a registered actor")
    wanted = [str(r) for r in allowed]
    if not roles & set(wanted):
        raise GuardRefused("actor_role", f"{doing} needs the role {' or '.join(wanted)}; {actor} has "
                                         f"{', '.join(sorted(roles))}")
