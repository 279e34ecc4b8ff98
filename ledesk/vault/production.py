"""Disclosure packages: what a disclosure produces, built once at the moment of disclosure from the hold
(or the data source when nothing was preserved), limited to the targets, categories and periods the
instrument names, sealed in the vault like a hold and kept for the policy's production retention; and
the export of it for the authority, whose manifest says per target what was produced and withheld."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ledesk.adapters import audit
from ledesk.adapters.actors import authority_type
from ledesk.models.enums import SYSTEM_ACTOR, HoldStatus, TargetOutcome
from ledesk.models.submission import Target
from ledesk.models.tables import cases, holds, letters, outbox, productions, targets
from ledesk.policy.schema import LogRetentionRule, Policy
from ledesk.states import scope as release
from ledesk.states.case import CaseRecord
from ledesk.states.deadlines import earliest_log_kept
from ledesk.states.phrasing import category, counted, english_date, korean_date
from ledesk.states.retention import began_as_statutory_preservation
from ledesk.states.step import new_id
from ledesk.states.targets import normalise
from ledesk.vault.purge import shred
from ledesk.vault.signing import MANIFEST, PUBLIC_KEY, SIGNATURE, fingerprint, public_pem
from ledesk.vault.store import Vault, destroy


def target_key(target_type: str, value: str) -> tuple[str, str]:
    return target_type, normalise(target_type, value)


def held_elsewhere(vault: Vault, key: tuple[str, str]) -> str | None:
    """The other entity known to hold a target the provider has no account for (a data source may not say)."""
    found: str | None = getattr(vault.source, "held_by", lambda _t, _v: None)(*key)
    return found


def customer_controlled(vault: Vault, account: str) -> bool:
    """An enterprise customer's own data, which the customer is asked for (a data source may not say)."""
    return bool(getattr(vault.source, "customer_controlled", lambda _a: False)(account))


def _set_outcomes(conn: Connection, case_id: str, lines: list[dict[str, Any]]) -> None:
    """Each target's outcome, by its type and normalised identifier (never by list position)."""
    for line in lines:
        conn.execute(update(targets).where(targets.c.case_id == case_id, targets.c.type == line["type"],
                                           targets.c.value == normalise(line["type"], line["value"]))
                     .values(outcome=line["outcome"]))


def _stamp(record: dict[str, Any]) -> datetime | None:
    value = record.get("at") or record.get("created_at")
    return datetime.fromisoformat(str(value)) if value else None


