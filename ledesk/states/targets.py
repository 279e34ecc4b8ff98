"""Target identifiers in one canonical form, so the same account named two ways is the same target."""

from __future__ import annotations

import hashlib
import unicodedata

from ledesk.models.enums import TargetType


def normalise(kind: str, value: str, default_region: str = "KR") -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if kind == TargetType.PHONE:
        import phonenumbers

        try:
            number = phonenumbers.parse(text, default_region)
        except phonenumbers.NumberParseException:
            return text
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind in (TargetType.EMAIL, TargetType.USERNAME, TargetType.ACCOUNT_ID):
        return text.casefold()
    if kind == TargetType.URL:
        return text.rstrip("/")
    if kind == TargetType.IP:
        import ipaddress

        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    return text


def dedupe_key(reference: str, targets: list[tuple[str, str]]) -> str:
    """Same authority reference and same set of targets: the same request sent again."""
    canon = unicodedata.normalize("NFKC", reference).strip().casefold()
    body = canon + "\n" + "\n".join(sorted(f"{t}:{v}" for t, v in set(targets)))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
