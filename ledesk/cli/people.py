"""`ledesk init`, `actors`, `authorities`, `tokens`: the database, the staff, the allow-list, API tokens."""

from __future__ import annotations

import argparse

from ledesk.bootstrap import Runtime, safe_url
from ledesk.cli.common import Adder, Parser, need_subcommand, subcommands
from ledesk.cli.render import emit
from ledesk.models.enums import AuthorityType, Role
from ledesk.states.errors import BadInput


def cmd_init(rt: Runtime, args: argparse.Namespace) -> int:
    rt.policy  # noqa: B018  (refuse to initialise on a policy that does not validate)
    done = rt.services.admin.init()
    url = safe_url(str(rt.engine.url))
    doc: dict[str, object] = {"database": url, "policy_version": done["policy_version"],
                              "key_store": done["key_store"], "master_key": done["master_key"]}
    if done["legacy_audit_key"]:
        doc["legacy_audit_key_adopted"] = done["legacy_audit_key"]
    moved = done["keys_moved"]
    if moved:  # an older release kept hold keys (wrapped) in the case database
        doc["keys_moved_to_key_store"] = moved
    emit(doc, args.json, f"database ready: {url} (policy {rt.policy.version}); hold keys in {done['key_store']}"
         + (f" ({moved} moved there from the database)" if moved else "")
         + (f"; master key: {done['master_key']}" if done["master_key"] else ""))
    return 0


def cmd_actors_add(rt: Runtime, args: argparse.Namespace) -> int:
    result = rt.services.admin.add_actor(args.name, args.role, full_name=args.full_name, title=args.title)
    signs = ", ".join(x for x in (result.get("full_name"), result.get("title")) if x)
    emit(result, args.json, f"{result['actor']}: {', '.join(result['roles'])}"
         + (f"; signs letters as {signs}" if signs else "; letters they sign say the legal team (no --full-name)"))
    return 0


def cmd_authorities_add(rt: Runtime, args: argparse.Namespace) -> int:
    result = rt.services.admin.add_authority(args.domain, args.name, args.country, args.type,
                                             callback_phone=args.callback_phone)
    emit(result, args.json, f"allow-listed {result['domain']} ({result['name']}, {result['country']})")
    return 0


def cmd_actors_remove(rt: Runtime, args: argparse.Namespace) -> int:
    result = rt.services.admin.remove_actor(args.name, args.role)
    revoked = result["tokens_revoked"]
    emit(result, args.json, f"{result['actor']}: removed {', '.join(result['roles_removed']) or 'no role'}; "
         f"left {', '.join(result['roles']) or 'none'}" + (f"; revoked tokens {', '.join(revoked)}" if revoked else ""))
    return 0


def cmd_authorities_remove(rt: Runtime, args: argparse.Namespace) -> int:
    result = rt.services.admin.remove_authority(args.domain)
    revoked = result["tokens_revoked"]
    emit(result, args.json, f"{result['domain']} is off the allow-list"
         + (f"; revoked tokens {', '.join(revoked)}" if revoked else ""))
    return 0


def cmd_tokens_create(rt: Runtime, args: argparse.Namespace) -> int:
    if bool(args.actor) == bool(args.authority):
        raise BadInput("name one staff ACTOR or give --authority DOMAIN")
    made = rt.services.admin.create_token(actor=args.actor, authority=args.authority, officer=args.officer,
                                          badge=args.badge)
    emit(made, args.json, f"{made['token']}\n(token id {made['token_id']}; the secret is shown only this once)"
         + (f"\nissued to {args.officer}, badge {args.badge}, of {args.authority}" if args.officer else ""))
    return 0


def cmd_tokens_list(rt: Runtime, args: argparse.Namespace) -> int:
    rows = rt.services.admin.list_tokens()
    lines = [f"{r['token_id']}  {r['status']:8}  {r['actor'] or r['authority']}"
             + (f" ({r['officer']}, badge {r['badge']})" if r["officer"] else "")
             + f"  expires {r['expires_at'] or '-'}" for r in rows]
    emit(rows, args.json, "\n".join(lines) or "no tokens")
    return 0


def cmd_tokens_renew(rt: Runtime, args: argparse.Namespace) -> int:
    done = rt.services.admin.renew_token(args.token_id)
    emit(done, args.json, f"{done['token_id']} now expires {done['expires_at']}")
    return 0


def cmd_tokens_revoke(rt: Runtime, args: argparse.Namespace) -> int:
    done = rt.services.admin.revoke_token(args.token_id)
    emit(done, args.json, f"revoked {done['token_id']}")
    return 0


def register(add: Adder, common: Parser) -> None:
    add("init", cmd_init, "create or migrate the database and check the policy")
    actors = subcommands(add("actors", need_subcommand, "manage staff"), common)
    p = actors("add", cmd_actors_add, "register a staff member or add roles")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    p.add_argument("--full-name", help='the name letters they sign carry, as they write it: "Park Ji-won (박지원)"')
    p.add_argument("--title", help='the title under it: "Senior Counsel / 선임 변호사"')
    p = actors("remove", cmd_actors_remove, "take roles from a staff member (all of them: its tokens are revoked)")
    p.add_argument("name")
    p.add_argument("--role", action="append", choices=[r.value for r in Role], help="only this role (repeatable)")
    authorities = subcommands(add("authorities", need_subcommand, "manage the authority allow-list"), common)
    p = authorities("add", cmd_authorities_add, "allow-list an authority's e-mail domain")
    p.add_argument("domain")
    p.add_argument("--name", required=True)
    p.add_argument("--country", required=True)
    p.add_argument("--type", required=True, choices=[t.value for t in AuthorityType])
    p.add_argument("--callback-phone", help="its switchboard, found independently: emergencies are verified on it")
    p = authorities("remove", cmd_authorities_remove, "take an authority off the allow-list and revoke its tokens")
    p.add_argument("domain")
    tokens = subcommands(add("tokens", need_subcommand, "API tokens for staff and authorities"), common)
    p = tokens("create", cmd_tokens_create, "make a token (the secret is printed once)")
    p.add_argument("actor", nargs="?", help="the staff actor the token speaks for")
    p.add_argument("--authority", metavar="DOMAIN", help="a token for an allow-listed authority instead")
    p.add_argument("--officer", metavar="NAME", help="the authority's officer the token is issued to")
    p.add_argument("--badge", metavar="ID", help="that officer's badge number")
    tokens("list", cmd_tokens_list, "every token, whom it speaks for, and whether it is live")
    p = tokens("renew", cmd_tokens_renew, "give a live token a new expiry counted from now (same secret)")
    p.add_argument("token_id")
    p = tokens("revoke", cmd_tokens_revoke, "revoke a token by its id")
    p.add_argument("token_id")
