"""The provider's production key: Ed25519, kept in the key store, signs every production's manifest so that
an authority can check a package without LE Desk (the disclosure letter carries the key's fingerprint).

In the embedded key store the private key is a row of its own, wrapped by the master key; in an HSM it is
a non-extractable EdDSA key pair that signs inside the HSM."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MANIFEST, SIGNATURE, PUBLIC_KEY = "manifest.json", "manifest.sig", "production-key.pem"


class Signer(Protocol):
    def sign(self, data: bytes) -> bytes: ...

    def public_raw(self) -> bytes:
        """The 32 raw bytes of the Ed25519 public key."""
        ...


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw public key, first 128 bits in hex: what a letter prints and a reader compares."""
    return hashlib.sha256(public_raw).hexdigest()[:32]


def public_pem(public_raw: bytes) -> str:
    return Ed25519PublicKey.from_public_bytes(public_raw).public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def fingerprint_of_pem(pem: bytes) -> str | None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(pem)
    except ValueError:
        return None
    return fingerprint(key.public_bytes(Encoding.Raw, PublicFormat.Raw)) if isinstance(key, Ed25519PublicKey) else None


def public_summary(signer: Signer) -> dict[str, str]:
    raw = signer.public_raw()
    return {"algorithm": "Ed25519", "fingerprint": fingerprint(raw), "public_key": base64.b64encode(raw).decode(),
            "pem": public_pem(raw)}


@dataclass
class Verdict:
    ok: bool
    problems: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    files: int = 0
    # What the signed manifest says the package is: whose case, for which authority. Only worth reading
    # when the verdict is ok (the signature covers them).
    case_id: str | None = None
    authority: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": self.problems, "key_fingerprint": self.fingerprint, "files": self.files,
                "case_id": self.case_id, "authority": self.authority}


def verify_package(data: bytes, trusted_fingerprint: str | None = None, public_key: bytes | None = None) -> Verdict:
    """Check a production package: the manifest's signature by the key in the package (or `public_key`, a PEM,
    for a package that carries none; and, when given, that key's fingerprint against the one the letter
    carries), then every file the manifest lists, and that the package holds nothing else but the manifest
    and its signature."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return Verdict(False, ["not a zip file"])
    entries = [info.filename for info in archive.infolist() if not info.is_dir()]
    by_name = {name.split("/", 1)[-1]: name for name in entries}
    folders = {name.split("/", 1)[0] if "/" in name else "" for name in entries}
    if len(by_name) != len(entries) or len(folders) > 1 or any(name.count("/") > 1 for name in entries):
        # A second copy of a file, or the same name under another folder: what a reader opens need not be
        # what was checked. The package is its one folder, each file in it once.
        return Verdict(False, ["the package's entries are not one folder holding each file once "
                               "(a duplicate entry, or a file under another folder)"])
    missing = [name for name in (MANIFEST, SIGNATURE) if name not in by_name]
    if PUBLIC_KEY not in by_name and public_key is None:
        missing.append(PUBLIC_KEY)
    if missing:
        return Verdict(False, [f"{name} is missing" for name in missing])
    manifest_bytes = archive.read(by_name[MANIFEST])
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(archive.read(by_name[PUBLIC_KEY]) if PUBLIC_KEY in by_name else public_key or b"")
    except ValueError:
        return Verdict(False, [f"{PUBLIC_KEY} is not a public key"])
    if not isinstance(key, Ed25519PublicKey):
        return Verdict(False, [f"{PUBLIC_KEY} is not an Ed25519 key"])
    key_fp = fingerprint(key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    verdict = Verdict(True, fingerprint=key_fp)
    if trusted_fingerprint and trusted_fingerprint.lower().replace(":", "") != key_fp:
        verdict.problems.append(f"the package's key {key_fp} is not the key {trusted_fingerprint} the letter names")
    try:
        key.verify(archive.read(by_name[SIGNATURE]), manifest_bytes)
    except InvalidSignature:
        verdict.problems.append(f"{SIGNATURE} does not verify: {MANIFEST} was changed or signed by another key")
    try:
        manifest = json.loads(manifest_bytes)
        listed = {entry["name"]: entry for entry in manifest["files"]}
        verdict.case_id, verdict.authority = manifest.get("case_id"), manifest.get("authority")
    except (ValueError, KeyError, TypeError, AttributeError):
        verdict.problems.append(f"{MANIFEST} is not a manifest")
        listed = {}
    for name, entry in listed.items():
        if name not in by_name:
            verdict.problems.append(f"{name} is listed in the manifest but missing")
            continue
        content = archive.read(by_name[name])
        if len(content) != entry.get("bytes") or hashlib.sha256(content).hexdigest() != entry.get("sha256"):
            verdict.problems.append(f"{name} differs from the manifest (size or SHA-256)")
    for name in sorted(set(by_name) - set(listed) - {MANIFEST, SIGNATURE}):
        verdict.problems.append(f"{name} is in the package but not in the manifest")
    verdict.files = len(listed)
    verdict.ok = not verdict.problems
    return verdict
