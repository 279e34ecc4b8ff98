"""The audit log handed on to whoever mirrors it elsewhere (the Prefect publisher): a named cursor is
claimed, the events after it read, and the cursor moved only once they were handed on, so a crash hands
them on again rather than losing them."""

from __future__ import annotations

from dataclasses import dataclass

from ledesk.adapters import feed
from ledesk.adapters.feed import FeedEvent
from ledesk.services.context import Context

__all__ = ["FeedEvent", "MirrorService"]


@dataclass
class MirrorService:
    ctx: Context

    def claim(self, cursor: str) -> int:
        with self.ctx.uow.write() as conn:
            return feed.claim(conn, cursor)

    def read(self, after: int, limit: int) -> tuple[list[FeedEvent], int]:
        with self.ctx.uow.read() as conn:
            return feed.read(conn, after, limit)

    def advance(self, cursor: str, after: int, upto: int) -> None:
        with self.ctx.uow.write() as conn:
            feed.advance(conn, cursor, after, upto)
