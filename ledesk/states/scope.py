"""What a disclosure may release, per data category: what the instrument permits and the request asks for,
less communication-confirmation data (PCSA art. 2(11): IP and access logs, call records) for anyone but
Korean prosecutors or police (PCSA arts. 3(1), 13). A foreign authority's direct emergency request gets
none of it, and its letter says why. The production, the notice decision and the ledger ask these."""

from __future__ import annotations

from ledesk.policy.schema import Policy
from ledesk.states.case import CaseRecord
from ledesk.states.phrasing import instrument


def communication_confirmation(categories: list[str] | set[str], policy: Policy) -> list[str]:
    """Of `categories`, those that are communication-confirmation data."""
    kinds = set(policy.communication_confirmation.categories)
    return sorted(c for c in categories if c in kinds)


def may_receive_communication_confirmation(country: str, authority_type: str | None, policy: Policy) -> bool:
    """Korean prosecutors or police only. `authority_type` None: not known here, judged by the country
    alone (the production, which knows it, asks again)."""
    rule = policy.communication_confirmation
    if country.upper() != rule.recipient_country.upper():
        return False
    return authority_type is None or authority_type in rule.recipient_types


def withheld_why(case: CaseRecord, category: str, policy: Policy, authority_type: str | None) -> str | None:
    """Why a requested category is not released, or None when it is."""
    if category not in policy.instruments.get(case.instrument or "", []):
        return f"the {instrument(case.instrument)} does not permit it"
    if category in policy.communication_confirmation.categories \
            and not may_receive_communication_confirmation(case.country, authority_type, policy):
        return ("communication-confirmation data is provided only to Korean prosecutors or police, with a "
                "district court's permission (PCSA arts. 3(1), 13); a foreign authority must ask through "
                "mutual legal assistance")
    return None


def released(case: CaseRecord, policy: Policy, authority_type: str | None = None) -> list[str]:
    """The categories the request asks for that this disclosure releases."""
    return sorted({c for c in case.categories if withheld_why(case, c, policy, authority_type) is None})


def releases_communication_confirmation(case: CaseRecord, policy: Policy, authority_type: str | None = None) -> bool:
    return bool(communication_confirmation(released(case, policy, authority_type), policy))
