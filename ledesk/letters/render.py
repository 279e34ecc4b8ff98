"""Rendering letters from the versioned templates with docxtpl, autoescaped: a value an authority typed
into a form (an officer's name, a reference) can never inject Word markup into a letter."""

from __future__ import annotations

import hashlib
import io
import tomllib
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update

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


def render(kind: str, context: dict[str, Any], zone: tzinfo | None = None) -> tuple[bytes, str]:
    """The letter as .docx bytes, and the template version it was made from; an instant in the context is
    written in `zone`, the legal team's."""
    import jinja2
    from docxtpl import DocxTemplate

    from ledesk.states.korean import particle
    from ledesk.states.phrasing import counted, english_date, korean_date

    template = DocxTemplate(io.BytesIO(_template_bytes(kind)))
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["josa"] = particle  # the particle the word before it takes: 자료를, LE Desk Cloud는
    env.filters["endate"] = lambda value: english_date(value, zone)  # 2 December 2026
    env.filters["kodate"] = lambda value: korean_date(value, zone)  # 2026. 12. 2.
    env.filters["counted"] = counted  # 1 encrypted part, 2 encrypted parts
    template.render(context, jinja_env=env)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue(), versions().get(kind, "unversioned")


def text_of(content: bytes) -> list[str]:
    """A rendered letter's paragraphs as text, its letterhead first (what a preview shows; the footer is only
    the case number and page fields)."""
    from docx import Document

    doc = Document(io.BytesIO(content))
    section = doc.sections[0]
    head = [p.text for p in section.header.paragraphs if p.text.strip()]
    return head + [p.text for p in doc.paragraphs]


def signature(conn: Connection, case: Any, provider: str) -> dict[str, str]:
    """Who signs: the approver of the case, else the reviewer who recommended, by the name and title their
    actor record gives (`ledesk actors add NAME --full-name ... --title ...`); a login id never signs, so
    without a recorded name the legal team does."""
    from ledesk.models.tables import actors

    person = case.approved_by or case.recommended_by
    row = (conn.execute(select(actors.c.full_name, actors.c.title).where(actors.c.name == person)).first()
           if person else None)
    team = f"{provider} Legal Team / {provider} 법무팀"
    if row is None or not row.full_name:
        return {"signatory": team, "signatory_title": ""}
    role = "Approver, Legal / 법무팀 승인권자" if case.approved_by else "Reviewer, Legal / 법무팀 검토자"
    return {"signatory": row.full_name, "signatory_title": row.title or role}


def letter_context(conn: Connection, case_id: str, kind_context: dict[str, Any] | None, created_at: datetime,
                   provider: str, zone: Any, letterhead: dict[str, str] | None = None,
                   signed_by: Any = None) -> dict[str, Any] | None:
    """Everything a letter's template reads: the case's addressee and reference, the date, the letterhead,
    the signature and the seal line, and what the step that queued it put in (`kind_context`).
    `signed_by`: the case as a step not yet taken would leave it (a preview), whose approver signs."""
    from ledesk.models.tables import cases

    case = conn.execute(select(cases.c.submission, cases.c.reference, cases.c.approved_by,
                               cases.c.recommended_by).where(cases.c.case_id == case_id)).first()
    if case is None:
        return None
    signer = signed_by if signed_by is not None else case
    submission = case.submission or {}
    head = letterhead or {}
    return {"provider": provider, "case_id": case_id, "reference": case.reference or "-",
            "date": created_at.astimezone(zone).date().isoformat(),
            "officer": (submission.get("officer") or {}).get("name") or "-",
            "authority": (submission.get("authority") or {}).get("name") or "-",
            "letterhead_address": head.get("address", ""), "letterhead_contact": head.get("contact", ""),
            "seal_line": head.get("seal", ""), **signature(conn, signer, provider), **(kind_context or {})}


def render_pending(engine: Engine, home: Path, provider: str, zone: Any, limit: int = 500,
                   letterhead: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Render every letter not rendered yet, store the file, its SHA-256 and template version.
    `letterhead` is the provider's address, contact and seal line (policy)."""
    from ledesk.models.tables import letters

    done = []
    with engine.connect() as conn:
        pending = conn.execute(select(letters.c.id, letters.c.case_id, letters.c.kind, letters.c.context,
                                      letters.c.created_at).where(letters.c.rendered_at.is_(None))
                               .order_by(letters.c.id).limit(limit)).all()
        conn.rollback()
    for row in pending:
        with engine.begin() as conn:
            context = letter_context(conn, row.case_id, row.context, row.created_at, provider, zone, letterhead)
            if context is None:
                continue
            content, version = render(row.kind, context, zone)
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
