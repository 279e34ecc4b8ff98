"""Who is asking: a staff member (with their roles, read afresh on every request) or an allow-listed
authority's officer, as a token or a web session resolves them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    token_id: str
    actor: str | None            # a staff member, or None for an authority
    roles: frozenset[str]
    authority: str | None        # the authority's domain, or None for staff
    officer: str | None = None   # an authority token's officer (name), and badge number
    badge: str | None = None

    @property
    def name(self) -> str:
        if self.actor:
            return self.actor
        return f"authority:{self.authority}" + (f" ({self.officer}, badge {self.badge})" if self.officer else "")