def _within(records: list[dict[str, Any]], start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    """A held snapshot's records inside the period the process names, as a collection would read them
    (from `start` up to, not including, `end`); undated records (subscriber data) are kept."""
    kept = []
    for r in records:
        at = _stamp(r)
        if at is None or ((start is None or at >= start) and (end is None or at < end)):
            kept.append(r)
    return kept


def _records(vault: Vault, account: str, category: str, start: datetime | None, end: datetime | None,
             held_parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every record of the period the provider holds: what the snapshot kept and what the data source has
    (records made after the snapshot, or outside the period it covered), each once."""
    found = [r for p in held_parts for r in _within(p["records"], start, end)]
    found += vault.source.read(account, category, start, end)
    seen: set[str] = set()
    unique = []
    for r in found:
        identity = json.dumps(r, sort_keys=True, ensure_ascii=False)
        if identity not in seen:
            seen.add(identity)
            unique.append(r)
    return sorted(unique, key=lambda r: str(r.get("at") or r.get("created_at") or ""))


def retention_gap(vault: Vault, category: str, asked_from: date | None, kept_at: datetime,
                   kept: LogRetentionRule) -> dict[str, Any] | None:
    """The part of the period asked for that is older than the policy keeps this category (PCSA Decree
    41(2), `[log_retention]`), counted back from when the data was read (the snapshot, or now): decided by
    the retention the policy sets, never by the oldest record that happens to remain."""
    months = kept.by_category().get(category)
    if months is None:
        return None
    kept_from = earliest_log_kept(vault.calendar.local_date(kept_at), months)
    if asked_from is not None and asked_from >= kept_from:
        return None
    return {"category": category, "from": asked_from.isoformat() if asked_from else None,
            "kept_from": kept_from.isoformat(), "months": months}


def _target_scope(vault: Vault, case: CaseRecord, index: int, target: Target, held: list[dict[str, Any]],
                  withheld_why: dict[str, str | None], now: datetime,
                  kept: LogRetentionRule) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The parts produced for one target the process names, and its line of the manifest."""
    key = target_key(str(target.type), target.value)
    mine = [p for p in held if target_key(str(p["target"]["type"]), str(p["target"]["value"])) == key]
    account = next((p["account_id"] for p in mine if p.get("account_id")), None) or vault.source.lookup(*key)
    line: dict[str, Any] = {"type": key[0], "value": target.value, "produced": [], "withheld": []}
    asked = [r.category.value for r in case.submission.data_requested]
    if account is None:
        elsewhere = held_elsewhere(vault, key)
        line["outcome"] = TargetOutcome.NOT_HELD if elsewhere else TargetOutcome.NO_DATA
        line["withheld"] = [{"category": c, "why": f"held by {elsewhere}" if elsewhere else "no such account"}
                            for c in asked]
        return [], line
    if customer_controlled(vault, account):
        line["outcome"] = TargetOutcome.REDIRECTED
        line["withheld"] = [{"category": c, "why": "an enterprise customer's own data: ask the customer"}
                            for c in asked]
        return [], line
    parts = []
    gaps = []
    for request in case.submission.data_requested:
        category = request.category.value
        why = withheld_why.get(category)
        if why is not None:
            line["withheld"].append({"category": category, "why": why})
            continue
        start = vault.calendar.start_of(request.from_) if request.from_ else None
        end = vault.calendar.end_of(request.to) if request.to else None
        held_parts = [p for p in mine if p["category"] == category]
        records = _records(vault, account, category, start, end, held_parts)
        read_at = min((datetime.fromisoformat(p["taken_at"]) for p in held_parts), default=now)
        gap = retention_gap(vault, category, request.from_, read_at, kept)
        if gap is not None:
            gaps.append(gap)
        parts.append({"target_index": index, "target": target.model_dump(mode="json"), "account_id": account,
                      "category": category, "from": request.from_.isoformat() if request.from_ else None,
                      "to": request.to.isoformat() if request.to else None, "taken_at": now.isoformat(),
                      "source": "hold" if held_parts else "datasource", "records": records})
        line["produced"].append({"category": category, "records": len(records)})
    if gaps:
        line["gaps"] = gaps
    if not parts and line["withheld"]:  # the rules release nothing asked of it (a foreign emergency's logs)
        line["outcome"] = TargetOutcome.REJECTED
    elif any(p["records"] for p in parts):
        line["outcome"] = TargetOutcome.PRODUCE
    elif gaps:
        line["outcome"] = TargetOutcome.OUT_OF_RETENTION
    else:
        line["outcome"] = TargetOutcome.NO_DATA
    return parts, line


def _not_named(case: CaseRecord, held: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Preserved targets the legal process does not name: never read into the production."""
    named = {target_key(str(t.type), t.value) for t in case.submission.targets}
    out = {target_key(str(p["target"]["type"]), str(p["target"]["value"])) for p in held} - named
    return [{"type": t, "value": v, "outcome": "withheld", "produced": [],
             "withheld": [{"category": "*", "why": "preserved, but the legal process does not name this target"}]}
            for t, v in sorted(out)]


def build(conn: Connection, vault: Vault, case: CaseRecord, policy: Policy, now: datetime,
          actor: str) -> dict[str, Any]:
    """Seal the production of a disclosed case and set each target's outcome. Exactly what the instrument
    names: only its targets (matched by normalised identifier), only the categories it permits and the
    request asks for, only records inside the periods it names, from the hold where one was kept and
    from the data source otherwise. Runs in the disclosing transaction, so a disclosure without its
    production cannot exist; the snapshot it came from is destroyed at once (PIPA art. 21)."""
    kind = authority_type(conn, case.authority_domain)
    withheld_why = {c: release.withheld_why(case, c, policy, kind) for c in case.categories}
    permitted = {c for c, why in withheld_why.items() if why is None}
    live = conn.execute(select(holds.c.hold_id, holds.c.expires_at).where(
        holds.c.case_id == case.case_id, holds.c.status.in_([HoldStatus.CONVERTED.value, HoldStatus.ACTIVE.value,
                                                             HoldStatus.EXTENDED.value]))).first()
    hold = live.hold_id if live is not None else None
    held: list[dict[str, Any]] = []
    if hold is not None:
        held = vault.read(conn, hold)
        audit.append(conn, [audit.EventDraft(case.case_id, "preserved_data_read", actor, now,
                                             reason=f"production from hold {hold}", data={"hold_id": hold})])
    parts: list[dict[str, Any]] = []
    scope: list[dict[str, Any]] = []
    for index, target in enumerate(case.submission.targets):
        produced, line = _target_scope(vault, case, index, target, held, withheld_why, now, policy.log_retention)
        parts += produced
        scope.append(line)
    production_id = new_id("P")
    vault.seal(conn, production_id, parts, now)
    size = sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in parts)
    manifest_scope = scope + _not_named(case, held)
    destroy_on = vault.calendar.end_of(vault.calendar.period_last_day(vault.calendar.local_date(now),
                                                                        policy.production.retention_days))
    manifest, signature, key_fp = _signed_manifest(vault, case.case_id, case.authority_domain, production_id, parts,
                                                   manifest_scope, now)
    conn.execute(insert(productions).values(production_id=production_id, case_id=case.case_id,
                                            source="hold" if hold else "datasource", created_at=now,
                                            categories=sorted(permitted), size_bytes=size, scope=manifest_scope,
                                            destroy_on=destroy_on, manifest=manifest.decode(),
                                            manifest_sig=signature, key_fingerprint=key_fp))
    download_until = vault.calendar.local_date(policy.production.download_closes(now))
    _stamp_cover_letter(conn, case.case_id, hashlib.sha256(manifest).hexdigest(), key_fp, download_until.isoformat(),
                        f"{policy.portal_url.rstrip('/')}/portal/{case.case_id}",
                        per_target(manifest_scope, policy.log_retention),
                        per_target(manifest_scope, policy.log_retention, "ko"))
    _set_outcomes(conn, case.case_id, scope)
    outcomes = [str(line["outcome"]) for line in scope]
    summary = {"production_id": production_id, "parts": len(parts), "categories": sorted(permitted),
               "outcomes": outcomes, "size_bytes": size}
    audit.append(conn, [audit.EventDraft(case.case_id, "production_built", actor, now,
                                         data={**summary, "scope": manifest_scope})])
    if live is not None:
        if began_as_statutory_preservation(case) and live.expires_at is not None and now < live.expires_at \
                and _not_produced(held, parts):
            # CPA art. 215-2 binds for its whole period: what this process did not take stays preserved.
            until = vault.calendar.last_day(live.expires_at).isoformat()
            audit.append(conn, [audit.EventDraft(case.case_id, "hold_kept", actor, now,
                                                 reason=f"hold {live.hold_id}: CPA art. 215-2 preservation runs until "
                                                        f"the end of {until}; the legal process took only part of it",
                                                 data={"hold_id": live.hold_id, "until": until})])
        else:
            shred(conn, vault.keys, live.hold_id, case, now, policy.provider_name,
                  "its data is now sealed in the production", vault.calendar.zone)
    _outcome_letters(conn, case, scope, now, actor, policy)
    return summary


def _not_produced(held: list[dict[str, Any]], parts: list[dict[str, Any]]) -> bool:
    """Whether the snapshot holds a record (or a target's category) the production did not take."""
    def records(of: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
        found = set()
        for p in of:
            key = target_key(str(p["target"]["type"]), str(p["target"]["value"]))
            found.add((*key, p["category"], ""))
            found |= {(*key, p["category"], json.dumps(r, sort_keys=True, ensure_ascii=False)) for r in p["records"]}
        return found

    return bool(records(held) - records(parts))


def data_files(parts: list[dict[str, Any]]) -> list[tuple[str, bytes]]:
    """The produced data as the package's files, byte for byte the same at sealing and at every export."""
    return [(f"{position + 1:03d}-target{part['target_index'] + 1}-{part['category']}.json",
             json.dumps(part, ensure_ascii=False, indent=1).encode()) for position, part in enumerate(parts)]


def _signed_manifest(vault: Vault, case_id: str, authority: str, production_id: str, parts: list[dict[str, Any]],
                     scope: list[dict[str, Any]], now: datetime) -> tuple[bytes, bytes, str]:
    """manifest.json (the case and the authority it was produced for; per file: name, size, SHA-256; per
    target: produced, withheld and why), its Ed25519 signature by the production key, and that key's
    fingerprint. The authority is signed so that changing a case's owner in the database does not hand
    its production to another authority (`ProductionService.download` checks it)."""
    signer = vault.keys.signer()
    raw = signer.public_raw()
    key_fp = fingerprint(raw)
    # Every file of the package is listed, the public key too (its fingerprint is in the letter): only the
    # manifest and its signature are outside it.
    files = [*data_files(parts), (PUBLIC_KEY, public_pem(raw).encode())]
    manifest = {"case_id": case_id, "authority": authority, "production_id": production_id,
                "sealed_at": now.isoformat(),
                "key_fingerprint": key_fp, "algorithm": "Ed25519", "public_key": base64.b64encode(raw).decode(),
                "targets": scope,
                "files": [{"name": name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
                          for name, content in files]}
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    return data, signer.sign(data), key_fp


# Which letter, beside the disclosure letter, tells the authority a target's outcome: one at most, so a
# target is never told "no records" by one letter and "ask the customer" by another.
OUTCOME_LETTER: dict[str, str] = {
    TargetOutcome.REDIRECTED: "redirect", TargetOutcome.NOT_HELD: "redirect",
    TargetOutcome.NO_DATA: "no_records", TargetOutcome.OUT_OF_RETENTION: "no_records",
}


def statement(line: dict[str, Any], kept: LogRetentionRule, lang: str = "en") -> str:
    """What every letter says of one target, from its outcome: the disclosure letter and the one outcome
    letter use these same words (in English and in Korean), so no two letters about a target disagree."""
    outcome, ko = line.get("outcome"), lang == "ko"
    lang = "ko" if ko else "en"
    withheld_cats = ", ".join(category(w["category"], lang) for w in line.get("withheld", []))
    if ko and any("communication-confirmation" in str(w.get("why", "")) for w in line.get("withheld", [])):
        withheld_cats += (" (통신사실확인자료는 통신비밀보호법 제3조제1항, 제13조에 따라 국내 검사·사법경찰관에게만 "
                          "제공됩니다)")
    withheld = "; ".join(f"{category(w['category'])}: {w['why']}" for w in line.get("withheld", []))
    gaps = _gaps(line, ko)
    if outcome == TargetOutcome.PRODUCE:
        produced = ", ".join(f"{category(p['category'], lang)}({p['records']}건)" if ko else
                             f"{category(p['category'])} ({counted(p['records'], 'record')})"
                             for p in line.get("produced", []))
        said = (f"제공 {produced}" + (f"; 미제공 {withheld_cats}" if withheld_cats else "") if ko
                else f"produced {produced}" + (f"; withheld {withheld}" if withheld else ""))
        if gaps:  # some records were found, but part of the period asked for is older than we keep
            said += (f"; 보관 기간이 지나 보유하지 않는 기간: {gaps}" if ko else
                     f"; not held, older than we keep them: {gaps}")
    elif outcome == TargetOutcome.REDIRECTED:
        said = ("기업 고객이 관리하는 자료로서 당사가 제공할 수 없으므로 해당 고객에게 요청하여 주십시오" if ko else
                "nothing produced: an enterprise customer's own data, which we do not control; ask that customer")
    elif outcome == TargetOutcome.NOT_HELD:
        said = ("당사가 아닌 다른 주체가 보유한 자료입니다" if ko else
                "nothing produced: the data is held by another entity, not by us"
                + (f" ({withheld})" if withheld else ""))
    elif outcome == TargetOutcome.OUT_OF_RETENTION:
        said = (f"자료 없음: 요청하신 기간의 기록은 보관 기간(인터넷 및 IP 접속 기록 {kept.internet_logs_months}개월, "
                f"통화 기록 {kept.call_detail_months}개월)이 지나 보유하고 있지 않습니다" if ko else
                f"no records: the records asked for are older than we keep them (internet and IP access logs "
                f"{kept.internet_logs_months} months, call detail {kept.call_detail_months} months)")
        if gaps:
            said += f" ({gaps})"
    elif outcome == TargetOutcome.NO_DATA:
        said = "자료 없음" if ko else "no records"
    else:  # preserved, but not named by the legal process
        said = (f"미제공 {withheld_cats}" if ko else
                "nothing produced" + (f"; withheld {withheld}" if withheld else ""))
    return f"{line.get('value')}: {said}"


def _gaps(line: dict[str, Any], ko: bool) -> str:
    """The parts of the period asked for that the provider no longer keeps, category by category."""
    said = []
    for gap in line.get("gaps", []):
        since, kept_from = gap.get("from"), gap["kept_from"]
        if ko:
            span = (f"{korean_date(since)}부터 {korean_date(kept_from)} 전까지" if since else
                    f"{korean_date(kept_from)} 이전")
            said.append(f"{category(gap['category'], 'ko')} {span}({gap['months']}개월 보관)")
        else:
            span = (f"{english_date(since)} to before {english_date(kept_from)}" if since else
                    f"before {english_date(kept_from)}")
            said.append(f"{category(gap['category'])} {span} ({counted(gap['months'], 'month')} kept)")
    return "; ".join(said)


def per_target(scope: list[dict[str, Any]], kept: LogRetentionRule, lang: str = "en") -> str:
    """What the disclosure letter says for each target: what was produced and what withheld and why."""
    return "\n".join(statement(line, kept, lang) for line in scope)


def _stamp_cover_letter(conn: Connection, case_id: str, manifest_sha256: str, key_fp: str, until: str, link: str,
                        targets_summary: str = "", targets_summary_ko: str = "") -> None:
    """The disclosure letter (queued by the same transaction, not yet rendered or sent) says where to
    download the package (productions are never attached to e-mail) and carries what the authority needs to
    check it without LE Desk: the manifest's SHA-256 and the key's fingerprint."""
    row = conn.execute(select(letters.c.id, letters.c.body, letters.c.context, letters.c.sha256)
                       .where(letters.c.case_id == case_id, letters.c.kind == "disclosure_cover",
                              letters.c.rendered_at.is_(None)).order_by(letters.c.id.desc())).first()
    if row is None:
        return
    listed = f"Per target:\n{targets_summary}\n" if targets_summary else ""
    line = listed + (f"Download the package from the authority portal, {link}, until {english_date(until)} "
                     f"(we never send personal data by e-mail). Manifest SHA-256: {manifest_sha256}. "
                     "Signed (manifest.sig, Ed25519) by "
            f"our production key, fingerprint {key_fp}.\n")
    body = row.body + line
    digest = hashlib.sha256(body.encode()).hexdigest()
    conn.execute(update(letters).where(letters.c.id == row.id).values(
        body=body, sha256=digest, context={**(row.context or {}), "manifest_sha256": manifest_sha256,
                                           "key_fingerprint": key_fp, "download_until": until,
                                           "targets_summary": targets_summary,
                                           "targets_summary_ko": targets_summary_ko,
                                           "portal_path": f"/portal/{case_id}", "portal_link": link}))
    conn.execute(update(outbox).where(outbox.c.case_id == case_id, outbox.c.letter_sha256 == row.sha256,
                                      outbox.c.status == "pending").values(body=outbox.c.body + line,
                                                                           letter_sha256=digest))


def _outcome_letters(conn: Connection, case: CaseRecord, scope: list[dict[str, Any]], now: datetime, actor: str,
                     policy: Policy) -> None:
    """A redirect for data the provider does not hold or control; a no-records letter for the targets with
    nothing to produce. Each target is in at most one of them, in the words of the disclosure letter."""
    from ledesk.adapters.store import load_case, record
    from ledesk.states import messages
    from ledesk.states.effects import Effects
    from ledesk.states.step import Step

    letters_due = []
    for kind, subject, opening in (("redirect", "Data held by another entity",
                                    "We do not hold or control the data asked for of:"),
                                   ("no_records", "No records", "We found no records responsive to your request for:")):
        lines = [line for line in scope if OUTCOME_LETTER.get(str(line["outcome"])) == kind]
        if lines:
            said = per_target(lines, policy.log_retention)
            letters_due.append(messages.simple(kind, case, subject, f"{opening}\n{said}", targets_said=said,
                                               targets_said_ko=per_target(lines, policy.log_retention, "ko")))
    if letters_due:
        current = load_case(conn, case.case_id)
        record(conn, current, Step("outcome_letters", current.state, current.state, actor, now, "",
                                   Effects(messages=letters_due)))


def preservation_outcomes(conn: Connection, vault: Vault, case: CaseRecord, now: datetime, actor: str,
                          policy: Policy) -> list[dict[str, Any]]:
    """After a snapshot: a target naming no account the provider holds is told to the authority at once
    (nothing could be preserved for it) and takes its outcome now, rather than staying pending."""
    from ledesk.adapters.store import load_case, record
    from ledesk.states import messages
    from ledesk.states.effects import Effects
    from ledesk.states.step import Step

    absent: list[dict[str, Any]] = []
    for target in case.submission.targets:
        key = target_key(str(target.type), target.value)
        if vault.source.lookup(*key) is not None:
            continue
        elsewhere = held_elsewhere(vault, key)
        outcome = TargetOutcome.NOT_HELD if elsewhere else TargetOutcome.NO_DATA
        absent.append({"type": key[0], "value": target.value, "outcome": outcome, "elsewhere": elsewhere})
    if not absent:
        return []
    _set_outcomes(conn, case.case_id, absent)
    said = "\n".join(f"{a['value']}: no such account: we hold no account for this identifier, so nothing was "
                     "preserved for it" + (f" (held by {a['elsewhere']})" if a["elsewhere"] else "") for a in absent)
    said_ko = "\n".join(f"{a['value']}: 해당 계정 없음: 당사가 보유한 계정이 없어 보전된 자료가 없습니다"
                        for a in absent)
    letter = messages.simple("no_records", case, "No such account",
                             f"We hold no account for some of the targets of your preservation request:\n{said}",
                             targets_said=said, targets_said_ko=said_ko)
    current = load_case(conn, case.case_id)
    record(conn, current, Step("preservation_outcomes", current.state, current.state, actor, now, "",
                               Effects(messages=[letter], audit={"absent": absent})))
    return absent


def destroy_expired(conn: Connection, now: datetime) -> list[dict[str, str]]:
    """Crypto-shred productions whose retention is over (PIPA art. 21), each recorded in the audit log."""
    due = conn.execute(select(productions.c.production_id, productions.c.case_id).where(
        productions.c.destroy_on <= now, productions.c.destroyed_at.is_(None))).all()
    done = []
    for row in due:
        count, digest = destroy(conn, row.production_id)
        conn.execute(update(productions).where(productions.c.production_id == row.production_id)
                     .values(destroyed_at=now))
        audit.append(conn, [audit.EventDraft(row.case_id, "production_destroyed", SYSTEM_ACTOR, now,
                                             reason=f"production {row.production_id}: retention over",
                                             data={"production_id": row.production_id, "blobs": count,
                                                   "ciphertext_sha256": digest})])
        done.append({"case_id": row.case_id, "production_id": row.production_id})
    return done


@dataclass
class Package:
    """A disclosure package in memory (never written to a temporary folder): the produced data, the cover
    letter, and manifest.json with manifest.sig and the production key's public key."""

    case_id: str
    files: list[tuple[str, bytes]]
    manifest: dict[str, Any]

    def zip_chunks(self) -> Iterator[bytes]:
        """The package as a zip, produced file by file for a streamed HTTP response."""
        sink = _Chunks()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.files:
                archive.writestr(f"{self.case_id}/{name}", content)
                yield sink.drain()
        yield sink.drain()

    def zip_bytes(self) -> bytes:
        return b"".join(self.zip_chunks())


class _Chunks(io.RawIOBase):
    """A write-only stream that hands what was written to a generator (zipfile writes to it)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out, self._parts = b"".join(self._parts), []
        return out


class SignedForAnother(LookupError):
    """The production's signed manifest names another case or another authority than the database does
    now: the database was changed after sealing, and the package goes to nobody on the database's word."""


def package(conn: Connection, vault: Vault, case_id: str, now: datetime, actor: str, where: str,
            signed_for: str | None = None) -> Package:
    """The disclosure package. The read is an audit event (`where` says where it went). A production
    sealed before manifests were signed is signed now, except for a download (`signed_for`, the calling
    authority): that is served only when the manifest signed at sealing names this case and that authority."""
    row = conn.execute(select(productions).where(productions.c.case_id == case_id)).first()
    if row is None:
        raise LookupError(f"case {case_id} has no production: it was not disclosed")
    sealed: dict[str, Any] | None = json.loads(row.manifest) if row.manifest else None
    if signed_for is not None and (sealed is None or sealed.get("case_id") != case_id
                                   or sealed.get("authority") != signed_for):
        raise SignedForAnother(f"case {case_id}'s production was not signed for {signed_for} (the manifest names "
                               f"{(sealed or {}).get('authority') or 'no authority'}): not served")
    if row.destroyed_at is not None:
        raise LookupError(f"case {case_id}'s production was destroyed on {row.destroyed_at.isoformat()} "
                          "(its retention was over)")
    parts = vault.read(conn, row.production_id)
    files = data_files(parts)
    if sealed is None:
        owner = conn.execute(select(cases.c.authority_domain).where(cases.c.case_id == case_id)).scalar_one()
        manifest_bytes, signature, _ = _signed_manifest(vault, case_id, owner, row.production_id, parts,
                                                        row.scope or [], now)
        manifest = json.loads(manifest_bytes)
    else:
        manifest_bytes, signature, manifest = row.manifest.encode(), bytes(row.manifest_sig), sealed
    if manifest.get("case_id") != case_id:  # a production row moved onto another case
        raise SignedForAnother(f"the production filed under {case_id} was signed for case {manifest.get('case_id')}")
    listed = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
    if PUBLIC_KEY in listed:  # the key that signed, as the manifest names it (a manifest from before: none)
        raw = base64.b64decode(manifest["public_key"]) if "public_key" in manifest else vault.keys.signer().public_raw()
        files.append((PUBLIC_KEY, public_pem(raw).encode()))
    if listed != {name: hashlib.sha256(content).hexdigest() for name, content in files}:
        raise LookupError(f"case {case_id}'s production does not match its signed manifest: not exported")
    # The cover letter is not in the package: it names the manifest's SHA-256, so the manifest cannot list it,
    # and nothing unsigned travels in the package. It reaches the authority as the disclosure letter.
    files += [(MANIFEST, manifest_bytes), (SIGNATURE, signature)]
    audit.append(conn, [audit.EventDraft(case_id, "produced_data_read", actor, now, reason=f"export to {where}",
                                         data={"production_id": row.production_id, "files": len(files)})])
    return Package(case_id, files, manifest)


def export(conn: Connection, vault: Vault, case_id: str, folder: Path, now: datetime, actor: str) -> dict[str, Any]:
    """Write the disclosure package into the folder the operator named (`ledesk export -o`)."""
    built = package(conn, vault, case_id, now, actor, str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in built.files:
        (folder / name).write_bytes(content)
    return {"path": str(folder), "files": len(built.files), "manifest": built.manifest}
