"""Which legal regime a request falls under. The country comes from the allow-list, never from what the
sender claims, so a foreign direct request cannot pass as a domestic one."""

from __future__ import annotations

from ledesk.models.enums import CaseKind, Instrument, Regime
from ledesk.models.submission import Submission

_KR_BY_INSTRUMENT = {
    Instrument.SEARCH_WARRANT: Regime.KR_WARRANT,
    Instrument.COURT_PERMISSION: Regime.KR_PCSA13,
    Instrument.STATUTORY_REQUEST: Regime.KR_TBA83,
    Instrument.MLAT: Regime.MLAT_VIA_MOJ,
}


def regime_for(sub: Submission, authority_country: str) -> Regime:
    if sub.kind == CaseKind.EMERGENCY:
        return Regime.EMERGENCY
    domestic = authority_country.upper() == "KR"
    if sub.kind == CaseKind.PRESERVATION:
        statutory = bool(sub.preservation and sub.preservation.statutory)
        return Regime.KR_CPA215_2 if statutory and domestic else Regime.POLICY_PRESERVATION
    if not domestic:
        return Regime.FOREIGN_DIRECT
    instrument = sub.legal_basis.instrument
    return _KR_BY_INSTRUMENT.get(instrument, Regime.KR_OTHER) if instrument else Regime.KR_OTHER


def regime_as_process(sub: Submission, authority_country: str) -> Regime:
    """The regime of a submission read as the legal process it carries: what a supplement brings to a
    preservation, or a follow-up to an emergency, is judged as legal process whatever the case's kind."""
    return regime_for(sub.model_copy(update={"kind": CaseKind.LEGAL_PROCESS}), authority_country)
