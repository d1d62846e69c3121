"""Consent of a case: give, withdraw, and read it as it stands now (logged)."""

from __future__ import annotations

from fastapi import APIRouter, status
from relais_events.vocabulary import Identifier
from relais_kit.http.purpose import Purpose

from relais_referrals.application.consents import give_consent, read_consents, withdraw_consent
from relais_referrals.domain.consent import ConsentScope
from relais_referrals.entrypoints.dependencies import ConsentReader, ConsentRecorder, Services
from relais_referrals.entrypoints.schemas import (
    Accepted,
    CaseConsentsOut,
    ConsentIn,
    ConsentRecorded,
)
from relais_referrals.entrypoints.views import consent_out

router = APIRouter(prefix="/v1/cases/{case_id}/consents", tags=["consent"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def give(
    case_id: Identifier, body: ConsentIn, who: ConsentRecorder, services: Services
) -> ConsentRecorded:
    scope = ConsentScope(
        partner_ids=frozenset(body.partner_ids),
        partner_kinds=frozenset(body.partner_kinds),
        purposes=frozenset(body.purposes),
        data_categories=frozenset(body.data_categories),
        valid_until=body.valid_until,
    )
    consent_id, written = await give_consent(case_id, scope, services=services, acting=who)
    ids = list(written.event_ids)
    return ConsentRecorded(consent_id=consent_id, event_ids=ids, min_event=ids[-1])


@router.post("/{consent_id}/withdraw")
async def withdraw(
    case_id: Identifier,
    consent_id: Identifier,
    who: ConsentRecorder,
    services: Services,
) -> Accepted:
    written = await withdraw_consent(case_id, consent_id, services=services, acting=who)
    ids = list(written.event_ids)
    return Accepted(event_ids=ids, min_event=ids[-1] if ids else None)


@router.get("")
async def current(
    case_id: Identifier, who: ConsentReader, purpose: Purpose, services: Services
) -> CaseConsentsOut:
    found = await read_consents(case_id, services=services, reader=who, purpose=purpose)
    return CaseConsentsOut(
        case_id=found.case_id,
        departement=found.departement,
        at=found.at,
        active=[consent_out(c) for c in found.active],
        consents=[consent_out(c) for c in found.consents],
    )
