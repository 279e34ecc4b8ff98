"""The embedded data source: a separate SQLite database of accounts, their subscriber information, access
logs with IP addresses, and stored content. `ledesk datasource load/generate/retention` fill and trim it."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)

from ledesk.models.db import make_engine
from ledesk.models.tables import UTCDateTime
from ledesk.states.targets import normalise

meta = MetaData()
last_run = Table(
    "last_run", meta,
    Column("job", String(40), primary_key=True),
    Column("day", String(10), nullable=False),
)
accounts = Table(
    "accounts", meta,
    Column("account_id", String(100), primary_key=True),
    Column("email", String(320), nullable=True, index=True),
    Column("phone", String(40), nullable=True, index=True),
    Column("username", String(200), nullable=True, index=True),
    Column("subscriber", JSON, nullable=False),
    Column("customer_controlled", Integer, nullable=False, default=0),  # an enterprise customer's own data
)
access_logs = Table(
    "access_logs", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(100), ForeignKey("accounts.account_id"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("ip", String(64), nullable=False),
    Index("ix_access_account_at", "account_id", "at"),
    Index("ix_access_at", "at"),
)
content = Table(
    "content", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(100), ForeignKey("accounts.account_id"), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

LOG_CATEGORIES = ("access_logs", "ip_logs", "traffic_data")


class DataSourceError(ValueError):
    code = "bad_input"


class EmbeddedSource:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = make_engine(f"sqlite:///{path.resolve()}")
        meta.create_all(self.engine)

    def lookup(self, target_type: str, value: str) -> str | None:
        column = {"account_id": accounts.c.account_id, "email": accounts.c.email, "phone": accounts.c.phone,
                  "username": accounts.c.username}.get(target_type)
        if column is None:
            return None  # IPs and URLs name no account directly
        with self.engine.connect() as conn:
            found = conn.execute(select(accounts.c.account_id).where(column == normalise(target_type, value))).first()
            return str(found[0]) if found else None

    def contact(self, account_id: str) -> str | None:
        """The e-mail address the provider holds for the account: where a user notice may go."""
        with self.engine.connect() as conn:
            found = conn.execute(select(accounts.c.email).where(accounts.c.account_id == account_id)).scalar()
            return str(found) if found else None

    def customer_controlled(self, account_id: str) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.execute(select(accounts.c.customer_controlled)
                                     .where(accounts.c.account_id == account_id)).scalar())

    def _records(self, account_id: str, category: str, start: datetime | None,
                 end: datetime | None) -> Select[Any] | None:
        """The query of one category's records of an account in [start, end); None for a category it lacks."""
        if category == "subscriber_info":
            return select(accounts).where(accounts.c.account_id == account_id)
        columns: tuple[Column[Any], ...]
        if category in LOG_CATEGORIES:
            table, at, columns = access_logs, access_logs.c.at, (access_logs.c.at, access_logs.c.ip)
        elif category == "content":
            table, at, columns = content, content.c.created_at, (content.c.name, content.c.text,
                                                                  content.c.created_at)
        else:
            return None
        query = select(*columns).where(table.c.account_id == account_id)
        if start:
            query = query.where(at >= start)
        if end:
            query = query.where(at < end)
        return query

    def read(self, account_id: str, category: str, start: datetime | None,
             end: datetime | None) -> list[dict[str, Any]]:
        query = self._records(account_id, category, start, end)
        if query is None:
            return []
        with self.engine.connect() as conn:
            if category == "subscriber_info":
                row = conn.execute(query).first()
                if row is None:
                    return []
                return [{"account_id": row.account_id, "email": row.email, "phone": row.phone,
                         "username": row.username, **row.subscriber}]
            if category in LOG_CATEGORIES:
                return [{"at": r.at.isoformat(), "ip": r.ip} for r in conn.execute(query.order_by(access_logs.c.at))]
            return [{"name": r.name, "text": r.text, "created_at": r.created_at.isoformat()}
                    for r in conn.execute(query.order_by(content.c.id))]

    def count(self, account_id: str, category: str, start: datetime | None, end: datetime | None) -> int:
        """How many records `read` would return, counted by the database (nothing is read)."""
        query = self._records(account_id, category, start, end)
        if query is None:
            return 0
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0)

    def earliest(self, category: str) -> date | None:
        with self.engine.connect() as conn:
            if category in LOG_CATEGORIES:
                first = conn.execute(select(func.min(access_logs.c.at))).scalar()
            elif category == "content":
                first = conn.execute(select(func.min(content.c.created_at))).scalar()
            else:
                return None
        if first is None:
            return None
        value = first if isinstance(first, datetime) else datetime.fromisoformat(str(first))
        return value.date()

    def apply_retention(self, now: datetime, months_by_category: dict[str, int]) -> int:
        """Delete access logs older than the shortest retention the policy sets for log categories."""
        from ledesk.policy.calendar import add_months

        months = min(months_by_category.get(c, 10**6) for c in LOG_CATEGORIES)
        if months >= 10**6:
            return 0
        cutoff_day = add_months(now.astimezone(UTC).date(), -months)
        cutoff = datetime.combine(cutoff_day, datetime.min.time(), UTC)
        with self.engine.begin() as conn:
            return int(conn.execute(delete(access_logs).where(access_logs.c.at < cutoff)).rowcount or 0)

    def retention_due(self, today: date) -> bool:
        """Whether the daily retention has not yet run on `today` (and record that it now has)."""
        with self.engine.begin() as conn:
            day = conn.execute(select(last_run.c.day).where(last_run.c.job == "retention")).scalar()
            if day == today.isoformat():
                return False
            conn.execute(delete(last_run).where(last_run.c.job == "retention"))
            conn.execute(insert(last_run).values(job="retention", day=today.isoformat()))
            return True

    # -- filling --------------------------------------------------------------------------------------
    def load(self, lines: list[dict[str, Any]]) -> int:
        with self.engine.begin() as conn:
            for n, record in enumerate(lines, 1):
                try:
                    account_id = str(record["account_id"])
                except (KeyError, TypeError):
                    raise DataSourceError(f"line {n}: every account needs an account_id") from None
                conn.execute(delete(access_logs).where(access_logs.c.account_id == account_id))
                conn.execute(delete(content).where(content.c.account_id == account_id))
                conn.execute(delete(accounts).where(accounts.c.account_id == account_id))
                conn.execute(insert(accounts).values(
                    account_id=account_id,
                    email=normalise("email", record["email"]) if record.get("email") else None,
                    phone=normalise("phone", record["phone"]) if record.get("phone") else None,
                    username=normalise("username", record["username"]) if record.get("username") else None,
                    subscriber=record.get("subscriber") or {},
                    customer_controlled=1 if record.get("customer_controlled") else 0))
                logs = record.get("access_logs") or []
                try:
                    rows = [{"account_id": account_id, "at": _instant(item["at"]), "ip": str(item["ip"])}
                            for item in logs]
                    items = [{"account_id": account_id, "name": str(c["name"]), "text": str(c["text"]),
                              "created_at": _instant(c.get("created_at") or "2026-01-01T00:00:00+00:00")}
                             for c in record.get("content") or []]
                except (KeyError, TypeError, ValueError) as exc:
                    raise DataSourceError(f"line {n}: {exc.__class__.__name__}: {exc}") from None
                if rows:
                    conn.execute(insert(access_logs), rows)
                if items:
                    conn.execute(insert(content), items)
        return len(lines)

    def generate(self, count: int, now: datetime, logs_per_account: int = 50, seed: int = 7) -> int:
        rng = random.Random(seed)
        surnames = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]
        lines = []
        for i in range(count):
            given = f"{rng.choice(['Min', 'Seo', 'Ji', 'Ha', 'Do'])}-{rng.choice(['jun', 'yeon', 'woo', 'eun'])}"
            name = f"{rng.choice(surnames)} {given}"
            start = now - timedelta(days=120)
            lines.append({
                "account_id": f"acct-{i:06d}", "email": f"user{i:06d}@example.com",
                "phone": f"+82 10 {rng.randrange(1000, 9999)} {i % 10000:04d}", "username": f"user{i:06d}",
                "subscriber": {"name": name, "address": f"{rng.randrange(1, 300)} Teheran-ro, Gangnam-gu, Seoul",
                               "joined": (now - timedelta(days=rng.randrange(30, 2000))).date().isoformat()},
                "access_logs": [{"at": (start + timedelta(minutes=rng.randrange(0, 120 * 24 * 60))).isoformat(),
                                 "ip": f"203.0.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"}
                                for _ in range(logs_per_account)],
                "content": [{"name": f"note-{j}.txt", "text": f"note {j} of account {i}",
                             "created_at": (start + timedelta(days=j)).isoformat()} for j in range(3)],
            })
        return self.load(lines)


def _instant(text: Any) -> datetime:
    value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataSourceError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise DataSourceError(f"{path}:{n}: each line is one account object")
        lines.append(value)
    return lines

