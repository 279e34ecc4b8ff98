"""`ledesk keys public` and `ledesk verify-production`: the provider's production key, and checking a
production package against its signed manifest (what an authority can also do without LE Desk)."""

from __future__ import annotations

import argparse

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, need_subcommand, read_file, subcommands
from ledesk.cli.render import emit

MAX_PACKAGE_BYTES = 2 * 1024 * 1024 * 1024


def cmd_keys_public(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.vault.signing import public_summary

    keys = rt.keys
    doc = {**public_summary(keys.signer()), "key_store": keys.name}
    emit(doc, args.json, f"production key (Ed25519) in {keys.name}\nfingerprint {doc['fingerprint']}\n"
                         f"{doc['pem'].rstrip()}")
    return 0


def cmd_verify_production(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.vault.signing import verify_package

    public_key = read_file(args.public_key, 64 * 1024) if args.public_key else None
    verdict = verify_package(read_file(args.package, MAX_PACKAGE_BYTES), args.fingerprint, public_key)
    if public_key is not None and verdict.ok:
        from ledesk.vault.signing import fingerprint_of_pem

        if fingerprint_of_pem(public_key) != verdict.fingerprint:
            verdict.ok = False
            verdict.problems.append(f"the package's key {verdict.fingerprint} is not the published key given")
    if not args.fingerprint and public_key is None:
        # The key inside the package proves nothing by itself: anyone can sign with a key of their own.
        verdict.ok = False
        verdict.problems.append("no trusted key named: give --fingerprint (the disclosure letter names it) or "
                                "--public-key (the provider's published production-key.pem)")
    lines = [f"{args.package}: " + (f"intact: {verdict.files} files match the manifest signed by key "
                                    f"{verdict.fingerprint}" if verdict.ok else "DIFFERS")]
    if verdict.ok:  # what the signature vouches for: whose case, produced for whom
        named = verdict.authority or "(no authority named: sealed before manifests named one)"
        lines.append(f"  case {verdict.case_id}, produced for {named}")
    lines += [f"  - {problem}" for problem in verdict.problems]
    emit({"package": args.package, **verdict.as_json()}, args.json, "\n".join(lines))
    return 0 if verdict.ok else 1


def register(add: Adder, common: Parser) -> None:
    keys = subcommands(add("keys", need_subcommand, "the provider's keys"), common)
    keys("public", cmd_keys_public, "print the production key's public key and fingerprint (Ed25519)")
    p = add("verify-production", cmd_verify_production,
            "check a production package: the manifest's signature and every file's SHA-256 (exit 1 if anything "
            "differs)")
    p.add_argument("package", metavar="PACKAGE.zip")
    p.add_argument("--fingerprint", help="the production key fingerprint the disclosure letter names")
    p.add_argument("--public-key", metavar="PEM", help="the provider's published production key (ledesk keys public)")
