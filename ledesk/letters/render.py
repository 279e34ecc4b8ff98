"""Rendering letters from the versioned templates with docxtpl, autoescaped: a value an authority typed
into a form (an officer's name, a reference) can never inject Word markup into a letter."""

from __future__ import annotations

import hashlib
import io
import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    return {k: str(v) for k, v in tomllib.loads((TEMPLATES / "versions.toml").read_text()).items()}


@lru_cache(maxsize=64)
def _template_bytes(kind: str) -> bytes:
    path = TEMPLATES / f"{kind}.docx"
    if not path.exists():
        raise LookupError(f"no letter template for {kind!r}")
    return path.read_bytes()


def render(kind: str, context: dict[str, Any]) -> tuple[bytes, str]:
    """The letter as .docx bytes, and the template version it was made from."""
    import jinja2
    from docxtpl import DocxTemplate

    from ledesk.states.korean import korean_date, particle

    template = DocxTemplate(io.BytesIO(_template_bytes(kind)))
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["josa"] = particle  # the particle the word before it takes: 자료를, LE Desk Cloud는
    env.filters["kodate"] = korean_date  # 2026. 12. 2.
    template.render(context, jinja_env=env)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue(), versions().get(kind, "unversioned")


def render_pending(engine: Engine, home: Path, provider: str, zone: Any, limit: int = 500,
                   letterhead: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Render every letter not rendered yet, store the file, its SHA-256 and template version.
    `letterhead` is the provider's address and contact (policy); the signatory is the approver of the
    case, else the reviewer who recommended, else the legal team."""
    from ledesk.models.tables import cases, letters

    done = []
    with engine.connect() as conn:
        pending = conn.execute(select(letters.c.id, letters.c.case_id, letters.c.kind, letters.c.context,
                                      letters.c.created_at).where(letters.c.rendered_at.is_(None))
                               .order_by(letters.c.id).limit(limit)).all()
        conn.rollback()
    for row in pending:
        with engine.begin() as conn:
            case = conn.execute(select(cases.c.submission, cases.c.reference, cases.c.approved_by,
                                       cases.c.recommended_by).where(cases.c.case_id == row.case_id)).first()
            if case is None:
                continue
            submission = case.submission or {}
            context = {"provider": provider, "case_id": row.case_id, "reference": case.reference or "-",
                       "date": row.created_at.astimezone(zone).date().isoformat(),
                       "officer": (submission.get("officer") or {}).get("name") or "-",
                       "authority": (submission.get("authority") or {}).get("name") or "-",
                       "letterhead_address": (letterhead or {}).get("address", ""),
                       "letterhead_contact": (letterhead or {}).get("contact", ""),
                       "signatory": case.approved_by or case.recommended_by or f"{provider} Legal",
                       "signatory_title": ("Approver, Legal / 법무팀 승인권자" if case.approved_by else
                                           "Reviewer, Legal / 법무팀 검토자" if case.recommended_by else
                                           "Legal team / 법무팀"),
                       **(row.context or {})}
            content, version = render(row.kind, context)
            folder = home / "letters" / row.case_id
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{row.id:06d}-{row.kind}.docx"
            path.write_bytes(content)
            digest = hashlib.sha256(content).hexdigest()
            conn.execute(update(letters).where(letters.c.id == row.id).values(
                path=str(path), docx_sha256=digest, template_version=version, rendered_at=datetime.now().astimezone()))
            done.append({"case_id": row.case_id, "kind": row.kind, "path": str(path), "sha256": digest,
                         "template_version": version})
    return done
