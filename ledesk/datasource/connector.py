"""What LE Desk asks of a data source. The embedded one stands in for the provider's systems."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol


class Connector(Protocol):
    def lookup(self, target_type: str, value: str) -> str | None:
        """The account a target identifier names, or None when this entity holds no such account."""
        ...

    def read(self, account_id: str, category: str, start: datetime | None,
             end: datetime | None) -> list[dict[str, Any]]:
        """The records of one category from `start` up to (not including) `end`, as they exist now."""
        ...

    # Optional: `count(account_id, category, start, end) -> int`, how many records `read` would return, so
    # the case page can say what is held without reading it (vault.holdings reads and counts otherwise).

    def contact(self, account_id: str) -> str | None:
        """The e-mail address the provider holds for the account (None when it holds none)."""
        ...

    def earliest(self, category: str) -> date | None:
        """The oldest record still kept in a category (retention decides what "out of retention" means)."""
        ...

    def apply_retention(self, now: datetime, months_by_category: dict[str, int]) -> int:
        ...
