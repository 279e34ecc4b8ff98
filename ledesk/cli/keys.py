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

    verdict = verify_package(read_file(args.package, MAX_PACKAGE_BYTES), args.fingerprint)
    lines = [f"{args.package}: " + (f"intact: {verdict.files} files match the manifest signed by key "
                                    f"{verdict.fingerprint}" if verdict.ok else "DIFFERS")]
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
