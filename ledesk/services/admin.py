"""The desk itself: the database and key store made ready, staff and their roles, the authority
allow-list, API tokens, web sign-in sessions and the signed audit checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ledesk.adapters import tokens
from ledesk.services.context import Context, retention_months
from ledesk.states.principal import Principal


def token_id_of(token: str) -> str | None:
    """The id a presented API token names (its public part), when it has a token's shape: what the API's
    throttle counts failures by."""
    return tokens.token_id_of(token)


@dataclass
class AdminService:
    ctx: Context

    def init(self) -> dict[str, Any]:
        """Create or migrate the database, open the key store, and move into it the hold keys an older
        release kept (wrapped) in the case database."""
        from ledesk.models.migrate import upgrade
        from ledesk.vault.keys import master_key
        from ledesk.vault.store import adopt_legacy_keys

        ctx = self.ctx
        upgrade(ctx.uow.engine)
        keys = ctx.vault.keys
        with ctx.uow.write() as conn:
            moved = adopt_legacy_keys(conn, keys, lambda: master_key(ctx.home))
        if moved:
            ctx.uow.wipe_log()
        adopted = ctx.checkpoints.adopt_legacy(ctx.now())  # a keys/audit.key from before the key store
        from ledesk.vault.keys import where

        hsm = keys.name.startswith("pkcs11:")
        return {"policy_version": ctx.policy.version, "key_store": keys.name, "keys_moved": moved,
                "legacy_audit_key": adopted, "master_key": None if hsm else where(ctx.home)}

    def add_actor(self, name: str, roles: list[str], full_name: str | None = None,
                  title: str | None = None) -> dict[str, Any]:
        from ledesk.adapters.admin import add_actor

        with self.ctx.uow.write() as conn:
            return add_actor(conn, name, roles, self.ctx.now(), full_name=full_name, title=title)

    def add_authority(self, domain: str, name: str, country: str, type_: str,
                      callback_phone: str | None = None) -> dict[str, Any]:
        from ledesk.adapters.admin import add_authority

        with self.ctx.uow.write() as conn:
            return add_authority(conn, domain, name, country, type_, self.ctx.now(), callback_phone=callback_phone)

    def _seal(self, data: bytes) -> bytes:
        return self.ctx.vault.keys.seal(data)

    def _lasts(self, actor: str | None) -> timedelta:
        web = self.ctx.policy.web
        return tokens.lifetime(web.officer_token_days, web.staff_token_days, actor)

    def remove_actor(self, name: str, roles: list[str] | None = None) -> dict[str, Any]:
        from ledesk.adapters.admin import remove_actor

        with self.ctx.uow.write() as conn:
            return remove_actor(conn, name, self.ctx.now(), roles)

    def remove_authority(self, domain: str) -> dict[str, Any]:
        from ledesk.adapters.admin import remove_authority

        with self.ctx.uow.write() as conn:
            return remove_authority(conn, domain, self.ctx.now())

    def create_token(self, actor: str | None = None, authority: str | None = None, officer: str | None = None,
                     badge: str | None = None) -> dict[str, Any]:
        with self.ctx.uow.write() as conn:
            return tokens.create(conn, self.ctx.now(), self._seal, self._lasts(actor), actor=actor,
                                 authority=authority, officer=officer, badge=badge)

    def renew_token(self, token_id: str) -> dict[str, str]:
        with self.ctx.uow.write() as conn:
            return tokens.renew(conn, token_id, self.ctx.now(), self._seal, self._lasts)

    def revoke_token(self, token_id: str) -> dict[str, str]:
        with self.ctx.uow.write() as conn:
            return tokens.revoke(conn, token_id, self.ctx.now())

    def list_tokens(self) -> list[dict[str, Any]]:
        with self.ctx.uow.read() as conn:
            return tokens.listing(conn, self.ctx.now(), self._seal)

    # -- the embedded data source --------------------------------------------------------------------
    def load_accounts(self, accounts: list[dict[str, Any]]) -> int:
        return self.ctx.source.load(accounts)

    def generate_accounts(self, count: int) -> int:
        return self.ctx.source.generate(count, self.ctx.now())

    def apply_retention(self) -> int:
        """Delete the data source's logs past the minimum retention (PCSA Decree 41(2)), now."""
        return self.ctx.source.apply_retention(self.ctx.now(), retention_months(self.ctx.policy))

    # -- who is asking --------------------------------------------------------------------------------
    def bearer(self, token: str) -> Principal | None:
        """The principal an API token speaks for, or None (unknown, revoked)."""
        with self.ctx.uow.read() as conn:
            return tokens.resolve(conn, token, self.ctx.now(), self._seal)

    def open_session(self, who: Principal) -> str:
        """A web session for a signed-in staff member or officer; its secret goes in the cookie only."""
        with self.ctx.uow.write() as conn:
            return tokens.open_session(conn, who, self.ctx.now(), self._seal)

    def session(self, secret: str, portal: bool = False) -> Principal | None:
        """The principal of a live web session (the portal's, with `portal`), restarting its idle clock
        at most once a minute: a page view is a read, not a write, on SQLite's one writer."""
        web, now = self.ctx.policy.web, self.ctx.now()
        with self.ctx.uow.read() as conn:
            found = tokens.resolve_session(conn, secret, now, timedelta(minutes=web.session_idle_minutes),
                                           timedelta(hours=web.session_max_hours), self._seal, authority=portal)
        if found is None:
            return None
        if found.needs_touch(now):
            with self.ctx.uow.write() as conn:
                tokens.touch_session(conn, secret, now, self._seal)
        return found.principal

    def close_session(self, secret: str) -> None:
        """Sign-out revokes the session on the server, so a copied cookie no longer works."""
        with self.ctx.uow.write() as conn:
            tokens.close_session(conn, secret, self.ctx.now(), self._seal)

    # -- the audit chain's anchors ---------------------------------------------------------------------
    def checkpoint(self) -> dict[str, Any]:
        """Sign (events, head hash, time) with the audit key and append it outside the database."""
        with self.ctx.uow.write() as conn:
            return self.ctx.checkpoints.write(conn, self.ctx.now())
