"""Signed productions (issue 16, part 2): every sealed production has manifest.json signed by the provider's
Ed25519 production key in the key store; a package is checked without LE Desk's database, and the
disclosure letter carries what the authority needs to check it."""

from __future__ import annotations

import hashlib
import io
import json
import warnings
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ledesk.vault.keystore import Pkcs11KeyStore
from ledesk.vault.production import package
from ledesk.vault.signing import fingerprint, verify_package
from tests.factories import legal_process_document, seoul
from tests.integration.conftest import World
from tests.integration.test_production_scope import disclosed_with, two_target_preservation
from tests.integration.test_vault import ACCOUNT, vaulted  # noqa: F401  (the fixture)


def _package(world: World) -> tuple[str, bytes]:
    case_id, _ = two_target_preservation(world)
    assert disclosed_with(world, case_id, legal_process_document())["state"] == "disclosed"
    with world.engine.begin() as conn:
        built = package(conn, world.vault, case_id, seoul(2026, 12, 10), "alice", "test")
    return case_id, built.zip_bytes()


def _rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The package with files replaced (bytes), removed (None) or added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    prefix = src.namelist()[0].split("/")[0] + "/"
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            short = name.removeprefix(prefix)
            if short in change:
                if change[short] is not None:
                    dst.writestr(name, change[short])  # type: ignore[arg-type]
            else:
                dst.writestr(name, src.read(name))
        for short, content in change.items():
            if prefix + short not in src.namelist() and content is not None:
                dst.writestr(prefix + short, content)
    return out.getvalue()


def test_a_production_is_signed_and_verifies_by_itself(vaulted: World) -> None:  # noqa: F811
    case_id, data = _package(vaulted)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = {n.split("/", 1)[1] for n in archive.namelist()}
    # Every file is in the signed manifest but the manifest and its signature (issue 24): no letter, nothing
    # unsigned travels in the package.
    assert {"manifest.json", "manifest.sig", "production-key.pem"} <= names and "cover-letter.txt" not in names
    manifest_bytes = archive.read(f"{case_id}/manifest.json")
    manifest = json.loads(manifest_bytes)
    # Per file: name, size, SHA-256; per target: produced, withheld and why.
    assert manifest["files"] and all({"name", "bytes", "sha256"} <= set(f) for f in manifest["files"])
    assert {t["outcome"] for t in manifest["targets"]} and all("value" in t for t in manifest["targets"])
    # Anyone can check the signature with the public key and a standard Ed25519 library.
    key = load_pem_public_key(archive.read(f"{case_id}/production-key.pem"))
    assert isinstance(key, Ed25519PublicKey)
    key.verify(archive.read(f"{case_id}/manifest.sig"), manifest_bytes)
    verdict = verify_package(data, manifest["key_fingerprint"])
    assert verdict.ok and verdict.problems == [] and verdict.files == len(manifest["files"])
    assert names - {"manifest.json", "manifest.sig"} == {f["name"] for f in manifest["files"]}
    # The letter (sent as the disclosure letter) names the manifest's SHA-256 and the key's fingerprint.
    letter = vaulted.rows("select body from letters where case_id = :c and kind = 'disclosure_cover'",
                          c=case_id)[0].body
    assert hashlib.sha256(manifest_bytes).hexdigest() in letter and manifest["key_fingerprint"] in letter
    # And, per target, what was produced and what withheld, as the manifest says.
    for target in manifest["targets"]:
        assert f"{target['value']}: " in letter
    assert "Per target:" in letter and ("produced " in letter or "nothing produced" in letter), letter
    assert fingerprint(vaulted.vault.keys.signer().public_raw()) == manifest["key_fingerprint"]
    with vaulted.engine.begin() as conn:  # a second export is the same signed manifest
        again = package(conn, vaulted.vault, case_id, seoul(2026, 12, 11), "alice", "test")
    assert dict(again.files)["manifest.json"] == manifest_bytes


def test_every_change_to_a_package_is_found_and_named(vaulted: World) -> None:  # noqa: F811
    case_id, data = _package(vaulted)
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read(f"{case_id}/manifest.json"))
    first = manifest["files"][0]["name"]
    edited = json.dumps({**manifest, "targets": []}).encode()
    cases = {
        "a data file edited": ({first: b"{}"}, f"{first} differs from the manifest"),
        "a data file removed": ({first: None}, f"{first} is listed in the manifest but missing"),
        "a file slipped in": ({"extra.json": b"{}"}, "extra.json is in the package but not in the manifest"),
        "a letter slipped in": ({"cover-letter.txt": b"send the money to"},
                                "cover-letter.txt is in the package but not in the manifest"),
        "the key swapped": ({"production-key.pem": b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrB"
                                                   b"Z9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"},
                            "manifest.sig does not verify"),
        "the manifest edited": ({"manifest.json": edited}, "manifest.sig does not verify"),
        "the signature removed": ({"manifest.sig": None}, "manifest.sig is missing"),
    }
    for what, (change, problem) in cases.items():
        verdict = verify_package(_rezip(data, change))
        assert not verdict.ok and any(problem in p for p in verdict.problems), what
    verdict = verify_package(data, "0" * 32)
    assert not verdict.ok and "is not the key" in verdict.problems[0]
    assert verify_package(b"not a zip").problems == ["not a zip file"]


@pytest.mark.hsm
def test_an_hsm_production_key_signs_inside_the_hsm(world: World, tmp_path: Path, softhsm: str) -> None:
    world.source.load([ACCOUNT])
    store = Pkcs11KeyStore(softhsm)
    world.rebuild(keys=store)
    _, data = _package(world)
    verdict = verify_package(data, fingerprint(store.signer().public_raw()))
    assert verdict.ok, verdict.problems
    from pkcs11 import Attribute, ObjectClass

    private = list(store._session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                               Attribute.LABEL: "ledesk-production-signing"}))
    assert len(private) == 1 and private[0][Attribute.EXTRACTABLE] is False


def test_a_duplicate_entry_or_a_file_under_another_folder_is_refused(vaulted: World) -> None:  # noqa: F811
    """Issue 25: a second copy of a data file, or the same name under another folder, verified as intact: a
    reader may open the copy that was not checked. A package is one folder holding each file once."""
    case_id, data = _package(vaulted)
    archive = zipfile.ZipFile(io.BytesIO(data))
    first = next(n for n in archive.namelist() if n.endswith(".json") and "manifest" not in n)
    for what, extra in {"a duplicate entry": first, "another folder": "elsewhere/" + first.split("/", 1)[1],
                        "a deeper folder": f"{case_id}/deeper/{first.split('/', 1)[1]}"}.items():
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as changed, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it is asked to write
            for name in archive.namelist():
                changed.writestr(name, archive.read(name))
            changed.writestr(extra, b'{"records": ["forged"]}')
        verdict = verify_package(out.getvalue())
        assert not verdict.ok and "each file once" in verdict.problems[0], what
